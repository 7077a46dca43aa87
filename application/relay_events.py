from __future__ import annotations

from domain.ports.clock import Clock
from domain.ports.events import EventPublisher
from domain.ports.unit_of_work import UnitOfWorkFactory


class RelayEvents:
    """Moves stored domain events to the broker, at least once, oldest first.

    Rules: an event is marked published only after the broker accepted it; with the broker down
    nothing is lost (the events wait in the outbox); concurrent relays take disjoint events.
    """

    def __init__(
        self, uow: UnitOfWorkFactory, publisher: EventPublisher, clock: Clock, batch: int = 500
    ) -> None:
        self._uow, self._publisher, self._clock, self._batch = uow, publisher, clock, batch

    async def execute(self) -> int:
        relayed = 0
        while True:
            async with self._uow() as uow:
                events = await uow.outbox.pending(self._batch)
                if not events:
                    return relayed
                await self._publisher.publish(events)
                await uow.outbox.mark_published([e.event_id for e in events], self._clock.now())
                await uow.commit()
            relayed += len(events)
            if len(events) < self._batch:
                return relayed

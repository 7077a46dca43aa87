"""RelayEvents with fakes: at least once, oldest first, nothing marked before the broker took it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import pytest

from application.relay_events import RelayEvents
from domain.events import DomainEvent, EventType
from tests.unit.fakes import T0, FakeClock, FakeUnitOfWorkFactory

pytestmark = pytest.mark.anyio


class RecordingPublisher:
    """Accepts everything and remembers each batch it was given."""

    def __init__(self) -> None:
        self.batches: list[list[DomainEvent]] = []

    @property
    def published(self) -> list[DomainEvent]:
        return [e for batch in self.batches for e in batch]

    async def publish(self, events: Sequence[DomainEvent]) -> None:
        self.batches.append(list(events))


class BrokerDown(Exception):
    pass


class FailingPublisher(RecordingPublisher):
    """Takes the first `accept` batches, then fails every call (the broker went away)."""

    def __init__(self, accept: int = 0) -> None:
        super().__init__()
        self.accept, self.calls = accept, 0

    async def publish(self, events: Sequence[DomainEvent]) -> None:
        self.calls += 1
        if self.calls > self.accept:
            raise BrokerDown("connection refused")
        await super().publish(events)


async def stored(db: FakeUnitOfWorkFactory, count: int) -> list[DomainEvent]:
    events = [
        DomainEvent(
            type=list(EventType)[n % len(EventType)],
            occurred_at=T0 + timedelta(seconds=n),
            data={"orderId": n + 1, "amount": 10_000 * (n + 1)},
        )
        for n in range(count)
    ]
    async with db() as uow:
        for event in events:
            await uow.outbox.add(event)
        await uow.commit()
    return events


def ids(events: Sequence[DomainEvent]) -> list[str]:
    return [e.event_id for e in events]


async def test_every_pending_event_is_published_oldest_first_and_marked_published() -> None:
    db, clock, publisher = (
        FakeUnitOfWorkFactory(),
        FakeClock(T0 + timedelta(hours=1)),
        RecordingPublisher(),
    )
    events = await stored(db, 3)

    relayed = await RelayEvents(db, publisher, clock).execute()

    assert relayed == 3
    assert ids(publisher.published) == ids(events)
    assert [e.data for e in publisher.published] == [e.data for e in events]
    assert db.tables.published == {e.event_id: clock.now() for e in events}


async def test_running_the_relay_again_publishes_nothing_new() -> None:
    db, publisher = FakeUnitOfWorkFactory(), RecordingPublisher()
    await stored(db, 2)
    relay = RelayEvents(db, publisher, FakeClock())
    await relay.execute()

    again = await relay.execute()

    assert again == 0
    assert len(publisher.published) == 2


async def test_a_broker_failure_marks_nothing_published_and_the_events_wait() -> None:
    db = FakeUnitOfWorkFactory()
    await stored(db, 3)

    with pytest.raises(BrokerDown):
        await RelayEvents(db, FailingPublisher(), FakeClock()).execute()

    assert db.tables.published == {}
    async with db() as uow:
        assert len(await uow.outbox.pending(10)) == 3


async def test_events_that_waited_for_the_broker_all_flow_when_it_is_back() -> None:
    db = FakeUnitOfWorkFactory()
    events = await stored(db, 4)
    with pytest.raises(BrokerDown):
        await RelayEvents(db, FailingPublisher(), FakeClock()).execute()
    events += await stored(db, 1)  # more arrive while the broker is down
    publisher = RecordingPublisher()

    relayed = await RelayEvents(db, publisher, FakeClock()).execute()

    assert relayed == 5
    assert ids(publisher.published) == ids(events)
    assert set(db.tables.published) == set(ids(events))


async def test_a_large_backlog_is_relayed_in_batches_until_none_is_left() -> None:
    db, publisher = FakeUnitOfWorkFactory(), RecordingPublisher()
    events = await stored(db, 5)

    relayed = await RelayEvents(db, publisher, FakeClock(), batch=2).execute()

    assert relayed == 5
    assert [len(b) for b in publisher.batches] == [2, 2, 1]
    assert ids(publisher.published) == ids(events)


async def test_a_failure_in_a_later_batch_keeps_the_earlier_batches_published() -> None:
    db, publisher = FakeUnitOfWorkFactory(), FailingPublisher(accept=1)
    events = await stored(db, 5)

    with pytest.raises(BrokerDown):
        await RelayEvents(db, publisher, FakeClock(), batch=2).execute()

    assert set(db.tables.published) == set(ids(events[:2]))
    retry = RecordingPublisher()
    assert await RelayEvents(db, retry, FakeClock(), batch=2).execute() == 3
    assert ids(retry.published) == ids(events[2:])


async def test_an_event_of_a_rolled_back_unit_of_work_is_never_relayed() -> None:
    db, publisher = FakeUnitOfWorkFactory(), RecordingPublisher()
    kept = await stored(db, 1)
    async with db() as uow:
        await uow.outbox.add(DomainEvent(EventType.ORDER_PAID, T0, {"orderId": 99}))
        # no commit: the state change and its event are dropped together

    await RelayEvents(db, publisher, FakeClock()).execute()

    assert ids(publisher.published) == ids(kept)

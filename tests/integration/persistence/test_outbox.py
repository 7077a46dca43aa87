from __future__ import annotations

from datetime import timedelta, timezone

import pytest

from adapters.outbound.persistence.unit_of_work import SqlaUnitOfWorkFactory
from domain.events import DomainEvent, EventType
from domain.order import OrderState
from tests.integration.persistence.factories import T0, at

pytestmark = pytest.mark.anyio


def event(n: int) -> DomainEvent:
    return DomainEvent(EventType.ORDER_PAID, at(n), {"orderId": n, "amount": 24_000})


async def test_an_event_reads_back_equal_with_its_data(uow: SqlaUnitOfWorkFactory) -> None:
    stored = DomainEvent(
        EventType.GROUP_MATCHED,
        T0.astimezone(timezone(timedelta(hours=9))),
        {
            "groupId": 3,
            "orderIds": [1, 2],
            "state": OrderState.MATCHED,
            "at": at(1),
            "메모": "공구",
        },
    )
    async with uow() as tx:
        await tx.outbox.add(stored)
        await tx.commit()

    async with uow() as tx:
        [loaded] = await tx.outbox.pending(10)

    assert (loaded.event_id, loaded.type, loaded.occurred_at) == (
        stored.event_id,
        EventType.GROUP_MATCHED,
        T0,
    )
    assert loaded.data == {
        "groupId": 3,
        "orderIds": [1, 2],
        "state": "MATCHED",
        "at": 1_772_357_416_123,
        "메모": "공구",
    }


async def test_an_event_is_only_stored_with_its_transaction(uow: SqlaUnitOfWorkFactory) -> None:
    async with uow() as tx:
        await tx.outbox.add(event(1))

    async with uow() as tx:
        assert await tx.outbox.recent(10) == []


async def test_pending_gives_unpublished_events_oldest_first(uow: SqlaUnitOfWorkFactory) -> None:
    events = [event(n) for n in range(4)]
    async with uow() as tx:
        for e in events:
            await tx.outbox.add(e)
        await tx.commit()

    async with uow() as tx:
        await tx.outbox.mark_published([events[1].event_id], at(10))
        await tx.outbox.mark_published([], at(10))
        await tx.commit()

    async with uow() as tx:
        pending = await tx.outbox.pending(2)
        newest = await tx.outbox.recent(10)
        newest_pending = await tx.outbox.recent(10, only_pending=True)

    assert [e.event_id for e in pending] == [events[0].event_id, events[2].event_id]
    assert [e.event_id for e in newest] == [e.event_id for e in reversed(events)]
    assert [e.event_id for e in newest_pending] == [
        events[3].event_id,
        events[2].event_id,
        events[0].event_id,
    ]

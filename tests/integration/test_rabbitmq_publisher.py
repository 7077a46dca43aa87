"""The outbox relayed to a real RabbitMQ: message format, at-least-once without loss while the
broker is down, and concurrent relays on PostgreSQL that never publish an event twice."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import aio_pika
import pytest
from aio_pika.exceptions import ChannelPreconditionFailed

from adapters.outbound.events.rabbitmq import BrokerUnavailable, RabbitMqPublisher
from adapters.outbound.persistence.engine import create_engine, session_factory
from adapters.outbound.persistence.mapping import start_mappers
from adapters.outbound.persistence.unit_of_work import SqlaUnitOfWorkFactory
from adapters.outbound.system import SystemClock
from application.relay_events import RelayEvents
from domain.events import DomainEvent, EventType
from tests.events.broker import EXCHANGE, closed_broker_url, consumer, require_rabbitmq
from tests.support.databases import truncate_all

pytestmark = pytest.mark.anyio
T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def rabbitmq_url() -> str:
    return require_rabbitmq()


@pytest.fixture
async def uow(sqlite_url: str, anyio_backend: str) -> AsyncIterator[SqlaUnitOfWorkFactory]:
    start_mappers()
    engine = create_engine(sqlite_url)
    yield SqlaUnitOfWorkFactory(session_factory(engine))
    await engine.dispose()


@pytest.fixture
async def publisher(rabbitmq_url: str, anyio_backend: str) -> AsyncIterator[RabbitMqPublisher]:
    publisher = RabbitMqPublisher(rabbitmq_url)
    yield publisher
    await publisher.close()


def sample_events(count: int) -> list[DomainEvent]:
    kinds = list(EventType)
    return [
        DomainEvent(
            type=kinds[n % len(kinds)],
            occurred_at=T0 + timedelta(seconds=n),
            data={"orderId": n + 1, "amount": 30_000, "메모": "공구"},
        )
        for n in range(count)
    ]


async def store(uow: SqlaUnitOfWorkFactory, events: list[DomainEvent]) -> None:
    async with uow() as tx:
        for event in events:
            await tx.outbox.add(event)
        await tx.commit()


async def pending(uow: SqlaUnitOfWorkFactory) -> list[str]:
    async with uow() as tx:
        return [e.event_id for e in await tx.outbox.pending(10_000)]


async def test_relayed_events_arrive_persistent_as_json_routed_by_their_type(
    uow: SqlaUnitOfWorkFactory, publisher: RabbitMqPublisher, rabbitmq_url: str
) -> None:
    events = sample_events(len(EventType))
    await store(uow, events)
    ids = [e.event_id for e in events]

    async with consumer(rabbitmq_url) as queue:
        relayed = await RelayEvents(uow, publisher, SystemClock()).execute()
        await queue.until(ids)

        assert relayed == len(events)
        messages = queue.of(ids)
        assert [m.message_id for m in messages] == ids  # oldest first, each once
        for message, event in zip(messages, events, strict=True):
            assert message.delivery_mode == aio_pika.DeliveryMode.PERSISTENT
            assert message.content_type == "application/json"
            assert message.exchange == EXCHANGE
            assert message.routing_key == event.type.value
            assert json.loads(message.body) == {
                "eventId": event.event_id,
                "type": event.type.value,
                "occurredAt": int(event.occurred_at.timestamp() * 1000),
                "data": dict(event.data),
            }
        assert await pending(uow) == []


async def test_running_the_relay_again_publishes_nothing_new(
    uow: SqlaUnitOfWorkFactory, publisher: RabbitMqPublisher, rabbitmq_url: str
) -> None:
    events = sample_events(3)
    await store(uow, events)
    ids = [e.event_id for e in events]

    async with consumer(rabbitmq_url) as queue:
        relay = RelayEvents(uow, publisher, SystemClock())
        assert await relay.execute() == 3
        await queue.until(ids)
        assert await relay.execute() == 0
        await queue.settle()

        assert sorted(m.message_id or "" for m in queue.of(ids)) == sorted(ids)


async def test_with_the_broker_down_nothing_is_lost_and_every_event_flows_when_it_is_back(
    uow: SqlaUnitOfWorkFactory, publisher: RabbitMqPublisher, rabbitmq_url: str
) -> None:
    events = sample_events(4)
    await store(uow, events)
    ids = [e.event_id for e in events]
    down = RabbitMqPublisher(closed_broker_url(), timeout_s=2)

    with pytest.raises(BrokerUnavailable):
        await RelayEvents(uow, down, SystemClock()).execute()
    await down.close()

    assert await pending(uow) == ids
    async with consumer(rabbitmq_url) as queue:
        assert await RelayEvents(uow, publisher, SystemClock()).execute() == 4
        await queue.until(ids)
        assert [m.message_id for m in queue.of(ids)] == ids
    assert await pending(uow) == []


async def test_the_exchange_is_a_durable_topic_exchange(
    publisher: RabbitMqPublisher, rabbitmq_url: str
) -> None:
    await publisher.publish(sample_events(1))
    connection = await aio_pika.connect(rabbitmq_url, timeout=5)
    try:
        for kind, durable in (
            (aio_pika.ExchangeType.TOPIC, False),
            (aio_pika.ExchangeType.DIRECT, True),
        ):
            channel = await connection.channel()
            # Redeclaring with other properties is refused by the broker.
            with pytest.raises(ChannelPreconditionFailed):
                await channel.declare_exchange(EXCHANGE, kind, durable=durable)
        channel = await connection.channel()
        await channel.declare_exchange(EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True)
    finally:
        await connection.close()


@pytest.mark.postgres
async def test_two_relays_on_postgres_publish_each_event_exactly_once(
    postgres_url: str, rabbitmq_url: str, anyio_backend: str
) -> None:
    truncate_all(postgres_url)
    start_mappers()
    engines = [create_engine(postgres_url, pool_size=2) for _ in range(2)]
    publishers = [RabbitMqPublisher(rabbitmq_url) for _ in range(2)]
    try:
        uows = [SqlaUnitOfWorkFactory(session_factory(engine)) for engine in engines]
        events = sample_events(300)
        await store(uows[0], events)
        ids = [e.event_id for e in events]

        async with consumer(rabbitmq_url) as queue:
            counts = await asyncio.gather(
                *(
                    RelayEvents(u, p, SystemClock(), batch=20).execute()
                    for u, p in zip(uows, publishers, strict=True)
                )
            )
            await queue.until(ids, timeout_s=20)
            await queue.settle()

            received = [m.message_id for m in queue.of(ids)]
            assert sum(counts) == len(ids), counts
            assert len(received) == len(set(received)) == len(ids)
        assert await pending(uows[1]) == []
    finally:
        for publisher in publishers:
            await publisher.close()
        for engine in engines:
            await engine.dispose()

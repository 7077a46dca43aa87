"""Domain events to RabbitMQ: topic exchange `gonggu.events` (durable), routing key = event type,
persistent JSON messages `{eventId, type, occurredAt, data}` with publisher confirms."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractConnection, AbstractExchange

from domain.events import DomainEvent
from domain.ports.events import EventPublisher

EXCHANGE = "gonggu.events"


class BrokerUnavailable(Exception):
    """RabbitMQ could not take the events; they stay in the outbox."""


def message_body(event: DomainEvent) -> dict[str, Any]:
    return {
        "eventId": event.event_id,
        "type": event.type.value,
        "occurredAt": int(event.occurred_at.timestamp() * 1000),
        "data": dict(event.data),
    }


class RabbitMqPublisher(EventPublisher):
    def __init__(self, url: str, timeout_s: float = 5.0) -> None:
        self._url, self._timeout = url, timeout_s
        self._connection: AbstractConnection | None = None
        self._channel: AbstractChannel | None = None
        self._exchange: AbstractExchange | None = None

    async def publish(self, events: Sequence[DomainEvent]) -> None:
        try:
            exchange = await self._ready_exchange()
            for event in events:
                message = aio_pika.Message(
                    body=json.dumps(message_body(event), ensure_ascii=False).encode(),
                    content_type="application/json",
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    message_id=event.event_id,
                    type=event.type.value,
                    timestamp=event.occurred_at,
                )
                await exchange.publish(message, routing_key=event.type.value, timeout=self._timeout)
        except (aio_pika.exceptions.AMQPError, OSError, TimeoutError) as exc:
            await self.close()
            raise BrokerUnavailable(f"RabbitMQ did not take the events: {exc!r}") from exc

    async def _ready_exchange(self) -> AbstractExchange:
        if self._exchange is None or self._connection is None or self._connection.is_closed:
            self._connection = await aio_pika.connect(self._url, timeout=self._timeout)
            self._channel = await self._connection.channel(publisher_confirms=True)
            self._exchange = await self._channel.declare_exchange(
                EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True
            )
        return self._exchange

    async def close(self) -> None:
        connection, self._connection, self._exchange, self._channel = (
            self._connection,
            None,
            None,
            None,
        )
        if connection is not None and not connection.is_closed:
            with contextlib.suppress(aio_pika.exceptions.AMQPError, OSError):
                await connection.close()

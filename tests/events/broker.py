"""RabbitMQ for tests: reachability (skip, or fail when GONGGU_REQUIRE_RABBITMQ=1) and a
consumer of our own — an exclusive, server-named queue bound to `gonggu.events` with `#`."""

from __future__ import annotations

import asyncio
import os
import socket
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

import aio_pika
import pytest
from aio_pika.abc import AbstractIncomingMessage, AbstractQueue

RABBITMQ_URL = os.environ.get("GONGGU_TEST_RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
EXCHANGE = "gonggu.events"


def require_rabbitmq() -> str:
    """The broker's URL; skips the test (or fails it, when required) if nothing listens."""
    parts = urlsplit(RABBITMQ_URL)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5672), 2):
            return RABBITMQ_URL
    except OSError as error:
        reason = f"RabbitMQ unreachable at {parts.hostname}:{parts.port}: {error!r}"
        if os.environ.get("GONGGU_REQUIRE_RABBITMQ") == "1":
            pytest.fail(f"{reason} (GONGGU_REQUIRE_RABBITMQ=1)", pytrace=False)
        pytest.skip(reason)


def closed_broker_url() -> str:
    """An AMQP URL on a loopback port where nothing listens."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"amqp://guest:guest@127.0.0.1:{port}/"


class Consumer:
    """Collects the messages routed to our queue. Other processes may publish to the same
    exchange at the same time, so callers look only at the event ids they expect."""

    def __init__(self, queue: AbstractQueue) -> None:
        self._queue = queue
        self.messages: list[AbstractIncomingMessage] = []

    async def until(self, event_ids: Iterable[str], timeout_s: float = 10.0) -> None:
        """Collects until every one of `event_ids` has arrived (or the time is up)."""
        wanted = set(event_ids)
        deadline = time.monotonic() + timeout_s
        while not wanted <= {m.message_id for m in self.messages}:
            if time.monotonic() > deadline:
                return
            await self._take_one(0.05)

    async def settle(self, quiet_s: float = 0.5) -> None:
        """Collects until nothing arrives for `quiet_s`."""
        deadline = time.monotonic() + quiet_s
        while time.monotonic() < deadline:
            if await self._take_one(0.05):
                deadline = time.monotonic() + quiet_s

    def of(self, event_ids: Iterable[str]) -> list[AbstractIncomingMessage]:
        """Our messages, in arrival order, duplicates included."""
        wanted = set(event_ids)
        return [m for m in self.messages if m.message_id in wanted]

    async def _take_one(self, pause_s: float) -> bool:
        message = await self._queue.get(no_ack=True, fail=False, timeout=5)
        if message is None:
            await asyncio.sleep(pause_s)
            return False
        self.messages.append(message)
        return True


@asynccontextmanager
async def consumer(url: str) -> AsyncIterator[Consumer]:
    """Binds an exclusive queue to `gonggu.events` (declared as the service declares it)."""
    connection = await aio_pika.connect(url, timeout=5)
    try:
        channel = await connection.channel()
        exchange = await channel.declare_exchange(
            EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True
        )
        queue = await channel.declare_queue(exclusive=True, auto_delete=True)
        await queue.bind(exchange, routing_key="#")
        yield Consumer(queue)
    finally:
        await connection.close()

"""The whole service built by bootstrap (SQLite and PostgreSQL), its container at hand so that
tests can read the outbox through a unit of work, and the e2e `Shop` driver."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient

from adapters.config import Settings
from bootstrap import Container, build_container, create_app
from domain.events import DomainEvent
from tests.e2e.shop import Shop
from tests.support.live_server import LiveServer

PUBLIC_BASE_URL = "http://testserver.local"


@pytest.fixture
def settings(database_url: str, sandbox_server: LiveServer) -> Settings:
    return Settings(
        database_url=database_url,
        public_base_url=PUBLIC_BASE_URL,
        payments_mode="sandbox",
        sandbox_url=sandbox_server.url,
        platform_timeout_s=2.0,
    )


@pytest.fixture
def container(settings: Settings) -> Container:
    return build_container(settings)


@pytest.fixture
def client(container: Container) -> Iterator[TestClient[Any]]:
    with TestClient(create_app(container), base_url=PUBLIC_BASE_URL) as test_client:
        yield test_client


@pytest.fixture
def sandbox(sandbox_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox_server.url, timeout=10) as http:
        yield http
        for prefix in ("kakaopay", "naverpay", "openbanking", "tosspayments"):
            http.delete(f"/{prefix}/__sandbox__/faults")
        http.delete("/openbanking/__sandbox__/transfers")


@pytest.fixture
def shop(client: TestClient[Any], sandbox: httpx.Client, sandbox_server: LiveServer) -> Shop:
    return Shop(client, sandbox, sandbox_server.url)


Outbox = Callable[[], list[DomainEvent]]


@pytest.fixture
def outbox(client: TestClient[Any], container: Container) -> Outbox:
    """Every stored event, oldest first, read through a unit of work on the app's own loop."""

    async def read() -> list[DomainEvent]:
        async with container.uow()() as uow:
            return list(reversed(await uow.outbox.recent(100_000)))

    return lambda: client.blocking_portal.call(read)

"""Reading the outbox of the service under test (fixtures in tests/support/service.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from litestar.testing import TestClient

from bootstrap import Container
from domain.events import DomainEvent

Outbox = Callable[[], list[DomainEvent]]


@pytest.fixture
def outbox(client: TestClient[Any], container: Container) -> Outbox:
    """Every stored event, oldest first, read through a unit of work on the app's own loop."""

    async def read() -> list[DomainEvent]:
        async with container.uow()() as uow:
            return list(reversed(await uow.outbox.recent(100_000)))

    return lambda: client.blocking_portal.call(read)

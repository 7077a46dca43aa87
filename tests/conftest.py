from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from tests.support.live_server import LiveServer

pytest_plugins = ["tests.support.databases", "tests.support.service", "tests.support.browser"]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[LiveServer]:
    """All platform emulators on one real loopback port, as `make run` serves them."""
    from adapters.config import Settings
    from bootstrap import sandbox_config
    from sandbox.server import create_sandbox_app
    from tests.support.live_server import LiveServer

    settings = Settings(payments_mode="sandbox", sandbox_url="http://127.0.0.1:1")
    with LiveServer(create_sandbox_app(sandbox_config(settings))) as server:
        yield server

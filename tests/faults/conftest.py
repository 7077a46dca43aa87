"""Fixtures of the fault-injection tests: the whole service (bootstrap) on the test's database,
the shared platform emulators with their failure switches, and reconciler timings made small."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from litestar.testing import TestClient

from adapters.config import Settings
from bootstrap import build_container, create_app
from tests.e2e.shop import Shop
from tests.support.live_server import LiveServer

PUBLIC_BASE_URL = "http://testserver.local"
PLATFORMS = ("kakaopay", "naverpay", "openbanking", "tosspayments")


@pytest.fixture
def settings(database_url: str, sandbox_server: LiveServer) -> Settings:
    """Seconds instead of minutes: stale after 0.2 s, refunds retried after 0.1 s, 0.2 s…"""
    return Settings(
        database_url=database_url,
        public_base_url=PUBLIC_BASE_URL,
        payments_mode="sandbox",
        sandbox_url=sandbox_server.url,
        platform_timeout_s=1.0,
        naverpay_apply_timeout_s=1.0,
        reconcile_after_s=0.2,
        refund_retry_base_s=0.1,
        refund_retry_max_s=0.4,
    )


@pytest.fixture
def sandbox(sandbox_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox_server.url, timeout=10) as http:
        yield http
        for prefix in PLATFORMS:
            http.delete(f"/{prefix}/__sandbox__/faults")


@pytest.fixture
def shop(settings: Settings, sandbox: httpx.Client, sandbox_server: LiveServer) -> Iterator[Shop]:
    app = create_app(build_container(settings))
    with TestClient(app, base_url=PUBLIC_BASE_URL) as client:
        yield Shop(client, sandbox, sandbox_server.url)

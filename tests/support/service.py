"""Fixtures of the whole service built by bootstrap, talking to the emulators over real HTTP
(a pytest plugin registered in tests/conftest.py, shared by the e2e, events and BDD tests)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from litestar.testing import TestClient

from adapters.config import Settings
from bootstrap import Container, build_container, create_app
from tests.e2e.shop import Shop
from tests.support.databases import truncate_all
from tests.support.html_forms import forms_of
from tests.support.live_server import LiveServer, free_port

PUBLIC_BASE_URL = "http://testserver.local"


@pytest.fixture
def settings(database_url: str, sandbox_server: LiveServer) -> Settings:
    return Settings(
        database_url=database_url,
        public_base_url=PUBLIC_BASE_URL,
        payments_mode="sandbox",
        sandbox_url=sandbox_server.url,
        platform_timeout_s=2.0,
        naverpay_apply_timeout_s=2.0,
    )


@pytest.fixture
def container(settings: Settings) -> Container:
    return build_container(settings)


@pytest.fixture
def client(container: Container) -> Iterator[TestClient[Any]]:
    """The whole service, built by bootstrap, talking to the emulators over real HTTP."""
    with TestClient(create_app(container), base_url=PUBLIC_BASE_URL) as test_client:
        yield test_client


@pytest.fixture
def sandbox(sandbox_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox_server.url, timeout=10) as http:
        yield http
        for prefix in ("kakaopay", "naverpay", "openbanking", "tosspayments"):
            http.delete(f"/{prefix}/__sandbox__/faults")
        # Each test's database starts afresh and reuses attempt ids, hence bank_tran_ids.
        http.delete("/openbanking/__sandbox__/transfers")


@pytest.fixture
def shop(client: TestClient[Any], sandbox: httpx.Client, sandbox_server: LiveServer) -> Shop:
    return Shop(client, sandbox, sandbox_server.url)


@pytest.fixture
def live_service(postgres_url: str, sandbox_server: LiveServer) -> Iterator[LiveServer]:
    """The service on a real loopback port against a wiped PostgreSQL database."""
    truncate_all(postgres_url)
    port = free_port()
    settings = Settings(
        database_url=postgres_url,
        public_base_url=f"http://127.0.0.1:{port}",
        sandbox_url=sandbox_server.url,
        payments_mode="sandbox",
    )
    with LiveServer(create_app(build_container(settings)), port=port) as server:
        yield server


def kakao_paid_location(api: httpx.Client, sandbox: httpx.Client, user: int, product: int) -> str:
    """Orders with KakaoPay and presses Pay; returns where KakaoPay sends the browser back,
    with the payment's tid after a `#`."""
    data = api.post(
        "/api/v1/order/execute?payType=KAKAO_PAY",
        json={"userId": user, "productId": product, "minShare": 1, "quantity": 1},
    ).json()["data"]
    page = sandbox.get(data["next_redirect_pc_url"])
    [pay] = [f for f in forms_of(page.text) if f.action.endswith("/pay")]
    pressed = sandbox.post(pay.action, data=pay.fields)
    location = urlsplit(pressed.headers["location"])
    return f"{location.path}?{location.query}#{data['tid']}"

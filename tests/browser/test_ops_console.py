"""The operator console in a real browser: a refund a test made fail is on the page, with
its history; after the fault is cleared, the operator retries it, confirms, and sees it done."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from adapters.config import Settings
from bootstrap import build_container, create_app
from tests.e2e.shop import Shop
from tests.support.browser import screenshot
from tests.support.live_server import LiveServer, free_port


@pytest.fixture
def console_server(sqlite_url: str, sandbox_server: LiveServer) -> Iterator[LiveServer]:
    port = free_port()
    settings = Settings(
        database_url=sqlite_url,
        public_base_url=f"http://127.0.0.1:{port}",
        payments_mode="sandbox",
        sandbox_url=sandbox_server.url,
        platform_timeout_s=2.0,
    )
    with LiveServer(create_app(build_container(settings)), port=port) as server:
        yield server


@pytest.fixture
def live_shop(
    console_server: LiveServer, sandbox: httpx.Client, sandbox_server: LiveServer
) -> Iterator[Shop]:
    with httpx.Client(base_url=console_server.url, timeout=10) as api:
        yield Shop(api, sandbox, sandbox_server.url)  # type: ignore[arg-type]


def test_an_operator_retries_a_stuck_refund_from_the_console(
    page: Any, live_shop: Shop, console_server: LiveServer
) -> None:
    shop = live_shop
    product = shop.product(price=23_000)
    orders = [shop.paid_order(shop.user(n), product["id"], min_share=2) for n in ("김", "이")]
    waiting = shop.placed(shop.user("박"), product["id"])  # still on KakaoPay's page
    assert shop.match(11, orders).status_code == 200
    shop.arm("kakaopay", "cancel", "error", times=2, status=400)
    assert shop.expire(11).status_code == 502  # both refunds failed at KakaoPay

    page.goto(f"{console_server.url}/ops/")
    stuck = page.locator("tr", has=page.locator(f"text=#{orders[0]}")).first
    assert "refund pending" in stuck.inner_text()
    assert "REFUNDING" in stuck.inner_text() and "23,000원" in stuck.inner_text()
    assert page.locator(f"text=#{waiting['orderId']}").count() == 1
    assert page.locator(".card.bad b").first.inner_text() == "2"  # refunds pending
    stuck.locator("summary").click()  # the order's history: attempts and outbox events
    history = stuck.inner_text()
    assert "OrderPaid" in history and "GroupExpired" in history and "REFUND" in history
    assert page.locator("svg.chart rect.paid").count() >= 24
    screenshot(page, "ops-console-stuck-refund")

    shop.sandbox.delete("/kakaopay/__sandbox__/faults")  # KakaoPay works again
    stuck.locator("button", has_text="retry this refund now").click()
    page.wait_for_url("**/ops/confirm")
    assert page.locator("h1").inner_text() == "Retry this refund now?"
    screenshot(page, "ops-console-confirm-refund")
    page.locator("button", has_text="Yes, retry this refund now").click()
    page.wait_for_url("**/ops/run")
    assert (
        page.locator("#outcome").inner_text()
        == "Done — the platform confirmed the refund: the order is REFUNDED"
    )
    screenshot(page, "ops-console-refund-done")

    page.locator("a", has_text="back to the console").click()
    page.wait_for_url("**/ops/")
    assert page.locator(f"td:has-text('#{orders[0]}')").count() == 0
    assert page.locator(f"text=#{orders[1]}").count() == 1  # the other refund still waits
    assert shop.state_of(shop.orders_of(1)[0]["userId"], orders[0]) == "REFUNDED"

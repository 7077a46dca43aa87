"""A shopper in a real browser (Debian's Chromium): paying through KakaoPay's page and every
page a return URL can end on. Screenshots are kept in test-artifacts/screenshots/."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from adapters.config import Settings
from bootstrap import build_container, create_app
from tests.support.browser import screenshot
from tests.support.live_server import LiveServer, free_port

SHOP_URL = "https://shop.example/gonggu"


@pytest.fixture
def gonggu(sqlite_url: str, sandbox_server: LiveServer) -> Iterator[LiveServer]:
    port = free_port()
    settings = Settings(
        database_url=sqlite_url,
        public_base_url=f"http://127.0.0.1:{port}",
        sandbox_url=sandbox_server.url,
        payments_mode="sandbox",
        platform_timeout_s=2.0,
        shop_url=SHOP_URL,
    )
    with LiveServer(create_app(build_container(settings)), port=port) as server:
        yield server


@pytest.fixture
def api(gonggu: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=gonggu.url, timeout=30) as client:
        yield client


def place(api: httpx.Client, pay_type: str = "KAKAO_PAY", price: int = 35_000) -> dict[str, Any]:
    user = api.post("/api/v1/user", json={"name": "김민지"}).json()["data"]["id"]
    product = api.post(
        "/api/v1/product",
        json={
            "name": "제주 감귤 5kg",
            "price": price,
            "options": [{"name": "선물 포장", "extraPrice": 2_000}],
        },
    ).json()["data"]
    answer = api.post(
        f"/api/v1/order/execute?payType={pay_type}",
        json={
            "userId": user,
            "productId": product["id"],
            "productOptionId": product["options"][0]["id"],
            "minShare": 2,
            "quantity": 2,
        },
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json()["data"])


def checkout_url(data: dict[str, Any], sandbox_url: str) -> str:
    if "next_redirect_pc_url" in data:
        return str(data["next_redirect_pc_url"])
    return str(data["checkoutPageUrl"])


def assert_shop_link(page: Any) -> None:
    link = page.get_by_role("link", name="쇼핑몰로 돌아가기 · Back to the shop")
    assert link.get_attribute("href") == SHOP_URL


def test_a_shopper_pays_with_kakaopay_and_sees_the_order_paid(
    page: Any, api: httpx.Client, sandbox_server: LiveServer
) -> None:
    data = place(api)

    page.goto(checkout_url(data, sandbox_server.url))
    assert "KakaoPay" in page.title()
    assert page.get_by_text("74,000원").is_visible()
    screenshot(page, "kakaopay-checkout")
    page.get_by_role("button", name="결제하기 · Pay").click()
    page.wait_for_load_state()

    assert page.get_by_role("heading", name="결제가 완료되었습니다").is_visible()
    body = page.inner_text("body")
    for text in (
        "Your payment is complete",
        "제주 감귤 5kg (선물 포장) × 2",
        "74,000원",
        "결제 완료",
    ):
        assert text in body
    assert_shop_link(page)
    screenshot(page, "result-paid")
    order = api.get(f"/api/v1/order/{data['orderId']}").json()["data"]
    assert order["state"] == "PAID" and order["payment"]["approvedAmount"] == 74_000

    page.go_back()
    page.wait_for_load_state()
    if page.get_by_role("button", name="결제하기 · Pay").count():
        page.get_by_role("button", name="결제하기 · Pay").click()
        page.wait_for_load_state()
    body = page.inner_text("body")
    assert "{" not in body, body
    assert "이미 결제했습니다" in body or "더 이상 진행할 수 없습니다" in body
    screenshot(page, "kakaopay-back-then-pay")


def test_a_shopper_who_cancels_sees_it_in_words(page: Any, api: httpx.Client) -> None:
    data = place(api)

    page.goto(str(data["next_redirect_pc_url"]))
    page.get_by_role("button", name="결제 취소 · Cancel").click()
    page.wait_for_load_state()

    assert page.get_by_role("heading", name="결제를 취소했습니다").is_visible()
    assert "You cancelled the payment" in page.inner_text("body")
    assert_shop_link(page)
    screenshot(page, "result-cancelled")


def test_a_failed_naverpay_payment_shows_the_platforms_reason(page: Any, api: httpx.Client) -> None:
    data = place(api, "NAVER_PAY")

    page.goto(str(data["checkoutPageUrl"]))
    assert "NaverPay" in page.title()
    screenshot(page, "naverpay-checkout")
    page.get_by_role("button", name="결제 실패 만들기 · Fail").click()
    page.wait_for_load_state()

    assert page.get_by_role("heading", name="결제에 실패했습니다").is_visible()
    assert "본인 인증에 실패하였습니다." in page.inner_text("body")
    screenshot(page, "result-failed")


def test_a_lost_approval_shows_being_confirmed_then_refreshes_to_paid(
    page: Any, api: httpx.Client, sandbox: httpx.Client
) -> None:
    data = place(api)
    page.goto(str(data["next_redirect_pc_url"]))
    sandbox.post(
        "/kakaopay/__sandbox__/faults", json={"operation": "approve", "kind": "no_answer"}
    ).raise_for_status()

    page.get_by_role("button", name="결제하기 · Pay").click()
    page.wait_for_load_state()

    assert page.get_by_role("heading", name="결제를 확인하고 있습니다").is_visible()
    assert "Please do not pay again" in page.inner_text("body")
    screenshot(page, "result-being-confirmed")
    page.get_by_role("heading", name="결제가 완료되었습니다").wait_for(timeout=15_000)
    assert "/api/v1/order/transaction/result/" in page.url
    screenshot(page, "result-confirmed-after-refresh")


def test_a_platform_error_is_a_page_with_the_reason(
    page: Any, api: httpx.Client, sandbox: httpx.Client
) -> None:
    data = place(api)
    page.goto(str(data["next_redirect_pc_url"]))
    sandbox.post(
        "/kakaopay/__sandbox__/faults",
        json={"operation": "approve", "kind": "error", "status": 400},
    ).raise_for_status()

    page.get_by_role("button", name="결제하기 · Pay").click()
    page.wait_for_load_state()

    assert page.get_by_role("heading", name="결제사가 결제를 승인하지 않았습니다").is_visible()
    body = page.inner_text("body")
    assert "The platform says" in body and "74,000원" in body
    assert_shop_link(page)
    screenshot(page, "result-platform-error")


def test_an_unknown_transaction_is_a_page(page: Any, gonggu: LiveServer) -> None:
    page.goto(f"{gonggu.url}/api/v1/order/transaction/done/KAKAO_PAY/unknown-tx?pg_token=abc")

    assert page.get_by_role("heading", name="주문을 찾을 수 없습니다").is_visible()
    assert_shop_link(page)
    screenshot(page, "result-unknown-transaction")


def test_paying_again_on_the_toss_widget_after_back_shows_a_page(
    page: Any, api: httpx.Client
) -> None:
    data = place(api, "TOSS_PAYMENTS")
    page.goto(str(data["checkoutPageUrl"]))
    assert "Toss Payments" in page.title()
    screenshot(page, "tosspayments-checkout")
    page.get_by_role("button", name="결제하기 · Pay").click()
    page.get_by_role("heading", name="결제가 완료되었습니다").wait_for()

    page.go_back()
    page.get_by_role("button", name="결제하기 · Pay").click()
    page.wait_for_load_state()

    body = page.inner_text("body")
    assert "결제를 진행할 수 없습니다" in body and "DUPLICATED_ORDER_ID" in body
    assert '{"code"' not in page.content()
    screenshot(page, "tosspayments-back-then-pay")


def test_the_api_docs_render_with_no_network_but_the_service(page: Any, gonggu: LiveServer) -> None:
    outside: list[str] = []

    def only_local(route: Any) -> None:
        if route.request.url.startswith(gonggu.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    page.goto(f"{gonggu.url}/docs")
    page.locator(".swagger-ui .info .title").wait_for(timeout=15_000)
    page.get_by_text("Withdraw a paid order before grouping").first.wait_for()

    assert outside == []
    assert "gonggu" in page.locator(".swagger-ui .info .title").inner_text()
    screenshot(page, "api-docs-offline")
    page.get_by_text("Place an order and start its payment").first.click()
    page.get_by_text("Idempotency-Key").first.wait_for()
    assert outside == []
    screenshot(page, "api-docs-place-order")

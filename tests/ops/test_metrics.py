"""`GET /metrics` after a known sequence of payments: counters move by exactly what happened,
and the money gauges read the database."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from litestar.testing import TestClient

from adapters.config import Settings
from bootstrap import build_container, create_app
from tests.e2e.shop import Shop
from tests.ops.metrics_text import sample
from tests.support.tokens import token

KAKAO = {"platform": "KAKAO_PAY"}


def scrape(shop: Shop) -> str:
    response = shop.client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


def test_counters_after_two_payments_a_failure_and_a_group_expiry(shop: Shop) -> None:
    before = scrape(shop)
    product = shop.product(price=12_000)
    paid = [shop.paid_order(shop.user(n), product["id"], min_share=2) for n in ("kim", "lee")]
    failed = shop.placed(shop.user("park"), product["id"])
    assert shop.come_back(shop.press("KAKAO_PAY", failed, "fail")).status_code == 200
    assert shop.match(7, paid).status_code == 200
    assert shop.expire(7).status_code == 200
    after = scrape(shop)

    def delta(name: str, **labels: str) -> float:
        return sample(after, name, **labels) - sample(before, name, **labels)

    assert delta("gonggu_orders_total", event="placed", **KAKAO) == 3
    assert delta("gonggu_orders_total", event="paid", **KAKAO) == 2
    assert delta("gonggu_orders_total", event="failed", **KAKAO) == 1
    assert delta("gonggu_orders_total", event="refunded", **KAKAO) == 2
    assert delta("gonggu_groups_total", event="matched") == 1
    assert delta("gonggu_groups_total", event="expired") == 1
    calls = "gonggu_platform_calls_total"
    assert delta(calls, operation="checkout", outcome="ok", **KAKAO) == 3
    assert delta(calls, operation="approve", outcome="ok", **KAKAO) == 2
    assert delta(calls, operation="refund", outcome="ok", **KAKAO) == 2
    assert delta(calls, operation="lookup", **KAKAO) >= 1  # the fail redirect is checked
    latency = "gonggu_platform_call_duration_seconds_count"
    assert delta(latency, operation="refund", outcome="ok", **KAKAO) == 2
    requests = "gonggu_http_requests_total"
    execute = {"path": "/api/v1/order/execute", "method": "POST", "status_code": "200"}
    assert delta(requests, **execute) == 3
    assert delta("gonggu_http_request_duration_seconds_count", **execute) == 3
    assert sample(after, "gonggu_payments_waiting", **KAKAO) == 0
    assert sample(after, "gonggu_refunds_pending", **KAKAO) == 0
    assert sample(after, "gonggu_database_up") == 1


def test_money_no_order_owns_counts_as_an_orphan_payment(shop: Shop) -> None:
    before = scrape(shop)
    user, product = shop.user(), shop.product(price=9_000)
    mine, other = (shop.placed(user, product["id"], "NAVER_PAY") for _ in range(2))
    query = urlsplit(shop.press("NAVER_PAY", other, "pay")).query
    crossed = f"/api/v1/order/transaction/done/NAVER_PAY/{mine['transactionId']}?{query}"
    assert shop.client.get(crossed, headers={"accept": "application/json"}).status_code == 502
    after = scrape(shop)

    naver = {"platform": "NAVER_PAY"}
    found = sample(after, "gonggu_orphan_payments_total", **naver)
    assert found - sample(before, "gonggu_orphan_payments_total", **naver) == 1
    refunds = "gonggu_platform_calls_total"
    assert sample(after, refunds, operation="refund", outcome="ok", **naver) >= 1


def test_a_refund_the_platform_refuses_is_counted_and_pending(shop: Shop) -> None:
    before = scrape(shop)
    product = shop.product(price=5_000)
    orders = [shop.paid_order(shop.user(n), product["id"], min_share=2) for n in ("a", "b")]
    shop.placed(shop.user("c"), product["id"])  # waits on KakaoPay's page
    assert shop.match(3, orders).status_code == 200
    shop.arm("kakaopay", "cancel", "error", times=2, status=400)

    assert shop.expire(3).status_code == 502
    after = scrape(shop)

    refused = {"operation": "refund", "outcome": "refused", **KAKAO}
    assert (
        sample(after, "gonggu_platform_calls_total", **refused)
        - sample(before, "gonggu_platform_calls_total", **refused)
        == 2
    )
    assert sample(after, "gonggu_refunds_pending", **KAKAO) == 2
    assert sample(after, "gonggu_refunds_overdue", **KAKAO) == 0
    assert sample(after, "gonggu_payments_waiting", **KAKAO) == 1
    assert sample(after, "gonggu_payments_waiting", platform="TOSS_PAYMENTS") == 0


def test_metrics_need_the_service_credential_in_jwt_mode(
    settings: Settings, jwt_tokens: dict[str, str]
) -> None:
    jwt_settings = settings.model_copy(update={"auth_mode": "jwt", "jwt_secret": SECRET})
    with TestClient(create_app(build_container(jwt_settings))) as client:
        assert client.get("/metrics").status_code == 401
        user = client.get("/metrics", headers={"authorization": f"Bearer {jwt_tokens['user']}"})
        assert user.status_code == 403
        service = {"authorization": f"Bearer {jwt_tokens['service']}"}
        answer = client.get("/metrics", headers=service)
        assert answer.status_code == 200
        assert "gonggu_payments_waiting" in answer.text


SECRET = "ops-test-secret-that-is-long-enough-32b"


@pytest.fixture
def jwt_tokens() -> dict[str, Any]:

    return {
        "user": token(SECRET, sub="1"),
        "service": token(SECRET, sub="matcher", role="service"),
    }

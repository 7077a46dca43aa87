"""`Idempotency-Key` on `POST /api/v1/order/execute`, the way Stripe honours it: a replay gets
the first answer and places nothing; another body under the key is 422; a request while the
first is still running is 409; keys belong to their user; an error is kept like a success."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from dependency_injector import providers
from litestar.testing import TestClient

from adapters.config import Settings
from bootstrap import build_container, create_app
from tests.e2e.shop import Shop
from tests.support.live_server import LiveServer, free_port
from tests.support.service import PUBLIC_BASE_URL
from tests.unit.fakes import FakeClock


def key() -> str:
    return f"order-{uuid.uuid4()}"


def kakao_readies(shop: Shop) -> int:
    """How many payments KakaoPay's `ready` has created so far (one per call that acted)."""
    return len(shop.platform_payments("kakaopay"))


def test_the_same_key_and_body_replay_the_first_answer_without_a_second_order(
    shop: Shop,
) -> None:
    user, product = shop.user(), shop.product()
    readies, headers = kakao_readies(shop), {"Idempotency-Key": key()}

    first = shop.order(user, product["id"], headers=headers)
    second = shop.order(user, product["id"], headers=headers)

    assert first.status_code == second.status_code == 200, first.text + second.text
    assert second.json() == first.json()
    assert [o["id"] for o in shop.orders_of(user)] == [first.json()["data"]["orderId"]]
    assert kakao_readies(shop) == readies + 1


def test_the_same_key_with_another_body_is_refused_with_422_and_places_nothing(
    shop: Shop,
) -> None:
    user, product = shop.user(), shop.product()
    headers = {"Idempotency-Key": key()}
    first = shop.order(user, product["id"], headers=headers)
    readies = kakao_readies(shop)

    other = shop.order(user, product["id"], quantity=2, headers=headers)
    other_platform = shop.order(user, product["id"], "TOSS_PAYMENTS", headers=headers)

    assert first.status_code == 200, first.text
    assert other.status_code == other_platform.status_code == 422, other.text
    assert "Idempotency-Key" in other.json()["statusMsg"]
    assert len(shop.orders_of(user)) == 1
    assert kakao_readies(shop) == readies


def test_another_user_with_the_same_key_places_an_order_of_their_own(shop: Shop) -> None:
    product, shared = shop.product(), {"Idempotency-Key": key()}
    kim, lee = shop.user("kim"), shop.user("lee")

    kims = shop.order(kim, product["id"], headers=shared)
    lees = shop.order(lee, product["id"], headers=shared)

    assert kims.status_code == lees.status_code == 200, kims.text + lees.text
    assert kims.json()["data"]["orderId"] != lees.json()["data"]["orderId"]
    assert [o["id"] for o in shop.orders_of(kim)] == [kims.json()["data"]["orderId"]]
    assert [o["id"] for o in shop.orders_of(lee)] == [lees.json()["data"]["orderId"]]


def test_without_a_key_each_request_places_a_new_order(shop: Shop) -> None:
    user, product = shop.user(), shop.product()

    first, second = shop.order(user, product["id"]), shop.order(user, product["id"])

    assert first.status_code == second.status_code == 200
    assert first.json()["data"]["orderId"] != second.json()["data"]["orderId"]
    assert len(shop.orders_of(user)) == 2


def test_a_platform_error_is_kept_under_the_key_and_replayed_without_calling_again(
    shop: Shop,
) -> None:
    user, product = shop.user(), shop.product()
    headers = {"Idempotency-Key": key()}
    shop.arm("kakaopay", "ready", "error", status=400, times=1)

    first = shop.order(user, product["id"], headers=headers)
    readies = kakao_readies(shop)
    replay = shop.order(user, product["id"], headers=headers)

    assert first.status_code == replay.status_code == 502, first.text
    assert replay.json()["statusMsg"] == first.json()["statusMsg"]
    # The fault was used up: a second call would have succeeded and created a payment.
    assert kakao_readies(shop) == readies
    [order] = shop.orders_of(user)
    assert order["state"] == "PAYMENT_FAILED"


def test_a_replayed_platform_error_is_the_very_same_answer(shop: Shop) -> None:
    user, product = shop.user(), shop.product()
    headers = {"Idempotency-Key": key()}
    shop.arm("kakaopay", "ready", "error", status=400, times=1)

    first = shop.order(user, product["id"], headers=headers)
    replay = shop.order(user, product["id"], headers=headers)

    assert first.status_code == 502
    assert replay.json() == first.json()


def test_a_key_is_kept_for_24_hours_and_then_forgotten(
    settings: Settings, sandbox: httpx.Client, sandbox_server: LiveServer
) -> None:
    clock = FakeClock(datetime.now(UTC))
    container = build_container(settings)
    container.clock.override(providers.Object(clock))
    with TestClient(create_app(container), base_url=PUBLIC_BASE_URL) as client:
        shop = Shop(client, sandbox, sandbox_server.url)
        user, product = shop.user(), shop.product()
        headers = {"Idempotency-Key": key()}
        first = shop.order(user, product["id"], headers=headers).json()["data"]["orderId"]

        clock.advance(timedelta(hours=23, minutes=59))
        store = container.idempotency_store()
        assert client.blocking_portal.call(store.purge_expired, clock.now()) == 0
        late = shop.order(user, product["id"], headers=headers)
        clock.advance(timedelta(minutes=2))
        expired = shop.order(user, product["id"], headers=headers)

        assert late.status_code == 200 and late.json()["data"]["orderId"] == first
        assert expired.status_code == 200, expired.text
        assert expired.json()["data"]["orderId"] != first
        assert len(shop.orders_of(user)) == 2


# --------------------------------------------------------------------------- concurrency


@pytest.fixture
def service(database_url: str, sandbox_server: LiveServer) -> Iterator[LiveServer]:
    """The service on a real port, so that two requests can truly overlap."""
    port = free_port()
    settings = Settings(
        database_url=database_url,
        public_base_url=f"http://127.0.0.1:{port}",
        payments_mode="sandbox",
        sandbox_url=sandbox_server.url,
        platform_timeout_s=10.0,
    )
    with LiveServer(create_app(build_container(settings)), port=port) as server:
        yield server


def test_a_request_while_the_first_with_its_key_is_still_running_gets_409(
    service: LiveServer, shop: Shop
) -> None:
    with httpx.Client(base_url=service.url, timeout=30) as api:
        user = api.post("/api/v1/user", json={"name": "racer"}).json()["data"]["id"]
        product = api.post("/api/v1/product", json={"name": "귤", "price": 5000}).json()["data"]
        readies = kakao_readies(shop)
        shop.arm("kakaopay", "ready", "delay", seconds=1.5, times=1)
        body = {"userId": user, "productId": product["id"], "minShare": 1, "quantity": 1}
        headers = {"Idempotency-Key": key()}
        url = "/api/v1/order/execute?payType=KAKAO_PAY"
        answers: list[httpx.Response] = []

        def slow_first() -> None:
            with httpx.Client(base_url=service.url, timeout=30) as other:
                answers.append(other.post(url, json=body, headers=headers))

        first = threading.Thread(target=slow_first)
        first.start()
        try:
            threading.Event().wait(0.5)  # the first has claimed the key and waits on KakaoPay
            second = api.post(url, json=body, headers=headers)
        finally:
            first.join(timeout=30)

        [slow] = answers
        assert sorted([slow.status_code, second.status_code]) == [200, 409], second.text
        replay = api.post(url, json=body, headers=headers)
        done = slow if slow.status_code == 200 else second
        assert replay.status_code == 200
        assert replay.json()["data"]["orderId"] == done.json()["data"]["orderId"]
        orders: list[dict[str, Any]] = api.get(
            "/api/v1/order/list/user", params={"userId": user}
        ).json()["data"]
        assert len(orders) == 1
        assert kakao_readies(shop) == readies + 1

"""Attacks on `Idempotency-Key` that a crash or a lost answer makes possible, in-process on
SQLite and PostgreSQL: the key must never jam (409 for a whole day), never freeze an unknown
outcome, and never let a retry place a second order.

The real `kill -9` of `gonggu serve` is in test_idempotency_crash.py."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from dependency_injector import providers
from litestar.testing import TestClient

from adapters.config import Settings
from application.place_order import PlacedOrder, PlaceOrder, PlaceOrderCommand
from bootstrap import Container, build_container, create_app
from tests.e2e.shop import Shop
from tests.faults.support import run_worker_once, wait_until
from tests.support.live_server import LiveServer
from tests.support.service import PUBLIC_BASE_URL

EXECUTE = "/api/v1/order/execute"


@pytest.fixture
def recovering(settings: Settings) -> Settings:
    """Short lease and reconciler timings, so that recovery happens within a test."""
    return settings.model_copy(
        update={"idempotency_lease_s": 0.5, "reconcile_after_s": 0.2, "platform_timeout_s": 2.0}
    )


@pytest.fixture
def app_container(recovering: Settings) -> Container:
    return build_container(recovering)


@pytest.fixture
def api(
    app_container: Container, sandbox: httpx.Client, sandbox_server: LiveServer
) -> Iterator[Shop]:
    with TestClient(create_app(app_container), base_url=PUBLIC_BASE_URL) as client:
        yield Shop(client, sandbox, sandbox_server.url)


def execute(shop: Shop, body: dict[str, Any], key: str, pay_type: str) -> httpx.Response:
    return shop.client.post(
        EXECUTE, params={"payType": pay_type}, json=body, headers={"Idempotency-Key": key}
    )


def body_for(shop: Shop, pay_type: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "userId": shop.user(),
        "productId": shop.product()["id"],
        "minShare": 1,
        "quantity": 1,
    }
    if pay_type == "OPEN_BANKING":
        body["transaction"] = shop.open_banking_account()
    return body


def test_an_unknown_outcome_is_not_frozen_the_replay_follows_the_worker_to_paid(
    api: Shop, recovering: Settings
) -> None:
    body, key = body_for(api, "OPEN_BANKING"), f"k-{uuid.uuid4()}"
    api.arm("openbanking", "withdraw", "no_answer")  # the bank takes the money, never answers

    first = execute(api, body, key, "OPEN_BANKING")
    retry = execute(api, body, key, "OPEN_BANKING")

    assert first.status_code == 504, first.text
    [order] = api.orders_of(body["userId"])
    order_id = order["id"]
    assert retry.status_code == 504, retry.text  # not 409: the unknown outcome ended the lease
    assert retry.json()["data"]["orderId"] == order_id
    assert retry.json()["data"]["order"]["state"] == "PAYMENT_PENDING"

    # The bank has the money (on a busy machine its withdrawal may land after our timeout).
    account = body["transaction"]["fintechUseNum"]
    wait_until(
        lambda: [p for p in api.platform_payments("openbanking") if account in str(p)],
        timeout=10,
        what="the bank's withdrawal",
    )
    time.sleep(0.3)  # older than reconcile_after_s
    run_worker_once(recovering)
    settled = execute(api, body, key, "OPEN_BANKING")
    again = execute(api, body, key, "OPEN_BANKING")

    assert settled.status_code == 200, settled.text
    assert settled.json()["data"]["orderId"] == order_id
    assert settled.json()["data"]["order"]["state"] == "PAID"
    assert again.json() == settled.json()
    assert [o["id"] for o in api.orders_of(body["userId"])] == [order_id]


def test_an_unknown_outcome_the_worker_fails_is_replayed_as_the_failure(
    api: Shop, recovering: Settings
) -> None:
    body, key = body_for(api, "OPEN_BANKING"), f"k-{uuid.uuid4()}"
    api.arm("openbanking", "withdraw", "timeout")  # the bank never acts, never answers

    first = execute(api, body, key, "OPEN_BANKING")
    assert first.status_code == 504, first.text
    [order] = api.orders_of(body["userId"])

    time.sleep(0.3)  # past reconcile_after_s and abandon_after_s
    run_worker_once(recovering.model_copy(update={"abandon_after_s": 0.2}))
    settled = execute(api, body, key, "OPEN_BANKING")

    assert [o["state"] for o in api.orders_of(body["userId"])] == ["PAYMENT_FAILED"]
    assert settled.status_code == 502, settled.text
    assert settled.json()["data"]["orderId"] == order["id"]
    assert settled.json()["data"]["transactionId"] == order["transactionId"]
    assert settled.json()["data"]["order"]["state"] == "PAYMENT_FAILED"
    assert execute(api, body, key, "OPEN_BANKING").json() == settled.json()


class CrashAfterPlacing(PlaceOrder):
    """The order is placed and the platform answered, then the process dies before the answer
    is stored on the key (an exception stands in for the crash)."""

    def __init__(self, real: PlaceOrder) -> None:
        self._real = real
        self.placed: list[PlacedOrder] = []

    async def execute(self, cmd: PlaceOrderCommand) -> PlacedOrder:
        self.placed.append(await self._real.execute(cmd))
        raise RuntimeError("killed after placing the order")


class CrashBeforePlacing(PlaceOrder):
    """The key is claimed, then the process dies before the order is committed."""

    def __init__(self) -> None:
        pass

    async def execute(self, cmd: PlaceOrderCommand) -> PlacedOrder:
        raise RuntimeError("killed before placing the order")


def test_a_holder_that_died_after_placing_is_answered_from_that_order_not_a_new_one(
    api: Shop, app_container: Container
) -> None:
    body, key = body_for(api, "KAKAO_PAY"), f"k-{uuid.uuid4()}"
    crashing = CrashAfterPlacing(app_container.place_order())
    readies = len(api.platform_payments("kakaopay"))
    with app_container.place_order.override(providers.Object(crashing)):
        lost = execute(api, body, key, "KAKAO_PAY")
    assert lost.status_code == 500

    retry = execute(api, body, key, "KAKAO_PAY")

    [placed] = crashing.placed
    assert retry.status_code == 200, retry.text
    data = retry.json()["data"]
    assert data["orderId"] == placed.order.id
    assert data["transactionId"] == placed.order.transaction_id
    assert data["next_redirect_pc_url"] == placed.client_data["next_redirect_pc_url"]
    assert [o["id"] for o in api.orders_of(body["userId"])] == [placed.order.id]
    assert len(api.platform_payments("kakaopay")) == readies + 1  # KakaoPay asked once


def test_a_holder_that_died_before_placing_lets_the_retry_place_exactly_one_order(
    api: Shop, app_container: Container
) -> None:
    body, key = body_for(api, "KAKAO_PAY"), f"k-{uuid.uuid4()}"
    with app_container.place_order.override(providers.Object(CrashBeforePlacing())):
        lost = execute(api, body, key, "KAKAO_PAY")
    assert lost.status_code == 500
    assert api.orders_of(body["userId"]) == []

    retry = execute(api, body, key, "KAKAO_PAY")
    replay = execute(api, body, key, "KAKAO_PAY")

    assert retry.status_code == 200, retry.text
    assert replay.json() == retry.json()
    assert [o["id"] for o in api.orders_of(body["userId"])] == [retry.json()["data"]["orderId"]]


def test_another_body_cannot_take_over_a_key_whose_holder_died(
    api: Shop, app_container: Container
) -> None:
    body, key = body_for(api, "KAKAO_PAY"), f"k-{uuid.uuid4()}"
    with app_container.place_order.override(providers.Object(CrashBeforePlacing())):
        execute(api, body, key, "KAKAO_PAY")

    other = execute(api, {**body, "quantity": 2}, key, "KAKAO_PAY")

    assert other.status_code == 422, other.text
    assert api.orders_of(body["userId"]) == []

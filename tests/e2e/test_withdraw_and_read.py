"""order/cancel, GET order/{orderId} and GET group/{groupId} through the full service and the
emulators: a withdrawn order's money goes back through its platform once."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from litestar.testing import TestClient

from adapters.config import Settings
from bootstrap import build_container, create_app
from tests.e2e.shop import Shop
from tests.support.live_server import LiveServer
from tests.support.service import PUBLIC_BASE_URL, kakao_paid_location
from tests.support.tokens import bearer_header

PLATFORM_PREFIX = {
    "KAKAO_PAY": "kakaopay",
    "NAVER_PAY": "naverpay",
    "OPEN_BANKING": "openbanking",
    "TOSS_PAYMENTS": "tosspayments",
}


@pytest.mark.parametrize("pay_type", list(PLATFORM_PREFIX))
def test_a_withdrawn_paid_order_is_refunded_on_its_platform(shop: Shop, pay_type: str) -> None:
    user, product = shop.user(), shop.product(price=12_000)
    order_id = shop.paid_order(user, product["id"], pay_type, quantity=2)

    response = shop.client.post("/api/v1/order/cancel", params={"orderId": order_id})

    assert response.status_code == 200, response.text
    assert response.json()["data"]["state"] == "REFUNDED"
    detail = shop.client.get(f"/api/v1/order/{order_id}").json()["data"]
    assert detail["payment"]["platform"] == pay_type
    assert detail["payment"]["state"] == "REFUNDED"
    assert detail["payment"]["refundedAmount"] == detail["payment"]["approvedAmount"] == 24_000
    assert shop.client.get("/api/v1/order/cancel", params={"orderId": order_id}).status_code == 200


def test_a_withdrawal_refunds_the_kakaopay_payment_once(shop: Shop) -> None:
    user, product = shop.user(), shop.product()
    data = shop.placed(user, product["id"])
    assert shop.pay("KAKAO_PAY", data).status_code == 200

    first = shop.client.get("/api/v1/order/cancel", params={"orderId": data["orderId"]})
    second = shop.client.get("/api/v1/order/cancel", params={"orderId": data["orderId"]})

    assert first.status_code == second.status_code == 200
    [platform] = [p for p in shop.platform_payments("kakaopay") if p["tid"] == data["tid"]]
    assert (platform["status"], platform["refunds"]) == ("CANCEL_PAYMENT", 1)


def test_a_matched_order_cannot_be_withdrawn(shop: Shop) -> None:
    user, product = shop.user(), shop.product()
    order_id = shop.paid_order(user, product["id"], min_share=1)
    assert shop.match(3, [order_id]).status_code == 200

    response = shop.client.post("/api/v1/order/cancel", params={"orderId": order_id})

    assert response.status_code == 409
    assert "group 3" in response.json()["statusMsg"]
    assert shop.state_of(user, order_id) == "MATCHED"


def test_a_pending_order_cannot_be_withdrawn(shop: Shop) -> None:
    user, product = shop.user(), shop.product()
    data = shop.placed(user, product["id"])

    response = shop.client.post("/api/v1/order/cancel", params={"orderId": data["orderId"]})

    assert response.status_code == 409
    assert "not paid yet" in response.json()["statusMsg"]


def test_a_refund_the_platform_refuses_is_502_with_the_order(shop: Shop) -> None:
    user, product = shop.user(), shop.product()
    order_id = shop.paid_order(user, product["id"], "TOSS_PAYMENTS")
    shop.arm("tosspayments", "cancel", "error")

    response = shop.client.post("/api/v1/order/cancel", params={"orderId": order_id})

    assert response.status_code == 502, response.text
    body = response.json()["data"]
    assert (body["orderId"], body["state"]) == (order_id, "REFUND_PENDING")
    assert body["transactionId"] and body["refundError"]


def test_cancel_of_unknown_or_malformed_order_ids_is_a_clear_4xx(shop: Shop) -> None:
    assert shop.client.post("/api/v1/order/cancel", params={"orderId": 99}).status_code == 404
    for bad in ("0", "-1", "abc", str(2**63)):
        assert shop.client.post("/api/v1/order/cancel", params={"orderId": bad}).status_code == 400
    assert shop.client.post("/api/v1/order/cancel").status_code == 400


def test_a_group_reads_with_members_and_its_settlement_statement(shop: Shop) -> None:
    product = shop.product(price=10_000)
    kakao = shop.paid_order(shop.user("a"), product["id"], "KAKAO_PAY")
    bank = shop.paid_order(shop.user("b"), product["id"], "OPEN_BANKING", quantity=3)
    assert shop.match(11, [kakao, bank]).status_code == 200
    for order_id in (kakao, bank):
        assert shop.confirm(order_id).status_code == 200

    response = shop.client.get("/api/v1/group/11")

    assert response.status_code == 200, response.text
    group = response.json()["data"]
    assert group["state"] == "SETTLEMENT_READY"
    assert [(m["orderId"], m["state"]) for m in group["members"]] == [
        (kakao, "CONFIRMED"),
        (bank, "CONFIRMED"),
    ]
    assert group["settlement"]["readyForSettlement"] == 40_000
    assert [(p["payType"], p["approved"]) for p in group["settlement"]["platforms"]] == [
        ("KAKAO_PAY", 10_000),
        ("OPEN_BANKING", 30_000),
    ]
    assert shop.client.get("/api/v1/group/12").status_code == 404
    assert shop.client.get("/api/v1/order/999").status_code == 404


SECRET = "test-secret-that-is-long-enough-for-hs256"


def bearer(**claims: object) -> dict[str, str]:
    return bearer_header(SECRET, **claims)


@pytest.fixture
def jwt_api(settings: Settings) -> Iterator[TestClient]:
    jwt_settings = settings.model_copy(update={"auth_mode": "jwt", "jwt_secret": SECRET})
    with TestClient(create_app(build_container(jwt_settings)), base_url=PUBLIC_BASE_URL) as c:
        yield c


def test_in_jwt_mode_only_the_owner_or_a_service_reads_or_withdraws_an_order(
    jwt_api: TestClient, sandbox: httpx.Client
) -> None:
    service = bearer(sub="matcher", role="service")
    owner = jwt_api.post("/api/v1/user", json={"name": "o"}, headers=service).json()["data"]["id"]
    other = jwt_api.post("/api/v1/user", json={"name": "x"}, headers=service).json()["data"]["id"]
    product = jwt_api.post(
        "/api/v1/product", json={"name": "귤", "price": 1000}, headers=service
    ).json()["data"]["id"]
    account = sandbox.post("/openbanking/__sandbox__/accounts", json={"balance": 10_000}).json()
    placed = jwt_api.post(
        "/api/v1/order/execute?payType=OPEN_BANKING",
        json={
            "productId": product,
            "minShare": 1,
            "quantity": 1,
            "transaction": {
                "fintechUseNum": account["fintechUseNum"],
                "accessToken": account["accessToken"],
            },
        },
        headers=bearer(sub=str(owner)),
    )
    assert placed.status_code == 200, placed.text
    order_id = placed.json()["data"]["orderId"]
    path = f"/api/v1/order/{order_id}"

    assert jwt_api.get(path).status_code == 401
    assert jwt_api.get(path, headers=bearer(sub=str(other))).status_code == 403
    assert jwt_api.get(path, headers=bearer(sub=str(owner))).status_code == 200
    assert jwt_api.get(path, headers=service).status_code == 200
    assert jwt_api.get("/api/v1/group/1", headers=bearer(sub=str(owner))).status_code == 403
    cancel = f"/api/v1/order/cancel?orderId={order_id}"
    assert jwt_api.post(cancel, headers=bearer(sub=str(other))).status_code == 403
    assert jwt_api.post(cancel, headers=bearer(sub=str(owner))).status_code == 200


@pytest.mark.postgres
def test_two_concurrent_withdrawals_refund_once(
    live_service: LiveServer, sandbox_server: LiveServer
) -> None:
    with (
        httpx.Client(base_url=live_service.url) as api,
        httpx.Client(base_url=sandbox_server.url) as sandbox,
    ):
        user = api.post("/api/v1/user", json={"name": "twice"}).json()["data"]["id"]
        product = api.post("/api/v1/product", json={"name": "귤", "price": 5000}).json()["data"]
        location, tid = kakao_paid_location(api, sandbox, user, product["id"]).split("#")
        assert api.get(location, headers={"accept": "application/json"}).status_code == 200
        [order] = api.get(f"/api/v1/order/list/user?userId={user}").json()["data"]

        async def race() -> list[httpx.Response]:
            async with httpx.AsyncClient(base_url=live_service.url, timeout=30) as client:
                return await asyncio.gather(
                    *(client.post(f"/api/v1/order/cancel?orderId={order['id']}") for _ in range(8))
                )

        responses = asyncio.run(race())

        assert all(r.status_code == 200 for r in responses), [r.text for r in responses]
        assert {r.json()["data"]["state"] for r in responses} <= {"REFUND_PENDING", "REFUNDED"}
        assert api.get(f"/api/v1/order/{order['id']}").json()["data"]["state"] == "REFUNDED"
        [platform] = [
            p
            for p in sandbox.get("/kakaopay/__sandbox__/payments").json()["payments"]
            if p["tid"] == tid
        ]
        assert platform["status"] == "CANCEL_PAYMENT"
        assert platform["refunds"] == 1

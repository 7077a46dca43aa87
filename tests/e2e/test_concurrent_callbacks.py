"""Racing requests on PostgreSQL, through the real service on a real port: the same approval
redirect sixteen times at once approves once; expiry and confirmation never interleave."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests.support.live_server import LiveServer
from tests.support.service import kakao_paid_location

pytestmark = pytest.mark.postgres


def test_sixteen_identical_approval_redirects_approve_once(
    live_service: LiveServer, sandbox_server: LiveServer
) -> None:
    with (
        httpx.Client(base_url=live_service.url) as api,
        httpx.Client(base_url=sandbox_server.url) as sandbox,
    ):
        user = api.post("/api/v1/user", json={"name": "racer"}).json()["data"]["id"]
        product = api.post("/api/v1/product", json={"name": "귤", "price": 5000}).json()["data"]
        location, tid = kakao_paid_location(api, sandbox, user, product["id"]).split("#")

        async def fire() -> list[httpx.Response]:
            async with httpx.AsyncClient(base_url=live_service.url, timeout=30) as client:
                return await asyncio.gather(*(client.get(location) for _ in range(16)))

        responses = asyncio.run(fire())

        assert all(r.status_code == 200 for r in responses), [r.text for r in responses]
        assert {r.json()["data"]["state"] for r in responses} <= {"PAID", "PAYMENT_PENDING"}
        [order] = api.get(f"/api/v1/order/list/user?userId={user}").json()["data"]
        assert order["state"] == "PAID"
        payments = sandbox.get("/kakaopay/__sandbox__/payments").json()["payments"]
        [platform] = [p for p in payments if p["tid"] == tid]
        assert platform["approvals"] == 1


def test_expiry_racing_the_last_confirmation_leaves_one_consistent_outcome(
    live_service: LiveServer, sandbox_server: LiveServer
) -> None:
    with (
        httpx.Client(base_url=live_service.url) as api,
        httpx.Client(base_url=sandbox_server.url) as sandbox,
    ):
        product = api.post("/api/v1/product", json={"name": "귤", "price": 5000}).json()["data"]
        users = [
            api.post("/api/v1/user", json={"name": f"u{i}"}).json()["data"]["id"] for i in range(2)
        ]
        for user in users:
            assert (
                api.get(kakao_paid_location(api, sandbox, user, product["id"])).status_code == 200
            )
        orders = [
            api.get(f"/api/v1/order/list/user?userId={u}").json()["data"][0]["id"] for u in users
        ]
        assert (
            api.post(
                "/api/v1/group/matched", json={"groupId": 9, "orderIdList": orders}
            ).status_code
            == 200
        )
        assert api.get(f"/api/v1/order/confirm?orderId={orders[0]}").status_code == 200

        async def race() -> list[httpx.Response]:
            async with httpx.AsyncClient(base_url=live_service.url, timeout=30) as client:
                return await asyncio.gather(
                    client.get(f"/api/v1/order/confirm?orderId={orders[1]}"),
                    client.get("/api/v1/group/expired?groupId=9"),
                )

        confirm, expire = asyncio.run(race())

        ready = api.get("/api/v1/transaction/status/group?groupId=9&numberOfMember=2").json()
        states = [
            api.get(f"/api/v1/order/list/user?userId={u}").json()["data"][0]["state"] for u in users
        ]
        if confirm.status_code == 200:  # confirmation won: settlement-ready, expiry refused
            assert expire.status_code == 409
            assert ready["data"] is True and states == ["CONFIRMED", "CONFIRMED"]
        else:  # expiry won: the unconfirmed member is refunded, the group never settles
            assert expire.status_code == 200 and confirm.status_code == 409
            assert ready["data"] is False and states == ["CONFIRMED", "REFUNDED"]

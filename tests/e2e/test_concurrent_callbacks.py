"""Racing requests on PostgreSQL, through the real service on a real port: the same approval
redirect sixteen times at once approves once; expiry and confirmation never interleave."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from adapters.config import Settings
from bootstrap import build_container, create_app
from tests.support.databases import truncate_all
from tests.support.html_forms import forms_of
from tests.support.live_server import LiveServer, free_port

pytestmark = pytest.mark.postgres


@pytest.fixture
def service(postgres_url: str, sandbox_server: LiveServer) -> Iterator[LiveServer]:
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
    """Orders with KakaoPay and presses Pay; returns where KakaoPay sends the browser back."""
    data = api.post(
        "/api/v1/order/execute?payType=KAKAO_PAY",
        json={"userId": user, "productId": product, "minShare": 1, "quantity": 1},
    ).json()["data"]
    page = sandbox.get(data["next_redirect_pc_url"])
    [pay] = [f for f in forms_of(page.text) if f.action.endswith("/pay")]
    pressed = sandbox.post(pay.action, data=pay.fields)
    location = urlsplit(pressed.headers["location"])
    return f"{location.path}?{location.query}#{data['tid']}"


def test_sixteen_identical_approval_redirects_approve_once(
    service: LiveServer, sandbox_server: LiveServer
) -> None:
    with (
        httpx.Client(base_url=service.url) as api,
        httpx.Client(base_url=sandbox_server.url) as sandbox,
    ):
        user = api.post("/api/v1/user", json={"name": "racer"}).json()["data"]["id"]
        product = api.post("/api/v1/product", json={"name": "귤", "price": 5000}).json()["data"]
        location, tid = kakao_paid_location(api, sandbox, user, product["id"]).split("#")

        async def fire() -> list[httpx.Response]:
            async with httpx.AsyncClient(base_url=service.url, timeout=30) as client:
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
    service: LiveServer, sandbox_server: LiveServer
) -> None:
    with (
        httpx.Client(base_url=service.url) as api,
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
            async with httpx.AsyncClient(base_url=service.url, timeout=30) as client:
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

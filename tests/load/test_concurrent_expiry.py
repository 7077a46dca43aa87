"""Found by the load test: two concurrent expiries of the same group (a matcher retrying) used to
answer 502 "refund(s) still pending", although every refund was being made and completed."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest

from tests.support.live_server import LiveServer
from tests.support.service import kakao_paid_location

pytestmark = pytest.mark.postgres


@pytest.fixture
def sandbox(sandbox_server: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox_server.url, timeout=10) as client:
        yield client
        client.delete("/kakaopay/__sandbox__/faults")


def test_two_concurrent_expiries_of_a_group_both_answer_200(
    live_service: LiveServer, sandbox: httpx.Client
) -> None:
    with httpx.Client(base_url=live_service.url, timeout=30) as api:
        product = api.post("/api/v1/product", json={"name": "귤", "price": 5000}).json()["data"]
        orders, tids = [], set()
        for name in ("a", "b"):
            user = api.post("/api/v1/user", json={"name": name}).json()["data"]["id"]
            location, tid = kakao_paid_location(api, sandbox, user, product["id"]).split("#")
            tids.add(tid)
            orders.append(api.get(location, headers={"accept": "application/json"}).json()["data"])
        assert [o["state"] for o in orders] == ["PAID", "PAID"]
        matched = api.post(
            "/api/v1/group/matched", json={"groupId": 5, "orderIdList": [o["id"] for o in orders]}
        )
        assert matched.status_code == 200, matched.text
        # KakaoPay answers the refunds late, so the second expiry meets the first's refunds.
        armed = sandbox.post(
            "/kakaopay/__sandbox__/faults",
            json={"operation": "cancel", "kind": "delay", "times": 2, "seconds": 1.0},
        )
        armed.raise_for_status()

        async def expire_twice() -> list[httpx.Response]:
            async with httpx.AsyncClient(base_url=live_service.url, timeout=30) as client:
                return list(
                    await asyncio.gather(
                        *(client.get("/api/v1/group/expired?groupId=5") for _ in range(2))
                    )
                )

        answers = asyncio.run(expire_twice())
        states = [
            o["state"]
            for o in api.get(f"/api/v1/order/list/user?userId={orders[0]['userId']}").json()["data"]
        ]
        payments = sandbox.get("/kakaopay/__sandbox__/payments").json()["payments"]

    assert states == ["REFUNDED"]  # the money did go back, once
    # Order ids restart with every test database; the tid is unique at KakaoPay.
    assert sorted(p["refunds"] for p in payments if p["tid"] in tids) == [1, 1]
    assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]

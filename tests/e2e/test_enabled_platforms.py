"""GONGGU_PLATFORMS: only the platforms a shop has contracts for take orders."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from adapters.config import Settings
from bootstrap import build_container, create_app
from tests.support.live_server import LiveServer

PUBLIC_BASE_URL = "http://testserver.local"


@pytest.fixture
def kakao_only(database_url: str, sandbox_server: LiveServer) -> Iterator[TestClient[Any]]:
    settings = Settings(
        database_url=database_url,
        public_base_url=PUBLIC_BASE_URL,
        payments_mode="sandbox",
        sandbox_url=sandbox_server.url,
        platforms="KAKAO_PAY",
    )
    with TestClient(create_app(build_container(settings)), base_url=PUBLIC_BASE_URL) as client:
        yield client


def test_an_order_with_a_platform_the_shop_did_not_enable_is_refused(
    kakao_only: TestClient[Any],
) -> None:
    user = kakao_only.post("/api/v1/user", json={"name": "kim"}).json()["data"]["id"]
    product = kakao_only.post("/api/v1/product", json={"name": "귤", "price": 1000}).json()
    body = {"userId": user, "productId": product["data"]["id"], "minShare": 1, "quantity": 1}

    refused = kakao_only.post("/api/v1/order/execute?payType=TOSS_PAYMENTS", json=body)
    assert refused.status_code == 422, refused.text
    assert "TOSS_PAYMENTS is not configured" in refused.json()["statusMsg"]
    assert kakao_only.get(f"/api/v1/order/list/user?userId={user}").json()["data"] == []

    accepted = kakao_only.post("/api/v1/order/execute?payType=KAKAO_PAY", json=body)
    assert accepted.status_code == 200, accepted.text

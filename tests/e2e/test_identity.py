"""`jwt` mode: the user is the Bearer token's `sub`; matcher and catalog need a service token."""

from __future__ import annotations

import time
from collections.abc import Iterator

import jwt
import pytest
from litestar.testing import TestClient

from adapters.config import Settings
from bootstrap import build_container, create_app
from tests.support.service import PUBLIC_BASE_URL
from tests.support.tokens import bearer_header

SECRET = "test-secret-that-is-long-enough-for-hs256"


def bearer(**claims: object) -> dict[str, str]:
    return bearer_header(SECRET, **claims)


SERVICE = bearer(sub="matcher", role="service")


@pytest.fixture
def api(settings: Settings) -> Iterator[TestClient]:
    jwt_settings = settings.model_copy(update={"auth_mode": "jwt", "jwt_secret": SECRET})
    with TestClient(create_app(build_container(jwt_settings)), base_url=PUBLIC_BASE_URL) as c:
        yield c


@pytest.fixture
def catalog(api: TestClient) -> dict[str, int]:
    alice = api.post("/api/v1/user", json={"name": "alice"}, headers=SERVICE).json()["data"]
    bob = api.post("/api/v1/user", json={"name": "bob"}, headers=SERVICE).json()["data"]
    product = api.post(
        "/api/v1/product", json={"name": "귤", "price": 1000}, headers=SERVICE
    ).json()["data"]
    return {"alice": alice["id"], "bob": bob["id"], "product": product["id"]}


def order_body(catalog: dict[str, int], **extra: object) -> dict[str, object]:
    return {"productId": catalog["product"], "minShare": 1, "quantity": 1, **extra}


def test_a_request_without_a_token_is_refused(api: TestClient) -> None:
    response = api.get("/api/v1/order/list/user?userId=1")

    assert response.status_code == 401
    assert response.json()["statusCode"] == 401


def test_a_token_signed_with_another_key_is_refused(api: TestClient) -> None:
    forged = {
        "authorization": "Bearer "
        + jwt.encode(
            {"sub": "1", "exp": int(time.time()) + 300},
            "another-secret-of-thirty-two-bytes!!",
            algorithm="HS256",
        )
    }

    assert api.get("/api/v1/order/list/user", headers=forged).status_code == 401


def test_the_buyer_is_the_token_subject(api: TestClient, catalog: dict[str, int]) -> None:
    alice = bearer(sub=str(catalog["alice"]))

    placed = api.post(
        "/api/v1/order/execute?payType=KAKAO_PAY", json=order_body(catalog), headers=alice
    )

    assert placed.status_code == 200, placed.text
    assert placed.json()["data"]["order"]["userId"] == catalog["alice"]
    mine = api.get("/api/v1/order/list/user", headers=alice).json()["data"]
    assert [o["id"] for o in mine] == [placed.json()["data"]["orderId"]]


def test_ordering_for_someone_else_is_forbidden(api: TestClient, catalog: dict[str, int]) -> None:
    alice = bearer(sub=str(catalog["alice"]))

    response = api.post(
        "/api/v1/order/execute?payType=KAKAO_PAY",
        json=order_body(catalog, userId=catalog["bob"]),
        headers=alice,
    )

    assert response.status_code == 403
    assert (
        api.get("/api/v1/order/list/user", headers=bearer(sub=str(catalog["bob"]))).json()["data"]
        == []
    )


def test_a_user_sees_and_confirms_only_their_own_orders(
    api: TestClient, catalog: dict[str, int]
) -> None:
    alice, bob = bearer(sub=str(catalog["alice"])), bearer(sub=str(catalog["bob"]))
    order_id = api.post(
        "/api/v1/order/execute?payType=KAKAO_PAY", json=order_body(catalog), headers=alice
    ).json()["data"]["orderId"]

    listing = api.get(f"/api/v1/order/list/user?userId={catalog['alice']}", headers=bob)
    confirming = api.get(f"/api/v1/order/confirm?orderId={order_id}", headers=bob)

    assert listing.status_code == 403
    assert confirming.status_code == 403


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/v1/user", {"name": "mallory"}),
        ("POST", "/api/v1/product", {"name": "x", "price": 1}),
        ("POST", "/api/v1/group/matched", {"groupId": 1, "orderIdList": [1]}),
        ("GET", "/api/v1/group/expired?groupId=1", None),
        ("GET", "/api/v1/transaction/status/group?groupId=1&numberOfMember=1", None),
        ("GET", "/api/v1/user/list/product?productId=1", None),
    ],
)
def test_matcher_and_catalog_endpoints_need_a_service_token(
    api: TestClient, catalog: dict[str, int], method: str, path: str, body: object
) -> None:
    response = api.request(method, path, json=body, headers=bearer(sub=str(catalog["alice"])))

    assert response.status_code == 403, response.text


def test_production_refuses_to_start_in_test_auth_mode() -> None:
    with pytest.raises(ValueError, match="production refuses"):
        Settings(env="production", auth_mode="test")


def test_jwt_mode_needs_a_secret() -> None:
    with pytest.raises(ValueError, match="JWT_SECRET"):
        Settings(auth_mode="jwt")

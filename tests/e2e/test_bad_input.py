"""Every bad request is a 4xx in the envelope naming the problem, and writes nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.shop import Shop

VALID = {"userId": 1, "productId": 1, "productOptionId": 0, "minShare": 2, "quantity": 1}


def with_(**changes: Any) -> dict[str, Any]:
    body = {**VALID, **changes}
    return {k: v for k, v in body.items() if v is not ...}


BAD_BODIES = {
    "quantity missing": with_(quantity=...),
    "productId missing": with_(productId=...),
    "quantity is a boolean": with_(quantity=True),
    "quantity is a string": with_(quantity="2"),
    "quantity is fractional": with_(quantity=1.5),
    "zero quantity": with_(quantity=0),
    "negative quantity": with_(quantity=-3),
    "zero minShare": with_(minShare=0),
    "negative maxShare": with_(maxShare=-1),
    "maxShare below minShare": with_(minShare=5, maxShare=3),
    "absurd quantity": with_(quantity=10**9),
    "id beyond 64 bits": with_(productId=2**70),
    "unknown product": with_(productId=999),
    "unknown option": with_(productOptionId=999),
    "unknown user": with_(userId=999),
    "unknown field": with_(quantitiy=1),
    "account data for KakaoPay": with_(transaction={"fintechUseNum": "1", "accessToken": "t"}),
}


@pytest.mark.parametrize("body", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_a_bad_order_is_refused_and_nothing_is_written(shop: Shop, body: dict[str, Any]) -> None:
    shop.user()
    shop.product()

    response = shop.client.post("/api/v1/order/execute?payType=KAKAO_PAY", json=body)

    assert 400 <= response.status_code < 500, response.text
    envelope = response.json()
    assert envelope["statusCode"] == response.status_code
    assert envelope["statusMsg"] and envelope["statusMsg"] != "success"
    assert shop.orders_of(1) == []


@pytest.mark.parametrize(
    "raw",
    ["{bad json", "[1, 2, 3]", '"text"', "", "null"],
    ids=["malformed", "array", "string", "empty", "null"],
)
def test_a_body_that_is_not_a_json_object_is_refused(shop: Shop, raw: str) -> None:
    shop.user()
    shop.product()

    response = shop.client.post(
        "/api/v1/order/execute?payType=KAKAO_PAY",
        content=raw,
        headers={"content-type": "application/json"},
    )

    assert response.status_code == 400, response.text
    assert response.json()["statusCode"] == 400
    assert shop.orders_of(1) == []


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/order/execute?payType=BITCOIN"),
        ("POST", "/api/v1/order/execute"),
        ("GET", "/api/v1/order/transaction/done/KAKAO_PAY/no-such-transaction"),
        ("GET", "/api/v1/transaction/kakaoPay/cancel/no-such-transaction"),
        ("GET", "/api/v1/transaction/kakaoPay/fail/no-such-transaction"),
        ("GET", "/api/v1/order/list/user?userId=abc"),
        ("GET", "/api/v1/order/list/user?userId=999"),
        ("GET", "/api/v1/order/confirm?orderId=999"),
        ("GET", "/api/v1/order/confirm?orderId=-1"),
        ("GET", "/api/v1/group/expired?groupId=999"),
        ("GET", "/api/v1/transaction/status/group?groupId=1"),
        ("GET", "/api/v1/user/list/product?productId=999"),
        ("GET", "/api/v1/product/999"),
        ("GET", "/api/v1/no/such/route"),
    ],
)
def test_bad_references_are_4xx_envelopes(shop: Shop, method: str, path: str) -> None:
    shop.user()
    shop.product()

    response = shop.client.request(method, path, json=VALID if method == "POST" else None)

    assert 400 <= response.status_code < 500, response.text
    assert response.json()["statusCode"] == response.status_code
    assert shop.orders_of(1) == []


def test_a_group_of_orders_that_do_not_exist_names_them(shop: Shop) -> None:
    response = shop.match(1, [41, 42])

    assert response.status_code == 409
    assert response.json()["data"] == {"orderIds": [41, 42]}


def test_the_openapi_docs_are_served(shop: Shop) -> None:
    schema = shop.client.get("/docs/openapi.json")

    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/order/execute" in paths
    assert "/api/v1/group/matched" in paths
    assert shop.client.get("/docs").status_code == 200

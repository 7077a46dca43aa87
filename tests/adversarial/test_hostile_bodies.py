"""Hostile requests, parametrised over every route the app serves: malformed, deeply nested,
oversized and control-character bodies, ids beyond 2^63-1 in paths, queries and bodies. Each
is a 4xx in the envelope, decided before any handler parses the body; never a 500 and never
a 503 from a database that was handed something it cannot store."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient

from adapters.config import Settings
from adapters.inbound.http.request_limits import (
    MAX_BODY_BYTES,
    MAX_CALLBACK_BODY_BYTES,
    MAX_ID,
    MAX_JSON_DEPTH,
)
from bootstrap import build_container, create_app
from tests.e2e.shop import Shop
from tests.support.live_server import LiveServer
from tests.support.service import PUBLIC_BASE_URL

TOO_BIG = MAX_ID + 1  # 9223372036854775808, the attack of issue 7

_APP = create_app(build_container(Settings()))
_PARAM = re.compile(r"\{(\w+):(\w+)\}")


def concrete(path: str) -> str:
    """A route's path with its parameters filled in: ints 1, strings a plausible slug."""
    values = {"pay_type": "KAKAO_PAY", "platform": "kakaoPay", "outcome": "fail"}
    return _PARAM.sub(lambda m: "1" if m[2] == "int" else values.get(m[1], "no-such-tx"), path)


ROUTES = [
    (method, route.path)
    for route in _APP.routes
    if not route.path.startswith("/docs")
    for method in sorted(getattr(route, "methods", ()))
    if method not in ("OPTIONS", "HEAD")
]
BODY_ROUTES = [(m, p) for m, p in ROUTES if m in ("POST", "PUT", "PATCH")]
INT_QUERY_PARAMS = [
    (method.upper(), path, param["name"])
    for path, operations in _APP.openapi_schema.to_schema()["paths"].items()
    for method, operation in operations.items()
    for param in operation.get("parameters", [])
    if param["in"] == "query" and "integer" in json.dumps(param.get("schema", {}))
]


def limit_of(path: str) -> int:
    callback = path.startswith(("/api/v1/order/transaction/done/", "/api/v1/transaction/"))
    return MAX_CALLBACK_BODY_BYTES if callback else MAX_BODY_BYTES


def assert_4xx_envelope(response: Any, status: int | None = None) -> None:
    assert 400 <= response.status_code < 500, response.text
    if status is not None:
        assert response.status_code == status, response.text
    envelope = response.json()
    assert envelope["statusCode"] == response.status_code
    assert envelope["statusMsg"] and envelope["statusMsg"] != "success"


@pytest.fixture
def api(
    sqlite_url: str, sandbox: httpx.Client, sandbox_server: LiveServer
) -> Iterator[TestClient[Any]]:
    """The app on SQLite: these requests never get as far as a database. (The NUL test at the
    end, which would reach it, runs on both.)"""
    settings = Settings(
        database_url=sqlite_url,
        public_base_url=PUBLIC_BASE_URL,
        payments_mode="sandbox",
        sandbox_url=sandbox_server.url,
    )
    with TestClient(create_app(build_container(settings)), base_url=PUBLIC_BASE_URL) as client:
        shop = Shop(client, sandbox, sandbox_server.url)
        shop.user()
        shop.product()
        yield client


def test_the_routes_are_found() -> None:
    assert ("POST", "/api/v1/order/execute") in BODY_ROUTES
    assert ("POST", "/api/v1/transaction/tossPayments/webhook") in BODY_ROUTES
    assert ("GET", "/api/v1/product/{product_id:int}") in ROUTES
    assert ("GET", "/api/v1/order/list/user", "userId") in INT_QUERY_PARAMS


@pytest.mark.parametrize(("method", "path"), BODY_ROUTES)
@pytest.mark.parametrize(
    "raw",
    ["{bad json", '{"a": 1,}', "[1, 2", '{"a": "\\ud800"}x', "\x00"],
    ids=["unclosed", "trailing-comma", "unclosed-array", "garbage-after", "nul-byte"],
)
def test_a_malformed_json_body_is_400_on_every_route(
    api: TestClient[Any], method: str, path: str, raw: str
) -> None:
    response = api.request(
        method,
        concrete(path) + "?payType=KAKAO_PAY&orderId=1&groupId=1",
        content=raw,
        headers={"content-type": "application/json"},
    )

    assert_4xx_envelope(response, 400)


@pytest.mark.parametrize(("method", "path"), BODY_ROUTES)
@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 2_000])
def test_deeply_nested_json_is_400_on_every_route(
    api: TestClient[Any], method: str, path: str, depth: int
) -> None:
    nested = '{"a": ' * depth + "1" + "}" * depth

    response = api.request(
        method, concrete(path), content=nested, headers={"content-type": "application/json"}
    )

    assert_4xx_envelope(response, 400)
    assert "nested" in response.json()["statusMsg"]


@pytest.mark.parametrize(("method", "path"), BODY_ROUTES)
@pytest.mark.parametrize("char", ["\\u0000", "\\u001b", "\\u007f", "\\u0085"])
def test_a_control_character_in_any_json_text_is_400_on_every_route(
    api: TestClient[Any], method: str, path: str, char: str
) -> None:
    body = f'{{"name": "kim{char}", "eventType": "PAYMENT_STATUS_CHANGED", "data": {{}}}}'

    response = api.request(
        method, concrete(path), content=body, headers={"content-type": "application/json"}
    )

    assert_4xx_envelope(response, 400)
    assert "control characters" in response.json()["statusMsg"]


@pytest.mark.parametrize(("method", "path"), BODY_ROUTES)
def test_a_body_over_the_routes_limit_is_413_before_it_is_read(
    api: TestClient[Any], method: str, path: str
) -> None:
    body = b"a=" + b"b" * limit_of(path)

    response = api.request(
        method,
        concrete(path),
        content=body,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )

    assert_4xx_envelope(response, 413)


@pytest.mark.parametrize(("method", "path"), BODY_ROUTES)
def test_a_streamed_body_over_the_limit_is_413_too(
    api: TestClient[Any], method: str, path: str
) -> None:
    chunk = b"b" * 4096

    def stream() -> Iterator[bytes]:  # no Content-Length: chunked transfer encoding
        yield b"a="
        for _ in range(limit_of(path) // len(chunk) + 2):
            yield chunk

    response = api.request(
        method,
        concrete(path),
        content=stream(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )

    assert_4xx_envelope(response, 413)


def test_ten_megabytes_of_form_on_a_callback_are_refused_unread(api: TestClient[Any]) -> None:
    response = api.post(
        "/api/v1/transaction/kakaoPay/fail/no-such-tx",
        content=b"a=" + b"b" * 10_000_000,
        headers={"content-type": "application/x-www-form-urlencoded"},
    )

    assert_4xx_envelope(response, 413)


@pytest.mark.parametrize(("method", "path"), [(m, p) for m, p in ROUTES if ":int}" in p])
def test_an_id_beyond_2_to_the_63_in_a_path_is_400(
    api: TestClient[Any], method: str, path: str
) -> None:
    response = api.request(method, _PARAM.sub(str(TOO_BIG), path))

    assert_4xx_envelope(response, 400)


@pytest.mark.parametrize(("method", "path", "name"), INT_QUERY_PARAMS)
def test_an_id_beyond_2_to_the_63_in_a_query_is_400(
    api: TestClient[Any], method: str, path: str, name: str
) -> None:
    others = {p: 1 for m, q, p in INT_QUERY_PARAMS if (m, q) == (method, path) and p != name}

    response = api.request(method, path, params={**others, name: str(TOO_BIG)})

    assert_4xx_envelope(response, 400)
    assert re.sub("([A-Z])", r"_\1", name).lower() in response.text  # the field is named


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/order/execute?payType=KAKAO_PAY", {"userId": TOO_BIG}),
        ("/api/v1/order/execute?payType=KAKAO_PAY", {"productId": TOO_BIG}),
        ("/api/v1/order/execute?payType=KAKAO_PAY", {"productOptionId": TOO_BIG}),
        ("/api/v1/order/execute?payType=KAKAO_PAY", {"productId": 10**400}),
        ("/api/v1/group/matched", {"groupId": TOO_BIG, "orderIdList": [1]}),
        ("/api/v1/group/matched", {"groupId": 1, "orderIdList": [TOO_BIG]}),
    ],
)
def test_an_id_beyond_2_to_the_63_in_a_body_is_400(
    api: TestClient[Any], path: str, body: dict[str, Any]
) -> None:
    valid = {"userId": 1, "productId": 1, "minShare": 1, "quantity": 1}
    full = {**valid, **body} if "execute" in path else body

    response = api.post(
        path, content=json.dumps(full), headers={"content-type": "application/json"}
    )

    assert_4xx_envelope(response, 400)


@pytest.mark.parametrize(("method", "path"), [(m, p) for m, p in ROUTES if ":str}" in p])
def test_a_control_character_in_a_path_is_400(api: TestClient[Any], method: str, path: str) -> None:
    response = api.request(method, concrete(path).replace("no-such-tx", "tx%00id"))

    assert_4xx_envelope(response, 400)


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_a_control_character_in_a_query_is_400_on_every_route(
    api: TestClient[Any], method: str, path: str
) -> None:
    response = api.request(method, concrete(path) + "?pg_token=a%00b&userId=1%0a")

    assert_4xx_envelope(response, 400)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/user", {"name": "kim\u0000"}),
        ("/api/v1/product", {"name": "귤\u0000", "price": 1000}),
        (
            "/api/v1/product",
            {"name": "귤", "price": 1000, "options": [{"name": "\u0000", "extraPrice": 0}]},
        ),
    ],
    ids=["user-name", "product-name", "option-name"],
)
def test_nul_in_a_name_is_400_and_never_reaches_the_database(
    shop: Shop, path: str, body: dict[str, Any]
) -> None:
    response = shop.client.post(path, json=body)

    assert_4xx_envelope(response, 400)
    assert shop.client.get("/api/v1/product/1").status_code == 404
    assert shop.client.get("/api/v1/order/list/user?userId=1").status_code == 404


def test_brackets_inside_strings_are_text_not_nesting(api: TestClient[Any]) -> None:
    name = '\\"' + "[{" * 40  # an escaped quote first: the scanner must stay inside the string
    body = '{"name": "' + name + '"}'

    response = api.post("/api/v1/user", content=body, headers={"content-type": "application/json"})

    assert response.status_code == 201, response.text
    assert response.json()["data"]["name"] == '"' + "[{" * 40

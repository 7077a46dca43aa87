"""Hostile Bearer tokens in `jwt` mode: each is a 401 in the envelope, never a 500 and never
somebody else. Configured: HS256 secret, a 1-hour maximum lifetime, an issuer and an audience."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from litestar.testing import TestClient

from adapters.config import Settings
from bootstrap import build_container, create_app
from tests.support.live_server import LiveServer
from tests.support.service import PUBLIC_BASE_URL

SECRET = "adversarial-secret-that-is-long-enough-for-hs256"
ISSUER, AUDIENCE, LIFETIME = "https://id.gonggu.test", "gonggu-api", 3600
MINE = "/api/v1/order/list/user"


def now() -> int:
    return int(time.time())


def claims(**overrides: Any) -> dict[str, Any]:
    """A valid user token's claims for user 1, with `overrides` (None removes a claim)."""
    base: dict[str, Any] = {
        "sub": "1",
        "iss": ISSUER,
        "aud": AUDIENCE,
        "iat": now(),
        "exp": now() + 600,
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def signed(**overrides: Any) -> dict[str, str]:
    return bearer(jwt.encode(claims(**overrides), SECRET, algorithm="HS256"))


@pytest.fixture
def api(sqlite_url: str, sandbox_server: LiveServer) -> Iterator[TestClient[Any]]:
    settings = Settings(
        database_url=sqlite_url,
        public_base_url=PUBLIC_BASE_URL,
        payments_mode="sandbox",
        sandbox_url=sandbox_server.url,
        auth_mode="jwt",
        jwt_secret=SECRET,
        jwt_max_lifetime_s=LIFETIME,
        jwt_issuer=ISSUER,
        jwt_audience=AUDIENCE,
    )
    with TestClient(create_app(build_container(settings)), base_url=PUBLIC_BASE_URL) as client:
        service = signed(sub="matcher", role="service")
        assert client.post("/api/v1/user", json={"name": "kim"}, headers=service).status_code == 201
        yield client


def assert_refused(api: TestClient[Any], headers: dict[str, str], path: str = MINE) -> None:
    response = api.get(path, headers=headers)
    assert response.status_code == 401, response.text
    assert response.json()["statusCode"] == 401


def test_a_valid_token_is_accepted(api: TestClient[Any]) -> None:
    response = api.get(MINE, headers=signed())

    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "token",
    [
        jwt.encode(claims(), None, algorithm="none"),
        jwt.encode(claims(), SECRET * 2, algorithm="HS512"),
        jwt.encode(claims(), "another-secret-of-thirty-two-bytes!!", algorithm="HS256"),
        "not.a.token",
        "a" * 20_000,
    ],
    ids=["alg-none", "alg-hs512", "wrong-key", "garbage", "huge"],
)
def test_a_token_not_signed_hs256_with_our_key_is_refused(api: TestClient[Any], token: str) -> None:
    assert_refused(api, bearer(token))


@pytest.mark.parametrize(
    "overrides",
    [
        {"exp": None},
        {"exp": None, "iat": None},
        {"exp": now() - 3600},
        {"exp": now() + 2 * LIFETIME},
        {"iat": None, "exp": now() + 2 * LIFETIME},
        {"iat": now() - 30 * 24 * 3600, "exp": now() + 600},
        {"iat": now() + 3600, "exp": now() + 4000},
        {"nbf": now() + 3600},
        {"exp": "tomorrow"},
    ],
    ids=[
        "no-exp",
        "no-exp-no-iat",
        "expired",
        "lives-too-long",
        "lives-too-long-without-iat",
        "old-iat-fresh-exp",
        "issued-in-the-future",
        "not-yet-valid",
        "exp-not-a-number",
    ],
)
def test_a_token_without_a_bounded_lifetime_is_refused(
    api: TestClient[Any], overrides: dict[str, Any]
) -> None:
    assert_refused(api, signed(**overrides))


@pytest.mark.parametrize(
    "overrides",
    [
        {"iss": None},
        {"iss": "https://evil.test"},
        {"aud": None},
        {"aud": "another-api"},
        {"aud": ["another-api"]},
    ],
    ids=["no-iss", "wrong-iss", "no-aud", "wrong-aud", "wrong-aud-list"],
)
def test_a_token_for_another_issuer_or_audience_is_refused(
    api: TestClient[Any], overrides: dict[str, Any]
) -> None:
    assert_refused(api, signed(**overrides))


@pytest.mark.parametrize(
    "sub",
    [
        " 1 ",
        "+1",
        "١",  # Arabic-Indic digit one: int() reads it as 1
        "１",  # fullwidth digit one
        "1.0",
        "1e0",
        "0x1",
        "1_0",
        "0",
        "-1",
        "",
        "9223372036854775808",
        "1" * 21,
        None,
    ],
    ids=[
        "spaces",
        "plus",
        "arabic-indic",
        "fullwidth",
        "decimal",
        "exponent",
        "hex",
        "underscore",
        "zero",
        "negative",
        "empty",
        "2-to-the-63",
        "21-digits",
        "missing",
    ],
)
def test_a_sub_that_is_not_plain_ascii_digits_in_the_id_range_is_refused(
    api: TestClient[Any], sub: str | None
) -> None:
    assert_refused(api, signed(sub=sub))


def test_a_numeric_sub_is_refused_too(api: TestClient[Any]) -> None:
    assert_refused(api, signed(sub=1))


@pytest.mark.parametrize(
    "overrides",
    [{"exp": None}, {"exp": now() + 2 * LIFETIME}, {"iss": None}, {"aud": "another-api"}],
    ids=["no-exp", "lives-too-long", "no-iss", "wrong-aud"],
)
def test_a_service_token_obeys_the_same_rules(
    api: TestClient[Any], overrides: dict[str, Any]
) -> None:
    headers = signed(sub="matcher", role="service", **overrides)

    response = api.post("/api/v1/user", json={"name": "lee"}, headers=headers)

    assert response.status_code == 401, response.text
    assert response.json()["statusCode"] == 401


def test_a_token_that_names_no_issuer_is_accepted_when_none_is_configured(
    sqlite_url: str, sandbox_server: LiveServer
) -> None:
    settings = Settings(
        database_url=sqlite_url,
        public_base_url=PUBLIC_BASE_URL,
        payments_mode="sandbox",
        sandbox_url=sandbox_server.url,
        auth_mode="jwt",
        jwt_secret=SECRET,
    )
    with TestClient(create_app(build_container(settings)), base_url=PUBLIC_BASE_URL) as client:
        service = signed(sub="matcher", role="service", iss=None, aud=None)
        created = client.post("/api/v1/user", json={"name": "kim"}, headers=service)
        mine = client.get(MINE, headers=signed(iss=None, aud=None))
        no_exp = client.get(MINE, headers=signed(iss=None, aud=None, exp=None))

    assert created.status_code == 201, created.text
    assert mine.status_code == 200, mine.text
    assert no_exp.status_code == 401

"""The configuration's verdict, from the environment variables an operator sets.

A complete production configuration is accepted; each unsafe change to it is refused with its
own line naming the variable (and nothing else is reported)."""

from __future__ import annotations

import os

import pytest
from pydantic import ValidationError

from adapters.config import Settings
from adapters.config_check import verdict
from domain.pay_type import PayType

LIVE = {
    "GONGGU_ENV": "production",
    "GONGGU_DATABASE_URL": "postgresql+asyncpg://gonggu@db/gonggu",
    "GONGGU_PUBLIC_BASE_URL": "https://shop.example.com",
    "GONGGU_JWT_SECRET": "k3y-0f-at-least-thirty-two-bytes-of-entropy!",
    "GONGGU_PLATFORMS": "KAKAO_PAY,NAVER_PAY,OPEN_BANKING,TOSS_PAYMENTS",
    "GONGGU_KAKAOPAY_SECRET_KEY": "PRD0123456789ABCDEF",
    "GONGGU_KAKAOPAY_CID": "CGONGGU001",
    "GONGGU_NAVERPAY_PARTNER_ID": "np_gonggu",
    "GONGGU_NAVERPAY_CLIENT_ID": "gonggu-client",
    "GONGGU_NAVERPAY_CLIENT_SECRET": "gonggu-secret",
    "GONGGU_NAVERPAY_CHAIN_ID": "gonggu-chain",
    "GONGGU_OPENBANKING_CLIENT_ID": "ob-client",
    "GONGGU_OPENBANKING_CLIENT_SECRET": "ob-secret",
    "GONGGU_OPENBANKING_INSTITUTION_CODE": "M202512345",
    "GONGGU_OPENBANKING_CONTRACT_ACCOUNT_NUM": "1002345678901",
    "GONGGU_OPENBANKING_RECV_CLIENT_NAME": "공구주식회사",
    "GONGGU_OPENBANKING_RECV_CLIENT_BANK_CODE": "020",
    "GONGGU_OPENBANKING_RECV_CLIENT_ACCOUNT_NUM": "1002345678901",
    "GONGGU_OPENBANKING_WD_PASS_PHRASE": "790d56ed0a1b2c3d6b821a69",
    "GONGGU_TOSSPAYMENTS_INTEGRATION": "widget",
    "GONGGU_TOSSPAYMENTS_SECRET_KEY": "live_gsk_0123456789abcdefghij",
    "GONGGU_TOSSPAYMENTS_CLIENT_KEY": "live_gck_0123456789abcdefghij",
}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith("GONGGU_")]:
        monkeypatch.delenv(name)


def problems_of(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> list[str]:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    try:
        Settings()
    except ValidationError as exc:
        return verdict(exc)
    return []


def test_a_complete_live_configuration_is_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in LIVE.items():
        monkeypatch.setenv(name, value)
    settings = Settings()
    assert settings.payments_mode == "live"
    assert settings.auth_mode == "jwt"
    assert settings.kakaopay.cid == "CGONGGU001"
    assert settings.kakaopay.base_url == "https://open-api.kakaopay.com"
    assert settings.naverpay.mode == "production"
    assert settings.naverpay.base_url == "https://pay.paygate.naver.com"
    assert settings.naverpay.apply_timeout_s == 60.0
    assert settings.openbanking.wd_pass_phrase == "790d56ed0a1b2c3d6b821a69"
    assert settings.tosspayments.secret_key == "live_gsk_0123456789abcdefghij"
    assert settings.enabled_platforms == tuple(PayType)


def test_a_shop_with_one_contract_needs_only_that_platforms_credentials(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env = {k: v for k, v in LIVE.items() if not k.startswith(("GONGGU_NAVERPAY", "GONGGU_OPEN"))}
    env = {k: v for k, v in env.items() if not k.startswith("GONGGU_TOSS")}
    env["GONGGU_PLATFORMS"] = "KAKAO_PAY"
    assert problems_of(env, monkeypatch) == []


UNSAFE = [
    pytest.param({"GONGGU_PAYMENTS_MODE": "sandbox"}, "GONGGU_PAYMENTS_MODE=sandbox", id="sandbox"),
    pytest.param(
        {"GONGGU_DATABASE_URL": "sqlite+aiosqlite:///./gonggu.db"},
        "GONGGU_DATABASE_URL is SQLite",
        id="sqlite",
    ),
    pytest.param({"GONGGU_AUTH_MODE": "test"}, "GONGGU_AUTH_MODE=test", id="test-auth"),
    pytest.param({"GONGGU_JWT_SECRET": "s"}, "GONGGU_JWT_SECRET is 1 bytes", id="short-jwt"),
    pytest.param(
        {"GONGGU_JWT_SECRET": "x" * 31}, "GONGGU_JWT_SECRET is 31 bytes", id="jwt-31-bytes"
    ),
    pytest.param({"GONGGU_JWT_SECRET": ""}, "GONGGU_JWT_SECRET is required", id="no-jwt"),
    pytest.param({"GONGGU_PLATFORMS": None}, "GONGGU_PLATFORMS is not set", id="no-platforms"),
    pytest.param(
        {"GONGGU_KAKAOPAY_SECRET_KEY": None},
        "KAKAO_PAY is enabled but not configured: set GONGGU_KAKAOPAY_SECRET_KEY",
        id="kakaopay-no-key",
    ),
    pytest.param(
        {"GONGGU_KAKAOPAY_CID": "TC0ONETIME"},
        "GONGGU_KAKAOPAY_CID=TC0ONETIME is KakaoPay's test CID",
        id="kakaopay-test-cid",
    ),
    pytest.param(
        {"GONGGU_KAKAOPAY_CID": None},
        "GONGGU_KAKAOPAY_CID=TC0ONETIME is KakaoPay's test CID",
        id="kakaopay-default-cid",
    ),
    pytest.param(
        {"GONGGU_NAVERPAY_CLIENT_SECRET": None, "GONGGU_NAVERPAY_CHAIN_ID": None},
        "NAVER_PAY is enabled but not configured: set GONGGU_NAVERPAY_CLIENT_SECRET, "
        "GONGGU_NAVERPAY_CHAIN_ID",
        id="naverpay-no-secret",
    ),
    pytest.param(
        {"GONGGU_NAVERPAY_MODE": "development"},
        "GONGGU_NAVERPAY_MODE=development opens NaverPay's development window",
        id="naverpay-development",
    ),
    pytest.param(
        {"GONGGU_NAVERPAY_BASE_URL": "https://dev-pay.paygate.naver.com"},
        "GONGGU_NAVERPAY_BASE_URL=https://dev-pay.paygate.naver.com is NaverPay's development API",
        id="naverpay-development-host",
    ),
    pytest.param(
        {"GONGGU_OPENBANKING_BASE_URL": "https://testapi.openbanking.or.kr"},
        "GONGGU_OPENBANKING_BASE_URL=https://testapi.openbanking.or.kr is the KFTC testbed",
        id="openbanking-testbed-host",
    ),
    pytest.param(
        {"GONGGU_OPENBANKING_WD_PASS_PHRASE": None},
        "OPEN_BANKING is enabled but not configured: set GONGGU_OPENBANKING_WD_PASS_PHRASE",
        id="openbanking-no-pass-phrase",
    ),
    pytest.param(
        {"GONGGU_OPENBANKING_WD_PASS_PHRASE": "NONE"},
        "GONGGU_OPENBANKING_WD_PASS_PHRASE=NONE only works on the testbed",
        id="openbanking-testbed-pass-phrase",
    ),
    pytest.param(
        {"GONGGU_OPENBANKING_RECV_CLIENT_BANK_CODE": "097"},
        "GONGGU_OPENBANKING_RECV_CLIENT_BANK_CODE=097 is the KFTC testbed's bank",
        id="openbanking-testbed-bank",
    ),
    pytest.param(
        {"GONGGU_OPENBANKING_CONTRACT_ACCOUNT_NUM": "1234567890123"},
        "GONGGU_OPENBANKING_CONTRACT_ACCOUNT_NUM is the testbed account",
        id="openbanking-testbed-account",
    ),
    pytest.param(
        {"GONGGU_TOSSPAYMENTS_SECRET_KEY": "test_gsk_0123456789abcdefghij"},
        "GONGGU_TOSSPAYMENTS_SECRET_KEY is a test key",
        id="toss-test-secret",
    ),
    pytest.param(
        {"GONGGU_TOSSPAYMENTS_CLIENT_KEY": "test_gck_0123456789abcdefghij"},
        "GONGGU_TOSSPAYMENTS_CLIENT_KEY is a test key",
        id="toss-test-client",
    ),
    pytest.param(
        {"GONGGU_TOSSPAYMENTS_SECRET_KEY": "live_sk_0123456789abcdefghij"},
        "GONGGU_TOSSPAYMENTS_SECRET_KEY is a sk key, but GONGGU_TOSSPAYMENTS_INTEGRATION=widget "
        "needs a test_gsk_/live_gsk_ key",
        id="toss-api-key-on-widget",
    ),
    pytest.param(
        {"GONGGU_TOSSPAYMENTS_INTEGRATION": "api"},
        "GONGGU_TOSSPAYMENTS_SECRET_KEY is a gsk key, but GONGGU_TOSSPAYMENTS_INTEGRATION=api "
        "needs a test_sk_/live_sk_ key",
        id="toss-widget-key-on-api",
    ),
    pytest.param(
        {"GONGGU_TOSSPAYMENTS_CLIENT_KEY": None},
        "TOSS_PAYMENTS is enabled but not configured: set GONGGU_TOSSPAYMENTS_CLIENT_KEY",
        id="toss-no-client-key",
    ),
]


@pytest.mark.parametrize(("change", "line"), UNSAFE)
def test_an_unsafe_production_configuration_is_refused_with_its_line(
    monkeypatch: pytest.MonkeyPatch, change: dict[str, str | None], line: str
) -> None:
    env = {**LIVE, **change}
    found = problems_of({k: v for k, v in env.items() if v is not None}, monkeypatch)
    assert any(p.startswith(line) for p in found), found
    assert len(found) == 1 or change.get("GONGGU_TOSSPAYMENTS_INTEGRATION"), found


def test_every_problem_is_reported_at_once_one_line_each(monkeypatch: pytest.MonkeyPatch) -> None:
    found = problems_of(
        {
            "GONGGU_ENV": "production",
            "GONGGU_AUTH_MODE": "test",
            "GONGGU_PAYMENTS_MODE": "sandbox",
        },
        monkeypatch,
    )
    assert [p.split(" ")[0].split("=")[0] for p in found] == [
        "GONGGU_AUTH_MODE",
        "GONGGU_PUBLIC_BASE_URL",  # the default, this machine's loopback
        "GONGGU_DATABASE_URL",
        "GONGGU_PLATFORMS",
        "GONGGU_PAYMENTS_MODE",
    ]


def test_a_malformed_value_is_named_by_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    found = problems_of(
        {**LIVE, "GONGGU_PLATFORMS": "KAKAO_PAY,PAYPAL", "GONGGU_NAVERPAY_APPLY_TIMEOUT_S": "-1"},
        monkeypatch,
    )
    assert any(p.startswith("GONGGU_PLATFORMS:") and "PAYPAL" in p for p in found), found
    assert any(p.startswith("GONGGU_NAVERPAY_APPLY_TIMEOUT_S:") for p in found), found


def test_development_runs_the_emulators_out_of_the_box() -> None:
    settings = Settings()
    assert settings.payments_mode == "sandbox"
    assert settings.enabled_platforms == tuple(PayType)
    assert settings.naverpay.mode == "development"
    assert settings.tosspayments.secret_key.startswith("test_gsk_")  # type: ignore[union-attr]
    assert settings.tosspayments.client_key.startswith("test_gck_")  # type: ignore[union-attr]
    assert settings.openbanking.wd_pass_phrase == "NONE"


def test_sandbox_keys_follow_the_toss_integration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONGGU_TOSSPAYMENTS_INTEGRATION", "api")
    settings = Settings()
    assert settings.tosspayments.secret_key.startswith("test_sk_")  # type: ignore[union-attr]
    assert settings.tosspayments.client_key.startswith("test_ck_")  # type: ignore[union-attr]


def test_a_toss_key_of_the_other_kind_is_refused_even_in_development(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    found = problems_of({"GONGGU_TOSSPAYMENTS_SECRET_KEY": "test_sk_abc"}, monkeypatch)
    assert found == [
        "GONGGU_TOSSPAYMENTS_SECRET_KEY is a sk key, but GONGGU_TOSSPAYMENTS_INTEGRATION=widget "
        "needs a test_gsk_/live_gsk_ key"
    ]


def test_naverpay_live_in_development_mode_points_the_api_at_the_development_host(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GONGGU_PAYMENTS_MODE", "live")
    monkeypatch.setenv("GONGGU_NAVERPAY_MODE", "development")
    assert Settings().naverpay.base_url == "https://dev-pay.paygate.naver.com"
    monkeypatch.delenv("GONGGU_NAVERPAY_MODE")
    settings = Settings()
    assert (settings.naverpay.mode, settings.naverpay.base_url) == (
        "production",
        "https://pay.paygate.naver.com",
    )


def test_flat_keyword_arguments_set_the_nested_platform_settings() -> None:
    settings = Settings(kakaopay_cid="CGONGGU001", naverpay_apply_timeout_s=2.5)
    assert settings.kakaopay.cid == "CGONGGU001"
    assert settings.naverpay.apply_timeout_s == 2.5


def test_gonggu_platforms_accepts_the_open_bank_alias(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONGGU_PLATFORMS", "kakao_pay, OPEN_BANK")
    assert Settings().enabled_platforms == (PayType.KAKAO_PAY, PayType.OPEN_BANKING)

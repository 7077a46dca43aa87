"""What each adapter is built with, from the settings (bootstrap's wiring)."""

from __future__ import annotations

import os

import pytest

from adapters.config import Settings
from bootstrap import (
    kakaopay_config,
    naverpay_config,
    openbanking_config,
    sandbox_config,
    tosspayments_config,
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith("GONGGU_")]:
        monkeypatch.delenv(name)


def test_each_platform_has_its_own_timeout_and_naverpay_apply_waits_a_minute(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GONGGU_PLATFORM_TIMEOUT_S", "7")
    monkeypatch.setenv("GONGGU_KAKAOPAY_TIMEOUT_S", "3")
    settings = Settings()
    assert kakaopay_config(settings).timeout_s == 3.0
    assert tosspayments_config(settings).timeout_s == 7.0
    naver = naverpay_config(settings)
    assert (naver.timeout_s, naver.apply_timeout_s) == (7.0, 60.0)


def test_the_sdk_mode_follows_the_payments_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    assert naverpay_config(Settings()).mode == "development"
    monkeypatch.setenv("GONGGU_PAYMENTS_MODE", "live")
    live = naverpay_config(Settings())
    assert (live.mode, live.base_url) == ("production", "https://pay.paygate.naver.com")
    assert live.checkout_page_url == ""


def test_open_banking_gets_its_pass_phrase_and_purposes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GONGGU_OPENBANKING_WD_PASS_PHRASE", "issued-phrase")
    monkeypatch.setenv("GONGGU_OPENBANKING_DEPOSIT_PURPOSE", "RC")
    config = openbanking_config(Settings())
    assert (config.wd_pass_phrase, config.withdraw_purpose, config.deposit_purpose) == (
        "issued-phrase",
        "ST",
        "RC",
    )
    assert config.req_client_name == "gonggu"  # the recipient's name unless set


def test_the_toss_adapter_gets_the_integration_and_both_keys(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GONGGU_TOSSPAYMENTS_INTEGRATION", "api")
    config = tosspayments_config(Settings())
    assert config.integration == "api"
    assert config.secret_key.startswith("test_sk_")
    assert config.client_key.startswith("test_ck_")


def test_the_emulators_accept_exactly_what_the_adapters_are_configured_with(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GONGGU_OPENBANKING_WD_PASS_PHRASE", "issued-phrase")
    monkeypatch.setenv("GONGGU_TOSSPAYMENTS_SECRET_KEY", "test_gsk_myOwnTestKey")
    settings = Settings()
    emulated = sandbox_config(settings)
    assert emulated.openbanking_wd_pass_phrase == "issued-phrase"
    assert "test_gsk_myOwnTestKey" in emulated.tosspayments_keys
    assert tosspayments_config(settings).client_key in emulated.tosspayments_keys
    assert emulated.kakaopay_secret_key == kakaopay_config(settings).secret_key

"""A careless operator's production configurations that `gonggu check-config` (and so
`gonggu serve`) refuses (each was accepted when first reviewed).

Issue 9 asks for a configuration that cannot be wrong: no half-configured start that fails
only at the first payment. Each case below starts from the complete live configuration of
tests/unit/config and changes one variable."""

from __future__ import annotations

import pytest

from tests.unit.config.test_production_verdict import LIVE, problems_of


def test_the_complete_live_configuration_is_still_accepted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert problems_of(LIVE, monkeypatch) == []


@pytest.mark.parametrize(
    "public_base_url", ["http://127.0.0.1:8000", "http://localhost:8000", None]
)
def test_production_refuses_a_loopback_public_base_url(
    monkeypatch: pytest.MonkeyPatch, public_base_url: str | None
) -> None:
    env = {k: v for k, v in LIVE.items() if k != "GONGGU_PUBLIC_BASE_URL"}
    if public_base_url is not None:
        env["GONGGU_PUBLIC_BASE_URL"] = public_base_url

    assert any("GONGGU_PUBLIC_BASE_URL" in line for line in problems_of(env, monkeypatch))


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("GONGGU_KAKAOPAY_SECRET_KEY", " "),
        ("GONGGU_NAVERPAY_CLIENT_SECRET", "  "),
        ("GONGGU_JWT_SECRET", " " * 40),
    ],
)
def test_production_refuses_a_blank_credential(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    assert any(variable in line for line in problems_of({**LIVE, variable: value}, monkeypatch))


@pytest.mark.parametrize("cid", ["tc0onetime", " TC0ONETIME", "TC0ONETIME "])
def test_production_refuses_the_test_cid_however_it_is_written(
    monkeypatch: pytest.MonkeyPatch, cid: str
) -> None:
    lines = problems_of({**LIVE, "GONGGU_KAKAOPAY_CID": cid}, monkeypatch)

    assert any("GONGGU_KAKAOPAY_CID" in line for line in lines)

"""What the emulators accept: the credentials a merchant was issued, as on the real platforms."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Toss issues a merchant two pairs: 결제위젯 연동 키 (gck/gsk) and API 개별 연동 키 (ck/sk).
TOSS_BUILT_IN_KEYS = (
    "test_gsk_sandboxGonggu0000000000",
    "test_gck_sandboxGonggu0000000000",
    "test_sk_sandboxGonggu000000000000",
    "test_ck_sandboxGonggu000000000000",
)
TOSS_KEY = re.compile(r"^(?:test|live)_(gsk|gck|sk|ck)_")


def toss_key_kind(key: str) -> str | None:
    """`gsk`, `gck`, `sk` or `ck`, from the key's prefix (`test_gsk_...`)."""
    match = TOSS_KEY.match(key)
    return match.group(1) if match else None


def toss_sandbox_keys(*configured: str | None) -> tuple[str, ...]:
    """The emulator's built-in pairs plus whatever keys the adapter is configured with."""
    extra = tuple(k for k in configured if k and toss_key_kind(k) and k not in TOSS_BUILT_IN_KEYS)
    return TOSS_BUILT_IN_KEYS + extra


@dataclass(frozen=True)
class SandboxConfig:
    kakaopay_secret_key: str
    naverpay_partner_id: str
    naverpay_client_id: str
    naverpay_client_secret: str
    naverpay_chain_id: str
    openbanking_client_id: str
    openbanking_client_secret: str
    openbanking_institution_code: str
    openbanking_wd_pass_phrase: str = "NONE"
    tosspayments_keys: tuple[str, ...] = field(default=TOSS_BUILT_IN_KEYS)
    """Every secret and client key the emulated merchant was issued (both integrations)."""

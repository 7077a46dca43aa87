"""What the NaverPay adapter needs to reach one merchant's account."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class NaverPayConfig:
    """Credentials issued by the NaverPay partner center, and the API host.

    `base_url` is the API domain (e.g. `https://dev-pay.paygate.naver.com`); every call goes to
    `{base_url}/{partner_id}/naverpay/payments/...`. `mode` is what the browser SDK is created
    with (`Naver.Pay.create({mode, clientId, chainId})`).
    """

    base_url: str
    partner_id: str
    client_id: str
    client_secret: str
    chain_id: str
    timeout_s: float = 10.0
    apply_timeout_s: float = 60.0
    """결제승인 waits longer than the other calls: NaverPay recommends 60 s."""
    mode: Literal["development", "production"] = "development"
    cancel_retry_delays_s: tuple[float, ...] = (0.5, 1.0, 2.0)
    checkout_page_url: str = ""
    """Sandbox only: the emulator's SDK-like checkout page, handed to the front end (as
    `checkoutPageUrl`) instead of opening NaverPay's window. Empty in live mode."""
    """Waits before repeating a cancel answered `CancelNotComplete` (same idempotency key)."""

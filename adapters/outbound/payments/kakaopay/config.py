"""How the KakaoPay adapter reaches the platform."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KakaoPayConfig:
    """Base URL (https://open-api.kakaopay.com live), the merchant's secret key and CID."""

    base_url: str
    secret_key: str
    cid: str = "TC0ONETIME"
    timeout_s: float = 10.0

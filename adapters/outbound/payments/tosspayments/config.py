from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class TossPaymentsConfig:
    """Where the core API lives and the merchant's keys (secret key for the server, client key
    for the browser).

    `integration` says which pair: `widget` (결제위젯 연동 키, `*_gsk_*` / `*_gck_*`) or `api`
    (API 개별 연동 키 for the payment window, `*_sk_*` / `*_ck_*`). Toss confirms a payment only
    with the secret key of the kind its window was opened with.
    """

    base_url: str
    secret_key: str
    client_key: str = ""
    integration: Literal["widget", "api"] = "widget"
    timeout_s: float = 10.0
    checkout_page_url: str = ""
    """Sandbox only: the emulator's widget page, handed to the front end instead of the real
    widget. Empty in live mode."""

    def authorization(self) -> str:
        """`Basic base64("{secretKey}:")`: the secret key is the user name, no password."""
        token = base64.b64encode(f"{self.secret_key}:".encode()).decode("ascii")
        return f"Basic {token}"

from __future__ import annotations

import base64
from dataclasses import dataclass


@dataclass(frozen=True)
class TossPaymentsConfig:
    """Where the core API lives and the merchant's keys (secret key for the server, client key
    for the browser's widget)."""

    base_url: str
    secret_key: str
    client_key: str = ""
    timeout_s: float = 10.0
    checkout_page_url: str = ""
    """Sandbox only: the emulator's widget page, handed to the front end instead of the real
    widget. Empty in live mode."""

    def authorization(self) -> str:
        """`Basic base64("{secretKey}:")`: the secret key is the user name, no password."""
        token = base64.b64encode(f"{self.secret_key}:".encode()).decode("ascii")
        return f"Basic {token}"

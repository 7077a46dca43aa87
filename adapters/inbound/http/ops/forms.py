"""The console's two actions are form POSTs guarded against cross-site requests: each form
carries a token bound to its action and order (HMAC, valid for two hours), and a request whose
Origin is another site is refused."""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any
from urllib.parse import urlsplit

ACTIONS = {"reconcile": "reconcile this payment now", "refund": "retry this refund now"}
WINDOW_S = 3600


def _key(settings: Any) -> bytes:
    secret = settings.jwt_secret or f"gonggu-development-console:{settings.database_url}"
    return hashlib.sha256(f"ops-console:{secret}".encode()).digest()


def form_token(settings: Any, action: str, order_id: int, at: float | None = None) -> str:
    window = int((at if at is not None else time.time()) // WINDOW_S)
    message = f"{action}:{order_id}:{window}".encode()
    return hmac.new(_key(settings), message, hashlib.sha256).hexdigest()


def token_is_valid(settings: Any, action: str, order_id: int, token: str) -> bool:
    now = time.time()
    return any(
        hmac.compare_digest(form_token(settings, action, order_id, now - back), token)
        for back in (0, WINDOW_S)
    )


def same_origin(headers: Any, *own_hosts: str) -> bool:
    """A browser names the page that sent a POST in Origin (or Referer); it must be ours
    (the Host it asked, or the public base URL's when a proxy rewrites Host)."""
    origin = headers.get("origin") or headers.get("referer")
    if origin == "null":
        return bool(headers.get("sec-fetch-site") == "same-origin")
    if not origin:  # no browser omits both on a cross-site form POST
        return bool(headers.get("sec-fetch-site") in (None, "same-origin", "none"))
    return urlsplit(origin).netloc in {h for h in own_hosts if h}

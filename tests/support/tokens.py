"""HS256 Bearer tokens for tests, shaped as gonggu requires them (an `exp` is mandatory)."""

from __future__ import annotations

import time

import jwt


def token(secret: str, **claims: object) -> str:
    """A signed token valid for five minutes, unless the claims say otherwise."""
    return jwt.encode({"exp": int(time.time()) + 300, **claims}, secret, algorithm="HS256")


def bearer_header(secret: str, **claims: object) -> dict[str, str]:
    return {"authorization": f"Bearer {token(secret, **claims)}"}

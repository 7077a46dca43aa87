"""HS256 Bearer tokens for tests, shaped as gonggu requires them (an `exp` is mandatory)."""

from __future__ import annotations

import time

import jwt

LIFETIME_S = 6 * 3600
"""Long enough for a token made when a test module is imported to outlive the whole suite,
and within gonggu's default maximum lifetime (24 h)."""


def token(secret: str, **claims: object) -> str:
    """A signed token valid for LIFETIME_S, unless the claims say otherwise."""
    return jwt.encode({"exp": int(time.time()) + LIFETIME_S, **claims}, secret, algorithm="HS256")


def bearer_header(secret: str, **claims: object) -> dict[str, str]:
    return {"authorization": f"Bearer {token(secret, **claims)}"}

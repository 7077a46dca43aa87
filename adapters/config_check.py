"""The verdict on a configuration: one line per problem, or none.

`Settings` refuses to be built when there is any (so `gonggu serve` refuses to start), and
`gonggu check-config` prints the same lines for a deploy pipeline. Development is lenient (the
emulators, test keys and SQLite are what it is for); production refuses everything that would
take no money, take it on a test account, or let anyone act as anyone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from pydantic import ValidationError

if TYPE_CHECKING:
    from adapters.config import Settings

JWT_SECRET_MIN_BYTES = 32
LOOPBACK_HOSTS = {"localhost", "::1", "0.0.0.0", ""}


def problems(settings: Settings) -> list[str]:
    lines = _anywhere(settings)
    if settings.env == "production":
        lines += _production(settings)
    return lines


def _anywhere(settings: Settings) -> list[str]:
    lines = []
    if settings.auth_mode == "jwt" and not (settings.jwt_secret or "").strip():
        lines.append("GONGGU_JWT_SECRET is required when GONGGU_AUTH_MODE=jwt")
    if settings.platforms is not None and not settings.platforms:
        lines.append("GONGGU_PLATFORMS names no platform: list the payTypes you accept")
    for platform in settings.enabled_settings():
        lines += platform.problems()
    return lines


def _production(settings: Settings) -> list[str]:
    lines = []
    if settings.auth_mode == "test":
        lines.append(
            "GONGGU_AUTH_MODE=test: production refuses test auth (any caller could act as any "
            "user); use jwt"
        )
    secret = (settings.jwt_secret or "").encode()
    if settings.jwt_secret and len(secret) < JWT_SECRET_MIN_BYTES:
        lines.append(
            f"GONGGU_JWT_SECRET is {len(secret)} bytes: production needs at least "
            f"{JWT_SECRET_MIN_BYTES} random bytes (a short HS256 key is cracked offline)"
        )
    host = (urlsplit(settings.public_base_url).hostname or "").lower()
    if host in LOOPBACK_HOSTS or host.startswith("127."):
        lines.append(
            f"GONGGU_PUBLIC_BASE_URL={settings.public_base_url} is this machine's loopback: "
            "platforms and buyers' browsers could never come back; set the public https URL"
        )
    if settings.database_url.split(":", 1)[0].startswith("sqlite"):
        lines.append(
            "GONGGU_DATABASE_URL is SQLite: production needs PostgreSQL (postgresql+asyncpg://...)"
        )
    if settings.platforms is None:
        lines.append(
            "GONGGU_PLATFORMS is not set: name the payTypes you have contracts for, "
            "e.g. KAKAO_PAY,TOSS_PAYMENTS"
        )
    if settings.payments_mode == "sandbox":
        lines.append(
            "GONGGU_PAYMENTS_MODE=sandbox: production refuses the built-in emulators "
            "(no money moves); use live"
        )
        return lines
    for platform in settings.enabled_settings():
        missing = platform.missing()
        if missing:
            lines.append(
                f"{platform.pay_type.value} is enabled but not configured: set "
                + ", ".join(missing)
            )
        lines += platform.test_values()
    return lines


def verdict(error: ValidationError) -> list[str]:
    """The problem lines of a refused `Settings(...)`: ours as they were written, a malformed
    value as `GONGGU_FIELD: message`."""
    lines: list[str] = []
    for item in error.errors():
        context = item.get("ctx") or {}
        if item["type"] == "value_error" and not item["loc"]:
            lines += str(context.get("error", item["msg"])).splitlines()
            continue
        name = "GONGGU_" + "_".join(str(part) for part in item["loc"]).upper()
        lines.append(f"{name}: {item['msg']} (got {item.get('input')!r})")
    return lines

"""Shared by the platform adapters: turn transport failures into the port's two errors.

A request that timed out or lost its connection may have been acted on by the platform, so it
is an unknown outcome, never a failure; so is a 5xx. A 4xx is a definite refusal.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from domain.errors import PaymentOutcomeUnknown, PaymentPlatformError

ErrorReader = Callable[[httpx.Response], tuple[str | None, str]]
"""Reads (code, message) out of a platform's error body."""


async def send(
    platform: str,
    request: Callable[[], Awaitable[httpx.Response]],
    read_error: ErrorReader,
) -> Any:
    """Sends the request and returns its JSON body, or raises the port's error."""
    try:
        response = await request()
    except httpx.TimeoutException as exc:
        raise PaymentOutcomeUnknown(platform, f"no answer in time ({type(exc).__name__})") from exc
    except httpx.HTTPError as exc:
        raise PaymentOutcomeUnknown(platform, f"connection failed ({exc!r})") from exc
    if response.status_code >= 500:
        code, message = _safe_read(response, read_error)
        raise PaymentOutcomeUnknown(platform, f"HTTP {response.status_code} {code or ''} {message}")
    if response.status_code >= 400:
        code, message = _safe_read(response, read_error)
        raise PaymentPlatformError(platform, message, code)
    try:
        return response.json()
    except ValueError as exc:
        raise PaymentOutcomeUnknown(platform, "the answer was not JSON") from exc


def _safe_read(response: httpx.Response, read_error: ErrorReader) -> tuple[str | None, str]:
    try:
        return read_error(response)
    except (ValueError, KeyError, TypeError, AttributeError):
        return None, f"HTTP {response.status_code}: {response.text[:200]}"

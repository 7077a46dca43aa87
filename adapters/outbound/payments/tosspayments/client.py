"""How the Toss adapter sends a request: the port's error mapping, plus Toss's idempotency rule.

Toss answers `409 IDEMPOTENT_REQUEST_PROCESSING` while an earlier request with the same
Idempotency-Key is still being processed: the outcome is not known yet, and Toss asks that the
same request be repeated with the same key. So it is repeated (same key, same body) after a
short wait; if Toss is still busy after the last wait, the outcome stays unknown (never a
refusal) and the caller's retry or lookup settles it later, again with the same key.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from adapters.outbound.payments.http_errors import ErrorReader, send
from domain.errors import PaymentOutcomeUnknown, PaymentPlatformError

PROCESSING = "IDEMPOTENT_REQUEST_PROCESSING"
PROCESSING_RETRY_DELAYS_S = (0.5, 1.0, 2.0)


async def send_same_key(
    platform: str,
    request: Callable[[], Awaitable[httpx.Response]],
    read_error: ErrorReader,
    delays_s: tuple[float, ...] | None = None,
) -> Any:
    """`send`, repeating the identical request while Toss says the key is being processed."""
    waits = PROCESSING_RETRY_DELAYS_S if delays_s is None else delays_s
    for delay in (*waits, None):
        try:
            return await send(platform, request, read_error)
        except PaymentPlatformError as exc:
            if exc.code != PROCESSING:
                raise
            if delay is None:
                raise PaymentOutcomeUnknown(
                    platform, f"{PROCESSING}: the request with this key is still running"
                ) from exc
        await asyncio.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover

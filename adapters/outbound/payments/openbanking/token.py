"""The institution's 2-legged token (scope `oob`), fetched once and reused until near expiry."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

TokenFetch = Callable[[], Awaitable[tuple[str, float]]]
"""Returns (access_token, expires_in seconds)."""


class InstitutionToken:
    """Caches the `oob` token; concurrent callers wait for one fetch instead of each fetching."""

    def __init__(self, fetch: TokenFetch, clock: Callable[[], float] = time.monotonic) -> None:
        self._fetch = fetch
        self._clock = clock
        self._lock = asyncio.Lock()
        self._token: str | None = None
        self._valid_until = 0.0

    async def get(self) -> str:
        """A token that is still valid for a while, fetching a new one when needed."""
        async with self._lock:
            if self._token is None or self._clock() >= self._valid_until:
                token, expires_in = await self._fetch()
                # Renew a minute early (or halfway for short-lived tokens) so no call races expiry.
                margin = min(60.0, expires_in / 2)
                self._token, self._valid_until = token, self._clock() + expires_in - margin
            return self._token

    def forget(self) -> None:
        """Drops the cached token (the platform refused it), so the next call fetches anew."""
        self._token = None

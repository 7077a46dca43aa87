"""Stripe-style idempotency of client requests: one stored answer per (scope, key)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Protocol


class RecordState(str, Enum):
    IN_PROGRESS = "IN_PROGRESS"
    DONE = "DONE"


@dataclass(eq=False)
class IdempotencyRecord:
    scope: str
    key: str
    request_hash: str
    state: RecordState
    created_at: datetime
    expires_at: datetime
    response_status: int | None = None
    response_body: str | None = None


class IdempotencyStore(Protocol):
    """Each call is its own committed transaction: a claim must be visible to every other
    instance before the request it guards starts its work."""

    async def claim(self, record: IdempotencyRecord) -> IdempotencyRecord | None:
        """Stores the record if (scope, key) is free or expired and returns None; otherwise
        returns the record already stored, unchanged."""
        ...

    async def complete(self, scope: str, key: str, status: int, body: str) -> None: ...

    async def release(self, scope: str, key: str) -> None:
        """Forgets an IN_PROGRESS claim whose request failed before doing anything."""
        ...

    async def purge_expired(self, now: datetime) -> int: ...

"""Stripe-style idempotency of client requests: one stored answer per (scope, key).

A claim is leased (Brandur's "idempotency keys in Postgres"): while its holder runs, a retry
with the key is told to wait; once the lease is over (the holder crashed, or gave an answer
that is not final, such as an unknown outcome) a retry with the same request takes the key
over and resumes from what was recorded — the order placed under the reserved transactionId —
instead of starting again.
"""

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
    locked_at: datetime | None = None
    """When the current holder took the key; None once nobody holds it."""
    transaction_id: str | None = None
    """The transactionId reserved for the order this request places (its recovery point)."""


@dataclass(frozen=True)
class Claim:
    won: bool
    """True when this request holds the key now (a new claim or a takeover)."""
    record: IdempotencyRecord
    """The record as stored: on a takeover, with the transactionId the first holder reserved."""


class IdempotencyStore(Protocol):
    """Each call is its own committed transaction: a claim must be visible to every other
    instance before the request it guards starts its work."""

    async def acquire(self, record: IdempotencyRecord) -> Claim:
        """Stores the record if (scope, key) is free or expired, or takes over an IN_PROGRESS
        record of the same request whose lease is over; otherwise returns the stored record,
        unchanged, with `won=False`. Exactly one of concurrent claimants wins."""
        ...

    async def complete(self, scope: str, key: str, status: int, body: str) -> None:
        """Stores the final answer; later requests with the key are given it."""
        ...

    async def release(self, scope: str, key: str, locked_at: datetime | None = None) -> None:
        """Ends the lease of an IN_PROGRESS claim (the holder's, when `locked_at` names it), so
        that a retry takes it over at once; the reserved transactionId is kept."""
        ...

    async def purge_expired(self, now: datetime) -> int: ...

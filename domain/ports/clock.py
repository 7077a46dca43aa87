from __future__ import annotations

from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    """The current time, always timezone-aware UTC."""

    def now(self) -> datetime: ...


class IdSource(Protocol):
    """New transaction ids and idempotency keys (UUIDs in production)."""

    def new_id(self) -> str: ...

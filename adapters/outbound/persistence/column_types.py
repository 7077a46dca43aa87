"""Column types that keep values portable between SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, Dialect, Integer
from sqlalchemy.types import TypeDecorator

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)

# SQLite only autoincrements a column declared exactly INTEGER PRIMARY KEY.
Id = BigInteger().with_variant(Integer, "sqlite")


def to_epoch_ms(value: datetime) -> int:
    """Whole milliseconds since the epoch; refuses naive datetimes, whose zone is a guess."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}: timestamps must be timezone-aware")
    return (value - EPOCH) // _MS


def from_epoch_ms(value: int) -> datetime:
    return EPOCH + value * _MS


class EpochMillis(TypeDecorator[datetime]):
    """A timezone-aware datetime stored as BIGINT epoch milliseconds, read back in UTC.

    SQLite has no timezone-aware timestamp type, and the HTTP API speaks epoch ms anyway.
    """

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> int | None:
        return None if value is None else to_epoch_ms(value)

    def process_result_value(self, value: Any | None, dialect: Dialect) -> datetime | None:
        return None if value is None else from_epoch_ms(int(value))

"""Stripe-style request idempotency records, each call its own short committed transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql.dml import ReturningInsert

from adapters.outbound.persistence.errors import StorageError, translated
from adapters.outbound.persistence.tables import idempotency_records as records
from domain.ports.idempotency import IdempotencyRecord, IdempotencyStore, RecordState

_CLAIM_ROUNDS = 5


class SqlaIdempotencyStore(IdempotencyStore):
    """Claims are atomic across processes: INSERT … ON CONFLICT DO NOTHING, and an expired
    record is taken over by a conditional UPDATE, so two claimants can never both win."""

    def __init__(self, session_factory: async_sessionmaker[Any]) -> None:
        self._sessions = session_factory

    @translated
    async def claim(self, record: IdempotencyRecord) -> IdempotencyRecord | None:
        """None when the record was stored; otherwise the live record already there."""
        # A round only repeats when a concurrent purge or release removed the row between our
        # insert and our read; a handful of rounds is plenty.
        for _ in range(_CLAIM_ROUNDS):
            async with self._sessions() as session, session.begin():
                if await self._insert(session, record) or await self._take_over(session, record):
                    return None
                found = (
                    await session.execute(
                        select(records).where(
                            records.c.scope == record.scope, records.c.key == record.key
                        )
                    )
                ).one_or_none()
                if found is not None:
                    return IdempotencyRecord(**found._asdict())
        raise StorageError(f"could not claim idempotency key {record.scope}/{record.key}")

    @translated
    async def complete(self, scope: str, key: str, status: int, body: str) -> None:
        """Stores the answer; later requests with the key are given it."""
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(records)
                .where(records.c.scope == scope, records.c.key == key)
                .values(state=RecordState.DONE, response_status=status, response_body=body)
            )

    @translated
    async def release(self, scope: str, key: str) -> None:
        """Forgets an IN_PROGRESS claim; a DONE record is kept."""
        async with self._sessions() as session, session.begin():
            await session.execute(
                delete(records).where(
                    records.c.scope == scope,
                    records.c.key == key,
                    records.c.state == RecordState.IN_PROGRESS,
                )
            )

    @translated
    async def purge_expired(self, now: datetime) -> int:
        """Deletes records expired at `now`; returns how many."""
        async with self._sessions() as session, session.begin():
            result = await session.execute(delete(records).where(records.c.expires_at <= now))
            return int(result.rowcount)

    @staticmethod
    async def _insert(session: AsyncSession, record: IdempotencyRecord) -> bool:
        stmt = _insert_if_absent(session.get_bind().dialect.name, record)
        return (await session.execute(stmt)).first() is not None

    @staticmethod
    async def _take_over(session: AsyncSession, record: IdempotencyRecord) -> bool:
        # The WHERE is re-checked on the locked row, so only one claimant replaces it.
        stmt = (
            update(records)
            .where(
                records.c.scope == record.scope,
                records.c.key == record.key,
                records.c.expires_at <= record.created_at,
            )
            .values(**_values(record))
            .returning(records.c.key)
        )
        return (await session.execute(stmt)).first() is not None


def _values(record: IdempotencyRecord) -> dict[str, object]:
    return {
        "scope": record.scope,
        "key": record.key,
        "request_hash": record.request_hash,
        "state": record.state,
        "created_at": record.created_at,
        "expires_at": record.expires_at,
        "response_status": record.response_status,
        "response_body": record.response_body,
    }


def _insert_if_absent(dialect: str, record: IdempotencyRecord) -> ReturningInsert[tuple[str]]:
    keys = [records.c.scope, records.c.key]
    if dialect == "postgresql":
        pg = postgresql.insert(records).values(**_values(record))
        return pg.on_conflict_do_nothing(index_elements=keys).returning(records.c.key)
    if dialect == "sqlite":
        lite = sqlite.insert(records).values(**_values(record))
        return lite.on_conflict_do_nothing(index_elements=keys).returning(records.c.key)
    raise StorageError(f"the idempotency store does not support {dialect}")

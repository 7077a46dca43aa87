"""Stripe-style request idempotency records with leases, each call its own short committed
transaction."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql.dml import ReturningInsert

from adapters.outbound.persistence.errors import StorageError, translated
from adapters.outbound.persistence.tables import idempotency_records as records
from domain.ports.idempotency import Claim, IdempotencyRecord, IdempotencyStore, RecordState

_CLAIM_ROUNDS = 5


class SqlaIdempotencyStore(IdempotencyStore):
    """Claims are atomic across processes: INSERT … ON CONFLICT DO NOTHING, and an expired
    record or an over-leased claim is taken over by a conditional UPDATE whose WHERE is
    re-checked on the locked row (PostgreSQL) or under the single writer (SQLite), so two
    claimants can never both win."""

    def __init__(
        self, session_factory: async_sessionmaker[Any], lease: timedelta | None = None
    ) -> None:
        """`lease`: how long a holder keeps an IN_PROGRESS claim; None keeps it until it is
        completed, released or expired."""
        self._sessions, self._lease = session_factory, lease

    async def claim(self, record: IdempotencyRecord) -> IdempotencyRecord | None:
        """None when this request holds the key now; otherwise the live record already there."""
        claim = await self.acquire(record)
        return None if claim.won else claim.record

    @translated
    async def acquire(self, record: IdempotencyRecord) -> Claim:
        mine = record if record.locked_at else replace(record, locked_at=record.created_at)
        # A round only repeats when a concurrent purge removed the row between our insert and
        # our read; a handful of rounds is plenty.
        for _ in range(_CLAIM_ROUNDS):
            async with self._sessions() as session, session.begin():
                if await self._insert(session, mine) or await self._replace_expired(session, mine):
                    return Claim(won=True, record=mine)
                resumed = await self._take_over_lease(session, mine)
                if resumed is not None:
                    return Claim(won=True, record=resumed)
                found = await self._get(session, mine.scope, mine.key)
                if found is not None:
                    return Claim(won=False, record=found)
        raise StorageError(f"could not claim idempotency key {record.scope}/{record.key}")

    @translated
    async def complete(self, scope: str, key: str, status: int, body: str) -> None:
        """Stores the answer; later requests with the key are given it. Whoever holds the key
        now, the first final answer is kept: every holder answers from the same order."""
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(records)
                .where(
                    records.c.scope == scope,
                    records.c.key == key,
                    records.c.state == RecordState.IN_PROGRESS,
                )
                .values(
                    state=RecordState.DONE,
                    response_status=status,
                    response_body=body,
                    locked_at=None,
                )
            )

    @translated
    async def release(self, scope: str, key: str, locked_at: datetime | None = None) -> None:
        """Ends the lease of an IN_PROGRESS claim (only the holder's own, when `locked_at` is
        given); a DONE record is kept as it is."""
        where = [
            records.c.scope == scope,
            records.c.key == key,
            records.c.state == RecordState.IN_PROGRESS,
        ]
        if locked_at is not None:
            where.append(records.c.locked_at == locked_at)
        async with self._sessions() as session, session.begin():
            await session.execute(update(records).where(*where).values(locked_at=None))

    @translated
    async def purge_expired(self, now: datetime) -> int:
        """Deletes records expired at `now`; returns how many."""
        async with self._sessions() as session, session.begin():
            result = await session.execute(delete(records).where(records.c.expires_at <= now))
            return int(result.rowcount)

    @staticmethod
    async def _get(session: AsyncSession, scope: str, key: str) -> IdempotencyRecord | None:
        found = (
            await session.execute(
                select(records).where(records.c.scope == scope, records.c.key == key)
            )
        ).one_or_none()
        return None if found is None else IdempotencyRecord(**found._asdict())

    @staticmethod
    async def _insert(session: AsyncSession, record: IdempotencyRecord) -> bool:
        stmt = _insert_if_absent(session.get_bind().dialect.name, record)
        return (await session.execute(stmt)).first() is not None

    @staticmethod
    async def _replace_expired(session: AsyncSession, record: IdempotencyRecord) -> bool:
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

    async def _take_over_lease(
        self, session: AsyncSession, record: IdempotencyRecord
    ) -> IdempotencyRecord | None:
        """The same request again after its holder's lease ended: it becomes the holder and
        keeps what the first one recorded (the reserved transactionId)."""
        assert record.locked_at is not None
        stmt = (
            update(records)
            .where(
                records.c.scope == record.scope,
                records.c.key == record.key,
                records.c.request_hash == record.request_hash,
                records.c.state == RecordState.IN_PROGRESS,
                records.c.locked_at.is_(None)
                if self._lease is None
                else or_(
                    records.c.locked_at.is_(None),
                    records.c.locked_at <= record.locked_at - self._lease,
                ),
            )
            .values(locked_at=record.locked_at)
            .returning(*records.c)
        )
        row = (await session.execute(stmt)).one_or_none()
        if row is None:
            return None
        taken = IdempotencyRecord(**row._asdict())
        if taken.transaction_id is None:  # a claim recorded before leases existed
            taken.transaction_id = record.transaction_id
            await session.execute(
                update(records)
                .where(records.c.scope == record.scope, records.c.key == record.key)
                .values(transaction_id=record.transaction_id)
            )
        return taken


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
        "locked_at": record.locked_at,
        "transaction_id": record.transaction_id,
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

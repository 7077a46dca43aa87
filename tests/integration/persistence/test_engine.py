from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from adapters.outbound.persistence.engine import create_engine, session_factory
from adapters.outbound.persistence.unit_of_work import SqlaUnitOfWorkFactory
from domain.errors import StorageUnavailable

pytestmark = pytest.mark.anyio


async def test_sqlite_has_one_connection_with_foreign_keys_and_wal(sqlite_url: str) -> None:
    engine = create_engine(sqlite_url, pool_size=10)
    try:
        async with engine.connect() as connection:
            foreign_keys = (await connection.execute(text("PRAGMA foreign_keys"))).scalar()
            journal = (await connection.execute(text("PRAGMA journal_mode"))).scalar()
            timeout = (await connection.execute(text("PRAGMA busy_timeout"))).scalar()
        assert (foreign_keys, journal, timeout) == (1, "wal", 5_000)
        assert engine.pool.size() == 1  # type: ignore[attr-defined]
        assert engine.pool._max_overflow == 0  # type: ignore[attr-defined]
    finally:
        await engine.dispose()


async def test_a_sqlite_transaction_holds_the_write_lock_from_its_start(
    sqlite_url: str, tmp_path: Path
) -> None:
    engine = create_engine(sqlite_url)
    other_process = sqlite3.connect(tmp_path / "gonggu.db", timeout=0, isolation_level=None)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("SELECT 1"))  # a read only, no write yet
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other_process.execute("BEGIN IMMEDIATE")
        other_process.execute("BEGIN IMMEDIATE")
        other_process.execute("ROLLBACK")
    finally:
        other_process.close()
        await engine.dispose()


async def test_postgres_uses_the_given_pool_size_without_overflow(postgres_url: str) -> None:
    engine = create_engine(postgres_url, pool_size=7)
    try:
        async with engine.connect() as connection:
            assert (await connection.execute(text("SELECT 1"))).scalar() == 1
        assert engine.pool.size() == 7  # type: ignore[attr-defined]
        assert engine.pool._max_overflow == 0  # type: ignore[attr-defined]
    finally:
        await engine.dispose()


async def test_postgres_recovers_from_dropped_connections_without_a_pre_ping(
    postgres_url: str,
) -> None:
    """A restart or a killed backend: at most one unit of work fails (StorageUnavailable),
    the next reconnects."""
    engine, other = create_engine(postgres_url, pool_size=2), create_engine(postgres_url)
    uow = SqlaUnitOfWorkFactory(session_factory(engine))
    try:
        async with engine.connect() as connection:
            pid = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar()
        async with other.connect() as admin:
            await admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        failures = 0
        for _ in range(2):
            try:
                async with uow() as unit:
                    await unit.users.get(1)
            except StorageUnavailable:
                failures += 1
        async with uow() as unit:
            await unit.users.get(1)  # the pool works again: no StorageUnavailable
        assert failures <= 1
        assert engine.pool._pre_ping is False  # type: ignore[attr-defined]
    finally:
        await engine.dispose()
        await other.dispose()

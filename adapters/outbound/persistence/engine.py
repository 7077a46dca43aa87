"""Engines and session factories for SQLite (aiosqlite) and PostgreSQL (asyncpg)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import AsyncAdaptedQueuePool, StaticPool

SQLITE_BUSY_TIMEOUT_MS = 5_000
# Connections older than this are replaced at checkout, before a server or proxy idle timeout
# can cut them.
POOL_RECYCLE_S = 1_800


def create_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    """An async engine tuned per backend.

    SQLite gets one connection: transactions are serialised in this process, which is also
    what makes `for_update` hold on SQLite (it has no row locks). PostgreSQL gets `pool_size`
    connections and no overflow (overflow connections reconnect every time).

    No pre-ping: it cost a round trip (`BEGIN; ;ROLLBACK`) at every checkout. Old connections
    are recycled instead, and a connection found dead invalidates the whole pool, so that
    after a database restart one unit of work fails (StorageError) and the next reconnects.
    """
    if make_url(url).get_backend_name() == "sqlite":
        return _sqlite_engine(url)
    return create_async_engine(
        url, pool_size=pool_size, max_overflow=0, pool_recycle=POOL_RECYCLE_S
    )


def session_factory(engine: AsyncEngine) -> async_sessionmaker[Any]:
    """Sessions whose objects stay usable after commit (nothing lazy-loads in async code)."""
    return async_sessionmaker(engine, expire_on_commit=False)


def read_only_session_factory(sessions: async_sessionmaker[Any]) -> async_sessionmaker[Any]:
    """Sessions for units that only read: on PostgreSQL in autocommit, so that a read is one
    round trip instead of BEGIN, SELECT, ROLLBACK. SQLite keeps its transactions (its single
    connection is also what serialises the units of work)."""
    engine: AsyncEngine = sessions.kw["bind"]
    if engine.dialect.name == "sqlite":
        return sessions
    return async_sessionmaker(
        engine.execution_options(isolation_level="AUTOCOMMIT"), expire_on_commit=False
    )


def _sqlite_engine(url: str) -> AsyncEngine:
    database = make_url(url).database
    if not database or database == ":memory:":
        engine = create_async_engine(url, poolclass=StaticPool)
    else:
        engine = create_async_engine(
            url, poolclass=AsyncAdaptedQueuePool, pool_size=1, max_overflow=0
        )
    event.listen(engine.sync_engine, "connect", _configure_sqlite)
    event.listen(engine.sync_engine, "begin", _begin_immediate)
    return engine


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    # The driver's own implicit BEGIN is deferred (reads first, write lock later, "database is
    # locked" on upgrade); switch it off and issue BEGIN IMMEDIATE ourselves (see _begin_immediate).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def _begin_immediate(connection: Any) -> None:
    # Takes the write lock at the start, so that a read-then-write unit of work cannot
    # interleave with a writer in another process.
    connection.exec_driver_sql("BEGIN IMMEDIATE")

"""Database fixtures for any test (a pytest plugin: `pytest_plugins = ["tests.support.databases"]`).

- `sqlite_url`: a migrated SQLite file in the test's tmp_path.
- `postgres_url` (session): a fresh migrated PostgreSQL database, dropped at the end; skipped
  when PostgreSQL is unreachable, unless GONGGU_REQUIRE_POSTGRES=1, which makes it fail.
- `database_url`: parametrised over both; the PostgreSQL one is wiped before each test.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import anyio
import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.outbound.persistence.engine import create_engine
from adapters.outbound.persistence.migrations_runner import migrate
from adapters.outbound.persistence.tables import metadata

POSTGRES_ADMIN_DSN = os.environ.get(
    "GONGGU_TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/postgres"
)
T = TypeVar("T")


def run_outside_loop(work: Callable[[], Awaitable[T]]) -> T:
    """Runs a coroutine to completion on a private loop in another thread, so that sync
    fixtures and helpers work whether or not the calling thread already runs a loop."""

    async def main() -> T:
        return await work()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, main()).result()


def migrate_outside_loop(url: str) -> None:
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(migrate, url).result()


def truncate_all(url: str) -> None:
    """Deletes every row of every application table and restarts the id sequences."""

    async def wipe() -> None:
        engine = create_engine(url, pool_size=1)
        try:
            async with engine.begin() as connection:
                names = [t.name for t in reversed(metadata.sorted_tables)]
                if connection.dialect.name == "postgresql":
                    quoted = ", ".join(f'"{n}"' for n in names)
                    await connection.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
                else:
                    for name in names:
                        await connection.execute(text(f'DELETE FROM "{name}"'))
                    await connection.execute(text("DELETE FROM sqlite_sequence"))
        finally:
            await engine.dispose()

    run_outside_loop(wipe)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A migrated SQLite database file of this test."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'gonggu.db'}"
    migrate_outside_loop(url)
    return url


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for the session, dropped at its end."""
    name = f"gonggu_test_{uuid.uuid4().hex[:12]}"
    try:
        run_outside_loop(lambda: _admin(f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        reason = f"PostgreSQL unreachable at {POSTGRES_ADMIN_DSN}: {error!r}"
        if os.environ.get("GONGGU_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"{reason} (GONGGU_REQUIRE_POSTGRES=1)", pytrace=False)
        pytest.skip(reason)
    admin = make_url(POSTGRES_ADMIN_DSN)
    url = admin.set(drivername="postgresql+asyncpg", database=name)
    rendered = url.render_as_string(hide_password=False)
    try:
        migrate_outside_loop(rendered)
        yield rendered
    finally:
        run_outside_loop(lambda: _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """The URL of an empty, migrated database: once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    url = str(request.getfixturevalue("postgres_url"))
    truncate_all(url)
    return url


async def _admin(statement: str) -> None:
    connection = await asyncpg.connect(POSTGRES_ADMIN_DSN, timeout=5)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def wait_until_a_backend_waits_for_a_lock(engine: AsyncEngine) -> None:
    """Until some backend of the engine's database waits for a row lock (10 s at most): how a
    test knows that a second caller is queued behind the first one's lock."""
    with anyio.fail_after(10):
        while True:
            async with engine.connect() as connection:
                waiting = await connection.scalar(
                    text(
                        "SELECT count(*) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                    )
                )
            if waiting:
                return
            await anyio.sleep(0.01)

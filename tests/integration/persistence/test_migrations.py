from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from adapters.outbound.persistence.engine import create_engine
from adapters.outbound.persistence.migrations_runner import alembic_config, migrate
from adapters.outbound.persistence.tables import metadata
from tests.support.databases import migrate_outside_loop

pytestmark = pytest.mark.anyio


async def _inspect(url: str, look: Any) -> Any:
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(look)
    finally:
        await engine.dispose()


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def _diff(connection: Connection) -> list[Any]:
    return list(compare_metadata(MigrationContext.configure(connection), metadata))


async def test_the_migration_creates_every_table(database_url: str) -> None:
    tables = await _inspect(database_url, _tables)

    assert tables == {*metadata.tables, "alembic_version"}


async def test_running_the_migration_again_changes_nothing(database_url: str) -> None:
    migrate_outside_loop(database_url)
    migrate_outside_loop(database_url)

    version = await _inspect(
        database_url,
        lambda c: c.execute(text("SELECT version_num FROM alembic_version")).scalars().all(),
    )
    head = ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()
    assert version == [head]  # one head, applied once (each issue adds a revision)


async def test_the_migrated_schema_matches_the_tables_the_code_declares(database_url: str) -> None:
    assert await _inspect(database_url, _diff) == []


def test_migrate_refuses_to_run_inside_a_running_event_loop(tmp_path: Path) -> None:
    async def inside() -> None:
        migrate(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")

    with pytest.raises(RuntimeError, match="running event loop"):
        asyncio.run(inside())

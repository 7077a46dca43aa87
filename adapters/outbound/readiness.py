"""Whether this process can serve: the database answers and has the newest schema, and
RabbitMQ (when configured) takes connections. Each problem is a sentence for the 503."""

from __future__ import annotations

import asyncio
import os
from typing import Any

import aio_pika
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.outbound.persistence.migrations_runner import alembic_config

CHECK_TIMEOUT_S = 3.0


class Readiness:
    def __init__(self, engine: AsyncEngine, database_url: str, rabbitmq_url: str | None) -> None:
        self._engine, self._database_url, self._rabbitmq_url = engine, database_url, rabbitmq_url
        self._heads = set(ScriptDirectory.from_config(alembic_config(database_url)).get_heads())

    async def problems(self) -> list[str]:
        """Empty when ready; otherwise what is wrong, one sentence per dependency."""
        checks = [self._database()]
        if self._rabbitmq_url:
            checks.append(self._rabbitmq())
        found = await asyncio.gather(*checks)
        return [problem for problem in found if problem]

    async def _database(self) -> str | None:
        missing = _missing_sqlite_file(self._database_url)
        if missing:
            # Connecting would create an empty database in its place.
            return f"database file {missing} does not exist"
        try:
            async with asyncio.timeout(CHECK_TIMEOUT_S), self._engine.connect() as connection:
                has_versions = await connection.run_sync(
                    lambda c: c.dialect.has_table(c, "alembic_version")
                )
                rows: Any = (
                    await connection.execute(text("SELECT version_num FROM alembic_version"))
                    if has_versions
                    else []
                )
                current = {row[0] for row in rows}
        except Exception as exc:
            return f"database unreachable: {type(exc).__name__}: {exc}".strip()[:300]
        if current != self._heads:
            have = ", ".join(sorted(current)) or "none"
            want = ", ".join(sorted(self._heads))
            return f"database schema is at revision {have}, not at head {want}: run gonggu migrate"
        return None

    async def _rabbitmq(self) -> str | None:
        try:
            connection = await aio_pika.connect(self._rabbitmq_url, timeout=CHECK_TIMEOUT_S)
            await connection.close()
        except Exception as exc:
            return f"RabbitMQ unreachable: {type(exc).__name__}: {exc}".strip()[:300]
        return None


def _missing_sqlite_file(database_url: str) -> str | None:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return None if os.path.exists(str(url.database)) else str(url.database)

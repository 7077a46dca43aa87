from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.outbound.persistence.engine import create_engine, session_factory
from adapters.outbound.persistence.mapping import start_mappers
from adapters.outbound.persistence.unit_of_work import SqlaUnitOfWorkFactory


@pytest.fixture(scope="session", autouse=True)
def _mappers() -> None:
    start_mappers()


@pytest.fixture
async def engine(database_url: str, anyio_backend: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url, pool_size=20)
    yield engine
    await engine.dispose()


@pytest.fixture
def uow(engine: AsyncEngine) -> SqlaUnitOfWorkFactory:
    return SqlaUnitOfWorkFactory(session_factory(engine))


@pytest.fixture
def concurrent_uow(database_url: str, uow: SqlaUnitOfWorkFactory) -> SqlaUnitOfWorkFactory:
    """For tests of concurrent transactions: PostgreSQL only, as SQLite has a single
    connection (one unit of work at a time) and no row locks."""
    if not database_url.startswith("postgresql"):
        pytest.skip("concurrent transactions need PostgreSQL; SQLite serialises them")
    return uow

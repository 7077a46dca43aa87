"""Review of the driver statements' connection handling (PostgreSQL): a statement cut off by a
cancelled task, and a prepared statement gone stale, must leave the pool as SQLAlchemy's own
execution leaves it.

One pooled connection (pool_size=1), so the unit after the failure gets the very connection
the failed one used, unless it was invalidated."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from adapters.outbound.persistence.engine import create_engine, session_factory
from adapters.outbound.persistence.unit_of_work import SqlaUnitOfWork, SqlaUnitOfWorkFactory
from domain.errors import StorageUnavailable
from domain.order import Order
from domain.payment import Operation
from tests.integration.persistence.factories import T0, new_product, new_user, order_for
from tests.support import databases

pytestmark = [pytest.mark.anyio, pytest.mark.postgres]


async def _placed(uow: SqlaUnitOfWorkFactory) -> Order:
    user, product = await new_user(uow), await new_product(uow)
    async with uow() as tx:
        order = order_for(user, product)
        order.open_payment("payer", T0)
        await tx.orders.add(order)
        order.placed(T0)
        await tx.attempts.add(order.begin_attempt(Operation.APPROVE, f"k-{user.id}", T0))
        await tx.commit()
    return order


async def _stored_quantity(url: str, order_id: int) -> int:
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    connection = await asyncpg.connect(dsn)
    try:
        return int(await connection.fetchval("SELECT quantity FROM orders WHERE id = $1", order_id))
    finally:
        await connection.close()


def _driver_lock(order_id: int) -> Callable[[SqlaUnitOfWork], Awaitable[Any]]:
    return lambda tx: tx.orders.lock_with_payment(order_id=order_id)


def _orm_lock(order_id: int) -> Callable[[SqlaUnitOfWork], Awaitable[Any]]:
    return lambda tx: tx.orders.get(order_id, for_update=True)


@pytest.fixture
def postgres_only(postgres_url: str) -> str:
    databases.truncate_all(postgres_url)
    return postgres_url


@pytest.mark.parametrize("statement", [_driver_lock, _orm_lock], ids=["driver", "orm"])
async def test_review_driver_a_task_cancelled_in_the_lazy_begin_leaves_no_open_transaction(
    postgres_only: str, monkeypatch: pytest.MonkeyPatch, statement: Any
) -> None:
    """The task is cancelled after the server ran the adapter's lazy BEGIN but before its
    answer arrived (a slow network; here the answer is held). SQLAlchemy's own execution
    treats a cancelled statement as a cut-off connection and invalidates it. If it is not
    invalidated, the adapter thinks no transaction started (`_started` False, so the unit's
    rollback and the pool's reset do nothing) while the server holds one open: the next unit
    on that connection runs in a SAVEPOINT of it, and its commit is not durable."""
    engine = create_engine(postgres_only, pool_size=1)
    uow = SqlaUnitOfWorkFactory(session_factory(engine))
    try:
        order = await _placed(uow)
        assert order.id is not None
        begun, hold = asyncio.Event(), {"on": True}
        execute = asyncpg.connection.Connection.execute

        async def slow_begin_answer(self: Any, query: str, *args: Any, **kwargs: Any) -> Any:
            result = await execute(self, query, *args, **kwargs)
            if hold["on"] and query.startswith("BEGIN"):
                begun.set()
                await asyncio.sleep(30)
            return result

        monkeypatch.setattr(asyncpg.connection.Connection, "execute", slow_begin_answer)

        async def cut_off() -> None:
            async with uow() as tx:
                await statement(order.id)(tx)

        task = asyncio.create_task(cut_off())
        await asyncio.wait_for(begun.wait(), 10)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        hold["on"] = False

        async with uow() as tx:
            locked = await tx.orders.lock_with_payment(order_id=order.id)
            assert locked is not None
            locked.quantity = 7
            await tx.commit()
        assert await _stored_quantity(postgres_only, order.id) == 7, "the commit was not durable"
    finally:
        await engine.dispose()


@pytest.mark.parametrize("statement", [_driver_lock, _orm_lock], ids=["driver", "orm"])
async def test_review_driver_a_task_cancelled_while_queued_on_the_lock_leaves_the_pool_usable(
    postgres_only: str, statement: Any
) -> None:
    """A client gone while its request waits behind another's lock: the waiting statement is
    cancelled; the holder is unaffected and the next unit works and commits durably."""
    engine = create_engine(postgres_only, pool_size=2)
    uow = SqlaUnitOfWorkFactory(session_factory(engine))
    probe = create_engine(postgres_only, pool_size=1)
    try:
        order = await _placed(uow)
        assert order.id is not None
        async with uow() as holder:
            held = await holder.orders.lock_with_payment(order_id=order.id)
            assert held is not None

            async def queued() -> None:
                async with uow() as tx:
                    await statement(order.id)(tx)

            task = asyncio.create_task(queued())
            await databases.wait_until_a_backend_waits_for_a_lock(probe)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            held.quantity = 5
            await holder.commit()
        for quantity in (6, 7):  # both pooled connections
            async with uow() as tx:
                locked = await tx.orders.lock_with_payment(order_id=order.id)
                assert locked is not None
                locked.quantity = quantity
                await tx.commit()
            assert await _stored_quantity(postgres_only, order.id) == quantity
    finally:
        await engine.dispose()
        await probe.dispose()


# ------------------------------------------------------------------ a stale prepared statement


@pytest.fixture
def own_database() -> Iterator[str]:
    """A database of this test alone: it changes the schema."""
    name = f"gonggu_review_{uuid.uuid4().hex[:12]}"
    try:
        databases.run_outside_loop(lambda: databases._admin(f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        pytest.skip(f"PostgreSQL unreachable: {error!r}")
    url = make_url(databases.POSTGRES_ADMIN_DSN).set(drivername="postgresql+asyncpg", database=name)
    rendered = url.render_as_string(hide_password=False)
    try:
        databases.migrate_outside_loop(rendered)
        yield rendered
    finally:
        databases.run_outside_loop(
            lambda: databases._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        )


@pytest.fixture
async def own_engine(own_database: str, anyio_backend: str) -> AsyncIterator[Any]:
    engine = create_engine(own_database, pool_size=1)
    yield engine
    await engine.dispose()


@pytest.mark.parametrize("statement", [_driver_lock, _orm_lock], ids=["driver", "orm"])
async def test_review_driver_a_stale_prepared_statement_fails_once_not_until_recycled(
    own_database: str, own_engine: Any, statement: Any
) -> None:
    """A migration changes a column the hot path reads (here the orders' transaction_id
    widens: a rolling deploy). The pooled connection's prepared statements are stale: the
    first use fails ("cached plan must not change result type"). SQLAlchemy's own execution
    then marks the dialect's schema cache invalid, so the next statement is prepared anew. The
    driver's cursor never takes the dialect's invalidation time (its `_invalidate_schema_cache_asof`
    stays 0) and the failure does not invalidate it: the stale statement is reused, and every
    payment on that connection fails until the pool recycles it (30 minutes)."""
    uow = SqlaUnitOfWorkFactory(session_factory(own_engine))
    order = await _placed(uow)
    async with uow() as tx:
        assert await statement(order.id)(tx) is not None
    async with own_engine.connect() as connection:  # the same (only) pooled connection
        await connection.execute(
            text("ALTER TABLE orders ALTER COLUMN transaction_id TYPE VARCHAR(80)")
        )
        await connection.commit()
    failures, reasons = 0, []
    for _ in range(3):
        try:
            async with uow() as tx:
                assert await statement(order.id)(tx) is not None
        except StorageUnavailable as error:
            failures += 1
            reasons.append(str(error)[:160])
    assert failures <= 1, f"{failures} of 3 locks failed after the migration: {reasons}"

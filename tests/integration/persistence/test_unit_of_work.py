from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.outbound.persistence.errors import StorageError
from adapters.outbound.persistence.tables import orders, payments
from adapters.outbound.persistence.unit_of_work import SqlaUnitOfWorkFactory
from domain.errors import Conflict
from domain.user import User
from tests.integration.persistence.factories import (
    T0,
    at,
    new_order,
    new_product,
    new_user,
    order_for,
)

pytestmark = pytest.mark.anyio


async def test_leaving_without_commit_rolls_everything_back(uow: SqlaUnitOfWorkFactory) -> None:
    async with uow() as tx:
        user = User.register("ghost", T0)
        await tx.users.add(user)
        assert user.id is not None

    async with uow() as tx:
        assert await tx.users.get(user.id) is None


async def test_an_error_inside_the_block_rolls_back_and_propagates(
    uow: SqlaUnitOfWorkFactory,
) -> None:
    user = await new_user(uow)

    with pytest.raises(ZeroDivisionError):
        async with uow() as tx:
            loaded = await tx.users.get(user.id or 0)
            assert loaded is not None
            loaded.name = "renamed"
            await tx.commit()
            loaded.name = "renamed again"
            raise ZeroDivisionError

    async with uow() as tx:
        again = await tx.users.get(user.id or 0)
    assert again is not None and again.name == "renamed"


async def test_changes_to_loaded_entities_are_saved_on_commit(uow: SqlaUnitOfWorkFactory) -> None:
    order = await new_order(uow, await new_user(uow), await new_product(uow))

    async with uow() as tx:
        loaded = await tx.orders.get(order.id or 0, for_update=True)
        assert loaded is not None
        loaded.mark_paid(at(5))
        await tx.commit()

    async with uow() as tx:
        paid = await tx.orders.get(order.id or 0)
    assert paid is not None
    assert (paid.state.value, paid.updated_at) == ("PAID", at(5))


async def test_a_reused_transaction_id_is_a_conflict(uow: SqlaUnitOfWorkFactory) -> None:
    user, product = await new_user(uow), await new_product(uow)
    first = await new_order(uow, user, product)

    with pytest.raises(Conflict, match="transactionId"):
        async with uow() as tx:
            twin = order_for(user, product)
            twin.transaction_id = first.transaction_id
            await tx.orders.add(twin)
            # On PostgreSQL the rows go with the unit's next statement, at the latest commit.
            await tx.commit()


async def test_a_database_refusal_is_a_storage_error(uow: SqlaUnitOfWorkFactory) -> None:
    product = await new_product(uow)

    with pytest.raises(StorageError):
        async with uow() as tx:
            nobody = User.register("nobody", T0)
            nobody.id = 999_999  # no such user: the foreign key refuses the order
            await tx.orders.add(order_for(nobody, product))
            # On PostgreSQL the rows go with the unit's next statement, at the latest commit.
            await tx.commit()


async def test_a_naive_timestamp_is_refused_rather_than_guessed(
    uow: SqlaUnitOfWorkFactory,
) -> None:
    with pytest.raises(StorageError, match="timezone-aware"):
        async with uow() as tx:
            await tx.users.add(User.register("naive", datetime(2026, 1, 1, 12, 0)))


async def test_an_order_is_stored_with_its_payment_and_changes_after_the_insert_are_written(
    uow: SqlaUnitOfWorkFactory,
) -> None:
    user, product = await new_user(uow), await new_product(uow)
    async with uow() as tx:
        order = order_for(user, product)
        payment = order.open_payment("payer-1", T0)
        await tx.orders.add(order)
        assert order.id is not None and payment.id is not None
        assert payment.order_id == order.id
        payment.platform_tx_id = "T-after-insert"  # written at commit: both stay tracked
        order.placed(at(1))
        await tx.commit()

    async with uow() as tx:
        locked = await tx.orders.lock_with_payment(order_id=order.id)
        events = await tx.outbox.recent(5)
    assert locked is not None and locked.pay.id == payment.id
    assert (locked.pay.payer_ref, locked.pay.platform_tx_id) == ("payer-1", "T-after-insert")
    assert [e.type.value for e in events][:1] == ["OrderPlaced"]


async def test_a_reused_transaction_id_with_a_payment_stores_neither(
    uow: SqlaUnitOfWorkFactory, engine: AsyncEngine
) -> None:
    user, product = await new_user(uow), await new_product(uow)
    first = await new_order(uow, user, product)

    with pytest.raises(Conflict, match="transactionId"):
        async with uow() as tx:
            twin = order_for(user, product)
            twin.transaction_id = first.transaction_id
            twin.open_payment(None, T0)
            await tx.orders.add(twin)
            # On PostgreSQL the rows go with the unit's next statement, at the latest commit.
            await tx.commit()

    async with engine.connect() as connection:
        stored = await connection.scalar(select(func.count()).select_from(payments))
        orders_stored = await connection.scalar(select(func.count()).select_from(orders))
    assert (stored, orders_stored) == (0, 1)

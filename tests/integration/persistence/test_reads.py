"""The reads behind the listing endpoints: one SELECT each, the same answers as before."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.outbound.persistence.unit_of_work import SqlaUnitOfWorkFactory
from domain.group import Group, GroupState
from domain.order import OrderState
from tests.integration.persistence.factories import T0, at, new_order, new_product, new_user

pytestmark = pytest.mark.anyio


@contextmanager
def selects(engine: AsyncEngine) -> Iterator[list[str]]:
    """The SELECT statements the engine sends in the block."""
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            sent.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def test_a_users_orders_come_newest_first_in_one_select(
    uow: SqlaUnitOfWorkFactory, engine: AsyncEngine
) -> None:
    user, other, product = await new_user(uow), await new_user(uow, "lee"), await new_product(uow)
    first = await new_order(uow, user, product, when=at(1))
    await new_order(uow, other, product, when=at(2))
    second = await new_order(uow, user, product, state=OrderState.PAID, when=at(3))

    with selects(engine) as sent:
        async with uow() as tx:
            orders = await tx.orders.of_user_if_exists(user.id or 0)

    assert orders is not None
    assert [(o.id, o.state, o.created_at) for o in orders] == [
        (second.id, OrderState.PAID, at(3)),
        (first.id, OrderState.PAYMENT_PENDING, at(1)),
    ]
    assert orders[0].transaction_id == second.transaction_id
    assert orders[0].trans_amount == second.trans_amount
    assert len(sent) == 1


async def test_a_user_without_orders_has_none_and_an_unknown_user_is_none(
    uow: SqlaUnitOfWorkFactory,
) -> None:
    user = await new_user(uow)

    async with uow() as tx:
        assert await tx.orders.of_user_if_exists(user.id or 0) == []
        assert await tx.orders.of_user_if_exists((user.id or 0) + 1) is None


async def test_the_buyers_of_a_product_are_its_live_orders_users_in_one_select(
    uow: SqlaUnitOfWorkFactory, engine: AsyncEngine
) -> None:
    product, elsewhere, nobody = (
        await new_product(uow),
        await new_product(uow),
        await new_product(uow),
    )
    paid = await new_user(uow, "paid", when=at(1))
    twice = await new_user(uow, "twice", when=at(2))
    pending = await new_user(uow, "pending", when=at(3))
    await new_order(uow, paid, product, state=OrderState.PAID)
    await new_order(uow, twice, product, state=OrderState.CONFIRMED)
    await new_order(uow, twice, product, state=OrderState.MATCHED)
    await new_order(uow, pending, product)
    await new_order(uow, pending, elsewhere, state=OrderState.PAID)
    await new_order(uow, pending, product, state=OrderState.REFUNDED)

    with selects(engine) as sent:
        async with uow() as tx:
            buyers = await tx.users.buyers_if_product_exists(product.id or 0)

    assert buyers is not None
    assert [(u.name, u.created_at) for u in buyers] == [("twice", at(2)), ("paid", at(1))]
    assert len(sent) == 1
    async with uow() as tx:
        assert await tx.users.buyers_if_product_exists(elsewhere.id or 0) is not None
        assert await tx.users.buyers_if_product_exists((nobody.id or 0) + 1) is None
        assert await tx.users.buyers_if_product_exists(nobody.id or 0) == []


async def test_a_groups_members_and_confirmations_are_counted_in_one_select(
    uow: SqlaUnitOfWorkFactory, engine: AsyncEngine
) -> None:
    user, product = await new_user(uow), await new_product(uow)
    async with uow() as tx:
        for group_id in (5, 6):
            await tx.groups.add(
                Group(
                    id=group_id,
                    product_id=product.id or 0,
                    size=3,
                    state=GroupState.MATCHED,
                    created_at=T0,
                    updated_at=T0,
                )
            )
        await tx.commit()
    await new_order(uow, user, product, state=OrderState.CONFIRMED, group_id=5)
    await new_order(uow, user, product, state=OrderState.CONFIRMED, group_id=5)
    await new_order(uow, user, product, state=OrderState.MATCHED, group_id=5)
    await new_order(uow, user, product, state=OrderState.CONFIRMED, group_id=7)

    with selects(engine) as sent:
        async with uow() as tx:
            counts = await tx.orders.group_confirmations(5)

    assert counts == (3, 2)
    assert len(sent) == 1
    async with uow() as tx:
        assert await tx.orders.group_confirmations(6) == (0, 0)
        assert await tx.orders.group_confirmations(7) is None  # members, but no group row


async def test_a_read_only_unit_reads_without_a_transaction_on_postgres_and_cannot_commit(
    uow: SqlaUnitOfWorkFactory, database_url: str
) -> None:
    user = await new_user(uow)

    async with uow(read_only=True) as tx:
        assert await tx.orders.of_user_if_exists(user.id or 0) == []
        raw = await (await tx._session.connection()).get_raw_connection()  # type: ignore[union-attr]
        if database_url.startswith("postgresql"):
            assert raw.driver_connection.is_in_transaction() is False
        with pytest.raises(RuntimeError, match="read-only"):
            await tx.commit()

from __future__ import annotations

from datetime import timedelta, timezone

import pytest

from adapters.outbound.persistence.unit_of_work import SqlaUnitOfWorkFactory
from domain.order import OrderState
from domain.pay_type import PayType
from tests.integration.persistence.factories import (
    T0,
    at,
    new_order,
    new_product,
    new_user,
    order_for,
)

pytestmark = pytest.mark.anyio
KST = timezone(timedelta(hours=9))


async def test_add_assigns_the_id_before_commit_and_every_field_reads_back(
    uow: SqlaUnitOfWorkFactory,
) -> None:
    user, product = await new_user(uow), await new_product(uow)
    async with uow() as tx:
        order = order_for(user, product, state=OrderState.MATCHED, group_id=7)
        order.pay_type = PayType.TOSS_PAYMENTS
        order.created_at = T0.astimezone(KST)
        await tx.orders.add(order)
        assert order.id is not None
        await tx.commit()

    async with uow() as tx:
        loaded = await tx.orders.get(order.id)

    assert loaded is not None and loaded is not order
    assert {k: v for k, v in vars(loaded).items() if not k.startswith("_")} == {
        k: v for k, v in vars(order).items() if not k.startswith("_")
    }
    assert loaded.pay_type is PayType.TOSS_PAYMENTS
    assert loaded.state is OrderState.MATCHED
    assert loaded.created_at == T0 and loaded.created_at.utcoffset() == timedelta(0)
    assert loaded.trans_amount == (10_000 + 2_000) * 2


async def test_timestamps_keep_milliseconds_and_drop_finer_digits(
    uow: SqlaUnitOfWorkFactory,
) -> None:
    user, product = await new_user(uow), await new_product(uow)
    order = await new_order(uow, user, product, when=T0 + timedelta(microseconds=456))

    async with uow() as tx:
        loaded = await tx.orders.get(order.id or 0)

    assert loaded is not None and loaded.created_at == T0


async def test_orders_are_found_by_transaction_id(uow: SqlaUnitOfWorkFactory) -> None:
    order = await new_order(uow, await new_user(uow), await new_product(uow))

    async with uow() as tx:
        found = await tx.orders.by_transaction_id(order.transaction_id, for_update=True)
        missing = await tx.orders.by_transaction_id("no-such-transaction")

    assert found is not None and found.id == order.id
    assert missing is None


async def test_many_returns_the_existing_orders_in_ascending_id_order(
    uow: SqlaUnitOfWorkFactory,
) -> None:
    user, product = await new_user(uow), await new_product(uow)
    ids = [(await new_order(uow, user, product)).id or 0 for _ in range(3)]

    async with uow() as tx:
        locked = await tx.orders.many([ids[2], 999_999, ids[0], ids[2]], for_update=True)
        plain = await tx.orders.many([ids[1]])
        none = await tx.orders.many([])

    assert [o.id for o in locked] == [ids[0], ids[2]]
    assert [o.id for o in plain] == [ids[1]]
    assert none == []


async def test_a_users_orders_come_newest_first(uow: SqlaUnitOfWorkFactory) -> None:
    user, other, product = await new_user(uow), await new_user(uow), await new_product(uow)
    older = await new_order(uow, user, product, when=at(0))
    same_time_a = await new_order(uow, user, product, when=at(10))
    same_time_b = await new_order(uow, user, product, when=at(10))
    await new_order(uow, other, product, when=at(20))

    async with uow() as tx:
        orders = await tx.orders.of_user(user.id or 0)

    assert [o.id for o in orders] == [same_time_b.id, same_time_a.id, older.id]


async def test_a_groups_orders_are_its_members(uow: SqlaUnitOfWorkFactory) -> None:
    user, product = await new_user(uow), await new_product(uow)
    a = await new_order(uow, user, product, state=OrderState.MATCHED, group_id=3)
    b = await new_order(uow, user, product, state=OrderState.MATCHED, group_id=3)
    await new_order(uow, user, product, state=OrderState.MATCHED, group_id=4)
    await new_order(uow, user, product, state=OrderState.PAID)

    async with uow() as tx:
        locked = await tx.orders.of_group(3, for_update=True)
        empty = await tx.orders.of_group(5)

    assert [o.id for o in locked] == [a.id, b.id]
    assert empty == []


async def test_paid_unmatched_before_takes_only_old_paid_orders_outside_groups(
    uow: SqlaUnitOfWorkFactory,
) -> None:
    user, product = await new_user(uow), await new_product(uow)
    oldest = await new_order(uow, user, product, state=OrderState.PAID, when=at(0))
    old = await new_order(uow, user, product, state=OrderState.PAID, when=at(1), group_id=0)
    await new_order(uow, user, product, state=OrderState.PAID, when=at(2))  # limit
    await new_order(uow, user, product, state=OrderState.PAID, when=at(100))  # too recent
    await new_order(uow, user, product, state=OrderState.MATCHED, when=at(0), group_id=9)
    await new_order(uow, user, product, state=OrderState.PAYMENT_PENDING, when=at(0))
    await new_order(uow, user, product, state=OrderState.REFUNDED, when=at(0))

    async with uow() as tx:
        found = await tx.orders.paid_unmatched_before(at(50), limit=2)

    assert [o.id for o in found] == [oldest.id, old.id]


async def test_a_locked_read_refreshes_an_order_already_in_the_session(
    concurrent_uow: SqlaUnitOfWorkFactory,
) -> None:
    uow = concurrent_uow
    order = await new_order(uow, await new_user(uow), await new_product(uow))

    async with uow() as tx:
        stale_copy = await tx.orders.get(order.id or 0)
        assert stale_copy is not None
        async with uow() as other:
            changed = await other.orders.get(order.id or 0)
            assert changed is not None
            changed.mark_paid(at(1))
            await other.commit()
        locked = await tx.orders.get(order.id or 0, for_update=True)

    assert locked is stale_copy
    assert locked.state is OrderState.PAID

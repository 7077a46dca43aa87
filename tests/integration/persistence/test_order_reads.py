"""SqlaOrderReads: an order with its payment, and a group with its members, in one query each."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.outbound.persistence.engine import session_factory
from adapters.outbound.persistence.reads import SqlaOrderReads
from adapters.outbound.persistence.unit_of_work import SqlaUnitOfWorkFactory
from domain.group import Group, GroupState
from domain.order import OrderState
from domain.payment import PaymentState
from tests.integration.persistence.factories import (
    T0,
    new_order,
    new_payment,
    new_product,
    new_user,
)

pytestmark = pytest.mark.anyio


@pytest.fixture
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine.sync_engine, "before_cursor_execute", record)


async def test_an_order_is_read_with_its_payment_in_one_select(
    uow: SqlaUnitOfWorkFactory, engine: AsyncEngine, statements: list[str]
) -> None:
    user, product = await new_user(uow), await new_product(uow)
    order = await new_order(uow, user, product, state=OrderState.PAID)
    await new_payment(uow, order, state=PaymentState.APPROVED)
    unpaid = await new_order(uow, user, product)
    statements.clear()

    found = await SqlaOrderReads(session_factory(engine)).order_with_payment(order.id or 0)

    assert len(statements) == 1
    assert found is not None and found.order.id == order.id
    assert found.payment is not None and found.payment.state is PaymentState.APPROVED
    without = await SqlaOrderReads(session_factory(engine)).order_with_payment(unpaid.id or 0)
    assert without is not None and without.payment is None
    assert await SqlaOrderReads(session_factory(engine)).order_with_payment(999) is None


async def test_a_group_is_read_with_its_members_and_payments_in_one_select(
    uow: SqlaUnitOfWorkFactory, engine: AsyncEngine, statements: list[str]
) -> None:
    product = await new_product(uow)
    members = []
    for name in ("kim", "lee", "park"):
        order = await new_order(
            uow, await new_user(uow, name), product, state=OrderState.MATCHED, group_id=5
        )
        await new_payment(uow, order, state=PaymentState.APPROVED)
        members.append(order)
    async with uow() as tx:
        await tx.groups.add(Group(5, product.id or 0, 3, GroupState.MATCHED, T0, T0))
        await tx.groups.add(Group(6, product.id or 0, 0, GroupState.MATCHED, T0, T0))
        await tx.commit()
    statements.clear()

    found = await SqlaOrderReads(session_factory(engine)).group_with_members(5)

    assert len(statements) == 1
    assert found is not None and found.group.id == 5
    assert [m.order.id for m in found.members] == [o.id for o in members]
    assert all(m.payment is not None for m in found.members)
    empty = await SqlaOrderReads(session_factory(engine)).group_with_members(6)
    assert empty is not None and empty.members == []
    assert await SqlaOrderReads(session_factory(engine)).group_with_members(7) is None

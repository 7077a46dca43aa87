from __future__ import annotations

import pytest

from adapters.outbound.persistence.unit_of_work import SqlaUnitOfWorkFactory
from domain.errors import Conflict
from domain.group import Group, GroupState
from domain.order import OrderState
from tests.integration.persistence.factories import T0, at, new_order, new_product, new_user

pytestmark = pytest.mark.anyio


async def test_matching_a_group_saves_the_group_and_its_members_together(
    uow: SqlaUnitOfWorkFactory,
) -> None:
    user, product = await new_user(uow), await new_product(uow)
    ids = [(await new_order(uow, user, product, state=OrderState.PAID)).id or 0 for _ in range(2)]

    async with uow() as tx:
        members = await tx.orders.many(ids, for_update=True)
        group = Group.match(41, ids, members, at(1))
        await tx.groups.add(group)
        await tx.commit()

    async with uow() as tx:
        loaded = await tx.groups.get(41, for_update=True)
        joined = await tx.orders.of_group(41)

    assert loaded is not None
    assert (loaded.id, loaded.product_id, loaded.size, loaded.state) == (
        41,
        product.id,
        2,
        GroupState.MATCHED,
    )
    assert (loaded.created_at, loaded.updated_at) == (at(1), at(1))
    assert [(o.id, o.state) for o in joined] == [(i, OrderState.MATCHED) for i in ids]


async def test_an_unknown_group_is_none(uow: SqlaUnitOfWorkFactory) -> None:
    async with uow() as tx:
        assert await tx.groups.get(404) is None


async def test_a_reused_group_id_is_a_conflict(uow: SqlaUnitOfWorkFactory) -> None:
    product = await new_product(uow)
    group = Group(7, product.id or 0, 2, GroupState.MATCHED, T0, T0)
    async with uow() as tx:
        await tx.groups.add(group)
        await tx.commit()

    with pytest.raises(Conflict, match="groupId"):
        async with uow() as tx:
            await tx.groups.add(Group(7, product.id or 0, 3, GroupState.MATCHED, T0, T0))

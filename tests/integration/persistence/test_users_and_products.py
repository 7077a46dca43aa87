from __future__ import annotations

import pytest

from adapters.outbound.persistence.unit_of_work import SqlaUnitOfWorkFactory
from domain.order import OrderState
from tests.integration.persistence.factories import T0, at, new_order, new_product, new_user

pytestmark = pytest.mark.anyio


async def test_a_user_is_given_an_id_on_add_and_reads_back_equal(
    uow: SqlaUnitOfWorkFactory,
) -> None:
    user = await new_user(uow, "박지성")

    async with uow() as tx:
        loaded = await tx.users.get(user.id or 0)

    assert user.id is not None
    assert loaded is not None
    assert (loaded.id, loaded.name, loaded.created_at, loaded.updated_at) == (
        user.id,
        "박지성",
        T0,
        T0,
    )


async def test_an_unknown_user_is_none(uow: SqlaUnitOfWorkFactory) -> None:
    async with uow() as tx:
        assert await tx.users.get(404) is None


async def test_a_product_reads_back_with_its_options_in_order(uow: SqlaUnitOfWorkFactory) -> None:
    product = await new_product(uow, price=12_300)

    async with uow() as tx:
        loaded = await tx.products.get(product.id or 0)

    assert loaded is not None
    assert (loaded.name, loaded.price, loaded.created_at) == ("rice 10kg", 12_300, T0)
    assert [(o.name, o.extra_price, o.product_id) for o in loaded.options] == [
        ("brown", 2_000, product.id),
        ("white", 0, product.id),
    ]
    assert all(o.id for o in loaded.options)
    assert loaded.unit_price(loaded.options[0].id or 0) == 14_300


async def test_an_unknown_product_is_none(uow: SqlaUnitOfWorkFactory) -> None:
    async with uow() as tx:
        assert await tx.products.get(404) is None


async def test_buyers_of_a_product_are_the_distinct_users_with_a_live_order_newest_first(
    uow: SqlaUnitOfWorkFactory,
) -> None:
    product, other_product = await new_product(uow), await new_product(uow)
    old = await new_user(uow, "old", when=at(0))
    new = await new_user(uow, "new", when=at(60))
    pending_only = await new_user(uow, "pending", when=at(120))
    refunded_only = await new_user(uow, "refunded", when=at(180))
    elsewhere = await new_user(uow, "elsewhere", when=at(240))
    await new_order(uow, old, product, state=OrderState.PAID)
    await new_order(uow, old, product, state=OrderState.CONFIRMED)
    await new_order(uow, new, product, state=OrderState.MATCHED)
    await new_order(uow, pending_only, product, state=OrderState.PAYMENT_PENDING)
    await new_order(uow, refunded_only, product, state=OrderState.REFUNDED)
    await new_order(uow, elsewhere, other_product, state=OrderState.PAID)

    async with uow() as tx:
        buyers = await tx.users.buyers_of_product(product.id or 0)

    assert [u.id for u in buyers] == [new.id, old.id]

"""AddProduct and RegisterUser."""

from __future__ import annotations

import pytest

from application.catalog import AddProductCommand
from domain.errors import InvalidInput
from tests.unit.fakes import T0, Shop

pytestmark = pytest.mark.anyio


@pytest.fixture
def shop() -> Shop:
    return Shop()


async def test_adding_a_product_stores_it_with_ids_for_it_and_its_options(shop: Shop) -> None:
    product = await shop.add_product.execute(
        AddProductCommand(name=" apples ", price=10_000, options=[("large", 2_000), ("xl", 4_000)])
    )

    assert product.id is not None
    assert all(o.id is not None and o.product_id == product.id for o in product.options)
    stored = shop.db.tables.products[product.id]
    assert (stored.name, stored.price, stored.created_at) == ("apples", 10_000, T0)
    assert [(o.id, o.name, o.extra_price) for o in stored.options] == [
        (o.id, o.name, o.extra_price) for o in product.options
    ]
    assert shop.db.committed == 1


async def test_two_products_get_different_ids(shop: Shop) -> None:
    first = await shop.add_product.execute(AddProductCommand(name="a", price=1))
    second = await shop.add_product.execute(AddProductCommand(name="b", price=1))

    assert first.id != second.id


async def test_an_invalid_product_is_refused_and_nothing_is_stored(shop: Shop) -> None:
    with pytest.raises(InvalidInput):
        await shop.add_product.execute(AddProductCommand(name="apples", price=0))

    assert shop.db.tables.products == {}
    assert shop.db.committed == 0


async def test_registering_a_user_stores_them_with_an_id(shop: Shop) -> None:
    user = await shop.register_user.execute("  Kim ")

    assert user.id is not None
    stored = shop.db.tables.users[user.id]
    assert (stored.name, stored.created_at, stored.updated_at) == ("Kim", T0, T0)


async def test_a_user_without_a_name_is_refused_and_nothing_is_stored(shop: Shop) -> None:
    with pytest.raises(InvalidInput):
        await shop.register_user.execute("   ")

    assert shop.db.tables.users == {}

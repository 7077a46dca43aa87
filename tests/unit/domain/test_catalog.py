"""Products, options and users: the catalog's creation rules."""

from __future__ import annotations

import pytest

from domain.catalog import MAX_PRICE, Product, ProductOption
from domain.errors import InvalidInput, NotFound
from domain.user import MAX_NAME_LENGTH, User
from tests.unit.fakes import T0


def test_a_product_is_created_with_trimmed_names_and_its_options() -> None:
    product = Product.create("  apples ", 10_000, [(" large ", 2_000), ("small", 0)], T0)

    assert product.name == "apples"
    assert product.price == 10_000
    assert product.created_at == T0
    assert [(o.name, o.extra_price) for o in product.options] == [("large", 2_000), ("small", 0)]
    assert product.id is None


def test_a_product_without_options_is_accepted() -> None:
    assert Product.create("pears", 1, [], T0).options == []


@pytest.mark.parametrize("name", ["", "   "])
def test_a_product_without_a_name_is_refused(name: str) -> None:
    with pytest.raises(InvalidInput, match="name"):
        Product.create(name, 1_000, [], T0)


@pytest.mark.parametrize("price", [0, -1, MAX_PRICE + 1])
def test_a_price_out_of_bounds_is_refused(price: int) -> None:
    with pytest.raises(InvalidInput, match="price"):
        Product.create("apples", price, [], T0)


@pytest.mark.parametrize("price", [1, MAX_PRICE])
def test_a_price_at_its_bounds_is_accepted(price: int) -> None:
    assert Product.create("apples", price, [], T0).price == price


def test_an_option_without_a_name_is_refused() -> None:
    with pytest.raises(InvalidInput, match="option"):
        Product.create("apples", 1_000, [("large", 10), (" ", 10)], T0)


@pytest.mark.parametrize("extra", [-1, MAX_PRICE + 1])
def test_an_extra_price_out_of_bounds_is_refused(extra: int) -> None:
    with pytest.raises(InvalidInput, match="extraPrice"):
        Product.create("apples", 1_000, [("large", extra)], T0)


@pytest.mark.parametrize("extra", [0, MAX_PRICE])
def test_an_extra_price_at_its_bounds_is_accepted(extra: int) -> None:
    assert Product.create("apples", 1_000, [("large", extra)], T0).options[0].extra_price == extra


def stored_product() -> Product:
    return Product(
        "apples",
        10_000,
        T0,
        [ProductOption("large", 2_000, id=5), ProductOption("huge", 4_000, id=6)],
        id=1,
    )


def test_option_zero_is_no_option_and_costs_the_bare_price() -> None:
    product = stored_product()

    assert product.option(0) is None
    assert product.unit_price(0) == 10_000


def test_a_known_option_is_found_and_adds_its_extra_price() -> None:
    product = stored_product()

    assert product.option(6) is product.options[1]
    assert product.unit_price(6) == 14_000


@pytest.mark.parametrize("option_id", [4, 7, -5])
def test_an_unknown_option_id_names_the_product_and_the_option(option_id: int) -> None:
    with pytest.raises(NotFound) as raised:
        stored_product().unit_price(option_id)

    assert "product 1" in raised.value.message
    assert str(option_id) in raised.value.message


def test_an_option_of_another_product_is_not_found() -> None:
    other = ProductOption("other", 1, id=99, product_id=2)
    assert other.id is not None
    with pytest.raises(NotFound):
        stored_product().option(other.id)


def test_a_user_is_registered_with_a_trimmed_name() -> None:
    user = User.register("  Kim Minji ", T0)

    assert user.name == "Kim Minji"
    assert user.created_at == user.updated_at == T0
    assert user.id is None


@pytest.mark.parametrize("name", ["", "  ", "x" * (MAX_NAME_LENGTH + 1)])
def test_a_user_name_that_is_empty_or_too_long_is_refused(name: str) -> None:
    with pytest.raises(InvalidInput):
        User.register(name, T0)


def test_a_user_name_of_the_maximum_length_is_accepted() -> None:
    assert User.register("x" * MAX_NAME_LENGTH, T0).name == "x" * MAX_NAME_LENGTH

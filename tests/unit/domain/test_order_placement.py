"""Placing an order: the amount comes from the catalog, and the inputs stay within bounds."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.catalog import MAX_PRICE, Product, ProductOption
from domain.errors import InvalidInput, NotFound
from domain.order import MAX_QUANTITY, MAX_SHARE, Order, OrderState
from domain.pay_type import PayType
from tests.unit.fakes import T0, order_in


def apples(price: int = 10_000, extra: int = 2_500) -> Product:
    return Product(
        name="apples",
        price=price,
        created_at=T0,
        options=[ProductOption("large", extra, id=11, product_id=1)],
        id=1,
    )


def place(product: Product | None = None, **overrides: Any) -> Order:
    args: dict[str, Any] = {
        "user_id": 3,
        "product": product or apples(),
        "product_option_id": 0,
        "quantity": 1,
        "min_share": 1,
        "max_share": 0,
        "pay_type": PayType.NAVER_PAY,
        "transaction_id": "tx-9",
        "at": T0,
    }
    args.update(overrides)
    return Order.place(**args)


def test_a_placed_order_waits_for_its_payment_with_the_given_details() -> None:
    order = place(product_option_id=11, quantity=2, min_share=2, max_share=5)

    assert order.state is OrderState.PAYMENT_PENDING
    assert (order.user_id, order.product_id, order.product_option_id) == (3, 1, 11)
    assert (order.quantity, order.min_share, order.max_share) == (2, 2, 5)
    assert order.pay_type is PayType.NAVER_PAY
    assert order.transaction_id == "tx-9"
    assert order.created_at == order.updated_at == T0
    assert order.group_id is None
    assert order.id is None


@given(
    price=st.integers(1, MAX_PRICE),
    extra=st.integers(0, MAX_PRICE),
    quantity=st.integers(1, MAX_QUANTITY),
)
def test_trans_amount_is_price_plus_extra_price_times_quantity(
    price: int, extra: int, quantity: int
) -> None:
    order = place(apples(price, extra), product_option_id=11, quantity=quantity)

    assert order.trans_amount == (price + extra) * quantity


def test_option_zero_means_the_product_without_option() -> None:
    assert place(apples(10_000, 2_500), product_option_id=0, quantity=3).trans_amount == 30_000


def test_an_option_of_the_product_adds_its_extra_price() -> None:
    assert place(apples(10_000, 2_500), product_option_id=11, quantity=3).trans_amount == 37_500


@pytest.mark.parametrize("option_id", [12, 99, -1])
def test_an_unknown_option_id_is_not_found(option_id: int) -> None:
    with pytest.raises(NotFound, match=str(option_id)):
        place(product_option_id=option_id)


@pytest.mark.parametrize("quantity", [1, 2, MAX_QUANTITY])
def test_a_quantity_within_bounds_is_accepted(quantity: int) -> None:
    assert place(quantity=quantity).quantity == quantity


@pytest.mark.parametrize("quantity", [0, -1, MAX_QUANTITY + 1])
def test_a_quantity_out_of_bounds_is_refused(quantity: int) -> None:
    with pytest.raises(InvalidInput, match="quantity"):
        place(quantity=quantity)


@pytest.mark.parametrize("min_share", [0, -3, MAX_SHARE + 1])
def test_a_min_share_out_of_bounds_is_refused(min_share: int) -> None:
    with pytest.raises(InvalidInput, match="minShare"):
        place(min_share=min_share, max_share=0)


@pytest.mark.parametrize("max_share", [-1, MAX_SHARE + 1])
def test_a_max_share_out_of_bounds_is_refused(max_share: int) -> None:
    with pytest.raises(InvalidInput, match="maxShare"):
        place(max_share=max_share)


def test_max_share_below_min_share_is_refused() -> None:
    with pytest.raises(InvalidInput, match="at least minShare"):
        place(min_share=5, max_share=4)


@pytest.mark.parametrize(("min_share", "max_share"), [(5, 5), (1, MAX_SHARE), (MAX_SHARE, 0)])
def test_share_bounds_at_their_limits_are_accepted(min_share: int, max_share: int) -> None:
    order = place(min_share=min_share, max_share=max_share)

    assert (order.min_share, order.max_share) == (min_share, max_share)


@given(size=st.integers(7, 1_000_000))
def test_max_share_zero_accepts_any_group_from_min_share_up(size: int) -> None:
    assert order_in(OrderState.PAID, min_share=7, max_share=0).accepts_group_size(size)


@given(min_share=st.integers(1, 50), max_share=st.integers(1, 50), size=st.integers(0, 60))
def test_a_group_size_is_accepted_exactly_between_min_and_max_share(
    min_share: int, max_share: int, size: int
) -> None:
    order = order_in(OrderState.PAID, min_share=min_share, max_share=max_share)

    assert order.accepts_group_size(size) is (min_share <= size <= max_share)


def test_a_group_smaller_than_min_share_is_not_accepted_even_without_upper_bound() -> None:
    assert not order_in(OrderState.PAID, min_share=3, max_share=0).accepts_group_size(2)

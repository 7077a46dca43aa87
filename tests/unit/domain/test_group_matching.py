"""The matcher's groups: every rule of DESIGN.md, each violation naming the offending orders."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import pytest

from domain.errors import GroupRuleViolation, InvalidInput
from domain.group import Group, GroupState
from domain.order import Order, OrderState
from tests.unit.fakes import T0, order_in

AT = T0 + timedelta(hours=1)


def paid(order_id: int, **overrides: Any) -> Order:
    args: dict[str, Any] = {"id": order_id, "transaction_id": f"tx-{order_id}"}
    args.update(overrides)
    return order_in(OrderState.PAID, **args)


def match(orders: Sequence[Order], ids: Sequence[int] | None = None, group_id: int = 9) -> Group:
    requested = list(ids) if ids is not None else [o.id or 0 for o in orders]
    return Group.match(group_id, requested, list(orders), AT)


def violation(orders: Sequence[Order], ids: Sequence[int] | None = None) -> GroupRuleViolation:
    with pytest.raises(GroupRuleViolation) as raised:
        match(orders, ids)
    return raised.value


def test_paid_orders_of_one_product_form_a_matched_group() -> None:
    orders = [paid(1, product_id=4), paid(2, product_id=4), paid(3, product_id=4)]

    group = match(orders)

    assert (group.id, group.product_id, group.size) == (9, 4, 3)
    assert group.state is GroupState.MATCHED
    assert group.created_at == group.updated_at == AT
    assert [(o.state, o.group_id, o.updated_at) for o in orders] == [
        (OrderState.MATCHED, 9, AT)
    ] * 3


@pytest.mark.parametrize("group_id", [0, -1])
def test_a_group_id_that_is_not_positive_is_refused(group_id: int) -> None:
    with pytest.raises(InvalidInput, match="groupId"):
        Group.match(group_id, [1], [paid(1)], AT)


def test_an_empty_order_list_is_refused() -> None:
    with pytest.raises(InvalidInput, match="orderIdList"):
        Group.match(9, [], [], AT)


def test_a_missing_order_is_named() -> None:
    error = violation([paid(1), paid(3)], ids=[1, 2, 3, 8])

    assert error.order_ids == [2, 8]
    assert "2" in error.message and "8" in error.message


@pytest.mark.parametrize(
    "state", [s for s in OrderState if s is not OrderState.PAID and s is not OrderState.MATCHED]
)
def test_an_order_that_is_not_paid_is_named(state: OrderState) -> None:
    orders = [paid(1), order_in(state, id=2, transaction_id="tx-2"), paid(3)]

    error = violation(orders)

    assert error.order_ids == [2]
    assert "not PAID" in error.message
    assert orders[0].state is OrderState.PAID


def test_an_order_in_another_group_is_named() -> None:
    taken = order_in(OrderState.MATCHED, id=2, transaction_id="tx-2", group_id=5)

    error = violation([paid(1), taken])

    assert error.order_ids == [2]
    assert "another group" in error.message


def test_a_paid_order_still_carrying_another_group_id_is_named() -> None:
    error = violation([paid(1), paid(2, group_id=5)])

    assert error.order_ids == [2]


def test_orders_of_different_products_are_named() -> None:
    orders = [paid(1, product_id=4), paid(2, product_id=5), paid(3, product_id=4)]

    error = violation(orders)

    assert error.order_ids == [2]
    assert "another product" in error.message


def test_a_group_smaller_than_a_members_min_share_names_that_member() -> None:
    orders = [paid(1, min_share=2), paid(2, min_share=3), paid(3, min_share=4)]

    error = violation(orders)

    assert error.order_ids == [3]
    assert "minShare/maxShare" in error.message


def test_a_group_larger_than_a_members_max_share_names_that_member() -> None:
    orders = [paid(1, max_share=2), paid(2, max_share=3), paid(3, max_share=0)]

    error = violation(orders)

    assert error.order_ids == [1]


def test_every_member_whose_shares_refuse_the_size_is_named() -> None:
    orders = [paid(1, min_share=5), paid(2, max_share=1), paid(3, min_share=2, max_share=2)]

    error = violation(orders)

    assert error.order_ids == [1, 2, 3]


def test_a_group_of_exactly_min_share_and_max_share_is_accepted() -> None:
    group = match([paid(1, min_share=2, max_share=2), paid(2, min_share=1, max_share=0)])

    assert group.size == 2


def test_an_order_listed_twice_is_named() -> None:
    error = violation([paid(1), paid(2)], ids=[1, 2, 1])

    assert error.order_ids == [1]
    assert "more than once" in error.message


def test_a_refused_match_moves_no_order() -> None:
    orders = [paid(1, product_id=4), paid(2, product_id=4), paid(3, min_share=9, product_id=4)]

    violation(orders)

    assert [(o.state, o.group_id) for o in orders] == [(OrderState.PAID, None)] * 3

"""A group ends either EXPIRED or SETTLEMENT_READY, never both."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.errors import IllegalTransition
from domain.group import Group, GroupState
from domain.order import Order, OrderState
from tests.unit.fakes import T0, order_in

LATER = T0 + timedelta(days=3)


def group_in(state: GroupState, size: int = 2) -> Group:
    return Group(id=9, product_id=1, size=size, state=state, created_at=T0, updated_at=T0)


def members(*states: OrderState) -> list[Order]:
    return [
        order_in(s, id=i, transaction_id=f"tx-{i}", group_id=9) for i, s in enumerate(states, 1)
    ]


def test_a_matched_group_expires() -> None:
    group = group_in(GroupState.MATCHED)

    group.expire(LATER)

    assert group.state is GroupState.EXPIRED
    assert group.updated_at == LATER


def test_a_group_whose_members_all_confirmed_becomes_settlement_ready() -> None:
    group = group_in(GroupState.MATCHED)

    group.mark_settlement_ready(members(OrderState.CONFIRMED, OrderState.CONFIRMED), LATER)

    assert group.state is GroupState.SETTLEMENT_READY
    assert group.updated_at == LATER


@pytest.mark.parametrize(
    "other", [s for s in OrderState if s is not OrderState.CONFIRMED], ids=lambda s: s.value
)
def test_a_group_with_a_member_not_confirmed_is_not_settlement_ready(other: OrderState) -> None:
    group = group_in(GroupState.MATCHED)

    with pytest.raises(IllegalTransition):
        group.mark_settlement_ready(members(OrderState.CONFIRMED, other), LATER)

    assert group.state is GroupState.MATCHED
    assert group.updated_at == T0


def test_a_group_is_not_settlement_ready_while_members_are_missing() -> None:
    group = group_in(GroupState.MATCHED, size=3)

    with pytest.raises(IllegalTransition):
        group.mark_settlement_ready(members(OrderState.CONFIRMED, OrderState.CONFIRMED), LATER)

    assert group.state is GroupState.MATCHED


@pytest.mark.parametrize("state", [GroupState.EXPIRED, GroupState.SETTLEMENT_READY])
def test_an_ended_group_cannot_expire(state: GroupState) -> None:
    group = group_in(state)

    with pytest.raises(IllegalTransition, match=state.value):
        group.expire(LATER)

    assert group.state is state
    assert group.updated_at == T0


@pytest.mark.parametrize("state", [GroupState.EXPIRED, GroupState.SETTLEMENT_READY])
def test_an_ended_group_cannot_become_settlement_ready(state: GroupState) -> None:
    group = group_in(state)

    with pytest.raises(IllegalTransition):
        group.mark_settlement_ready(members(OrderState.CONFIRMED, OrderState.CONFIRMED), LATER)

    assert group.state is state

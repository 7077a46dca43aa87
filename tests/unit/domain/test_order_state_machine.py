"""The order state machine of DESIGN.md: every legal move, and every other move refused."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import timedelta

import pytest

from domain.errors import IllegalTransition
from domain.order import Order, OrderState
from tests.unit.fakes import T0, order_in

LATER = T0 + timedelta(minutes=5)

S = OrderState
MOVES: dict[str, Callable[[Order], None]] = {
    "mark_paid": lambda o: o.mark_paid(LATER),
    "mark_payment_failed": lambda o: o.mark_payment_failed(LATER),
    "mark_payment_cancelled": lambda o: o.mark_payment_cancelled(LATER),
    "join_group": lambda o: o.join_group(7, LATER),
    "confirm": lambda o: o.confirm(LATER),
    "start_refund": lambda o: o.start_refund(LATER),
    "mark_refunded": lambda o: o.mark_refunded(LATER),
}

# DESIGN.md, "Order states and the only legal moves".
LEGAL: dict[tuple[str, OrderState], OrderState] = {
    ("mark_paid", S.PAYMENT_PENDING): S.PAID,
    ("mark_payment_failed", S.PAYMENT_PENDING): S.PAYMENT_FAILED,
    ("mark_payment_cancelled", S.PAYMENT_PENDING): S.PAYMENT_CANCELLED,
    ("join_group", S.PAID): S.MATCHED,
    ("confirm", S.MATCHED): S.CONFIRMED,
    ("start_refund", S.PAID): S.REFUND_PENDING,
    ("start_refund", S.MATCHED): S.REFUND_PENDING,
    ("mark_refunded", S.REFUND_PENDING): S.REFUNDED,
}

ILLEGAL = [
    (move, state)
    for move, state in itertools.product(MOVES, OrderState)
    if (move, state) not in LEGAL
]


@pytest.mark.parametrize(("move", "start"), list(LEGAL), ids=lambda v: getattr(v, "value", v))
def test_a_legal_move_reaches_its_state_and_stamps_the_time(move: str, start: OrderState) -> None:
    order = order_in(start)

    MOVES[move](order)

    assert order.state is LEGAL[(move, start)]
    assert order.updated_at == LATER
    assert order.created_at == T0


@pytest.mark.parametrize(("move", "start"), ILLEGAL, ids=lambda v: getattr(v, "value", v))
def test_every_other_move_raises_illegal_transition_and_changes_nothing(
    move: str, start: OrderState
) -> None:
    order = order_in(start)

    with pytest.raises(IllegalTransition) as raised:
        MOVES[move](order)

    assert order.state is start
    assert order.updated_at == T0
    assert order.group_id is None
    assert start.value in raised.value.message


def test_joining_a_group_records_the_group_id() -> None:
    order = order_in(S.PAID)

    order.join_group(42, LATER)

    assert order.group_id == 42


@pytest.mark.parametrize(
    ("state", "live"),
    [
        (S.PAYMENT_PENDING, False),
        (S.PAID, True),
        (S.PAYMENT_FAILED, False),
        (S.PAYMENT_CANCELLED, False),
        (S.MATCHED, True),
        (S.CONFIRMED, True),
        (S.REFUND_PENDING, False),
        (S.REFUNDED, False),
    ],
)
def test_only_paid_matched_and_confirmed_orders_are_live(state: OrderState, live: bool) -> None:
    assert order_in(state).is_live is live

"""Payment and PaymentAttempt transitions: every legal one, and every other refused."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import timedelta

import pytest

from domain.errors import IllegalTransition
from domain.pay_type import PayType
from domain.payment import AttemptState, Operation, Payment, PaymentAttempt, PaymentState
from tests.unit.fakes import T0

LATER = T0 + timedelta(minutes=1)
RETRY_AT = T0 + timedelta(minutes=9)
P = PaymentState


def payment_in(state: PaymentState) -> Payment:
    payment = Payment.start(order_id=4, platform=PayType.TOSS_PAYMENTS, amount=20_000, at=T0)
    payment.state = state
    return payment


MOVES: dict[str, Callable[[Payment], None]] = {
    "begin_approval": lambda p: p.begin_approval(LATER),
    "approval_refused": lambda p: p.approval_refused(LATER),
    "approved": lambda p: p.approved("pk-1", 20_000, LATER),
    "failed": lambda p: p.failed(LATER),
    "cancelled": lambda p: p.cancelled(LATER),
    "begin_refund": lambda p: p.begin_refund(LATER),
    "refund_failed": lambda p: p.refund_failed(RETRY_AT, LATER),
    "refunded": lambda p: p.refunded(20_000, LATER),
}

LEGAL: dict[tuple[str, PaymentState], PaymentState] = {
    ("begin_approval", P.READY): P.APPROVING,
    ("approval_refused", P.APPROVING): P.READY,
    ("approved", P.READY): P.APPROVED,
    ("approved", P.APPROVING): P.APPROVED,
    ("failed", P.READY): P.FAILED,
    ("failed", P.APPROVING): P.FAILED,
    ("cancelled", P.READY): P.CANCELLED,
    ("cancelled", P.APPROVING): P.CANCELLED,
    ("begin_refund", P.APPROVED): P.REFUNDING,
    ("refund_failed", P.REFUNDING): P.REFUNDING,
    ("refunded", P.REFUNDING): P.REFUNDED,
}
ILLEGAL = [m for m in itertools.product(MOVES, PaymentState) if m not in LEGAL]


def test_a_started_payment_is_ready_for_the_orders_amount() -> None:
    payment = Payment.start(order_id=4, platform=PayType.KAKAO_PAY, amount=20_000, at=T0)

    assert (payment.order_id, payment.platform, payment.amount) == (4, PayType.KAKAO_PAY, 20_000)
    assert payment.state is P.READY
    assert payment.approved_amount == payment.refunded_amount == 0
    assert payment.platform_tx_id is None


@pytest.mark.parametrize(("move", "start"), list(LEGAL), ids=lambda v: getattr(v, "value", v))
def test_a_legal_payment_move_reaches_its_state(move: str, start: PaymentState) -> None:
    payment = payment_in(start)

    MOVES[move](payment)

    assert payment.state is LEGAL[(move, start)]
    assert payment.updated_at == LATER


@pytest.mark.parametrize(("move", "start"), ILLEGAL, ids=lambda v: getattr(v, "value", v))
def test_every_other_payment_move_raises_and_changes_nothing(
    move: str, start: PaymentState
) -> None:
    payment = payment_in(start)

    with pytest.raises(IllegalTransition):
        MOVES[move](payment)

    assert payment.state is start
    assert payment.updated_at == T0
    assert payment.approved_amount == payment.refunded_amount == payment.refund_failures == 0


def test_an_approval_records_the_platform_id_amount_and_time() -> None:
    payment = payment_in(P.APPROVING)

    payment.approved("pk-7", 19_000, LATER)

    assert (payment.platform_tx_id, payment.approved_amount) == ("pk-7", 19_000)
    assert payment.approved_at == LATER
    assert payment.refundable_amount == 19_000


@pytest.mark.parametrize("end", ["failed", "cancelled"])
def test_a_failed_or_cancelled_payment_records_when_it_ended(end: str) -> None:
    payment = payment_in(P.READY)

    MOVES[end](payment)

    assert payment.cancelled_at == LATER


def test_beginning_a_refund_makes_it_due_at_once() -> None:
    payment = payment_in(P.READY)
    payment.approved("pk-1", 20_000, T0)

    payment.begin_refund(LATER)

    assert payment.next_retry_at == LATER


def test_each_refund_failure_is_counted_with_its_next_retry_time() -> None:
    payment = payment_in(P.REFUNDING)

    payment.refund_failed(RETRY_AT, LATER)
    payment.refund_failed(RETRY_AT + timedelta(minutes=1), LATER)

    assert payment.refund_failures == 2
    assert payment.next_retry_at == RETRY_AT + timedelta(minutes=1)


def test_a_refund_records_the_amount_and_leaves_nothing_refundable() -> None:
    payment = payment_in(P.APPROVED)
    payment.approved_amount = 20_000
    payment.state = P.REFUNDING

    payment.refunded(20_000, LATER)

    assert payment.refunded_amount == 20_000
    assert payment.refundable_amount == 0
    assert payment.cancelled_at == LATER
    assert payment.next_retry_at is None


# --------------------------------------------------------------------------- attempts

A = AttemptState
SETTLE: dict[str, Callable[[PaymentAttempt], None]] = {
    "succeeded": lambda a: a.succeeded(LATER),
    "failed": lambda a: a.failed("refused", LATER),
    "unknown": lambda a: a.unknown("timeout", LATER),
}
SETTLED_TO = {"succeeded": A.SUCCEEDED, "failed": A.FAILED, "unknown": A.UNKNOWN}


def attempt_in(state: AttemptState) -> PaymentAttempt:
    return PaymentAttempt(
        payment_id=1,
        operation=Operation.APPROVE,
        idempotency_key="key-1",
        state=state,
        created_at=T0,
        updated_at=T0,
        id=3,
    )


@pytest.mark.parametrize(
    ("settle", "start"),
    list(itertools.product(SETTLE, [A.IN_FLIGHT, A.UNKNOWN])),
    ids=lambda v: getattr(v, "value", v),
)
def test_an_open_attempt_settles(settle: str, start: AttemptState) -> None:
    attempt = attempt_in(start)

    SETTLE[settle](attempt)

    assert attempt.state is SETTLED_TO[settle]
    assert attempt.updated_at == LATER
    assert attempt.is_open is (attempt.state is A.UNKNOWN)


@pytest.mark.parametrize(
    ("settle", "start"),
    list(itertools.product(SETTLE, [A.SUCCEEDED, A.FAILED])),
    ids=lambda v: getattr(v, "value", v),
)
def test_a_settled_attempt_cannot_settle_again(settle: str, start: AttemptState) -> None:
    attempt = attempt_in(start)

    with pytest.raises(IllegalTransition):
        SETTLE[settle](attempt)

    assert attempt.state is start


def test_failure_and_unknown_record_the_error() -> None:
    failed, lost = attempt_in(A.IN_FLIGHT), attempt_in(A.IN_FLIGHT)

    failed.failed("card refused", LATER)
    lost.unknown("read timeout", LATER)

    assert (failed.error, lost.error) == ("card refused", "read timeout")


@pytest.mark.parametrize("start", [A.UNKNOWN, A.IN_FLIGHT])
def test_retrying_an_open_attempt_keeps_its_key_and_counts_the_try(start: AttemptState) -> None:
    attempt = attempt_in(start)

    attempt.retry(LATER)

    assert attempt.state is A.IN_FLIGHT
    assert attempt.idempotency_key == "key-1"
    assert attempt.tries == 2
    assert attempt.updated_at == LATER


@pytest.mark.parametrize("start", [A.SUCCEEDED, A.FAILED])
def test_a_settled_attempt_cannot_be_retried(start: AttemptState) -> None:
    attempt = attempt_in(start)

    with pytest.raises(IllegalTransition):
        attempt.retry(LATER)

    assert (attempt.state, attempt.tries) == (start, 1)

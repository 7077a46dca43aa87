"""Review of 18cf159 ("A refused refund asks the platform"): races, errors and blind spots of
the lookup that follows a refused refund."""

from __future__ import annotations

from typing import Any

import pytest

from domain.errors import PaymentOutcomeUnknown, PaymentPlatformError, StorageUnavailable
from domain.events import EventType
from domain.order import OrderState
from domain.pay_type import PayType
from domain.payment import AttemptState, Operation, PaymentState
from domain.ports.payment_gateway import PaymentLookup, PlatformStatus
from tests.unit import fakes
from tests.unit.reconciler_shop import ReconcilerShop

pytestmark = pytest.mark.anyio

REFUNDED = PaymentLookup(PlatformStatus.REFUNDED, 30_000, 30_000, None, {"s": "CANCEL"})


@pytest.fixture
def shop() -> ReconcilerShop:
    return ReconcilerShop()


# --------------------------------------------------------------------------- races


async def test_refund_done_by_another_caller_while_this_one_asks_is_reported_refunded(
    shop: ReconcilerShop,
) -> None:
    """Request A is refused; while A asks the platform, worker B refunds successfully. One
    OrderRefunded, no IllegalTransition — but A reports the refund as failed, though the
    order is REFUNDED (cancel API answers an error; reconciler counts it unresolved)."""
    order = await shop.refund_pending(quantity=3)
    order_id = order.id or 0
    kakao = shop.gateway(PayType.KAKAO_PAY)
    kakao.script("refund", PaymentPlatformError("KAKAO_PAY", "busy"))
    kakao.script("lookup", REFUNDED)
    other: list[Any] = []

    async def worker_refunds_meanwhile() -> None:
        other.append(await shop.refund.execute(order_id))

    kakao.hooks["lookup"] = worker_refunds_meanwhile

    outcome = await shop.refund.execute(order_id)

    assert other[0].refunded
    assert shop.db.order(order_id).state is OrderState.REFUNDED
    assert len(shop.db.events(EventType.ORDER_REFUNDED)) == 1
    # The finding: the order IS refunded, yet this caller says it is not.
    assert outcome.refunded, outcome


async def test_two_refused_callers_asking_at_once_confirm_once(shop: ReconcilerShop) -> None:
    order = await shop.refund_pending(quantity=3)
    order_id = order.id or 0
    kakao = shop.gateway(PayType.KAKAO_PAY)
    kakao.script(
        "refund",
        PaymentPlatformError("KAKAO_PAY", "more than was paid"),
        PaymentPlatformError("KAKAO_PAY", "more than was paid"),
    )
    kakao.script("lookup", REFUNDED, REFUNDED)
    other: list[Any] = []

    async def second_caller_meanwhile() -> None:
        other.append(await shop.refund.execute(order_id))

    kakao.hooks["lookup"] = second_caller_meanwhile

    first = await shop.refund.execute(order_id)

    assert other[0].refunded
    assert len(shop.db.events(EventType.ORDER_REFUNDED)) == 1
    payment = shop.db.payment_of(order_id)
    assert (payment.state, payment.refunded_amount) == (PaymentState.REFUNDED, 30_000)
    assert first.refunded, first  # same false-failure report as above


# --------------------------------------------------------------------------- lookup errors


@pytest.mark.parametrize(
    "error",
    [
        PaymentOutcomeUnknown("KAKAO_PAY", "read timeout"),
        PaymentPlatformError("KAKAO_PAY", "unknown tid"),
    ],
)
async def test_a_lookup_that_fails_leaves_the_refund_pending_with_its_backoff(
    shop: ReconcilerShop, error: Exception
) -> None:
    order = await shop.refund_pending(quantity=3)
    order_id = order.id or 0
    kakao = shop.gateway(PayType.KAKAO_PAY)
    kakao.script("refund", PaymentPlatformError("KAKAO_PAY", "busy"))
    kakao.script("lookup", error)

    outcome = await shop.refund.execute(order_id)

    assert not outcome.refunded
    payment = shop.db.payment_of(order_id)
    assert (payment.state, payment.refund_failures) == (PaymentState.REFUNDING, 1)
    assert payment.next_retry_at is not None and payment.next_retry_at > shop.clock.now()


async def test_storage_lost_while_settling_the_lookup_leaves_the_refund_pending(
    shop: ReconcilerShop, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = await shop.refund_pending(quantity=3)
    order_id = order.id or 0
    kakao = shop.gateway(PayType.KAKAO_PAY)
    kakao.script("refund", PaymentPlatformError("KAKAO_PAY", "busy"))
    kakao.script("lookup", REFUNDED)
    real_commit = fakes.FakeUnitOfWork.commit
    armed: list[bool] = []

    async def commit(self: Any) -> None:
        if armed:
            armed.clear()
            raise StorageUnavailable("database went away")
        await real_commit(self)

    async def arm() -> None:
        armed.append(True)

    monkeypatch.setattr(fakes.FakeUnitOfWork, "commit", commit)
    kakao.hooks["lookup"] = arm

    outcome = await shop.refund.execute(order_id)

    assert not outcome.refunded
    payment = shop.db.payment_of(order_id)
    assert (payment.state, payment.refund_failures) == (PaymentState.REFUNDING, 1)
    assert shop.db.events(EventType.ORDER_REFUNDED) == []


async def test_a_lookup_that_breaks_does_not_stop_the_reconcilers_other_refunds(
    shop: ReconcilerShop,
) -> None:
    """A refused refund now calls `lookup`; an adapter bug there (Toss: a 200 whose JSON is
    not an object -> AttributeError, see test_review_refund_lookup_adapters) escapes
    RefundPayment, and the reconciler only catches DomainError: the whole pass dies and the
    other due refunds (and orphans) are not retried."""
    first = await shop.refund_pending(quantity=3)
    second = await shop.refund_pending(quantity=3)
    kakao = shop.gateway(PayType.KAKAO_PAY)
    kakao.script("refund", PaymentPlatformError("KAKAO_PAY", "busy"))  # first order
    kakao.script("lookup", AttributeError("'list' object has no attribute 'get'"))
    shop.clock.advance(shop.policy.reconcile_after + shop.policy.lease)

    report = await shop.reconcile.execute()

    assert report.unresolved >= 1
    assert shop.db.order(second.id or 0).state is OrderState.REFUNDED
    assert shop.db.payment_of(first.id or 0).state is PaymentState.REFUNDING


# --------------------------------------------------------------------------- Open Banking


async def test_open_banking_ask_after_a_refused_refund_names_the_refund_attempt(
    shop: ReconcilerShop,
) -> None:
    """Open Banking's lookup sees a refund (a separate deposit) only when given the refund
    attempt's call. The ask passes none (`_call_to_ask` takes APPROVE/CHECKOUT only), so for
    Open Banking the new path can never find a refund done: it is dead code there."""
    order = await shop.refund_pending(pay_type=PayType.OPEN_BANKING, quantity=3)
    order_id = order.id or 0
    bank = shop.gateway(PayType.OPEN_BANKING)
    bank.script(
        "refund",
        PaymentOutcomeUnknown("OPEN_BANKING", "read timeout"),
        PaymentPlatformError("OPEN_BANKING", "result inquiry refused", "O0002"),
    )

    await shop.refund.execute(order_id)
    await shop.refund.execute(order_id)

    [asked] = bank.calls_of("lookup")
    [refund_attempt] = shop.db.attempts_of(order_id, Operation.REFUND)
    assert refund_attempt.state is AttemptState.FAILED
    assert asked.attempt_id == refund_attempt.id


# --------------------------------------------------------------------------- trusting the status


async def test_a_refunded_status_with_no_won_given_back_does_not_confirm(
    shop: ReconcilerShop,
) -> None:
    """_AlreadyRefunded takes `status is REFUNDED` alone and records `back or approved`: a
    lookup saying REFUNDED with 0 won back (NaverPay's `refunded >= approved` is 0 >= 0 when
    the approval's amount is unreadable; Kakao CANCEL_PAYMENT without canceled_amount) marks
    the order REFUNDED and fabricates refunded_amount = 30 000."""
    order = await shop.refund_pending(quantity=3)
    order_id = order.id or 0
    kakao = shop.gateway(PayType.KAKAO_PAY)
    kakao.script("refund", PaymentPlatformError("KAKAO_PAY", "busy"))
    kakao.script("lookup", PaymentLookup(PlatformStatus.REFUNDED, 0, 0, "T", {}))

    await shop.refund.execute(order_id)

    assert shop.db.payment_of(order_id).state is PaymentState.REFUNDING
    assert shop.db.events(EventType.ORDER_REFUNDED) == []


async def test_a_lookup_about_another_platform_payment_does_not_confirm(
    shop: ReconcilerShop,
) -> None:
    """The lookup's platform_tx_id / approved_amount are never compared with the payment's."""
    order = await shop.refund_pending(quantity=3)
    order_id = order.id or 0
    kakao = shop.gateway(PayType.KAKAO_PAY)
    kakao.script("refund", PaymentPlatformError("KAKAO_PAY", "busy"))
    kakao.script(
        "lookup", PaymentLookup(PlatformStatus.REFUNDED, 30_000, 30_000, "SOMEONE-ELSES-TID", {})
    )

    await shop.refund.execute(order_id)

    assert shop.db.payment_of(order_id).state is PaymentState.REFUNDING

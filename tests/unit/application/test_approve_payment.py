"""ApprovePayment: one approve call per payment, the amount checked, lost answers retried."""

from __future__ import annotations

from datetime import timedelta

import pytest

from application.approve_payment import ApprovePaymentCommand
from domain.errors import InvalidInput, NotFound, PaymentOutcomeUnknown, PaymentPlatformError
from domain.events import EventType
from domain.order import Order, OrderState
from domain.pay_type import PayType
from domain.payment import AttemptState, Operation, PaymentState
from domain.ports.payment_gateway import Decline
from tests.unit.fakes import Shop, approval

pytestmark = pytest.mark.anyio


@pytest.fixture
def shop() -> Shop:
    return Shop()


def redirect(order: Order, **callback: str) -> ApprovePaymentCommand:
    return ApprovePaymentCommand(
        pay_type=order.pay_type,
        transaction_id=order.transaction_id,
        callback=callback or {"pg_token": "pg-1"},
    )


async def test_an_approved_payment_makes_the_order_paid(shop: Shop) -> None:
    order = await shop.pending_order(quantity=2)

    answered = await shop.approve.execute(redirect(order))

    order_id = order.id or 0
    assert answered.state is OrderState.PAID
    assert shop.db.order(order_id).state is OrderState.PAID
    payment = shop.db.payment_of(order_id)
    assert (payment.state, payment.approved_amount) == (PaymentState.APPROVED, 20_000)
    assert payment.approved_at == shop.clock.now()
    [attempt] = shop.db.attempts_of(order_id, Operation.APPROVE)
    assert attempt.state is AttemptState.SUCCEEDED
    [call] = shop.gateway(PayType.KAKAO_PAY).calls_of("approve")
    assert call.callback == {"pg_token": "pg-1"}
    assert call.idempotency_key == attempt.idempotency_key
    paid = shop.db.events(EventType.ORDER_PAID)
    assert [e.data["orderId"] for e in paid] == [order_id]


async def test_approving_twice_calls_the_platform_once_and_answers_the_order_as_it_stands(
    shop: Shop,
) -> None:
    order = await shop.pending_order()
    await shop.approve.execute(redirect(order))
    commits = shop.db.committed

    again = await shop.approve.execute(redirect(order))

    assert again.state is OrderState.PAID
    assert len(shop.gateway(PayType.KAKAO_PAY).calls_of("approve")) == 1
    assert shop.db.committed == commits
    assert len(shop.db.events(EventType.ORDER_PAID)) == 1


async def test_a_redirect_while_another_approval_is_in_flight_does_not_call_again(
    shop: Shop,
) -> None:
    order = await shop.pending_order()
    gateway = shop.gateway(PayType.KAKAO_PAY)
    gateway.script("approve", RuntimeError("the worker died mid-call"))
    with pytest.raises(RuntimeError):
        await shop.approve.execute(redirect(order))

    answered = await shop.approve.execute(redirect(order))

    assert answered.state is OrderState.PAYMENT_PENDING
    assert len(gateway.calls_of("approve")) == 1


async def test_an_in_flight_approval_past_its_lease_is_retried_with_the_same_key(
    shop: Shop,
) -> None:
    order = await shop.pending_order()
    gateway = shop.gateway(PayType.KAKAO_PAY)
    gateway.script("approve", RuntimeError("the worker died mid-call"))
    with pytest.raises(RuntimeError):
        await shop.approve.execute(redirect(order))
    shop.clock.advance(shop.policy.lease + timedelta(seconds=1))

    answered = await shop.approve.execute(redirect(order))

    assert answered.state is OrderState.PAID
    first, second = gateway.calls_of("approve")
    assert first.idempotency_key == second.idempotency_key
    [attempt] = shop.db.attempts_of(order.id or 0, Operation.APPROVE)
    assert (attempt.tries, attempt.state) == (2, AttemptState.SUCCEEDED)


async def test_an_approval_of_another_amount_fails_the_order_and_refunds_what_was_taken(
    shop: Shop,
) -> None:
    order = await shop.pending_order()  # 10,000 won
    gateway = shop.gateway(PayType.KAKAO_PAY)
    gateway.script("approve", approval(9_000, tx="T-odd"))

    answered = await shop.approve.execute(redirect(order))

    order_id = order.id or 0
    assert answered.state is OrderState.PAYMENT_FAILED
    [refund] = gateway.calls_of("refund")
    assert refund.amount == 9_000
    assert refund.payment.platform_tx_id == "T-odd"
    payment = shop.db.payment_of(order_id)
    assert (payment.state, payment.refunded_amount) == (PaymentState.REFUNDED, 9_000)
    failed = shop.db.events(EventType.PAYMENT_FAILED)
    assert [(e.data["orderId"], e.data["approvedAmount"]) for e in failed] == [(order_id, 9_000)]
    assert shop.db.events(EventType.ORDER_PAID) == []


async def test_a_platform_refusal_leaves_the_order_waiting_for_a_genuine_redirect(
    shop: Shop,
) -> None:
    order = await shop.pending_order()
    gateway = shop.gateway(PayType.KAKAO_PAY)
    gateway.script("approve", PaymentPlatformError("KAKAO_PAY", "invalid pg_token", "-780"))

    with pytest.raises(PaymentPlatformError):
        await shop.approve.execute(redirect(order, pg_token="forged"))

    order_id = order.id or 0
    assert shop.db.order(order_id).state is OrderState.PAYMENT_PENDING
    assert shop.db.payment_of(order_id).state is PaymentState.READY
    assert shop.db.events(EventType.PAYMENT_FAILED) == []

    answered = await shop.approve.execute(redirect(order, pg_token="genuine"))

    assert answered.state is OrderState.PAID
    refused, genuine = shop.db.attempts_of(order_id, Operation.APPROVE)
    assert refused.state is AttemptState.FAILED
    assert genuine.state is AttemptState.SUCCEEDED
    first, second = gateway.calls_of("approve")
    assert first.idempotency_key != second.idempotency_key
    assert second.callback == {"pg_token": "genuine"}


async def test_an_unknown_outcome_keeps_the_attempt_open_and_the_retry_reuses_its_key(
    shop: Shop,
) -> None:
    order = await shop.pending_order()
    gateway = shop.gateway(PayType.KAKAO_PAY)
    gateway.script("approve", PaymentOutcomeUnknown("KAKAO_PAY", "read timeout"))

    with pytest.raises(PaymentOutcomeUnknown):
        await shop.approve.execute(redirect(order))

    order_id = order.id or 0
    [attempt] = shop.db.attempts_of(order_id, Operation.APPROVE)
    assert (attempt.state, attempt.error) == (AttemptState.UNKNOWN, "KAKAO_PAY: read timeout")
    assert shop.db.payment_of(order_id).state is PaymentState.APPROVING
    assert shop.db.order(order_id).state is OrderState.PAYMENT_PENDING

    answered = await shop.approve.execute(redirect(order))

    assert answered.state is OrderState.PAID
    first, second = gateway.calls_of("approve")
    assert first.idempotency_key == second.idempotency_key
    assert first.attempt_id == second.attempt_id
    [attempt] = shop.db.attempts_of(order_id, Operation.APPROVE)
    assert (attempt.state, attempt.tries) == (AttemptState.SUCCEEDED, 2)


async def test_a_decline_from_the_platform_fails_the_order(shop: Shop) -> None:
    order = await shop.pending_order()
    gateway = shop.gateway(PayType.KAKAO_PAY)
    gateway.script("approve", Decline("card limit", cancelled_by_user=False, raw={}))

    answered = await shop.approve.execute(redirect(order))

    assert answered.state is OrderState.PAYMENT_FAILED
    assert shop.db.payment_of(order.id or 0).state is PaymentState.FAILED
    assert gateway.calls_of("refund") == []
    [event] = shop.db.events(EventType.PAYMENT_FAILED)
    assert event.data["reason"] == "card limit"


async def test_a_redirect_naming_another_pay_type_is_refused_without_a_call(shop: Shop) -> None:
    order = await shop.pending_order(pay_type=PayType.KAKAO_PAY)
    cmd = ApprovePaymentCommand(
        pay_type=PayType.TOSS_PAYMENTS, transaction_id=order.transaction_id, callback={}
    )

    with pytest.raises(InvalidInput, match="KAKAO_PAY"):
        await shop.approve.execute(cmd)

    assert shop.gateways.all_calls() == shop.gateway(PayType.KAKAO_PAY).calls_of("checkout")
    assert shop.db.order(order.id or 0).state is OrderState.PAYMENT_PENDING
    assert shop.db.attempts_of(order.id or 0, Operation.APPROVE) == []


async def test_an_unknown_transaction_is_not_found(shop: Shop) -> None:
    cmd = ApprovePaymentCommand(pay_type=PayType.KAKAO_PAY, transaction_id="nope", callback={})

    with pytest.raises(NotFound, match="nope"):
        await shop.approve.execute(cmd)


async def test_the_platform_reference_of_the_callback_is_recorded_before_approving(
    shop: Shop,
) -> None:
    order = await shop.pending_order(pay_type=PayType.TOSS_PAYMENTS)
    gateway = shop.gateway(PayType.TOSS_PAYMENTS)
    seen: list[str | None] = []
    gateway.script(
        "approve",
        lambda call: (
            seen.append(shop.db.payment_of(call.payment.order_id).platform_tx_id)
            or PaymentOutcomeUnknown("TOSS_PAYMENTS", "timeout")
        ),
    )

    with pytest.raises(PaymentOutcomeUnknown):
        await shop.approve.execute(redirect(order, paymentKey="pk-77", amount="10000"))

    [call] = gateway.calls_of("approve")
    assert call.payment.platform_tx_id == "pk-77"
    assert seen == ["pk-77"]


async def test_a_redirect_after_the_order_failed_changes_nothing(shop: Shop) -> None:
    order = await shop.pending_order()
    gateway = shop.gateway(PayType.KAKAO_PAY)
    gateway.script("approve", Decline("refused", cancelled_by_user=False, raw={}))
    await shop.approve.execute(redirect(order))

    answered = await shop.approve.execute(redirect(order))

    assert answered.state is OrderState.PAYMENT_FAILED
    assert len(gateway.calls_of("approve")) == 1


async def test_a_retried_approval_keeps_addressing_the_payment_of_the_lost_call(
    shop: Shop,
) -> None:
    order = await shop.pending_order(pay_type=PayType.TOSS_PAYMENTS)
    gateway = shop.gateway(PayType.TOSS_PAYMENTS)
    gateway.script("approve", PaymentOutcomeUnknown("TOSS_PAYMENTS", "read timeout"))
    with pytest.raises(PaymentOutcomeUnknown):
        await shop.approve.execute(redirect(order, paymentKey="pk-genuine", amount="10000"))

    answered = await shop.approve.execute(redirect(order, paymentKey="pk-other", amount="10000"))

    assert len(gateway.calls_of("approve")) == 1, "another payment must not reuse the open key"
    assert answered.state is OrderState.PAYMENT_PENDING
    assert shop.db.payment_of(order.id or 0).platform_tx_id == "pk-genuine"

"""RefundPayment: the money goes back through the order's platform, retried until confirmed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.errors import PaymentOutcomeUnknown, PaymentPlatformError
from domain.events import EventType
from domain.order import Order, OrderState
from domain.pay_type import PayType
from domain.payment import AttemptState, Operation, PaymentState
from domain.ports.payment_gateway import PaymentLookup, PlatformStatus, Refund
from tests.unit.fakes import Shop

pytestmark = pytest.mark.anyio


@pytest.fixture
def shop() -> Shop:
    return Shop()


async def refund_pending(shop: Shop, pay_type: PayType = PayType.KAKAO_PAY) -> Order:
    """A paid order whose refund has started, as an expiry leaves it."""
    order = await shop.paid_order(pay_type=pay_type, quantity=3)
    async with shop.db() as uow:
        stored = await uow.orders.get(order.id or 0)
        payment = await uow.payments.of_order(order.id or 0)
        assert stored is not None and payment is not None
        stored.start_refund(shop.clock.now())
        payment.begin_refund(shop.clock.now())
        await uow.commit()
    return stored


async def test_a_confirmed_refund_makes_the_order_refunded(shop: Shop) -> None:
    order = await refund_pending(shop)
    order_id = order.id or 0

    outcome = await shop.refund.execute(order_id, reason="group 3 expired")

    assert (outcome.order_id, outcome.refunded, outcome.error) == (order_id, True, None)
    assert shop.db.order(order_id).state is OrderState.REFUNDED
    payment = shop.db.payment_of(order_id)
    assert (payment.state, payment.refunded_amount) == (PaymentState.REFUNDED, 30_000)
    [call] = shop.gateway(PayType.KAKAO_PAY).calls_of("refund")
    assert (call.amount, call.reason) == (30_000, "group 3 expired")
    assert call.payment.platform_tx_id == payment.platform_tx_id
    [attempt] = shop.db.attempts_of(order_id, Operation.REFUND)
    assert attempt.state is AttemptState.SUCCEEDED
    assert call.idempotency_key == attempt.idempotency_key
    [event] = shop.db.events(EventType.ORDER_REFUNDED)
    assert (event.data["orderId"], event.data["refundedAmount"]) == (order_id, 30_000)
    assert event.data["state"] == "REFUNDED"


async def test_the_refund_goes_through_the_orders_own_platform(shop: Shop) -> None:
    order = await refund_pending(shop, PayType.TOSS_PAYMENTS)

    await shop.refund.execute(order.id or 0)

    assert len(shop.gateway(PayType.TOSS_PAYMENTS).calls_of("refund")) == 1
    assert shop.gateway(PayType.KAKAO_PAY).calls == []


async def test_a_refund_answer_without_an_amount_records_the_amount_asked(shop: Shop) -> None:
    order = await refund_pending(shop)
    shop.gateway(PayType.KAKAO_PAY).script("refund", Refund(0, {}))

    outcome = await shop.refund.execute(order.id or 0)

    assert outcome.refunded
    assert shop.db.payment_of(order.id or 0).refunded_amount == 30_000


async def test_a_refused_refund_stays_pending_with_a_backoff(shop: Shop) -> None:
    order = await refund_pending(shop)
    order_id = order.id or 0
    shop.gateway(PayType.KAKAO_PAY).script("refund", PaymentPlatformError("KAKAO_PAY", "busy"))

    outcome = await shop.refund.execute(order_id)

    assert (outcome.refunded, outcome.error) == (False, "KAKAO_PAY: busy")
    assert shop.db.order(order_id).state is OrderState.REFUND_PENDING
    payment = shop.db.payment_of(order_id)
    assert payment.state is PaymentState.REFUNDING
    assert payment.refund_failures == 1
    assert payment.next_retry_at == shop.clock.now() + shop.policy.refund_retry_base
    assert shop.db.events(EventType.ORDER_REFUNDED) == []


async def test_the_backoff_doubles_with_each_failure(shop: Shop) -> None:
    order = await refund_pending(shop)
    order_id = order.id or 0
    gateway = shop.gateway(PayType.KAKAO_PAY)
    gateway.script(
        "refund",
        PaymentPlatformError("KAKAO_PAY", "busy"),
        PaymentOutcomeUnknown("KAKAO_PAY", "timeout"),
    )

    await shop.refund.execute(order_id)
    await shop.refund.execute(order_id)

    payment = shop.db.payment_of(order_id)
    assert payment.refund_failures == 2
    assert payment.next_retry_at == shop.clock.now() + 2 * shop.policy.refund_retry_base


async def test_a_refund_whose_answer_was_lost_is_retried_with_the_same_key(shop: Shop) -> None:
    order = await refund_pending(shop)
    order_id = order.id or 0
    gateway = shop.gateway(PayType.KAKAO_PAY)
    gateway.script("refund", PaymentOutcomeUnknown("KAKAO_PAY", "timeout"))

    first = await shop.refund.execute(order_id)
    [attempt] = shop.db.attempts_of(order_id, Operation.REFUND)
    assert (first.refunded, attempt.state) == (False, AttemptState.UNKNOWN)
    assert shop.db.order(order_id).state is OrderState.REFUND_PENDING

    second = await shop.refund.execute(order_id)

    assert second.refunded
    one, two = gateway.calls_of("refund")
    assert one.idempotency_key == two.idempotency_key
    [attempt] = shop.db.attempts_of(order_id, Operation.REFUND)
    assert (attempt.state, attempt.tries) == (AttemptState.SUCCEEDED, 2)
    assert shop.db.order(order_id).state is OrderState.REFUNDED


async def test_a_refund_after_a_definite_failure_uses_a_new_key(shop: Shop) -> None:
    order = await refund_pending(shop)
    order_id = order.id or 0
    gateway = shop.gateway(PayType.KAKAO_PAY)
    gateway.script("refund", PaymentPlatformError("KAKAO_PAY", "refused"))

    await shop.refund.execute(order_id)
    second = await shop.refund.execute(order_id)

    assert second.refunded
    one, two = gateway.calls_of("refund")
    assert one.idempotency_key != two.idempotency_key
    failed, succeeded = shop.db.attempts_of(order_id, Operation.REFUND)
    assert (failed.state, succeeded.state) == (AttemptState.FAILED, AttemptState.SUCCEEDED)


async def test_refunding_a_refunded_order_again_calls_nobody(shop: Shop) -> None:
    order = await refund_pending(shop)
    await shop.refund.execute(order.id or 0)

    again = await shop.refund.execute(order.id or 0)

    assert again.refunded
    assert len(shop.gateway(PayType.KAKAO_PAY).calls_of("refund")) == 1
    assert len(shop.db.events(EventType.ORDER_REFUNDED)) == 1


async def test_a_payment_not_marked_for_refund_is_not_refunded(shop: Shop) -> None:
    order = await shop.paid_order()

    outcome = await shop.refund.execute(order.id or 0)

    assert (outcome.refunded, outcome.error) == (False, "payment is APPROVED")
    assert shop.gateway(PayType.KAKAO_PAY).calls_of("refund") == []
    assert shop.db.order(order.id or 0).state is OrderState.PAID


async def test_a_refund_in_flight_elsewhere_is_not_sent_twice(shop: Shop) -> None:
    order = await refund_pending(shop)
    gateway = shop.gateway(PayType.KAKAO_PAY)
    gateway.script("refund", RuntimeError("the worker died mid-call"))
    with pytest.raises(RuntimeError):
        await shop.refund.execute(order.id or 0)

    outcome = await shop.refund.execute(order.id or 0)

    assert (outcome.refunded, outcome.error) == (False, "a refund is already in progress")
    assert len(gateway.calls_of("refund")) == 1

    shop.clock.advance(shop.policy.lease + timedelta(seconds=1))
    retried = await shop.refund.execute(order.id or 0)

    assert retried.refunded
    one, two = gateway.calls_of("refund")
    assert one.idempotency_key == two.idempotency_key


async def test_a_refund_refused_after_its_lost_answer_is_found_done_by_asking(shop: Shop) -> None:
    """The platform refunded, the answer was lost, the retry was refused ("already
    cancelled"): asked, the platform reports the money back, and the order is REFUNDED without
    another refund call."""
    order = await refund_pending(shop)
    order_id = order.id or 0
    gateway = shop.gateway(PayType.KAKAO_PAY)
    gateway.script(
        "refund",
        PaymentOutcomeUnknown("KAKAO_PAY", "timeout"),
        PaymentPlatformError("KAKAO_PAY", "already cancelled"),
    )
    tx = shop.db.payment_of(order_id).platform_tx_id
    gateway.script(
        "lookup", PaymentLookup(PlatformStatus.REFUNDED, 30_000, 30_000, tx, {"s": "CANCEL"})
    )

    await shop.refund.execute(order_id)
    outcome = await shop.refund.execute(order_id)

    assert outcome.refunded
    assert shop.db.order(order_id).state is OrderState.REFUNDED
    payment = shop.db.payment_of(order_id)
    assert (payment.state, payment.refunded_amount) == (PaymentState.REFUNDED, 30_000)
    assert len(gateway.calls_of("refund")) == 2
    assert len(shop.db.events(EventType.ORDER_REFUNDED)) == 1
    assert await shop.refund.execute(order_id) == outcome
    assert len(gateway.calls_of("refund")) == 2


async def test_a_refused_refund_the_platform_has_not_made_stays_pending(shop: Shop) -> None:
    order = await refund_pending(shop)
    order_id = order.id or 0
    gateway = shop.gateway(PayType.KAKAO_PAY)
    gateway.script("refund", PaymentPlatformError("KAKAO_PAY", "busy"))
    gateway.script(
        "lookup", PaymentLookup(PlatformStatus.APPROVED, 30_000, 10_000, "T", {"s": "PART"})
    )

    outcome = await shop.refund.execute(order_id)

    assert (outcome.refunded, outcome.error) == (False, "KAKAO_PAY: busy")
    assert shop.db.order(order_id).state is OrderState.REFUND_PENDING
    assert shop.db.payment_of(order_id).state is PaymentState.REFUNDING
    assert shop.db.events(EventType.ORDER_REFUNDED) == []


async def test_a_refused_refund_whose_platform_cannot_be_asked_stays_pending(shop: Shop) -> None:
    order = await refund_pending(shop)
    order_id = order.id or 0
    gateway = shop.gateway(PayType.KAKAO_PAY)
    gateway.script("refund", PaymentPlatformError("KAKAO_PAY", "busy"))
    gateway.script("lookup", PaymentOutcomeUnknown("KAKAO_PAY", "timeout"))

    outcome = await shop.refund.execute(order_id)

    assert (outcome.refunded, outcome.error) == (False, "KAKAO_PAY: busy")
    payment = shop.db.payment_of(order_id)
    assert (payment.state, payment.refund_failures) == (PaymentState.REFUNDING, 1)

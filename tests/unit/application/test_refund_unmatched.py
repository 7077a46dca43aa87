"""RefundUnmatchedOrders: paid orders no group took in time are given their money back."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.errors import PaymentOutcomeUnknown
from domain.events import EventType
from domain.order import OrderState
from domain.pay_type import PayType
from domain.payment import PaymentState
from tests.unit.reconciler_shop import ReconcilerShop

pytestmark = pytest.mark.anyio


@pytest.fixture
def shop() -> ReconcilerShop:
    return ReconcilerShop()


async def test_a_paid_order_no_group_took_in_time_is_refunded(shop: ReconcilerShop) -> None:
    order = await shop.paid_order(quantity=2)
    order_id = order.id or 0
    shop.clock.advance(shop.policy.unmatched_refund_after + timedelta(seconds=1))

    expired = await shop.refund_unmatched.execute()

    assert expired == [order_id]
    assert shop.db.order(order_id).state is OrderState.REFUNDED
    payment = shop.db.payment_of(order_id)
    assert (payment.state, payment.refunded_amount) == (PaymentState.REFUNDED, 20_000)
    [refund] = shop.gateway(PayType.KAKAO_PAY).calls_of("refund")
    assert (refund.amount, refund.reason) == (20_000, "no group formed in time")
    assert len(shop.db.events(EventType.ORDER_REFUNDED)) == 1


async def test_matched_and_young_paid_orders_are_left_alone(shop: ReconcilerShop) -> None:
    product = await shop.product()
    first = await shop.paid_order(product=product)
    second = await shop.paid_order(product=product)
    await shop.matched_group(7, [first, second])
    shop.clock.advance(shop.policy.unmatched_refund_after - timedelta(seconds=1))
    young = await shop.paid_order(product=product)
    shop.clock.advance(timedelta(seconds=2))  # the matched ones are now old enough, if unmatched

    expired = await shop.refund_unmatched.execute()

    assert expired == []
    assert [shop.db.order(o.id or 0).state for o in (first, second, young)] == [
        OrderState.MATCHED,
        OrderState.MATCHED,
        OrderState.PAID,
    ]
    assert shop.gateway(PayType.KAKAO_PAY).calls_of("refund") == []


async def test_an_unmatched_refund_that_fails_is_left_to_the_reconciler(
    shop: ReconcilerShop,
) -> None:
    order = await shop.paid_order()
    order_id = order.id or 0
    kakao = shop.gateway(PayType.KAKAO_PAY)
    kakao.script("refund", PaymentOutcomeUnknown("KAKAO_PAY", "HTTP 503"))
    shop.clock.advance(shop.policy.unmatched_refund_after + timedelta(seconds=1))

    assert await shop.refund_unmatched.execute() == [order_id]
    assert shop.db.order(order_id).state is OrderState.REFUND_PENDING
    assert shop.db.payment_of(order_id).state is PaymentState.REFUNDING
    assert await shop.refund_unmatched.execute() == []  # no longer PAID: not taken twice

    shop.clock.advance(shop.policy.refund_retry_base)
    report = await shop.reconcile.execute()

    assert report.refunded == 1
    assert shop.db.order(order_id).state is OrderState.REFUNDED
    first, retry = kakao.calls_of("refund")
    assert retry.idempotency_key == first.idempotency_key


async def test_running_the_unmatched_job_twice_refunds_once(shop: ReconcilerShop) -> None:
    order = await shop.paid_order()
    shop.clock.advance(shop.policy.unmatched_refund_after + timedelta(seconds=1))

    await shop.refund_unmatched.execute()
    again = await shop.refund_unmatched.execute()

    assert again == []
    assert len(shop.gateway(PayType.KAKAO_PAY).calls_of("refund")) == 1
    assert shop.db.order(order.id or 0).state is OrderState.REFUNDED

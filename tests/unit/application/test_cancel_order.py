"""CancelOrder: a buyer withdraws a paid order before grouping; it is refunded exactly once."""

from __future__ import annotations

import anyio
import pytest

from application.cancel_order import CancelOrder, CancelOrderCommand
from application.confirm_purchase import ConfirmPurchaseCommand
from domain.errors import Forbidden, IllegalTransition, NotFound, PaymentOutcomeUnknown
from domain.events import EventType
from domain.order import OrderState
from domain.pay_type import PayType
from domain.payment import PaymentState
from tests.unit.fakes import Shop

pytestmark = pytest.mark.anyio


@pytest.fixture
def shop() -> Shop:
    return Shop()


def cancel_order(shop: Shop) -> CancelOrder:
    return CancelOrder(shop.db, shop.clock, shop.refund, shop.policy)


@pytest.mark.parametrize("pay_type", list(PayType))
async def test_withdrawing_a_paid_order_refunds_it_through_its_own_platform(
    shop: Shop, pay_type: PayType
) -> None:
    order = await shop.paid_order(pay_type=pay_type, quantity=3)
    order_id = order.id or 0

    withdrawal = await cancel_order(shop).execute(CancelOrderCommand(order_id=order_id))

    assert withdrawal.refund.refunded
    assert withdrawal.order.state is OrderState.REFUNDED
    assert shop.db.order(order_id).state is OrderState.REFUNDED
    payment = shop.db.payment_of(order_id)
    assert (payment.state, payment.refunded_amount) == (PaymentState.REFUNDED, 30_000)
    [refund] = shop.gateway(pay_type).calls_of("refund")
    assert refund.amount == 30_000
    assert "withdrew" in (refund.reason or "")
    assert len(shop.db.events(EventType.ORDER_REFUNDED)) == 1


async def test_withdrawing_twice_refunds_once_and_answers_the_refunded_order(shop: Shop) -> None:
    order = await shop.paid_order()
    cancel = cancel_order(shop)

    await cancel.execute(CancelOrderCommand(order_id=order.id or 0))
    again = await cancel.execute(CancelOrderCommand(order_id=order.id or 0))

    assert again.order.state is OrderState.REFUNDED
    assert len(shop.gateway(PayType.KAKAO_PAY).calls_of("refund")) == 1


async def test_two_concurrent_withdrawals_refund_once(shop: Shop) -> None:
    order = await shop.paid_order()
    cancel = cancel_order(shop)
    results = []

    async def withdraw() -> None:
        results.append(await cancel.execute(CancelOrderCommand(order_id=order.id or 0)))

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(withdraw)
        tasks.start_soon(withdraw)

    assert [r.order.state for r in results] == [OrderState.REFUNDED] * 2
    assert len(shop.gateway(PayType.KAKAO_PAY).calls_of("refund")) == 1


async def test_a_refund_the_platform_did_not_answer_stays_pending_for_the_reconciler(
    shop: Shop,
) -> None:
    order = await shop.paid_order()
    order_id = order.id or 0
    shop.gateway(PayType.KAKAO_PAY).script("refund", PaymentOutcomeUnknown("KAKAO_PAY", "timeout"))

    withdrawal = await cancel_order(shop).execute(CancelOrderCommand(order_id=order_id))

    assert not withdrawal.refund.refunded
    assert withdrawal.order.state is OrderState.REFUND_PENDING
    payment = shop.db.payment_of(order_id)
    assert payment.state is PaymentState.REFUNDING
    assert payment.next_retry_at is not None

    retried = await cancel_order(shop).execute(CancelOrderCommand(order_id=order_id))

    assert retried.order.state is OrderState.REFUNDED
    refunds = shop.gateway(PayType.KAKAO_PAY).calls_of("refund")
    assert len(refunds) == 2
    assert refunds[0].idempotency_key == refunds[1].idempotency_key


async def test_a_withdrawn_order_can_no_longer_be_grouped(shop: Shop) -> None:
    order = await shop.paid_order()
    await cancel_order(shop).execute(CancelOrderCommand(order_id=order.id or 0))

    with pytest.raises(Exception, match="not PAID"):
        await shop.matched_group(1, [order])


async def test_a_matched_order_is_refused_with_the_reason(shop: Shop) -> None:
    product = await shop.product()
    order = await shop.paid_order(product=product)
    await shop.matched_group(5, [order])

    with pytest.raises(IllegalTransition, match="group 5"):
        await cancel_order(shop).execute(CancelOrderCommand(order_id=order.id or 0))

    assert shop.db.order(order.id or 0).state is OrderState.MATCHED
    assert shop.gateway(PayType.KAKAO_PAY).calls_of("refund") == []


async def test_a_confirmed_order_is_refused(shop: Shop) -> None:
    order = await shop.paid_order()
    await shop.matched_group(5, [order])
    await shop.confirm.execute(ConfirmPurchaseCommand(order_id=order.id or 0))

    with pytest.raises(IllegalTransition, match="CONFIRMED"):
        await cancel_order(shop).execute(CancelOrderCommand(order_id=order.id or 0))

    assert shop.gateway(PayType.KAKAO_PAY).calls_of("refund") == []


async def test_a_pending_order_is_refused_as_not_paid_yet(shop: Shop) -> None:
    order = await shop.pending_order()

    with pytest.raises(IllegalTransition, match="not paid yet"):
        await cancel_order(shop).execute(CancelOrderCommand(order_id=order.id or 0))

    assert shop.db.order(order.id or 0).state is OrderState.PAYMENT_PENDING


async def test_only_the_buyer_withdraws_their_order(shop: Shop) -> None:
    buyer, other = await shop.user(), await shop.user("lee")
    order = await shop.paid_order(user_id=buyer)

    with pytest.raises(Forbidden):
        await cancel_order(shop).execute(
            CancelOrderCommand(order_id=order.id or 0, acting_user_id=other)
        )

    assert shop.db.order(order.id or 0).state is OrderState.PAID
    withdrawal = await cancel_order(shop).execute(
        CancelOrderCommand(order_id=order.id or 0, acting_user_id=buyer)
    )
    assert withdrawal.order.state is OrderState.REFUNDED


async def test_an_unknown_order_is_not_found(shop: Shop) -> None:
    with pytest.raises(NotFound):
        await cancel_order(shop).execute(CancelOrderCommand(order_id=404))

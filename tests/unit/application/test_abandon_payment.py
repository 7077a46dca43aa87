"""AbandonPayment: a fail/cancel redirect is a claim, checked with the platform first."""

from __future__ import annotations

import pytest

from application.abandon_payment import AbandonPaymentCommand
from application.approve_payment import ApprovePaymentCommand
from domain.errors import Conflict, InvalidInput, PaymentOutcomeUnknown
from domain.events import EventType
from domain.order import Order, OrderState
from domain.pay_type import PayType
from domain.payment import PaymentState
from domain.ports.payment_gateway import Checkout, PlatformStatus
from tests.unit.fakes import Shop

pytestmark = pytest.mark.anyio


@pytest.fixture
def shop() -> Shop:
    return Shop()


def abandon(
    order: Order, *, by_user: bool, pay_type: PayType | None = None
) -> AbandonPaymentCommand:
    return AbandonPaymentCommand(
        pay_type=pay_type or order.pay_type,
        transaction_id=order.transaction_id,
        cancelled_by_user=by_user,
        reason="user cancelled" if by_user else "payment failed",
    )


@pytest.mark.parametrize("status", [PlatformStatus.FAILED, PlatformStatus.NOT_FOUND])
async def test_a_fail_redirect_the_platform_confirms_fails_the_order(
    shop: Shop, status: PlatformStatus
) -> None:
    order = await shop.pending_order()
    shop.gateway(PayType.KAKAO_PAY).lookup_status = status

    answered = await shop.abandon.execute(abandon(order, by_user=False))

    assert answered.state is OrderState.PAYMENT_FAILED
    assert shop.db.order(order.id or 0).state is OrderState.PAYMENT_FAILED
    assert shop.db.payment_of(order.id or 0).state is PaymentState.FAILED
    [lookup] = shop.gateway(PayType.KAKAO_PAY).calls_of("lookup")
    assert lookup.payment.platform_tx_id == shop.db.payment_of(order.id or 0).platform_tx_id
    [event] = shop.db.events(EventType.PAYMENT_FAILED)
    assert (event.data["state"], event.data["reason"]) == ("PAYMENT_FAILED", "payment failed")


async def test_a_cancel_redirect_cancels_the_order(shop: Shop) -> None:
    order = await shop.pending_order()
    shop.gateway(PayType.KAKAO_PAY).lookup_status = PlatformStatus.CANCELLED

    answered = await shop.abandon.execute(abandon(order, by_user=True))

    assert answered.state is OrderState.PAYMENT_CANCELLED
    assert shop.db.order(order.id or 0).state is OrderState.PAYMENT_CANCELLED
    assert shop.db.payment_of(order.id or 0).state is PaymentState.CANCELLED
    [event] = shop.db.events(EventType.PAYMENT_FAILED)
    assert event.data["state"] == "PAYMENT_CANCELLED"


@pytest.mark.parametrize("status", [PlatformStatus.APPROVED, PlatformStatus.REFUNDED])
async def test_a_redirect_for_a_payment_the_platform_reports_paid_is_a_conflict(
    shop: Shop, status: PlatformStatus
) -> None:
    order = await shop.pending_order()
    shop.gateway(PayType.KAKAO_PAY).lookup_status = status
    commits, events = shop.db.committed, list(shop.db.tables.events)

    with pytest.raises(Conflict, match="paid"):
        await shop.abandon.execute(abandon(order, by_user=True))

    assert shop.db.committed == commits
    assert shop.db.order(order.id or 0).state is OrderState.PAYMENT_PENDING
    assert shop.db.payment_of(order.id or 0).state is PaymentState.READY
    assert [e.event_id for e in shop.db.tables.events] == [e.event_id for e in events]


async def test_a_redirect_for_a_payment_still_pending_on_the_platform_changes_nothing(
    shop: Shop,
) -> None:
    order = await shop.pending_order()
    shop.gateway(PayType.KAKAO_PAY).lookup_status = PlatformStatus.PENDING

    with pytest.raises(PaymentOutcomeUnknown):
        await shop.abandon.execute(abandon(order, by_user=False))

    assert shop.db.order(order.id or 0).state is OrderState.PAYMENT_PENDING
    assert shop.db.payment_of(order.id or 0).state is PaymentState.READY


async def test_without_a_platform_payment_id_the_redirect_is_recorded_without_a_lookup(
    shop: Shop,
) -> None:
    gateway = shop.gateway(PayType.NAVER_PAY)
    # NaverPay's SDK opens the payment: there is no platform id before the buyer returns.
    gateway.script("checkout", Checkout(client_data={"merchantPayKey": "x"}))
    order = await shop.pending_order(pay_type=PayType.NAVER_PAY)
    assert shop.db.payment_of(order.id or 0).platform_tx_id is None

    answered = await shop.abandon.execute(abandon(order, by_user=True))

    assert answered.state is OrderState.PAYMENT_CANCELLED
    assert gateway.calls_of("lookup") == []


async def test_a_repeated_redirect_answers_the_order_as_it_stands(shop: Shop) -> None:
    order = await shop.pending_order()
    shop.gateway(PayType.KAKAO_PAY).lookup_status = PlatformStatus.CANCELLED
    await shop.abandon.execute(abandon(order, by_user=True))
    commits = shop.db.committed

    again = await shop.abandon.execute(abandon(order, by_user=False))

    assert again.state is OrderState.PAYMENT_CANCELLED
    assert shop.db.committed == commits
    assert len(shop.gateway(PayType.KAKAO_PAY).calls_of("lookup")) == 1
    assert len(shop.db.events(EventType.PAYMENT_FAILED)) == 1


async def test_a_fail_redirect_after_the_order_was_paid_changes_nothing(shop: Shop) -> None:
    order = await shop.paid_order()

    answered = await shop.abandon.execute(abandon(order, by_user=False))

    assert answered.state is OrderState.PAID
    assert shop.db.payment_of(order.id or 0).state is PaymentState.APPROVED
    assert shop.gateway(PayType.KAKAO_PAY).calls_of("lookup") == []


async def test_a_redirect_naming_another_pay_type_is_refused(shop: Shop) -> None:
    order = await shop.pending_order()

    with pytest.raises(InvalidInput):
        await shop.abandon.execute(abandon(order, by_user=True, pay_type=PayType.NAVER_PAY))

    assert shop.db.order(order.id or 0).state is OrderState.PAYMENT_PENDING


async def test_the_order_can_still_be_approved_after_a_conflicting_cancel(shop: Shop) -> None:
    order = await shop.pending_order()
    shop.gateway(PayType.KAKAO_PAY).lookup_status = PlatformStatus.APPROVED
    with pytest.raises(Conflict):
        await shop.abandon.execute(abandon(order, by_user=True))

    answered = await shop.approve.execute(
        ApprovePaymentCommand(
            pay_type=order.pay_type, transaction_id=order.transaction_id, callback={}
        )
    )

    assert answered.state is OrderState.PAID

"""Money a platform took that the order in hand does not own is recorded and refunded through
the same write-before-call, retried-until-confirmed path as every refund."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from application.abandon_payment import AbandonPaymentCommand
from application.approve_payment import ApprovePaymentCommand
from application.resolve_payment import Resolution
from domain.errors import PaymentNotOwned, PaymentOutcomeUnknown, PaymentPlatformError
from domain.order import Order, OrderState
from domain.orphan import OrphanState
from domain.pay_type import PayType
from domain.payment import AttemptState, Operation, PaymentState
from domain.ports.payment_gateway import PlatformStatus
from tests.unit.fakes import approval
from tests.unit.reconciler_shop import ReconcilerShop, lookup_of

pytestmark = pytest.mark.anyio


@pytest.fixture
def shop() -> ReconcilerShop:
    return ReconcilerShop()


def not_ours(tx: str = "NP-B", amount: int = 10_000) -> PaymentNotOwned:
    return PaymentNotOwned(
        "NAVER_PAY",
        "merchantPayKey 'b' is not this order's",
        "MerchantPayKeyMismatch",
        platform_tx_id=tx,
        amount=amount,
        merchant_ref="b",
    )


def redirect(order: Order, payment_id: str = "NP-B") -> ApprovePaymentCommand:
    return ApprovePaymentCommand(
        pay_type=order.pay_type,
        transaction_id=order.transaction_id,
        callback={"resultCode": "Success", "paymentId": payment_id},
    )


async def test_another_orders_payment_is_recorded_and_refunded_and_the_order_keeps_waiting(
    shop: ReconcilerShop,
) -> None:
    order = await shop.pending_order(pay_type=PayType.NAVER_PAY)
    naver = shop.gateway(PayType.NAVER_PAY)
    naver.script("approve", not_ours())

    with pytest.raises(PaymentNotOwned):
        await shop.approve.execute(redirect(order))

    [orphan] = shop.db.orphans()
    assert (orphan.platform, orphan.platform_tx_id, orphan.amount) == (
        PayType.NAVER_PAY,
        "NP-B",
        10_000,
    )
    assert orphan.order_id == order.id and "merchantPayKey" in orphan.reason
    assert (orphan.state, orphan.refunded_amount) == (OrphanState.REFUNDED, 10_000)
    [refund] = naver.calls_of("refund")
    assert (refund.payment.platform_tx_id, refund.amount) == ("NP-B", 10_000)
    [attempt] = shop.db.attempts_of(order.id or 0, Operation.ORPHAN_REFUND)
    assert attempt.id == orphan.attempt_id and attempt.state is AttemptState.SUCCEEDED
    assert refund.idempotency_key == attempt.idempotency_key
    payment = shop.db.payment_of(order.id or 0)
    assert (payment.state, payment.platform_tx_id) == (PaymentState.READY, None)
    assert shop.db.order(order.id or 0).state is OrderState.PAYMENT_PENDING


async def test_the_genuine_return_still_pays_after_an_orphan_was_found(
    shop: ReconcilerShop,
) -> None:
    order = await shop.pending_order(pay_type=PayType.NAVER_PAY)
    shop.gateway(PayType.NAVER_PAY).script("approve", not_ours())
    with pytest.raises(PaymentNotOwned):
        await shop.approve.execute(redirect(order))

    answered = await shop.approve.execute(redirect(order, "NP-A"))

    assert answered.state is OrderState.PAID


async def test_the_same_stray_payment_found_twice_is_recorded_and_refunded_once(
    shop: ReconcilerShop,
) -> None:
    order = await shop.pending_order(pay_type=PayType.NAVER_PAY)
    naver = shop.gateway(PayType.NAVER_PAY)
    naver.script("approve", not_ours(), not_ours())
    for _ in range(2):
        with pytest.raises(PaymentNotOwned):
            await shop.approve.execute(redirect(order))

    assert len(shop.db.orphans()) == 1
    assert len(naver.calls_of("refund")) == 1


async def test_a_refused_orphan_refund_is_retried_by_the_worker_with_a_new_key(
    shop: ReconcilerShop,
) -> None:
    order = await shop.pending_order(pay_type=PayType.NAVER_PAY)
    naver = shop.gateway(PayType.NAVER_PAY)
    naver.script("approve", not_ours())
    naver.script("refund", PaymentPlatformError("NAVER_PAY", "try later", "CancelFail"))
    with pytest.raises(PaymentNotOwned):
        await shop.approve.execute(redirect(order))
    [orphan] = shop.db.orphans()
    assert (orphan.state, orphan.refund_failures) == (OrphanState.REFUNDING, 1)

    shop.clock.advance(timedelta(hours=1))
    report = await shop.reconcile.execute()

    assert report.orphans_refunded == 1
    [orphan] = shop.db.orphans()
    assert orphan.state is OrphanState.REFUNDED
    first, second = naver.calls_of("refund")
    assert first.idempotency_key != second.idempotency_key


async def test_a_lost_orphan_refund_answer_is_retried_with_the_same_key(
    shop: ReconcilerShop,
) -> None:
    order = await shop.pending_order(pay_type=PayType.NAVER_PAY)
    naver = shop.gateway(PayType.NAVER_PAY)
    naver.script("approve", not_ours())
    naver.script("refund", PaymentOutcomeUnknown("NAVER_PAY", "read timeout"))
    with pytest.raises(PaymentNotOwned):
        await shop.approve.execute(redirect(order))

    shop.clock.advance(timedelta(hours=1))
    await shop.reconcile.execute()

    first, second = naver.calls_of("refund")
    assert first.idempotency_key == second.idempotency_key
    [orphan] = shop.db.orphans()
    assert orphan.state is OrphanState.REFUNDED


async def test_an_approval_that_lands_after_the_order_stopped_waiting_is_an_orphan(
    shop: ReconcilerShop,
) -> None:
    order = await shop.pending_order()
    kakao = shop.gateway(PayType.KAKAO_PAY)

    async def the_order_fails_meanwhile() -> None:
        async with shop.db() as uow:
            stored = await uow.orders.lock_with_payment(order_id=order.id)
            assert stored is not None
            stored.pay.approval_refused(shop.clock.now())
            stored.pay.failed(shop.clock.now())
            stored.mark_payment_failed(shop.clock.now())
            await uow.commit()

    def approve_after_failure(call: object) -> None:
        return None

    kakao.script("approve", approve_after_failure)
    original = kakao.approve

    async def slow_approve(*args: object, **kwargs: object) -> object:
        await the_order_fails_meanwhile()
        return await original(*args, **kwargs)  # type: ignore[arg-type]

    kakao.approve = slow_approve  # type: ignore[method-assign]

    answered = await shop.approve.execute(
        ApprovePaymentCommand(
            pay_type=order.pay_type, transaction_id=order.transaction_id, callback={"pg_token": "t"}
        )
    )

    assert answered.state is OrderState.PAYMENT_FAILED
    [orphan] = shop.db.orphans()
    assert orphan.amount == order.trans_amount and orphan.state is OrphanState.REFUNDED
    assert len(kakao.calls_of("refund")) == 1


async def test_an_earlier_approval_of_a_payment_being_given_back_pays_no_order(
    shop: ReconcilerShop,
) -> None:
    a = await shop.pending_order(pay_type=PayType.NAVER_PAY)
    b = await shop.pending_order(pay_type=PayType.NAVER_PAY)
    naver = shop.gateway(PayType.NAVER_PAY)
    naver.script("approve", not_ours("NP-B"))
    naver.script("refund", PaymentOutcomeUnknown("NAVER_PAY", "read timeout"))
    with pytest.raises(PaymentNotOwned):
        await shop.approve.execute(redirect(a, "NP-B"))
    # B's own return: NaverPay answers "already complete" with the approval made under A.
    naver.script("approve", replace(approval(b.trans_amount, tx="NP-B"), earlier=True))

    answered = await shop.approve.execute(redirect(b, "NP-B"))

    assert answered.state is OrderState.PAYMENT_PENDING
    payment = shop.db.payment_of(b.id or 0)
    assert (payment.state, payment.platform_tx_id) == (PaymentState.READY, None)


async def test_money_held_for_an_order_that_stopped_waiting_is_given_back_when_asked(
    shop: ReconcilerShop,
) -> None:
    order = await shop.pending_order(pay_type=PayType.TOSS_PAYMENTS)
    toss = shop.gateway(PayType.TOSS_PAYMENTS)
    toss.script("lookup", lookup_of(PlatformStatus.FAILED))
    await shop.abandon.execute(
        AbandonPaymentCommand(
            pay_type=order.pay_type, transaction_id=order.transaction_id, cancelled_by_user=True
        )
    )
    assert shop.db.order(order.id or 0).state is OrderState.PAYMENT_CANCELLED
    toss.script("lookup", lookup_of(PlatformStatus.APPROVED, order.trans_amount, "pk-late"))

    outcome = await shop.resolve.by_transaction(order.transaction_id)

    assert outcome is Resolution.ORPHAN
    [orphan] = shop.db.orphans()
    assert (orphan.platform_tx_id, orphan.amount) == ("pk-late", order.trans_amount)
    assert orphan.state is OrphanState.REFUNDED
    [refund] = toss.calls_of("refund")
    assert refund.payment.platform_tx_id == "pk-late"
    assert shop.db.order(order.id or 0).state is OrderState.PAYMENT_CANCELLED


async def test_the_reconciler_does_not_look_up_orders_that_stopped_waiting(
    shop: ReconcilerShop,
) -> None:
    order = await shop.pending_order()
    shop.gateway(PayType.KAKAO_PAY).lookup_status = PlatformStatus.FAILED
    await shop.abandon.execute(
        AbandonPaymentCommand(
            pay_type=order.pay_type, transaction_id=order.transaction_id, cancelled_by_user=False
        )
    )

    assert await shop.resolve.execute(order.id or 0) is Resolution.NOTHING_TO_DO
    assert len(shop.gateway(PayType.KAKAO_PAY).calls_of("lookup")) == 1

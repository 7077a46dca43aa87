"""The payment runner: write before you call, two transactions per platform call, attempts
settled by the id in hand, and follow-ups run once after commit."""

from __future__ import annotations

import pytest

from application.approve_payment import ApprovePaymentCommand
from domain.errors import PaymentOutcomeUnknown, PaymentPlatformError
from domain.order import Order, OrderState
from domain.pay_type import PayType
from domain.payment import AttemptState, Operation, PaymentState
from domain.ports.payment_gateway import Checkout, Decline
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


async def test_an_approval_takes_two_commits_and_settles_the_attempt_by_its_id(
    shop: Shop,
) -> None:
    order = await shop.pending_order()
    commits, updates = shop.db.committed, len(shop.db.attempt_updates)

    await shop.approve.execute(redirect(order))

    assert shop.db.committed - commits == 2
    [attempt] = shop.db.attempts_of(order.id or 0, Operation.APPROVE)
    assert shop.db.attempt_updates[updates:] == [attempt.id]


async def test_placing_an_order_takes_two_commits_and_answers_without_reading_again(
    shop: Shop,
) -> None:
    product = await shop.product()
    commits = shop.db.committed

    order = await shop.pending_order(product=product, user_id=await shop.user())

    assert shop.db.committed - commits == 3  # the user, then the order's two transactions
    assert order.state is OrderState.PAYMENT_PENDING


async def test_an_approval_locks_its_order_to_claim_and_to_settle_never_to_answer(
    shop: Shop,
) -> None:
    order = await shop.pending_order()
    shop.db.locks.clear()

    await shop.approve.execute(redirect(order))

    assert shop.db.locks == [("orders", order.id), ("orders", order.id)]


async def test_a_platform_error_names_the_order_it_is_about(shop: Shop) -> None:
    order = await shop.pending_order()
    shop.gateway(PayType.KAKAO_PAY).script("approve", PaymentPlatformError("KAKAO_PAY", "no"))

    with pytest.raises(PaymentPlatformError) as refused:
        await shop.approve.execute(redirect(order))

    assert (refused.value.order_id, refused.value.transaction_id) == (
        order.id,
        order.transaction_id,
    )


async def test_a_lost_answer_names_the_order_it_is_about(shop: Shop) -> None:
    product = await shop.product()
    shop.gateway(PayType.KAKAO_PAY).script("checkout", PaymentOutcomeUnknown("KAKAO_PAY", "t/o"))

    with pytest.raises(PaymentOutcomeUnknown) as lost:
        await shop.pending_order(product=product)

    [order] = shop.db.tables.orders.values()
    assert (lost.value.order_id, lost.value.transaction_id) == (order.id, order.transaction_id)


async def test_a_wrong_amount_is_refunded_once_after_commit_not_inside_the_approval(
    shop: Shop,
) -> None:
    order = await shop.pending_order()
    gateway = shop.gateway(PayType.KAKAO_PAY)
    seen: list[PaymentState] = []

    def refund_sees_committed_state(call: object) -> None:
        seen.append(shop.db.payment_of(order.id or 0).state)

    gateway.script("approve", approval(7_000, tx="T-7"))
    gateway.script("refund", refund_sees_committed_state)

    await shop.approve.execute(redirect(order))

    assert seen == [PaymentState.REFUNDING]  # the approval was committed before the refund
    assert len(gateway.calls_of("refund")) == 1
    assert shop.db.payment_of(order.id or 0).state is PaymentState.REFUNDED


async def test_a_refused_payment_id_is_not_kept_on_the_payment(shop: Shop) -> None:
    order = await shop.pending_order(pay_type=PayType.TOSS_PAYMENTS)
    gateway = shop.gateway(PayType.TOSS_PAYMENTS)
    gateway.script("approve", PaymentPlatformError("TOSS_PAYMENTS", "unknown key", "NOT_FOUND"))

    with pytest.raises(PaymentPlatformError):
        await shop.approve.execute(redirect(order, paymentKey="forged", amount="10000"))

    payment = shop.db.payment_of(order.id or 0)
    assert (payment.state, payment.platform_tx_id) == (PaymentState.READY, None)


async def test_an_unverified_decline_leaves_the_order_waiting(shop: Shop) -> None:
    order = await shop.pending_order(pay_type=PayType.TOSS_PAYMENTS)
    gateway = shop.gateway(PayType.TOSS_PAYMENTS)
    gateway.script("approve", Decline("the URL says so", False, {}, verified=False))

    answered = await shop.approve.execute(redirect(order, paymentKey="pk", amount="1"))

    assert answered.state is OrderState.PAYMENT_PENDING
    payment = shop.db.payment_of(order.id or 0)
    assert (payment.state, payment.platform_tx_id) == (PaymentState.READY, None)
    assert (await shop.approve.execute(redirect(order, paymentKey="pk2"))).state is OrderState.PAID


async def test_a_decline_while_retrying_a_lost_approval_is_left_to_the_reconciler(
    shop: Shop,
) -> None:
    order = await shop.pending_order()
    gateway = shop.gateway(PayType.KAKAO_PAY)
    gateway.script("approve", PaymentOutcomeUnknown("KAKAO_PAY", "timeout"))
    with pytest.raises(PaymentOutcomeUnknown):
        await shop.approve.execute(redirect(order))
    gateway.script("approve", Decline("window failed", False, {}))

    answered = await shop.approve.execute(redirect(order))

    assert answered.state is OrderState.PAYMENT_PENDING
    assert shop.db.payment_of(order.id or 0).state is PaymentState.APPROVING


async def test_a_checkout_answered_with_nothing_to_do_commits_nothing_more(shop: Shop) -> None:
    gateway = shop.gateway(PayType.NAVER_PAY)
    gateway.script("checkout", Checkout(client_data={"merchantPayKey": "x"}))

    order = await shop.pending_order(pay_type=PayType.NAVER_PAY)

    [attempt] = shop.db.attempts_of(order.id or 0, Operation.CHECKOUT)
    assert attempt.state is AttemptState.SUCCEEDED

"""ReconcilePayments: every payment left waiting, unknown or unrefunded is settled by asking its
platform, retried with backoff, alerted on when overdue, and taken by one worker at a time."""

from __future__ import annotations

from datetime import timedelta

import pytest

from application.reconcile_payments import ReconcileReport
from application.settings import PaymentPolicy
from domain.errors import PaymentOutcomeUnknown, PaymentPlatformError
from domain.events import EventType
from domain.order import OrderState
from domain.pay_type import PayType
from domain.payment import AttemptState, Operation, PaymentState
from domain.ports.payment_gateway import PlatformStatus
from tests.unit.reconciler_shop import OverdueAlert, ReconcilerShop, lookup_of

pytestmark = pytest.mark.anyio

STALE = timedelta(seconds=61)  # just past the default reconcile_after (60 s)


@pytest.fixture
def shop() -> ReconcilerShop:
    return ReconcilerShop()


class WorkerCrashed(Exception):
    """Stands for a worker process killed in the middle of a platform call."""


# --------------------------------------------------------------------------- waiting payments


async def test_an_unknown_approval_the_platform_reports_approved_becomes_paid_once(
    shop: ReconcilerShop,
) -> None:
    order = await shop.approving_order(quantity=2)
    order_id = order.id or 0
    kakao = shop.gateway(PayType.KAKAO_PAY)
    [attempt] = shop.db.attempts_of(order_id, Operation.APPROVE)
    assert (order.state, attempt.state) == (OrderState.PAYMENT_PENDING, AttemptState.UNKNOWN)
    assert shop.db.payment_of(order_id).state is PaymentState.APPROVING
    tx = shop.db.payment_of(order_id).platform_tx_id
    shop.clock.advance(STALE)
    kakao.script("lookup", lookup_of(PlatformStatus.APPROVED, 20_000, tx))

    report = await shop.reconcile.execute()

    assert (report.paid, report.failed, report.unresolved) == (1, 0, 0)
    assert shop.db.order(order_id).state is OrderState.PAID
    payment = shop.db.payment_of(order_id)
    assert (payment.state, payment.approved_amount) == (PaymentState.APPROVED, 20_000)
    [attempt] = shop.db.attempts_of(order_id, Operation.APPROVE)
    assert attempt.state is AttemptState.SUCCEEDED
    [lookup] = kakao.calls_of("lookup")
    assert lookup.idempotency_key == attempt.idempotency_key  # it asks about the lost attempt
    assert len(kakao.calls_of("approve")) == 1  # never approved a second time
    assert len(shop.db.events(EventType.ORDER_PAID)) == 1
    assert shop.alerts.metrics["gonggu_reconciled_paid_total"] == 1

    shop.clock.advance(STALE)
    again = await shop.reconcile.execute()

    assert again == ReconcileReport()
    assert len(kakao.calls_of("lookup")) == 1
    assert len(shop.db.events(EventType.ORDER_PAID)) == 1


async def test_an_approval_for_another_amount_is_refunded_and_the_order_fails(
    shop: ReconcilerShop,
) -> None:
    order = await shop.approving_order(quantity=2)
    order_id = order.id or 0
    kakao = shop.gateway(PayType.KAKAO_PAY)
    shop.clock.advance(STALE)
    kakao.script("lookup", lookup_of(PlatformStatus.APPROVED, 15_000, "TX-9"))

    report = await shop.reconcile.execute()

    assert (report.paid, report.failed) == (0, 1)
    assert shop.db.order(order_id).state is OrderState.PAYMENT_FAILED
    payment = shop.db.payment_of(order_id)
    assert (payment.state, payment.refunded_amount) == (PaymentState.REFUNDED, 15_000)
    [refund] = kakao.calls_of("refund")
    assert refund.amount == 15_000
    assert shop.db.events(EventType.ORDER_PAID) == []
    [failed] = shop.db.events(EventType.PAYMENT_FAILED)
    assert failed.data["approvedAmount"] == 15_000


@pytest.mark.parametrize(
    ("status", "order_state", "payment_state"),
    [
        (PlatformStatus.FAILED, OrderState.PAYMENT_FAILED, PaymentState.FAILED),
        (PlatformStatus.CANCELLED, OrderState.PAYMENT_CANCELLED, PaymentState.CANCELLED),
    ],
)
async def test_an_unknown_approval_the_platform_reports_failed_fails_the_order(
    shop: ReconcilerShop,
    status: PlatformStatus,
    order_state: OrderState,
    payment_state: PaymentState,
) -> None:
    order = await shop.approving_order()
    order_id = order.id or 0
    shop.clock.advance(STALE)
    shop.gateway(PayType.KAKAO_PAY).script("lookup", lookup_of(status))

    report = await shop.reconcile.execute()

    assert (report.paid, report.failed) == (0, 1)
    assert shop.db.order(order_id).state is order_state
    assert shop.db.payment_of(order_id).state is payment_state
    [attempt] = shop.db.attempts_of(order_id, Operation.APPROVE)
    assert attempt.state is AttemptState.FAILED
    assert len(shop.db.events(EventType.PAYMENT_FAILED)) == 1


async def test_a_payment_the_platform_still_calls_pending_is_left_alone(
    shop: ReconcilerShop,
) -> None:
    order = await shop.approving_order()
    order_id = order.id or 0
    shop.clock.advance(STALE)  # stale, but far from abandoned

    report = await shop.reconcile.execute()

    assert (report.paid, report.failed, report.unresolved) == (0, 0, 1)
    assert shop.db.order(order_id).state is OrderState.PAYMENT_PENDING
    assert shop.db.payment_of(order_id).state is PaymentState.APPROVING
    [attempt] = shop.db.attempts_of(order_id, Operation.APPROVE)
    assert attempt.state is AttemptState.UNKNOWN
    assert shop.db.events(EventType.PAYMENT_FAILED) == []


async def test_a_payment_younger_than_reconcile_after_is_not_asked_about(
    shop: ReconcilerShop,
) -> None:
    await shop.approving_order()
    await shop.pending_order()
    shop.clock.advance(timedelta(seconds=30))

    report = await shop.reconcile.execute()

    assert report == ReconcileReport()
    assert shop.gateway(PayType.KAKAO_PAY).calls_of("lookup") == []


@pytest.mark.parametrize("status", [PlatformStatus.PENDING, PlatformStatus.NOT_FOUND])
async def test_an_abandoned_checkout_the_platform_never_approved_fails(
    shop: ReconcilerShop, status: PlatformStatus
) -> None:
    order = await shop.pending_order()
    order_id = order.id or 0
    shop.clock.advance(shop.policy.abandon_after + timedelta(seconds=1))
    shop.gateway(PayType.KAKAO_PAY).lookup_status = status

    report = await shop.reconcile.execute()

    assert report.failed == 1
    assert shop.db.order(order_id).state is OrderState.PAYMENT_FAILED
    assert shop.db.payment_of(order_id).state is PaymentState.FAILED
    assert len(shop.gateway(PayType.KAKAO_PAY).calls_of("lookup")) == 1


async def test_an_abandoned_checkout_the_platform_approved_becomes_paid(
    shop: ReconcilerShop,
) -> None:
    order = await shop.pending_order()
    order_id = order.id or 0
    shop.clock.advance(shop.policy.abandon_after + timedelta(seconds=1))
    shop.gateway(PayType.KAKAO_PAY).script(
        "lookup", lookup_of(PlatformStatus.APPROVED, order.trans_amount, "TX-1")
    )

    report = await shop.reconcile.execute()

    assert report.paid == 1
    assert shop.db.order(order_id).state is OrderState.PAID


async def test_a_checkout_waiting_less_than_abandon_after_stays_pending(
    shop: ReconcilerShop,
) -> None:
    order = await shop.pending_order()
    order_id = order.id or 0
    shop.clock.advance(shop.policy.abandon_after - timedelta(seconds=1))

    report = await shop.reconcile.execute()

    assert report.unresolved == 1
    assert shop.db.order(order_id).state is OrderState.PAYMENT_PENDING
    assert shop.db.payment_of(order_id).state is PaymentState.READY


async def test_a_payment_another_worker_leased_is_not_looked_up_twice(
    shop: ReconcilerShop,
) -> None:
    order = await shop.approving_order()
    order_id = order.id or 0
    kakao = shop.gateway(PayType.KAKAO_PAY)
    shop.clock.advance(STALE)
    kakao.script("lookup", lookup_of(PlatformStatus.APPROVED, order.trans_amount, "TX-1"))
    second: list[ReconcileReport] = []

    async def other_worker_runs_meanwhile() -> None:
        second.append(await shop.reconcile.execute())

    kakao.hooks["lookup"] = other_worker_runs_meanwhile

    first = await shop.reconcile.execute()

    assert second == [ReconcileReport()]
    assert first.paid == 1
    assert len(kakao.calls_of("lookup")) == 1
    assert shop.db.order(order_id).state is OrderState.PAID


# --------------------------------------------------------------------------- refunds


async def test_a_refund_whose_answer_was_lost_is_retried_with_the_same_key(
    shop: ReconcilerShop,
) -> None:
    order = await shop.refund_pending(quantity=3)
    order_id = order.id or 0
    kakao = shop.gateway(PayType.KAKAO_PAY)
    kakao.script("refund", PaymentOutcomeUnknown("KAKAO_PAY", "read timeout"))
    assert not (await shop.refund.execute(order_id)).refunded
    [lost] = shop.db.attempts_of(order_id, Operation.REFUND)
    assert lost.state is AttemptState.UNKNOWN

    too_early = await shop.reconcile.execute()
    assert too_early == ReconcileReport()
    shop.clock.advance(shop.policy.refund_retry_base)
    report = await shop.reconcile.execute()

    assert (report.refunds_retried, report.refunded) == (1, 1)
    first, retry = kakao.calls_of("refund")
    assert retry.idempotency_key == first.idempotency_key == lost.idempotency_key
    assert retry.amount == 30_000
    [attempt] = shop.db.attempts_of(order_id, Operation.REFUND)
    assert (attempt.state, attempt.tries) == (AttemptState.SUCCEEDED, 2)
    assert shop.db.order(order_id).state is OrderState.REFUNDED
    assert shop.db.payment_of(order_id).state is PaymentState.REFUNDED
    assert len(shop.db.events(EventType.ORDER_REFUNDED)) == 1


async def test_a_refund_the_platform_refused_is_retried_with_a_new_key(
    shop: ReconcilerShop,
) -> None:
    order = await shop.refund_pending()
    order_id = order.id or 0
    kakao = shop.gateway(PayType.KAKAO_PAY)
    kakao.script("refund", PaymentPlatformError("KAKAO_PAY", "cancel failure!", "-781"))
    await shop.refund.execute(order_id)
    shop.clock.advance(shop.policy.refund_retry_base)

    report = await shop.reconcile.execute()

    assert report.refunded == 1
    first, retry = kakao.calls_of("refund")
    assert retry.idempotency_key != first.idempotency_key
    refused, done = shop.db.attempts_of(order_id, Operation.REFUND)
    assert (refused.state, done.state) == (AttemptState.FAILED, AttemptState.SUCCEEDED)
    assert (refused.idempotency_key, done.idempotency_key) == (
        first.idempotency_key,
        retry.idempotency_key,
    )
    assert shop.db.order(order_id).state is OrderState.REFUNDED


async def test_the_refund_backoff_doubles_up_to_its_cap() -> None:
    shop = ReconcilerShop(PaymentPolicy(refund_retry_max=timedelta(seconds=15)))
    order = await shop.refund_pending()
    order_id = order.id or 0
    kakao = shop.gateway(PayType.KAKAO_PAY)
    kakao.script("refund", *[PaymentOutcomeUnknown("KAKAO_PAY", "HTTP 500")] * 5)
    await shop.refund.execute(order_id)
    gaps: list[float] = []
    for _ in range(4):
        due = shop.db.payment_of(order_id).next_retry_at
        assert due is not None
        gaps.append((due - shop.clock.now()).total_seconds())
        shop.clock.current = due
        report = await shop.reconcile.execute()
        assert (report.refunds_retried, report.refunded) == (1, 0)

    assert gaps == [5, 10, 15, 15]
    assert shop.db.payment_of(order_id).refund_failures == 5
    assert len(kakao.calls_of("refund")) == 5
    assert shop.db.order(order_id).state is OrderState.REFUND_PENDING


async def test_a_refund_overdue_past_refund_alert_after_raises_an_alert(
    shop: ReconcilerShop,
) -> None:
    order = await shop.refund_pending()
    order_id = order.id or 0
    kakao = shop.gateway(PayType.KAKAO_PAY)
    kakao.script("refund", *[PaymentPlatformError("KAKAO_PAY", "busy")] * 3)
    await shop.refund.execute(order_id)

    shop.clock.advance(timedelta(minutes=30))
    early = await shop.reconcile.execute()
    shop.clock.advance(timedelta(minutes=31))
    late = await shop.reconcile.execute()

    assert (early.alerts, late.alerts) == (0, 1)
    assert shop.alerts.overdue == [OverdueAlert(order_id, timedelta(minutes=61), 2)]
    assert shop.alerts.metrics["gonggu_refunds_retried_total"] == 2
    assert shop.db.order(order_id).state is OrderState.REFUND_PENDING


async def test_a_refund_another_worker_leased_is_not_sent_twice(shop: ReconcilerShop) -> None:
    order = await shop.refund_pending()
    order_id = order.id or 0
    kakao = shop.gateway(PayType.KAKAO_PAY)
    second: list[ReconcileReport] = []

    async def other_worker_runs_meanwhile() -> None:
        second.append(await shop.reconcile.execute())

    kakao.hooks["refund"] = other_worker_runs_meanwhile

    first = await shop.reconcile.execute()

    assert second == [ReconcileReport()]
    assert (first.refunds_retried, first.refunded) == (1, 1)
    assert len(kakao.calls_of("refund")) == 1
    assert shop.db.order(order_id).state is OrderState.REFUNDED


async def test_a_refund_whose_worker_died_is_resent_with_its_key_once_the_lease_ends(
    shop: ReconcilerShop,
) -> None:
    order = await shop.refund_pending()
    order_id = order.id or 0
    kakao = shop.gateway(PayType.KAKAO_PAY)

    async def killed() -> None:
        raise WorkerCrashed

    kakao.hooks["refund"] = killed
    with pytest.raises(WorkerCrashed):
        await shop.reconcile.execute()
    [in_flight] = shop.db.attempts_of(order_id, Operation.REFUND)
    assert in_flight.state is AttemptState.IN_FLIGHT

    shop.clock.advance(shop.policy.lease / 2)
    while_leased = await shop.reconcile.execute()
    shop.clock.advance(shop.policy.lease / 2 + timedelta(seconds=1))
    after_lease = await shop.reconcile.execute()

    assert while_leased == ReconcileReport()
    assert after_lease.refunded == 1
    [resent] = kakao.calls_of("refund")  # the killed worker's call never got recorded
    assert resent.idempotency_key == in_flight.idempotency_key
    [attempt] = shop.db.attempts_of(order_id, Operation.REFUND)
    assert (attempt.state, attempt.tries) == (AttemptState.SUCCEEDED, 2)
    assert shop.db.order(order_id).state is OrderState.REFUNDED


async def test_refunds_are_retried_through_each_orders_own_platform(
    shop: ReconcilerShop,
) -> None:
    kakao_order = await shop.refund_pending(pay_type=PayType.KAKAO_PAY)
    toss_order = await shop.refund_pending(pay_type=PayType.TOSS_PAYMENTS)

    report = await shop.reconcile.execute()

    assert report.refunded == 2
    [kakao] = shop.gateway(PayType.KAKAO_PAY).calls_of("refund")
    [toss] = shop.gateway(PayType.TOSS_PAYMENTS).calls_of("refund")
    assert (kakao.payment.order_id, toss.payment.order_id) == (kakao_order.id, toss_order.id)


async def test_refunds_an_expiry_is_making_are_not_taken_by_a_worker_meanwhile(
    shop: ReconcilerShop,
) -> None:
    product = await shop.product()
    members = [await shop.paid_order(product=product) for _ in range(2)]
    await shop.matched_group(1, members)
    worker: list[ReconcileReport] = []

    async def a_worker_runs_meanwhile() -> None:
        worker.append(await shop.reconcile.execute())

    shop.gateway(PayType.KAKAO_PAY).hooks["refund"] = a_worker_runs_meanwhile

    expiry = await shop.expire.execute(1)

    assert worker == [ReconcileReport()]
    assert expiry.refund_pending == []
    assert len(shop.gateway(PayType.KAKAO_PAY).calls_of("refund")) == 2

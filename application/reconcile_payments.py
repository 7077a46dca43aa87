from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from application.approval import record_approval, record_decline
from application.payment_context import call_of, lock_by_order_id, payment_ref
from application.refund_payment import RefundPayment
from application.settings import PaymentPolicy
from domain.errors import DomainError
from domain.payment import AttemptState, Operation, Payment, PaymentState
from domain.ports.clock import Clock
from domain.ports.events import Alerts
from domain.ports.payment_gateway import (
    Approval,
    Decline,
    PaymentGateways,
    PaymentLookup,
    PlatformCall,
    PlatformStatus,
)
from domain.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger("gonggu.reconciler")


@dataclass
class ReconcileReport:
    paid: int = 0
    failed: int = 0
    refunds_retried: int = 0
    refunded: int = 0
    unresolved: int = 0
    alerts: int = 0
    errors: list[str] = field(default_factory=list)


class ReconcilePayments:
    """Resolves every payment left behind by a lost answer, a crash or an abandoned checkout.

    Rules: nothing moves on a guess — each pending or unknown payment is looked up on its
    platform (PAID after checking the amount, FAILED/CANCELLED when the platform says so, failed
    once abandoned past its time and not approved there); REFUNDING payments are retried with
    their attempt's key, with backoff, and an alert fires once one is overdue. Each payment is
    leased in the selecting transaction, so concurrent workers never take the same one.
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        gateways: PaymentGateways,
        clock: Clock,
        policy: PaymentPolicy,
        refunds: RefundPayment,
        alerts: Alerts,
        batch: int = 100,
    ) -> None:
        self._uow, self._gateways, self._clock, self._policy = uow, gateways, clock, policy
        self._refunds, self._alerts, self._batch = refunds, alerts, batch

    async def execute(self) -> ReconcileReport:
        report = ReconcileReport()
        for payment in await self._lease_stale():
            try:
                if payment.state is PaymentState.REFUNDING:
                    await self._retry_refund(payment, report)
                else:
                    await self._resolve(payment, report)
            except DomainError as exc:
                report.unresolved += 1
                report.errors.append(f"order {payment.order_id}: {exc.message}")
        return report

    async def _lease_stale(self) -> list[Payment]:
        async with self._uow() as uow:
            now = self._clock.now()
            stale = list(
                await uow.payments.stale(now - self._policy.reconcile_after, now, self._batch)
            )
            for payment in stale:
                if payment.state is PaymentState.REFUNDING:
                    payment.defer_refund(now + self._policy.lease)
                else:
                    payment.checked(now)
            await uow.commit()
        return stale

    async def _retry_refund(self, payment: Payment, report: ReconcileReport) -> None:
        async with self._uow() as uow:
            order = await uow.orders.get(payment.order_id)
        now = self._clock.now()
        if order is not None and now - order.updated_at > self._policy.refund_alert_after:
            self._alerts.refund_overdue(
                payment.order_id, now - order.updated_at, payment.refund_failures
            )
            report.alerts += 1
        report.refunds_retried += 1
        outcome = await self._refunds.execute(payment.order_id, reason="refund retried")
        if outcome.refunded:
            report.refunded += 1
        else:
            report.unresolved += 1

    async def _resolve(self, payment: Payment, report: ReconcileReport) -> None:
        async with self._uow() as uow:
            ctx = await lock_by_order_id(uow, payment.order_id)
            if ctx.payment.state not in (PaymentState.READY, PaymentState.APPROVING):
                return
            ref = await payment_ref(uow, ctx.order, ctx.payment)
            call = await self._open_call(uow, ctx.payment)
        gateway = self._gateways.for_type(payment.platform)
        lookup = await gateway.lookup(ref, call)
        now = self._clock.now()
        abandoned = now - payment.created_at > self._policy.abandon_after
        if lookup.status is PlatformStatus.APPROVED:
            await self._settle(payment.order_id, lookup, report)
        elif lookup.status in (PlatformStatus.FAILED, PlatformStatus.CANCELLED) or abandoned:
            await self._decline(payment.order_id, lookup, report)
        else:
            report.unresolved += 1

    async def _open_call(self, uow: UnitOfWork, payment: Payment) -> PlatformCall | None:
        """The approval (or synchronous checkout) whose answer was lost, to ask about."""
        assert payment.id is not None
        for operation in (Operation.APPROVE, Operation.CHECKOUT):
            attempt = await uow.attempts.open_attempt(payment.id, operation)
            if attempt is not None:
                return call_of(attempt)
        return None

    async def _settle(self, order_id: int, lookup: PaymentLookup, report: ReconcileReport) -> None:
        async with self._uow() as uow:
            ctx = await lock_by_order_id(uow, order_id)
            if ctx.payment.state not in (PaymentState.READY, PaymentState.APPROVING):
                return
            now = self._clock.now()
            await _close_attempts(uow, ctx.payment, AttemptState.SUCCEEDED, now)
            approval = Approval(
                platform_tx_id=lookup.platform_tx_id or ctx.payment.platform_tx_id or "",
                amount=lookup.approved_amount,
                approved_at=lookup.approved_at or now,
                raw=lookup.raw,
            )
            paid = await record_approval(uow, ctx.order, ctx.payment, approval, now)
            await uow.commit()
        if paid:
            report.paid += 1
            log.info("order %s is PAID: the platform approved it", order_id)
        else:
            report.failed += 1
            await self._refunds.execute(order_id, reason="approved amount differs from order")

    async def _decline(self, order_id: int, lookup: PaymentLookup, report: ReconcileReport) -> None:
        async with self._uow() as uow:
            ctx = await lock_by_order_id(uow, order_id)
            if ctx.payment.state not in (PaymentState.READY, PaymentState.APPROVING):
                return
            now = self._clock.now()
            await _close_attempts(uow, ctx.payment, AttemptState.FAILED, now)
            reason = f"the platform reports {lookup.status.value}"
            cancelled = lookup.status is PlatformStatus.CANCELLED
            await record_decline(
                uow, ctx.order, ctx.payment, Decline(reason, cancelled, lookup.raw), now
            )
            await uow.commit()
        report.failed += 1
        log.info("order %s failed: %s", order_id, reason)


async def _close_attempts(
    uow: UnitOfWork, payment: Payment, state: AttemptState, now: datetime
) -> None:
    assert payment.id is not None
    for operation in (Operation.CHECKOUT, Operation.APPROVE):
        attempt = await uow.attempts.open_attempt(payment.id, operation)
        if attempt is None:
            continue
        if state is AttemptState.SUCCEEDED:
            attempt.succeeded(now)
        else:
            attempt.failed("resolved by the reconciler", now)

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from application.payment_runner import PaymentRunner
from application.refund_payment import RefundPayment
from application.resolve_payment import Resolution, ResolvePayment
from application.settings import PaymentPolicy
from domain.errors import DomainError
from domain.payment import Payment, PaymentState
from domain.ports.clock import Clock
from domain.ports.events import Alerts
from domain.ports.unit_of_work import UnitOfWorkFactory

log = logging.getLogger("gonggu.reconciler")


@dataclass
class ReconcileReport:
    paid: int = 0
    failed: int = 0
    refunds_retried: int = 0
    refunded: int = 0
    unresolved: int = 0
    alerts: int = 0
    orphans_refunded: int = 0
    errors: list[str] = field(default_factory=list)


class ReconcilePayments:
    """Resolves every payment left behind by a lost answer, a crash or an abandoned checkout.

    Rules: nothing moves on a guess — each waiting or unknown payment is looked up on its
    platform (`ResolvePayment`), and failed once abandoned past its time without an approval
    there; REFUNDING payments are retried with their attempt's key, with backoff, and an alert
    fires once one is overdue. Each payment is leased in the selecting transaction, so
    concurrent workers never take the same one.
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        policy: PaymentPolicy,
        resolve: ResolvePayment,
        refunds: RefundPayment,
        alerts: Alerts,
        batch: int = 100,
        runner: PaymentRunner | None = None,
    ) -> None:
        self._uow, self._clock, self._policy = uow, clock, policy
        self._resolve, self._refunds, self._alerts, self._batch = resolve, refunds, alerts, batch
        self._runner = runner

    async def execute(self) -> ReconcileReport:
        report = ReconcileReport()
        for payment in await self._lease_stale():
            try:
                if payment.state is PaymentState.REFUNDING:
                    await self._retry_refund(payment, report)
                else:
                    await self._settle(payment, report)
            except DomainError as exc:
                report.unresolved += 1
                report.errors.append(f"order {payment.order_id}: {exc.message}")
        await self._refund_orphans(report)
        self._alerts.count("gonggu_reconciled_paid_total", report.paid)
        self._alerts.count("gonggu_refunds_retried_total", report.refunds_retried)
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

    async def _refund_orphans(self, report: ReconcileReport) -> None:
        """Money no order owns, whose refund a request could not finish, is retried here."""
        if self._runner is None:
            return
        async with self._uow() as uow:
            now = self._clock.now()
            due = list(await uow.orphans.due(now, self._batch))
            for orphan in due:
                orphan.defer(now + self._policy.lease, now)
            await uow.commit()
        for orphan in due:
            assert orphan.id is not None
            try:
                if await self._runner.refund_orphan(orphan.id):
                    report.orphans_refunded += 1
                else:
                    report.unresolved += 1
            except DomainError as exc:
                report.unresolved += 1
                report.errors.append(f"orphan payment {orphan.id}: {exc.message}")

    async def _settle(self, payment: Payment, report: ReconcileReport) -> None:
        abandoned = self._clock.now() - payment.created_at > self._policy.abandon_after
        outcome = await self._resolve.execute(payment.order_id, abandoned=abandoned)
        if outcome is Resolution.PAID:
            report.paid += 1
        elif outcome is Resolution.FAILED:
            report.failed += 1
        elif outcome is Resolution.UNRESOLVED:
            report.unresolved += 1

    async def _retry_refund(self, payment: Payment, report: ReconcileReport) -> None:
        async with self._uow() as uow:
            order = await uow.orders.get(payment.order_id)
        now = self._clock.now()
        if order is not None and now - order.updated_at > self._policy.refund_alert_after:
            age = now - order.updated_at
            self._alerts.refund_overdue(payment.order_id, age, payment.refund_failures)
            report.alerts += 1
        report.refunds_retried += 1
        outcome = await self._refunds.execute(payment.order_id, reason="refund retried")
        if outcome.refunded:
            report.refunded += 1
        else:
            report.unresolved += 1

"""The fake `Shop` plus what the reconciler's tests need: the resolve/reconcile/unmatched
use-cases, recorded alerts, and gateways that can pause inside a platform call (to let another
worker or a redirect run meanwhile)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from application.approve_payment import ApprovePaymentCommand
from application.reconcile_payments import ReconcilePayments
from application.refund_unmatched import RefundUnmatchedOrders
from application.resolve_payment import ResolvePayment
from application.settings import PaymentPolicy
from domain.errors import PaymentOutcomeUnknown
from domain.order import Order
from domain.pay_type import PayType
from domain.ports.payment_gateway import (
    PaymentLookup,
    PaymentRef,
    PlatformCall,
    PlatformStatus,
    Refund,
)
from domain.ports.unit_of_work import UnitOfWorkFactory
from tests.unit.fakes import FakeClock, FakeGateway, Shop

Hook = Callable[[], Awaitable[None]]


@dataclass(frozen=True)
class OverdueAlert:
    order_id: int
    age: timedelta
    failures: int


class FakeAlerts:
    """Records the alerts and metrics the reconciler raises."""

    def __init__(self) -> None:
        self.overdue: list[OverdueAlert] = []
        self.metrics: dict[str, int] = {}

    def refund_overdue(self, order_id: int, age: timedelta, failures: int) -> None:
        self.overdue.append(OverdueAlert(order_id, age, failures))

    def count(self, metric: str, amount: int = 1) -> None:
        self.metrics[metric] = self.metrics.get(metric, 0) + amount


class PausingGateway(FakeGateway):
    """A fake platform whose next `lookup` or `refund` first awaits a hook (once)."""

    def __init__(self, pay_type: PayType, clock: FakeClock, *, synchronous: bool) -> None:
        super().__init__(pay_type, clock, synchronous=synchronous)
        self.hooks: dict[str, Hook] = {}

    async def lookup(self, payment: PaymentRef, call: PlatformCall | None = None) -> PaymentLookup:
        hook = self.hooks.pop("lookup", None)
        if hook is not None:
            await hook()
        return await super().lookup(payment, call)

    async def refund(
        self, payment: PaymentRef, amount: int, reason: str, call: PlatformCall
    ) -> Refund:
        hook = self.hooks.pop("refund", None)
        if hook is not None:
            await hook()
        return await super().refund(payment, amount, reason, call)


class ReconcilerShop(Shop):
    def __init__(self, policy: PaymentPolicy | None = None) -> None:
        super().__init__(policy)
        for pay_type in PayType:
            self.gateways.by_type[pay_type] = PausingGateway(
                pay_type, self.clock, synchronous=pay_type is PayType.OPEN_BANKING
            )
        self.alerts = FakeAlerts()
        db = cast(UnitOfWorkFactory, self.db)  # the fake is structurally a factory
        self.resolve = ResolvePayment(self.runner)
        self.reconcile = ReconcilePayments(
            db, self.clock, self.policy, self.resolve, self.refund, self.alerts, runner=self.runner
        )
        self.refund_unmatched = RefundUnmatchedOrders(db, self.clock, self.policy, self.refund)

    def gateway(self, pay_type: PayType) -> PausingGateway:
        gateway = self.gateways.for_type(pay_type)
        assert isinstance(gateway, PausingGateway)
        return gateway

    async def approving_order(self, **kwargs: Any) -> Order:
        """An order whose approval was sent but whose answer was lost (attempt UNKNOWN)."""
        order = await self.pending_order(**kwargs)
        gateway = self.gateway(order.pay_type)
        gateway.script("approve", PaymentOutcomeUnknown(order.pay_type.value, "read timeout"))
        try:
            await self.approve.execute(
                ApprovePaymentCommand(
                    pay_type=order.pay_type,
                    transaction_id=order.transaction_id,
                    callback={"pg_token": "tok"},
                )
            )
        except PaymentOutcomeUnknown:
            pass
        else:  # pragma: no cover - the script above makes approve raise
            raise AssertionError("approve should have lost its answer")
        return self.db.order(order.id or 0)

    async def refund_pending(self, **kwargs: Any) -> Order:
        """A paid order whose refund has started (as an expiry leaves it) but not been sent."""
        order = await self.paid_order(**kwargs)
        async with self.db() as uow:
            stored = await uow.orders.get(order.id or 0)
            payment = await uow.payments.of_order(order.id or 0)
            assert stored is not None and payment is not None
            stored.start_refund(self.clock.now())
            payment.begin_refund(self.clock.now())
            await uow.commit()
        return stored


def lookup_of(
    status: PlatformStatus, amount: int = 0, tx: str | None = None, at: datetime | None = None
) -> PaymentLookup:
    """What a platform's lookup answers about a payment."""
    return PaymentLookup(
        status=status,
        approved_amount=amount,
        refunded_amount=0,
        platform_tx_id=tx,
        raw={"status": status.value, "amount": amount},
        approved_at=at,
    )

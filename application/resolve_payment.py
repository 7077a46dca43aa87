from __future__ import annotations

import logging
from datetime import datetime
from enum import Enum

from application.approval import record_approval, record_decline
from application.payment_context import call_of, lock_by_order_id, payment_ref
from application.refund_payment import RefundPayment
from domain.errors import NotFound
from domain.payment import AttemptState, Operation, Payment, PaymentState
from domain.ports.clock import Clock
from domain.ports.payment_gateway import (
    Approval,
    Decline,
    PaymentGateways,
    PaymentLookup,
    PlatformCall,
    PlatformStatus,
)
from domain.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger("gonggu.payments")
WAITING = (PaymentState.READY, PaymentState.APPROVING)


class Resolution(str, Enum):
    PAID = "PAID"
    FAILED = "FAILED"
    UNRESOLVED = "UNRESOLVED"
    NOTHING_TO_DO = "NOTHING_TO_DO"


class ResolvePayment:
    """Settles a waiting payment by asking its platform, never by trusting a message.

    Rules: PAID only when the platform reports the payment approved, and for exactly the
    order's amount (a different amount is refunded and the order fails); failed or cancelled
    when the platform says so, or when the caller says the checkout was abandoned and the
    platform has not approved it; otherwise nothing moves.
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        gateways: PaymentGateways,
        clock: Clock,
        refunds: RefundPayment,
    ) -> None:
        self._uow, self._gateways, self._clock, self._refunds = uow, gateways, clock, refunds

    async def execute(self, order_id: int, *, abandoned: bool = False) -> Resolution:
        async with self._uow() as uow:
            ctx = await lock_by_order_id(uow, order_id)
            if ctx.payment.state not in WAITING:
                return Resolution.NOTHING_TO_DO
            ref = await payment_ref(uow, ctx.order, ctx.payment)
            call = await _open_call(uow, ctx.payment)
            platform = ctx.payment.platform
        lookup = await self._gateways.for_type(platform).lookup(ref, call)
        if lookup.status is PlatformStatus.APPROVED:
            return await self._settle(order_id, lookup)
        if lookup.status in (PlatformStatus.FAILED, PlatformStatus.CANCELLED) or abandoned:
            return await self._decline(order_id, lookup)
        return Resolution.UNRESOLVED

    async def knows(self, transaction_id: str) -> bool:
        """Whether the transaction is committed here (a callback about it can be acted on)."""
        async with self._uow() as uow:
            return await uow.orders.by_transaction_id(transaction_id) is not None

    async def by_transaction(self, transaction_id: str) -> Resolution:
        async with self._uow() as uow:
            order = await uow.orders.by_transaction_id(transaction_id)
        if order is None or order.id is None:
            raise NotFound(f"no order has transaction {transaction_id}")
        return await self.execute(order.id)

    async def _settle(self, order_id: int, lookup: PaymentLookup) -> Resolution:
        async with self._uow() as uow:
            ctx = await lock_by_order_id(uow, order_id)
            if ctx.payment.state not in WAITING:
                return Resolution.NOTHING_TO_DO
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
        if not paid:
            await self._refunds.execute(order_id, reason="approved amount differs from order")
            return Resolution.FAILED
        log.info("order %s is PAID: its platform reports it approved", order_id)
        return Resolution.PAID

    async def _decline(self, order_id: int, lookup: PaymentLookup) -> Resolution:
        async with self._uow() as uow:
            ctx = await lock_by_order_id(uow, order_id)
            if ctx.payment.state not in WAITING:
                return Resolution.NOTHING_TO_DO
            now = self._clock.now()
            await _close_attempts(uow, ctx.payment, AttemptState.FAILED, now)
            reason = f"the platform reports {lookup.status.value}"
            cancelled = lookup.status is PlatformStatus.CANCELLED
            decline = Decline(reason, cancelled, lookup.raw)
            await record_decline(uow, ctx.order, ctx.payment, decline, now)
            await uow.commit()
        log.info("order %s did not pay: %s", order_id, reason)
        return Resolution.FAILED


async def _open_call(uow: UnitOfWork, payment: Payment) -> PlatformCall | None:
    """The approval (or synchronous checkout) whose answer was lost, to ask about."""
    assert payment.id is not None
    for operation in (Operation.APPROVE, Operation.CHECKOUT):
        attempt = await uow.attempts.open_attempt(payment.id, operation)
        if attempt is not None:
            return call_of(attempt)
    return None


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
            attempt.failed("resolved by asking the platform", now)

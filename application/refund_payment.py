from __future__ import annotations

import json
from dataclasses import dataclass

from application.attempts import claim_attempt
from application.events import order_event
from application.payment_context import call_of, lock_by_order_id, payment_ref
from application.settings import PaymentPolicy
from domain.errors import PaymentOutcomeUnknown, PaymentPlatformError
from domain.events import EventType
from domain.order import OrderState
from domain.payment import Operation, PaymentState
from domain.ports.clock import Clock, IdSource
from domain.ports.payment_gateway import PaymentGateways
from domain.ports.unit_of_work import UnitOfWorkFactory


@dataclass(frozen=True)
class RefundOutcome:
    order_id: int
    refunded: bool
    error: str | None = None
    in_progress: bool = False
    """Another caller holds this refund's attempt right now; it will report the result."""


class RefundPayment:
    """Gives an order's money back through its own platform.

    Rules: only a payment already marked REFUNDING is refunded; the refund attempt is committed
    before the call and its key is reused until the platform answers definitely; a failed or
    unanswered refund stays REFUNDING with a backoff for the reconciler; the order becomes
    REFUNDED only when the platform confirmed the refund.
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        gateways: PaymentGateways,
        clock: Clock,
        ids: IdSource,
        policy: PaymentPolicy,
    ) -> None:
        self._uow, self._gateways, self._clock, self._ids = uow, gateways, clock, ids
        self._policy = policy

    async def execute(self, order_id: int, reason: str = "group expired") -> RefundOutcome:
        async with self._uow() as uow:
            ctx = await lock_by_order_id(uow, order_id)
            payment = ctx.payment
            if payment.state is PaymentState.REFUNDED:
                return RefundOutcome(order_id, refunded=True)
            if payment.state is not PaymentState.REFUNDING:
                return RefundOutcome(order_id, False, f"payment is {payment.state.value}")
            now = self._clock.now()
            attempt = await claim_attempt(
                uow, payment, Operation.REFUND, self._ids, now, self._policy.lease
            )
            if attempt is None:
                return RefundOutcome(
                    order_id, False, "a refund is already in progress", in_progress=True
                )
            ref = await payment_ref(uow, ctx.order, payment)
            amount = payment.refundable_amount
            call = call_of(attempt)
            await uow.commit()

        gateway = self._gateways.for_type(payment.platform)
        try:
            refund = await gateway.refund(ref, amount, reason, call)
        except (PaymentPlatformError, PaymentOutcomeUnknown) as exc:
            await self._record_failure(order_id, exc)
            return RefundOutcome(order_id, False, exc.message)

        async with self._uow() as uow:
            ctx = await lock_by_order_id(uow, order_id)
            now = self._clock.now()
            attempt = await uow.attempts.open_attempt(ctx.payment.id or 0, Operation.REFUND)
            if attempt is not None:
                attempt.succeeded(now)
            if ctx.payment.state is not PaymentState.REFUNDING:
                await uow.commit()
                return RefundOutcome(order_id, refunded=True)
            refunded = refund.refunded_amount or amount
            ctx.payment.refunded(refunded, now)
            ctx.payment.raw_response = json.dumps(refund.raw, default=str, ensure_ascii=False)
            if ctx.order.state is OrderState.REFUND_PENDING:
                ctx.order.mark_refunded(now)
            # Also when the order had already failed (an approval of the wrong amount): the
            # money going back is news to consumers either way.
            await uow.outbox.add(
                order_event(EventType.ORDER_REFUNDED, ctx.order, now, refundedAmount=refunded)
            )
            await uow.commit()
        return RefundOutcome(order_id, refunded=True)

    async def _record_failure(
        self, order_id: int, exc: PaymentPlatformError | PaymentOutcomeUnknown
    ) -> None:
        async with self._uow() as uow:
            ctx = await lock_by_order_id(uow, order_id)
            now = self._clock.now()
            attempt = await uow.attempts.open_attempt(ctx.payment.id or 0, Operation.REFUND)
            if attempt is not None:
                if isinstance(exc, PaymentOutcomeUnknown):
                    attempt.unknown(exc.message, now)
                else:
                    attempt.failed(exc.message, now)
            if ctx.payment.state is PaymentState.REFUNDING:
                backoff = self._policy.refund_backoff(ctx.payment.refund_failures)
                ctx.payment.refund_failed(now + backoff, now)
            await uow.commit()

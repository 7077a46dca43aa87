from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from application.payment_runner import PaymentRunner, Settling, by_id
from domain.errors import PaymentOutcomeUnknown, PaymentPlatformError, StorageUnavailable
from domain.order import Order
from domain.payment import Operation, PaymentState
from domain.ports.payment_gateway import (
    PaymentGateway,
    PaymentLookup,
    PaymentRef,
    PlatformCall,
    Refund,
)

log = logging.getLogger("gonggu.payments")


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
    REFUNDED only when the platform confirmed the refund — by answering it, or, after refusing
    one, by reporting the payment's money given back when asked (a refund whose answer was
    lost is refused when tried again: "more than was paid" under a new key, "already
    cancelled" where the platform takes no key).
    """

    def __init__(self, runner: PaymentRunner) -> None:
        self._runner = runner

    async def execute(self, order_id: int, reason: str = "group expired") -> RefundOutcome:
        step = _Refund(reason)
        ran = await self._runner.run(by_id(order_id), step, raises=False)
        payment = ran.order.pay
        if ran.busy:
            return RefundOutcome(order_id, False, "a refund is already in progress", True)
        if isinstance(ran.error, PaymentPlatformError) and await self._given_back(order_id):
            # Confirmed by this lookup, or by another caller meanwhile.
            return RefundOutcome(order_id, refunded=True)
        if ran.error is not None:
            return RefundOutcome(order_id, False, ran.error.message)
        if payment.state is PaymentState.REFUNDED:
            return RefundOutcome(order_id, refunded=True)
        return RefundOutcome(order_id, False, f"payment is {payment.state.value}")

    async def _given_back(self, order_id: int) -> bool:
        """Whether the platform, asked after refusing the refund, reports the money back (the
        order is then REFUNDED). A platform that cannot be asked, or does not answer, leaves
        the refund to its next try."""
        try:
            decision = _AlreadyRefunded()
            ran = await self._runner.ask(by_id(order_id), decision, about=Operation.REFUND)
        except (PaymentPlatformError, PaymentOutcomeUnknown, StorageUnavailable) as exc:
            log.warning("order %s: could not ask about its refund: %s", order_id, exc.message)
            return False
        except Exception:  # an adapter's bug must not stop the reconciler's other refunds
            log.exception("order %s: asking about its refund failed", order_id)
            return False
        return ran.order.pay.state is PaymentState.REFUNDED


class _AlreadyRefunded:
    """The lookup's decision after a refused refund: REFUNDED only when the platform reports,
    for this very payment, every won of it given back."""

    def begin(self, order: Order) -> bool:
        return order.pay.state is PaymentState.REFUNDING

    async def settle(self, order: Order, lookup: PaymentLookup | None, settling: Settling) -> bool:
        payment = order.pay
        if lookup is None or payment.state is not PaymentState.REFUNDING:
            return False
        approved, back = payment.approved_amount, lookup.refunded_amount
        same_payment = (
            not lookup.platform_tx_id
            or not payment.platform_tx_id
            or (lookup.platform_tx_id == payment.platform_tx_id)
        )
        # A status alone proves nothing (an answer missing its amounts reads as 0 >= 0).
        if same_payment and lookup.approved_amount == approved and back >= approved > 0:
            order.refund_confirmed(back, lookup.raw, settling.now)
            log.info("order %s: its platform reports the refund done (%s won)", order.id, back)
        return False  # the refused attempt is closed already; no other attempt to close


class _Refund:
    operation = Operation.REFUND

    def __init__(self, reason: str) -> None:
        self._reason = reason
        self._amount = 0

    def begin(self, order: Order, now: datetime) -> bool:
        payment = order.pay
        self._amount = payment.refundable_amount
        return payment.state is PaymentState.REFUNDING

    async def call(self, gateway: PaymentGateway, ref: PaymentRef, call: PlatformCall) -> Refund:
        return await gateway.refund(ref, self._amount, self._reason, call)

    async def succeeded(self, order: Order, result: Refund, settling: Settling) -> None:
        if order.pay.state is PaymentState.REFUNDING:
            order.refund_confirmed(result.refunded_amount or self._amount, result.raw, settling.now)

    async def failed(self, order: Order, error: PaymentPlatformError, settling: Settling) -> None:
        self._retry_later(order, settling)

    async def unknown(self, order: Order, error: PaymentOutcomeUnknown, settling: Settling) -> None:
        self._retry_later(order, settling)

    @staticmethod
    def _retry_later(order: Order, settling: Settling) -> None:
        payment = order.pay
        if payment.state is PaymentState.REFUNDING:
            backoff = settling.policy.refund_backoff(payment.refund_failures)
            payment.refund_failed(settling.now + backoff, settling.now)

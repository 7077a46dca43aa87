from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from application.payment_runner import PaymentRunner, Settling, by_id
from domain.errors import PaymentOutcomeUnknown, PaymentPlatformError
from domain.order import Order
from domain.payment import Operation, PaymentState
from domain.ports.payment_gateway import PaymentGateway, PaymentRef, PlatformCall, Refund


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

    def __init__(self, runner: PaymentRunner) -> None:
        self._runner = runner

    async def execute(self, order_id: int, reason: str = "group expired") -> RefundOutcome:
        step = _Refund(reason)
        ran = await self._runner.run(by_id(order_id), step, raises=False)
        payment = ran.order.pay
        if ran.busy:
            return RefundOutcome(order_id, False, "a refund is already in progress", True)
        if ran.error is not None:
            return RefundOutcome(order_id, False, ran.error.message)
        if payment.state is PaymentState.REFUNDED:
            return RefundOutcome(order_id, refunded=True)
        return RefundOutcome(order_id, False, f"payment is {payment.state.value}")


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

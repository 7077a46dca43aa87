from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from application.payment_runner import PaymentRunner, Settling, by_transaction
from domain.errors import InvalidInput, PaymentOutcomeUnknown, PaymentPlatformError
from domain.order import Order
from domain.pay_type import PayType
from domain.payment import Operation, PaymentState
from domain.ports.payment_gateway import (
    Approval,
    Decline,
    PaymentGateway,
    PaymentRef,
    PlatformCall,
)

Outcome = Approval | Decline


@dataclass(frozen=True, kw_only=True)
class ApprovePaymentCommand:
    pay_type: PayType
    transaction_id: str
    callback: Mapping[str, str]


class ApprovePayment:
    """Completes a payment the buyer authorised on the platform (the approval redirect).

    Rules: the platform confirms the payment server-to-server before the order moves; the
    approved amount must equal the order's, or the money is given back and the order fails;
    money the platform took for another order is recorded as an orphan and given back, and
    this order keeps waiting; duplicate or concurrent redirects make exactly one approve call
    and one state change, and the others answer with the order as it stands; a platform
    refusal leaves the order waiting (a stale or forged redirect must not fail a genuine
    payment) and the refused platform id is not kept.
    """

    def __init__(self, runner: PaymentRunner) -> None:
        self._runner = runner

    async def execute(self, cmd: ApprovePaymentCommand) -> Order:
        gateway = self._runner.gateways.for_type(cmd.pay_type)
        step = _Approve(cmd, gateway.reference_from_callback(cmd.callback))
        ran = await self._runner.run(by_transaction(cmd.transaction_id), step)
        return ran.order


class _Approve:
    operation = Operation.APPROVE

    def __init__(self, cmd: ApprovePaymentCommand, reference: str | None) -> None:
        self._cmd, self._reference = cmd, reference
        self._claimed: str | None = None
        self._retrying = False

    def begin(self, order: Order, now: datetime) -> bool:
        if order.pay_type is not self._cmd.pay_type:
            raise InvalidInput(
                f"transaction {self._cmd.transaction_id} is paid with {order.pay_type.value}, "
                f"not {self._cmd.pay_type.value}"
            )
        payment = order.pay
        if payment.state not in (PaymentState.READY, PaymentState.APPROVING):
            return False
        if payment.state is PaymentState.APPROVING and self._reference not in (
            None,
            payment.platform_tx_id,
        ):
            # An approval of another platform payment is open: its key stays bound to that
            # payment, which the reconciler settles by lookup.
            return False
        if payment.state is PaymentState.READY and self._reference:
            self._claimed = self._reference
        self._retrying = payment.state is PaymentState.APPROVING
        order.begin_approval(self._reference, now)
        return True

    async def call(self, gateway: PaymentGateway, ref: PaymentRef, call: PlatformCall) -> Outcome:
        return await gateway.approve(ref, self._cmd.callback, call)

    async def succeeded(self, order: Order, result: Outcome, settling: Settling) -> None:
        if order.pay.state in (PaymentState.FAILED, PaymentState.CANCELLED):
            if isinstance(result, Approval):
                # The order stopped waiting meanwhile, yet the platform took the money.
                reason = f"approved after the order became {order.state.value}"
                await settling.orphan(order, result.platform_tx_id, result.amount, reason)
            return
        if order.pay.state is not PaymentState.APPROVING:
            return  # settled meanwhile (the reconciler, a webhook)
        if isinstance(result, Approval):
            if result.earlier and await settling.uow.orphans.find(
                order.pay_type, result.platform_tx_id
            ):
                # This platform payment was taken under another order and is being given
                # back as an orphan: it pays nothing.
                order.approval_refused(settling.now, claimed_reference=self._claimed)
                return
            order.approval_settled(result, settling.now, settling.first_retry_at)
        elif self._retrying:
            # An earlier try of this approval may have taken the money: only a lookup (the
            # reconciler's) settles it, not what this redirect says.
            return
        elif result.verified:
            order.payment_declined(result, settling.now, claimed_reference=self._claimed)
        else:
            order.approval_refused(settling.now, claimed_reference=self._claimed)

    async def failed(self, order: Order, error: PaymentPlatformError, settling: Settling) -> None:
        if self._retrying:
            # An earlier try's answer was lost and may have taken the money: a refusal of this
            # (possibly forged) redirect says nothing about it; the reconciler's lookup does.
            return
        order.approval_refused(settling.now, claimed_reference=self._claimed)

    async def unknown(self, order: Order, error: PaymentOutcomeUnknown, settling: Settling) -> None:
        """The platform may have approved: the payment stays APPROVING for the reconciler."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from application.approval import record_approval, record_decline
from application.attempts import claim_attempt
from application.payment_context import call_of, lock_by_transaction, payment_ref
from application.refund_payment import RefundPayment
from application.settings import PaymentPolicy
from domain.errors import InvalidInput, PaymentOutcomeUnknown, PaymentPlatformError
from domain.order import Order
from domain.pay_type import PayType
from domain.payment import Operation, PaymentState
from domain.ports.clock import Clock, IdSource
from domain.ports.payment_gateway import Approval, PaymentGateways
from domain.ports.unit_of_work import UnitOfWorkFactory


@dataclass(frozen=True, kw_only=True)
class ApprovePaymentCommand:
    pay_type: PayType
    transaction_id: str
    callback: Mapping[str, str]


class ApprovePayment:
    """Completes a payment the buyer authorised on the platform (the approval redirect).

    Rules: the platform confirms the payment server-to-server before the order moves; the
    approved amount must equal the order's, or the money is given back and the order fails;
    duplicate or concurrent redirects make exactly one approve call and one state change, and
    the others answer with the order as it stands; a platform refusal leaves the order
    waiting (a stale or forged redirect must not fail a genuine payment).
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        gateways: PaymentGateways,
        clock: Clock,
        ids: IdSource,
        policy: PaymentPolicy,
        refunds: RefundPayment,
    ) -> None:
        self._uow, self._gateways, self._clock, self._ids = uow, gateways, clock, ids
        self._policy, self._refunds = policy, refunds

    async def execute(self, cmd: ApprovePaymentCommand) -> Order:
        async with self._uow() as uow:
            ctx = await lock_by_transaction(uow, cmd.transaction_id)
            order, payment = ctx.order, ctx.payment
            if order.pay_type is not cmd.pay_type:
                raise InvalidInput(
                    f"transaction {cmd.transaction_id} is paid with {order.pay_type.value}, "
                    f"not {cmd.pay_type.value}"
                )
            if payment.state not in (PaymentState.READY, PaymentState.APPROVING):
                return order
            gateway = self._gateways.for_type(order.pay_type)
            reference = gateway.reference_from_callback(cmd.callback)
            if payment.state is PaymentState.APPROVING and reference not in (
                None,
                payment.platform_tx_id,
            ):
                # An approval of another platform payment is open: its key stays bound to that
                # payment, which the reconciler settles by lookup.
                return order
            now = self._clock.now()
            attempt = await claim_attempt(
                uow, payment, Operation.APPROVE, self._ids, now, self._policy.lease
            )
            if attempt is None:
                return order
            if payment.state is PaymentState.READY:
                if reference:
                    payment.platform_tx_id = reference
                payment.begin_approval(now)
            ref = await payment_ref(uow, order, payment)
            call = call_of(attempt)
            await uow.commit()

        try:
            outcome = await gateway.approve(ref, cmd.callback, call)
        except (PaymentPlatformError, PaymentOutcomeUnknown) as exc:
            await self._record_error(cmd.transaction_id, exc)
            raise
        async with self._uow() as uow:
            ctx = await lock_by_transaction(uow, cmd.transaction_id)
            now = self._clock.now()
            attempt = await uow.attempts.open_attempt(ctx.payment.id or 0, Operation.APPROVE)
            if attempt is not None:
                attempt.succeeded(now)
            paid = True
            if ctx.payment.state is PaymentState.APPROVING:
                if isinstance(outcome, Approval):
                    paid = await record_approval(uow, ctx.order, ctx.payment, outcome, now)
                else:
                    await record_decline(uow, ctx.order, ctx.payment, outcome, now)
            await uow.commit()
            order_id = ctx.order.id
        assert order_id is not None
        if not paid:
            await self._refunds.execute(order_id, reason="approved amount differs from order")
        async with self._uow() as uow:
            return (await lock_by_transaction(uow, cmd.transaction_id)).order

    async def _record_error(
        self, transaction_id: str, exc: PaymentPlatformError | PaymentOutcomeUnknown
    ) -> None:
        async with self._uow() as uow:
            ctx = await lock_by_transaction(uow, transaction_id)
            now = self._clock.now()
            attempt = await uow.attempts.open_attempt(ctx.payment.id or 0, Operation.APPROVE)
            if isinstance(exc, PaymentOutcomeUnknown):
                if attempt is not None:
                    attempt.unknown(exc.message, now)
            else:
                if attempt is not None:
                    attempt.failed(exc.message, now)
                if ctx.payment.state is PaymentState.APPROVING:
                    ctx.payment.approval_refused(now)
            await uow.commit()

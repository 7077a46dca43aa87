from __future__ import annotations

from dataclasses import dataclass

from application.approval import record_decline
from application.payment_context import lock_by_transaction, payment_ref
from domain.errors import Conflict, InvalidInput, PaymentOutcomeUnknown
from domain.order import Order
from domain.pay_type import PayType
from domain.payment import PaymentState
from domain.ports.clock import Clock
from domain.ports.payment_gateway import Decline, PaymentGateways, PlatformStatus
from domain.ports.unit_of_work import UnitOfWorkFactory


@dataclass(frozen=True, kw_only=True)
class AbandonPaymentCommand:
    pay_type: PayType
    transaction_id: str
    cancelled_by_user: bool
    reason: str


class AbandonPayment:
    """The platform's fail or cancel redirect: the buyer did not pay.

    Rules: the redirect is only a claim — the platform is asked first, and an order the
    platform reports as paid never moves to failed/cancelled (409); a repeated redirect
    answers with the order as it stands.
    """

    def __init__(self, uow: UnitOfWorkFactory, gateways: PaymentGateways, clock: Clock) -> None:
        self._uow, self._gateways, self._clock = uow, gateways, clock

    async def execute(self, cmd: AbandonPaymentCommand) -> Order:
        async with self._uow() as uow:
            ctx = await lock_by_transaction(uow, cmd.transaction_id)
            if ctx.order.pay_type is not cmd.pay_type:
                raise InvalidInput(
                    f"transaction {cmd.transaction_id} is paid with {ctx.order.pay_type.value}"
                )
            if ctx.payment.state is not PaymentState.READY:
                return ctx.order
            ref = await payment_ref(uow, ctx.order, ctx.payment)
        if ref.platform_tx_id:
            lookup = await self._gateways.for_type(cmd.pay_type).lookup(ref)
            if lookup.status in (PlatformStatus.APPROVED, PlatformStatus.REFUNDED):
                raise Conflict(
                    f"{cmd.pay_type.value} reports transaction {cmd.transaction_id} as paid"
                )
            if lookup.status is PlatformStatus.PENDING:
                raise PaymentOutcomeUnknown(
                    cmd.pay_type.value, "the platform has not ended this payment yet"
                )
            raw = lookup.raw
        else:
            raw = {}
        async with self._uow() as uow:
            ctx = await lock_by_transaction(uow, cmd.transaction_id)
            if ctx.payment.state is PaymentState.READY:
                decline = Decline(cmd.reason, cmd.cancelled_by_user, raw)
                await record_decline(uow, ctx.order, ctx.payment, decline, self._clock.now())
                await uow.commit()
            return ctx.order

"""A buyer withdraws a paid order before any group takes it (the original system's order/cancel)."""

from __future__ import annotations

from dataclasses import dataclass

from application.refund_payment import RefundOutcome, RefundPayment
from application.settings import PaymentPolicy
from domain.errors import Forbidden, IllegalTransition, NotFound
from domain.order import Order, OrderState
from domain.ports.clock import Clock
from domain.ports.unit_of_work import UnitOfWorkFactory

REASON = "the buyer withdrew the order before it was grouped"


@dataclass(frozen=True, kw_only=True)
class CancelOrderCommand:
    order_id: int
    acting_user_id: int | None = None
    """The signed-in buyer; None when a trusted caller acts (test mode)."""


@dataclass(frozen=True)
class Withdrawal:
    order: Order
    refund: RefundOutcome


class CancelOrder:
    """Withdraws a PAID order that is in no group and refunds it through its own platform.

    Rules: only the order's buyer withdraws it; only a PAID order in no group moves, to
    REFUND_PENDING with its payment REFUNDING, under the order's lock in one transaction (a
    match or a second withdrawal waits for it, then finds the order no longer PAID); the
    refund then goes through `RefundPayment` with the same guarantees as an expiry's (attempt
    written before the call, retried by the reconciler until the platform confirms). A pending,
    failed, matched or confirmed order is refused with the reason; withdrawing again answers the
    order as it is and retries a refund still pending.
    """

    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, refunds: RefundPayment, policy: PaymentPolicy
    ) -> None:
        self._uow, self._clock, self._refunds, self._policy = uow, clock, refunds, policy

    async def execute(self, cmd: CancelOrderCommand) -> Withdrawal:
        async with self._uow() as uow:
            peek = await uow.orders.get(cmd.order_id)
            if peek is None:
                raise NotFound(f"order {cmd.order_id} does not exist")
            if cmd.acting_user_id is not None and peek.user_id != cmd.acting_user_id:
                raise Forbidden(f"order {cmd.order_id} belongs to another user")
            order = await uow.orders.lock_with_payment(order_id=cmd.order_id)
            if order is None:
                raise NotFound(f"order {cmd.order_id} does not exist")
            if order.group_id:
                raise IllegalTransition(_refusal(order))
            if order.state is OrderState.PAID:
                now = self._clock.now()
                order.withdraw_payment(now, now + self._policy.lease)
                await uow.commit()
            elif order.state not in (OrderState.REFUND_PENDING, OrderState.REFUNDED):
                raise IllegalTransition(_refusal(order))
        refund = await self._refunds.execute(cmd.order_id, reason=REASON)
        async with self._uow() as uow:
            settled = await uow.orders.get(cmd.order_id)
        return Withdrawal(settled or order, refund)


def _refusal(order: Order) -> str:
    if order.group_id:
        return (
            f"order {order.id} is {order.state.value} in group {order.group_id}; a grouped "
            "order is refunded only when its group expires"
        )
    if order.state is OrderState.PAYMENT_PENDING:
        return (
            f"order {order.id} is PAYMENT_PENDING; it is not paid yet, so there is nothing to "
            "refund (cancel on the platform's page instead)"
        )
    return f"order {order.id} is {order.state.value}; only a PAID order in no group is withdrawn"

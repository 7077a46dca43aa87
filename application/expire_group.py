from __future__ import annotations

from dataclasses import dataclass, field

from application.refund_payment import RefundPayment
from application.settings import PaymentPolicy
from domain.errors import NotFound
from domain.group import Group, GroupState
from domain.order import OrderState
from domain.payment import PaymentState
from domain.ports.clock import Clock
from domain.ports.unit_of_work import UnitOfWorkFactory


@dataclass(frozen=True)
class GroupExpiry:
    group: Group
    refunded: list[int] = field(default_factory=list)
    refund_pending: list[int] = field(default_factory=list)
    """Refunds the platform refused or did not answer: retried by the reconciler."""
    refund_in_progress: list[int] = field(default_factory=list)
    """Refunds another request (a concurrent expiry, the worker) is making right now."""
    errors: dict[int, str] = field(default_factory=dict)


class ExpireGroup:
    """Expires a group that did not work out and refunds every paying member.

    Rules: only a MATCHED group expires (a settlement-ready one is 409); every PAID or MATCHED
    member becomes REFUND_PENDING in the same transaction, then each is refunded through its
    own platform before answering; a refund the platform refuses stays REFUND_PENDING (the
    answer lists it, the reconciler retries it); expiring again is harmless and retries what is
    still pending. Members who already confirmed their purchase keep it.
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        refunds: RefundPayment,
        policy: PaymentPolicy | None = None,
    ) -> None:
        self._uow, self._clock, self._refunds = uow, clock, refunds
        self._policy = policy or PaymentPolicy()

    async def execute(self, group_id: int) -> GroupExpiry:
        async with self._uow() as uow:
            group = await uow.groups.get(group_id, for_update=True)
            if group is None:
                raise NotFound(f"group {group_id} does not exist")
            members = await uow.orders.of_group(group_id, for_update=True)
            if group.state is not GroupState.EXPIRED:
                now = self._clock.now()
                group.expire(now, members)
                for order in members:
                    if order.state in (OrderState.PAID, OrderState.MATCHED):
                        assert order.id is not None
                        payment = await uow.payments.of_order(order.id, for_update=True)
                        order.start_refund(now)
                        if payment is not None and payment.state is PaymentState.APPROVED:
                            payment.begin_refund(now, now + self._policy.lease)
                await uow.commit()
            to_refund = [o.id for o in members if o.state is OrderState.REFUND_PENDING]
            done = [o.id or 0 for o in members if o.state is OrderState.REFUNDED]
        result = GroupExpiry(group, refunded=done)
        for order_id in to_refund:
            assert order_id is not None
            outcome = await self._refunds.execute(order_id, reason=f"group {group_id} expired")
            if outcome.refunded:
                result.refunded.append(order_id)
            elif outcome.in_progress:
                result.refund_in_progress.append(order_id)
            else:
                result.refund_pending.append(order_id)
                result.errors[order_id] = outcome.error or "refund not confirmed yet"
        return result

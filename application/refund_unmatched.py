from __future__ import annotations

from application.refund_payment import RefundPayment
from application.settings import PaymentPolicy
from domain.payment import PaymentState
from domain.ports.clock import Clock
from domain.ports.unit_of_work import UnitOfWorkFactory


class RefundUnmatchedOrders:
    """Paid orders that no group took within the configured time expire and are refunded.

    Rules: only PAID orders (never grouped) qualify; each becomes REFUND_PENDING with its
    payment REFUNDING in one transaction, then is refunded like a group expiry's members.
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        policy: PaymentPolicy,
        refunds: RefundPayment,
        batch: int = 100,
    ) -> None:
        self._uow, self._clock, self._policy = uow, clock, policy
        self._refunds, self._batch = refunds, batch

    async def execute(self) -> list[int]:
        async with self._uow() as uow:
            now = self._clock.now()
            cutoff = now - self._policy.unmatched_refund_after
            orders = await uow.orders.paid_unmatched_before(cutoff, self._batch)
            expired: list[int] = []
            for order in orders:
                assert order.id is not None
                payment = await uow.payments.of_order(order.id, for_update=True)
                order.start_refund(now)
                if payment is not None and payment.state is PaymentState.APPROVED:
                    payment.begin_refund(now, now + self._policy.lease)
                expired.append(order.id)
            await uow.commit()
        for order_id in expired:
            await self._refunds.execute(order_id, reason="no group formed in time")
        return expired

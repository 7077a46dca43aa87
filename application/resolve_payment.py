from __future__ import annotations

import logging
from enum import Enum

from application.payment_runner import PaymentRunner, Settling, by_id
from domain.errors import NotFound
from domain.order import Order
from domain.payment import PaymentState
from domain.ports.payment_gateway import Approval, Decline, PaymentLookup, PlatformStatus

log = logging.getLogger("gonggu.payments")
WAITING = (PaymentState.READY, PaymentState.APPROVING)
CLOSED = (PaymentState.FAILED, PaymentState.CANCELLED)


class Resolution(str, Enum):
    PAID = "PAID"
    FAILED = "FAILED"
    UNRESOLVED = "UNRESOLVED"
    NOTHING_TO_DO = "NOTHING_TO_DO"
    ORPHAN = "ORPHAN"
    """The order had stopped waiting, yet the platform holds its money: given back."""


class ResolvePayment:
    """Settles a waiting payment by asking its platform, never by trusting a message.

    Rules: PAID only when the platform reports the payment approved, and for exactly the
    order's amount (a different amount is refunded and the order fails); failed or cancelled
    when the platform says so, or when the caller says the checkout was abandoned and the
    platform has not approved it; otherwise nothing moves. Asked about an order that stopped
    waiting (`closed_too`, as a webhook asks), money the platform nevertheless holds for it is
    an orphan payment, refunded.
    """

    def __init__(self, runner: PaymentRunner) -> None:
        self._runner = runner

    async def execute(
        self, order_id: int, *, abandoned: bool = False, closed_too: bool = False
    ) -> Resolution:
        decision = _Resolve(abandoned, closed_too)
        await self._runner.ask(by_id(order_id), decision)
        return decision.resolution

    async def knows(self, transaction_id: str) -> bool:
        """Whether the transaction is committed here (a callback about it can be acted on)."""
        async with self._runner.uow() as uow:
            return await uow.orders.by_transaction_id(transaction_id) is not None

    async def by_transaction(self, transaction_id: str) -> Resolution:
        async with self._runner.uow() as uow:
            order = await uow.orders.by_transaction_id(transaction_id)
        if order is None or order.id is None:
            raise NotFound(f"no order has transaction {transaction_id}")
        return await self.execute(order.id, closed_too=True)


class _Resolve:
    def __init__(self, abandoned: bool, closed_too: bool = False) -> None:
        self._abandoned, self._closed_too = abandoned, closed_too
        self.resolution = Resolution.NOTHING_TO_DO

    def begin(self, order: Order) -> bool:
        return order.pay.state in WAITING or (self._closed_too and order.pay.state in CLOSED)

    async def settle(self, order: Order, lookup: PaymentLookup | None, settling: Settling) -> bool:
        if order.pay.state in CLOSED:
            if lookup is not None and lookup.status is PlatformStatus.APPROVED:
                held = lookup.approved_amount - lookup.refunded_amount
                tx = lookup.platform_tx_id or order.pay.platform_tx_id
                if held > 0 and tx:
                    reason = f"the platform holds it after the order became {order.state.value}"
                    await settling.orphan(order, tx, held, reason)
                    self.resolution = Resolution.ORPHAN
            return False
        if order.pay.state not in WAITING:
            self.resolution = Resolution.NOTHING_TO_DO
            return False
        status = lookup.status if lookup is not None else PlatformStatus.NOT_FOUND
        if lookup is not None and status is PlatformStatus.APPROVED:
            tx = lookup.platform_tx_id or order.pay.platform_tx_id or ""
            if tx and await settling.uow.orphans.find(order.pay_type, tx) is not None:
                # This platform payment was taken under another order and is being given back
                # as an orphan (as an approval redirect finds it): it pays nothing.
                self.resolution = Resolution.UNRESOLVED
                log.warning("order %s: its platform payment %s is an orphan", order.id, tx)
                return False
            approval = Approval(
                platform_tx_id=lookup.platform_tx_id or order.pay.platform_tx_id or "",
                amount=lookup.approved_amount,
                approved_at=lookup.approved_at or settling.now,
                raw=lookup.raw,
            )
            paid = order.approval_settled(approval, settling.now, settling.first_retry_at)
            self.resolution = Resolution.PAID if paid else Resolution.FAILED
            log.info("order %s: its platform reports it approved (%s)", order.id, status.value)
            return True
        if status in (PlatformStatus.FAILED, PlatformStatus.CANCELLED) or self._abandoned:
            reason = f"the platform reports {status.value}"
            cancelled = status is PlatformStatus.CANCELLED
            order.payment_declined(
                Decline(reason, cancelled, lookup.raw if lookup else {}), settling.now
            )
            self.resolution = Resolution.FAILED
            log.info("order %s did not pay: %s", order.id, reason)
            return True
        self.resolution = Resolution.UNRESOLVED
        return False

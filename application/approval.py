"""Recording a platform's approval: the money counts only if it is exactly the order's amount."""

from __future__ import annotations

import json
from datetime import datetime

from application.events import order_event
from domain.events import EventType
from domain.order import Order
from domain.payment import Payment
from domain.ports.payment_gateway import Approval, Decline
from domain.ports.unit_of_work import UnitOfWork


async def record_approval(
    uow: UnitOfWork, order: Order, payment: Payment, approval: Approval, now: datetime
) -> bool:
    """Marks the order PAID; a different amount is taken back instead. True when PAID."""
    payment.approved(approval.platform_tx_id, approval.amount, approval.approved_at)
    payment.raw_response = json.dumps(approval.raw, default=str, ensure_ascii=False)
    if approval.amount != order.trans_amount:
        payment.begin_refund(now)
        order.mark_payment_failed(now)
        await uow.outbox.add(
            order_event(
                EventType.PAYMENT_FAILED,
                order,
                now,
                reason=f"approved {approval.amount} won instead of {order.trans_amount}",
                approvedAmount=approval.amount,
            )
        )
        return False
    order.mark_paid(now)
    await uow.outbox.add(order_event(EventType.ORDER_PAID, order, now))
    return True


async def record_decline(
    uow: UnitOfWork, order: Order, payment: Payment, decline: Decline, now: datetime
) -> None:
    payment.raw_response = json.dumps(decline.raw, default=str, ensure_ascii=False)
    if decline.cancelled_by_user:
        payment.cancelled(now)
        order.mark_payment_cancelled(now)
    else:
        payment.failed(now)
        order.mark_payment_failed(now)
    await uow.outbox.add(order_event(EventType.PAYMENT_FAILED, order, now, reason=decline.reason))

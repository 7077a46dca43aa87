"""JSON of the read endpoints and of a withdrawal: an order with its payment, a group report."""

from __future__ import annotations

from typing import Any

from adapters.inbound.http.schemas import group_json, millis, order_json
from application.queries import GroupReport
from domain.payment import Payment
from domain.ports.reads import OrderWithPayment
from domain.settlement import SettlementStatement


def payment_json(payment: Payment | None) -> dict[str, Any] | None:
    if payment is None:
        return None
    return {
        "platform": payment.platform.value,
        "state": payment.state.value,
        "amount": payment.amount,
        "approvedAmount": payment.approved_amount,
        "refundedAmount": payment.refunded_amount,
        "platformTransactionId": payment.platform_tx_id,
        "approvedAt": millis(payment.approved_at),
        "cancelledAt": millis(payment.cancelled_at),
    }


def order_detail_json(found: OrderWithPayment) -> dict[str, Any]:
    return order_json(found.order) | {"payment": payment_json(found.payment)}


def member_json(member: OrderWithPayment) -> dict[str, Any]:
    order, payment = member.order, member.payment
    return {
        "orderId": order.id,
        "userId": order.user_id,
        "payType": order.pay_type.value,
        "transAmount": order.trans_amount,
        "state": order.state.value,
        "paymentState": payment.state.value if payment else None,
    }


def statement_json(statement: SettlementStatement) -> dict[str, Any]:
    return {
        "approved": statement.approved,
        "refunded": statement.refunded,
        "readyForSettlement": statement.ready_for_settlement,
        "platforms": [
            {
                "payType": p.platform.value,
                "orders": p.orders,
                "approved": p.approved,
                "refunded": p.refunded,
                "readyForSettlement": p.ready_for_settlement,
            }
            for p in statement.platforms
        ],
    }


def group_report_json(report: GroupReport) -> dict[str, Any]:
    return group_json(report.group, [m.order.id or 0 for m in report.members]) | {
        "members": [member_json(m) for m in report.members],
        "settlement": statement_json(report.statement),
    }

"""Builders of the domain events the use-cases write to the outbox."""

from __future__ import annotations

from datetime import datetime

from domain.events import DomainEvent, EventType
from domain.group import Group
from domain.order import Order


def order_event(kind: EventType, order: Order, at: datetime, **extra: object) -> DomainEvent:
    data: dict[str, object] = {
        "orderId": order.id,
        "userId": order.user_id,
        "productId": order.product_id,
        "transactionId": order.transaction_id,
        "payType": order.pay_type.value,
        "amount": order.trans_amount,
        "state": order.state.value,
    }
    if order.group_id:
        data["groupId"] = order.group_id
    data.update(extra)
    return DomainEvent(type=kind, occurred_at=at, data=data)


def group_event(kind: EventType, group: Group, order_ids: list[int], at: datetime) -> DomainEvent:
    return DomainEvent(
        type=kind,
        occurred_at=at,
        data={
            "groupId": group.id,
            "productId": group.product_id,
            "orderIds": sorted(order_ids),
            "state": group.state.value,
        },
    )

"""Domain events. The aggregates raise typed events from their transitions
(`order.events.append(...)`); the unit of work writes each one's `record()` to the outbox in the
same transaction as the change it reports, and hands them to the message bus after commit.

A `FollowUp` is an event that only asks for work after commit (a refund to make): it is never
written to the outbox.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import ClassVar


class EventType(str, Enum):
    ORDER_PLACED = "OrderPlaced"
    ORDER_PAID = "OrderPaid"
    PAYMENT_FAILED = "PaymentFailed"
    GROUP_MATCHED = "GroupMatched"
    GROUP_EXPIRED = "GroupExpired"
    ORDER_REFUNDED = "OrderRefunded"
    PURCHASE_CONFIRMED = "PurchaseConfirmed"
    GROUP_SETTLEMENT_READY = "GroupSettlementReady"
    ORPHAN_PAYMENT_FOUND = "OrphanPaymentFound"
    ORPHAN_PAYMENT_REFUNDED = "OrphanPaymentRefunded"


@dataclass(frozen=True)
class DomainEvent:
    """An event as the outbox stores and relays it."""

    type: EventType
    occurred_at: datetime
    data: Mapping[str, object]
    event_id: str = field(default_factory=lambda: str(uuid.uuid4()))


_raised = itertools.count()


class Event:
    """A typed event raised by an aggregate; `seq` orders events raised in one transaction."""

    kind: ClassVar[EventType]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_seq", next(_raised))

    @property
    def seq(self) -> int:
        return int(getattr(self, "_seq", 0))

    def record(self) -> DomainEvent:
        raise NotImplementedError


@dataclass(frozen=True)
class OrderEvent(Event):
    """Something that happened to one order; `order` is its snapshot at that moment."""

    order: Mapping[str, object]
    occurred_at: datetime

    def extra(self) -> Mapping[str, object]:
        return {}

    def record(self) -> DomainEvent:
        return DomainEvent(self.kind, self.occurred_at, {**self.order, **self.extra()})


@dataclass(frozen=True)
class OrderPlaced(OrderEvent):
    kind = EventType.ORDER_PLACED


@dataclass(frozen=True)
class OrderPaid(OrderEvent):
    kind = EventType.ORDER_PAID


@dataclass(frozen=True)
class PaymentFailed(OrderEvent):
    kind = EventType.PAYMENT_FAILED
    reason: str = ""
    approved_amount: int | None = None

    def extra(self) -> Mapping[str, object]:
        data: dict[str, object] = {"reason": self.reason}
        if self.approved_amount is not None:
            data["approvedAmount"] = self.approved_amount
        return data


@dataclass(frozen=True)
class OrderRefunded(OrderEvent):
    kind = EventType.ORDER_REFUNDED
    refunded_amount: int = 0

    def extra(self) -> Mapping[str, object]:
        return {"refundedAmount": self.refunded_amount}


@dataclass(frozen=True)
class PurchaseConfirmed(OrderEvent):
    kind = EventType.PURCHASE_CONFIRMED


@dataclass(frozen=True)
class GroupEvent(Event):
    group_id: int
    product_id: int
    order_ids: tuple[int, ...]
    state: str
    occurred_at: datetime

    def record(self) -> DomainEvent:
        data = {
            "groupId": self.group_id,
            "productId": self.product_id,
            "orderIds": sorted(self.order_ids),
            "state": self.state,
        }
        return DomainEvent(self.kind, self.occurred_at, data)


@dataclass(frozen=True)
class GroupMatched(GroupEvent):
    kind = EventType.GROUP_MATCHED


@dataclass(frozen=True)
class GroupExpired(GroupEvent):
    kind = EventType.GROUP_EXPIRED


@dataclass(frozen=True)
class GroupSettlementReady(GroupEvent):
    kind = EventType.GROUP_SETTLEMENT_READY


@dataclass(frozen=True)
class OrphanEvent(Event):
    """Money a platform holds that no pending order owns: found, then given back."""

    orphan: Mapping[str, object]
    occurred_at: datetime

    def record(self) -> DomainEvent:
        return DomainEvent(self.kind, self.occurred_at, dict(self.orphan))


@dataclass(frozen=True)
class OrphanPaymentFound(OrphanEvent):
    kind = EventType.ORPHAN_PAYMENT_FOUND


@dataclass(frozen=True)
class OrphanPaymentRefunded(OrphanEvent):
    kind = EventType.ORPHAN_PAYMENT_REFUNDED


class FollowUp(Event):
    """Work to do once, after the commit that raised it; not an outbox event."""

    def record(self) -> DomainEvent:
        raise TypeError(f"{type(self).__name__} is a follow-up, not an outbox event")


@dataclass(frozen=True)
class RefundDue(FollowUp):
    """The order's payment is REFUNDING: give the money back now (the worker retries it)."""

    order_id: int
    reason: str


@dataclass(frozen=True)
class OrphanRefundDue(FollowUp):
    orphan_id: int

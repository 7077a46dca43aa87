"""Domain events, written to the outbox in the same transaction as the change they report."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum


class EventType(str, Enum):
    ORDER_PLACED = "OrderPlaced"
    ORDER_PAID = "OrderPaid"
    PAYMENT_FAILED = "PaymentFailed"
    GROUP_MATCHED = "GroupMatched"
    GROUP_EXPIRED = "GroupExpired"
    ORDER_REFUNDED = "OrderRefunded"
    PURCHASE_CONFIRMED = "PurchaseConfirmed"
    GROUP_SETTLEMENT_READY = "GroupSettlementReady"


@dataclass(frozen=True)
class DomainEvent:
    type: EventType
    occurred_at: datetime
    data: Mapping[str, object]
    event_id: str = field(default_factory=lambda: str(uuid.uuid4()))

"""One log line and the counters per business event, from the domain events a unit of work
committed (so they are counted once, and only when they really happened)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import structlog

from adapters.observability.metrics import GROUPS, ORDERS, ORPHAN_PAYMENTS
from domain.events import DomainEvent

log = structlog.get_logger("gonggu.events")

ORDER_EVENTS = {
    "OrderPlaced": "placed",
    "OrderPaid": "paid",
    "PaymentFailed": "failed",
    "OrderRefunded": "refunded",
}
GROUP_EVENTS = {
    "GroupMatched": "matched",
    "GroupExpired": "expired",
    "GroupSettlementReady": "settlement-ready",
}
ID_FIELDS = ("orderId", "transactionId", "groupId", "userId", "amount", "refundedAmount")


def _type_name(event: DomainEvent) -> str:
    kind: Any = event.type
    return str(getattr(kind, "value", kind))


def _platform(data: Any) -> str:
    return str(data.get("payType") or data.get("platform") or "unknown")


class BusinessEvents:
    """Called with the events of every committed unit of work."""

    def committed(self, events: Sequence[DomainEvent]) -> None:
        for event in events:
            try:
                self._one(event)
            except Exception:  # observing must never break the business it observes
                log.exception("could not record a business event", eventType=_type_name(event))

    def _one(self, event: DomainEvent) -> None:
        kind, data = _type_name(event), dict(event.data)
        fields = {k: data[k] for k in ID_FIELDS if data.get(k) is not None}
        fields["eventType"] = kind
        fields["eventId"] = event.event_id
        if kind in ORDER_EVENTS:
            platform = _platform(data)
            ORDERS.labels(platform=platform, event=ORDER_EVENTS[kind]).inc()
            log.info(f"order {ORDER_EVENTS[kind]}", platform=platform, **fields)
        elif kind == "OrphanPaymentFound":
            platform = _platform(data)
            ORPHAN_PAYMENTS.labels(platform=platform).inc()
            log.warning("orphan payment", platform=platform, reason=data.get("reason"), **fields)
        elif kind == "OrphanPaymentRefunded":
            log.info("orphan payment refunded", platform=_platform(data), **fields)
        elif kind in GROUP_EVENTS:
            GROUPS.labels(event=GROUP_EVENTS[kind]).inc()
            log.info(f"group {GROUP_EVENTS[kind]}", orderIds=data.get("orderIds"), **fields)
        else:
            log.info(kind, **fields)

from __future__ import annotations

import logging
from collections import Counter
from datetime import timedelta

from adapters.observability.metrics import REFUNDS_OVERDUE_ALERTS
from domain.ports.events import Alerts

log = logging.getLogger("gonggu.alerts")


class LoggingAlerts(Alerts):
    """Alerts as ERROR log lines plus in-process counters, which the worker logs after each run."""

    def __init__(self) -> None:
        self.counters: Counter[str] = Counter()

    def refund_overdue(self, order_id: int, age: timedelta, failures: int) -> None:
        self.counters["gonggu_refund_overdue_total"] += 1
        REFUNDS_OVERDUE_ALERTS.inc()
        log.error(
            "refund overdue: order %s still not refunded after %s (%s failed tries)",
            order_id,
            age,
            failures,
            extra={
                "orderId": order_id,
                "ageSeconds": int(age.total_seconds()),
                "failures": failures,
            },
        )

    def count(self, metric: str, amount: int = 1) -> None:
        self.counters[metric] += amount

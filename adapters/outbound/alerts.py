from __future__ import annotations

import logging
from collections import Counter
from datetime import timedelta

from domain.ports.events import Alerts

log = logging.getLogger("gonggu.alerts")


class LoggingAlerts(Alerts):
    """Alerts as ERROR log lines plus in-process counters, which the worker logs after each run."""

    def __init__(self) -> None:
        self.counters: Counter[str] = Counter()

    def refund_overdue(self, order_id: int, age: timedelta, failures: int) -> None:
        self.counters["gonggu_refund_overdue_total"] += 1
        log.error(
            "refund of order %s still not done after %s (%s failed tries): check the platform",
            order_id,
            age,
            failures,
        )

    def count(self, metric: str, amount: int = 1) -> None:
        self.counters[metric] += amount

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Protocol

from domain.events import DomainEvent


class EventPublisher(Protocol):
    """Delivers events to consumers; returns only when the broker has accepted all of them."""

    async def publish(self, events: Sequence[DomainEvent]) -> None: ...


class Alerts(Protocol):
    """What operators must hear about (an ERROR log and a metric)."""

    def refund_overdue(self, order_id: int, age: timedelta, failures: int) -> None: ...
    def count(self, metric: str, amount: int = 1) -> None: ...

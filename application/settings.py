from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class PaymentPolicy:
    """Timings the payment use-cases and the reconciler follow."""

    lease: timedelta = timedelta(seconds=60)
    """How long an in-flight platform call is left to its caller before others may retry it."""
    reconcile_after: timedelta = timedelta(seconds=60)
    abandon_after: timedelta = timedelta(minutes=30)
    """A payment nobody completed in this time is failed, once the platform confirms it."""
    refund_retry_base: timedelta = timedelta(seconds=5)
    refund_retry_max: timedelta = timedelta(minutes=30)
    refund_alert_after: timedelta = timedelta(hours=1)
    unmatched_refund_after: timedelta = timedelta(days=7)

    def refund_backoff(self, failures: int) -> timedelta:
        delay: timedelta = self.refund_retry_base * (2 ** min(failures, 16))
        return min(delay, self.refund_retry_max)

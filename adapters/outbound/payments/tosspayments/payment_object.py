"""Reading Toss's Payment object and error object (docs.tosspayments.com/reference)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import httpx

from domain.ports.payment_gateway import PlatformStatus

PLATFORM = "tosspayments"

_STATUS = {
    "READY": PlatformStatus.PENDING,
    "IN_PROGRESS": PlatformStatus.PENDING,
    "WAITING_FOR_DEPOSIT": PlatformStatus.PENDING,
    "DONE": PlatformStatus.APPROVED,
    # money is still held after a partial cancel; refunded_amount says how much went back
    "PARTIAL_CANCELED": PlatformStatus.APPROVED,
    "ABORTED": PlatformStatus.FAILED,
    "EXPIRED": PlatformStatus.CANCELLED,
}


def read_error(response: httpx.Response) -> tuple[str | None, str]:
    """`{"code", "message"}`, or the same wrapped in `{"error": {...}}`."""
    body = response.json()
    if isinstance(body.get("error"), Mapping):
        body = body["error"]
    return body.get("code"), str(body.get("message") or f"HTTP {response.status_code}")


def parse_time(value: object) -> datetime | None:
    """ISO 8601 with offset, e.g. `2024-02-13T12:18:14+09:00`."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def status_of(payment: Mapping[str, Any]) -> PlatformStatus:
    status = str(payment.get("status") or "")
    if status == "CANCELED":
        # a payment cancelled before it was ever approved (e.g. an unpaid virtual account)
        # gave nothing back: only an approval time shows it was paid (cancel entries alone
        # could be a never-paid payment's)
        return PlatformStatus.REFUNDED if payment.get("approvedAt") else PlatformStatus.CANCELLED
    return _STATUS.get(status, PlatformStatus.PENDING)


def approved_amount(payment: Mapping[str, Any]) -> int:
    if status_of(payment) not in (PlatformStatus.APPROVED, PlatformStatus.REFUNDED):
        return 0
    return int(payment.get("totalAmount") or 0)


def refunded_amount(payment: Mapping[str, Any]) -> int:
    """The sum of the performed cancels; without them, what the balance lacks."""
    cancels = payment.get("cancels") or []
    if cancels:
        return sum(
            int(c.get("cancelAmount") or 0)
            for c in cancels
            if c.get("cancelStatus", "DONE") == "DONE"
        )
    if payment.get("status") in ("CANCELED", "PARTIAL_CANCELED"):
        return int(payment.get("totalAmount") or 0) - int(payment.get("balanceAmount") or 0)
    return 0

"""Reading KakaoPay's answers: amounts, timestamps (KST, no offset) and order statuses."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from domain.ports.payment_gateway import PaymentLookup, PlatformStatus

KST = timezone(timedelta(hours=9), "KST")

_STATUSES = {
    "SUCCESS_PAYMENT": PlatformStatus.APPROVED,
    "PART_CANCEL_PAYMENT": PlatformStatus.APPROVED,
    "CANCEL_PAYMENT": PlatformStatus.REFUNDED,
    "QUIT_PAYMENT": PlatformStatus.CANCELLED,
    "FAIL_AUTH_PASSWORD": PlatformStatus.FAILED,
    "FAIL_PAYMENT": PlatformStatus.FAILED,
}
"""READY, SEND_TMS, OPEN_PAYMENT, SELECT_METHOD, ARS_WAITING, AUTH_PASSWORD and ISSUED_SID
(and any status Kakao adds later) are undecided: the buyer may still pay."""

APPROVED_STATUSES = frozenset({"SUCCESS_PAYMENT", "PART_CANCEL_PAYMENT", "CANCEL_PAYMENT"})


def total(answer: Mapping[str, Any], key: str) -> int:
    """`answer[key].total` (amount, canceled_amount, cancel_available_amount, ...), else 0."""
    value = answer.get(key)
    if isinstance(value, Mapping):
        raw = value.get("total")
        if isinstance(raw, int) and not isinstance(raw, bool):
            return raw
    return 0


def parse_time(value: object) -> datetime | None:
    """Kakao writes `2023-07-15T21:18:22`, Korean time without an offset."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=KST)


def to_lookup(order: Mapping[str, Any]) -> PaymentLookup:
    """Maps an `order` answer to the port's view of the payment."""
    status = str(order.get("status") or "")
    approved = status in APPROVED_STATUSES
    return PaymentLookup(
        status=_STATUSES.get(status, PlatformStatus.PENDING),
        approved_amount=total(order, "amount") if approved else 0,
        refunded_amount=total(order, "canceled_amount"),
        platform_tx_id=str(order["tid"]) if order.get("tid") else None,
        raw=dict(order),
        approved_at=parse_time(order.get("approved_at")) if approved else None,
    )


def cancel_with_payload(order: Mapping[str, Any], payload: str) -> int | None:
    """The amount of the CANCEL action recorded with this payload, if Kakao has one."""
    actions = order.get("payment_action_details")
    if not isinstance(actions, list):
        return None
    for action in actions:
        if (
            isinstance(action, Mapping)
            and action.get("payment_action_type") == "CANCEL"
            and action.get("payload") == payload
        ):
            amount = action.get("amount")
            return abs(amount) if isinstance(amount, int) else 0
    return None

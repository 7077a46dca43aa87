"""Reading NaverPay's answers: timestamps, the approval detail, the payment history."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from domain.ports.payment_gateway import PaymentLookup, PlatformStatus

KST = timezone(timedelta(hours=9))
APPROVAL_TYPE = "01"  # admissionTypeCode: 01 원결제 승인건, 03 전체취소, 04 부분취소
CANCEL_TYPES = ("03", "04")
ADMITTED = "SUCCESS"  # admissionState: SUCCESS 완료, FAIL 실패


def parse_ymdt(raw: object) -> datetime | None:
    """`yyyyMMddHHmmss` in Korean time, as NaverPay writes every timestamp."""
    if not isinstance(raw, str) or len(raw) != 14:
        return None
    try:
        return datetime.strptime(raw, "%Y%m%d%H%M%S").replace(tzinfo=KST)
    except ValueError:
        return None


def amount(row: Mapping[str, Any], field: str) -> int:
    value = row.get(field)
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return 0
    try:
        return int(value)
    except ValueError:
        return 0


def lookup_from_history(
    payment_id: str, rows: Sequence[Mapping[str, Any]], raw: Mapping[str, Any]
) -> PaymentLookup:
    """One payment's status from its history rows (one per approval or cancellation)."""
    if not rows:
        # The buyer authorised in the window but the merchant has not applied yet.
        return PaymentLookup(PlatformStatus.PENDING, 0, 0, payment_id, raw)
    done = [r for r in rows if r.get("admissionState") == ADMITTED]
    approvals = [r for r in done if r.get("admissionTypeCode") == APPROVAL_TYPE]
    approved = sum(amount(r, "totalPayAmount") for r in approvals)
    refunded = sum(amount(r, "totalPayAmount") for r in done if _is_cancel(r))
    if not approvals:
        return PaymentLookup(PlatformStatus.FAILED, 0, 0, payment_id, raw)
    # An approval whose amount could not be read is no proof of a refund (0 >= 0).
    given_back = approved > 0 and refunded >= approved
    status = PlatformStatus.REFUNDED if given_back else PlatformStatus.APPROVED
    approved_at = parse_ymdt(approvals[0].get("admissionYmdt"))
    return PaymentLookup(status, approved, refunded, payment_id, raw, approved_at)


def _is_cancel(row: Mapping[str, Any]) -> bool:
    return row.get("admissionTypeCode") in CANCEL_TYPES

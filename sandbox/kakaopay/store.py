"""The emulator's memory: one record per tid, as KakaoPay keeps it."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

KST = timezone(timedelta(hours=9))
READY_EXPIRES_AFTER = timedelta(minutes=15)
"""A ready payment the buyer has not paid within 15 minutes can no longer be approved. The
figure is the emulator's: KakaoPay's public docs give none we could check (payment processors
list about 14-15 minutes for KakaoPay's window)."""
NOT_PAID_YET = (
    "READY",
    "SEND_TMS",
    "OPEN_PAYMENT",
    "SELECT_METHOD",
    "ARS_WAITING",
    "AUTH_PASSWORD",
)
Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(KST)


def kst_now(clock: Clock = system_clock) -> str:
    """Kakao's timestamp format: Korean time, seconds, no offset."""
    return clock().astimezone(KST).strftime("%Y-%m-%dT%H:%M:%S")


def new_id(prefix: str) -> str:
    """A 20-character id such as tid `T1234567890123456789` or aid `A...`."""
    return prefix + secrets.token_hex(10)[:19]


@dataclass
class Action:
    """One entry of `payment_action_details` (an approval or a cancel)."""

    aid: str
    kind: str  # PAYMENT | CANCEL
    amount: int
    at: str
    payload: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "aid": self.aid,
            "approved_at": self.at,
            "amount": self.amount,
            "point_amount": 0,
            "discount_amount": 0,
            "green_deposit": 0,
            "payment_action_type": self.kind,
            "payload": self.payload,
        }


@dataclass
class KakaoPayment:
    tid: str
    cid: str
    partner_order_id: str
    partner_user_id: str
    item_name: str
    item_code: str | None
    quantity: int
    total_amount: int
    tax_free_amount: int
    vat_amount: int
    approval_url: str
    cancel_url: str
    fail_url: str
    created_at: str = field(default_factory=kst_now)
    created: datetime = field(default_factory=system_clock)
    status: str = "READY"
    pg_token: str | None = None
    approvals: int = 0
    approved_at: str | None = None
    canceled_amount: int = 0
    canceled_at: str | None = None
    refunds: int = 0
    actions: list[Action] = field(default_factory=list)

    def expire_if_due(self, now: datetime) -> None:
        """Unpaid after READY_EXPIRES_AFTER: the buyer can no longer pay (QUIT_PAYMENT)."""
        if self.status in NOT_PAID_YET and now - self.created >= READY_EXPIRES_AFTER:
            self.status, self.pg_token = "QUIT_PAYMENT", None

    @property
    def cancel_available(self) -> int:
        if self.status not in ("SUCCESS_PAYMENT", "PART_CANCEL_PAYMENT"):
            return 0
        return self.total_amount - self.canceled_amount

    def summary(self) -> dict[str, Any]:
        """What `GET __sandbox__/payments` shows a test."""
        return {
            "tid": self.tid,
            "partner_order_id": self.partner_order_id,
            "partner_user_id": self.partner_user_id,
            "amount": self.total_amount,
            "status": self.status,
            "approvals": self.approvals,
            "refunded_amount": self.canceled_amount,
            "refunds": self.refunds,
        }


@dataclass
class Store:
    payments: dict[str, KakaoPayment] = field(default_factory=dict)
    clock: Clock = system_clock

    def add(self, payment: KakaoPayment) -> None:
        payment.created = self.clock()
        payment.created_at = kst_now(self.clock)
        self.payments[payment.tid] = payment

    def get(self, tid: object) -> KakaoPayment | None:
        payment = self.payments.get(tid) if isinstance(tid, str) else None
        if payment is not None:
            payment.expire_if_due(self.clock())
        return payment

"""The emulator's memory: checkout sessions, payments with their history, idempotent answers."""

from __future__ import annotations

import itertools
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

KST = timezone(timedelta(hours=9))
APPLY_WINDOW_S = 600.0
"""NaverPay refuses to apply a payment authorised more than 10 minutes earlier (TimeExpired)."""


def now_ymdt() -> str:
    return datetime.now(KST).strftime("%Y%m%d%H%M%S")


@dataclass
class Payment:
    payment_id: str
    merchant_pay_key: str
    merchant_user_key: str
    product_name: str
    total_pay_amount: int
    tax_scope_amount: int
    tax_ex_scope_amount: int
    authorised_at: float = field(default_factory=time.monotonic)
    status: str = "AUTHORIZED"  # -> APPROVED -> PART_CANCELLED / CANCELLED
    approvals: int = 0
    refunds: int = 0
    refunded_amount: int = 0
    history: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rest_amount(self) -> int:
        return self.total_pay_amount - self.refunded_amount

    def summary(self) -> dict[str, Any]:
        return {
            "paymentId": self.payment_id,
            "merchantPayKey": self.merchant_pay_key,
            "merchantUserKey": self.merchant_user_key,
            "amount": self.total_pay_amount,
            "status": self.status,
            "approvals": self.approvals,
            "refunded_amount": self.refunded_amount,
            "refunds": self.refunds,
        }


@dataclass
class Store:
    sessions: dict[str, dict[str, str]] = field(default_factory=dict)
    payments: dict[str, Payment] = field(default_factory=dict)
    answers: dict[tuple[str, str], tuple[tuple[Any, ...], int, dict[str, Any]]] = field(
        default_factory=dict
    )
    _serial: itertools.count[int] = field(default_factory=lambda: itertools.count(1043587746))

    def open_session(self, params: dict[str, str]) -> str:
        token = secrets.token_urlsafe(12)
        self.sessions[token] = params
        return token

    def new_payment_id(self) -> str:
        """Shaped like NaverPay's own ids, e.g. `20170201NP1043587746`."""
        return f"{datetime.now(KST):%Y%m%d}NP{next(self._serial)}"

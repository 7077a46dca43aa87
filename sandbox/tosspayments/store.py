"""The emulator's memory: payments as Toss keeps them, rendered as its Payment object."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

KST = timezone(timedelta(hours=9))
READY_EXPIRES_AFTER = timedelta(minutes=30)
"""A payment whose buyer never finished authenticating expires 30 minutes after it began."""
IN_PROGRESS_EXPIRES_AFTER = timedelta(minutes=10)
"""An authenticated payment must be confirmed within 10 minutes, or it expires."""
Clock = Callable[[], datetime]
MID = "tgonggusbx"
API_VERSION = "2022-11-16"
SETTLED = ("DONE", "CANCELED", "PARTIAL_CANCELED")


def system_clock() -> datetime:
    return datetime.now(KST)


def now_kst(clock: Clock = system_clock) -> str:
    return clock().astimezone(KST).replace(microsecond=0).isoformat()


def new_key(prefix: str, size: int = 20) -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0123456789"
    return prefix + "".join(secrets.choice(alphabet) for _ in range(size))


@dataclass
class TossPayment:
    payment_key: str
    order_id: str
    order_name: str
    amount: int
    """What the buyer authorised in the widget; confirm must send exactly this."""
    customer_key: str
    integration: str = "widget"
    """`widget` (created with a gck client key) or `api` (payment window, ck client key)."""
    status: str = "READY"
    clock: Clock = system_clock
    created: datetime = field(default_factory=system_clock)
    authenticated: datetime | None = None
    requested_at: str = field(default_factory=now_kst)
    approved_at: str | None = None
    last_transaction_key: str | None = None
    cancels: list[dict[str, Any]] = field(default_factory=list)
    approvals: int = 0

    @property
    def refunded(self) -> int:
        return sum(int(c["cancelAmount"]) for c in self.cancels)

    @property
    def balance(self) -> int:
        return self.amount - self.refunded

    def authenticate(self, amount: int) -> None:
        """The buyer finished the payment window: READY -> IN_PROGRESS, awaiting confirm."""
        self.amount = amount
        self.status = "IN_PROGRESS"
        self.authenticated = self.clock()

    def expire_if_due(self) -> None:
        now = self.clock()
        if self.status == "READY" and now - self.created >= READY_EXPIRES_AFTER:
            self.status = "EXPIRED"
        started = self.authenticated or self.created
        if self.status == "IN_PROGRESS" and now - started >= IN_PROGRESS_EXPIRES_AFTER:
            self.status = "EXPIRED"

    def confirm(self) -> None:
        self.status = "DONE"
        self.approved_at = now_kst(self.clock)
        self.last_transaction_key = new_key("", 32).upper()
        self.approvals += 1

    def cancel(self, amount: int, reason: str) -> None:
        transaction_key = new_key("", 32).upper()
        self.cancels.append(
            {
                "transactionKey": transaction_key,
                "cancelReason": reason,
                "taxExemptionAmount": 0,
                "canceledAt": now_kst(self.clock),
                "easyPayDiscountAmount": 0,
                "receiptKey": None,
                "cancelAmount": amount,
                "taxFreeAmount": 0,
                "refundableAmount": self.balance - amount,
                "cancelStatus": "DONE",
                "cancelRequestId": None,
            }
        )
        self.last_transaction_key = transaction_key
        self.status = "CANCELED" if self.balance == 0 else "PARTIAL_CANCELED"

    def as_payment_object(self, base_url: str) -> dict[str, Any]:
        """The documented Payment object (only the fields a card payment fills in)."""
        paid = self.status in SETTLED
        vat = round(self.balance / 11)
        return {
            "mId": MID,
            "lastTransactionKey": self.last_transaction_key,
            "paymentKey": self.payment_key,
            "orderId": self.order_id,
            "orderName": self.order_name,
            "taxExemptionAmount": 0,
            "status": self.status,
            "requestedAt": self.requested_at,
            "approvedAt": self.approved_at,
            "useEscrow": False,
            "cultureExpense": False,
            "card": _card(self.amount) if paid else None,
            "virtualAccount": None,
            "transfer": None,
            "mobilePhone": None,
            "giftCertificate": None,
            "cashReceipt": None,
            "cashReceipts": None,
            "discount": None,
            "cancels": list(self.cancels) or None,
            "secret": None,
            "type": "NORMAL",
            "easyPay": None,
            "country": "KR",
            "failure": _EXPIRED_FAILURE if self.status == "EXPIRED" else None,
            "isPartialCancelable": True,
            "receipt": {"url": f"{base_url}/receipt/{self.payment_key}"} if paid else None,
            "checkout": {"url": f"{base_url}/v1/payments/{self.payment_key}/checkout"},
            "currency": "KRW",
            "totalAmount": self.amount,
            "balanceAmount": self.balance,
            "suppliedAmount": self.balance - vat,
            "vat": vat,
            "taxFreeAmount": 0,
            "method": "카드",
            "version": API_VERSION,
            "metadata": None,
        }

    def summary(self) -> dict[str, Any]:
        return {
            "paymentKey": self.payment_key,
            "orderId": self.order_id,
            "amount": self.amount,
            "status": self.status,
            "integration": self.integration,
            "approvals": self.approvals,
            "refunded_amount": self.refunded,
            "refunds": len(self.cancels),
        }


def _card(amount: int) -> dict[str, Any]:
    return {
        "issuerCode": "71",
        "acquirerCode": "71",
        "number": "12345678****000*",
        "installmentPlanMonths": 0,
        "isInterestFree": False,
        "interestPayer": None,
        "approveNo": "00000000",
        "useCardPoint": False,
        "cardType": "신용",
        "ownerType": "개인",
        "acquireStatus": "READY",
        "amount": amount,
    }


_EXPIRED_FAILURE = {
    "code": "EXPIRED_PAYMENT",
    "message": "결제가 만료되었습니다. 다시 시도해주세요.",
}


@dataclass
class TossStore:
    """Payments by paymentKey, the answers already given per idempotency key, and the keys of
    requests still running."""

    payments: dict[str, TossPayment] = field(default_factory=dict)
    replies: dict[tuple[Any, ...], tuple[int, dict[str, Any]]] = field(default_factory=dict)
    running: set[tuple[Any, ...]] = field(default_factory=set)
    clock: Clock = system_clock

    def create(
        self,
        order_id: str,
        order_name: str,
        amount: int,
        customer_key: str,
        integration: str = "widget",
    ) -> TossPayment:
        """A new payment, READY until the buyer authenticates."""
        payment = TossPayment(
            new_key("tgonggu"),
            order_id,
            order_name,
            amount,
            customer_key,
            integration=integration,
            clock=self.clock,
            created=self.clock(),
            requested_at=now_kst(self.clock),
        )
        self.payments[payment.payment_key] = payment
        return payment

    def get(self, payment_key: str) -> TossPayment | None:
        payment = self.payments.get(payment_key)
        if payment is not None:
            payment.expire_if_due()
        return payment

    def ready(self, order_id: str) -> TossPayment | None:
        """The order's payment whose window is open (READY), if any."""
        for payment in reversed(list(self.payments.values())):
            payment.expire_if_due()
            if payment.order_id == order_id and payment.status == "READY":
                return payment
        return None

    def by_order(self, order_id: str) -> TossPayment | None:
        """The settled payment of an order if any, else its latest attempt."""
        found = [p for p in self.payments.values() if p.order_id == order_id]
        for payment in found:
            payment.expire_if_due()
        settled = [p for p in found if p.status in SETTLED]
        candidates = settled or found
        return candidates[-1] if candidates else None

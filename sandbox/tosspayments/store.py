"""The emulator's memory: payments as Toss keeps them, rendered as its Payment object."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

KST = timezone(timedelta(hours=9))
MID = "tgonggusbx"
API_VERSION = "2022-11-16"
SETTLED = ("DONE", "CANCELED", "PARTIAL_CANCELED")


def now_kst() -> str:
    return datetime.now(KST).replace(microsecond=0).isoformat()


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
    status: str = "IN_PROGRESS"
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

    def confirm(self) -> None:
        self.status = "DONE"
        self.approved_at = now_kst()
        self.last_transaction_key = new_key("", 32).upper()
        self.approvals += 1

    def cancel(self, amount: int, reason: str) -> None:
        transaction_key = new_key("", 32).upper()
        self.cancels.append(
            {
                "transactionKey": transaction_key,
                "cancelReason": reason,
                "taxExemptionAmount": 0,
                "canceledAt": now_kst(),
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
            "failure": None,
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


@dataclass
class TossStore:
    """Payments by paymentKey, plus the answers already given per idempotency key."""

    payments: dict[str, TossPayment] = field(default_factory=dict)
    replies: dict[tuple[str, str, str], tuple[int, dict[str, Any]]] = field(default_factory=dict)

    def create(self, order_id: str, order_name: str, amount: int, customer_key: str) -> TossPayment:
        payment = TossPayment(new_key("tgonggu"), order_id, order_name, amount, customer_key)
        self.payments[payment.payment_key] = payment
        return payment

    def by_order(self, order_id: str) -> TossPayment | None:
        """The settled payment of an order if any, else its latest attempt."""
        found = [p for p in self.payments.values() if p.order_id == order_id]
        settled = [p for p in found if p.status in SETTLED]
        candidates = settled or found
        return candidates[-1] if candidates else None

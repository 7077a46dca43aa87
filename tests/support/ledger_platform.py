"""An in-memory payment platform that keeps a ledger of what really happened to the money:
approvals and refunds per payment, honouring idempotency keys like the real platforms do. It can
be told to act and then lose its answer, or to refuse, so that tests can check that gonggu never
approves twice, never refunds more than was taken, and converges once the platform is asked."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from domain.errors import PaymentNotOwned, PaymentOutcomeUnknown, PaymentPlatformError
from domain.pay_type import PayType
from domain.ports.payment_gateway import (
    Approval,
    Checkout,
    CheckoutRequest,
    Decline,
    PaymentGateway,
    PaymentLookup,
    PaymentRef,
    PlatformCall,
    PlatformStatus,
    Refund,
)


@dataclass
class LedgerEntry:
    amount: int
    approvals: int = 0
    refunded: int = 0
    refunds: int = 0
    refund_keys: set[str] = field(default_factory=set)
    cancelled: bool = False


@dataclass
class Ledger:
    entries: dict[str, LedgerEntry] = field(default_factory=dict)
    lose_next_answer: set[str] = field(default_factory=set)
    refuse_next: set[str] = field(default_factory=set)

    def take(self, switch: set[str], operation: str) -> bool:
        if operation in switch:
            switch.discard(operation)
            return True
        return False


class LedgerGateway(PaymentGateway):
    def __init__(self, pay_type: PayType, ledger: Ledger, *, synchronous: bool = False) -> None:
        self.pay_type, self._ledger, self._synchronous = pay_type, ledger, synchronous

    def _entry(self, ref: PaymentRef) -> LedgerEntry:
        return self._ledger.entries.setdefault(ref.transaction_id, LedgerEntry(ref.amount))

    async def checkout(self, request: CheckoutRequest) -> Checkout:
        await asyncio.sleep(0)  # a network round trip: others may run meanwhile
        ref = request.payment
        entry = self._entry(ref)
        if not self._synchronous:
            return Checkout(
                client_data={"tx": ref.transaction_id}, platform_tx_id=ref.transaction_id
            )
        if self._ledger.take(self._ledger.refuse_next, "checkout"):
            raise PaymentPlatformError(self.pay_type.value, "insufficient funds", "A0001")
        if entry.approvals == 0:
            entry.approvals += 1
        if self._ledger.take(self._ledger.lose_next_answer, "checkout"):
            raise PaymentOutcomeUnknown(self.pay_type.value, "timeout")
        approval = Approval(ref.transaction_id, entry.amount, datetime.now(UTC), {})
        return Checkout(client_data={}, platform_tx_id=ref.transaction_id, approval=approval)

    def reference_from_callback(self, callback: Mapping[str, str]) -> str | None:
        """Like NaverPay's paymentId: the payment the buyer's browser says it paid."""
        return callback.get("paymentOf") or None

    def payer_reference(self, payer: Mapping[str, str]) -> str | None:
        return payer.get("fintechUseNum") or None

    def read_abandonment(self, callback: Mapping[str, str], *, cancelled: bool) -> Decline:
        return Decline("abandoned", cancelled, dict(callback), verified=False)

    def can_look_up(self, payment: PaymentRef) -> bool:
        return True

    async def approve(
        self, payment: PaymentRef, callback: Mapping[str, str], call: PlatformCall
    ) -> Approval | Decline:
        await asyncio.sleep(0)  # a network round trip: others may run meanwhile
        if callback.get("forged"):
            raise PaymentPlatformError(self.pay_type.value, "no such payment", "FORGED")
        other = callback.get("paymentOf")
        if other and other != payment.transaction_id:
            # Another order's payment: like NaverPay, the platform only tells whose it is
            # once it has taken the money (and refuses one it took already).
            theirs = self._ledger.entries.get(other)
            if theirs is None or theirs.cancelled or theirs.approvals or theirs.refunded:
                raise PaymentPlatformError(self.pay_type.value, "not this payment", "E5")
            theirs.approvals += 1
            raise PaymentNotOwned(
                self.pay_type.value,
                f"the payment is {other}'s",
                "E6",
                platform_tx_id=other,
                amount=theirs.amount,
                merchant_ref=other,
            )
        entry = self._entry(payment)
        if callback.get("result") == "cancel":
            entry.cancelled = True
            return Decline("user cancelled", True, {})
        if self._ledger.take(self._ledger.refuse_next, "approve"):
            raise PaymentPlatformError(self.pay_type.value, "approval refused", "E1")
        if entry.refunded:
            raise PaymentPlatformError(self.pay_type.value, "the payment was cancelled", "E7")
        earlier = entry.approvals > 0
        if entry.approvals == 0 and not entry.cancelled:
            entry.approvals += 1
        if self._ledger.take(self._ledger.lose_next_answer, "approve"):
            raise PaymentOutcomeUnknown(self.pay_type.value, "timeout")
        if entry.approvals == 0:
            raise PaymentPlatformError(self.pay_type.value, "payment was cancelled", "E2")
        return Approval(payment.transaction_id, entry.amount, datetime.now(UTC), {}, earlier)

    async def lookup(self, payment: PaymentRef, call: PlatformCall | None = None) -> PaymentLookup:
        await asyncio.sleep(0)  # a network round trip: others may run meanwhile
        entry = self._ledger.entries.get(payment.transaction_id)
        if entry is None:
            return PaymentLookup(PlatformStatus.NOT_FOUND, 0, 0, None, {})
        if entry.refunded and entry.refunded >= entry.amount:
            status = PlatformStatus.REFUNDED
        elif entry.approvals:
            status = PlatformStatus.APPROVED
        elif entry.cancelled:
            status = PlatformStatus.CANCELLED
        else:
            status = PlatformStatus.PENDING
        approved = entry.amount if entry.approvals else 0
        return PaymentLookup(status, approved, entry.refunded, payment.transaction_id, {})

    async def refund(
        self, payment: PaymentRef, amount: int, reason: str, call: PlatformCall
    ) -> Refund:
        await asyncio.sleep(0)  # a network round trip: others may run meanwhile
        entry = self._entry(payment)
        if self._ledger.take(self._ledger.refuse_next, "refund"):
            raise PaymentPlatformError(self.pay_type.value, "refund refused", "E3")
        if call.idempotency_key not in entry.refund_keys:
            if entry.refunded + amount > entry.amount * entry.approvals:
                raise PaymentPlatformError(self.pay_type.value, "more than was paid", "E4")
            entry.refund_keys.add(call.idempotency_key)
            entry.refunded += amount
            entry.refunds += 1
        if self._ledger.take(self._ledger.lose_next_answer, "refund"):
            raise PaymentOutcomeUnknown(self.pay_type.value, "timeout")
        return Refund(amount, {})


class LedgerGateways:
    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self._by_type = {
            pay_type: LedgerGateway(pay_type, ledger, synchronous=pay_type is PayType.OPEN_BANKING)
            for pay_type in PayType
        }

    def for_type(self, pay_type: PayType) -> PaymentGateway:
        return self._by_type[pay_type]

"""Money a platform took that belongs to no order in hand (another order's payment id, an
amount that differs, an order no longer pending). It is recorded and refunded, with the same
write-before-call attempts and retries as every refund, until the platform confirms it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from domain.errors import IllegalTransition
from domain.events import Event, OrphanPaymentFound, OrphanPaymentRefunded, OrphanRefundDue
from domain.pay_type import PayType


class OrphanState(str, Enum):
    REFUNDING = "REFUNDING"
    REFUNDED = "REFUNDED"


@dataclass(eq=False)
class OrphanPayment:
    order_id: int
    """The order in hand when the money was found (its payment carries the refund attempts)."""
    platform: PayType
    platform_tx_id: str
    amount: int
    reason: str
    state: OrphanState
    created_at: datetime
    updated_at: datetime
    merchant_ref: str | None = None
    """Whose order the platform says it is (Toss orderId, NaverPay merchantPayKey, ...)."""
    payer_ref: str | None = None
    refunded_amount: int = 0
    attempt_id: int | None = None
    """The open refund attempt, retried with its key until the platform answers definitely."""
    refund_failures: int = 0
    next_retry_at: datetime | None = None
    raw_response: str | None = None
    id: int | None = None
    events: list[Event] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def found(
        cls,
        *,
        order_id: int,
        platform: PayType,
        platform_tx_id: str,
        amount: int,
        reason: str,
        at: datetime,
        first_retry_at: datetime,
        merchant_ref: str | None = None,
    ) -> OrphanPayment:
        return cls(
            order_id=order_id,
            platform=platform,
            platform_tx_id=platform_tx_id,
            amount=amount,
            reason=reason,
            state=OrphanState.REFUNDING,
            created_at=at,
            updated_at=at,
            merchant_ref=merchant_ref,
            next_retry_at=first_retry_at,
        )

    def announce(self) -> None:
        """Reports a newly stored orphan (it needs its id) and asks for its refund, after
        commit."""
        assert self.id is not None
        self.events.append(OrphanPaymentFound(self.snapshot(), self.updated_at))
        self.events.append(OrphanRefundDue(self.id))

    def snapshot(self) -> dict[str, object]:
        """The orphan as its events report it."""
        return {
            "orphanId": self.id,
            "orderId": self.order_id,
            "payType": self.platform.value,
            "platformTxId": self.platform_tx_id,
            "amount": self.amount,
            "reason": self.reason,
            "state": self.state.value,
        }

    def defer(self, until: datetime, at: datetime) -> None:
        """Holds the next retry back while one caller is making the refund."""
        self.next_retry_at = until
        self.updated_at = at

    def refund_failed(self, next_retry_at: datetime, at: datetime) -> None:
        self._require_refunding()
        self.refund_failures += 1
        self.next_retry_at = next_retry_at
        self.updated_at = at

    def refunded(self, amount: int, at: datetime) -> None:
        self._require_refunding()
        self.state = OrphanState.REFUNDED
        self.refunded_amount = amount
        self.next_retry_at = None
        self.updated_at = at
        self.events.append(OrphanPaymentRefunded({**self.snapshot(), "refundedAmount": amount}, at))

    def _require_refunding(self) -> None:
        if self.state is not OrphanState.REFUNDING:
            raise IllegalTransition(f"orphan payment {self.id} is {self.state.value}")

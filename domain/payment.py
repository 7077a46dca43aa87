"""A payment on a platform, one per order, and the recorded attempts to act on it.

Every platform call is preceded by a committed `PaymentAttempt` carrying a stable
idempotency key ("write before you call"). An attempt whose answer was lost is UNKNOWN and is
retried with the same key; only a definite failure lets a new attempt (and key) be made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from domain.errors import IllegalTransition
from domain.pay_type import PayType


class PaymentState(str, Enum):
    READY = "READY"  # started on the platform, waiting for the buyer
    APPROVING = "APPROVING"  # approval sent (or its answer lost); the platform decides
    APPROVED = "APPROVED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"
    REFUNDING = "REFUNDING"  # refund sent or to be retried until the platform confirms it
    REFUNDED = "REFUNDED"


class Operation(str, Enum):
    CHECKOUT = "CHECKOUT"
    APPROVE = "APPROVE"
    REFUND = "REFUND"
    ORPHAN_REFUND = "ORPHAN_REFUND"  # giving back money no order owns (see domain/orphan.py)


class AttemptState(str, Enum):
    IN_FLIGHT = "IN_FLIGHT"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    UNKNOWN = "UNKNOWN"


OPEN_ATTEMPT_STATES = (AttemptState.IN_FLIGHT, AttemptState.UNKNOWN)
"""An attempt whose outcome is not settled yet: it is retried with its own key."""


@dataclass(eq=False)
class PaymentAttempt:
    payment_id: int
    operation: Operation
    idempotency_key: str
    state: AttemptState
    created_at: datetime
    updated_at: datetime
    tries: int = 1
    error: str | None = None
    id: int | None = None

    @classmethod
    def begin(
        cls, payment_id: int, operation: Operation, idempotency_key: str, at: datetime
    ) -> PaymentAttempt:
        """A new attempt, IN_FLIGHT from its first write: committed before the call is made."""
        return cls(
            payment_id=payment_id,
            operation=operation,
            idempotency_key=idempotency_key,
            state=AttemptState.IN_FLIGHT,
            created_at=at,
            updated_at=at,
        )

    def succeeded(self, at: datetime) -> None:
        self._settle(AttemptState.SUCCEEDED, None, at)

    def failed(self, error: str, at: datetime) -> None:
        self._settle(AttemptState.FAILED, error, at)

    def unknown(self, error: str, at: datetime) -> None:
        self._settle(AttemptState.UNKNOWN, error, at)

    def retry(self, at: datetime) -> None:
        """The same attempt again, with the same key, after its outcome was lost."""
        if self.state not in (AttemptState.UNKNOWN, AttemptState.IN_FLIGHT):
            raise IllegalTransition(f"attempt {self.id} is {self.state.value}; cannot retry it")
        self.state = AttemptState.IN_FLIGHT
        self.tries += 1
        self.updated_at = at

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_ATTEMPT_STATES

    def _settle(self, to: AttemptState, error: str | None, at: datetime) -> None:
        if not self.is_open:
            raise IllegalTransition(f"attempt {self.id} is already {self.state.value}")
        self.state = to
        self.error = error
        self.updated_at = at


@dataclass(eq=False)
class Payment:
    order_id: int
    platform: PayType
    amount: int
    state: PaymentState
    created_at: datetime
    updated_at: datetime
    platform_tx_id: str | None = None
    payer_ref: str | None = None
    approved_amount: int = 0
    refunded_amount: int = 0
    approved_at: datetime | None = None
    cancelled_at: datetime | None = None
    raw_response: str | None = None
    refund_failures: int = 0
    next_retry_at: datetime | None = None
    id: int | None = None

    @classmethod
    def start(cls, order_id: int, platform: PayType, amount: int, at: datetime) -> Payment:
        return cls(
            order_id=order_id,
            platform=platform,
            amount=amount,
            state=PaymentState.READY,
            created_at=at,
            updated_at=at,
        )

    def begin_approval(self, at: datetime) -> None:
        self._move({PaymentState.READY}, PaymentState.APPROVING, at)

    def approval_refused(self, at: datetime) -> None:
        """The platform refused this approval request; the buyer's payment may still complete
        (a forged or stale redirect must not fail a genuine order)."""
        self._move({PaymentState.APPROVING}, PaymentState.READY, at)

    def approved(self, platform_tx_id: str, amount: int, approved_at: datetime) -> None:
        self._move({PaymentState.READY, PaymentState.APPROVING}, PaymentState.APPROVED, approved_at)
        self.platform_tx_id = platform_tx_id
        self.approved_amount = amount
        self.approved_at = approved_at

    def failed(self, at: datetime) -> None:
        self._move({PaymentState.READY, PaymentState.APPROVING}, PaymentState.FAILED, at)
        self.cancelled_at = at

    def cancelled(self, at: datetime) -> None:
        self._move({PaymentState.READY, PaymentState.APPROVING}, PaymentState.CANCELLED, at)
        self.cancelled_at = at

    def begin_refund(self, at: datetime, first_retry_at: datetime | None = None) -> None:
        """From here the money must go back; the refund is retried until the platform agrees.

        `first_retry_at` leaves the first try to the caller that is about to make it; from then
        on the reconciler may take the refund over."""
        self._move({PaymentState.APPROVED}, PaymentState.REFUNDING, at)
        self.next_retry_at = first_retry_at or at

    def refund_failed(self, next_retry_at: datetime, at: datetime) -> None:
        self._move({PaymentState.REFUNDING}, PaymentState.REFUNDING, at)
        self.refund_failures += 1
        self.next_retry_at = next_retry_at

    def refunded(self, amount: int, at: datetime) -> None:
        self._move({PaymentState.REFUNDING}, PaymentState.REFUNDED, at)
        self.refunded_amount = amount
        self.cancelled_at = at
        self.next_retry_at = None

    def checked(self, at: datetime) -> None:
        """The reconciler asked the platform about this payment at `at` (its lease)."""
        self.updated_at = at

    def defer_refund(self, until: datetime) -> None:
        """Holds the next refund try back, while one worker is on it."""
        self.next_retry_at = until

    @property
    def refundable_amount(self) -> int:
        return self.approved_amount - self.refunded_amount

    def _move(self, allowed_from: set[PaymentState], to: PaymentState, at: datetime) -> None:
        if self.state not in allowed_from:
            raise IllegalTransition(
                f"payment of order {self.order_id} is {self.state.value}, not {to.value}-able"
            )
        self.state = to
        self.updated_at = at

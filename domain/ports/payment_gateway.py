"""The one port every payment platform adapter implements.

Adapters raise `PaymentPlatformError` for a definite refusal (a 4xx with the platform's error
body) and `PaymentOutcomeUnknown` when the platform may have acted but its answer was lost
(timeout, dropped connection, 5xx): the caller then keeps the attempt and retries with the same
idempotency key, or asks `lookup`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Protocol

from domain.pay_type import PayType

Json = Mapping[str, object]


@dataclass(frozen=True)
class PlatformCall:
    """One recorded attempt: its database id is unique and never reused, its key is stable
    across retries of the same attempt."""

    attempt_id: int
    idempotency_key: str
    started_at: datetime | None = None
    """When the attempt was first made (Open Banking looks transfers up by their date)."""


@dataclass(frozen=True)
class ReturnUrls:
    """Where the platform sends the buyer's browser back to."""

    approval: str
    fail: str
    cancel: str


@dataclass(frozen=True)
class PaymentRef:
    """What gonggu knows about one payment, enough to address it on its platform."""

    order_id: int
    user_id: int
    transaction_id: str
    amount: int
    item_name: str
    quantity: int
    platform_tx_id: str | None = None
    approved_at: datetime | None = None
    payer_ref: str | None = None
    """The payer's account as the platform knows it (Open Banking's fintech_use_num); never a
    secret such as an access token."""


@dataclass(frozen=True)
class CheckoutRequest:
    payment: PaymentRef
    return_urls: ReturnUrls
    call: PlatformCall
    payer: Mapping[str, str] = field(default_factory=dict)
    """Payer account data (Open Banking: fintechUseNum, accessToken); empty elsewhere."""


@dataclass(frozen=True)
class Approval:
    platform_tx_id: str
    amount: int
    approved_at: datetime
    raw: Json
    earlier: bool = False
    """The platform answered with an approval made before this call ("already complete"):
    it may be one taken under another order and being given back as an orphan."""


@dataclass(frozen=True)
class Decline:
    """No money was taken. `verified`: the platform itself says so (server-to-server, or it
    cannot have taken any); an unverified decline is only what a URL claims, and never moves
    an order — the order keeps waiting for the platform's own word."""

    reason: str
    cancelled_by_user: bool
    raw: Json
    verified: bool = True


@dataclass(frozen=True)
class Checkout:
    client_data: Json
    """What the client needs to continue (redirect URLs, SDK parameters), returned as `data`."""
    platform_tx_id: str | None = None
    approval: Approval | None = None
    """Set when the platform took the money at once (Open Banking's withdrawal)."""
    raw: Json = field(default_factory=dict)


class PlatformStatus(str, Enum):
    PENDING = "PENDING"  # not decided yet: the buyer may still pay
    APPROVED = "APPROVED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"  # the buyer quit before paying
    REFUNDED = "REFUNDED"
    NOT_FOUND = "NOT_FOUND"


@dataclass(frozen=True)
class PaymentLookup:
    status: PlatformStatus
    approved_amount: int
    refunded_amount: int
    platform_tx_id: str | None
    raw: Json
    approved_at: datetime | None = None


@dataclass(frozen=True)
class Refund:
    refunded_amount: int
    raw: Json


class PaymentGateway(Protocol):
    pay_type: PayType

    async def checkout(self, request: CheckoutRequest) -> Checkout:
        """Starts the payment (KakaoPay ready, Open Banking withdrawal, SDK parameters)."""
        ...

    def payer_reference(self, payer: Mapping[str, str]) -> str | None:
        """The payer's account as the platform knows it, from the client's payer data, to be
        stored for refunds (Open Banking's fintech_use_num); never a secret. None elsewhere."""
        ...

    def reference_from_callback(self, callback: Mapping[str, str]) -> str | None:
        """The platform's payment id carried by a return/callback, if any (recorded before
        `approve` is called so that a lost answer can still be looked up)."""
        ...

    async def approve(
        self, payment: PaymentRef, callback: Mapping[str, str], call: PlatformCall
    ) -> Approval | Decline:
        """Completes a payment the buyer authorised, from the return URL's parameters.

        Checks that the payment is this order's before taking the money wherever the platform
        allows it; money taken for another order raises `PaymentNotOwned` (it is refunded). A
        verified `Decline` means the platform says no money was taken; a claim the platform
        refuses raises `PaymentPlatformError`."""
        ...

    def read_abandonment(self, callback: Mapping[str, str], *, cancelled: bool) -> Decline:
        """What a fail (`cancelled=False`) or cancel return URL claims, in the platform's own
        codes (e.g. a user-cancel code on a fail URL). Only a claim: the platform is asked
        before the order moves."""
        ...

    def can_look_up(self, payment: PaymentRef) -> bool:
        """Whether `lookup` can ask the platform about this payment at all. False only where
        the platform has no way to be asked yet and has taken no money (NaverPay before the
        buyer returned with a paymentId): a failure claim is then accepted as it is."""
        ...

    async def lookup(self, payment: PaymentRef, call: PlatformCall | None = None) -> PaymentLookup:
        """Asks the platform what happened to the payment (or to the given attempt)."""
        ...

    async def refund(
        self, payment: PaymentRef, amount: int, reason: str, call: PlatformCall
    ) -> Refund:
        """Gives `amount` back in full; repeating it with the same call refunds once."""
        ...


class PaymentGateways(Protocol):
    """The adapter of each platform."""

    def for_type(self, pay_type: PayType) -> PaymentGateway: ...

"""The order and its state machine (DESIGN.md, "Order states and the only legal moves")."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from domain.catalog import Product
from domain.errors import IllegalTransition, InvalidInput
from domain.events import (
    Event,
    OrderPaid,
    OrderPlaced,
    OrderRefunded,
    PaymentFailed,
    PurchaseConfirmed,
    RefundDue,
)
from domain.pay_type import PayType
from domain.payment import Operation, Payment, PaymentAttempt, PaymentState
from domain.ports.payment_gateway import Approval, Decline, Json

MAX_QUANTITY = 1_000
MAX_SHARE = 10_000


class OrderState(str, Enum):
    PAYMENT_PENDING = "PAYMENT_PENDING"
    PAID = "PAID"
    PAYMENT_FAILED = "PAYMENT_FAILED"
    PAYMENT_CANCELLED = "PAYMENT_CANCELLED"
    MATCHED = "MATCHED"
    CONFIRMED = "CONFIRMED"
    REFUND_PENDING = "REFUND_PENDING"
    REFUNDED = "REFUNDED"


LIVE_STATES = frozenset({OrderState.PAID, OrderState.MATCHED, OrderState.CONFIRMED})
"""Orders that stand: paid and neither refunded nor on the way to it."""


@dataclass(eq=False)
class Order:
    user_id: int
    product_id: int
    product_option_id: int
    quantity: int
    min_share: int
    max_share: int
    trans_amount: int
    pay_type: PayType
    transaction_id: str
    state: OrderState
    created_at: datetime
    updated_at: datetime
    group_id: int | None = None
    id: int | None = None
    # `payment` (set by `open_payment`, or loaded with the order when it is locked) is the
    # order's one payment: the order is the aggregate that moves both together.
    events: list[Event] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def place(
        cls,
        *,
        user_id: int,
        product: Product,
        product_option_id: int,
        quantity: int,
        min_share: int,
        max_share: int,
        pay_type: PayType,
        transaction_id: str,
        at: datetime,
    ) -> Order:
        """A new order waiting for its payment; the amount is the catalog's, never the client's."""
        if not 1 <= quantity <= MAX_QUANTITY:
            raise InvalidInput(f"quantity must be between 1 and {MAX_QUANTITY}")
        if not 1 <= min_share <= MAX_SHARE:
            raise InvalidInput(f"minShare must be between 1 and {MAX_SHARE}")
        if not 0 <= max_share <= MAX_SHARE:
            raise InvalidInput(f"maxShare must be 0 (no upper bound) or at most {MAX_SHARE}")
        if max_share and max_share < min_share:
            raise InvalidInput("maxShare must be 0 (no upper bound) or at least minShare")
        assert product.id is not None
        return cls(
            user_id=user_id,
            product_id=product.id,
            product_option_id=product_option_id,
            quantity=quantity,
            min_share=min_share,
            max_share=max_share,
            trans_amount=product.unit_price(product_option_id) * quantity,
            pay_type=pay_type,
            transaction_id=transaction_id,
            state=OrderState.PAYMENT_PENDING,
            created_at=at,
            updated_at=at,
        )

    def open_payment(self, payer_ref: str | None, at: datetime) -> Payment:
        """The order's one payment, READY, stored with the order."""
        payment = Payment.start(self.id or 0, self.pay_type, self.trans_amount, at)
        payment.payer_ref = payer_ref or None
        self.payment = payment
        return payment

    def accepts_group_size(self, size: int) -> bool:
        return self.min_share <= size and (self.max_share == 0 or size <= self.max_share)

    @property
    def is_live(self) -> bool:
        return self.state in LIVE_STATES

    def mark_paid(self, at: datetime) -> None:
        self._move({OrderState.PAYMENT_PENDING}, OrderState.PAID, at)

    def mark_payment_failed(self, at: datetime) -> None:
        self._move({OrderState.PAYMENT_PENDING}, OrderState.PAYMENT_FAILED, at)

    def mark_payment_cancelled(self, at: datetime) -> None:
        self._move({OrderState.PAYMENT_PENDING}, OrderState.PAYMENT_CANCELLED, at)

    def join_group(self, group_id: int, at: datetime) -> None:
        self._move({OrderState.PAID}, OrderState.MATCHED, at)
        self.group_id = group_id

    def confirm(self, at: datetime) -> None:
        self._move({OrderState.MATCHED}, OrderState.CONFIRMED, at)

    def start_refund(self, at: datetime) -> None:
        self._move({OrderState.PAID, OrderState.MATCHED}, OrderState.REFUND_PENDING, at)

    def mark_refunded(self, at: datetime) -> None:
        self._move({OrderState.REFUND_PENDING}, OrderState.REFUNDED, at)

    # ------------------------------------------------------------------ the payment, with events

    @property
    def has_payment(self) -> bool:
        return isinstance(self.__dict__.get("payment"), Payment)

    @property
    def pay(self) -> Payment:
        """The payment (loaded with the order whenever the order is locked to move it)."""
        payment = self.__dict__.get("payment")
        if not isinstance(payment, Payment):
            raise IllegalTransition(f"order {self.id} has no payment loaded")
        return payment

    def snapshot(self) -> dict[str, object]:
        """The order as its events report it."""
        data: dict[str, object] = {
            "orderId": self.id,
            "userId": self.user_id,
            "productId": self.product_id,
            "transactionId": self.transaction_id,
            "payType": self.pay_type.value,
            "amount": self.trans_amount,
            "state": self.state.value,
        }
        if self.group_id:
            data["groupId"] = self.group_id
        return data

    def placed(self, at: datetime) -> None:
        """Announces the stored order (its id is known from here)."""
        self.events.append(OrderPlaced(self.snapshot(), at))

    def begin_attempt(
        self, operation: Operation, idempotency_key: str, at: datetime
    ) -> PaymentAttempt:
        """A new attempt to act on this order's payment, committed before the platform call."""
        assert self.pay.id is not None
        return PaymentAttempt.begin(self.pay.id, operation, idempotency_key, at)

    def checkout_answered(self, platform_tx_id: str | None, raw: Json) -> None:
        if platform_tx_id:
            self.pay.platform_tx_id = platform_tx_id
        self.pay.raw_response = _json(raw)

    def checkout_refused(self, reason: str, at: datetime) -> None:
        """The platform refused to start the payment: nothing was taken."""
        self.pay.failed(at)
        self.mark_payment_failed(at)
        self.events.append(PaymentFailed(self.snapshot(), at, reason=reason))

    def begin_approval(self, reference: str | None, at: datetime) -> None:
        """An approval is about to be sent; `reference` (the platform's id from the callback)
        is kept so that a lost answer can still be looked up."""
        if self.pay.state is PaymentState.READY:
            if reference:
                self.pay.platform_tx_id = reference
            self.pay.begin_approval(at)

    def approval_refused(self, at: datetime, *, claimed_reference: str | None) -> None:
        """The platform refused the approval: the order keeps waiting for a genuine one, and
        an id the platform refused is not kept."""
        if self.pay.state is PaymentState.APPROVING:
            self.pay.approval_refused(at)
        if claimed_reference and self.pay.platform_tx_id == claimed_reference:
            self.pay.platform_tx_id = None

    def approval_settled(self, approval: Approval, at: datetime, first_retry_at: datetime) -> bool:
        """The platform took the money for this order. PAID when it took exactly the order's
        amount; otherwise the order fails and the money is due back. True when PAID."""
        payment = self.pay
        payment.approved(approval.platform_tx_id, approval.amount, approval.approved_at)
        payment.raw_response = _json(approval.raw)
        if approval.amount != self.trans_amount:
            payment.begin_refund(at, first_retry_at)
            self.mark_payment_failed(at)
            reason = f"approved {approval.amount} won instead of {self.trans_amount}"
            self.events.append(
                PaymentFailed(self.snapshot(), at, reason=reason, approved_amount=approval.amount)
            )
            assert self.id is not None
            self.events.append(RefundDue(self.id, "approved amount differs from order"))
            return False
        self.mark_paid(at)
        self.events.append(OrderPaid(self.snapshot(), at))
        return True

    def payment_declined(
        self, decline: Decline, at: datetime, *, claimed_reference: str | None = None
    ) -> None:
        """The platform says no money was taken: the order fails (or is cancelled). A platform
        id only the declined callback claimed is not kept: no money stands behind it here."""
        self.pay.raw_response = _json(decline.raw)
        if claimed_reference and self.pay.platform_tx_id == claimed_reference:
            self.pay.platform_tx_id = None
        if decline.cancelled_by_user:
            self.pay.cancelled(at)
            self.mark_payment_cancelled(at)
        else:
            self.pay.failed(at)
            self.mark_payment_failed(at)
        self.events.append(PaymentFailed(self.snapshot(), at, reason=decline.reason))

    def withdraw_payment(self, at: datetime, first_retry_at: datetime) -> None:
        """A PAID or MATCHED order goes back: REFUND_PENDING, its payment REFUNDING."""
        self.start_refund(at)
        if self.has_payment and self.pay.state is PaymentState.APPROVED:
            self.pay.begin_refund(at, first_retry_at)

    def refund_confirmed(self, amount: int, raw: Json, at: datetime) -> None:
        """The platform confirmed the refund (also of an order that failed on a wrong amount:
        the money going back is news to consumers either way)."""
        self.pay.refunded(amount, at)
        self.pay.raw_response = _json(raw)
        if self.state is OrderState.REFUND_PENDING:
            self.mark_refunded(at)
        self.events.append(OrderRefunded(self.snapshot(), at, refunded_amount=amount))

    def confirm_purchase(self, at: datetime) -> None:
        self.confirm(at)
        self.events.append(PurchaseConfirmed(self.snapshot(), at))

    def _move(self, allowed_from: set[OrderState], to: OrderState, at: datetime) -> None:
        if self.state not in allowed_from:
            raise IllegalTransition(
                f"order {self.id} is {self.state.value} and cannot become {to.value}"
            )
        self.state = to
        self.updated_at = at


def _json(raw: Json) -> str:
    return json.dumps(raw, default=str, ensure_ascii=False)

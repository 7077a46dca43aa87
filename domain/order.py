"""The order and its state machine (DESIGN.md, "Order states and the only legal moves")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from domain.catalog import Product
from domain.errors import IllegalTransition, InvalidInput
from domain.pay_type import PayType

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

    def _move(self, allowed_from: set[OrderState], to: OrderState, at: datetime) -> None:
        if self.state not in allowed_from:
            raise IllegalTransition(
                f"order {self.id} is {self.state.value} and cannot become {to.value}"
            )
        self.state = to
        self.updated_at = at

"""Repositories. `for_update=True` locks the rows until the unit of work ends, so that two
requests racing to move the same order (or group, or payment) are serialised."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from domain.catalog import Product
from domain.events import DomainEvent
from domain.group import Group
from domain.order import Order
from domain.orphan import OrphanPayment
from domain.pay_type import PayType
from domain.payment import Operation, Payment, PaymentAttempt
from domain.user import User
from domain.views import OrderView, UserView


class UserRepository(Protocol):
    async def add(self, user: User) -> None: ...
    async def get(self, user_id: int) -> User | None: ...
    async def buyers_of_product(self, product_id: int) -> Sequence[User]:
        """Users with a live order (PAID, MATCHED or CONFIRMED) for the product."""
        ...

    async def buyers_if_product_exists(self, product_id: int) -> Sequence[UserView] | None:
        """`buyers_of_product`, newest user first, or None when there is no such product
        (one query: the read of a flash sale's busiest page)."""
        ...


class ProductRepository(Protocol):
    async def add(self, product: Product) -> None: ...
    async def get(self, product_id: int) -> Product | None: ...
    async def for_buyer(self, product_id: int, user_id: int) -> tuple[bool, Product | None]:
        """Whether user `user_id` exists, and the product (None when it does not), in one
        read: what placing an order needs."""
        ...


class OrderRepository(Protocol):
    async def add(self, order: Order) -> None:
        """Stores the order (with its payment, if opened) and assigns the ids."""
        ...

    async def lock_with_payment(
        self, *, order_id: int | None = None, transaction_id: str | None = None
    ) -> Order | None:
        """The order with its payment, both rows locked in one statement."""
        ...

    async def get(self, order_id: int, *, for_update: bool = False) -> Order | None: ...
    async def by_transaction_id(
        self, transaction_id: str, *, for_update: bool = False
    ) -> Order | None: ...
    async def many(self, order_ids: Sequence[int], *, for_update: bool = False) -> Sequence[Order]:
        """The orders that exist among `order_ids`, locked in id order when asked."""
        ...

    async def of_user(self, user_id: int) -> Sequence[Order]:
        """Newest first."""
        ...

    async def of_user_if_exists(self, user_id: int) -> Sequence[OrderView] | None:
        """`of_user`, or None when there is no such user (one query)."""
        ...

    async def group_confirmations(self, group_id: int) -> tuple[int, int] | None:
        """(members, confirmed members) of the group, or None when there is no such group
        (one query)."""
        ...

    async def of_group(self, group_id: int, *, for_update: bool = False) -> Sequence[Order]: ...
    async def paid_unmatched_before(self, cutoff: datetime, limit: int) -> Sequence[Order]:
        """PAID orders no group took, paid before `cutoff`; skips rows other workers hold."""
        ...


class PaymentRepository(Protocol):
    async def add(self, payment: Payment) -> None: ...
    async def of_order(self, order_id: int, *, for_update: bool = False) -> Payment | None: ...
    async def holder_of(self, platform: PayType, platform_tx_id: str) -> int | None:
        """The order whose payment took this platform payment (approved, being refunded or
        refunded), if any: such money has an owner and is never an orphan."""
        ...

    async def stale(self, cutoff: datetime, now: datetime, limit: int) -> Sequence[Payment]:
        """Payments to reconcile, locked and skipping rows other workers hold: READY or
        APPROVING last touched before `cutoff`, and REFUNDING ones whose retry is due."""
        ...


class AttemptRepository(Protocol):
    async def add(self, attempt: PaymentAttempt) -> None:
        """Stores the attempt and assigns its database id (used by platforms as a reference)."""
        ...

    async def open_attempt(self, payment_id: int, operation: Operation) -> PaymentAttempt | None:
        """The IN_FLIGHT or UNKNOWN attempt of this operation, to be retried with its key."""
        ...

    async def get(self, attempt_id: int) -> PaymentAttempt | None: ...

    async def open_attempts(self, payment_id: int) -> Sequence[PaymentAttempt]:
        """Every IN_FLIGHT or UNKNOWN attempt of the payment (any operation), oldest first."""
        ...

    async def update(self, attempt: PaymentAttempt) -> None:
        """Writes the attempt's state back by its id (the one in hand since it was claimed)."""
        ...

    async def of_payment(self, payment_id: int) -> Sequence[PaymentAttempt]: ...


class OrphanRepository(Protocol):
    """Money no order owns, kept until the platform confirmed its refund."""

    async def add(self, orphan: OrphanPayment) -> None: ...
    async def get(self, orphan_id: int, *, for_update: bool = False) -> OrphanPayment | None: ...
    async def find(self, platform: PayType, platform_tx_id: str) -> OrphanPayment | None:
        """The orphan already recorded for this platform payment, if any."""
        ...

    async def due(self, now: datetime, limit: int) -> Sequence[OrphanPayment]:
        """REFUNDING orphans whose retry is due, locked, skipping rows other workers hold."""
        ...

    async def all(self) -> Sequence[OrphanPayment]: ...


class GroupRepository(Protocol):
    async def add(self, group: Group) -> None: ...
    async def get(self, group_id: int, *, for_update: bool = False) -> Group | None: ...


class Outbox(Protocol):
    """Domain events stored with the change they report, relayed later at least once."""

    async def add(self, event: DomainEvent) -> None: ...
    async def pending(self, limit: int) -> Sequence[DomainEvent]:
        """Unpublished events, oldest first, locked and skipping rows another relay holds."""
        ...

    async def mark_published(self, event_ids: Sequence[str], at: datetime) -> None: ...
    async def recent(self, limit: int, *, only_pending: bool = False) -> Sequence[DomainEvent]:
        """Newest first, for operators."""
        ...

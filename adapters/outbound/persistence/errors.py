"""Infrastructure errors of the persistence adapter, and their translation from SQLAlchemy's."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from domain.errors import Conflict, StorageUnavailable


class StorageError(StorageUnavailable):
    """The database failed or refused a statement for a reason the business rules do not name."""


# Constraint names (PostgreSQL) and "table.column" (SQLite) of the unique keys whose violation
# means the request contradicts what was recorded before, not that the database failed.
_CONFLICTS = {
    ("uq_orders_transaction_id", "orders.transaction_id"): "an order with this transactionId "
    "already exists",
    ("pk_groups", "groups.id"): "a group with this groupId already exists",
    ("uq_payments_order_id", "payments.order_id"): "this order already has a payment",
    ("uq_payment_attempts_idempotency_key", "payment_attempts.idempotency_key"): "an attempt "
    "with this idempotency key already exists",
    (
        "uq_orphan_payments_platform_tx",
        "orphan_payments.platform, orphan_payments.platform_tx_id",
    ): "this platform payment is already recorded as an orphan",
}


def translate(error: SQLAlchemyError) -> Exception:
    """The domain `Conflict` for a known unique key, a `StorageError` for anything else."""
    if isinstance(error, IntegrityError):
        detail = str(error.orig)
        for names, message in _CONFLICTS.items():
            if any(name in detail for name in names):
                return Conflict(message)
    return StorageError(f"{type(error).__name__}: {error}")


@contextmanager
def storage_errors() -> Iterator[None]:
    """Re-raises SQLAlchemy errors of the block as `Conflict` or `StorageError`."""
    try:
        yield
    except SQLAlchemyError as error:
        raise translate(error) from error


P = ParamSpec("P")
R = TypeVar("R")


def translated(method: Callable[P, Coroutine[Any, Any, R]]) -> Callable[P, Coroutine[Any, Any, R]]:
    """Decorates an async repository method with `storage_errors`."""

    @wraps(method)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with storage_errors():
            return await method(*args, **kwargs)

    return wrapper

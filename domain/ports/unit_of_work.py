from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self

from domain.events import Event
from domain.ports.repositories import (
    AttemptRepository,
    GroupRepository,
    OrderRepository,
    OrphanRepository,
    Outbox,
    PaymentRepository,
    ProductRepository,
    UserRepository,
)


class UnitOfWork(Protocol):
    """One atomic transaction. Leaving the block without `commit()` rolls everything back.

    `commit()` first writes the events the aggregates raised (orders, groups, orphans) to the
    outbox, in the same transaction; `collect_new_events()` then hands the committed ones to
    the message bus (cosmicpython's unit of work)."""

    users: UserRepository
    products: ProductRepository
    orders: OrderRepository
    payments: PaymentRepository
    attempts: AttemptRepository
    groups: GroupRepository
    outbox: Outbox
    orphans: OrphanRepository

    async def __aenter__(self) -> Self: ...
    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...
    async def commit(self) -> None: ...
    def collect_new_events(self) -> list[Event]:
        """The events of every commit so far, each handed out once."""
        ...


class UnitOfWorkFactory(Protocol):
    """Makes a fresh unit of work per use-case run.

    `read_only=True` is for units that neither write, lock nor commit (the listing reads):
    the adapter may then skip the transaction's BEGIN and ROLLBACK round trips.

    `one_statement=True` is for units that read, lock nothing, and write only at commit
    (placing an order: its rows, first attempt and events): the adapter may then send every
    write as one statement, atomic by itself, and skip BEGIN and COMMIT. A write it would
    have to send before commit is a programming error.
    """

    def __call__(self, *, read_only: bool = False, one_statement: bool = False) -> UnitOfWork: ...

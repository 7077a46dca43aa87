"""The SQLAlchemy unit of work: one session, one transaction, every repository on it."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self

from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from adapters.outbound.persistence.engine import read_only_session_factory
from adapters.outbound.persistence.errors import storage_errors, translate
from adapters.outbound.persistence.repositories import (
    SqlaAttemptRepository,
    SqlaGroupRepository,
    SqlaOrderRepository,
    SqlaOrphanRepository,
    SqlaOutbox,
    SqlaPaymentRepository,
    SqlaProductRepository,
    SqlaUserRepository,
)
from domain.events import Event, FollowUp
from domain.group import Group
from domain.order import Order
from domain.orphan import OrphanPayment
from domain.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory

AGGREGATES = (Order, Group, OrphanPayment)
"""The entities that raise events."""


_SEE = "gonggu.see"


def _seen_by_unit(session: Session, instance: Any) -> None:
    see = session.info.get(_SEE)
    if see is not None:
        see(session, instance)


# Listened to once for every session (listening per session cost more than the unit's own
# work): an entity loaded, added, or stored with Core and attached as persistent
# (orders.add, attempts.add) is told to the unit of work that owns the session.
for _event_name in ("loaded_as_persistent", "transient_to_pending", "detached_to_persistent"):
    event.listen(Session, _event_name, _seen_by_unit)


class SqlaUnitOfWork(UnitOfWork):
    """Opens a session and its transaction on enter; leaving without `commit()` rolls back.

    Database failures surface as `StorageError`, a reused unique business key as `Conflict`.
    """

    def __init__(
        self, session_factory: async_sessionmaker[Any], *, read_only: bool = False
    ) -> None:
        self._session_factory = session_factory
        self._session: AsyncSession | None = None
        self._committed_events: list[Event] = []
        self._seen: list[Any] = []
        self._read_only = read_only

    async def __aenter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("a unit of work cannot be entered twice")
        session: AsyncSession = self._session_factory()
        try:
            with storage_errors():
                await session.begin()
        except BaseException:
            await session.close()
            raise
        self._session = session
        # The identity map holds clean objects weakly: the aggregates whose events are still
        # to be written are kept here until commit (cosmicpython's `seen`).
        self._seen = []
        session.sync_session.info[_SEE] = self._see
        self.users = SqlaUserRepository(session)
        self.products = SqlaProductRepository(session)
        self.orders = SqlaOrderRepository(session)
        self.payments = SqlaPaymentRepository(session)
        self.attempts = SqlaAttemptRepository(session)
        self.groups = SqlaGroupRepository(session)
        self.outbox = SqlaOutbox(session)
        self.orphans = SqlaOrphanRepository(session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self._session, None
        if session is None:
            return
        # Detach first: a rollback would expire every loaded entity, and the use-case may still
        # read what it loaded (a read-only unit of work never commits).
        session.expunge_all()
        try:
            await session.rollback()
        except SQLAlchemyError as error:
            # With an exception already on its way out, that one tells the story.
            if exc is None:
                raise translate(error) from error
        finally:
            await session.close()

    async def commit(self) -> None:
        """Makes every change of the unit of work durable; the unit may go on after it."""
        if self._session is None:
            raise RuntimeError("commit() outside the unit of work's block")
        if self._read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        raised = self._raised_events()
        for raised_event in raised:
            if not isinstance(raised_event, FollowUp):
                await self.outbox.add(raised_event.record())
        with storage_errors():
            await self._session.commit()
        self._committed_events.extend(raised)

    def collect_new_events(self) -> list[Event]:
        events, self._committed_events = self._committed_events, []
        return events

    def pending_events(self) -> list[Event]:
        """The events the next commit will write (for tests that fail a commit on them)."""
        return sorted(
            (e for entity in self._seen for e in entity.__dict__.get("events") or ()),
            key=lambda event: event.seq,
        )

    def _see(self, _session: Any, instance: Any) -> None:
        if isinstance(instance, AGGREGATES) and all(instance is not s for s in self._seen):
            self._seen.append(instance)

    def _raised_events(self) -> list[Event]:
        """Takes the events off every aggregate this unit of work loaded or added."""
        raised: list[Event] = []
        for entity in self._seen:
            events = entity.__dict__.get("events")
            if events:
                raised.extend(events)
                events.clear()
        return sorted(raised, key=lambda event: event.seq)


class SqlaUnitOfWorkFactory(UnitOfWorkFactory):
    """Makes a fresh `SqlaUnitOfWork` per use-case run."""

    def __init__(self, session_factory: async_sessionmaker[Any]) -> None:
        self._session_factory = session_factory
        self._read_sessions = read_only_session_factory(session_factory)

    def __call__(self, *, read_only: bool = False) -> SqlaUnitOfWork:
        if read_only:
            return SqlaUnitOfWork(self._read_sessions, read_only=True)
        return SqlaUnitOfWork(self._session_factory)

"""The SQLAlchemy unit of work: one session, one transaction, every repository on it."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self

from sqlalchemy import Table, event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.orm.attributes import instance_state, set_committed_value

from adapters.outbound.persistence.driver_statements import BATCH_KEY, send_staged
from adapters.outbound.persistence.engine import read_only_session_factory
from adapters.outbound.persistence.errors import storage_errors, translate
from adapters.outbound.persistence.id_blocks import IdBlocks
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
from adapters.outbound.persistence.tables import orders, payment_attempts, payments
from adapters.outbound.persistence.write_batch import WriteBatch, written_as_is
from domain.events import Event, FollowUp
from domain.group import Group
from domain.order import Order
from domain.orphan import OrphanPayment
from domain.payment import Payment, PaymentAttempt
from domain.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory

AGGREGATES = (Order, Group, OrphanPayment)
"""The entities that raise events."""


_SEE = "gonggu.see"
_WRITTEN_BY_BATCH: dict[type, Table] = {
    Order: orders,
    Payment: payments,
    PaymentAttempt: payment_attempts,
}
"""The entities whose changes a commit sends in its one write statement (the hot path's)."""


def _seen_by_unit(session: Session, instance: Any) -> None:
    see = session.info.get(_SEE)
    if see is not None:
        see(session, instance)


# Listened to once for every session (listening per session cost more than the unit's own
# work): an entity loaded, added, or stored with Core and attached as persistent
# (orders.add, attempts.add) is told to the unit of work that owns the session.
for _event_name in ("loaded_as_persistent", "transient_to_pending", "detached_to_persistent"):
    event.listen(Session, _event_name, _seen_by_unit)


def _before_statement(state: ORMExecuteState) -> None:
    # A read sees the unit's own writes, as with the ORM's autoflush.
    send_staged(state.session)


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    # Staged rows go first: what the ORM flushes may refer to them.
    send_staged(session)


event.listen(Session, "do_orm_execute", _before_statement)
event.listen(Session, "before_flush", _before_flush)


class SqlaUnitOfWork(UnitOfWork):
    """Opens a session and its transaction on enter; leaving without `commit()` rolls back.

    Database failures surface as `StorageError`, a reused unique business key as `Conflict`.
    """

    def __init__(
        self,
        session_factory: async_sessionmaker[Any],
        *,
        read_only: bool = False,
        ids: IdBlocks | None = None,
        one_statement: bool = False,
    ) -> None:
        self._session_factory = session_factory
        self._session: AsyncSession | None = None
        self._committed_events: list[Event] = []
        self._seen: list[Any] = []
        self._read_only = read_only
        self._ids = ids
        self._one_statement = one_statement
        self._batch = WriteBatch(deferred=False)

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
        deferred = self._ids is not None and session.bind.dialect.name == "postgresql"
        self._batch = batch = WriteBatch(deferred=deferred, at_commit_only=self._one_statement)
        session.sync_session.info[BATCH_KEY] = batch
        ids = self._ids if deferred else None
        self.users = SqlaUserRepository(session)
        self.products = SqlaProductRepository(session)
        self.orders = SqlaOrderRepository(session, batch, ids, self._see)
        self.payments = SqlaPaymentRepository(session)
        self.attempts = SqlaAttemptRepository(session, batch, ids)
        self.groups = SqlaGroupRepository(session)
        self.outbox = SqlaOutbox(session, batch)
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
            if self._batch.deferred:
                await self._session.run_sync(self._send_changes)
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

    def _send_changes(self, session: Session) -> None:
        """The changed hot-path entities join the staged writes, and all go as one statement;
        the entities are then clean, so the ORM's own flush has nothing of theirs to write."""
        changed_entities = [e for e in session.dirty if type(e) in _WRITTEN_BY_BATCH]
        # In a fixed order, as the ORM's flush writes: rows are updated in the same order by
        # every unit (no deadlock between two of them), and one change makes one shape.
        changed_entities.sort(key=lambda e: (_WRITTEN_BY_BATCH[type(e)].name, e.id))
        for entity in changed_entities:
            table = _WRITTEN_BY_BATCH[type(entity)]
            state = instance_state(entity)
            committed = state.committed_state
            changed = {c.key: state.dict[c.key] for c in table.c if c.key in committed}
            if changed:
                self._batch.stage_update(table, entity.id, changed)
            if len(changed) == len(committed):
                written_as_is(session, entity)
            else:  # a relationship changed too: that is the ORM's to write
                for key, value in changed.items():
                    set_committed_value(entity, key, value)
        if self._one_statement and (session.new or session.dirty or session.deleted):
            raise RuntimeError("a one-statement unit of work changed entities it cannot batch")
        self._batch.flush(session, at_commit=True)

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
        self._ids = IdBlocks()

    def __call__(self, *, read_only: bool = False, one_statement: bool = False) -> SqlaUnitOfWork:
        if read_only:
            return SqlaUnitOfWork(self._read_sessions, read_only=True)
        if one_statement and self._read_sessions is not self._session_factory:
            # Autocommit (PostgreSQL): the one write statement is the transaction.
            return SqlaUnitOfWork(self._read_sessions, ids=self._ids, one_statement=True)
        return SqlaUnitOfWork(self._session_factory, ids=self._ids)

"""The SQLAlchemy unit of work: one session, one transaction, every repository on it."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.outbound.persistence.engine import read_only_session_factory
from adapters.outbound.persistence.errors import storage_errors, translate
from adapters.outbound.persistence.repositories import (
    SqlaAttemptRepository,
    SqlaGroupRepository,
    SqlaOrderRepository,
    SqlaOutbox,
    SqlaPaymentRepository,
    SqlaProductRepository,
    SqlaUserRepository,
)
from domain.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory


class SqlaUnitOfWork(UnitOfWork):
    """Opens a session and its transaction on enter; leaving without `commit()` rolls back.

    Database failures surface as `StorageError`, a reused unique business key as `Conflict`.
    """

    def __init__(
        self, session_factory: async_sessionmaker[Any], *, read_only: bool = False
    ) -> None:
        self._session_factory = session_factory
        self._session: AsyncSession | None = None
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
        self.users = SqlaUserRepository(session)
        self.products = SqlaProductRepository(session)
        self.orders = SqlaOrderRepository(session)
        self.payments = SqlaPaymentRepository(session)
        self.attempts = SqlaAttemptRepository(session)
        self.groups = SqlaGroupRepository(session)
        self.outbox = SqlaOutbox(session)
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
        with storage_errors():
            await self._session.commit()


class SqlaUnitOfWorkFactory(UnitOfWorkFactory):
    """Makes a fresh `SqlaUnitOfWork` per use-case run."""

    def __init__(self, session_factory: async_sessionmaker[Any]) -> None:
        self._session_factory = session_factory
        self._read_sessions = read_only_session_factory(session_factory)

    def __call__(self, *, read_only: bool = False) -> SqlaUnitOfWork:
        if read_only:
            return SqlaUnitOfWork(self._read_sessions, read_only=True)
        return SqlaUnitOfWork(self._session_factory)

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, make_transient_to_detached

from adapters.outbound.persistence.driver_statements import attach_loaded, columns_of, read
from adapters.outbound.persistence.errors import translated
from adapters.outbound.persistence.id_blocks import IdBlocks
from adapters.outbound.persistence.tables import payment_attempts
from adapters.outbound.persistence.write_batch import WriteBatch, row_of, written_as_is
from domain.payment import OPEN_ATTEMPT_STATES, Operation, PaymentAttempt
from domain.ports.repositories import AttemptRepository


class SqlaAttemptRepository(AttemptRepository):
    """The recorded attempts to act on a payment on its platform."""

    def __init__(
        self,
        session: AsyncSession,
        batch: WriteBatch | None = None,
        ids: IdBlocks | None = None,
    ) -> None:
        self._session = session
        self._batch = WriteBatch(deferred=False) if batch is None else batch
        self._ids = ids

    @translated
    async def add(self, attempt: PaymentAttempt) -> None:
        """Stores the attempt and assigns its id (platforms use it as a reference), without
        an ORM flush: on PostgreSQL the id comes from the sequence's block and the row is
        staged in the unit of work's one write statement; on SQLite, one Core INSERT …
        RETURNING. The stored attempt is then attached to the session as persistent, so that
        changes made to it in this unit of work are written too."""
        if self._ids is not None:
            attempt.id = await self._ids.next_id(self._session, payment_attempts)

            def attach(session: Session) -> None:
                make_transient_to_detached(attempt)
                session.add(attempt)
                written_as_is(session, attempt)

            await self._batch.insert(
                self._session,
                payment_attempts,
                lambda: row_of(attempt, payment_attempts),
                row_id=attempt.id,
                written=attach,
            )
            return
        result = await self._session.execute(
            _INSERT,
            {
                "payment_id": attempt.payment_id,
                "operation": attempt.operation,
                "idempotency_key": attempt.idempotency_key,
                "state": attempt.state,
                "created_at": attempt.created_at,
                "updated_at": attempt.updated_at,
                "tries": attempt.tries,
                "error": attempt.error,
            },
        )
        attempt.id = result.scalar_one()
        make_transient_to_detached(attempt)
        self._session.add(attempt)

    @translated
    async def open_attempt(self, payment_id: int, operation: Operation) -> PaymentAttempt | None:
        """The latest IN_FLIGHT or UNKNOWN attempt of the operation, if any."""
        params = {"payment_id": payment_id, "operation": operation}
        if self._session.bind.dialect.name == "postgresql":
            return await self._session.run_sync(_open_attempt_on_driver, params)
        return (await self._session.scalars(_open_attempt_statement(), params)).first()

    @translated
    async def get(self, attempt_id: int) -> PaymentAttempt | None:
        return await self._session.get(PaymentAttempt, attempt_id)

    @translated
    async def open_attempts(self, payment_id: int) -> Sequence[PaymentAttempt]:
        params = {"payment_id": payment_id}
        return (await self._session.scalars(_open_attempts_statement(), params)).all()

    @translated
    async def update(self, attempt: PaymentAttempt) -> None:
        """One UPDATE by id (on PostgreSQL staged in the unit's one write statement): the
        attempt in hand need not be loaded again."""
        assert attempt.id is not None
        await self._batch.update(
            self._session,
            payment_attempts,
            attempt.id,
            {
                "state": attempt.state,
                "tries": attempt.tries,
                "error": attempt.error,
                "updated_at": attempt.updated_at,
            },
        )

    @translated
    async def of_payment(self, payment_id: int) -> Sequence[PaymentAttempt]:
        """Every attempt of the payment, oldest first."""
        stmt = (
            select(PaymentAttempt)
            .where(payment_attempts.c.payment_id == payment_id)
            .order_by(payment_attempts.c.created_at, payment_attempts.c.id)
        )
        return (await self._session.scalars(stmt)).all()


# Built once: building (and keying) a statement costs about as much as running it.
_INSERT = insert(payment_attempts).returning(payment_attempts.c.id)


# The claim's reads, built once each, after the mappers are configured.


@cache
def _open_attempts_statement() -> Select[tuple[PaymentAttempt]]:
    c = payment_attempts.c
    return (
        select(PaymentAttempt)
        .where(c.payment_id == bindparam("payment_id"), c.state.in_(OPEN_ATTEMPT_STATES))
        .order_by(c.created_at, c.id)
    )


@cache
def _open_attempt_statement() -> Select[tuple[PaymentAttempt]]:
    return _open_attempt_of(select(PaymentAttempt))


def _open_attempt_of(stmt: Select[Any]) -> Select[Any]:
    c = payment_attempts.c
    # The open states as parameters of their own, not an expanding IN: the driver statement
    # is compiled once, with no values (driver_statements.py).
    states = [bindparam(f"open_{i}", s, type_=c.state.type) for i, s in enumerate(OPEN_STATES)]
    return (
        stmt.where(
            c.payment_id == bindparam("payment_id"),
            c.operation == bindparam("operation"),
            c.state.in_(states),
        )
        .order_by(c.created_at.desc(), c.id.desc())
        .limit(1)
    )


OPEN_STATES = sorted(OPEN_ATTEMPT_STATES, key=lambda state: state.value)
_ATTEMPT_KEYS = tuple(c.key for c in payment_attempts.c)


def _open_attempt_on_driver(session: Session, params: dict[str, Any]) -> PaymentAttempt | None:
    """`open_attempt` on PostgreSQL: the same query (Core) on the driver's cursor, the attempt
    attached as the ORM's load would (driver_statements.py)."""
    rows = read(session, "open_attempt", lambda: _open_attempt_of(select(payment_attempts)), params)
    if not rows:
        return None
    return attach_loaded(session, PaymentAttempt, columns_of(rows[0], _ATTEMPT_KEYS))

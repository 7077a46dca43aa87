from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import make_transient_to_detached

from adapters.outbound.persistence.errors import translated
from adapters.outbound.persistence.tables import payment_attempts
from domain.payment import AttemptState, Operation, PaymentAttempt
from domain.ports.repositories import AttemptRepository


class SqlaAttemptRepository(AttemptRepository):
    """The recorded attempts to act on a payment on its platform."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    @translated
    async def add(self, attempt: PaymentAttempt) -> None:
        """Stores the attempt and assigns its id (platforms use it as a reference): one Core
        INSERT … RETURNING, no ORM flush; the stored attempt is then attached to the session
        as persistent, so that changes made to it in this unit of work are written too."""
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
        stmt = (
            select(PaymentAttempt)
            .where(
                payment_attempts.c.payment_id == payment_id,
                payment_attempts.c.operation == operation,
                payment_attempts.c.state.in_([AttemptState.IN_FLIGHT, AttemptState.UNKNOWN]),
            )
            .order_by(payment_attempts.c.id.desc())
            .limit(1)
        )
        return (await self._session.scalars(stmt)).first()

    @translated
    async def get(self, attempt_id: int) -> PaymentAttempt | None:
        return await self._session.get(PaymentAttempt, attempt_id)

    @translated
    async def open_attempts(self, payment_id: int) -> Sequence[PaymentAttempt]:
        stmt = (
            select(PaymentAttempt)
            .where(
                payment_attempts.c.payment_id == payment_id,
                payment_attempts.c.state.in_([AttemptState.IN_FLIGHT, AttemptState.UNKNOWN]),
            )
            .order_by(payment_attempts.c.id)
        )
        return (await self._session.scalars(stmt)).all()

    @translated
    async def update(self, attempt: PaymentAttempt) -> None:
        """One UPDATE by id: the attempt in hand need not be loaded again."""
        assert attempt.id is not None
        await self._session.execute(
            _UPDATE,
            {
                "attempt_id": attempt.id,
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
            .order_by(payment_attempts.c.id)
        )
        return (await self._session.scalars(stmt)).all()


# Built once: building (and keying) a statement costs about as much as running it. The SET
# clause is the executed parameters' columns.
_UPDATE = (
    update(payment_attempts)
    .where(payment_attempts.c.id == bindparam("attempt_id"))
    .execution_options(synchronize_session=False)
)
_INSERT = insert(payment_attempts).returning(payment_attempts.c.id)

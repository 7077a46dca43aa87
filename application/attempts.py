"""Write before you call: every platform call is preceded by a committed attempt."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.payment import AttemptState, Operation, Payment, PaymentAttempt
from domain.ports.clock import IdSource
from domain.ports.unit_of_work import UnitOfWork


async def claim_attempt(
    uow: UnitOfWork,
    payment: Payment,
    operation: Operation,
    ids: IdSource,
    now: datetime,
    lease: timedelta,
) -> PaymentAttempt | None:
    """The attempt this caller may now send, or None while another caller holds a fresh one.

    An UNKNOWN attempt (or an IN_FLIGHT one whose holder vanished past its lease) is retried
    with its own idempotency key; a new attempt, with a new key, only follows a definite
    failure.
    """
    assert payment.id is not None
    attempt = await uow.attempts.open_attempt(payment.id, operation)
    if attempt is None:
        attempt = PaymentAttempt(
            payment_id=payment.id,
            operation=operation,
            idempotency_key=ids.new_id(),
            state=AttemptState.IN_FLIGHT,
            created_at=now,
            updated_at=now,
        )
        await uow.attempts.add(attempt)
        return attempt
    if attempt.state is AttemptState.IN_FLIGHT and attempt.updated_at > now - lease:
        return None
    attempt.retry(now)
    return attempt

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.outbound.persistence.errors import translated
from adapters.outbound.persistence.tables import payments
from domain.pay_type import PayType
from domain.payment import Payment, PaymentState
from domain.ports.repositories import PaymentRepository

HELD = [PaymentState.APPROVED, PaymentState.REFUNDING, PaymentState.REFUNDED]


class SqlaPaymentRepository(PaymentRepository):
    """Payments, one per order."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    @translated
    async def add(self, payment: Payment) -> None:
        """Stores the payment and assigns its id; a second payment for an order is a `Conflict`."""
        self._session.add(payment)
        await self._session.flush()

    @translated
    async def of_order(self, order_id: int, *, for_update: bool = False) -> Payment | None:
        stmt = select(Payment).where(payments.c.order_id == order_id)
        if for_update:
            stmt = stmt.with_for_update().execution_options(populate_existing=True)
        return (await self._session.scalars(stmt)).one_or_none()

    @translated
    async def holder_of(self, platform: PayType, platform_tx_id: str) -> int | None:
        stmt = (
            select(payments.c.order_id)
            .where(
                payments.c.platform == platform,
                payments.c.platform_tx_id == platform_tx_id,
                payments.c.state.in_(HELD),
            )
            .limit(1)
        )
        return (await self._session.execute(stmt)).scalar_one_or_none()

    @translated
    async def stale(self, cutoff: datetime, now: datetime, limit: int) -> Sequence[Payment]:
        """READY/APPROVING payments untouched since before `cutoff` and REFUNDING ones due by
        `now`, oldest id first, locked; rows another worker holds are skipped."""
        undecided = and_(
            payments.c.state.in_([PaymentState.READY, PaymentState.APPROVING]),
            payments.c.updated_at < cutoff,
        )
        refund_due = and_(
            payments.c.state == PaymentState.REFUNDING,
            payments.c.next_retry_at <= now,
        )
        stmt = (
            select(Payment)
            .where(or_(undecided, refund_due))
            .order_by(payments.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        )
        return (await self._session.scalars(stmt)).all()

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.outbound.persistence.errors import translated
from adapters.outbound.persistence.tables import orphan_payments
from domain.orphan import OrphanPayment, OrphanState
from domain.pay_type import PayType
from domain.ports.repositories import OrphanRepository


class SqlaOrphanRepository(OrphanRepository):
    """Money no order owns; a second record of the same platform payment is a `Conflict`."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    @translated
    async def add(self, orphan: OrphanPayment) -> None:
        self._session.add(orphan)
        await self._session.flush()

    @translated
    async def get(self, orphan_id: int, *, for_update: bool = False) -> OrphanPayment | None:
        stmt = select(OrphanPayment).where(orphan_payments.c.id == orphan_id)
        if for_update:
            stmt = stmt.with_for_update().execution_options(populate_existing=True)
        return (await self._session.scalars(stmt)).one_or_none()

    @translated
    async def find(self, platform: PayType, platform_tx_id: str) -> OrphanPayment | None:
        stmt = select(OrphanPayment).where(
            orphan_payments.c.platform == platform,
            orphan_payments.c.platform_tx_id == platform_tx_id,
        )
        return (await self._session.scalars(stmt)).one_or_none()

    @translated
    async def due(self, now: datetime, limit: int) -> Sequence[OrphanPayment]:
        stmt = (
            select(OrphanPayment)
            .where(
                orphan_payments.c.state == OrphanState.REFUNDING,
                orphan_payments.c.next_retry_at <= now,
            )
            .order_by(orphan_payments.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        )
        return (await self._session.scalars(stmt)).all()

    @translated
    async def all(self) -> Sequence[OrphanPayment]:
        stmt = select(OrphanPayment).order_by(orphan_payments.c.id)
        return (await self._session.scalars(stmt)).all()

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.outbound.persistence.errors import translated
from adapters.outbound.persistence.tables import orders, users
from domain.order import LIVE_STATES
from domain.ports.repositories import UserRepository
from domain.user import User


class SqlaUserRepository(UserRepository):
    """Users in the unit of work's session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    @translated
    async def add(self, user: User) -> None:
        """Stores the user and assigns its id."""
        self._session.add(user)
        await self._session.flush()

    @translated
    async def get(self, user_id: int) -> User | None:
        return await self._session.get(User, user_id)

    @translated
    async def buyers_of_product(self, product_id: int) -> Sequence[User]:
        """Distinct users with a PAID, MATCHED or CONFIRMED order for the product, newest first."""
        buyers = select(orders.c.user_id).where(
            orders.c.product_id == product_id, orders.c.state.in_(sorted(LIVE_STATES))
        )
        stmt = (
            select(User)
            .where(users.c.id.in_(buyers))
            .order_by(users.c.created_at.desc(), users.c.id.desc())
        )
        return (await self._session.scalars(stmt)).all()

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import BindParameter, Select, bindparam, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.outbound.persistence.errors import translated
from adapters.outbound.persistence.tables import orders, products, users
from domain.order import LIVE_STATES
from domain.ports.repositories import UserRepository
from domain.user import User
from domain.views import UserView


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

    @translated
    async def buyers_if_product_exists(self, product_id: int) -> Sequence[UserView] | None:
        """One read-only Core query: the product left-joined to the (uncorrelated) set of its
        buyers, so that PostgreSQL finds them through ix_orders_product_state."""
        rows = (await self._session.execute(_BUYERS, {"product_id": product_id})).all()
        if not rows:
            return None
        return [
            UserView(id=row.id, name=row.name, created_at=row.created_at, updated_at=row.updated_at)
            for row in rows
            if row.id is not None
        ]


def _buyers() -> Select[Any]:
    # Built once: building the statement costs about as much as running it.
    product_id: BindParameter[int] = bindparam("product_id")
    buyer_ids = select(orders.c.user_id).where(
        orders.c.product_id == product_id, orders.c.state.in_(sorted(LIVE_STATES))
    )
    buyers = select(users).where(users.c.id.in_(buyer_ids)).subquery("buyers")
    return (
        select(products.c.id.label("known_product"), *buyers.c)
        .select_from(products.outerjoin(buyers, true()))
        .where(products.c.id == product_id)
        .order_by(buyers.c.created_at.desc(), buyers.c.id.desc())
    )


_BUYERS = _buyers()

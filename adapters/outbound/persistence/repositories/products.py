from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.outbound.persistence.driver_statements import read
from adapters.outbound.persistence.errors import translated
from adapters.outbound.persistence.tables import product_options, products, users
from domain.catalog import Product, ProductOption
from domain.ports.repositories import ProductRepository
from domain.user import User


class SqlaProductRepository(ProductRepository):
    """Products with their options (loaded eagerly, saved in cascade)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    @translated
    async def add(self, product: Product) -> None:
        """Stores the product and its options and assigns their ids."""
        self._session.add(product)
        await self._session.flush()

    @translated
    async def get(self, product_id: int) -> Product | None:
        return await self._session.get(Product, product_id)

    @translated
    async def for_buyer(self, product_id: int, user_id: int) -> tuple[bool, Product | None]:
        """Whether the user exists, and the product with its options, in one Core SELECT (the
        order placement's hot path: no ORM load). The product is read, not kept in the
        session: placing an order never changes it."""
        params = {"product_id": product_id, "user_id": user_id}
        rows: Sequence[Sequence[Any]]
        if self._session.bind.dialect.name == "postgresql":
            rows = await self._session.run_sync(read, "for_buyer", lambda: _FOR_BUYER, params)
        else:
            rows = (await self._session.execute(_FOR_BUYER, params)).all()
        if not rows:
            return await self._session.get(User, user_id) is not None, None
        known_user, product_id, name, price, created_at = rows[0][:5]
        product = Product(
            name=name,
            price=price,
            created_at=created_at,
            id=product_id,
            options=[
                ProductOption(
                    name=option_name, extra_price=extra_price, id=option_id, product_id=product_id
                )
                for *_, option_id, option_name, extra_price in rows
                if option_id is not None
            ],
        )
        return bool(known_user), product


# Built once: building the statement costs about as much as running it.
_FOR_BUYER = (
    select(
        exists().where(users.c.id == bindparam("user_id")).label("known_user"),
        products.c.id,
        products.c.name,
        products.c.price,
        products.c.created_at,
        product_options.c.id.label("option_id"),
        product_options.c.name.label("option_name"),
        product_options.c.extra_price,
    )
    .select_from(products.outerjoin(product_options, product_options.c.product_id == products.c.id))
    .where(products.c.id == bindparam("product_id"))
    .order_by(product_options.c.id)
)

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from adapters.outbound.persistence.errors import translated
from domain.catalog import Product
from domain.ports.repositories import ProductRepository


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

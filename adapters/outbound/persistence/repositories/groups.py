from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.outbound.persistence.errors import translated
from adapters.outbound.persistence.tables import groups
from domain.group import Group
from domain.ports.repositories import GroupRepository


class SqlaGroupRepository(GroupRepository):
    """Groups, whose ids the matcher gives."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    @translated
    async def add(self, group: Group) -> None:
        """Stores the group now; a reused id raises `Conflict`."""
        self._session.add(group)
        await self._session.flush()

    @translated
    async def get(self, group_id: int, *, for_update: bool = False) -> Group | None:
        stmt = select(Group).where(groups.c.id == group_id)
        if for_update:
            stmt = stmt.with_for_update().execution_options(populate_existing=True)
        return (await self._session.scalars(stmt)).one_or_none()

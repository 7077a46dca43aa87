"""Ids for new rows, taken from the table's own sequence a block at a time (PostgreSQL).

A row whose id is known before it is written can travel in the unit of work's one write
statement with the rows that refer to it (a new order, its payment and its first attempt),
instead of one INSERT … RETURNING each. The sequence stays the only source of ids, so ids
stay unique across processes; they are no longer gap-free nor in creation order across
processes (nothing may rely on that: the newest-first reads of orders and every
"oldest first" list of a payment's attempts order by `created_at`, the id only breaking ties),
and a process that stops leaves the rest of its blocks unused.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

BLOCK = 64


class IdBlocks:
    """Per table, the ids this process has taken from the sequence and not used yet."""

    def __init__(self, block: int = BLOCK) -> None:
        self._block = block
        self._free: dict[str, list[int]] = {}

    async def next_id(self, session: AsyncSession, table: Table) -> int:
        free = self._free.setdefault(table.name, [])
        if not free:
            # On the connection, not the session: taking ids is no reason to send the unit's
            # staged writes (the session would, before any statement of its own).
            connection = await session.connection()
            taken = (await connection.execute(_take(table), {"n": self._block})).scalars()
            # Another task of this process may have refilled meanwhile: keep both blocks.
            free.extend(sorted(taken, reverse=True))
        return free.pop()


_TAKES: dict[str, Any] = {}


def _take(table: Table) -> Any:
    statement = _TAKES.get(table.name)
    if statement is None:
        sequence = func.pg_get_serial_sequence(table.name, "id")
        statement = _TAKES[table.name] = select(func.nextval(sequence)).select_from(
            func.generate_series(1, bindparam("n"))
        )
    return statement

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import Row, Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.outbound.persistence.column_types import to_epoch_ms
from adapters.outbound.persistence.errors import translated
from adapters.outbound.persistence.tables import outbox_events
from adapters.outbound.persistence.write_batch import WriteBatch
from domain.events import DomainEvent, EventType
from domain.ports.repositories import Outbox


class SqlaOutbox(Outbox):
    """The transactional outbox: events are inserted with Core (`DomainEvent` is frozen and
    unmapped) in the unit of work's transaction, and rebuilt on read."""

    def __init__(self, session: AsyncSession, batch: WriteBatch | None = None) -> None:
        self._session = session
        self._batch = WriteBatch(deferred=False) if batch is None else batch

    @translated
    async def add(self, event: DomainEvent) -> None:
        """Stores the event in the current transaction (on PostgreSQL staged in the unit's
        one write statement); its data is kept as JSON text."""
        row = {
            "event_id": event.event_id,
            "type": event.type.value,
            "occurred_at": event.occurred_at,
            "data": json.dumps(dict(event.data), default=_json_default, ensure_ascii=False),
        }
        await self._batch.insert(self._session, outbox_events, lambda: row)

    @translated
    async def pending(self, limit: int) -> Sequence[DomainEvent]:
        """Unpublished events, oldest first, locked; rows another relay holds are skipped."""
        stmt = (
            _columns()
            .where(outbox_events.c.published_at.is_(None))
            .order_by(outbox_events.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [_event(row) for row in await self._session.execute(stmt)]

    @translated
    async def mark_published(self, event_ids: Sequence[str], at: datetime) -> None:
        if not event_ids:
            return
        await self._session.execute(
            update(outbox_events)
            .where(outbox_events.c.event_id.in_(list(event_ids)))
            .values(published_at=at)
        )

    @translated
    async def recent(self, limit: int, *, only_pending: bool = False) -> Sequence[DomainEvent]:
        """The latest events, newest first."""
        stmt = _columns().order_by(outbox_events.c.id.desc()).limit(limit)
        if only_pending:
            stmt = stmt.where(outbox_events.c.published_at.is_(None))
        return [_event(row) for row in await self._session.execute(stmt)]


def _columns() -> Select[tuple[str, str, datetime, str]]:
    c = outbox_events.c
    return select(c.event_id, c.type, c.occurred_at, c.data)


def _event(row: Row[Any]) -> DomainEvent:
    return DomainEvent(
        type=EventType(row.type),
        occurred_at=row.occurred_at,
        data=json.loads(row.data),
        event_id=row.event_id,
    )


def _json_default(value: object) -> object:
    # The API speaks epoch milliseconds; enums travel as their value.
    if isinstance(value, datetime):
        return to_epoch_ms(value)
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"event data of type {type(value).__name__} is not JSON-serialisable")

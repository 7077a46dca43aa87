"""Read-only questions operators ask (`gonggu stuck`, `/ops`, the gauges of `/metrics`),
answered with a few aggregate statements on indexed columns; nothing here changes a row."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, func, or_, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.outbound.persistence.column_types import from_epoch_ms
from adapters.outbound.persistence.errors import storage_errors
from adapters.outbound.persistence.tables import (
    orders,
    orphan_payments,
    outbox_events,
    payment_attempts,
    payments,
)
from domain.orphan import OrphanState
from domain.payment import Operation, PaymentState

WAITING = (PaymentState.READY, PaymentState.APPROVING)
HOUR_MS = 3_600_000


@dataclass(frozen=True)
class StuckMoney:
    """One sum of money not where it should end up yet."""

    kind: str  # "payment waiting" | "refund pending" | "orphan payment"
    order_id: int | None
    transaction_id: str | None
    platform: str
    state: str
    amount: int
    since: datetime
    age_s: int
    attempts: int
    last_error: str | None
    overdue: bool = False
    orphan_id: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "orderId": self.order_id,
            "orphanId": self.orphan_id,
            "transactionId": self.transaction_id,
            "platform": self.platform,
            "state": self.state,
            "amount": self.amount,
            "since": self.since.isoformat(),
            "ageSeconds": self.age_s,
            "attempts": self.attempts,
            "lastError": self.last_error,
            "overdue": self.overdue,
        }


@dataclass(frozen=True)
class MoneyGauges:
    """Counts by platform, for the gauges read at scrape time."""

    waiting: dict[str, int] = field(default_factory=dict)
    refunds_pending: dict[str, int] = field(default_factory=dict)
    refunds_overdue: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class OrderHistory:
    attempts: list[dict[str, Any]]
    events: list[dict[str, Any]]


class SqlaOperatorQueries:
    def __init__(self, sessions: async_sessionmaker[Any], refund_overdue_after: timedelta) -> None:
        self._sessions, self._overdue_after = sessions, refund_overdue_after

    async def gauges(self, now: datetime) -> MoneyGauges:
        """Payments waiting on a platform, refunds pending and overdue, by platform."""
        p, o = payments.c, orders.c
        overdue = (o.updated_at < now - self._overdue_after).label("overdue")
        stmt = (
            select(p.platform, p.state, overdue, func.count())
            .select_from(payments.join(orders, orders.c.id == p.order_id))
            .where(p.state.in_([*WAITING, PaymentState.REFUNDING]))
            .group_by(p.platform, p.state, overdue)
        )
        waiting: dict[str, int] = defaultdict(int)
        pending: dict[str, int] = defaultdict(int)
        late: dict[str, int] = defaultdict(int)
        async with self._session() as session:
            for platform, state, is_overdue, count in await session.execute(stmt):
                name = platform.value
                if state is PaymentState.REFUNDING:
                    pending[name] += count
                    if is_overdue:
                        late[name] += count
                else:
                    waiting[name] += count
        return MoneyGauges(dict(waiting), dict(pending), dict(late))

    async def stuck(self, now: datetime, limit: int = 500) -> list[StuckMoney]:
        """Every payment waiting on a platform, every refund pending, every orphan payment,
        oldest first."""
        p, o = payments.c, orders.c
        stmt = (
            select(p.id, p.order_id, o.transaction_id, p.platform, p.state, p.amount)
            .add_columns(p.created_at, o.updated_at, p.refund_failures)
            .select_from(payments.join(orders, orders.c.id == p.order_id))
            .where(p.state.in_([*WAITING, PaymentState.REFUNDING]))
            .order_by(p.created_at)
            .limit(limit)
        )
        async with self._session() as session:
            rows = list(await session.execute(stmt))
            refunding = [r.id for r in rows if r.state is PaymentState.REFUNDING]
            waiting = [r.id for r in rows if r.state is not PaymentState.REFUNDING]
            tries, errors = await _attempt_summary(session, refunding, [Operation.REFUND])
            more = await _attempt_summary(session, waiting, [Operation.CHECKOUT, Operation.APPROVE])
            tries.update(more[0])
            errors.update(more[1])
            orphans = await _orphans(session, now)
        items = [
            _stuck_payment(row, tries.get(row.id, 0), errors.get(row.id), now, self._overdue_after)
            for row in rows
        ]
        return sorted([*items, *orphans], key=lambda item: item.since)

    async def order_counts(self) -> list[tuple[str, str, int]]:
        """(state, platform, count) of every order."""
        o = orders.c
        stmt = select(o.state, o.pay_type, func.count()).group_by(o.state, o.pay_type)
        async with self._session() as session:
            rows = await session.execute(stmt)
            return sorted((s.value, t.value, n) for s, t, n in rows)

    async def platform_outcomes(self, since: datetime) -> list[tuple[str, str, str, int]]:
        """(platform, operation, attempt state, count) of the attempts settled since `since`."""
        a, p = payment_attempts.c, payments.c
        stmt = (
            select(p.platform, a.operation, a.state, func.count())
            .select_from(payment_attempts.join(payments, payments.c.id == a.payment_id))
            .where(a.updated_at >= since)
            .group_by(p.platform, a.operation, a.state)
        )
        async with self._session() as session:
            rows = await session.execute(stmt)
            return sorted((pl.value, op.value, st.value, n) for pl, op, st, n in rows)

    async def hourly(self, now: datetime, hours: int = 24) -> list[tuple[datetime, int, int]]:
        """(hour, payments approved, refunds done) for each of the last `hours` hours."""
        since = now - timedelta(hours=hours)
        first = int(now.timestamp() * 1000) // HOUR_MS - hours + 1  # the last is this hour
        paid = await self._per_hour(payments.c.approved_at, since, None)
        refunded = await self._per_hour(payments.c.cancelled_at, since, PaymentState.REFUNDED)
        return [
            (from_epoch_ms(h * HOUR_MS), paid.get(h, 0), refunded.get(h, 0))
            for h in range(first, first + hours)
        ]

    async def history(self, order_id: int) -> OrderHistory:
        """An order's platform attempts and its outbox events, oldest first."""
        a, p, e = payment_attempts.c, payments.c, outbox_events.c
        attempts_stmt = (
            select(a.operation, a.state, a.tries, a.error, a.created_at, a.updated_at)
            .join(payments, payments.c.id == a.payment_id)
            .where(p.order_id == order_id)
            .order_by(a.created_at, a.id)
        )
        # Order events start with the order's id (application/events.py). No index serves a
        # search in the JSON text: this is only ever asked about a few orders at a time.
        # Group events start with the group's id, and a member's history includes them.
        async with self._session() as session:
            group_id = await session.scalar(
                select(orders.c.group_id).where(orders.c.id == order_id)
            )
            about = [e.data.startswith(f'{{"orderId": {int(order_id)},')]
            if group_id:
                about.append(e.data.startswith(f'{{"groupId": {int(group_id)},'))
            events_stmt = (
                select(e.type, e.occurred_at, e.published_at, e.data)
                .where(or_(*about))
                .order_by(e.id)
                .limit(100)
            )
            attempts = [
                {
                    "operation": r.operation.value,
                    "state": r.state.value,
                    "tries": r.tries,
                    "error": r.error,
                    "createdAt": r.created_at,
                    "updatedAt": r.updated_at,
                }
                for r in await session.execute(attempts_stmt)
            ]
            events = [
                {
                    "type": r.type,
                    "occurredAt": r.occurred_at,
                    "published": r.published_at is not None,
                    "state": json.loads(r.data).get("state"),
                }
                for r in await session.execute(events_stmt)
            ]
        return OrderHistory(attempts, events)

    async def _per_hour(
        self, column: Any, since: datetime, state: PaymentState | None
    ) -> dict[int, int]:
        hour = (type_coerce(column, BigInteger) // HOUR_MS).label("hour")
        stmt = select(hour, func.count()).where(column >= since).group_by(hour)
        if state is not None:
            stmt = stmt.where(payments.c.state == state)
        async with self._session() as session:
            return {int(h): n for h, n in await session.execute(stmt)}

    def _session(self) -> _ReadSession:
        return _ReadSession(self._sessions)


class _ReadSession:
    """A session for reading; database failures surface as `StorageError`."""

    def __init__(self, sessions: async_sessionmaker[Any]) -> None:
        self._sessions = sessions
        self._guard = storage_errors()

    async def __aenter__(self) -> AsyncSession:
        self._guard.__enter__()
        session: AsyncSession = self._sessions()
        self._session = session
        return session

    async def __aexit__(self, *exc: Any) -> None:
        try:
            await self._session.close()
        finally:
            self._guard.__exit__(*exc)


def _stuck_payment(
    row: Any, tries: int, error: str | None, now: datetime, overdue_after: timedelta
) -> StuckMoney:
    refunding = row.state is PaymentState.REFUNDING
    since = row.updated_at if refunding else row.created_at  # refunds: since the order moved
    return StuckMoney(
        kind="refund pending" if refunding else "payment waiting",
        order_id=row.order_id,
        transaction_id=row.transaction_id,
        platform=row.platform.value,
        state=row.state.value,
        amount=row.amount,
        since=since,
        age_s=int((now - since).total_seconds()),
        attempts=tries,
        last_error=error,
        overdue=refunding and now - since > overdue_after,
    )


async def _attempt_summary(
    session: AsyncSession, payment_ids: Sequence[int], operations: list[Operation]
) -> tuple[dict[int, int], dict[int, str]]:
    """Tries made and the last platform error, per payment, of the operations that matter
    (a pending refund's tries are its refund tries)."""
    tries: dict[int, int] = defaultdict(int)
    errors: dict[int, str] = {}
    a = payment_attempts.c
    for start in range(0, len(payment_ids), 500):
        chunk = list(payment_ids[start : start + 500])
        stmt = (
            select(a.payment_id, a.tries, a.error)
            .where(a.payment_id.in_(chunk), a.operation.in_(operations))
            .order_by(a.created_at, a.id)
        )
        for payment_id, n, error in await session.execute(stmt):
            tries[payment_id] += n
            if error:
                errors[payment_id] = error
    return dict(tries), errors


async def _orphans(session: AsyncSession, now: datetime) -> list[StuckMoney]:
    """Orphan payments still being given back, with the order they were found with and the
    last error of their refund attempt."""
    query = (
        select(
            orphan_payments.c.id,
            orphan_payments.c.order_id,
            orders.c.transaction_id,
            orphan_payments.c.platform,
            orphan_payments.c.state,
            orphan_payments.c.amount,
            orphan_payments.c.created_at,
            orphan_payments.c.refund_failures,
            payment_attempts.c.error,
        )
        .join(orders, orders.c.id == orphan_payments.c.order_id)
        .outerjoin(payment_attempts, payment_attempts.c.id == orphan_payments.c.attempt_id)
        .where(orphan_payments.c.state != OrphanState.REFUNDED)
        .order_by(orphan_payments.c.created_at)
        .limit(500)
    )
    items = []
    for row in (await session.execute(query)).mappings():
        since = row["created_at"]
        items.append(
            StuckMoney(
                kind="orphan payment",
                order_id=row["order_id"],
                transaction_id=row["transaction_id"],
                platform=row["platform"].value,
                state=row["state"].value,
                amount=int(row["amount"]),
                since=since,
                age_s=int((now - since).total_seconds()),
                attempts=int(row["refund_failures"]),
                last_error=row["error"],
                orphan_id=row["id"],
            )
        )
    return items


def _when(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value
    return from_epoch_ms(int(value))

"""The writes of a unit of work, held back until it next talks to the database.

On PostgreSQL a payment's transaction is BEGIN, lock, write, COMMIT: whatever the hot path
writes between two statements — a new order's rows, its attempt, the settled states, the
outbox events — travels as one statement, each write a data-modifying CTE, at the unit's next
read, next ORM flush or commit. That is four round trips per transaction however many rows
move, instead of one per row. The rows of an INSERT are read when it is sent, so changes made
to an entity after it was staged travel with it; an UPDATE of a row staged in the same batch
is that INSERT's business, and two UPDATEs of one row merge (one statement cannot update a
row twice).

On SQLite (in-process: no round trip to save) every write is executed when it is made.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, Table, bindparam, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import instance_state

from adapters.outbound.persistence.driver_statements import DriverStatement
from adapters.outbound.persistence.errors import StorageError

Row = dict[str, Any]
Written = Callable[[Session], None]
"""Told once the row is in the database (with the sync session, to attach the entity)."""


@dataclass
class _Insert:
    table: Table
    row: Callable[[], Row]
    written: Written | None = None

    def shape(self, row: Row) -> tuple[str, str, tuple[str, ...]]:
        return ("insert", self.table.name, tuple(row))


@dataclass
class _Update:
    table: Table
    row_id: int
    values: Row = field(default_factory=dict)

    def shape(self, row: Row) -> tuple[str, str, tuple[str, ...]]:
        return ("update", self.table.name, tuple(row))


class WriteBatch:
    """The writes staged since the unit of work last talked to the database."""

    def __init__(self, *, deferred: bool, at_commit_only: bool = False) -> None:
        self.deferred = deferred
        self._at_commit_only = at_commit_only
        self._parts: list[_Insert | _Update] = []
        self._updates: dict[tuple[str, int], _Update] = {}
        self._inserting: set[tuple[str, int]] = set()

    def __bool__(self) -> bool:
        return bool(self._parts)

    async def insert(
        self,
        session: AsyncSession,
        table: Table,
        row: Callable[[], Row],
        *,
        row_id: int | None = None,
        written: Written | None = None,
    ) -> None:
        """Stores a row: now on SQLite, with the next statement on PostgreSQL. `row` is read
        when the INSERT is sent; `row_id` (known in advance) lets later UPDATEs fold into it."""
        part = _Insert(table, row, written)
        if not self.deferred:
            await session.run_sync(lambda sync: _execute(sync, [part]))
            return
        if row_id is not None:
            self._inserting.add((table.name, row_id))
        self._parts.append(part)

    async def update(self, session: AsyncSession, table: Table, row_id: int, values: Row) -> None:
        """Writes `values` to the row `row_id` of `table`, by the same rules as `insert`."""
        if not self.deferred:
            await session.run_sync(lambda sync: _execute(sync, [_Update(table, row_id, values)]))
            return
        self.stage_update(table, row_id, values)

    def stage_update(self, table: Table, row_id: int, values: Row) -> None:
        """`update` without the wait: for the unit of work's own commit, on PostgreSQL."""
        key = (table.name, row_id)
        if key in self._inserting:
            return
        staged = self._updates.get(key)
        if staged is None:
            staged = self._updates[key] = _Update(table, row_id)
            self._parts.append(staged)
        staged.values.update(values)

    def flush(self, session: Session, *, at_commit: bool = False) -> None:
        """Sends every staged write as one statement (synchronously: it runs inside the
        session's own events, and from `AsyncSession.run_sync`). A batch that is its unit's
        whole transaction (autocommit) refuses to be sent before commit: the writes would
        no longer be atomic."""
        if not self._parts:
            return
        if self._at_commit_only and not at_commit:
            raise RuntimeError("a one-statement unit of work must not read after it wrote")
        parts, self._parts = self._parts, []
        self._updates.clear()
        self._inserting.clear()
        _execute(session, parts)


def row_of(entity: object, table: Table) -> Row:
    """The entity's row: every column of `table`, read from the attribute of that name."""
    return {column.key: getattr(entity, column.key) for column in table.c}


def written_as_is(session: Session, entity: object) -> None:
    """Tells the session that `entity`'s every attribute is what the database holds (its row
    was just written by a batch), so that the ORM's flush has nothing to look at for it.
    SQLAlchemy's own post-flush step, `InstanceState._commit_all`, does exactly this."""
    state = instance_state(entity)
    state._commit_all(state.dict, session.identity_map)


def _execute(session: Session, parts: Sequence[_Insert | _Update]) -> None:
    rows = [part.row() if isinstance(part, _Insert) else part.values for part in parts]
    connection: Connection = session.connection()
    if connection.dialect.name != "postgresql":
        for part, row in zip(parts, rows, strict=True):
            single, single_params = _single(part, row)
            _check([part], [connection.execute(single, single_params).rowcount])
    else:
        shape = tuple(part.shape(row) for part, row in zip(parts, rows, strict=True))
        statement = _STATEMENTS.pop(shape, None)
        if statement is None:
            if len(parts) > 1:
                built = _one_statement(parts, rows)
            else:
                built = _dml(parts[0], rows[0], "w0_")
            statement = DriverStatement.of(built, connection.dialect)
            if len(_STATEMENTS) >= MAX_KEPT_STATEMENTS:
                del _STATEMENTS[next(iter(_STATEMENTS))]  # the least recently used
        _STATEMENTS[shape] = statement
        params: Row = {}
        for index, (part, row) in enumerate(zip(parts, rows, strict=True)):
            params.update({f"w{index}_{column}": value for column, value in row.items()})
            if isinstance(part, _Update):
                params[f"w{index}__id"] = part.row_id
        counted, count = statement.run(connection, params)
        _check(parts, counted[0] if len(parts) > 1 else [count])
    for part in parts:
        if isinstance(part, _Insert) and part.written is not None:
            part.written(session)


def _check(parts: Sequence[_Insert | _Update], counts: Sequence[int]) -> None:
    for part, count in zip(parts, counts, strict=True):
        if count != 1:
            kind = "insert into" if isinstance(part, _Insert) else f"update of row {part.row_id} in"
            raise StorageError(f"the {kind} {part.table.name} wrote {count} rows, not 1")


MAX_KEPT_STATEMENTS = 128
_STATEMENTS: dict[tuple[tuple[str, str, tuple[str, ...]], ...], DriverStatement] = {}
"""Built and compiled once per shape (which tables, which columns, in which order): building
and keying a statement costs about as much as running it, and the hot path has a handful of
shapes. Kept least recently used first, at most MAX_KEPT_STATEMENTS of them: other writes make
a new shape nearly every time (the reconciler's lease of a mix of waiting and refunding
payments), and a 100-row statement is ~235 KB."""
_SINGLES: dict[tuple[str, str, tuple[str, ...]], Any] = {}


def _single(part: _Insert | _Update, row: Row) -> tuple[Any, Row]:
    shape = part.shape(row)
    statement = _SINGLES.get(shape)
    if statement is None:
        statement = _SINGLES[shape] = _dml(part, row, "")
    params = dict(row)
    if isinstance(part, _Update):
        params["_id"] = part.row_id
    return statement, params


def _one_statement(parts: Sequence[_Insert | _Update], rows: Sequence[Row]) -> Select[Any]:
    ctes = [
        _dml(part, row, f"w{index}_").returning(part.table.c.id).cte(f"w{index}")
        for index, (part, row) in enumerate(zip(parts, rows, strict=True))
    ]
    # Each CTE is counted, so that it is rendered and its written rows can be checked.
    return select(*(select(func.count()).select_from(cte).scalar_subquery() for cte in ctes))


def _dml(part: _Insert | _Update, row: Row, prefix: str) -> Any:
    table = part.table
    values = {column: bindparam(f"{prefix}{column}", type_=table.c[column].type) for column in row}
    if isinstance(part, _Insert):
        return insert(table).values(values)
    return (
        update(table)
        .where(table.c.id == bindparam(f"{prefix}_id", type_=table.c.id.type))
        .values(values)
    )

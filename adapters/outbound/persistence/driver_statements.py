"""The hot path's statements, sent straight to the driver's cursor (PostgreSQL).

Above asyncpg, SQLAlchemy's execution layer — an execution context, the statement's cache key,
parameter processing, a result object, and the ORM's loading on top — costs 0.25–0.5 ms of
CPU per statement, more than asyncpg's own round trip. A statement the hot path sends on every
payment (the order's lock, the open attempt, the one write of a transaction) is compiled once,
here, to its SQL text, the order of its parameters and their converters (the same bind and
result processors SQLAlchemy would apply), and executed on the unit of work's own DBAPI
cursor: same connection, same transaction, the engine's cursor events fired. A failure goes
through SQLAlchemy's own handling (`Connection._handle_dbapi_exception`, as for any statement
it executes): the same exception types reach the repositories, and a connection found dead
invalidates the pool.

The entities read this way are attached to the session as an ORM load would leave them
(`attach_loaded`), so that the rest of the unit of work — change tracking, the commit's write,
the events — cannot tell the difference.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Dialect
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, class_mapper, make_transient_to_detached
from sqlalchemy.orm.attributes import instance_state, set_committed_value
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement

Converter = Callable[[Any], Any] | None
T = TypeVar("T")


@dataclass(frozen=True)
class DriverStatement:
    """A statement compiled once for one dialect, run on a connection's DBAPI cursor."""

    sql: str
    names: tuple[str, ...]
    """The bind parameters, in the order of the SQL's placeholders."""
    binds: tuple[Converter, ...]
    fixed: tuple[tuple[bool, Any], ...]
    """Per parameter: whether the statement carries its value (a LIMIT, a constant), and it."""
    results: tuple[Converter, ...]
    """One per selected (or returned) column, in order."""

    @classmethod
    def of(cls, statement: ClauseElement, dialect: Dialect) -> DriverStatement:
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        if compiled.positiontup is None:
            raise ValueError(f"{dialect.name} does not take positional parameters")
        names = tuple(compiled.positiontup)
        params = [compiled.binds[name] for name in names]
        binds = tuple(bind.type.dialect_impl(dialect).bind_processor(dialect) for bind in params)
        fixed = tuple((not bind.required, bind.effective_value) for bind in params)
        # A SELECT's columns, or what an INSERT or UPDATE returns (also implicitly: a new row's
        # generated key).
        columns = getattr(statement, "selected_columns", None)
        if columns is None:
            columns = compiled.returning or ()
        results = tuple(
            column.type.dialect_impl(dialect).result_processor(dialect, None) for column in columns
        )
        return cls(compiled.string, names, binds, fixed, results)

    def run(self, connection: Connection, params: Mapping[str, Any]) -> tuple[list[list[Any]], int]:
        """The rows (converted) and the row count the statement reported."""
        sql, args = self.sql, []
        dialect = connection.dialect
        cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            for name, convert, (carried, value) in zip(
                self.names, self.binds, self.fixed, strict=True
            ):
                if not carried or name in params:
                    value = params[name]
                args.append(value if convert is None else convert(value))
            # asyncpg's prepared statements are kept per connection: as SQLAlchemy's asyncpg
            # execution context does, the cursor learns when the dialect last saw the schema
            # change, so that a statement prepared before a migration is prepared again.
            stale_before = getattr(dialect, "_invalidate_schema_cache_asof", None)
            if stale_before is not None:
                setattr(cursor, "_invalidate_schema_cache_asof", stale_before)  # noqa: B010
            # The engine's cursor events, as for any statement SQLAlchemy executes (statement
            # counters, tracing); no execution context: there is none.
            for before in connection.dispatch.before_cursor_execute:
                sql, args = before(connection, cursor, sql, args, None, False)
            cursor.execute(sql, args)
            for after in connection.dispatch.after_cursor_execute:
                after(connection, cursor, sql, args, None, False)
            raw = cursor.fetchall() if cursor.description else []
            count = cursor.rowcount
        except BaseException as error:
            if isinstance(error, _stale_statement_errors(dialect)):
                dialect._invalidate_schema_cache()  # type: ignore[attr-defined]
            # SQLAlchemy's own path for a failed statement, as in `Connection._execute_context`:
            # a DBAPI error wrapped in its exception types (any other error of the statement,
            # a value a column refuses, as a `StatementError`); a lost connection, or a
            # statement cut off midway (a cancelled task, a timeout), invalidates the
            # connection — it never goes back to the pool mid-statement — and on a lost
            # connection the pool too.
            connection._handle_dbapi_exception(error, sql, args, cursor, None)
        finally:
            cursor.close()
        return [self._converted(row) for row in raw], count

    def _converted(self, row: Sequence[Any]) -> list[Any]:
        pairs = zip(self.results, row, strict=True)
        return [value if convert is None else convert(value) for convert, value in pairs]


BATCH_KEY = "gonggu.batch"
"""Where a session's info holds its unit of work's write batch (write_batch.py)."""

_COMPILED: dict[tuple[type, Hashable], DriverStatement] = {}


def _stale_statement_errors(dialect: Dialect) -> tuple[type[BaseException], ...]:
    """The driver's errors for a prepared statement the schema outdated (asyncpg's)."""
    dbapi = dialect.loaded_dbapi
    names = ("InvalidCachedStatementError", "InternalServerError")
    return tuple(getattr(dbapi, name) for name in names if hasattr(dbapi, name))


def send_staged(session: Session) -> None:
    """Sends what the session's unit of work staged: a read sees the unit's own writes, as
    with the ORM's autoflush (the session's `do_orm_execute` and `before_flush`, and `read`,
    call it first)."""
    batch = session.info.get(BATCH_KEY)
    if batch:
        batch.flush(session)


def read(
    session: Session, key: Hashable, build: Callable[[], ClauseElement], params: Mapping[str, Any]
) -> list[list[Any]]:
    """The rows of `build()`'s statement — compiled once per `key` and dialect — read in the
    session's transaction, after the unit's own writes: the staged ones and, as the ORM's
    autoflush before any query, the entities it changed (a refresh by `attach_loaded` would
    otherwise drop those changes unwritten)."""
    send_staged(session)
    if session.autoflush and (session.dirty or session.new or session.deleted):
        session.flush()
    connection = session.connection()
    compiled_key = (type(connection.dialect), key)
    statement = _COMPILED.get(compiled_key)
    if statement is None:
        statement = _COMPILED[compiled_key] = DriverStatement.of(build(), connection.dialect)
    return statement.run(connection, params)[0]


def attach_loaded(session: Session, cls: type[T], values: dict[str, Any]) -> T:
    """The `cls` entity of a row just read, in `session`, as an ORM load with
    `populate_existing` leaves it: the instance already in the session refreshed (its unsaved
    changes to these columns dropped), else a new persistent one with no pending changes and,
    for an aggregate, no events (loading skips `__init__`, see mapping.py)."""
    mapper = class_mapper(cls)
    key = mapper.identity_key_from_primary_key((values["id"],))
    existing = session.identity_map.get(key)
    if existing is not None:
        for name, value in values.items():
            set_committed_value(existing, name, value)
        return existing
    entity: Any = mapper.class_manager.new_instance()
    entity.__dict__.update(values)
    if "events" in getattr(cls, "__dataclass_fields__", {}):
        entity.__dict__["events"] = []
    make_transient_to_detached(entity)
    session.add(entity)
    state = instance_state(entity)
    state._commit_all(state.dict, session.identity_map)
    return entity  # type: ignore[no-any-return]


def columns_of(row: Sequence[Any], names: Sequence[str], start: int = 0) -> dict[str, Any]:
    """`names[i]` -> `row[start + i]`."""
    return {name: row[start + index] for index, name in enumerate(names)}

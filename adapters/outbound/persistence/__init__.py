"""SQLAlchemy 2 persistence: tables, imperative mapping, repositories, unit of work, Alembic.

Wiring: `start_mappers()` once, `migrate(url)` before the event loop starts, then
`create_engine(url)` -> `session_factory(engine)` -> `SqlaUnitOfWorkFactory` and
`SqlaIdempotencyStore`.
"""

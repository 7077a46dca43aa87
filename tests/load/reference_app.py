"""The benchmark's yardstick: Litestar + SQLAlchemy async ORM inserting one row per request.

    python -m tests.load.reference_app --port N --database-url postgresql+asyncpg://...

One process on uvicorn (uvloop, httptools, no access log), a pool of `--pool-size`
connections with no overflow, `POST /rows` adds one ORM object and commits. It is what the
lifecycle benchmark's ratio is taken against, measured in the same run on the same machine.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

import uvicorn
from litestar import Litestar, post
from sqlalchemy import BigInteger, String
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Row(Base):
    __tablename__ = "reference_rows"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100))
    amount: Mapped[int] = mapped_column(BigInteger)


def create_reference_app(database_url: str, pool_size: int) -> Litestar:
    engine = create_async_engine(database_url, pool_size=pool_size, max_overflow=0)
    sessions = async_sessionmaker(engine, expire_on_commit=False)

    async def create_table() -> None:
        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)

    async def dispose() -> None:
        await engine.dispose()

    @post("/rows", status_code=201)
    async def add_row(data: dict[str, Any]) -> dict[str, Any]:
        async with sessions() as session:
            row = Row(name=str(data.get("name", "")), amount=int(data.get("amount", 0)))
            session.add(row)
            await session.commit()
            return {"id": row.id, "name": row.name, "amount": row.amount}

    return Litestar([add_row], on_startup=[create_table], on_shutdown=[dispose])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.load.reference_app")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--pool-size", type=int, default=16)
    args = parser.parse_args(argv)
    uvicorn.run(
        create_reference_app(args.database_url, args.pool_size),
        host="127.0.0.1",
        port=args.port,
        loop="uvloop",
        http="httptools",
        log_level="warning",
        access_log=False,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The read benchmark (issue 8): `make bench-reads`.

    python -m tests.load.bench_reads [--sizes 10000 1000000] [--requests 300]

Starts `gonggu serve` on a fresh PostgreSQL database and, for each size, grows the orders
table to that many rows with one `INSERT ... SELECT generate_series` (not the API), then asks
each read `--requests` times, one after another on one keep-alive connection: a user's orders
(10 orders), a product's buyers (20 live orders among the product's), a group's status (4
confirmed members), and `/health` as the framework's floor. Prints the service's CPU per
read (from /proc) and the p50 latency. The queried user, product and group keep the same
size, so a flat figure means an index lookup.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from tests.load.cpu import tree_cpu_seconds
from tests.load.stack import process, temporary_database
from tests.load.wire import Connection
from tests.support.live_server import free_port

T0_MS = 1_717_200_000_000
BULK_PRODUCTS = 100
USER_ORDERS, PRODUCT_BUYERS, GROUP_SIZE = 10, 20, 4
# The queried rows, outside the bulk's ranges.
USER_ID, PRODUCT_ID, GROUP_ID = 1, BULK_PRODUCTS + 1, 1
READS = {
    "health (no database)": "/health",
    "a user's orders": f"/api/v1/order/list/user?userId={USER_ID}",
    "a product's buyers": f"/api/v1/user/list/product?productId={PRODUCT_ID}",
    "group status": f"/api/v1/transaction/status/group?groupId={GROUP_ID}&numberOfMember=4",
}
ORDER_COLUMNS = (
    "user_id, product_id, product_option_id, quantity, min_share, max_share, trans_amount, "
    "pay_type, transaction_id, group_id, state, created_at, updated_at"
)


async def seed_fixed(dsn: str) -> None:
    """The queried user, product and group, and the products the bulk orders are for."""
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(
            "INSERT INTO users (name, created_at, updated_at) SELECT 'buyer' || i, $1, $1 "
            f"FROM generate_series(1, {PRODUCT_BUYERS + 1}) i",
            T0_MS,
        )
        await connection.execute(
            "INSERT INTO products (name, price, created_at) SELECT 'p' || i, 10000, $1 "
            f"FROM generate_series(1, {BULK_PRODUCTS + 1}) i",
            T0_MS,
        )
        await connection.execute(
            "INSERT INTO groups (id, product_id, size, state, created_at, updated_at) "
            "VALUES ($1, $2, $3, 'MATCHED', $4, $4)",
            GROUP_ID,
            PRODUCT_ID,
            GROUP_SIZE,
            T0_MS,
        )
        fixed = [
            # (user, product, group, state) for each order of the queried entities
            *[(USER_ID, 1 + n % BULK_PRODUCTS, None, "PAID") for n in range(USER_ORDERS)],
            *[(2 + n, PRODUCT_ID, None, "PAID") for n in range(PRODUCT_BUYERS)],
            *[(2 + n, PRODUCT_ID, GROUP_ID, "CONFIRMED") for n in range(GROUP_SIZE)],
        ]
        await connection.executemany(
            f"INSERT INTO orders ({ORDER_COLUMNS}) VALUES "
            "($1, $2, 0, 1, 2, 4, 10000, 'KAKAO_PAY', $3, $4, $5, $6, $6)",
            [(u, p, f"fixed-{n}", g, s, T0_MS + n) for n, (u, p, g, s) in enumerate(fixed)],
        )
    finally:
        await connection.close()


async def grow_to(dsn: str, size: int) -> float:
    """Adds bulk orders (and their users, ten orders each) until `orders` holds `size` rows."""
    connection = await asyncpg.connect(dsn)
    try:
        have = int(await connection.fetchval("SELECT count(*) FROM orders"))
        users = int(await connection.fetchval("SELECT count(*) FROM users"))
        if size <= have:
            return 0.0
        started = time.perf_counter()
        needed_users = (size + 9) // 10
        if needed_users > users:
            await connection.execute(
                "INSERT INTO users (name, created_at, updated_at) SELECT 'bulk' || i, $1, $1 "
                f"FROM generate_series({users + 1}, {needed_users}) i",
                T0_MS,
            )
        first_user = PRODUCT_BUYERS + 2
        user_span = max(needed_users - first_user, 1)
        states = "(ARRAY['PAID','CONFIRMED','PAYMENT_FAILED','REFUNDED','MATCHED'])"
        await connection.execute(
            f"INSERT INTO orders ({ORDER_COLUMNS}) SELECT "
            f"{first_user} + (i % {user_span}), 1 + (i % {BULK_PRODUCTS}), 0, 1, 2, 4, 10000, "
            f"'KAKAO_PAY', 'bulk-' || i, 1000 + i / 4, {states}[1 + i % 5], "
            "$1::bigint + i, $1::bigint + i "
            f"FROM generate_series({have}, {size - 1}) i",
            T0_MS,
        )
        await connection.execute("ANALYZE")
        return time.perf_counter() - started
    finally:
        await connection.close()


async def measure(url: str, pid: int, requests: int) -> dict[str, dict[str, float]]:
    parts = make_url(url)
    connection = Connection(parts.host or "127.0.0.1", parts.port or 80)
    figures = {}
    try:
        for name, target in READS.items():
            for _ in range(20):  # warm-up: prepared statements, caches
                await connection.request("GET", target)
            latencies = []
            cpu = tree_cpu_seconds(pid)
            for _ in range(requests):
                started = time.perf_counter()
                reply = await connection.request("GET", target)
                latencies.append(time.perf_counter() - started)
                if reply.status != 200:
                    raise RuntimeError(f"{target}: {reply.status} {reply.body[:300]!r}")
            cpu = tree_cpu_seconds(pid) - cpu
            figures[name] = {
                "cpu_ms": round(cpu * 1000 / requests, 2),
                "p50_ms": round(statistics.median(latencies) * 1000, 2),
                "rows": float(
                    len(reply.json()["data"]) if isinstance(reply.json()["data"], list) else 1
                ),
            }
    finally:
        await connection.close()
    return figures


def run(sizes: Sequence[int], requests: int) -> dict[int, dict[str, Any]]:
    results: dict[int, dict[str, Any]] = {}
    with (
        tempfile.TemporaryDirectory(prefix="gonggu-reads-") as logs,
        contextlib.ExitStack() as stack,
    ):
        database_url = stack.enter_context(temporary_database())
        dsn = (
            make_url(database_url)
            .set(drivername="postgresql")
            .render_as_string(hide_password=False)
        )
        asyncio.run(seed_fixed(dsn))
        port = free_port()
        service_url = f"http://127.0.0.1:{port}"
        env = {
            "GONGGU_ENV": "development",
            "GONGGU_AUTH_MODE": "test",
            "GONGGU_DATABASE_URL": database_url,
            "GONGGU_PUBLIC_BASE_URL": service_url,
            "GONGGU_PAYMENTS_MODE": "live",
            "GONGGU_LOG_REQUESTS": "false",
            "PYTHONUNBUFFERED": "1",
        }
        import os

        env = {**{k: v for k, v in os.environ.items() if not k.startswith("GONGGU_")}, **env}
        served = stack.enter_context(
            process(
                [sys.executable, "-m", "adapters.inbound.cli", "serve", "--port", str(port)],
                env,
                Path(logs) / "gonggu.log",
                ready=f"{service_url}/api/v1/product/0",
            )
        )
        for size in sizes:
            seeded_s = asyncio.run(grow_to(dsn, size))
            results[size] = {
                "seed_s": round(seeded_s, 1),
                **asyncio.run(measure(service_url, served.pid, requests)),
            }
    return results


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.load.bench_reads")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args(argv)
    results = run(args.sizes, args.requests)
    for size, figures in results.items():
        print(f"{size:>9} orders (seeded in {figures.pop('seed_s')} s):")
        for name, figure in figures.items():
            print(
                f"  {name:<20} {figure['cpu_ms']:>6} ms CPU per read, p50 {figure['p50_ms']} ms, "
                f"{int(figure['rows'])} rows"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

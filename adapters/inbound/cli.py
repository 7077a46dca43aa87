"""The `gonggu` command: serve, migrate, worker, events."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import socket
import sys
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

log = logging.getLogger("gonggu")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="gonggu", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="start the HTTP service (uvicorn)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        help="processes sharing the port (SO_REUSEPORT); each has its own database pool",
    )
    commands.add_parser("migrate", help="apply the database migrations")
    worker = commands.add_parser("worker", help="run the background jobs until stopped")
    worker.add_argument("--once", action="store_true", help="run every job once and exit")
    worker.add_argument("--interval", type=float, default=5.0, help="seconds between runs")
    events = commands.add_parser("events", help="list the stored domain events (the outbox)")
    events.add_argument("--pending", action="store_true", help="only those not relayed yet")
    events.add_argument("--limit", type=int, default=50)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if args.command == "serve":
        if args.workers < 1:
            parser.error("--workers must be at least 1")
        return _serve(args.host, args.port, args.workers)
    if args.command == "migrate":
        return _migrate()
    if args.command == "worker":
        return _worker(args.once, args.interval)
    if args.command == "events":
        return _events(args.pending, args.limit)
    return 2


def _settings(host: str | None = None, port: int | None = None) -> Any:
    from adapters.config import Settings

    overrides: dict[str, Any] = {}
    if host and port and "GONGGU_PUBLIC_BASE_URL" not in os.environ:
        overrides["public_base_url"] = f"http://{host}:{port}"
    try:
        return Settings(**overrides)
    except ValueError as exc:
        sys.exit(f"gonggu: invalid configuration: {exc}")


def _migrate() -> int:
    from bootstrap import migrate_database

    settings = _settings()
    migrate_database(settings)
    print(f"migrated {settings.database_url}")
    return 0


def _serve(host: str, port: int, workers: int = 1) -> int:
    from adapters.inbound import serving
    from bootstrap import build_container, create_app, migrate_database, sandbox_config
    from sandbox.server import create_sandbox_app

    settings = _settings(host, port)
    if settings.env == "development":
        migrate_database(settings)  # once, before any worker starts
    logged = settings.requests_logged
    serving.quiet_request_logs(logged)
    emulators = []
    if settings.payments_mode == "sandbox":
        sandbox = urlsplit(settings.sandbox_url)
        sandbox_app = create_sandbox_app(sandbox_config(settings))
        emulators.append(
            serving.server(
                sandbox_app, sandbox.hostname or host, sandbox.port or port + 1, access_log=logged
            )
        )
    print(f"gonggu API:      http://{host}:{port}/api/v1  (env={settings.env})")
    print(f"OpenAPI docs:    http://{host}:{port}/docs")
    print(f"database:        {settings.database_url}")
    print(f"processes:       {workers}, database pool {settings.db_pool_size} each")
    if settings.payments_mode == "sandbox":
        platforms = "kakaopay, naverpay, openbanking, tosspayments"
        print(f"platform sandbox: {settings.sandbox_url} ({platforms})")
    if workers > 1:
        serving.ensure_port_free(host, port)
        supervise = (lambda died: serving.stop_when(died, emulators)) if emulators else None
        code = serving.run_worker_pool(workers, host, port, _serve_worker, supervise)
        print("gonggu stopped")
        return code
    app = create_app(build_container(settings))
    try:
        serving.run_servers([serving.server(app, host, port, access_log=logged), *emulators])
    except KeyboardInterrupt:  # Ctrl-C: uvicorn has shut down gracefully and re-raised it
        print("gonggu stopped")
    return 0


def _serve_worker(host: str, port: int, sock: socket.socket) -> None:
    """One process of `serve --workers N` (started by multiprocessing's spawn)."""
    from adapters.inbound import serving
    from bootstrap import build_container, create_app

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = _settings(host, port)
    serving.quiet_request_logs(settings.requests_logged)
    app = create_app(build_container(settings))
    server = serving.server(app, host, port, access_log=settings.requests_logged)
    with contextlib.suppress(KeyboardInterrupt):
        serving.run_on_socket(server, sock)


def _worker(once: bool, interval_s: float) -> int:
    from adapters.inbound.worker import run_worker
    from bootstrap import build_container

    container = build_container(_settings())
    asyncio.run(run_worker(container, once=once, interval_s=interval_s))
    return 0


def _events(only_pending: bool, limit: int) -> int:
    import json

    from bootstrap import build_container, event_json

    container = build_container(_settings())

    async def list_events() -> None:
        try:
            async with container.uow()() as uow:
                events = await uow.outbox.recent(limit, only_pending=only_pending)
            for event in events:
                print(json.dumps(event_json(event), ensure_ascii=False))
        finally:
            await container.engine().dispose()

    asyncio.run(list_events())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

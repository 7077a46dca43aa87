"""The `gonggu` command: serve, migrate, worker, events, stuck, check-config."""

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

from adapters.observability.logs import configure_logging

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
    worker.add_argument(
        "--metrics-port",
        type=int,
        default=None,
        help="serve the worker's own /metrics on this port (not needed when it shares "
        "PROMETHEUS_MULTIPROC_DIR with the service)",
    )
    events = commands.add_parser("events", help="list the stored domain events (the outbox)")
    events.add_argument("--pending", action="store_true", help="only those not relayed yet")
    events.add_argument("--limit", type=int, default=50)
    stuck = commands.add_parser(
        "stuck", help="list payments waiting on a platform, pending refunds, orphan payments"
    )
    stuck.add_argument("--json", action="store_true", help="one JSON array, for scripts")
    commands.add_parser(
        "check-config",
        help="print the verdict on the configuration (exit 1 on any problem) without starting",
    )
    args = parser.parse_args(argv)
    configure_logging(os.environ.get("GONGGU_LOG_FORMAT", "json"))
    if args.command == "serve":
        if args.workers < 1:
            parser.error("--workers must be at least 1")
        return _serve(args.host, args.port, args.workers)
    if args.command == "migrate":
        return _migrate()
    if args.command == "worker":
        return _worker(args.once, args.interval, args.metrics_port)
    if args.command == "events":
        return _events(args.pending, args.limit)
    if args.command == "stuck":
        return _stuck(args.json)
    if args.command == "check-config":
        return _check_config()
    return 2


def _settings(host: str | None = None, port: int | None = None) -> Any:
    """The validated settings, or exit 1 with one line per problem (never a traceback)."""
    settings, problems = _read_settings(host, port)
    if problems:
        _print_problems(problems)
        sys.exit(1)
    return settings


def _read_settings(host: str | None = None, port: int | None = None) -> tuple[Any, list[str]]:
    from pydantic import ValidationError

    from adapters.config import Settings
    from adapters.config_check import verdict

    overrides: dict[str, Any] = {}
    if host and port and "GONGGU_PUBLIC_BASE_URL" not in os.environ:
        overrides["public_base_url"] = f"http://{host}:{port}"
    try:
        return Settings(**overrides), []
    except ValidationError as exc:
        return None, verdict(exc)


def _print_problems(problems: list[str]) -> None:
    count = f"{len(problems)} problem" + ("s" if len(problems) > 1 else "")
    print(f"gonggu: invalid configuration ({count}), refusing to start:", file=sys.stderr)
    for line in problems:
        print(f"  - {line}", file=sys.stderr)


def _check_config() -> int:
    """What `serve` would decide, for a deploy pipeline: exit 0 and a summary, or exit 1."""
    settings, problems = _read_settings()
    if problems:
        _print_problems(problems)
        return 1
    enabled = ", ".join(p.value for p in settings.enabled_platforms)
    print(f"configuration ok: env={settings.env}, payments={settings.payments_mode}, ", end="")
    print(f"auth={settings.auth_mode}, platforms={enabled}")
    return 0


def _migrate() -> int:
    from bootstrap import migrate_database

    settings = _settings()
    migrate_database(settings)
    print(f"migrated {settings.database_url}")
    return 0


def _serve(host: str, port: int, workers: int = 1) -> int:
    from adapters.inbound import serving
    from adapters.inbound.server_limits import uvicorn_limits
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
        api = serving.server(app, host, port, access_log=logged, **uvicorn_limits(settings))
        serving.run_servers([api, *emulators])
    except KeyboardInterrupt:  # Ctrl-C: uvicorn has shut down gracefully and re-raised it
        print("gonggu stopped")
    return 0


def _serve_worker(host: str, port: int, sock: socket.socket) -> None:
    """One process of `serve --workers N` (started by multiprocessing's spawn)."""
    from adapters.inbound import serving
    from adapters.inbound.server_limits import uvicorn_limits
    from bootstrap import build_container, create_app

    configure_logging(os.environ.get("GONGGU_LOG_FORMAT", "json"))  # spawned: set up anew
    settings = _settings(host, port)
    serving.quiet_request_logs(settings.requests_logged)
    app = create_app(build_container(settings))
    server = serving.server(
        app, host, port, access_log=settings.requests_logged, **uvicorn_limits(settings)
    )
    with contextlib.suppress(KeyboardInterrupt):
        serving.run_on_socket(server, sock)


def _worker(once: bool, interval_s: float, metrics_port: int | None = None) -> int:
    from adapters.inbound.worker import failed_jobs, run_worker
    from bootstrap import build_container

    container = build_container(_settings())
    if metrics_port:
        from prometheus_client import start_http_server

        start_http_server(metrics_port, addr="127.0.0.1")
    results = asyncio.run(run_worker(container, once=once, interval_s=interval_s))
    failed = failed_jobs(results) if once else []
    if failed:
        # `--once` runs from cron: a run that did not do its jobs must not look like one that did.
        for name in failed:
            print(f"gonggu worker: job {name} {results[name]}", file=sys.stderr)
        return 1
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


def _stuck(as_json: bool) -> int:
    import json

    from adapters.inbound.stuck_report import stuck_table
    from bootstrap import build_container

    container = build_container(_settings())

    async def list_stuck() -> list[Any]:
        try:
            items: list[Any] = await container.operator_queries().stuck(container.clock().now())
            return items
        finally:
            await container.engine().dispose()

    try:
        items = asyncio.run(list_stuck())
    except Exception as exc:  # an operator pointed it at the wrong or an unmigrated database
        print(f"gonggu stuck: cannot read the database: {exc}".splitlines()[0], file=sys.stderr)
        return 1
    if as_json:
        print(json.dumps([item.as_json() for item in items], ensure_ascii=False, indent=2))
    else:
        print(stuck_table(items))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

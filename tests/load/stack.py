"""Everything a load run needs, started on free loopback ports and always stopped:
a fresh PostgreSQL database, the emulators, the service and a background worker."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from adapters.config import Settings
from bootstrap import migrate_database
from tests.support.live_server import free_port

REPO = Path(__file__).resolve().parents[2]
ADMIN_DSN = os.environ.get(
    "GONGGU_TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/postgres"
)
START_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 15.0
# The service and the worker ask the platforms about waiting payments after this many seconds
# (production: 60); the final convergence rounds use zero.
RECONCILE_AFTER_S = 5.0


@dataclass
class Stack:
    database_url: str
    service_url: str
    sandbox_url: str
    logs: Path

    def settings(self, **overrides: Any) -> Settings:
        """What the service runs with; the convergence worker overrides the timings."""
        return Settings(**{**self.environment_settings(), **overrides})

    def environment_settings(self) -> dict[str, Any]:
        return {
            "env": "development",
            "auth_mode": "test",
            "database_url": self.database_url,
            "public_base_url": self.service_url,
            "payments_mode": "sandbox",
            "sandbox_url": self.sandbox_url,
            "reconcile_after_s": RECONCILE_AFTER_S,
            "refund_retry_base_s": 1.0,
            "refund_retry_max_s": 5.0,
        }

    def environ(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("GONGGU_")}
        env.update({f"GONGGU_{k.upper()}": str(v) for k, v in self.environment_settings().items()})
        env["PYTHONUNBUFFERED"] = "1"
        return env

    def service_log(self) -> str:
        return _read(self.logs / "service.log")

    def worker_log(self) -> str:
        return _read(self.logs / "worker.log")


@contextlib.contextmanager
def running_stack(logs: Path, database_url: str | None = None) -> Iterator[Stack]:
    """Yields a running stack; whatever it started is stopped (and the database dropped)."""
    with contextlib.ExitStack() as stack:
        url = database_url or stack.enter_context(temporary_database())
        service_port, sandbox_port = free_port(), free_port()
        running = Stack(
            database_url=url,
            service_url=f"http://127.0.0.1:{service_port}",
            sandbox_url=f"http://127.0.0.1:{sandbox_port}",
            logs=logs,
        )
        env = running.environ()
        stack.enter_context(
            process(
                [sys.executable, "-m", "tests.load.serve", "sandbox", "--port", str(sandbox_port)],
                env,
                logs / "sandbox.log",
                ready=f"{running.sandbox_url}/kakaopay/__sandbox__/payments",
            )
        )
        stack.enter_context(
            process(
                [sys.executable, "-m", "tests.load.serve", "service", "--port", str(service_port)],
                env,
                logs / "service.log",
                ready=f"{running.service_url}/api/v1/product/0",
            )
        )
        stack.enter_context(
            process(
                [sys.executable, "-m", "adapters.inbound.cli", "worker", "--interval", "1"],
                env,
                logs / "worker.log",
            )
        )
        yield running


@contextlib.contextmanager
def temporary_database() -> Iterator[str]:
    """A fresh PostgreSQL database, migrated, dropped at the end."""
    name = f"gonggu_load_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(ADMIN_DSN).set(drivername="postgresql+asyncpg", database=name)
        rendered = url.render_as_string(hide_password=False)
        migrate_database(Settings(database_url=rendered))
        yield rendered
    finally:
        asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextlib.contextmanager
def process(
    command: list[str], env: dict[str, str], log: Path, ready: str | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """Runs `command` with its output in `log`; waits for `ready` to answer; always stops it."""
    with log.open("wb") as sink:
        child = subprocess.Popen(command, cwd=REPO, env=env, stdout=sink, stderr=subprocess.STDOUT)
        try:
            if ready is not None:
                wait_until_answering(child, ready, log)
            yield child
        finally:
            _stop(child)


def wait_until_answering(
    child: subprocess.Popen[bytes], url: str, log: Path, timeout_s: float = START_TIMEOUT_S
) -> None:
    """Until `url` answers (any status); the child's exit or `timeout_s` is an error."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if child.poll() is not None:
            raise RuntimeError(f"{child.args!r} exited with {child.returncode}:\n{_read(log)}")
        with contextlib.suppress(httpx.TransportError):
            httpx.get(url, timeout=10)
            return
        time.sleep(0.1)
    raise RuntimeError(f"{child.args!r} did not answer at {url} within {timeout_s} s")


def _stop(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is None:
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait(STOP_TIMEOUT_S)


async def _admin(statement: str) -> None:
    connection = await asyncpg.connect(ADMIN_DSN, timeout=5)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except FileNotFoundError:
        return ""

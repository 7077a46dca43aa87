"""Helpers of the fault-injection tests: a worker run in-process, the database as the worker
sees it, real `gonggu` processes on free loopback ports (always stopped), and polling."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import httpx
from sqlalchemy import text

from adapters.config import (
    SANDBOX_KAKAOPAY_SECRET_KEY,
    SANDBOX_NAVERPAY,
    SANDBOX_TOSSPAYMENTS_SECRET_KEY,
    Settings,
)
from adapters.outbound.persistence.engine import create_engine
from adapters.platform_settings import SANDBOX_TOSSPAYMENTS
from tests.support.databases import run_outside_loop

GONGGU = Path(sys.executable).with_name("gonggu")
T = TypeVar("T")


def run_worker_once(settings: Settings) -> dict[str, Any]:
    """`gonggu worker --once` in-process: its own container, engine and HTTP client, like a
    separate worker process, closed afterwards."""
    from adapters.inbound.worker import run_jobs_once
    from bootstrap import build_container

    async def once() -> dict[str, Any]:
        container = build_container(settings)
        try:
            return await run_jobs_once(container)
        finally:
            await container.http_client().aclose()
            await container.engine().dispose()

    return run_outside_loop(once)


def rows(database_url: str, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    """Runs a read-only query against the service's database."""

    async def query() -> list[tuple[Any, ...]]:
        engine = create_engine(database_url, pool_size=1)
        try:
            async with engine.connect() as connection:
                result = await connection.execute(text(sql), params)
                return [tuple(row) for row in result]
        finally:
            await engine.dispose()

    return run_outside_loop(query)


def attempts_of(database_url: str, order_id: int) -> list[tuple[str, str, str]]:
    """(operation, state, idempotency key) of each attempt on the order's payment, in order."""
    found = rows(
        database_url,
        "SELECT a.operation, a.state, a.idempotency_key FROM payment_attempts a "
        "JOIN payments p ON p.id = a.payment_id WHERE p.order_id = :order_id "
        "ORDER BY a.created_at, a.id",
        order_id=order_id,
    )
    return [(str(op), str(state), str(key)) for op, state, key in found]


def wait_until(
    condition: Callable[[], T], *, timeout: float, interval: float = 0.1, what: str = ""
) -> T:
    """Polls until `condition()` is truthy; fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what or condition}")
        time.sleep(interval)


# --------------------------------------------------------------------------- real processes


def process_env(
    database_url: str, sandbox_url: str, public_base_url: str, **extra: Any
) -> dict[str, str]:
    """The environment of a `gonggu` process talking to the test's sandbox.

    The platforms' base URLs are set explicitly (payments mode `live`), so that `gonggu serve`
    does not start emulators of its own: every process shares the one sandbox of the test.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGGU_")}
    env.update(
        {
            "GONGGU_ENV": "development",
            "GONGGU_DATABASE_URL": database_url,
            "GONGGU_PUBLIC_BASE_URL": public_base_url,
            "GONGGU_PAYMENTS_MODE": "live",
            "GONGGU_SANDBOX_URL": sandbox_url,
            "GONGGU_KAKAOPAY_BASE_URL": f"{sandbox_url}/kakaopay",
            "GONGGU_KAKAOPAY_SECRET_KEY": SANDBOX_KAKAOPAY_SECRET_KEY,
            "GONGGU_NAVERPAY_BASE_URL": f"{sandbox_url}/naverpay",
            "GONGGU_NAVERPAY_PARTNER_ID": SANDBOX_NAVERPAY["partner_id"],
            "GONGGU_NAVERPAY_CLIENT_ID": SANDBOX_NAVERPAY["client_id"],
            "GONGGU_NAVERPAY_CLIENT_SECRET": SANDBOX_NAVERPAY["client_secret"],
            "GONGGU_NAVERPAY_CHAIN_ID": SANDBOX_NAVERPAY["chain_id"],
            "GONGGU_TOSSPAYMENTS_BASE_URL": f"{sandbox_url}/tosspayments",
            "GONGGU_TOSSPAYMENTS_SECRET_KEY": SANDBOX_TOSSPAYMENTS_SECRET_KEY,
            "GONGGU_TOSSPAYMENTS_CLIENT_KEY": SANDBOX_TOSSPAYMENTS["widget"][1],
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update({f"GONGGU_{k.upper()}": str(v) for k, v in extra.items()})
    return env


class GongguProcess:
    """One `gonggu …` child process, its output in a log file; stopped by its own pid only."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.args, self.log_path = args, log
        self._log = log.open("wb")
        self.popen = subprocess.Popen(
            [str(GONGGU), *args], env=env, stdout=self._log, stderr=subprocess.STDOUT
        )

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill_hard(self) -> None:
        """`kill -9`: no cleanup, no commit, no goodbye."""
        if self.alive:
            os.kill(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self, grace: float = 10.0) -> int | None:
        if self.alive:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.kill_hard()
        self._log.close()
        return self.popen.returncode

    def output(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")


@contextmanager
def gonggu_service(port: int, env: dict[str, str], log: Path) -> Iterator[GongguProcess]:
    """`gonggu serve` on 127.0.0.1:`port`, ready to answer; stopped on exit."""
    process = GongguProcess(["serve", "--host", "127.0.0.1", "--port", str(port)], env, log)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            if not process.alive:
                raise AssertionError(f"gonggu serve exited:\n{process.output()[-3000:]}")
            try:
                if httpx.get(f"{url}/api/v1/product/1", timeout=1).status_code < 500:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"gonggu serve did not start:\n{process.output()[-3000:]}")
            time.sleep(0.1)
        yield process
    finally:
        process.stop()


@contextmanager
def gonggu_worker(env: dict[str, str], log: Path, interval: float = 0.2) -> Iterator[GongguProcess]:
    """`gonggu worker --interval …`; stopped (SIGTERM, then SIGKILL) on exit."""
    process = GongguProcess(["worker", "--interval", str(interval)], env, log)
    try:
        yield process
    finally:
        process.stop()

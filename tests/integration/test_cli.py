"""The `gonggu` console script, run as operators run it: a subprocess with a timeout."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.outbound.persistence.engine import create_engine, session_factory
from adapters.outbound.persistence.mapping import start_mappers
from adapters.outbound.persistence.unit_of_work import SqlaUnitOfWorkFactory
from domain.events import DomainEvent, EventType
from tests.events.broker import closed_broker_url, consumer, require_rabbitmq
from tests.support.databases import run_outside_loop

GONGGU = Path(sys.executable).parent / "gonggu"
TIMEOUT_S = 60
T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


def gonggu(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(GONGGU), *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )


@pytest.fixture
def environment(tmp_path: Path) -> dict[str, str]:
    """The process environment without any GONGGU_ setting of the machine running the tests."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGGU_")}
    env["GONGGU_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    # Nothing listens there: a job that needed a platform would fail loudly, not hang.
    env["GONGGU_SANDBOX_URL"] = "http://127.0.0.1:9"
    return env


@pytest.fixture
def migrated(environment: dict[str, str], tmp_path: Path) -> Iterator[dict[str, str]]:
    done = gonggu("migrate", env=environment, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    yield environment


def add_events(database_url: str, events: list[DomainEvent], published: int = 0) -> None:
    """Stores events in the outbox; the first `published` of them as already relayed."""
    start_mappers()

    async def work() -> None:
        engine = create_engine(database_url)
        try:
            uow = SqlaUnitOfWorkFactory(session_factory(engine))
            async with uow() as tx:
                for event in events:
                    await tx.outbox.add(event)
                await tx.outbox.mark_published([e.event_id for e in events[:published]], T0)
                await tx.commit()
        finally:
            await engine.dispose()

    run_outside_loop(work)


def sample(count: int) -> list[DomainEvent]:
    return [
        DomainEvent(EventType.ORDER_PAID, T0, {"orderId": n + 1, "amount": 30_000})
        for n in range(count)
    ]


def json_lines(output: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_migrate_creates_the_schema_in_a_fresh_sqlite_file(
    environment: dict[str, str], tmp_path: Path
) -> None:
    done = gonggu("migrate", env=environment, cwd=tmp_path)

    assert done.returncode == 0, done.stderr
    with sqlite3.connect(tmp_path / "cli.db") as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"orders", "payments", "outbox_events", "idempotency_records"} <= tables
    again = gonggu("migrate", env=environment, cwd=tmp_path)
    assert again.returncode == 0, again.stderr


def test_events_pending_prints_each_unrelayed_event_as_a_json_line(
    migrated: dict[str, str], tmp_path: Path
) -> None:
    events = sample(3)
    add_events(migrated["GONGGU_DATABASE_URL"], events, published=1)

    pending = gonggu("events", "--pending", env=migrated, cwd=tmp_path)
    everything = gonggu("events", env=migrated, cwd=tmp_path)

    assert pending.returncode == everything.returncode == 0, pending.stderr + everything.stderr
    lines = json_lines(pending.stdout)
    assert [line["eventId"] for line in lines] == [e.event_id for e in reversed(events[1:])]
    assert lines[0] == {
        "eventId": events[2].event_id,
        "type": "OrderPaid",
        "occurredAt": int(T0.timestamp() * 1000),
        "data": {"orderId": 3, "amount": 30_000},
    }
    assert len(json_lines(everything.stdout)) == 3


def test_worker_once_runs_every_job_and_exits_zero_keeping_events_without_a_broker(
    migrated: dict[str, str], tmp_path: Path
) -> None:
    add_events(migrated["GONGGU_DATABASE_URL"], sample(2))

    done = gonggu("worker", "--once", env=migrated, cwd=tmp_path)

    assert done.returncode == 0, done.stderr
    [summary] = [line for line in done.stderr.splitlines() if "jobs done" in line]
    for job in ("reconcile", "unmatched", "idempotency"):
        assert f"'{job}'" in summary
    assert "failed: " not in summary and "Traceback" not in done.stderr
    pending = gonggu("events", "--pending", env=migrated, cwd=tmp_path)
    assert len(json_lines(pending.stdout)) == 2


def test_worker_once_with_a_broker_relays_every_waiting_event(
    migrated: dict[str, str], tmp_path: Path
) -> None:
    url = require_rabbitmq()
    events = sample(3)
    add_events(migrated["GONGGU_DATABASE_URL"], events)
    ids = [e.event_id for e in events]

    async def run_worker_and_listen() -> tuple[subprocess.CompletedProcess[str], list[str]]:
        async with consumer(url) as queue:
            done = gonggu(
                "worker", "--once", env={**migrated, "GONGGU_RABBITMQ_URL": url}, cwd=tmp_path
            )
            await queue.until(ids)
            return done, [m.message_id or "" for m in queue.of(ids)]

    done, received = run_outside_loop(run_worker_and_listen)

    assert done.returncode == 0, done.stderr
    assert "'relay': 3" in done.stderr
    assert received == ids
    pending = gonggu("events", "--pending", env=migrated, cwd=tmp_path)
    assert pending.returncode == 0 and json_lines(pending.stdout) == []


def test_worker_once_with_the_broker_down_still_exits_zero_and_the_events_wait(
    migrated: dict[str, str], tmp_path: Path
) -> None:
    add_events(migrated["GONGGU_DATABASE_URL"], sample(2))
    env = {**migrated, "GONGGU_RABBITMQ_URL": closed_broker_url()}

    done = gonggu("worker", "--once", env=env, cwd=tmp_path)

    assert done.returncode == 0, done.stderr
    assert "job relay failed" in done.stderr
    assert "'reconcile'" in done.stderr  # the other jobs still ran
    pending = gonggu("events", "--pending", env=migrated, cwd=tmp_path)
    assert len(json_lines(pending.stdout)) == 2


def test_worker_runs_its_jobs_repeatedly_until_sigterm_and_then_exits_zero(
    migrated: dict[str, str], tmp_path: Path
) -> None:
    worker = subprocess.Popen(
        [str(GONGGU), "worker", "--interval", "0.2"],
        env=migrated,
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(worker.stderr.readline, "")))  # type: ignore[union-attr]
    reader.start()
    try:
        deadline = time.monotonic() + 30
        while sum("jobs done" in line for line in lines) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sum("jobs done" in line for line in lines) >= 2, "".join(lines)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=10) == 0, "".join(lines)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=10)
        reader.join(timeout=10)


@pytest.mark.parametrize("command", [["worker", "--once"], ["migrate"], ["events"]])
def test_production_in_test_auth_mode_refuses_to_start_with_a_clear_message(
    environment: dict[str, str], tmp_path: Path, command: list[str]
) -> None:
    env = {**environment, "GONGGU_ENV": "production", "GONGGU_AUTH_MODE": "test"}

    done = gonggu(*command, env=env, cwd=tmp_path)

    assert done.returncode != 0
    assert "invalid configuration" in done.stderr
    assert "GONGGU_AUTH_MODE=test" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "cli.db").exists()

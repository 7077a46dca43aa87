"""A careless operator's mistakes, run as the operator runs them: the `gonggu` command.

`gonggu worker --once` is what cron runs. Pointed at a database that was never migrated (or
that does not exist), every job failed — logged as a traceback — and the command still
exited 0, so the cron job looked healthy while no refund was ever retried."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

GONGGU = str(Path(sys.executable).with_name("gonggu"))


def _run(*args: str, database_url: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGGU_")}
    env |= {"GONGGU_DATABASE_URL": database_url, "GONGGU_LOG_FORMAT": "text"}
    return subprocess.run(
        [GONGGU, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_worker_once_on_an_unmigrated_database_exits_non_zero(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'never-migrated.db'}"

    ran = _run("worker", "--once", database_url=url)

    assert ran.returncode == 1, ran.stderr[-2000:]
    assert "gonggu worker: job reconcile failed" in ran.stderr


def test_worker_once_on_a_migrated_database_exits_zero(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'migrated.db'}"
    assert _run("migrate", database_url=url).returncode == 0

    ran = _run("worker", "--once", database_url=url)

    assert ran.returncode == 0, ran.stderr[-2000:]


def test_stuck_on_an_unmigrated_database_says_so_without_a_traceback(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'never-migrated.db'}"

    ran = _run("stuck", database_url=url)

    assert ran.returncode == 1
    assert "Traceback" not in ran.stderr
    last = ran.stderr.strip().splitlines()[-1]
    assert last.startswith("gonggu stuck: cannot read the database:"), ran.stderr[-500:]
    assert "no such table" in last

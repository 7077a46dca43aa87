"""Instructions per lifecycle, counted by valgrind: a figure that does not move with the machine.

    python -m tests.load.instructions [--lifecycles 100] [--inserts 300] [--warm-up 30]

CPU seconds on this shared 2-core machine move by 1.5–2x from one run to the next, which hides
a 5% change. `valgrind --tool=callgrind` counts instructions instead: the same count for the
same code and inputs whatever else the machine does. The service (`gonggu serve`, live KakaoPay
payments against the fast KakaoPay) and the reference app run under callgrind, each in turn;
after a warm-up their counters are zeroed (`callgrind_control --zero`), one client runs the
lifecycles (or inserts) one at a time, and the counters are dumped (`--dump`). Printed: the
service's instructions per lifecycle, the reference's per insert, and their quotient — the
benchmark's "gonggu CPU ÷ reference CPU", without the noise. The load generator, the fast
KakaoPay and PostgreSQL run natively and are not counted. 30–60 x slower than native: a
tool to compare two versions of the code, not a benchmark.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from tests.load.bench_lifecycle import base_environ, gonggu_environment
from tests.load.lifecycle_driver import Target, run_inserts, run_lifecycles, setup_catalog
from tests.load.stack import REPO, process, temporary_database, wait_until_answering
from tests.support.live_server import free_port

START_TIMEOUT_S = 300.0
DUMP_TIMEOUT_S = 60.0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.load.instructions")
    parser.add_argument("--lifecycles", type=int, default=100)
    parser.add_argument("--inserts", type=int, default=300)
    parser.add_argument("--warm-up", type=int, default=30)
    args = parser.parse_args(argv)
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        print("valgrind (callgrind) is not installed: apt-get install -y valgrind", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="gonggu-instructions-") as logs:
        log_dir = Path(logs)
        env = base_environ()
        platform_port = free_port()
        platform_url = f"http://127.0.0.1:{platform_port}"
        with process(
            [sys.executable, "-m", "tests.load.fast_kakaopay", "--port", str(platform_port)],
            env,
            log_dir / "platform.log",
            ready=f"{platform_url}/",
        ):
            per_lifecycle = _service(args, env, platform_url, log_dir)
        per_insert = _reference(args, env, log_dir)
    print(f"gonggu: {per_lifecycle / 1e6:.2f} M instructions per lifecycle")
    print(f"reference: {per_insert / 1e6:.2f} M instructions per insert")
    print(f"gonggu per lifecycle ÷ reference per insert: {per_lifecycle / per_insert:.2f}")
    return 0


def _service(args: argparse.Namespace, env: dict[str, str], platform_url: str, logs: Path) -> float:
    with temporary_database() as database_url:
        port = free_port()
        service_url = f"http://127.0.0.1:{port}"
        command = [sys.executable, "-m", "adapters.inbound.cli", "serve", "--port", str(port)]
        service_env = gonggu_environment(env, platform_url, database_url, service_url)
        with _under_callgrind(command, service_env, logs / "gonggu", service_url) as counted:
            service, platform = Target.of(service_url), Target.of(platform_url)
            catalog: list[tuple[list[int], int]] = []

            async def work(total: int) -> None:
                if not catalog:  # made in the warm-up, not counted
                    catalog.append(await setup_catalog(service, 1))
                users, product = catalog[0]
                tally = await run_lifecycles(service, platform, users, product, total)
                if tally.failures or tally.completed != total:
                    raise RuntimeError(f"lifecycles failed: {tally.failures[:3]}")

            return counted(work, args.warm_up, args.lifecycles)


def _reference(args: argparse.Namespace, env: dict[str, str], logs: Path) -> float:
    with temporary_database() as database_url:
        port = free_port()
        command = [
            sys.executable,
            "-m",
            "tests.load.reference_app",
            "--port",
            str(port),
            "--database-url",
            database_url,
        ]
        url = f"http://127.0.0.1:{port}"
        with _under_callgrind(command, env, logs / "reference", url) as counted:

            async def work(total: int) -> None:
                tally = await run_inserts(Target.of(url), 1, total)
                if tally.failures or tally.completed != total:
                    raise RuntimeError(f"inserts failed: {tally.failures[:3]}")

            return counted(work, args.warm_up, args.inserts)


@contextlib.contextmanager
def _under_callgrind(
    command: list[str], env: dict[str, str], prefix: Path, url: str
) -> Iterator[object]:
    """Runs `command` under callgrind; yields `counted(work, warm_up, n)`, which runs
    `work(warm_up)`, zeroes the counters, runs `work(n)` and returns instructions / n."""
    out = prefix.with_suffix(".callgrind")
    valgrind = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}.%p"]
    with (prefix.with_suffix(".log")).open("wb") as sink:
        child = subprocess.Popen([*valgrind, *command], cwd=REPO, env=env, stdout=sink, stderr=sink)
        try:
            wait_until_answering(child, url, prefix.with_suffix(".log"), START_TIMEOUT_S)

            def counted(work: object, warm_up: int, total: int) -> float:
                asyncio.run(work(warm_up))  # type: ignore[operator]
                _control(child.pid, "--zero")
                asyncio.run(work(total))  # type: ignore[operator]
                _control(child.pid, "--dump")
                return _instructions(out.parent, out.name, child.pid) / total

            yield counted
        finally:
            child.terminate()
            try:
                child.wait(60)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def _control(pid: int, action: str) -> None:
    subprocess.run(["callgrind_control", action, str(pid)], check=True, capture_output=True)


def _instructions(folder: Path, name: str, pid: int) -> float:
    """The `summary:` of the newest dump of `pid` (the one `--dump` just wrote)."""
    deadline = time.monotonic() + DUMP_TIMEOUT_S
    while time.monotonic() < deadline:
        dumps = sorted(folder.glob(f"{name}.{pid}.*"), key=lambda p: p.stat().st_mtime)
        for line in dumps[-1].read_text().splitlines() if dumps else ():
            if line.startswith(("summary:", "totals:")):
                return float(line.split()[1])
        time.sleep(min(0.5, DUMP_TIMEOUT_S))
    raise RuntimeError(f"no callgrind dump of {pid} in {folder}")


if __name__ == "__main__":
    sys.exit(main())

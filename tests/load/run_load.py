"""The load test that counts (issue 4, point 7).

    python -m tests.load.run_load --orders 2000 [--concurrency 32] [--group-size 4]
        [--duplicate-rate 0.3] [--delay-rate 0.1] [--database-url URL] [--seed 1]

Starts a fresh PostgreSQL database, the platform emulators, the service and a worker on free
loopback ports; drives the orders through their lifecycle; runs the worker's jobs until they
converge; checks the ledger; prints the counts; exits 1 when a check fails. See docs/load.md.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from bootstrap import migrate_database
from tests.load.converge import converge
from tests.load.driver import Driver
from tests.load.ledger import Check, Ledger, check_ledger, read_ledger, state_counts
from tests.load.options import LoadOptions, parse_options
from tests.load.plan import make_plan
from tests.load.recorder import Recorder
from tests.load.report import render
from tests.load.stack import Stack, running_stack

LOG_TAIL = 40


@dataclass
class LoadResult:
    checks: list[Check]
    report: str
    states: Counter[str]

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]


def run(options: LoadOptions) -> LoadResult:
    """Runs the whole load, start to stop; every process it starts is stopped."""
    with tempfile.TemporaryDirectory(prefix="gonggu-load-") as logs:
        if options.database_url:
            migrate_database(Stack(options.database_url, "", "", Path(logs)).settings())
        with running_stack(Path(logs), options.database_url) as stack:
            result = asyncio.run(_drive_and_check(options, stack))
            errors = [line for line in stack.service_log().splitlines() if "ERROR" in line]
            if result.failed and errors:
                tail = "\n".join(stack.service_log().splitlines()[-LOG_TAIL:])
                result.report += f"\n\nservice log ({len(errors)} ERROR lines), last lines:\n{tail}"
            elif errors:
                result.report += f"\n\nservice log: {len(errors)} ERROR lines, e.g. {errors[0]}"
        return result


async def _drive_and_check(options: LoadOptions, stack: Stack) -> LoadResult:
    users, batches = make_plan(options)
    recorder = Recorder()
    limits = httpx.Limits(max_connections=options.concurrency * 2)
    async with (
        httpx.AsyncClient(base_url=stack.service_url, timeout=60, limits=limits) as api,
        httpx.AsyncClient(base_url=stack.sandbox_url, timeout=60, limits=limits) as sandbox,
    ):
        driver = Driver(options, api, sandbox, recorder)
        await driver.setup(users)
        try:
            async with asyncio.timeout(options.time_limit_s):
                drive = await driver.run(batches)
        except TimeoutError:
            drive = driver.drive
            recorder.unexpected.append(f"the drive did not finish in {options.time_limit_s} s")
        settings = stack.settings(
            reconcile_after_s=0,
            abandon_after_s=0,
            refund_retry_base_s=0,
            refund_retry_max_s=0,
            unmatched_refund_after_s=0,
        )
        convergence = await converge(settings, drive.users, options.converge_rounds)
        ledger: Ledger = await read_ledger(driver, drive)
    if not convergence.converged:
        recorder.unexpected.append(
            f"{convergence.unsettled} order(s) still unsettled after {convergence.rounds} "
            f"worker rounds ({convergence.seconds:.0f} s)"
        )
    check_ledger(ledger, drive, recorder)
    states, _ = state_counts(ledger)
    report = render(options, drive, convergence, ledger, recorder)
    return LoadResult(ledger.checks, report, states)


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_options(argv)
    result = run(options)
    print(result.report)
    if result.failed:
        print(f"\nFAILED: {len(result.failed)} check(s)", file=sys.stderr)
        return 1
    print("\nall checks passed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Runs the worker's jobs until nothing is left to do: waiting payments asked about, refunds
retried, paid orders that no group took refunded. Bounded in rounds and time."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, text

from adapters.config import Settings
from adapters.inbound.worker import run_jobs_once
from bootstrap import build_container

TIME_LIMIT_S = 120.0
IDLE_PAUSE_S = 0.5
FINAL = ("CONFIRMED", "REFUNDED", "PAYMENT_FAILED", "PAYMENT_CANCELLED")
UNSETTLED = text(
    "SELECT count(*) FROM orders WHERE user_id IN :users AND state NOT IN :final"
).bindparams(bindparam("users", expanding=True), bindparam("final", expanding=True))


@dataclass
class Convergence:
    rounds: int
    converged: bool
    seconds: float
    work: dict[str, int]
    unsettled: int


async def converge(settings: Settings, users: Sequence[int], max_rounds: int) -> Convergence:
    """`settings` should have zero ages (reconcile, abandon, unmatched refund): every order the
    drive left waiting is then due. Stops once no order of `users` is left in a non-final
    state, after `max_rounds` rounds, or after TIME_LIMIT_S."""
    container = build_container(settings)
    started = time.perf_counter()
    work: dict[str, int] = {}
    unsettled = -1
    try:
        for round_ in range(1, max_rounds + 1):
            results = await run_jobs_once(container)
            done = _work_of(results)
            for name, count in done.items():
                work[name] = work.get(name, 0) + count
            async with container.engine().connect() as connection:
                found = await connection.execute(UNSETTLED, {"users": users, "final": FINAL})
                unsettled = int(found.scalar_one())
            elapsed = time.perf_counter() - started
            if unsettled == 0:
                return Convergence(round_, True, elapsed, work, 0)
            if elapsed > TIME_LIMIT_S:
                return Convergence(round_, False, elapsed, work, unsettled)
            if not any(done.values()):  # a refund or lookup may be leased or backing off
                await asyncio.sleep(IDLE_PAUSE_S)
        return Convergence(max_rounds, False, time.perf_counter() - started, work, unsettled)
    finally:
        await container.http_client().aclose()
        await container.engine().dispose()


def _work_of(results: dict[str, Any]) -> dict[str, int]:
    reconcile, unmatched = results.get("reconcile"), results.get("unmatched")
    failed = sum(1 for r in results.values() if isinstance(r, str) and r.startswith("failed"))
    work = {"job failures": failed}
    if reconcile is not None and not isinstance(reconcile, str):
        work.update(
            {
                "reconciled paid": reconcile.paid,
                "reconciled failed": reconcile.failed,
                "refunds retried": reconcile.refunds_retried,
                "unresolved": reconcile.unresolved,
            }
        )
    if isinstance(unmatched, list):
        work["unmatched refunded"] = len(unmatched)
    return work

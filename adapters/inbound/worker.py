"""`gonggu worker`: the background jobs — reconcile payments, retry refunds, refund orders no
group took, relay events to RabbitMQ, forget expired idempotency keys."""

from __future__ import annotations

import asyncio
import logging
import signal
import time
from collections.abc import Awaitable, Callable
from typing import Any

from adapters.observability.metrics import WORKER_JOB_RUNS, WORKER_JOB_SECONDS

log = logging.getLogger("gonggu.worker")


async def run_jobs_once(container: Any) -> dict[str, Any]:
    """Runs every job once; a failing job is logged and does not stop the others."""
    jobs: dict[str, Callable[[], Awaitable[Any]]] = {
        "reconcile": lambda: container.reconcile_payments().execute(),
        "unmatched": lambda: container.refund_unmatched_orders().execute(),
        "idempotency": lambda: container.idempotency_store().purge_expired(container.clock().now()),
    }
    if container.settings().rabbitmq_url:
        jobs["relay"] = lambda: container.relay_events().execute()
    results: dict[str, Any] = {}
    for name, job in jobs.items():
        started, outcome = time.perf_counter(), "ok"
        try:
            results[name] = await job()
        except Exception as exc:  # a job's failure must not stop the worker
            log.exception("job %s failed", name)
            results[name] = f"failed: {exc!r}"
            outcome = "failed"
        finally:
            WORKER_JOB_SECONDS.labels(job=name).observe(time.perf_counter() - started)
            WORKER_JOB_RUNS.labels(job=name, outcome=outcome).inc()
    log.info("jobs done: %s; metrics: %s", results, dict(container.alerts().counters))
    return results


WAITS_SAFELY = frozenset({"relay"})
"""Jobs whose failure loses nothing: with the broker down the events wait in the outbox."""


def failed_jobs(results: dict[str, Any]) -> list[str]:
    """The jobs of one run that raised (their result is the `failed: ...` line) and whose
    failure leaves money or state unattended (a refund not retried, a payment not asked)."""
    return [
        name
        for name, result in results.items()
        if name not in WAITS_SAFELY and isinstance(result, str) and result.startswith("failed: ")
    ]


async def run_worker(container: Any, *, once: bool, interval_s: float) -> dict[str, Any]:
    """Runs the jobs until stopped (or once); answers the last run's results."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        while True:
            results = await run_jobs_once(container)
            if once:
                return results
            try:
                await asyncio.wait_for(stop.wait(), timeout=interval_s)
                return results
            except TimeoutError:
                continue
    finally:
        publisher = container.event_publisher()
        if publisher is not None:
            await publisher.close()
        await container.http_client().aclose()
        await container.engine().dispose()

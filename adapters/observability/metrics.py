"""gonggu's own Prometheus metrics (the HTTP ones come from Litestar's Prometheus middleware).

With PROMETHEUS_MULTIPROC_DIR set before the process starts, prometheus-client keeps every
value in files in that directory and `GET /metrics` sums every process's files, so two
service processes and a worker on one host answer as one.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

PLATFORM_CALLS = Counter(
    "gonggu_platform_calls_total",
    "Calls to a payment platform, by platform, operation and outcome (ok, refused, unknown)",
    ["platform", "operation", "outcome"],
)
PLATFORM_CALL_SECONDS = Histogram(
    "gonggu_platform_call_duration_seconds",
    "How long a payment platform took to answer, by platform, operation and outcome",
    ["platform", "operation", "outcome"],
    buckets=LATENCY_BUCKETS,
)
ORDERS = Counter(
    "gonggu_orders_total",
    "Orders placed, paid, failed and refunded, by platform (from the committed domain events)",
    ["platform", "event"],
)
ORPHAN_PAYMENTS = Counter(
    "gonggu_orphan_payments_total",
    "Money a platform took that no pending order owns, recorded for a refund",
    ["platform"],
)
REFUNDS_OVERDUE_ALERTS = Counter(
    "gonggu_refund_overdue_alerts_total",
    "Times the worker found a refund still not done past GONGGU_REFUND_ALERT_AFTER_S",
)
GROUPS = Counter(
    "gonggu_groups_total", "Groups matched, expired and ready for settlement", ["event"]
)
WORKER_JOB_RUNS = Counter(
    "gonggu_worker_job_runs_total",
    "Worker job runs, by job and outcome (ok, failed)",
    ["job", "outcome"],
)
WORKER_JOB_SECONDS = Histogram(
    "gonggu_worker_job_duration_seconds",
    "How long one run of a worker job took",
    ["job"],
    buckets=LATENCY_BUCKETS,
)

"""gonggu's Prometheus metrics. The `gonggu_http_*` ones are recorded by
`adapters.inbound.http.observability.HttpMetricsMiddleware`, under the names, help texts and
labels Litestar's Prometheus plugin gives them.

With PROMETHEUS_MULTIPROC_DIR set before the process starts, prometheus-client keeps every
value in files in that directory and `GET /metrics` sums every process's files, so two
service processes and a worker on one host answer as one.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

HTTP_LABELS = ["method", "path", "status_code", "app_name"]  # path: the route's template
HTTP_REQUESTS = Counter("gonggu_http_requests_total", "Total requests", HTTP_LABELS)
HTTP_REQUEST_SECONDS = Histogram(
    "gonggu_http_request_duration_seconds",
    "Request duration, in seconds",
    HTTP_LABELS,
    buckets=LATENCY_BUCKETS,
)
HTTP_IN_PROGRESS = Gauge(
    "gonggu_http_requests_in_progress",
    "Total requests currently in progress",
    HTTP_LABELS,
    multiprocess_mode="livesum",
)
HTTP_ERRORS = Counter("gonggu_http_requests_error_total", "Total errors in requests", HTTP_LABELS)

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

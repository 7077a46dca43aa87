"""`/health/live`, `/health/ready`, `/metrics` (Litestar's Prometheus controller plus the
money gauges, read from the database at scrape time) and the middleware that counts and times
every request."""

from __future__ import annotations

import os
import time
from typing import Any

from litestar import Request, Response, get
from litestar.logging.config import LoggingConfig
from litestar.plugins.prometheus import PrometheusController
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily

from adapters.inbound.http.envelope import failure, ok
from adapters.inbound.http.service_guard import service_only
from adapters.observability.metrics import (
    HTTP_ERRORS,
    HTTP_IN_PROGRESS,
    HTTP_REQUEST_SECONDS,
    HTTP_REQUESTS,
)
from domain.pay_type import PayType

APP_NAME = "gonggu"
UNCOUNTED_PREFIX = "/health"  # probes would drown the service's own traffic
PLATFORMS = [p.value for p in PayType]
LITESTAR_LOGGING = LoggingConfig(
    # Litestar's default would replace the root logger's handler with its own plain format.
    # Unexpected errors are logged once, by errors.py's handler; handled ones are not errors.
    configure_root_logger=False,
    disable_existing_loggers=False,
    log_exceptions="never",
    loggers={"litestar": {"level": "INFO", "handlers": [], "propagate": True}},
)


class HttpMetricsMiddleware:
    """Counts and times every request by method, route template and status, under the names
    and labels of Litestar's Prometheus middleware, which this replaces.

    Plain ASGI, and each label combination's series is looked up once per process: Litestar's
    middleware built a `Request`, a wrapped `send` and four label lookups on every request.
    What it recorded is kept as it was: the duration runs until the last body message (0 when
    an exception, answered further out, sent none), and the status is the one the route's
    stack sent, 200 until then; requests in progress carry status 200.

    Placed among the route middleware (after routing), where `path_template` is known."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._in_progress: dict[tuple[str, str], Any] = {}
        self._finished: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"].startswith(UNCOUNTED_PREFIX):
            await self.app(scope, receive, send)
            return
        # A websocket has no method: Litestar's label was its scope type.
        method = str(scope.get("method") or scope["type"])
        route = scope["path_template"]
        started = time.perf_counter()
        status, duration = 200, 0.0

        async def measured_send(message: Message) -> None:
            nonlocal status, duration
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                duration = time.perf_counter() - started
            await send(message)

        in_progress = self._in_progress.get((method, route))
        if in_progress is None:
            in_progress = HTTP_IN_PROGRESS.labels(method, route, 200, APP_NAME)
            self._in_progress[method, route] = in_progress
        in_progress.inc()
        try:
            await self.app(scope, receive, measured_send)
        finally:
            in_progress.dec()
            if status >= 500:
                HTTP_ERRORS.labels(method, route, status, APP_NAME).inc()
            count, seconds = self._series(method, route, status)
            count.inc()
            seconds.observe(duration)

    def _series(self, method: str, route: str, status: int) -> tuple[Any, Any]:
        key = (method, route, status)
        found = self._finished.get(key)
        if found is None:
            found = (
                HTTP_REQUESTS.labels(method, route, status, APP_NAME),
                HTTP_REQUEST_SECONDS.labels(method, route, status, APP_NAME),
            )
            self._finished[key] = found
        return found


def forget_process_metrics() -> None:
    """On shutdown in multiprocess mode: this process's live gauges stop counting."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]


@get("/health/live", operation_id="healthLive", include_in_schema=False)
async def health_live() -> Any:
    """The process answers."""
    return ok({"status": "live"})


@get("/health/ready", operation_id="healthReady", include_in_schema=False)
async def health_ready(request: Request[Any, Any, Any]) -> Any:
    """The database answers at the newest schema and RabbitMQ (when configured) too."""
    problems = await request.app.state.container.readiness().problems()
    if problems:
        return failure(503, "; ".join(problems), data={"status": "not ready", "problems": problems})
    return ok({"status": "ready"})


class _MoneyGauges:
    """Gauges of this one scrape: nothing is written to the multiprocess directory."""

    def __init__(self, gauges: Any | None) -> None:
        self._gauges = gauges

    def collect(self) -> Any:
        up = GaugeMetricFamily("gonggu_database_up", "Whether the money gauges could be read")
        up.add_metric([], 0 if self._gauges is None else 1)
        yield up
        if self._gauges is None:
            return
        for name, doc, values in (
            ("gonggu_payments_waiting", "Payments waiting on a platform", self._gauges.waiting),
            ("gonggu_refunds_pending", "Refunds not confirmed yet", self._gauges.refunds_pending),
            (
                "gonggu_refunds_overdue",
                "Refunds pending longer than GONGGU_REFUND_ALERT_AFTER_S",
                self._gauges.refunds_overdue,
            ),
        ):
            family = GaugeMetricFamily(name, doc, labels=["platform"])
            for platform in sorted({*PLATFORMS, *values}):
                family.add_metric([platform], values.get(platform, 0))
            yield family


class MetricsController(PrometheusController):
    path = "/metrics"
    guards = [service_only]
    include_in_schema = False

    @get(operation_id="metrics", include_in_schema=False)
    async def get(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        answer = await super().get.fn(self)  # every process's counters and histograms
        container = request.app.state.container
        try:
            gauges = await container.operator_queries().gauges(container.clock().now())
        except Exception:
            gauges = None
        registry = CollectorRegistry(auto_describe=False)
        registry.register(_MoneyGauges(gauges))
        return Response(
            bytes(answer.content) + generate_latest(registry),
            status_code=200,
            media_type=answer.headers.get("content-type") or "text/plain",
        )

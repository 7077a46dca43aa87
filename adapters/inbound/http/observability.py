"""`/health/live`, `/health/ready` and `/metrics` (Litestar's Prometheus controller plus the
money gauges, read from the database at scrape time)."""

from __future__ import annotations

import os
from typing import Any

from litestar import Request, Response, get
from litestar.logging.config import LoggingConfig
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController
from prometheus_client import CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily

from adapters.inbound.http.envelope import failure, ok
from adapters.inbound.http.service_guard import service_only
from adapters.observability.metrics import LATENCY_BUCKETS
from domain.pay_type import PayType

PROMETHEUS = PrometheusConfig(
    app_name="gonggu",
    prefix="gonggu_http",
    group_path=True,  # the route template, not the path: one series per endpoint
    buckets=list(LATENCY_BUCKETS),
    exclude=["^/health"],
)
PLATFORMS = [p.value for p in PayType]
LITESTAR_LOGGING = LoggingConfig(
    # Litestar's default would replace the root logger's handler with its own plain format.
    # Unexpected errors are logged once, by errors.py's handler; handled ones are not errors.
    configure_root_logger=False,
    disable_existing_loggers=False,
    log_exceptions="never",
    loggers={"litestar": {"level": "INFO", "handlers": [], "propagate": True}},
)


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

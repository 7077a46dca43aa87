"""A refund still not done past GONGGU_REFUND_ALERT_AFTER_S: the worker's run logs one
"refund overdue" line with the order's id, counts the alert and times its job; the overdue
gauge, `gonggu stuck` and the console all say overdue."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import structlog

from adapters.config import Settings
from adapters.observability.logs import configure_logging
from tests.e2e.shop import Shop
from tests.faults.support import run_worker_once
from tests.ops.metrics_text import sample
from tests.support.live_server import LiveServer

KAKAO = {"platform": "KAKAO_PAY"}


@pytest.fixture
def settings(database_url: str, sandbox_server: LiveServer) -> Settings:
    """Refunds are overdue at once and retried without waiting."""
    return Settings(
        database_url=database_url,
        public_base_url="http://testserver.local",
        payments_mode="sandbox",
        sandbox_url=sandbox_server.url,
        platform_timeout_s=2.0,
        reconcile_after_s=0.0,
        refund_retry_base_s=0.0,
        refund_retry_max_s=0.0,
        refund_alert_after_s=0.0,
    )


@pytest.fixture
def stderr_lines(capsys: pytest.CaptureFixture[str]) -> Iterator[Any]:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    configure_logging("json")
    try:
        yield lambda: [json.loads(x) for x in capsys.readouterr().err.splitlines() if x.strip()]
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
        structlog.reset_defaults()


def test_an_overdue_refund_is_logged_counted_and_shown(
    shop: Shop, settings: Settings, stderr_lines: Any
) -> None:
    product = shop.product(price=8_000)
    orders = [shop.paid_order(shop.user(n), product["id"], min_share=2) for n in ("a", "b")]
    assert shop.match(2, orders).status_code == 200
    shop.arm("kakaopay", "cancel", "error", times=10, status=400)
    assert shop.expire(2).status_code == 502
    before = shop.client.get("/metrics").text

    report = run_worker_once(settings)
    after = shop.client.get("/metrics").text

    assert report["reconcile"].alerts == 2
    overdue = [line for line in stderr_lines() if line["event"].startswith("refund overdue")]
    assert sorted(line["orderId"] for line in overdue) == sorted(orders)
    assert {line["level"] for line in overdue} == {"error"}
    alerts = "gonggu_refund_overdue_alerts_total"
    assert sample(after, alerts) - sample(before, alerts) == 2
    runs = {"job": "reconcile", "outcome": "ok"}
    assert (
        sample(after, "gonggu_worker_job_runs_total", **runs)
        - sample(before, "gonggu_worker_job_runs_total", **runs)
        == 1
    )
    assert sample(after, "gonggu_worker_job_duration_seconds_count", job="reconcile") > 0
    assert sample(after, "gonggu_refunds_overdue", **KAKAO) == 2
    console = shop.client.get("/ops/").text
    assert console.count("(overdue)") == 2

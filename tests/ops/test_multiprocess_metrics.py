"""Two service processes and a worker sharing PROMETHEUS_MULTIPROC_DIR answer `/metrics` as
one: either process reports what both did, and the worker's job runs too (PostgreSQL)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.e2e.shop import Shop
from tests.load.stack import process
from tests.ops.metrics_text import sample
from tests.support.databases import truncate_all
from tests.support.live_server import LiveServer, free_port

pytestmark = pytest.mark.postgres


@pytest.fixture
def two_services(
    postgres_url: str, sandbox_server: LiveServer, tmp_path: Path
) -> Iterator[tuple[list[str], dict[str, str]]]:
    truncate_all(postgres_url)
    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    ports = [free_port(), free_port()]
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGGU_")}
    env.update(
        {
            "GONGGU_DATABASE_URL": postgres_url,
            "GONGGU_PUBLIC_BASE_URL": f"http://127.0.0.1:{ports[0]}",
            "GONGGU_PAYMENTS_MODE": "sandbox",
            "GONGGU_SANDBOX_URL": sandbox_server.url,
            "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        }
    )
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    with contextlib.ExitStack() as stack:
        for port, url in zip(ports, urls, strict=True):
            command = [sys.executable, "-m", "tests.load.serve", "service", "--port", str(port)]
            stack.enter_context(
                process(command, env, tmp_path / f"service-{port}.log", f"{url}/health/live")
            )
        yield urls, env


def test_either_process_reports_what_both_did_and_the_worker_ran(
    two_services: tuple[list[str], dict[str, str]],
    sandbox: httpx.Client,
    sandbox_server: LiveServer,
) -> None:
    urls, env = two_services
    with httpx.Client(base_url=urls[0]) as first, httpx.Client(base_url=urls[1]) as second:
        shop_a = Shop(first, sandbox, sandbox_server.url)  # type: ignore[arg-type]
        shop_b = Shop(second, sandbox, sandbox_server.url)  # type: ignore[arg-type]
        product = shop_a.product()
        shop_a.paid_order(shop_a.user("a"), product["id"])
        shop_b.placed(shop_b.user("b"), product["id"])
        worker = subprocess.run(
            [sys.executable, "-m", "adapters.inbound.cli", "worker", "--once"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert worker.returncode == 0, worker.stderr
        scrapes = [first.get("/metrics").text, second.get("/metrics").text]

    for text in scrapes:
        kakao = {"platform": "KAKAO_PAY"}
        assert sample(text, "gonggu_orders_total", event="placed", **kakao) == 2
        assert sample(text, "gonggu_orders_total", event="paid", **kakao) == 1
        assert sample(text, "gonggu_platform_calls_total", operation="checkout", **kakao) == 2
        execute = {"path": "/api/v1/order/execute", "method": "POST", "status_code": "200"}
        assert sample(text, "gonggu_http_requests_total", **execute) == 2
        assert sample(text, "gonggu_worker_job_runs_total", job="reconcile", outcome="ok") == 1
        assert sample(text, "gonggu_payments_waiting", **kakao) == 1

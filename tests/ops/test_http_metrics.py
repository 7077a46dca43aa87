"""The HTTP series of `/metrics`: one per method, route template and status; 5xx answers also
counted as errors; nothing left in progress once answered; the health probes not counted."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from litestar import get
from litestar.params import FromPath
from litestar.testing import TestClient

from adapters.config import Settings
from bootstrap import build_container, create_app
from tests.ops.metrics_text import sample


@get("/api/v1/test-metrics/{kind:str}", include_in_schema=False)
async def answer_with(kind: FromPath[str]) -> dict[str, str]:
    if kind == "broken":
        raise RuntimeError("a bug")
    return {"kind": kind}


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient[Any]]:
    with TestClient(create_app(build_container(settings), [answer_with])) as client:
        yield client


def test_series_by_route_template_and_status_with_errors_counted(
    client: TestClient[Any],
) -> None:
    before = client.get("/metrics").text
    for kind in ("a", "b", "broken"):
        client.get(f"/api/v1/test-metrics/{kind}")
    for _ in range(3):
        client.get("/health/live")
    after = client.get("/metrics").text

    def delta(name: str, **labels: str) -> float:
        return sample(after, name, **labels) - sample(before, name, **labels)

    route = {"method": "GET", "path": "/api/v1/test-metrics/{kind}", "app_name": "gonggu"}
    assert delta("gonggu_http_requests_total", status_code="200", **route) == 2
    assert delta("gonggu_http_requests_total", status_code="500", **route) == 1
    assert delta("gonggu_http_request_duration_seconds_count", status_code="200", **route) == 2
    assert delta("gonggu_http_request_duration_seconds_sum", status_code="200", **route) > 0
    assert delta("gonggu_http_requests_error_total", status_code="500", **route) == 1
    assert delta("gonggu_http_requests_error_total", status_code="200", **route) == 0
    assert sample(after, "gonggu_http_requests_in_progress", **route) == 0
    assert sample(after, "gonggu_http_requests_total", path="/health/live") == 0

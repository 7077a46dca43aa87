"""`make bench-lifecycle` at CI size: for correctness only, never a timed assertion."""

from __future__ import annotations

import pytest

from tests.load.bench_lifecycle import BenchOptions, render, run

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def test_a_tiny_benchmark_completes_every_lifecycle_and_reports_every_figure() -> None:
    options = BenchOptions(
        lifecycles=6, inserts=12, rounds=2, clients=3, workers=(1, 2), count=2, warm_up=3
    )

    result = run(options)

    assert result.failures == []
    summary = result.summary()
    assert [c["workers"] for c in summary["configurations"]] == [1, 2]
    for config in summary["configurations"]:
        assert config["lifecycles"] == 12
        assert len(config["rounds"]) == len(config["reference_rounds"]) == 2
        assert set(config["latency_ms"]) == {"execute", "platform page", "approval", "lifecycle"}
        assert 0.99 <= sum(config["cpu_share_per_process"]) <= 1.01
        for key in (
            "lifecycles_per_s",
            "ratio_to_reference",
            "cpu_ms_per_lifecycle",
            "generator_cpu_ms_per_lifecycle",
            "reference_cpu_ms_per_insert",
            "database_cpu_ms_per_lifecycle",
            "speedup_vs_1_process",
        ):
            assert config[key] > 0, key
        assert 0 < config["machine_busy_share"] <= 1.0
    assert summary["per_lifecycle"]["lifecycles"] == 2
    assert summary["per_lifecycle"]["statements"] > 0
    assert "lifecycles/s" in render(summary)
    assert "PostgreSQL" in render(summary)

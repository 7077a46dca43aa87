"""The lifecycle benchmark (issue 8): `make bench-lifecycle`.

    python -m tests.load.bench_lifecycle [--lifecycles 400] [--inserts 2000] [--rounds 2]
        [--clients 32] [--workers 1 2] [--count 20] [--json PATH]

Starts, on free loopback ports, a fast KakaoPay (tests/load/fast_kakaopay.py), the reference
app (tests/load/reference_app.py) on its own fresh PostgreSQL database and, for each
`--workers` value, `gonggu serve --workers N` on a fresh database. Then A B A B: a round of
lifecycles against gonggu, a round of inserts against the reference, `--rounds` times. A
counting pass runs `--count` lifecycles one at a time through a PostgreSQL protocol proxy.
Prints the report; exits 1 if any lifecycle or insert failed. Figures on a shared machine are
noisy: the ratio to the reference measured in the same run is the figure that counts.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from adapters.config import SANDBOX_KAKAOPAY_SECRET_KEY
from tests.load.cpu import (
    children_cpu_seconds,
    command_cpu_seconds,
    machine_busy_seconds,
    own_cpu_seconds,
    tree_cpu_seconds,
)
from tests.load.lifecycle_driver import (
    Tally,
    Target,
    run_inserts,
    run_lifecycles,
    setup_catalog,
)
from tests.load.pg_counter import counting_proxy
from tests.load.stack import process, temporary_database
from tests.support.live_server import free_port

WARM_UP = 32


@dataclass(frozen=True)
class BenchOptions:
    lifecycles: int = 400
    inserts: int = 2000
    rounds: int = 2
    clients: int = 32
    workers: tuple[int, ...] = (1, 2)
    count: int = 20
    warm_up: int = WARM_UP


@dataclass
class Phase:
    """One timed round against one app."""

    tally: Tally
    cpu_s: float  # the app's processes
    platform_cpu_s: float
    generator_cpu_s: float
    children_cpu_s: list[float] = field(default_factory=list)  # per worker process, busiest first
    database_cpu_s: float = 0.0  # every PostgreSQL server process
    machine_busy_s: float = 0.0  # all cores, whatever ran
    wall_s: float = 0.0  # the window machine_busy_s was read over

    @property
    def rate(self) -> float:
        return self.tally.completed / self.tally.seconds if self.tally.seconds else 0.0


@dataclass
class Configuration:
    workers: int
    gonggu: list[Phase] = field(default_factory=list)
    reference: list[Phase] = field(default_factory=list)


@dataclass
class BenchResult:
    options: BenchOptions
    configurations: list[Configuration]
    counted: dict[str, float]
    failures: list[str]

    def summary(self) -> dict[str, Any]:
        """The report's figures, as the JSON of `--json` holds them."""
        configurations = []
        for config in self.configurations:
            lifecycles = sum(p.tally.completed for p in config.gonggu)
            inserts = sum(p.tally.completed for p in config.reference)
            rate = _rate(config.gonggu)
            reference = _rate(config.reference)
            configurations.append(
                {
                    "workers": config.workers,
                    "lifecycles": lifecycles,
                    "lifecycles_per_s": round(rate, 1),
                    "reference_inserts_per_s": round(reference, 1),
                    "ratio_to_reference": round(rate / reference, 3) if reference else 0.0,
                    # Each lifecycle round against the reference round right after it.
                    "round_ratios": [
                        round(a.rate / b.rate, 3) if b.rate else 0.0
                        for a, b in zip(config.gonggu, config.reference, strict=True)
                    ],
                    "rounds": [round(p.rate, 1) for p in config.gonggu],
                    "reference_rounds": [round(p.rate, 1) for p in config.reference],
                    "latency_ms": {
                        step: _percentiles(
                            [v for p in config.gonggu for v in p.tally.latencies[step]]
                        )
                        for step in ("execute", "platform page", "approval", "lifecycle")
                    },
                    "reference_latency_ms": _percentiles(
                        [v for p in config.reference for v in p.tally.latencies["insert"]]
                    ),
                    "cpu_ms_per_lifecycle": _per(config.gonggu, "cpu_s", lifecycles),
                    "platform_cpu_ms_per_lifecycle": _per(
                        config.gonggu, "platform_cpu_s", lifecycles
                    ),
                    "generator_cpu_ms_per_lifecycle": _per(
                        config.gonggu, "generator_cpu_s", lifecycles
                    ),
                    "database_cpu_ms_per_lifecycle": _per(
                        config.gonggu, "database_cpu_s", lifecycles
                    ),
                    "machine_busy_share": _busy(config.gonggu),
                    "reference_cpu_ms_per_insert": _per(config.reference, "cpu_s", inserts),
                    "cpu_share_per_process": _shares(config.gonggu),
                    "generator_cpu_ms_per_insert": _per(
                        config.reference, "generator_cpu_s", inserts
                    ),
                }
            )
        one = next((c for c in configurations if c["workers"] == 1), None)
        for config in configurations:
            if one is not None and one["lifecycles_per_s"]:
                config["speedup_vs_1_process"] = round(
                    config["lifecycles_per_s"] / one["lifecycles_per_s"], 2
                )
        return {
            "clients": self.options.clients,
            "configurations": configurations,
            "per_lifecycle": self.counted,
            "failures": len(self.failures),
        }


def run(options: BenchOptions, admin_database_url: str | None = None) -> BenchResult:
    """Runs the whole benchmark; every process it starts is stopped, every database dropped."""
    with (
        tempfile.TemporaryDirectory(prefix="gonggu-bench-") as logs,
        contextlib.ExitStack() as stack,
    ):
        log_dir = Path(logs)
        env = base_environ()
        platform_port = free_port()
        platform = stack.enter_context(
            process(
                [sys.executable, "-m", "tests.load.fast_kakaopay", "--port", str(platform_port)],
                env,
                log_dir / "platform.log",
                ready=f"http://127.0.0.1:{platform_port}/",
            )
        )
        reference_port = free_port()
        reference_db = stack.enter_context(temporary_database())
        reference = stack.enter_context(
            process(
                [
                    sys.executable,
                    "-m",
                    "tests.load.reference_app",
                    "--port",
                    str(reference_port),
                    "--database-url",
                    reference_db,
                ],
                env,
                log_dir / "reference.log",
                ready=f"http://127.0.0.1:{reference_port}/",
            )
        )
        platform_url = f"http://127.0.0.1:{platform_port}"
        targets = _Targets(
            platform=Target.of(platform_url),
            reference=Target.of(f"http://127.0.0.1:{reference_port}"),
            platform_pid=platform.pid,
            reference_pid=reference.pid,
        )
        failures: list[str] = []
        configurations = []
        for workers in options.workers:
            with _gonggu(workers, platform_url, env, log_dir) as (url, pid):
                config = asyncio.run(_rounds(options, targets, Target.of(url), pid, workers))
            configurations.append(config)
            for phase in (*config.gonggu, *config.reference):
                failures.extend(phase.tally.failures)
        counted = _count(options, platform_url, env, log_dir)
        failures.extend(counted.pop("failures_list", []))  # type: ignore[arg-type]
        return BenchResult(options, configurations, counted, failures)


@dataclass(frozen=True)
class _Targets:
    platform: Target
    reference: Target
    platform_pid: int
    reference_pid: int


async def _rounds(
    options: BenchOptions, targets: _Targets, service: Target, pid: int, workers: int
) -> Configuration:
    users, product = await setup_catalog(service, options.clients)
    config = Configuration(workers)
    # Warm-up: connections, prepared statements, the reference's table.
    await run_lifecycles(service, targets.platform, users, product, options.warm_up)
    await run_inserts(targets.reference, options.clients, options.warm_up)
    for _ in range(options.rounds):
        config.gonggu.append(
            await _measured(
                run_lifecycles(service, targets.platform, users, product, options.lifecycles),
                pid,
                targets.platform_pid,
            )
        )
        config.reference.append(
            await _measured(
                run_inserts(targets.reference, options.clients, options.inserts),
                targets.reference_pid,
                targets.platform_pid,
            )
        )
    return config


async def _measured(work: Any, pid: int, platform_pid: int) -> Phase:
    app, platform = tree_cpu_seconds(pid), tree_cpu_seconds(platform_pid)
    generator, children = own_cpu_seconds(), children_cpu_seconds(pid)
    database, machine = command_cpu_seconds("postgres"), machine_busy_seconds()
    started = time.perf_counter()
    tally = await work
    after = children_cpu_seconds(pid)
    return Phase(
        database_cpu_s=command_cpu_seconds("postgres") - database,
        machine_busy_s=machine_busy_seconds() - machine,
        wall_s=time.perf_counter() - started,
        children_cpu_s=sorted((after[c] - children.get(c, 0.0) for c in after), reverse=True),
        tally=tally,
        cpu_s=tree_cpu_seconds(pid) - app,
        platform_cpu_s=tree_cpu_seconds(platform_pid) - platform,
        generator_cpu_s=own_cpu_seconds() - generator,
    )


def _count(
    options: BenchOptions, platform_url: str, env: dict[str, str], log_dir: Path
) -> dict[str, Any]:
    """Statements, round trips and transactions per lifecycle, one lifecycle at a time."""
    platform = Target.of(platform_url)
    with temporary_database() as database_url:
        url = make_url(database_url)
        with counting_proxy(url.host or "127.0.0.1", url.port or 5432) as (port, counts):
            proxied = url.set(host="127.0.0.1", port=port).render_as_string(hide_password=False)
            with _gonggu(1, platform_url, env, log_dir, database_url=proxied) as (service_url, _):
                service = Target.of(service_url)

                async def counted() -> tuple[Tally, tuple[int, int, int]]:
                    users, product = await setup_catalog(service, 1)
                    await run_lifecycles(service, platform, users, product, 3)  # connect, prepare
                    before = (counts.statements, counts.round_trips, counts.transactions)
                    return await run_lifecycles(
                        service, platform, users, product, options.count
                    ), before

                tally, before = asyncio.run(counted())
    done = max(tally.completed, 1)
    return {
        "lifecycles": tally.completed,
        "statements": round((counts.statements - before[0]) / done, 1),
        "round_trips": round((counts.round_trips - before[1]) / done, 1),
        "transactions": round((counts.transactions - before[2]) / done, 1),
        "failures_list": tally.failures,
    }


@contextlib.contextmanager
def _gonggu(
    workers: int,
    platform_url: str,
    env: dict[str, str],
    log_dir: Path,
    database_url: str | None = None,
) -> Iterator[tuple[str, int]]:
    """`gonggu serve` (live payments against the fast KakaoPay), on a fresh database."""
    with contextlib.ExitStack() as stack:
        url = database_url or stack.enter_context(temporary_database())
        port = free_port()
        service_url = f"http://127.0.0.1:{port}"
        service_env = gonggu_environment(env, platform_url, url, service_url)
        command = [sys.executable, "-m", "adapters.inbound.cli", "serve", "--port", str(port)]
        if workers != 1:
            command += ["--workers", str(workers)]
        served = stack.enter_context(
            process(
                command,
                service_env,
                log_dir / f"gonggu-{workers}.log",
                ready=f"{service_url}/api/v1/product/0",
            )
        )
        yield service_url, served.pid


def gonggu_environment(
    env: dict[str, str], platform_url: str, database_url: str, service_url: str
) -> dict[str, str]:
    """`gonggu serve`'s settings: live KakaoPay payments against the fast KakaoPay."""
    return {
        **env,
        "GONGGU_ENV": "development",
        "GONGGU_AUTH_MODE": "test",
        "GONGGU_DATABASE_URL": database_url,
        "GONGGU_PUBLIC_BASE_URL": service_url,
        "GONGGU_PAYMENTS_MODE": "live",
        "GONGGU_KAKAOPAY_BASE_URL": f"{platform_url}/kakaopay",
        "GONGGU_KAKAOPAY_SECRET_KEY": SANDBOX_KAKAOPAY_SECRET_KEY,
        "GONGGU_LOG_REQUESTS": "false",
    }


def base_environ() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGGU_")}
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _rate(phases: list[Phase]) -> float:
    seconds = sum(p.tally.seconds for p in phases)
    return sum(p.tally.completed for p in phases) / seconds if seconds else 0.0


def _per(phases: list[Phase], attribute: str, count: int) -> float:
    return round(sum(getattr(p, attribute) for p in phases) * 1000 / count, 2) if count else 0.0


def _busy(phases: list[Phase]) -> float:
    """How much of the machine's cores the lifecycle rounds kept busy, all processes counted:
    what is left over is all that more gonggu processes could take."""
    capacity = sum(p.wall_s for p in phases) * (os.cpu_count() or 1)
    if not capacity:
        return 0.0
    # /proc/stat counts in clock ticks (10 ms): over a short round a saturated machine can
    # read a tick or two above its capacity.
    return round(min(1.0, sum(p.machine_busy_s for p in phases) / capacity), 2)


def _shares(phases: list[Phase]) -> list[float]:
    """How the gonggu CPU split over the processes (the children of `serve --workers N`, or
    the one `serve` process, whose only child is multiprocessing's resource tracker)."""
    per_child = [sum(values) for values in zip(*(p.children_cpu_s for p in phases), strict=False)]
    total = sum(per_child)
    if len(per_child) < 2 or not total:
        return [1.0]
    return [round(v / total, 2) for v in per_child if v / total >= 0.01]


def _percentiles(values: list[float]) -> dict[str, float]:
    if len(values) < 2:
        return {"p50": round(values[0] * 1000, 1) if values else 0.0, "p99": 0.0}
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {"p50": round(cuts[49] * 1000, 1), "p99": round(cuts[98] * 1000, 1)}


def render(summary: dict[str, Any]) -> str:
    lines = [f"KakaoPay lifecycles, {summary['clients']} concurrent clients, PostgreSQL"]
    for c in summary["configurations"]:
        lines.append("")
        lines.append(
            f"gonggu serve --workers {c['workers']}: {c['lifecycles_per_s']} lifecycles/s "
            f"(rounds {c['rounds']}); reference {c['reference_inserts_per_s']} inserts/s "
            f"(rounds {c['reference_rounds']}); ratio {c['ratio_to_reference']} "
            f"(per round {c['round_ratios']})"
            + (f"; {c['speedup_vs_1_process']}x one process" if "speedup_vs_1_process" in c else "")
        )
        for step, cut in c["latency_ms"].items():
            lines.append(f"  {step:<14} p50 {cut['p50']:>7} ms   p99 {cut['p99']:>7} ms")
        ref = c["reference_latency_ms"]
        lines.append(f"  {'reference':<14} p50 {ref['p50']:>7} ms   p99 {ref['p99']:>7} ms")
        lines.append(
            f"  CPU per lifecycle: gonggu {c['cpu_ms_per_lifecycle']} ms "
            f"(share per process {c['cpu_share_per_process']}), fast KakaoPay "
            f"{c['platform_cpu_ms_per_lifecycle']} ms, load generator "
            f"{c['generator_cpu_ms_per_lifecycle']} ms; reference "
            f"{c['reference_cpu_ms_per_insert']} ms per insert "
            f"(generator {c['generator_cpu_ms_per_insert']} ms)"
        )
        lines.append(
            f"  PostgreSQL {c['database_cpu_ms_per_lifecycle']} ms of CPU per lifecycle; the "
            f"machine's {os.cpu_count()} cores {round(c['machine_busy_share'] * 100)}% busy "
            "during the lifecycle rounds"
        )
    counted = summary["per_lifecycle"]
    lines.append("")
    lines.append(
        f"per lifecycle ({counted['lifecycles']} counted one at a time through a protocol proxy): "
        f"{counted['statements']} statements, {counted['round_trips']} round trips, "
        f"{counted['transactions']} transactions"
    )
    lines.append(f"failures: {summary['failures']}")
    return "\n".join(lines)


def parse_options(argv: Sequence[str] | None) -> tuple[BenchOptions, str | None]:
    parser = argparse.ArgumentParser(prog="python -m tests.load.bench_lifecycle")
    defaults = BenchOptions()
    parser.add_argument("--lifecycles", type=int, default=defaults.lifecycles)
    parser.add_argument("--inserts", type=int, default=defaults.inserts)
    parser.add_argument("--rounds", type=int, default=defaults.rounds)
    parser.add_argument("--clients", type=int, default=defaults.clients)
    parser.add_argument("--workers", type=int, nargs="+", default=list(defaults.workers))
    parser.add_argument("--count", type=int, default=defaults.count)
    parser.add_argument("--json", default=None, help="also write the figures to this file")
    args = parser.parse_args(argv)
    options = BenchOptions(
        lifecycles=args.lifecycles,
        inserts=args.inserts,
        rounds=args.rounds,
        clients=args.clients,
        workers=tuple(args.workers),
        count=args.count,
    )
    return options, args.json


def main(argv: Sequence[str] | None = None) -> int:
    options, json_path = parse_options(argv)
    result = run(options)
    summary = result.summary()
    print(render(summary))
    if json_path:
        Path(json_path).write_text(json.dumps(summary, indent=2))
    if result.failures:
        print(f"\nFAILED: {len(result.failures)}, e.g. {result.failures[:3]}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

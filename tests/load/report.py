"""The run's numbers as text: states, platforms, responses, latencies, sums and checks."""

from __future__ import annotations

from tests.load.converge import Convergence
from tests.load.driver import Drive
from tests.load.ledger import Ledger, state_counts
from tests.load.options import LoadOptions
from tests.load.recorder import Recorder, percentile

CLASSES = ("2xx", "3xx", "4xx", "5xx", "error")


def render(
    options: LoadOptions,
    drive: Drive,
    convergence: Convergence,
    ledger: Ledger,
    recorder: Recorder,
) -> str:
    lines: list[str] = []
    out = lines.append
    placed = sum(1 for p in drive.placed if p.order_id is not None)
    matched = sum(1 for g in drive.groups if g.matched)
    out(
        f"load: {options.orders} orders ({placed} placed), {len(drive.users)} users, "
        f"{matched} groups, concurrency {options.concurrency}, seed {options.seed}"
    )
    out(
        f"drive: {drive.seconds:.1f} s, {options.orders / max(drive.seconds, 1e-9):.1f} orders/s "
        f"(place, pay, group, confirm or expire)"
    )
    work = ", ".join(f"{k} {v}" for k, v in convergence.work.items() if v) or "nothing"
    out(
        f"worker: converged={convergence.converged} in {convergence.rounds} round(s), "
        f"{convergence.seconds:.1f} s, {convergence.unsettled} left unsettled ({work})"
    )
    states, by_platform = state_counts(ledger)
    out("\norders per state:")
    out("".join(f"  {state:<18} {count:>6}\n" for state, count in sorted(states.items())).rstrip())
    out("\norders per platform and state:")
    for pay_type in sorted({p for p, _ in by_platform}):
        row = ", ".join(f"{s} {c}" for (p, s), c in sorted(by_platform.items()) if p == pay_type)
        out(f"  {pay_type:<14} {row}")
    out("\nservice responses (platform pages: platform:*)")
    out(
        f"  {'kind':<18}"
        + "".join(f"{c:>7}" for c in CLASSES)
        + "   p50 ms   p90 ms   p99 ms   max ms"
    )
    for kind in sorted(recorder.statuses):
        counts = recorder.statuses[kind]
        times = recorder.latencies[kind]
        out(
            f"  {kind:<18}"
            + "".join(f"{counts.get(c, 0):>7}" for c in CLASSES)
            + "".join(f"{percentile(times, q) * 1000:>9.0f}" for q in (0.5, 0.9, 0.99, 1.0))
        )
    totals = recorder.totals()
    out(f"  {'all':<18}" + "".join(f"{totals.get(c, 0):>7}" for c in CLASSES))
    out("\nmoney (won):")
    for name, value in ledger.sums.items():
        out(f"  {name:<20} {value:>15,}")
    out("\nchecks:")
    for check in ledger.checks:
        out(
            f"  {'PASS' if check.ok else 'FAIL'}  {check.name}"
            + (f": {check.detail}" if check.detail else "")
        )
    return "\n".join(lines)

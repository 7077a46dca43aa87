"""Counts every response by kind and status class, and times them."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field


@dataclass
class Recorder:
    statuses: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    """kind of request -> status class ("2xx", "5xx", "error", ...) -> count."""
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    unexpected: list[str] = field(default_factory=list)
    """Service answers that the scenario did not expect, described for the report."""
    expiry_in_progress: list[str] = field(default_factory=list)
    """Expiries answered 502 only because another request was refunding the same members."""

    def record(self, kind: str, status: int | None, seconds: float) -> None:
        self.statuses[kind][f"{status // 100}xx" if status else "error"] += 1
        self.latencies[kind].append(seconds)

    def totals(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for counts in self.statuses.values():
            total.update(counts)
        return total


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[rank]

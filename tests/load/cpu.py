"""CPU seconds of a process and all its descendants, read from /proc (Linux)."""

from __future__ import annotations

import os
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pid: int) -> float:
    """user + system time of `pid` and every live descendant (uvicorn's worker processes)."""
    parents, times = _processes()
    tree, frontier = {pid}, [pid]
    while frontier:
        parent = frontier.pop()
        children = [child for child, ppid in parents.items() if ppid == parent]
        tree.update(children)
        frontier.extend(children)
    return sum(times.get(p, 0.0) for p in tree)


def children_cpu_seconds(pid: int) -> dict[int, float]:
    """CPU seconds of each direct child of `pid` (the worker processes of `serve --workers`)."""
    parents, times = _processes()
    return {child: times[child] for child, ppid in parents.items() if ppid == pid}


def _processes() -> tuple[dict[int, int], dict[int, float]]:
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may contain spaces: split after it.
        fields = stat[stat.rindex(")") + 2 :].split()
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / TICKS
    return parents, times


def own_cpu_seconds() -> float:
    """This process's CPU (the load generator's)."""
    return os.times().user + os.times().system

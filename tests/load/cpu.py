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


def command_cpu_seconds(command: str) -> float:
    """CPU seconds of every live process named `command` (PostgreSQL's server processes)."""
    return sum(seconds for name, _ppid, seconds in _stats().values() if name == command)


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine spent not idle, over all its cores (/proc/stat)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / TICKS


def _processes() -> tuple[dict[int, int], dict[int, float]]:
    stats = _stats()
    parents = {pid: ppid for pid, (_name, ppid, _seconds) in stats.items()}
    return parents, {pid: seconds for pid, (_name, _ppid, seconds) in stats.items()}


def _stats() -> dict[int, tuple[str, int, float]]:
    """Per live process: its command name, its parent, its user + system CPU seconds."""
    stats: dict[int, tuple[str, int, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may contain spaces: split after it.
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        stats[int(entry.name)] = (name, int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS)
    return stats


def own_cpu_seconds() -> float:
    """This process's CPU (the load generator's)."""
    return os.times().user + os.times().system

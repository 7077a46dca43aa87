"""`gonggu stuck` as a table for a terminal."""

from __future__ import annotations

from typing import Any

COLUMNS = ("what", "order", "platform", "state", "amount", "age", "attempts", "last error")


def _age(seconds: int) -> str:
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days}d{hours}h"
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{secs:02d}s"


def stuck_table(items: list[Any]) -> str:
    if not items:
        return "nothing is stuck: no payment waits on a platform, no refund or orphan is pending"
    rows = [
        (
            item.kind + (" (OVERDUE)" if item.overdue else ""),
            f"#{item.order_id}" if item.order_id is not None else f"orphan {item.orphan_id}",
            item.platform,
            item.state,
            f"{item.amount:,}",
            _age(item.age_s),
            str(item.attempts),
            (item.last_error or "")[:80],
        )
        for item in items
    ]
    widths = [max(len(r[i]) for r in [COLUMNS, *rows]) for i in range(len(COLUMNS))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in [COLUMNS, *rows]
    ]
    return "\n".join([*lines, f"{len(items)} stuck"])

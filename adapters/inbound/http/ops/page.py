"""The console's HTML, built from plain values (every value escaped)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from html import escape
from typing import Any

from adapters.inbound.http.ops.chart import hourly_chart

STYLE = """
body{font-family:'NanumGothic','Noto Sans KR',system-ui,sans-serif;margin:24px;color:#1d2430;
background:#f6f7f9;font-size:14px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
.muted{color:#667085}.cards{display:flex;gap:12px;flex-wrap:wrap}
.card{background:#fff;border:1px solid #d0d5dd;border-radius:8px;padding:10px 16px;min-width:150px}
.card b{display:block;font-size:24px}.card.bad b{color:#b42318}
table{border-collapse:collapse;background:#fff;width:100%;margin-bottom:4px}
th,td{border:1px solid #e4e7ec;padding:5px 8px;text-align:left;vertical-align:top}
th{background:#eef1f5;font-weight:600}td.num{text-align:right;white-space:nowrap}
.tx{font-size:11px}
.overdue{color:#b42318;font-weight:600}.err{color:#b42318;max-width:280px;word-break:break-word}
.flash{padding:10px 14px;border-radius:6px;margin:12px 0;background:#ecfdf3;
border:1px solid #abefc6}.flash.bad{background:#fef3f2;border-color:#fecdca}
button{padding:5px 10px;border-radius:6px;border:1px solid #175cd3;background:#175cd3;
color:#fff;cursor:pointer}button.secondary{background:#fff;color:#175cd3}
details summary{cursor:pointer;color:#175cd3}details table{margin:6px 0;font-size:12px}
.chart rect.paid{fill:#2e90fa}.chart rect.refunded{fill:#f79009}.chart .axis{stroke:#98a2b3}
.chart .label{font-size:10px;fill:#667085}.legend span{display:inline-block;width:10px;
height:10px;margin:0 4px 0 12px}
"""


def document(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="ko"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>{body}</body></html>"
    )


def age(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m"
    if seconds < 172800:
        return f"{seconds // 3600}h {seconds % 3600 // 60}m"
    return f"{seconds // 86400}d {seconds % 86400 // 3600}h"


def when(value: datetime | None) -> str:
    return "" if value is None else value.strftime("%Y-%m-%d %H:%M:%S UTC")


def won(amount: int) -> str:
    return f"{amount:,}원"


def action_form(action: str, label: str, order_id: int, token: str) -> str:
    return (
        '<form method="post" action="/ops/confirm">'
        f'<input type="hidden" name="action" value="{escape(action)}">'
        f'<input type="hidden" name="orderId" value="{order_id}">'
        f'<input type="hidden" name="token" value="{escape(token)}">'
        f'<button type="submit">{escape(label)}</button></form>'
    )


def cards(items: list[Any]) -> str:
    waiting = sum(1 for i in items if i.kind == "payment waiting")
    pending = sum(1 for i in items if i.kind == "refund pending")
    overdue = sum(1 for i in items if i.overdue)
    orphans = sum(1 for i in items if i.kind == "orphan payment")
    out = []
    for label, value, bad in (
        ("payments waiting on a platform", waiting, False),
        ("refunds pending", pending, pending > 0),
        ("refunds overdue", overdue, overdue > 0),
        ("orphan payments", orphans, orphans > 0),
    ):
        css = "card bad" if bad else "card"
        out.append(f'<div class="{css}"><b>{value}</b>{escape(label)}</div>')
    return f'<div class="cards">{"".join(out)}</div>'


def history_block(history: Any) -> str:
    if history is None:
        return ""
    attempts = "".join(
        f"<tr><td>{escape(a['operation'])}</td><td>{escape(a['state'])}</td>"
        f'<td class="num">{a["tries"]}</td><td>{escape(when(a["updatedAt"]))}</td>'
        f'<td class="err">{escape(a["error"] or "")}</td></tr>'
        for a in history.attempts
    )
    events = "".join(
        f"<tr><td>{escape(e['type'])}</td><td>{escape(str(e['state'] or ''))}</td>"
        f"<td>{escape(when(e['occurredAt']))}</td>"
        f"<td>{'relayed' if e['published'] else 'in outbox'}</td></tr>"
        for e in history.events
    )
    return (
        "<details><summary>history</summary>"
        "<table><tr><th>attempt</th><th>state</th><th>tries</th><th>last change</th>"
        f"<th>error</th></tr>{attempts or '<tr><td colspan=5>no attempts</td></tr>'}</table>"
        "<table><tr><th>event</th><th>order state</th><th>at</th><th>relay</th></tr>"
        f"{events or '<tr><td colspan=4>no events</td></tr>'}</table></details>"
    )


def stuck_table(items: list[Any], histories: dict[int, Any], forms: dict[int, str]) -> str:
    if not items:
        return '<p class="muted">Nothing is stuck: no money waits on a platform.</p>'
    rows = []
    for item in items:
        order = f"#{item.order_id}" if item.order_id is not None else f"orphan {item.orphan_id}"
        age_css = ' class="overdue"' if item.overdue else ""
        overdue = " (overdue)" if item.overdue else ""
        history = histories.get(item.order_id) if item.order_id is not None else None
        rows.append(
            f"<tr><td>{escape(item.kind)}</td><td>{escape(order)}<br>"
            f'<span class="muted tx">{escape(item.transaction_id or "")}</span>'
            f"{history_block(history)}</td>"
            f"<td>{escape(item.platform)}</td><td>{escape(item.state)}</td>"
            f'<td class="num">{escape(won(item.amount))}</td>'
            f"<td{age_css}>{escape(age(item.age_s))}{overdue}</td>"
            f'<td class="num">{item.attempts}</td>'
            f'<td class="err">{escape(item.last_error or "")}</td>'
            f"<td>{forms.get(item.order_id or -1, '')}</td></tr>"
        )
    return (
        "<table><tr><th>what</th><th>order</th><th>platform</th><th>state</th><th>amount</th>"
        "<th>age</th><th>attempts</th><th>last platform error</th><th>action</th></tr>"
        f"{''.join(rows)}</table>"
    )


def order_counts_table(counts: list[tuple[str, str, int]]) -> str:
    platforms = sorted({p for _, p, _ in counts})
    by_state: dict[str, dict[str, int]] = defaultdict(dict)
    for state, platform, n in counts:
        by_state[state][platform] = n
    if not counts:
        return '<p class="muted">No orders yet.</p>'
    head = "".join(f"<th>{escape(p)}</th>" for p in platforms)
    rows = "".join(
        f"<tr><td>{escape(state)}</td>"
        + "".join(f'<td class="num">{row.get(p, 0)}</td>' for p in platforms)
        + f'<td class="num"><b>{sum(row.values())}</b></td></tr>'
        for state, row in sorted(by_state.items())
    )
    return f"<table><tr><th>state</th>{head}<th>total</th></tr>{rows}</table>"


def rates_table(outcomes: list[tuple[str, str, str, int]]) -> str:
    if not outcomes:
        return '<p class="muted">No platform calls in the last hour.</p>'
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for platform, _operation, state, n in outcomes:
        totals[platform][state] += n
    rows = []
    for platform, states in sorted(totals.items()):
        ok, failed = states.get("SUCCEEDED", 0), states.get("FAILED", 0)
        unknown = states.get("UNKNOWN", 0) + states.get("IN_FLIGHT", 0)
        done = ok + failed + unknown
        success = f"{100 * ok / done:.0f}%" if done else "–"
        errors = f"{100 * (failed + unknown) / done:.0f}%" if done else "–"
        css = ' class="overdue"' if done and (failed + unknown) / done >= 0.2 else ""
        rows.append(
            f"<tr><td>{escape(platform)}</td><td class=num>{ok}</td><td class=num>{failed}</td>"
            f"<td class=num>{unknown}</td><td class=num>{success}</td>"
            f"<td{css}>{errors}</td></tr>"
        )
    return (
        "<table><tr><th>platform</th><th>succeeded</th><th>refused</th><th>unknown / in flight"
        "</th><th>success rate</th><th>error rate</th></tr>"
        f"{''.join(rows)}</table>"
    )


def chart_block(hours: list[tuple[datetime, int, int]]) -> str:
    paid = sum(p for _, p, _ in hours)
    refunded = sum(r for _, _, r in hours)
    return (
        f'<div class="legend muted"><span style="background:#2e90fa"></span>payments ({paid})'
        f'<span style="background:#f79009"></span>refunds ({refunded}), last 24 hours, UTC</div>'
        f"{hourly_chart(hours)}"
    )

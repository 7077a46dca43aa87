"""The one HTML page a shopper sees when a payment platform sends the browser back: Korean
first, English beneath, the order's product, amount and state in words, the platform's reason,
and a way back to the shop. Everything shown is escaped; nothing is fetched from elsewhere."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

Bilingual = tuple[str, str]
"""(Korean, English)"""


@dataclass(frozen=True)
class ResultPage:
    headline: Bilingual
    tone: str  # "ok", "wait" or "bad": the page's colour
    advice: Bilingual
    shop_url: str
    product: str | None = None
    amount: int | None = None
    state: Bilingual | None = None
    platform: Bilingual | None = None
    order_id: int | None = None
    reason: str | None = None
    reason_is_the_platforms: bool = True
    """Whether `reason` is the platform's own words, or ours."""
    refresh_url: str | None = None
    refresh_seconds: int = 3


COLOURS = {"ok": "#1a7f37", "wait": "#9a6700", "bad": "#cf222e"}

STYLE = (
    "body{font-family:'Noto Sans KR','NanumGothic','Apple SD Gothic Neo',sans-serif;"
    "background:#f6f7f9;margin:0;color:#1f2328}"
    "main{max-width:560px;margin:48px auto;background:#fff;border-radius:12px;"
    "box-shadow:0 1px 4px rgba(0,0,0,.12);padding:32px 36px}"
    "h1{font-size:1.6rem;margin:0 0 4px}.en{color:#59636e;margin:0}"
    "h1+.en{font-size:1.1rem;margin-bottom:20px}"
    "dl{display:grid;grid-template-columns:max-content 1fr;gap:10px 20px;margin:24px 0;"
    "padding:16px 0;border-top:1px solid #d1d9e0;border-bottom:1px solid #d1d9e0}"
    "dt{color:#59636e}dd{margin:0;font-weight:600}dd .en{font-weight:400;font-size:.9rem}"
    ".reason{background:#fff8c5;border-radius:8px;padding:12px 16px;margin:16px 0}"
    "a.shop{display:inline-block;margin-top:20px;padding:12px 22px;border-radius:8px;"
    "background:#0969da;color:#fff;text-decoration:none;font-weight:600}"
)


def _both(text: Bilingual) -> str:
    ko, en = text
    return f"{escape(ko)}<br><span class=en>{escape(en)}</span>"


def _row(label: Bilingual, value: str) -> str:
    return f"<dt>{_both(label)}</dt><dd>{value}</dd>"


def render(page: ResultPage) -> str:
    rows = []
    if page.product is not None:
        rows.append(_row(("상품", "Product"), escape(page.product)))
    if page.amount is not None:
        rows.append(
            _row(
                ("결제 금액", "Amount"),
                f"{page.amount:,}원<br><span class=en>KRW {page.amount:,}</span>",
            )
        )
    if page.state is not None:
        rows.append(_row(("상태", "Status"), _both(page.state)))
    if page.platform is not None:
        rows.append(_row(("결제 수단", "Paid with"), _both(page.platform)))
    if page.order_id is not None:
        rows.append(_row(("주문 번호", "Order number"), str(page.order_id)))
    details = f"<dl>{''.join(rows)}</dl>" if rows else ""
    label = (
        "결제사 안내 · The platform says" if page.reason_is_the_platforms else "자세히 · Details"
    )
    reason = (
        f"<p class=reason><strong>{label}:</strong><br>{escape(page.reason)}</p>"
        if page.reason
        else ""
    )
    refresh = (
        f'<meta http-equiv="refresh" content="{page.refresh_seconds};'
        f'url={escape(page.refresh_url)}">'
        if page.refresh_url
        else ""
    )
    ko, en = page.headline
    return (
        "<!doctype html><html lang=ko><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width,initial-scale=1">'
        f"{refresh}<title>{escape(ko)} · {escape(en)} — gonggu</title><style>{STYLE}"
        f"h1{{color:{COLOURS.get(page.tone, COLOURS['bad'])}}}</style></head><body><main>"
        f"<h1>{escape(ko)}</h1><p class=en>{escape(en)}</p>"
        f"{details}{reason}<p>{_both(page.advice)}</p>"
        f'<a class=shop href="{escape(page.shop_url)}">쇼핑몰로 돌아가기 · Back to the shop</a>'
        "</main></body></html>"
    )

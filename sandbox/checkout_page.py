"""The look every emulated checkout page shares: the platform's name and a "sandbox" badge in
the title, what is bought and for how much, and the buyer's buttons — Korean first, English
beneath, as on gonggu's own pages. Also the page a browser gets when a button can no longer be
pressed (Back, then Pay again), so a buyer never sees raw JSON."""

from __future__ import annotations

from html import escape
from typing import Any

from litestar import Request, Response
from litestar.enums import MediaType

STYLE = (
    "body{font-family:'Noto Sans KR','NanumGothic',sans-serif;background:#eef0f3;margin:0;"
    "color:#1f2328}main{max-width:460px;margin:48px auto;background:#fff;border-radius:14px;"
    "box-shadow:0 1px 4px rgba(0,0,0,.15);padding:28px 32px}"
    "header{display:flex;justify-content:space-between;align-items:center}"
    ".brand{font-weight:700;font-size:1.3rem}.badge{font-size:.75rem;background:#ffd33d;"
    "border-radius:6px;padding:2px 8px}.en{color:#59636e;font-size:.9rem}"
    ".amount{font-size:1.8rem;font-weight:700;margin:4px 0 0}"
    "form{display:inline-block;margin:8px 8px 0 0}button{font:inherit;padding:10px 18px;"
    "border-radius:8px;border:1px solid #d1d9e0;background:#f6f8fa;cursor:pointer}"
    "button.primary{background:var(--brand);border-color:var(--brand);color:var(--ink)}"
)
LABELS = {
    "pay": ("결제하기", "Pay", True),
    "cancel": ("결제 취소", "Cancel", False),
    "fail": ("결제 실패 만들기", "Fail", False),
}


def button(action: str, url: str, hidden: str = "", name: str = "", value: str = "") -> str:
    ko, en, primary = LABELS[action]
    css = ' class="primary"' if primary else ""
    named = f' name="{escape(name)}" value="{escape(value)}"' if name else ""
    return (
        f'<form method="post" action="{escape(url)}">{hidden}'
        f'<button type="submit"{css}{named}>{escape(ko)} · {escape(en)}</button></form>'
    )


def page(
    brand: tuple[str, str, str],
    body: str,
    *,
    product: str | None = None,
    amount: int | None = None,
    reference: str | None = None,
) -> str:
    """`brand` is (name, colour, text colour on it)."""
    name, colour, ink = brand
    facts = ""
    if product is not None:
        facts += f"<p>{escape(product)}</p>"
    if amount is not None:
        facts += f'<p class="amount">{amount:,}원</p><p class="en">KRW {amount:,}</p>'
    if reference:
        facts += f'<p class="en">거래 번호 · Reference {escape(reference)}</p>'
    return (
        '<!doctype html><html lang="ko"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(name)} 결제 (sandbox) · {escape(name)} checkout</title>"
        f"<style>{STYLE}:root{{--brand:{colour};--ink:{ink}}}</style></head><body><main>"
        f'<header><span class="brand">{escape(name)}</span>'
        '<span class="badge">sandbox · 테스트</span></header>'
        f"{facts}{body}</main></body></html>"
    )


def notice(ko: str, en: str) -> str:
    return f'<h2>{escape(ko)}</h2><p class="en">{escape(en)}</p>'


def html_response(content: str, status: int = 200) -> Response[str]:
    return Response(content=content, status_code=status, media_type=MediaType.HTML)


def wants_html(request: Request[Any, Any, Any]) -> bool:
    return request.accept.best_match(["application/json", "text/html"]) == "text/html"

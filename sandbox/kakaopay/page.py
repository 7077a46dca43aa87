"""The buyer's side: a payment page with Pay / Cancel / Fail, each a plain HTML form."""

from __future__ import annotations

import secrets
from html import escape
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sandbox.kakaopay.store import KakaoPayment

OPEN = ("READY", "SEND_TMS", "OPEN_PAYMENT", "SELECT_METHOD")


def render(payment: KakaoPayment, page_path: str) -> str:
    """The page at `.../page/{tid}`; its forms POST to `.../page/{tid}/{pay|cancel|fail}`."""
    if payment.status == "READY":
        payment.status = "OPEN_PAYMENT"
    buttons = "".join(
        f'<form method="post" action="{escape(page_path)}/{action}">'
        f'<button type="submit" name="action" value="{action}">{label}</button></form>'
        for action, label in (("pay", "Pay"), ("cancel", "Cancel"), ("fail", "Fail"))
    )
    state = (
        buttons if payment.status in OPEN else f"<p>This payment is {escape(payment.status)}.</p>"
    )
    return (
        "<!doctype html><html lang='ko'><head><meta charset='utf-8'>"
        "<title>KakaoPay sandbox</title></head><body>"
        "<h1>카카오페이 결제 (sandbox)</h1>"
        f"<p>{escape(payment.item_name)} x {payment.quantity}: "
        f"<strong>{payment.total_amount:,}원</strong></p>"
        f"<p>tid {escape(payment.tid)}</p>{state}</body></html>"
    )


def press(payment: KakaoPayment, action: str) -> str | None:
    """Applies the buyer's choice; returns where the browser goes, None if not allowed."""
    if payment.status not in OPEN:
        return None
    if action == "pay":
        payment.status = "AUTH_PASSWORD"
        payment.pg_token = secrets.token_hex(10)
        return with_query(payment.approval_url, {"pg_token": payment.pg_token})
    if action == "cancel":
        payment.status = "QUIT_PAYMENT"
        return payment.cancel_url
    if action == "fail":
        payment.status = "FAIL_PAYMENT"
        return payment.fail_url
    return None


def with_query(url: str, extra: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query, keep_blank_values=True), *extra.items()]
    return urlunsplit(parts._replace(query=urlencode(query)))

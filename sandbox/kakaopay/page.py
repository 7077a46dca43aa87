"""The buyer's side: a payment page with Pay / Cancel / Fail, each a plain HTML form."""

from __future__ import annotations

import secrets
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sandbox.checkout_page import button, notice, page
from sandbox.kakaopay.store import KakaoPayment

OPEN = ("READY", "SEND_TMS", "OPEN_PAYMENT", "SELECT_METHOD")


BRAND = ("카카오페이 KakaoPay", "#fee500", "#191919")
SETTLED = {
    "AUTH_PASSWORD": ("이미 결제했습니다", "This payment is already made"),
    "SUCCESS_PAYMENT": ("이미 결제했습니다", "This payment is already made"),
    "QUIT_PAYMENT": ("취소한 결제입니다", "This payment was cancelled"),
    "FAIL_PAYMENT": ("실패한 결제입니다", "This payment failed"),
    "CANCEL_PAYMENT": ("환불된 결제입니다", "This payment was refunded"),
    "PART_CANCEL_PAYMENT": ("일부 환불된 결제입니다", "This payment was partly refunded"),
}


def render(payment: KakaoPayment, page_path: str) -> str:
    """The page at `.../page/{tid}`; its forms POST to `.../page/{tid}/{pay|cancel|fail}`."""
    if payment.status == "READY":
        payment.status = "OPEN_PAYMENT"
    if payment.status in OPEN:
        body = "".join(
            button(action, f"{page_path}/{action}", name="action", value=action)
            for action in ("pay", "cancel", "fail")
        )
    else:
        body = notice(*SETTLED.get(payment.status, ("진행할 수 없는 결제입니다", payment.status)))
    return _page(payment, body)


def closed(payment: KakaoPayment | None) -> str:
    """What a button pressed too late (Back, then Pay again) shows."""
    body = notice("이 결제는 더 이상 진행할 수 없습니다", "This payment can no longer be made")
    if payment is None:
        return page(BRAND, body)
    ko, en = SETTLED.get(payment.status, ("이 결제는 더 이상 진행할 수 없습니다", payment.status))
    return _page(payment, notice(ko, f"{en}; it can no longer be paid"))


def _page(payment: KakaoPayment, body: str) -> str:
    return page(
        BRAND,
        body,
        product=f"{payment.item_name} × {payment.quantity}",
        amount=payment.total_amount,
        reference=payment.tid,
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

"""A stand-in for the payment widget: a page where a person presses Pay, Cancel or Fail.

A front end in sandbox mode opens `GET /tosspayments/widget/checkout?clientKey&orderId&amount&
orderName&customerKey&successUrl&failUrl` (the parameters `checkout` returns) instead of calling
the real widget's `requestPayment`; the browser then comes back exactly as Toss sends it.

The client key decides the payment's kind: a `gck` key opens a payment widget payment, a `ck`
key a payment-window (API individual integration) one. Opening the page creates the payment
(READY); Pay authenticates it (IN_PROGRESS, awaiting the server's confirm).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from litestar import MediaType, Response, get, post
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath
from litestar.response import Redirect

from sandbox.checkout_page import button, html_response, notice, page, wants_html
from sandbox.config import toss_key_kind
from sandbox.tosspayments.errors import CLIENT_KINDS, AnyRequest, TossError, error_response
from sandbox.tosspayments.store import SETTLED, TossStore

ORDER_ID = re.compile(r"^[A-Za-z0-9_-]{6,64}$")
CUSTOMER_KEY = re.compile(r"^[A-Za-z0-9\-_=.@]{2,50}$")
FIELDS = ("clientKey", "orderId", "amount", "orderName", "customerKey", "successUrl", "failUrl")
CANCELLED = ("PAY_PROCESS_CANCELED", "사용자에 의해 결제가 취소되었습니다.")
REJECTED = ("REJECT_CARD_COMPANY", "결제 승인이 거절되었습니다.")


def _url(value: str, code: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise TossError(code, "url must be an http(s) address")
    return value


def _order(params: Mapping[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """The widget's own checks on `requestPayment`'s parameters (and the SDK's client key)."""
    client_key = str(params.get("clientKey") or "")
    kind = toss_key_kind(client_key)
    if client_key not in keys or kind not in CLIENT_KINDS:
        raise TossError("UNAUTHORIZED_KEY", "clientKey must be the merchant's gck or ck key")
    order_id = str(params.get("orderId") or "")
    if not ORDER_ID.match(order_id):
        raise TossError("INVALID_ORDER_ID", "6-64 characters of A-Z a-z 0-9 - _")
    try:
        amount = int(str(params.get("amount")))
    except ValueError:
        raise TossError("INVALID_REQUEST", "amount must be a number") from None
    if amount <= 0:
        raise TossError("BELOW_ZERO_AMOUNT", "amount must be positive")
    name = str(params.get("orderName") or "")
    if not name or len(name) > 100:
        raise TossError("INVALID_ORDER_NAME", "1-100 characters")
    customer_key = str(params.get("customerKey") or "ANONYMOUS")
    if not CUSTOMER_KEY.match(customer_key):
        raise TossError("INVALID_CUSTOMER_KEY")
    return {
        "clientKey": client_key,
        "integration": CLIENT_KINDS[kind],
        "orderId": order_id,
        "amount": amount,
        "orderName": name,
        "customerKey": customer_key,
        "successUrl": _url(str(params.get("successUrl") or ""), "INCORRECT_SUCCESS_URL_FORMAT"),
        "failUrl": _url(str(params.get("failUrl") or ""), "INCORRECT_FAIL_URL_FORMAT"),
    }


def _back(url: str, query: dict[str, str]) -> Redirect:
    glue = "&" if urlsplit(url).query else "?"
    return Redirect(path=f"{url}{glue}{urlencode(query, quote_via=quote)}", status_code=303)


BRAND = ("토스페이먼츠 Toss Payments", "#3182f6", "#ffffff")


def _page(order: dict[str, Any]) -> str:
    hidden = "".join(
        f'<input type="hidden" name="{k}" value="{html.escape(str(order[k]))}">' for k in FIELDS
    )
    buttons = "".join(
        button(action, f"/tosspayments/widget/checkout/{action}", hidden)
        for action in ("pay", "cancel", "fail")
    )
    return page(
        BRAND,
        buttons,
        product=order["orderName"],
        amount=order["amount"],
        reference=order["orderId"],
    )


def _refusal(
    request: AnyRequest, error: TossError, order: dict[str, Any] | None = None
) -> Response[Any]:
    """Toss's error object for a program; for a person in a browser, the widget's message."""
    if not wants_html(request):
        return error.response()
    body = notice("결제를 진행할 수 없습니다", "This payment cannot go ahead")
    body += f"<p>{html.escape(error.message)} ({html.escape(error.code)})</p>"
    facts: dict[str, Any] = (
        {"product": order["orderName"], "amount": order["amount"], "reference": order["orderId"]}
        if order
        else {}
    )
    return html_response(page(BRAND, body, **facts), error.status)


def widget_handlers(store: TossStore, keys: tuple[str, ...]) -> list[HTTPRouteHandler]:
    @get("/widget/checkout", status_code=200, media_type=MediaType.HTML)
    async def checkout(request: AnyRequest) -> Response[Any]:
        try:
            order = _order(request.query_params, keys)
        except TossError as exc:
            return _refusal(request, exc)
        if store.ready(order["orderId"]) is None:
            store.create(
                order["orderId"],
                order["orderName"],
                order["amount"],
                order["customerKey"],
                order["integration"],
            )
        return Response(content=_page(order), media_type=MediaType.HTML)

    @post("/widget/checkout/{action:str}", status_code=303)
    async def press(request: AnyRequest, action: FromPath[str]) -> Response[Any]:
        form = await request.form()
        try:
            order = _order(form, keys)
        except TossError as exc:
            return _refusal(request, exc)
        ready = store.ready(order["orderId"])
        if action in ("cancel", "fail") and ready is not None:
            if action == "cancel":  # the buyer closed the window: nothing was created for good
                store.payments.pop(ready.payment_key, None)
            else:
                ready.status = "ABORTED"
        if action == "cancel":
            code, message = CANCELLED
            return _back(
                order["failUrl"], {"code": code, "message": message, "orderId": order["orderId"]}
            )
        if action == "fail":
            code, message = REJECTED
            return _back(
                order["failUrl"], {"code": code, "message": message, "orderId": order["orderId"]}
            )
        if action != "pay":
            return error_response(404, "NOT_FOUND", "존재하지 않는 정보 입니다.")
        settled = store.by_order(order["orderId"])
        if settled is not None and settled.status in SETTLED:
            return _refusal(request, TossError("DUPLICATED_ORDER_ID"), order)
        # "tamper": a buyer who changed the amount in the browser before requestPayment
        try:
            amount = int(str(form.get("tamperAmount") or order["amount"]))
        except ValueError:
            return _refusal(request, TossError("INVALID_REQUEST", "tamperAmount must be a number"))
        payment = ready or store.create(
            order["orderId"],
            order["orderName"],
            order["amount"],
            order["customerKey"],
            order["integration"],
        )
        payment.authenticate(amount)
        return _back(
            order["successUrl"],
            {
                "paymentType": "NORMAL",
                "orderId": payment.order_id,
                "paymentKey": payment.payment_key,
                "amount": str(amount),
            },
        )

    return [checkout, press]

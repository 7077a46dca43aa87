"""The payment window `oPay.open(...)` would show, as a plain page with three buttons.

A front end in sandbox mode opens `GET /naverpay/sdk/checkout?{the oPay.open parameters,
clientId, chainId}`; each button POSTs back here and the browser is sent (303) to `returnUrl`
with the query NaverPay sends: `resultCode=Success&paymentId=…`, or a failure `resultCode` with
`resultMessage`.
"""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import urlencode, urlsplit

from litestar import Request, Response, get, post
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath
from litestar.response import Redirect

from sandbox.checkout_page import button, html_response, notice, page
from sandbox.config import SandboxConfig
from sandbox.naverpay.store import Payment, Store

REQUIRED = (
    "merchantPayKey",
    "merchantUserKey",
    "productName",
    "totalPayAmount",
    "taxScopeAmount",
    "taxExScopeAmount",
    "returnUrl",
    "clientId",
    "chainId",
    "mode",
)
SANDBOX_MODE = "development"
"""The emulator stands in for NaverPay's development environment: an SDK created with
`mode: "production"` would open the real window and pay for real."""
MERCHANT_PAY_KEY_MAX = 64
PRODUCT_NAME_MAX = 128
BRAND = ("네이버페이 NaverPay", "#03c75a", "#ffffff")
OUTCOMES = {
    "cancel": ("UserCancel", "사용자가 결제를 취소하였습니다."),
    "fail": ("OwnerAuthFail", "본인 인증에 실패하였습니다."),
}


def checkout_handlers(config: SandboxConfig, store: Store) -> list[HTTPRouteHandler]:
    """The page and its Pay / Cancel / Fail buttons."""

    @get("/sdk/checkout", status_code=200)
    async def show(request: Request[Any, Any, Any]) -> Response[str]:
        params = {key: request.query_params.get(key, "") for key in (*REQUIRED, "productCount")}
        problem = _problem(config, params)
        if problem:
            body = notice("결제창을 열 수 없습니다", "The payment window cannot open")
            return html_response(page(BRAND, f"{body}<p>{html.escape(problem)}</p>"), 400)
        return html_response(_window(store.open_session(params), params))

    @post("/sdk/checkout/{token:str}/{button:str}", status_code=303)
    async def press(token: FromPath[str], button: FromPath[str]) -> Response[Any]:
        params = store.sessions.get(token)
        if params is None or button not in ("pay", *OUTCOMES):
            body = notice(
                "만료되었거나 이미 사용한 결제창입니다",
                "This payment window has expired or was already used",
            )
            return html_response(page(BRAND, body), 404)
        del store.sessions[token]
        if button == "pay":
            payment = _authorise(store, params)
            query = {"resultCode": "Success", "paymentId": payment.payment_id}
        else:
            code, message = OUTCOMES[button]
            query = {"resultCode": code, "resultMessage": message}
        separator = "&" if "?" in params["returnUrl"] else "?"
        return Redirect(path=f"{params['returnUrl']}{separator}{urlencode(query)}", status_code=303)

    return [show, press]


def _problem(config: SandboxConfig, params: dict[str, str]) -> str | None:
    missing = [key for key in REQUIRED if not params[key]]
    if missing:
        return f"필수 파라미터 누락: {', '.join(missing)}"
    if params["clientId"] != config.naverpay_client_id:
        return "등록되지 않은 clientId 입니다."
    if params["chainId"] != config.naverpay_chain_id:
        return "유효하지 않은 chainId 입니다."
    if params["mode"] != SANDBOX_MODE:
        return f"mode 는 {SANDBOX_MODE} 이어야 합니다 (이 결제창은 개발 환경입니다)."
    if len(params["merchantPayKey"]) > MERCHANT_PAY_KEY_MAX:
        return f"merchantPayKey 는 {MERCHANT_PAY_KEY_MAX}자 이하여야 합니다."
    if len(params["productName"]) > PRODUCT_NAME_MAX:
        return f"productName 은 {PRODUCT_NAME_MAX}자 이하여야 합니다."
    count = params.get("productCount") or "1"
    if not count.isdigit() or int(count) < 1:
        return "productCount 는 1 이상의 정수여야 합니다."
    try:
        total, tax, tax_ex = (
            int(params[key]) for key in ("totalPayAmount", "taxScopeAmount", "taxExScopeAmount")
        )
    except ValueError:
        return "금액은 정수여야 합니다."
    if total <= 0 or tax < 0 or tax_ex < 0 or tax + tax_ex != total:
        return "totalPayAmount 는 양수이고 taxScopeAmount + taxExScopeAmount 와 같아야 합니다."
    if urlsplit(params["returnUrl"]).scheme not in ("http", "https"):
        return "returnUrl 은 http(s) 주소여야 합니다."
    return None


def _authorise(store: Store, params: dict[str, str]) -> Payment:
    payment = Payment(
        payment_id=store.new_payment_id(),
        merchant_pay_key=params["merchantPayKey"],
        merchant_user_key=params["merchantUserKey"],
        product_name=params["productName"],
        total_pay_amount=int(params["totalPayAmount"]),
        tax_scope_amount=int(params["taxScopeAmount"]),
        tax_ex_scope_amount=int(params["taxExScopeAmount"]),
    )
    store.payments[payment.payment_id] = payment
    return payment


def _window(token: str, params: dict[str, str]) -> str:
    buttons = "".join(
        button(action, f"checkout/{token}/{action}", name="button", value=action)
        for action in ("pay", "cancel", "fail")
    )
    count = params.get("productCount") or "1"
    return page(
        BRAND,
        buttons,
        product=f"{params['productName']} × {count}",
        amount=int(params["totalPayAmount"]),
        reference=params["merchantPayKey"],
    )

"""A redirect answers a browser with a small page and an API client with the envelope."""

from __future__ import annotations

import html
from typing import Any

from litestar import Request, Response
from litestar.enums import MediaType

from adapters.inbound.http.envelope import ok
from adapters.inbound.http.schemas import order_json
from domain.order import Order

TITLES = {
    "PAID": "결제가 완료되었습니다 — payment complete",
    "PAYMENT_PENDING": "결제 확인 중 — payment being confirmed",
    "PAYMENT_FAILED": "결제에 실패했습니다 — payment failed",
    "PAYMENT_CANCELLED": "결제를 취소했습니다 — payment cancelled",
}


def wants_html(request: Request[Any, Any, Any]) -> bool:
    return request.accept.best_match(["application/json", "text/html"]) == "text/html"


def order_result(request: Request[Any, Any, Any], order: Order) -> Response[Any]:
    if not wants_html(request):
        return ok(order_json(order))
    title = TITLES.get(order.state.value, order.state.value)
    body = (
        "<!doctype html><html lang=ko><meta charset=utf-8><title>gonggu</title>"
        f"<h1>{html.escape(title)}</h1>"
        f"<p>order {order.id} · {order.trans_amount:,} won · {html.escape(order.state.value)}</p>"
        "</html>"
    )
    return Response(body, media_type=MediaType.HTML, status_code=200)

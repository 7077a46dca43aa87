"""What a browser coming back from a payment platform sees: an HTML page for every outcome
(paid, failed, cancelled, still being confirmed, a platform error, an unknown transaction).
API clients (`Accept: application/json`) get the envelope instead, as from any endpoint."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import replace
from typing import Any

from litestar import Request, Response
from litestar.enums import MediaType

from adapters.inbound.callbacks.page_template import Bilingual, ResultPage, render
from adapters.inbound.callbacks.page_words import NOT_PAID, OUTCOMES, PLATFORM_NAMES, STATE_WORDS
from adapters.inbound.http.envelope import ok
from adapters.inbound.http.errors import domain_error, error_envelope
from adapters.inbound.http.schemas import order_json
from domain.catalog import Product
from domain.errors import (
    DomainError,
    NotFound,
    PaymentOutcomeUnknown,
    PaymentPlatformError,
    StorageUnavailable,
)
from domain.order import Order, OrderState

RESULT_PATH = "/api/v1/order/transaction/result/{transaction_id}"


def wants_html(request: Request[Any, Any, Any]) -> bool:
    return request.accept.best_match(["application/json", "text/html"]) == "text/html"


async def order_result(request: Request[Any, Any, Any], order: Order) -> Response[Any]:
    """The order as the platform left it: a page for a browser, the envelope otherwise."""
    if not wants_html(request):
        return ok(order_json(order))
    product = await _product(request, order)
    return _html(_order_page(request, order, product, _platform_reason(request)), 200)


async def shopper_answer(
    request: Request[Any, Any, Any], outcome: Awaitable[Order]
) -> Response[Any]:
    """Awaits what a return URL does to its order and answers with the order's page; an error
    becomes a page too, with the order's product and amount when the transaction is known."""
    try:
        order = await outcome
    except DomainError as exc:
        if not wants_html(request):
            raise
        return await _error_answer(request, exc)
    return await order_result(request, order)


def error_page(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    """The exception handler of the return URLs, for errors before any order is looked at."""
    if not wants_html(request):
        return domain_error(request, exc)
    return _html(_error_page(request, exc), error_envelope(exc)[0])


async def _error_answer(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    status = error_envelope(exc)[0]
    found = await _order_of_request(request)
    if found is None:
        page = _error_page(request, exc)
    elif isinstance(exc, PaymentOutcomeUnknown):
        page = _with(
            _order_page(request, *found, None),
            reason="결제사가 제때 응답하지 않았습니다 · The platform did not answer in time",
            reason_is_the_platforms=False,
        )
    else:
        headline, tone, advice = _error_words(exc)
        order = found[0]
        page = _with(
            _order_page(request, *found, None),
            state=NOT_PAID
            if order.state is OrderState.PAYMENT_PENDING
            else STATE_WORDS[order.state],
            headline=headline,
            tone=tone,
            advice=advice,
            reason=_reason_of(exc),
            reason_is_the_platforms=isinstance(exc, PaymentPlatformError),
            refresh_url=None,
        )
    return _html(page, status)


def _order_page(
    request: Request[Any, Any, Any], order: Order, product: Product | None, reason: str | None
) -> ResultPage:
    headline, tone, advice = OUTCOMES[order.state]
    if order.state is OrderState.PAYMENT_FAILED and not reason:
        reason = "결제사가 결제 실패를 알려 왔습니다 · The platform reported the payment as failed"
    return ResultPage(
        headline=headline,
        tone=tone,
        advice=advice,
        shop_url=_shop_url(request),
        product=_product_name(order, product),
        amount=order.trans_amount,
        state=STATE_WORDS[order.state],
        platform=PLATFORM_NAMES[order.pay_type],
        order_id=order.id,
        reason=reason,
        refresh_url=(
            RESULT_PATH.format(transaction_id=order.transaction_id)
            if order.state is OrderState.PAYMENT_PENDING
            else None
        ),
    )


def _error_page(request: Request[Any, Any, Any], exc: DomainError) -> ResultPage:
    if isinstance(exc, NotFound):
        return ResultPage(
            headline=("주문을 찾을 수 없습니다", "We could not find this order"),
            tone="bad",
            advice=(
                "결제 링크가 잘못되었거나 만료되었습니다. 결제되지 않았다면 다시 주문해 주세요.",
                "The payment link is wrong or has expired. If you were not charged, please "
                "order again.",
            ),
            shop_url=_shop_url(request),
            reason=exc.message,
            reason_is_the_platforms=False,
        )
    headline, tone, advice = _error_words(exc)
    return ResultPage(
        headline,
        tone,
        advice,
        _shop_url(request),
        reason=_reason_of(exc),
        reason_is_the_platforms=isinstance(exc, PaymentPlatformError),
    )


def _error_words(exc: DomainError) -> tuple[Bilingual, str, Bilingual]:
    if isinstance(exc, PaymentPlatformError):
        return (
            ("결제사가 결제를 승인하지 않았습니다", "The payment platform did not approve this"),
            "bad",
            (
                "결제되지 않았습니다. 잠시 후 다시 시도하거나 쇼핑몰로 돌아가 주세요.",
                "You were not charged. Please try again later, or go back to the shop.",
            ),
        )
    if isinstance(exc, StorageUnavailable):
        return (
            ("일시적인 오류가 발생했습니다", "Something went wrong on our side"),
            "bad",
            (
                "잠시 후 이 페이지를 새로 고쳐 주세요. 결제는 결제사에 안전하게 남아 있습니다.",
                "Please reload this page in a moment. The payment stays safe with the platform.",
            ),
        )
    return (
        ("요청을 처리할 수 없습니다", "This request could not be processed"),
        "bad",
        (
            "주문 상태는 바뀌지 않았습니다. 쇼핑몰에서 주문 내역을 확인해 주세요.",
            "The order did not change. Please check your orders in the shop.",
        ),
    )


def _reason_of(exc: DomainError) -> str:
    if isinstance(exc, PaymentPlatformError):
        code = f" ({exc.code})" if exc.code else ""
        return f"{exc.platform_message}{code}"
    if isinstance(exc, StorageUnavailable):
        return "the service could not reach its database; nothing was changed"
    return exc.message


def _platform_reason(request: Request[Any, Any, Any]) -> str | None:
    """What the platform put in the return URL about a failure (Toss `message`, NaverPay
    `resultMessage`), as the platform worded it."""
    params = request.query_params
    message = params.get("message") or params.get("resultMessage")
    code = params.get("code") or params.get("resultCode")
    if not message:
        return None
    return f"{message} ({code})" if code and code != "Success" else str(message)


async def _order_of_request(
    request: Request[Any, Any, Any],
) -> tuple[Order, Product | None] | None:
    transaction_id = request.path_params.get("transaction_id")
    if not isinstance(transaction_id, str):
        return None
    try:
        found: tuple[
            Order, Product | None
        ] = await request.app.state.container.get_order_by_transaction().execute(transaction_id)
    except DomainError:
        return None
    return found


async def _product(request: Request[Any, Any, Any], order: Order) -> Product | None:
    try:
        product: Product = await request.app.state.container.get_product().execute(order.product_id)
    except DomainError:
        return None
    return product


def _product_name(order: Order, product: Product | None) -> str:
    if product is None:
        return f"상품 {order.product_id} · product {order.product_id}"
    name = product.name
    option = next((o for o in product.options if o.id == order.product_option_id), None)
    if option is not None:
        name = f"{name} ({option.name})"
    return f"{name} × {order.quantity}"


def _shop_url(request: Request[Any, Any, Any]) -> str:
    return str(request.app.state.container.settings().shop_url)


def _with(page: ResultPage, **changes: Any) -> ResultPage:
    return replace(page, **changes)


def _html(page: ResultPage, status: int) -> Response[str]:
    return Response(
        render(page),
        media_type=MediaType.HTML,
        status_code=status,
        headers={"cache-control": "no-store"},
    )

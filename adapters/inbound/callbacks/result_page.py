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
from domain.pay_type import PayType

RESULT_PATH = "/api/v1/order/transaction/result/{transaction_id}"

STATE_WORDS: dict[OrderState, Bilingual] = {
    OrderState.PAYMENT_PENDING: ("결제 확인 중", "Payment being confirmed"),
    OrderState.PAID: ("결제 완료", "Paid"),
    OrderState.PAYMENT_FAILED: ("결제 실패", "Payment failed"),
    OrderState.PAYMENT_CANCELLED: ("결제 취소", "Payment cancelled"),
    OrderState.MATCHED: ("공동구매 그룹 참여 중", "In a buying group"),
    OrderState.CONFIRMED: ("구매 확정", "Purchase confirmed"),
    OrderState.REFUND_PENDING: ("환불 진행 중", "Refund in progress"),
    OrderState.REFUNDED: ("환불 완료", "Refunded"),
}
NOT_PAID: Bilingual = ("결제되지 않음", "Not paid")
PLATFORM_NAMES: dict[PayType, Bilingual] = {
    PayType.KAKAO_PAY: ("카카오페이", "KakaoPay"),
    PayType.NAVER_PAY: ("네이버페이", "NaverPay"),
    PayType.OPEN_BANKING: ("오픈뱅킹 계좌이체", "Open Banking transfer"),
    PayType.TOSS_PAYMENTS: ("토스페이먼츠", "Toss Payments"),
}
# (headline, tone, advice) per order state.
OUTCOMES: dict[OrderState, tuple[Bilingual, str, Bilingual]] = {
    OrderState.PAID: (
        ("결제가 완료되었습니다", "Your payment is complete"),
        "ok",
        (
            "공동구매 그룹이 만들어지면 알려 드립니다.",
            "We will let you know when your buying group is formed.",
        ),
    ),
    OrderState.PAYMENT_PENDING: (
        ("결제를 확인하고 있습니다", "We are confirming your payment"),
        "wait",
        (
            "결제사에 결과를 확인하는 중입니다. 이 페이지는 결과가 나올 때까지 "
            "자동으로 새로 고쳐집니다. 다시 결제하지 마세요.",
            "We are asking the payment platform for the result. This page refreshes itself "
            "until it is known. Please do not pay again.",
        ),
    ),
    OrderState.PAYMENT_FAILED: (
        ("결제에 실패했습니다", "Your payment failed"),
        "bad",
        (
            "결제되지 않았습니다. 쇼핑몰에서 다시 주문해 주세요.",
            "You were not charged. Please order again from the shop.",
        ),
    ),
    OrderState.PAYMENT_CANCELLED: (
        ("결제를 취소했습니다", "You cancelled the payment"),
        "bad",
        (
            "결제되지 않았습니다. 언제든 다시 주문하실 수 있습니다.",
            "You were not charged. You can order again at any time.",
        ),
    ),
    OrderState.MATCHED: (
        ("이미 결제된 주문입니다", "This order is already paid"),
        "ok",
        ("공동구매 그룹에 참여하고 있습니다.", "The order is in a buying group."),
    ),
    OrderState.CONFIRMED: (
        ("이미 구매 확정된 주문입니다", "This purchase is already confirmed"),
        "ok",
        ("이용해 주셔서 감사합니다.", "Thank you for shopping with us."),
    ),
    OrderState.REFUND_PENDING: (
        ("환불을 진행하고 있습니다", "Your refund is on its way"),
        "wait",
        (
            "결제사가 환불을 확인하면 완료됩니다.",
            "It is complete once the payment platform confirms it.",
        ),
    ),
    OrderState.REFUNDED: (
        ("환불되었습니다", "Your payment was refunded"),
        "ok",
        ("결제 금액이 결제 수단으로 돌아갔습니다.", "The amount went back to how you paid."),
    ),
}


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

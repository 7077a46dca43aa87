"""Where a shopper's page waiting for a payment's outcome refreshes to. It asks the platform
(never trusting anything the browser says) and shows the order as it then stands."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from adapters.inbound.callbacks.ask_throttle import AskThrottle
from adapters.inbound.callbacks.result_page import error_page, shopper_answer
from adapters.inbound.http.dependencies import use_case
from application.queries import GetOrderByTransaction
from application.resolve_payment import ResolvePayment
from domain.errors import DomainError
from domain.order import Order, OrderState

log = logging.getLogger("gonggu.callbacks")


@get(
    "/api/v1/order/transaction/result/{transaction_id:str}",
    operation_id="paymentResult",
    tags=["payment callbacks"],
    dependencies={
        "lookup": use_case("get_order_by_transaction"),
        "resolve": use_case("resolve_payment"),
    },
    exception_handlers={DomainError: error_page},
)
async def payment_result(
    request: Request[Any, Any, Any],
    lookup: NamedDependency[GetOrderByTransaction],
    resolve: NamedDependency[ResolvePayment],
    transaction_id: FromPath[str],
) -> Response[Any]:
    """The order of a transaction; one still waiting is first settled with its platform."""
    throttle = request.app.state.setdefault("result_page_asks", AskThrottle())
    return await shopper_answer(request, _settled(lookup, resolve, transaction_id, throttle))


async def _settled(
    lookup: GetOrderByTransaction,
    resolve: ResolvePayment,
    transaction_id: str,
    throttle: AskThrottle,
) -> Order:
    order, _ = await lookup.execute(transaction_id)
    if order.state is OrderState.PAYMENT_PENDING and throttle.allow(transaction_id):
        try:
            await resolve.by_transaction(transaction_id)
        except DomainError as exc:  # still unknown: the page keeps refreshing
            log.info("payment of %s not settled yet: %s", transaction_id, exc.message)
        order, _ = await lookup.execute(transaction_id)
    return order

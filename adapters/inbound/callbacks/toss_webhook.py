"""Toss Payments' webhook. It is unsigned, so it is only a hint: the payment is re-fetched from
Toss before anything changes, after the 200 has been sent (Toss wants a quick answer). A hint
about a transaction not committed here is answered 404, so that Toss delivers it again rather
than it being acknowledged and lost."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from litestar import Response, post
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency
from litestar.params import Body

from adapters.inbound.http.dependencies import use_case
from adapters.inbound.http.envelope import ok
from application.resolve_payment import ResolvePayment
from domain.errors import DomainError, NotFound

log = logging.getLogger("gonggu.webhooks")


async def _resolve(resolve: ResolvePayment, transaction_id: str) -> None:
    try:
        outcome = await resolve.by_transaction(transaction_id)
        log.info("toss webhook for %s: %s", transaction_id, outcome.value)
    except DomainError as exc:
        log.warning("toss webhook for %s ignored: %s", transaction_id, exc.message)


@post(
    "/api/v1/transaction/tossPayments/webhook",
    operation_id="tossPaymentsWebhook",
    status_code=200,
    dependencies={"resolve": use_case("resolve_payment")},
    tags=["payment callbacks"],
)
async def toss_webhook(
    data: Annotated[dict[str, Any], Body()], resolve: NamedDependency[ResolvePayment]
) -> Response[Any]:
    """`PAYMENT_STATUS_CHANGED`: re-fetches the payment from Toss and settles the order."""
    payload = data.get("data")
    transaction_id = payload.get("orderId") if isinstance(payload, dict) else None
    if data.get("eventType") != "PAYMENT_STATUS_CHANGED" or not isinstance(transaction_id, str):
        return ok(None)
    if not await resolve.knows(transaction_id):
        raise NotFound(f"no order has transaction {transaction_id} (yet)")
    return Response(
        {"statusCode": 200, "statusMsg": "success", "data": None},
        background=BackgroundTask(_resolve, resolve, transaction_id),
    )

"""The core API: 결제 승인 (confirm), 결제 취소 (cancel), 결제 조회 (get)."""

from __future__ import annotations

from typing import Any

from litestar import Response, get, post
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath

from sandbox.faults import FaultPlan
from sandbox.tosspayments.calls import json_body, run
from sandbox.tosspayments.errors import AnyRequest, TossError, check_key_fits
from sandbox.tosspayments.store import SETTLED, TossPayment, TossStore

CANCEL_REASON_MAX = 200
PREFIX = "/tosspayments"


def _string(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value:
        raise TossError("INVALID_REQUEST", f"{name} is required")
    return value


def _amount(body: dict[str, Any], name: str, required: bool = True) -> int | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise TossError("INVALID_REQUEST", f"{name} must be a number")
    if value <= 0:
        raise TossError("INVALID_REQUEST", f"{name} must be positive")
    return value


def _root(request: AnyRequest) -> str:
    return str(request.base_url).rstrip("/") + PREFIX


def api_handlers(
    keys: tuple[str, ...], store: TossStore, faults: FaultPlan
) -> list[HTTPRouteHandler]:
    def find(payment_key: str, kind: str) -> TossPayment:
        payment = store.get(payment_key)
        if payment is None:
            raise TossError("NOT_FOUND_PAYMENT")
        check_key_fits(payment.integration, kind)
        return payment

    @post("/v1/payments/confirm", status_code=200)
    async def confirm(request: AnyRequest) -> Response[Any]:
        async def act(kind: str) -> dict[str, Any]:
            body = await json_body(request)
            payment_key, order_id = _string(body, "paymentKey"), _string(body, "orderId")
            amount = _amount(body, "amount")
            payment = store.get(payment_key)
            if payment is None or payment.order_id != order_id:
                raise TossError("NOT_FOUND_PAYMENT_SESSION")
            check_key_fits(payment.integration, kind)
            if payment.status in ("READY", "EXPIRED", "ABORTED"):
                # never authenticated, or not confirmed in time: the session is gone
                raise TossError("NOT_FOUND_PAYMENT_SESSION")
            if payment.status in SETTLED:
                raise TossError("ALREADY_PROCESSED_PAYMENT")
            settled = store.by_order(order_id)
            if settled is not None and settled.status in SETTLED:
                raise TossError("DUPLICATED_ORDER_ID")
            if amount != payment.amount:
                raise TossError("INVALID_REQUEST", "amount differs from the requested payment")
            payment.confirm()
            return payment.as_payment_object(_root(request))

        return await run(request, keys, store, faults, "confirm", act)

    @post("/v1/payments/{payment_key:str}/cancel", status_code=200)
    async def cancel(request: AnyRequest, payment_key: FromPath[str]) -> Response[Any]:
        async def act(kind: str) -> dict[str, Any]:
            body = await json_body(request)
            reason = _string(body, "cancelReason")
            if len(reason) > CANCEL_REASON_MAX:
                raise TossError("INVALID_REQUEST", "cancelReason is at most 200 characters")
            amount = _amount(body, "cancelAmount", required=False)
            payment = find(payment_key, kind)
            if payment.status == "CANCELED":
                raise TossError("ALREADY_CANCELED_PAYMENT")
            if payment.status not in SETTLED:
                raise TossError("NOT_CANCELABLE_PAYMENT")
            amount = payment.balance if amount is None else amount
            if amount > payment.balance:
                raise TossError("NOT_CANCELABLE_AMOUNT")
            payment.cancel(amount, reason)
            return payment.as_payment_object(_root(request))

        return await run(request, keys, store, faults, "cancel", act)

    @get("/v1/payments/{payment_key:str}", status_code=200)
    async def by_key(request: AnyRequest, payment_key: FromPath[str]) -> Response[Any]:
        async def act(kind: str) -> dict[str, Any]:
            return find(payment_key, kind).as_payment_object(_root(request))

        return await run(request, keys, store, faults, "get", act)

    @get("/v1/payments/orders/{order_id:str}", status_code=200)
    async def by_order(request: AnyRequest, order_id: FromPath[str]) -> Response[Any]:
        async def act(kind: str) -> dict[str, Any]:
            payment = store.by_order(order_id)
            if payment is None:
                raise TossError("NOT_FOUND_PAYMENT")
            check_key_fits(payment.integration, kind)
            return payment.as_payment_object(_root(request))

        return await run(request, keys, store, faults, "get", act)

    return [confirm, cancel, by_key, by_order]

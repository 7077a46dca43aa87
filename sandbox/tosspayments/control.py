"""Sandbox-only switches: faults, the payments as the platform sees them, webhook sending."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
from litestar import Response, delete, get, post
from litestar.handlers import HTTPRouteHandler

from sandbox.faults import Fault, FaultPlan
from sandbox.tosspayments.calls import json_body
from sandbox.tosspayments.errors import AnyRequest, TossError
from sandbox.tosspayments.store import KST, TossStore

KINDS = ("error", "timeout", "no_answer", "delay", "slow")
OPERATIONS = ("confirm", "cancel", "get")
WEBHOOK_TIMEOUT_S = 10.0


def _fault(body: dict[str, Any]) -> tuple[str, Fault]:
    operation, kind = body.get("operation"), body.get("kind")
    if operation not in OPERATIONS or kind not in KINDS:
        raise TossError("INVALID_REQUEST", f"operation in {OPERATIONS}, kind in {KINDS}")
    times, status, seconds = body.get("times", 1), body.get("status", 500), body.get("seconds", 0)
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (times, status)):
        raise TossError("INVALID_REQUEST", "times and status must be integers")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        raise TossError("INVALID_REQUEST", "seconds must be a number")
    return operation, Fault(kind=kind, times=times, status=status, seconds=float(seconds))


def control_handlers(store: TossStore, faults: FaultPlan) -> list[HTTPRouteHandler]:
    @post("/__sandbox__/faults", status_code=200)
    async def arm(request: AnyRequest) -> Response[Any]:
        try:
            operation, fault = _fault(await json_body(request))
        except TossError as exc:
            return exc.response()
        faults.arm(operation, fault)
        return Response(content={"armed": operation, "kind": fault.kind}, status_code=200)

    @delete("/__sandbox__/faults", status_code=204)
    async def clear() -> None:
        faults.clear()

    @get("/__sandbox__/payments", status_code=200)
    async def payments() -> dict[str, Any]:
        return {"payments": [p.summary() for p in store.payments.values()]}

    @post("/__sandbox__/webhook", status_code=200)
    async def webhook(request: AnyRequest) -> Response[Any]:
        """Sends `PAYMENT_STATUS_CHANGED` for a payment to `url` (unsigned, as Toss sends it)."""
        try:
            body = await json_body(request)
            url, payment_key = body.get("url"), body.get("paymentKey")
            if not isinstance(url, str) or not isinstance(payment_key, str):
                raise TossError("INVALID_REQUEST", "url and paymentKey are required")
            payment = store.payments.get(payment_key)
            if payment is None:
                raise TossError("NOT_FOUND_PAYMENT")
        except TossError as exc:
            return exc.response()
        root = str(request.base_url).rstrip("/") + "/tosspayments"
        event = {
            "eventType": "PAYMENT_STATUS_CHANGED",
            "createdAt": datetime.now(KST).replace(tzinfo=None).isoformat(timespec="microseconds"),
            "data": payment.as_payment_object(root),
        }
        try:
            async with httpx.AsyncClient(timeout=WEBHOOK_TIMEOUT_S) as client:
                answer = await client.post(url, json=event)
        except httpx.HTTPError as exc:
            return Response(content={"delivered": False, "error": repr(exc)}, status_code=502)
        return Response(
            content={
                "delivered": answer.status_code == 200,
                "status": answer.status_code,
                "event": event,
            },
            status_code=200,
        )

    return [arm, clear, payments, webhook]

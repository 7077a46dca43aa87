"""The KakaoPay emulator: `/kakaopay` + the real API paths, plus the sandbox's switches."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from litestar import Request, Response, Router, delete, get, post
from litestar.params import FromPath
from litestar.response import Redirect

from sandbox.checkout_page import html_response
from sandbox.config import SandboxConfig
from sandbox.faults import Fault, FaultPlan, hang
from sandbox.kakaopay import operations, page
from sandbox.kakaopay.errors import KakaoError, error_response
from sandbox.kakaopay.store import Clock, Store, system_clock

API = "/online/v1/payment"
PAGE = f"{API}/page"
OPERATIONS: dict[str, Callable[[Store, dict[str, Any]], dict[str, Any]]] = {
    "approve": operations.approve,
    "cancel": operations.cancel,
    "order": operations.order,
}
FAULT_ERRORS = {"approve": (-780, "approval failure!"), "cancel": (-781, "cancel failure!")}


def kakaopay_router(
    config: SandboxConfig, faults: FaultPlan, clock: Clock = system_clock
) -> Router:
    """KakaoPay online single payment. Fault operations: `ready`, `approve`, `cancel`,
    `order`. The buyer's page is `GET /kakaopay/online/v1/payment/page/{tid}`. A payment not
    paid within 15 minutes of `ready` (by `clock`) expires."""
    store = Store(clock=clock)

    async def run(request: Request[Any, Any, Any], operation: str) -> Response[Any]:
        fault = faults.take(operation)
        if fault is not None and fault.kind in ("error", "timeout"):
            if fault.kind == "timeout":
                await hang()
            return _fault_error(operation, fault)
        try:
            _authorise(request, config)
            body = await _json_body(request)
            if operation == "ready":
                answer = operations.ready(store, body, _page_root(request))
            else:
                answer = OPERATIONS[operation](store, body)
        except KakaoError as refused:
            return refused.response()
        if fault is not None and fault.kind == "no_answer":
            await hang()
        if fault is not None and fault.kind == "delay":
            await asyncio.sleep(fault.seconds)
        return Response(content=answer, status_code=200, media_type="application/json")

    @post(f"{API}/{{operation:str}}", status_code=200)
    async def api(request: Request[Any, Any, Any], operation: FromPath[str]) -> Response[Any]:
        if operation not in ("ready", *OPERATIONS):
            return error_response(-2, f"unknown operation {operation}", 404)
        return await run(request, operation)

    @get(f"{PAGE}/{{tid:str}}", status_code=200, media_type="text/html")
    async def payment_page(request: Request[Any, Any, Any], tid: FromPath[str]) -> Response[Any]:
        payment = store.get(tid)
        if payment is None:
            return html_response(page.closed(None), 404)
        return html_response(page.render(payment, request.url.path))

    @post(f"{PAGE}/{{tid:str}}/{{action:str}}", status_code=303)
    async def press(tid: FromPath[str], action: FromPath[str]) -> Response[Any]:
        payment = store.get(tid)
        target = page.press(payment, action) if payment is not None else None
        if target is None:
            return html_response(page.closed(payment), 409)
        return Redirect(path=target, status_code=303)

    @post("/__sandbox__/faults", status_code=200)
    async def arm(request: Request[Any, Any, Any]) -> Response[Any]:
        try:
            spec = json.loads(await request.body())
            operation = spec["operation"]
            fault = Fault(
                kind=spec["kind"],
                times=int(spec.get("times", 1)),
                status=int(spec.get("status", 500)),
                seconds=float(spec.get("seconds", 0)),
            )
        except (ValueError, KeyError, TypeError):
            return error_response(-2, "expected {operation, kind, times?, status?, seconds?}")
        if operation not in ("ready", *OPERATIONS) or fault.kind not in (
            "error",
            "timeout",
            "no_answer",
            "delay",
        ):
            return error_response(-2, f"unknown operation or kind: {spec}")
        faults.arm(operation, fault)
        return Response(content={"armed": spec}, status_code=200)

    @delete("/__sandbox__/faults", status_code=204)
    async def clear() -> None:
        faults.clear()

    @get("/__sandbox__/payments", status_code=200)
    async def payments() -> dict[str, Any]:
        return {"payments": [p.summary() for p in store.payments.values()]}

    return Router(
        path="/kakaopay",
        route_handlers=[api, payment_page, press, arm, clear, payments],
    )


def _authorise(request: Request[Any, Any, Any], config: SandboxConfig) -> None:
    if request.headers.get("authorization") != f"SECRET_KEY {config.kakaopay_secret_key}":
        raise KakaoError(-401, "invalid secret key", status=401)


async def _json_body(request: Request[Any, Any, Any]) -> dict[str, Any]:
    if not request.headers.get("content-type", "").startswith("application/json"):
        raise KakaoError(-2, "Content-Type must be application/json")
    try:
        body = json.loads(await request.body())
    except ValueError:
        raise KakaoError(-2, "the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise KakaoError(-2, "the body must be a JSON object")
    return body


def _page_root(request: Request[Any, Any, Any]) -> str:
    """The payment page on the host the merchant called, so a browser can reach it."""
    url = str(request.url).split("?", 1)[0]
    return url[: url.rindex(f"{API}/")] + PAGE


def _fault_error(operation: str, fault: Fault) -> Response[Any]:
    code, message = FAULT_ERRORS.get(operation, (-799, "sandbox fault"))
    extras = {"method_result_code": "SANDBOX_FAULT", "method_result_message": "armed fault"}
    return error_response(code, message, fault.status, extras)

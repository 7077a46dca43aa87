"""NaverPay's payment API under `/naverpay`, as `{base}/{partnerId}/naverpay/payments/...`.

Operations (names for `POST /naverpay/__sandbox__/faults`): `apply` (v2.2/apply/payment),
`cancel` (v1/cancel), `history` (v2.2/list/history). A fault of kind `error` with a 2xx status
answers HTTP 200 with the operation's documented "not done yet" code (`AlreadyOnGoing`,
`CancelNotComplete`, `MaintenanceOngoing`) without acting; with any other status it answers
`{"code": "Fail", ...}` with that status.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from typing import Any

from litestar import Request, Response, Router, delete, get, post
from litestar.params import FromPath

from sandbox.config import SandboxConfig
from sandbox.faults import Fault, FaultPlan, hang
from sandbox.naverpay import operations
from sandbox.naverpay.page import checkout_handlers
from sandbox.naverpay.responses import Answer, answer, to_response
from sandbox.naverpay.store import Store

API = "/{partner_id:str}/naverpay/payments"
FORM = "application/x-www-form-urlencoded"
NOT_DONE_YET = {
    "apply": "AlreadyOnGoing",
    "cancel": "CancelNotComplete",
    "history": "MaintenanceOngoing",
}
FAULT_KINDS = ("error", "timeout", "no_answer", "delay")


def naverpay_router(config: SandboxConfig, faults: FaultPlan) -> Router:
    """The emulator; its state lives in this router's closure."""
    store = Store()

    def refused(request: Request[Any, Any, Any], partner_id: str) -> Answer | None:
        headers = request.headers
        if (
            headers.get("X-Naver-Client-Id") != config.naverpay_client_id
            or headers.get("X-Naver-Client-Secret") != config.naverpay_client_secret
        ):
            return answer("Unauthorized", "Authentication failed (인증 실패)", status=401)
        if (
            headers.get("X-NaverPay-Chain-Id") != config.naverpay_chain_id
            or partner_id != config.naverpay_partner_id
        ):
            return answer("InvalidMerchant", "유효하지 않은 가맹점입니다.")
        return None

    async def run(
        request: Request[Any, Any, Any],
        partner_id: str,
        operation: str,
        form: Mapping[str, str] | None,
        act: Callable[[], Answer],
        needs_key: bool = True,
    ) -> Response[Any]:
        refusal = refused(request, partner_id)
        if refusal is not None:
            return to_response(refusal)
        if form is None:
            return to_response(operations.bad_request(f"Content-Type must be {FORM}"))
        fault = faults.take(operation)
        if fault is not None and fault.kind in ("error", "timeout"):
            if fault.kind == "timeout":
                await hang()
            return to_response(_fault_answer(operation, fault))
        result = _once(request, operation, form, act) if needs_key else act()
        if fault is not None and fault.kind == "no_answer":
            await hang()
        if fault is not None and fault.kind == "delay":
            await asyncio.sleep(fault.seconds)
        return to_response(result)

    def _once(
        request: Request[Any, Any, Any],
        operation: str,
        form: Mapping[str, str],
        act: Callable[[], Answer],
    ) -> Answer:
        key = request.headers.get("X-NaverPay-Idempotency-Key")
        if not key:
            # apply and cancel move money: NaverPay requires the key so that a retry is safe
            return answer("Fail", "X-NaverPay-Idempotency-Key header is required", status=400)
        fingerprint = (operation, *sorted(form.items()))
        stored = store.answers.get((operation, key))
        if stored is not None:
            if stored[0] != fingerprint:
                return answer("Fail", "idempotency key reused for another request", status=409)
            return stored[1], stored[2]
        status, body = act()
        if status < 500:
            store.answers[(operation, key)] = (fingerprint, status, body)
        return status, body

    @post(f"{API}/v2.2/apply/payment", status_code=200)
    async def apply(request: Request[Any, Any, Any], partner_id: FromPath[str]) -> Response[Any]:
        form = await _form(request)
        return await run(
            request, partner_id, "apply", form, lambda: operations.apply(store, form or {})
        )

    @post(f"{API}/v1/cancel", status_code=200)
    async def cancel(request: Request[Any, Any, Any], partner_id: FromPath[str]) -> Response[Any]:
        form = await _form(request)
        return await run(
            request, partner_id, "cancel", form, lambda: operations.cancel(store, form or {})
        )

    @post(f"{API}/v2.2/list/history/{{payment_id:str}}", status_code=200)
    async def history(
        request: Request[Any, Any, Any], partner_id: FromPath[str], payment_id: FromPath[str]
    ) -> Response[Any]:
        return await run(
            request,
            partner_id,
            "history",
            {},
            lambda: operations.history(store, payment_id),
            needs_key=False,
        )

    @post(f"{API}/v2.2/list/history", status_code=200)
    async def history_by_body(
        request: Request[Any, Any, Any], partner_id: FromPath[str]
    ) -> Response[Any]:
        payment_id = str((await _json(request)).get("paymentId") or "")
        if not payment_id:
            return to_response(operations.bad_request("paymentId is required"))
        return await run(
            request,
            partner_id,
            "history",
            {},
            lambda: operations.history(store, payment_id),
            needs_key=False,
        )

    @post("/__sandbox__/faults", status_code=201)
    async def arm(request: Request[Any, Any, Any]) -> Response[Any]:
        spec = await _json(request)
        operation, kind = spec.get("operation"), spec.get("kind")
        if operation not in NOT_DONE_YET or kind not in FAULT_KINDS:
            ops, kinds = ", ".join(NOT_DONE_YET), ", ".join(FAULT_KINDS)
            return Response(
                content={"error": f"operation must be one of {ops}; kind one of {kinds}"},
                status_code=400,
            )
        try:
            fault = Fault(
                kind=kind,
                times=int(spec.get("times", 1)),
                status=int(spec.get("status", 500)),
                seconds=float(spec.get("seconds", 0)),
            )
        except (TypeError, ValueError):
            return Response(
                content={"error": "times, status, seconds must be numbers"}, status_code=400
            )
        faults.arm(operation, fault)
        return Response(content={"armed": spec}, status_code=201)

    @delete("/__sandbox__/faults", status_code=204)
    async def clear() -> None:
        faults.clear()

    @get("/__sandbox__/payments", status_code=200)
    async def payments() -> dict[str, Any]:
        return {"payments": [p.summary() for p in store.payments.values()]}

    handlers = [apply, cancel, history, history_by_body, arm, clear, payments]
    return Router(path="/naverpay", route_handlers=[*handlers, *checkout_handlers(config, store)])


def _fault_answer(operation: str, fault: Fault) -> Answer:
    if fault.status < 300:
        return answer(NOT_DONE_YET[operation], "sandbox fault: not done yet")
    return answer("Fail", "sandbox fault", status=fault.status)


async def _form(request: Request[Any, Any, Any]) -> dict[str, str] | None:
    if not request.headers.get("Content-Type", "").startswith(FORM):
        return None
    form = await request.form()
    return {key: str(value) for key, value in form.items()}


async def _json(request: Request[Any, Any, Any]) -> dict[str, Any]:
    try:
        value = json.loads(await request.body() or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}

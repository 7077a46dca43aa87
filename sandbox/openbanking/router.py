"""The Open Banking emulator's routes, under `/openbanking` as on `openapi.openbanking.or.kr`.

Fault operations (`POST /openbanking/__sandbox__/faults {"operation": ...}`): `token`
(/oauth/2.0/token), `withdraw` (출금이체), `deposit` (입금이체), `result` (이체결과조회).
Control: `POST /__sandbox__/accounts {"balance"}` enrols a payer (the 3-legged sign-up stand-in),
`GET /__sandbox__/signup` is the same for a person, `GET /__sandbox__/payments` lists payments,
`DELETE /__sandbox__/transfers` starts a new day (forgets every transfer).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from litestar import Request, Response, Router, delete, get, post

from sandbox.config import SandboxConfig
from sandbox.faults import Fault, FaultPlan, hang
from sandbox.openbanking import signup
from sandbox.openbanking.answers import (
    BAD_REQUEST,
    CLIENT_REFUSED,
    TOKEN_INVALID,
    TOKEN_SCOPE,
    answer,
    refuse,
)
from sandbox.openbanking.ledger import Ledger
from sandbox.openbanking.transfers import Transfers

OOB_EXPIRES_IN = 7_776_000  # 90 days, as the platform issues institution tokens
FAULT_KINDS = ("error", "timeout", "no_answer", "delay")


def openbanking_router(config: SandboxConfig, faults: FaultPlan) -> Router:
    """All Open Banking routes over one in-memory ledger."""
    ledger = Ledger()
    transfers = Transfers(
        ledger, config.openbanking_institution_code, config.openbanking_wd_pass_phrase
    )

    async def faulted(operation: str, act: Callable[[], Response[Any]]) -> Response[Any]:
        fault = faults.take(operation)
        if fault is None:
            return act()
        if fault.kind == "error":
            return refuse("A0003", "처리 중 오류 (sandbox fault)", fault.status)
        if fault.kind == "timeout":
            await hang()
            return refuse("A0007", "처리시간 초과 (sandbox fault)", 504)
        result = act()
        await (hang() if fault.kind == "no_answer" else asyncio.sleep(fault.seconds))
        return result

    @post("/oauth/2.0/token", status_code=200)
    async def token(request: Request[Any, Any, Any]) -> Response[Any]:
        form = await request.form()

        def issue() -> Response[Any]:
            if (form.get("client_id"), form.get("client_secret")) != (
                config.openbanking_client_id,
                config.openbanking_client_secret,
            ):
                return refuse(CLIENT_REFUSED, "인증요청 거부-클라이언트 인증 실패", 401)
            if form.get("grant_type") != "client_credentials" or form.get("scope") != "oob":
                return refuse(CLIENT_REFUSED, "인증요청 거부-grant_type/scope 오류", 400)
            return answer(
                {
                    "access_token": ledger.issue_oob_token(),
                    "token_type": "Bearer",
                    "expires_in": OOB_EXPIRES_IN,
                    "scope": "oob",
                    "client_use_code": config.openbanking_institution_code,
                }
            )

        return await faulted("token", issue)

    @post("/v2.0/transfer/withdraw/fin_num", status_code=200)
    async def withdraw(request: Request[Any, Any, Any]) -> Response[Any]:
        token_ = _bearer(request)
        if token_ in ledger.oob_tokens:
            return refuse(TOKEN_SCOPE, "Access Token 권한 부족 (scope = transfer 필요)", 403)
        if token_ not in ledger.user_tokens:
            return refuse(TOKEN_INVALID, "Access Token 검증 실패", 401)
        body = await _json(request)
        if body is None:
            return refuse(BAD_REQUEST, "요청전문 포맷 에러 (JSON 객체가 아닙니다)", 400)
        return await faulted(
            "withdraw", lambda: transfers.withdraw(body, ledger.user_tokens[token_])
        )

    @post("/v2.0/transfer/deposit/fin_num", status_code=200)
    async def deposit(request: Request[Any, Any, Any]) -> Response[Any]:
        refused = _institution_only(request, ledger)
        body = None if refused else await _json(request)
        if refused or body is None:
            return refused or refuse(BAD_REQUEST, "요청전문 포맷 에러", 400)
        return await faulted("deposit", lambda: transfers.deposit(body))

    @post("/v2.0/transfer/result", status_code=200)
    async def result(request: Request[Any, Any, Any]) -> Response[Any]:
        refused = _institution_only(request, ledger)
        body = None if refused else await _json(request)
        if refused or body is None:
            return refused or refuse(BAD_REQUEST, "요청전문 포맷 에러", 400)
        return await faulted("result", lambda: transfers.result(body))

    @post("/__sandbox__/faults", status_code=200)
    async def arm(request: Request[Any, Any, Any]) -> Response[Any]:
        spec = await _json(request)
        if spec is None or spec.get("kind") not in FAULT_KINDS or not spec.get("operation"):
            return answer({"error": f"need operation and kind in {FAULT_KINDS}"}, 400)
        fault = Fault(
            kind=spec["kind"],
            times=int(spec.get("times", 1)),
            status=int(spec.get("status", 500)),
            seconds=float(spec.get("seconds", 0)),
        )
        faults.arm(str(spec["operation"]), fault)
        return answer({"armed": spec})

    @delete("/__sandbox__/faults", status_code=204)
    async def clear() -> None:
        faults.clear()

    @delete("/__sandbox__/transfers", status_code=204)
    async def forget_transfers() -> None:
        """A new day at the bank: every bank_tran_id may be used again (tests whose database
        starts afresh, and so reuses attempt ids, call this between tests)."""
        ledger.transfers.clear()

    @get("/__sandbox__/payments", status_code=200)
    async def payments() -> dict[str, Any]:
        return {"payments": ledger.payments()}

    @post("/__sandbox__/accounts", status_code=201)
    async def enrol(request: Request[Any, Any, Any]) -> Response[Any]:
        spec = await _json(request)
        balance = (spec or {}).get("balance", 1_000_000)
        if isinstance(balance, bool) or not isinstance(balance, int) or balance < 0:
            return answer({"error": "balance must be a non-negative integer"}, 400)
        return answer(signup.credentials(ledger.enrol(balance)), 201)

    return Router(
        path="/openbanking",
        route_handlers=[
            token,
            withdraw,
            deposit,
            result,
            arm,
            clear,
            forget_transfers,
            payments,
            enrol,
            *signup.handlers(ledger),
        ],
    )


def _bearer(request: Request[Any, Any, Any]) -> str:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def _institution_only(request: Request[Any, Any, Any], ledger: Ledger) -> Response[Any] | None:
    token = _bearer(request)
    if token in ledger.user_tokens:
        return refuse(TOKEN_SCOPE, "Access Token 권한 부족 (scope = oob 필요)", 403)
    if token not in ledger.oob_tokens:
        return refuse(TOKEN_INVALID, "Access Token 검증 실패", 401)
    return None


async def _json(request: Request[Any, Any, Any]) -> dict[str, Any] | None:
    try:
        body = json.loads(await request.body() or b"null")
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None

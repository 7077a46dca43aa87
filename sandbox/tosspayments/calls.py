"""What every core API call shares: auth, JSON body, idempotency keys and failure switches."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Response

from sandbox.faults import FaultPlan, hang
from sandbox.tosspayments.errors import (
    AnyRequest,
    TossError,
    check_secret_key,
    code_for_status,
    error_response,
)
from sandbox.tosspayments.store import TossStore

IDEMPOTENCY_KEY_MAX = 300
Action = Callable[[str], Awaitable[dict[str, Any]]]


async def json_body(request: AnyRequest) -> dict[str, Any]:
    try:
        body = json.loads(await request.body() or b"null")
    except (ValueError, UnicodeDecodeError):
        raise TossError("INVALID_REQUEST", "body is not JSON") from None
    if not isinstance(body, dict):
        raise TossError("INVALID_REQUEST", "body must be a JSON object")
    return body


async def run(
    request: AnyRequest,
    keys: tuple[str, ...],
    store: TossStore,
    faults: FaultPlan,
    operation: str,
    action: Action,
) -> Response[Any]:
    """Checks the key, replays an answer already given for the same Idempotency-Key (per key,
    API key, path and method, as Toss does), answers 409 IDEMPOTENT_REQUEST_PROCESSING while a
    request with that key is still running, applies an armed fault, then acts (the action gets
    the secret key's kind)."""
    slot = None
    try:
        kind = check_secret_key(request, keys)
        key = request.headers.get("idempotency-key")
        if key is not None and not 0 < len(key) <= IDEMPOTENCY_KEY_MAX:
            raise TossError("INVALID_REQUEST", "Idempotency-Key must be 1-300 characters")
        slot = (key, request.method, request.url.path, request.headers.get("authorization"))
        if not key:
            slot = None
        if slot and slot in store.replies:
            status, body = store.replies[slot]
            return Response(content=body, status_code=status)
        if slot and slot in store.running:
            slot = None  # not ours to release
            raise TossError("IDEMPOTENT_REQUEST_PROCESSING")
        if slot:
            store.running.add(slot)
        fault = faults.take(operation)
        if fault and fault.kind == "error":
            return error_response(fault.status, code_for_status(fault.status))
        if fault and fault.kind == "timeout":
            await hang()
            return error_response(504, "FAILED_INTERNAL_SYSTEM_PROCESSING")
        if fault and fault.kind == "slow":
            await asyncio.sleep(fault.seconds)
        body = await action(kind)
        if slot:
            store.replies[slot] = (200, body)
    except TossError as exc:
        return exc.response()
    finally:
        if slot:
            store.running.discard(slot)
    if fault and fault.kind == "no_answer":
        await hang()
    elif fault and fault.kind == "delay":
        await asyncio.sleep(fault.seconds)
    return Response(content=body, status_code=200)

"""A lean KakaoPay for the lifecycle benchmark, so that the platform is not the bottleneck.

    python -m tests.load.fast_kakaopay --port N [--secret-key KEY]

It speaks KakaoPay's public online-payment API at `/kakaopay/online/v1/payment/{ready,
approve,order,cancel}` (JSON, `Authorization: SECRET_KEY ...`) and the buyer's side at
`POST /kakaopay/online/v1/payment/page/{tid}/pay` (303 to the approval URL with a pg_token),
as a bare ASGI callable on uvicorn (uvloop, httptools): no framework, no fault injection,
nothing kept but what the four operations need. The full emulator is sandbox/kakaopay.
"""

from __future__ import annotations

import argparse
import itertools
import json
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode

import uvicorn

from adapters.config import SANDBOX_KAKAOPAY_SECRET_KEY

API = "/kakaopay/online/v1/payment/"
PAGE = API + "page/"
KST = timezone(timedelta(hours=9))
Send = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass
class Payment:
    tid: str
    cid: str
    partner_order_id: str
    partner_user_id: str
    item_name: str
    quantity: int
    total: int
    approval_url: str
    status: str = "READY"
    pg_token: str | None = None
    created_at: str = field(default_factory=lambda: _now())
    approved_at: str | None = None
    canceled: int = 0
    actions: list[dict[str, Any]] = field(default_factory=list)

    def answer(self) -> dict[str, Any]:
        return {
            "tid": self.tid,
            "cid": self.cid,
            "status": self.status,
            "partner_order_id": self.partner_order_id,
            "partner_user_id": self.partner_user_id,
            "payment_method_type": "MONEY" if self.approved_at else None,
            "item_name": self.item_name,
            "quantity": self.quantity,
            "amount": _amount(self.total),
            "canceled_amount": _amount(self.canceled),
            "cancel_available_amount": _amount(self.total - self.canceled),
            "payment_action_details": self.actions,
            "created_at": self.created_at,
            "approved_at": self.approved_at,
        }


class Refused(Exception):
    def __init__(self, code: int, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


class FastKakaoPay:
    """The ASGI app; payments live in a dict for the process's lifetime."""

    def __init__(self, secret_key: str) -> None:
        self._authorization = f"SECRET_KEY {secret_key}".encode()
        self._payments: dict[str, Payment] = {}
        self._ids = itertools.count(1)
        self._operations = {
            "ready": self._ready,
            "approve": self._approve,
            "order": self._order,
            "cancel": self._cancel,
        }

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Send) -> None:
        if scope["type"] != "http":
            return  # lifespan: nothing to start
        path: str = scope["path"]
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        if path.startswith(PAGE) and path.endswith("/pay") and scope["method"] == "POST":
            await self._press_pay(path[len(PAGE) : -len("/pay")], send)
            return
        operation = self._operations.get(path[len(API) :]) if path.startswith(API) else None
        if operation is None or scope["method"] != "POST":
            await _json(send, 404, {"error_code": -2, "error_message": "not found"})
            return
        try:
            if dict(scope["headers"]).get(b"authorization") != self._authorization:
                raise Refused(-401, "invalid secret key", 401)
            answer = operation(_object(body), scope)
        except Refused as refused:
            error = {"error_code": refused.code, "error_message": refused.message}
            await _json(send, refused.status, error)
            return
        await _json(send, 200, answer)

    def _ready(self, body: dict[str, Any], scope: dict[str, Any]) -> dict[str, Any]:
        total = _int(body, "total_amount")
        payment = Payment(
            tid=f"T{next(self._ids):019d}",
            cid=_text(body, "cid"),
            partner_order_id=_text(body, "partner_order_id"),
            partner_user_id=_text(body, "partner_user_id"),
            item_name=_text(body, "item_name"),
            quantity=_int(body, "quantity"),
            total=total,
            approval_url=_text(body, "approval_url"),
        )
        self._payments[payment.tid] = payment
        host = dict(scope["headers"]).get(b"host", b"127.0.0.1").decode()
        page = f"http://{host}{PAGE}{payment.tid}"
        return {
            "tid": payment.tid,
            "next_redirect_pc_url": f"{page}?client=pc",
            "next_redirect_mobile_url": f"{page}?client=mobile",
            "next_redirect_app_url": f"{page}?client=app",
            "created_at": payment.created_at,
        }

    def _approve(self, body: dict[str, Any], _scope: dict[str, Any]) -> dict[str, Any]:
        payment = self._payment(body)
        if _text(body, "partner_order_id") != payment.partner_order_id:
            raise Refused(-706, "partner_order_id does not match the ready request")
        if payment.status == "SUCCESS_PAYMENT":
            raise Refused(-702, "payment is already done!")
        if payment.status != "AUTH_PASSWORD" or _text(body, "pg_token") != payment.pg_token:
            raise Refused(-780, "approval failure!")
        payment.status, payment.pg_token, payment.approved_at = "SUCCESS_PAYMENT", None, _now()
        payment.actions.append(
            {"aid": f"A{payment.tid}", "payment_action_type": "PAYMENT", "amount": payment.total}
        )
        return {"aid": f"A{payment.tid}", **payment.answer()}

    def _order(self, body: dict[str, Any], _scope: dict[str, Any]) -> dict[str, Any]:
        return self._payment(body).answer()

    def _cancel(self, body: dict[str, Any], _scope: dict[str, Any]) -> dict[str, Any]:
        payment = self._payment(body)
        amount = _int(body, "cancel_amount")
        if payment.status not in ("SUCCESS_PAYMENT", "PART_CANCEL_PAYMENT"):
            raise Refused(-781, "cancel failure!")
        if amount > payment.total - payment.canceled:
            raise Refused(-781, "cancel failure!")
        payment.canceled += amount
        full = payment.canceled == payment.total
        payment.status = "CANCEL_PAYMENT" if full else "PART_CANCEL_PAYMENT"
        payment.actions.append(
            {"payment_action_type": "CANCEL", "amount": -amount, "payload": body.get("payload")}
        )
        return {**payment.answer(), "approved_cancel_amount": _amount(amount)}

    def _payment(self, body: dict[str, Any]) -> Payment:
        payment = self._payments.get(_text(body, "tid"))
        if payment is None or payment.cid != _text(body, "cid"):
            raise Refused(-721, "invalid tid")
        return payment

    async def _press_pay(self, tid: str, send: Send) -> None:
        payment = self._payments.get(tid)
        if payment is None or payment.status != "READY":
            await _json(send, 409, {"error_code": -701, "error_message": "cannot be paid"})
            return
        payment.status, payment.pg_token = "AUTH_PASSWORD", secrets.token_hex(10)
        joiner = "&" if "?" in payment.approval_url else "?"
        location = f"{payment.approval_url}{joiner}{urlencode({'pg_token': payment.pg_token})}"
        headers = [(b"location", location.encode()), (b"content-length", b"0")]
        await send({"type": "http.response.start", "status": 303, "headers": headers})
        await send({"type": "http.response.body", "body": b""})


async def _json(send: Send, status: int, answer: dict[str, Any]) -> None:
    body = json.dumps(answer).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _object(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body)
    except ValueError:
        raise Refused(-2, "the body is not valid JSON") from None
    if not isinstance(value, dict):
        raise Refused(-2, "the body must be a JSON object")
    return value


def _text(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise Refused(-2, f"{key} is required")
    return value


def _int(body: dict[str, Any], key: str) -> int:
    value = body.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise Refused(-2, f"{key} must be a positive integer")
    return value


def _amount(total: int) -> dict[str, int]:
    return {"total": total, "tax_free": 0, "vat": round(total / 11), "point": 0, "discount": 0}


def _now() -> str:
    return datetime.now(KST).replace(tzinfo=None, microsecond=0).isoformat()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.load.fast_kakaopay")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--secret-key", default=SANDBOX_KAKAOPAY_SECRET_KEY)
    args = parser.parse_args(argv)
    uvicorn.run(
        FastKakaoPay(args.secret_key),
        host="127.0.0.1",
        port=args.port,
        loop="uvloop",
        http="httptools",
        lifespan="off",
        log_level="warning",
        access_log=False,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

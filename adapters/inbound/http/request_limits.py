"""Hostile input is a 4xx, and fast: one ASGI middleware in front of every route.

Before a handler runs, and before any body is parsed:
- the body is bounded per route (the payment callbacks, unauthenticated, take small bodies
  only) — a declared `Content-Length` over the limit is refused without reading a byte, a
  streamed one as soon as it passes the limit (413); a body that trickles in slower than the
  read timeout is 408;
- a JSON body must be well-formed (400, on every route, callbacks included), nested at most
  `MAX_JSON_DEPTH` deep (checked by a linear scan before any parser recurses), and free of
  control characters in every string, keys included;
- the path, the query and urlencoded form fields are free of control characters;
- integer path parameters (ids) lie in the signed 63-bit range the database stores.
Refusals are raised as Litestar HTTP exceptions, so the app's one error table turns them into
the envelope."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import msgspec
from litestar.enums import ScopeType
from litestar.exceptions import ClientException, HTTPException
from litestar.types import ASGIApp, Receive, ReceiveMessage, Scope, Send

from adapters.inbound.http.schemas import MAX_ID

MAX_JSON_DEPTH = 32
MAX_BODY_BYTES = 256 * 1024
"""Any route: enough for a matched group of 10,000 order ids."""
MAX_CALLBACK_BODY_BYTES = 16 * 1024
"""The platforms' redirects and webhooks: a form or a payment object, never more."""
CALLBACK_PREFIXES = ("/api/v1/order/transaction/done/", "/api/v1/transaction/")
BODY_READ_TIMEOUT_S = 10.0

# Unicode control characters (category Cc): C0, DEL and C1. Tab and line feed included.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Limits:
    max_body_bytes: int = MAX_BODY_BYTES
    max_callback_body_bytes: int = MAX_CALLBACK_BODY_BYTES
    max_json_depth: int = MAX_JSON_DEPTH
    body_read_timeout_s: float = BODY_READ_TIMEOUT_S

    def body_limit(self, path: str) -> int:
        if path.startswith(CALLBACK_PREFIXES):
            return self.max_callback_body_bytes
        return self.max_body_bytes


class RequestTooLarge(HTTPException):
    status_code = 413


class RequestTimeout(HTTPException):
    status_code = 408


def request_limits(limits: Limits | None = None) -> Any:
    """The middleware factory Litestar's `middleware=[...]` takes."""
    chosen = limits or Limits()

    def factory(app: ASGIApp) -> ASGIApp:
        return RequestLimitsMiddleware(app, chosen)

    return factory


class RequestLimitsMiddleware:
    def __init__(self, app: ASGIApp, limits: Limits) -> None:
        self._app, self._limits = app, limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self._app(scope, receive, send)
            return
        check_target(scope)
        headers = _headers(scope)
        limit = self._limits.body_limit(scope["path"])
        declared = headers.get("content-length")
        if declared is not None:
            if not declared.isdigit():
                raise ClientException("invalid Content-Length")
            if int(declared) > limit:
                raise RequestTooLarge(f"the body is larger than this route takes ({limit} bytes)")
        if declared in (None, "0") and "transfer-encoding" not in headers:
            await self._app(scope, receive, send)
            return
        body, rest = await self._read_body(receive, limit)
        check_body(body, headers.get("content-type", ""), self._limits.max_json_depth)
        await self._app(scope, _replay(body, rest, receive), send)

    async def _read_body(self, receive: Receive, limit: int) -> tuple[bytes, list[ReceiveMessage]]:
        chunks: list[bytes] = []
        size = 0
        try:
            async with asyncio.timeout(self._limits.body_read_timeout_s):
                while True:
                    message = await receive()
                    if message["type"] != "http.request":  # the client went away
                        return b"".join(chunks), [message]
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    if size > limit:
                        raise RequestTooLarge(
                            f"the body is larger than this route takes ({limit} bytes)"
                        )
                    chunks.append(chunk)
                    if not message.get("more_body", False):
                        return b"".join(chunks), []
        except TimeoutError as exc:
            raise RequestTimeout("the request body arrived too slowly") from exc


def check_target(scope: Scope) -> None:
    """The path, query and integer path parameters of the request."""
    if _CONTROL.search(scope["path"]):
        raise ClientException("control characters are not allowed in the path")
    query = scope.get("query_string", b"")
    if query:
        _check_pairs(_pairs(query), "query")
    for name, value in (scope.get("path_params") or {}).items():
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_ID:
            raise ClientException(f"{name} is out of range (at most {MAX_ID})")


def check_body(body: bytes, content_type: str, max_depth: int) -> None:
    """A JSON body is well-formed, shallow and clean; a form body is clean."""
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        _check_pairs(_pairs(body), "form")
    if not body.strip():
        return
    # Litestar decodes a handler's `data` as JSON whatever the Content-Type says, so every
    # body that *is* JSON is checked, declared or not. Nesting cannot exceed the number of
    # brackets: the scan only runs when it could.
    brackets = body.count(b"[") + body.count(b"{")
    if brackets > max_depth and json_depth(body) > max_depth:
        raise ClientException(f"the JSON body is nested deeper than {max_depth} levels")
    try:
        value = msgspec.json.decode(body)
    except msgspec.DecodeError as exc:
        if not is_json(kind):  # not declared as JSON: the handler decides what the body is
            return
        raise ClientException(f"the body is not valid JSON: {exc}") from exc
    for text in _strings(value):
        if _CONTROL.search(text):
            raise ClientException("control characters are not allowed in text fields")


def is_json(kind: str) -> bool:
    """Whether a media type (without parameters) is read as JSON: `application/json`,
    `+json` types, and the `text/json`-like ones a handler may also accept. Every route that
    reads JSON must agree with this, or a body escapes the checks above."""
    return "json" in kind


def check_text(values: Iterable[str], where: str) -> None:
    """No control characters in values a handler took from a body (e.g. a multipart form)."""
    for text in values:
        if _CONTROL.search(text):
            raise ClientException(f"control characters are not allowed in {where} parameters")


def json_depth(body: bytes) -> int:
    """How deeply arrays and objects nest in `body` (brackets inside strings do not count).
    Linear and iterative: it cannot be made to recurse."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return deepest


def _strings(value: object) -> Iterable[str]:
    """Every string in a decoded JSON value, keys included, without recursion."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def _pairs(raw: bytes) -> list[tuple[str, str]]:
    try:
        return parse_qsl(raw.decode("utf-8"), keep_blank_values=True, max_num_fields=1000)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ClientException(f"malformed parameters: {exc}") from exc


def _check_pairs(pairs: list[tuple[str, str]], where: str) -> None:
    for key, value in pairs:
        if _CONTROL.search(key) or _CONTROL.search(value):
            raise ClientException(f"control characters are not allowed in {where} parameters")


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


def _replay(body: bytes, rest: list[ReceiveMessage], client: Receive) -> Receive:
    """A `receive` that hands the handler the body already read, then the client's messages."""
    first: ReceiveMessage = {"type": "http.request", "body": body, "more_body": False}
    pending = [first, *rest]

    async def receive() -> ReceiveMessage:
        if pending:
            return pending.pop(0)
        return await client()

    return receive

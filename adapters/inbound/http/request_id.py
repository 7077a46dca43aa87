"""Every request has an id: the caller's `X-Request-ID` when it is a sane token, a new one
otherwise. It is on every log line written while the request is handled and in the answer."""

from __future__ import annotations

import re
import uuid
from typing import Any

import structlog

HEADER = b"x-request-id"
ACCEPTABLE = re.compile(rb"[A-Za-z0-9._:@/+=-]{1,128}")


def request_id_of(headers: list[tuple[bytes, bytes]]) -> str:
    for name, value in headers:
        if name.lower() == HEADER and ACCEPTABLE.fullmatch(value.strip()):
            return value.strip().decode("ascii")
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Plain ASGI middleware, outermost, so that even other middleware logs carry the id."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope.get("headers") or [])
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != HEADER]
                message = {**message, "headers": [*headers, (HEADER, request_id.encode())]}
            await send(message)

        # Set and reset by token rather than with `bound_contextvars`, which copies and walks
        # the whole context on every request; the reset restores whatever was bound before.
        bound = structlog.contextvars.bind_contextvars(requestId=request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            structlog.contextvars.reset_contextvars(**bound)

"""Operator endpoints (`/metrics`, `/ops`) need the service credential in `jwt` mode.

A browser cannot send a Bearer header, so the console also accepts the same token from the
`gonggu_ops` cookie (HttpOnly, SameSite=Strict) that its sign-in form sets."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

OPS_COOKIE = "gonggu_ops"


def service_caller(connection: ASGIConnection[Any, Any, Any, Any]) -> Any:
    authenticator = connection.app.state.container.authenticator()
    token = connection.cookies.get(OPS_COOKIE)
    if "authorization" not in connection.headers and token:
        # The authenticator reads only a header; hand it the cookie's token as one.
        return authenticator.caller(SimpleNamespace(headers={"authorization": f"Bearer {token}"}))
    return authenticator.caller(connection)


def service_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    service_caller(connection).require_service()

"""Use-cases come from the dependency-injector container kept in `app.state.container`."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import Provide

from adapters.inbound.http.identity import Caller


def use_case(provider_name: str) -> Provide:
    def provide(request: Request[Any, Any, Any]) -> Any:
        return getattr(request.app.state.container, provider_name)()

    return Provide(provide, sync_to_thread=False)


def provide_caller(request: Request[Any, Any, Any]) -> Caller:
    authenticator = request.app.state.container.authenticator()
    caller: Caller = authenticator.caller(request)
    return caller

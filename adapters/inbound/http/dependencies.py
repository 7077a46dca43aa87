"""Use-cases come from the dependency-injector container kept in `app.state.container`."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import NamedDependency, Provide

from adapters.inbound.http.identity import Caller


def use_case(provider_name: str) -> Provide:
    def provide(request: Request[Any, Any, Any]) -> Any:
        return getattr(request.app.state.container, provider_name)()

    return Provide(provide, sync_to_thread=False)


def caller_use_case(provider_name: str) -> Provide:
    """A use-case for routes that take the `caller`: built once the caller is known.

    Litestar resolves a route's dependencies level by level, and two of one level concurrently
    in an anyio task group: two tasks per request (~0.1 ms of CPU) for two functions that never
    await. Depending on `caller` puts the use-case a level below it, and a level of one
    dependency is called in place. A route that does not take a caller must use `use_case`:
    this one would make it authenticate (tests/unit/test_http_dependencies.py checks)."""

    def provide(request: Request[Any, Any, Any], caller: NamedDependency[Caller]) -> Any:
        return getattr(request.app.state.container, provider_name)()

    return Provide(provide, sync_to_thread=False)


def provide_caller(request: Request[Any, Any, Any]) -> Caller:
    authenticator = request.app.state.container.authenticator()
    caller: Caller = authenticator.caller(request)
    return caller

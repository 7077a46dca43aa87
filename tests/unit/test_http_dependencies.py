"""A use-case built after the caller (`caller_use_case`) makes its route authenticate: only
routes that take the caller may use one, and every route that takes the caller does, so that
none of them pays for an anyio task group to resolve two trivial dependencies."""

from __future__ import annotations

from litestar.handlers import HTTPRouteHandler

from adapters.config import Settings
from bootstrap import build_container, create_app


def _routes() -> list[tuple[str, HTTPRouteHandler]]:
    app = create_app(build_container(Settings(database_url="sqlite+aiosqlite:///:memory:")))
    return [
        (route.path, handler)
        for route in app.routes
        for handler in getattr(route, "route_handlers", [])
        if isinstance(handler, HTTPRouteHandler)
    ]


def _used(handler: HTTPRouteHandler) -> dict[str, str]:
    """The dependencies the handler's function takes, by name: the provider's qualified name."""
    taken = handler.parsed_fn_signature.parameters
    return {
        name: provide.dependency.__qualname__
        for name, provide in handler.resolve_dependencies().items()
        if name in taken
    }


def test_only_routes_that_take_the_caller_build_a_use_case_after_it() -> None:
    wrong = [
        (path, name)
        for path, handler in _routes()
        for name, provider in _used(handler).items()
        if provider.startswith("caller_use_case.") and "caller" not in _used(handler)
    ]
    assert wrong == []


def test_routes_that_take_the_caller_resolve_one_dependency_per_level() -> None:
    parallel = [
        path
        for path, handler in _routes()
        if "caller" in _used(handler)
        and any(p.startswith("use_case.") for p in _used(handler).values())
    ]
    assert parallel == []
    assert any("caller" in _used(handler) for _, handler in _routes())

"""What `gonggu serve` tells uvicorn, so that slow or greedy clients cannot hold the server:
a connection limit (503 beyond it), an idle keep-alive timeout, a bound on the request head,
and a listen backlog. Request bodies are bounded and timed by the app itself
(`adapters/inbound/http/request_limits.py`)."""

from __future__ import annotations

from typing import Any, Protocol


class ServerSettings(Protocol):
    server_limit_concurrency: int
    server_timeout_keep_alive_s: int
    server_max_header_bytes: int
    server_backlog: int
    server_timeout_graceful_shutdown_s: int


def uvicorn_limits(settings: ServerSettings) -> dict[str, Any]:
    """Keyword arguments of `uvicorn.Config`."""
    return {
        "limit_concurrency": settings.server_limit_concurrency,
        "timeout_keep_alive": settings.server_timeout_keep_alive_s,
        "h11_max_incomplete_event_size": settings.server_max_header_bytes,
        "backlog": settings.server_backlog,
        "timeout_graceful_shutdown": settings.server_timeout_graceful_shutdown_s,
    }

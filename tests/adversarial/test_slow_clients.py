"""Slow and greedy clients: a body that trickles in is cut off (408), a real `gonggu serve`
refuses connections beyond its limit (503) and closes idle keep-alive connections."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.inbound.http.request_limits import Limits, RequestLimitsMiddleware, RequestTimeout
from tests.faults.support import gonggu_service, process_env
from tests.support.live_server import LiveServer, free_port


async def _never_called(scope: Any, receive: Any, send: Any) -> None:
    raise AssertionError("the handler must not run before the body has arrived")


def test_a_body_that_trickles_in_slower_than_the_read_timeout_is_408() -> None:
    middleware = RequestLimitsMiddleware(_never_called, Limits(body_read_timeout_s=0.2))
    scope: dict[str, Any] = {
        "type": "http",
        "method": "POST",
        "path": "/api/v1/user",
        "query_string": b"",
        "headers": [(b"content-type", b"application/json"), (b"content-length", b"100")],
    }
    sent: list[bytes] = []

    async def trickle() -> dict[str, Any]:
        sent.append(b"{")
        await asyncio.sleep(0.15 if len(sent) < 3 else 10)  # one byte now and then, then stall
        return {"type": "http.request", "body": b" ", "more_body": True}

    async def send(message: Any) -> None:
        raise AssertionError("the middleware raises; the app's error table answers")

    with pytest.raises(RequestTimeout) as refused:
        asyncio.run(middleware(scope, trickle, send))  # type: ignore[arg-type]

    assert refused.value.status_code == 408


def idle_connection(port: int) -> socket.socket:
    """A client that opens a connection, sends half a request head, and waits (slowloris)."""
    conn = socket.create_connection(("127.0.0.1", port), timeout=5)
    conn.sendall(b"GET /api/v1/product/1 HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    return conn


@pytest.fixture
def limited_service(sqlite_url: str, sandbox_server: LiveServer, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = process_env(
        sqlite_url,
        sandbox_server.url,
        url,
        server_limit_concurrency=3,
        server_timeout_keep_alive_s=1,
    )
    with gonggu_service(port, env, tmp_path / "serve.log"):
        yield url


@pytest.mark.slow
def test_connections_beyond_the_limit_are_refused_until_others_go(limited_service: str) -> None:
    port = int(limited_service.rsplit(":", 1)[1])
    held = [idle_connection(port), idle_connection(port)]
    try:
        time.sleep(0.3)
        crowded = httpx.get(f"{limited_service}/health", timeout=5)
    finally:
        for conn in held:
            conn.close()
    time.sleep(0.3)
    freed = httpx.get(f"{limited_service}/health", timeout=5)

    assert crowded.status_code == 503
    assert freed.status_code == 200


def read_response(conn: socket.socket) -> bytes:
    """One whole HTTP response (head and Content-Length body), however it is split."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += conn.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += conn.recv(65536)
    return head + b"\r\n\r\n" + body


@pytest.mark.slow
def test_an_idle_keep_alive_connection_is_closed_by_the_server(limited_service: str) -> None:
    port = int(limited_service.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        first = read_response(conn)
        time.sleep(2.5)  # longer than GONGGU_SERVER_TIMEOUT_KEEP_ALIVE_S=1, shorter than 5 s
        conn.settimeout(0.5)  # uvicorn's default (5 s) would still hold it open: a timeout
        after = conn.recv(65536)

    assert first.startswith(b"HTTP/1.1 200")
    assert after == b""  # the server hung up

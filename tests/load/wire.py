"""A lean HTTP/1.1 keep-alive client for the benchmark's load generator.

httpx spends about half a millisecond of CPU per request, which on a 2-core machine is taken
from the processes being measured. One `Connection` is one virtual client's socket: a request
is written in one go and the answer parsed by httptools (the parser uvicorn uses).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass, field
from typing import Any

import httptools


@dataclass
class Reply:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def json(self) -> Any:
        return json.loads(self.body)


class _Parsed:
    """httptools' callbacks, collecting one answer."""

    def __init__(self) -> None:
        self.headers: dict[str, str] = {}
        self.chunks: list[bytes] = []
        self.done = False

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers[name.decode("latin-1").lower()] = value.decode("latin-1")

    def on_body(self, body: bytes) -> None:
        self.chunks.append(body)

    def on_message_complete(self) -> None:
        self.done = True


class Connection:
    """One keep-alive connection to `host:port`; reconnects when the server closed it."""

    def __init__(self, host: str, port: int) -> None:
        self._host, self._port = host, port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None
        self._authority = f"{host}:{port}".encode()

    async def request(
        self,
        method: str,
        target: str,
        *,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
    ) -> Reply:
        head = [f"{method} {target} HTTP/1.1".encode(), b"Host: " + self._authority]
        for name, value in (headers or {}).items():
            head.append(f"{name}: {value}".encode())
        if body or method in ("POST", "PUT", "PATCH"):
            head.append(b"Content-Length: " + str(len(body)).encode())
        message = b"\r\n".join(head) + b"\r\n\r\n" + body
        try:
            return await self._exchange(message)
        except (ConnectionError, asyncio.IncompleteReadError, EOFError):
            await self.close()  # the server closed an idle keep-alive connection: once more
            return await self._exchange(message)

    async def json(self, method: str, target: str, value: Any, **headers: str) -> Reply:
        body = json.dumps(value).encode()
        return await self.request(
            method, target, body=body, headers={"Content-Type": "application/json", **headers}
        )

    async def _exchange(self, message: bytes) -> Reply:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self._host, self._port)
        assert self._reader is not None
        self._writer.write(message)
        parsed = _Parsed()
        parser = httptools.HttpResponseParser(parsed)
        while not parsed.done:
            data = await self._reader.read(65536)
            if not data:
                raise EOFError("the server closed the connection")
            parser.feed_data(data)
        if not parser.should_keep_alive():
            await self.close()
        return Reply(parser.get_status_code(), parsed.headers, b"".join(parsed.chunks))

    async def close(self) -> None:
        writer, self._writer, self._reader = self._writer, None, None
        if writer is not None:
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()

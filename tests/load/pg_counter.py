"""A PostgreSQL protocol proxy that counts what a client sends: statements and round trips.

The benchmark points the service at it for a short counting pass (never during the timed
rounds). A statement is a simple `Query` or an extended-protocol `Execute`; a round trip is
a message after which the client waits for the server (`Query` or `Sync`).
"""

from __future__ import annotations

import asyncio
import contextlib
import struct
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

SSL_REQUEST, GSS_REQUEST = 80877103, 80877104
STATEMENT_TYPES = {b"Q", b"E"}
ROUND_TRIP_TYPES = {b"Q", b"S"}


@dataclass
class Counts:
    messages: Counter[bytes] = field(default_factory=Counter)

    @property
    def statements(self) -> int:
        return sum(self.messages[t] for t in STATEMENT_TYPES)

    @property
    def round_trips(self) -> int:
        return sum(self.messages[t] for t in ROUND_TRIP_TYPES)

    @property
    def transactions(self) -> int:
        return self.messages[b"BEGIN"]


class _Frontend:
    """Splits the client's byte stream into messages and counts them."""

    def __init__(self, counts: Counts) -> None:
        self._counts, self._buffer, self._started = counts, b"", False

    def feed(self, data: bytes) -> None:
        self._buffer += data
        while True:
            if not self._started:
                if len(self._buffer) < 8:
                    return
                length, code = struct.unpack("!ii", self._buffer[:8])
                if len(self._buffer) < length:
                    return
                self._buffer = self._buffer[length:]
                self._started = code not in (SSL_REQUEST, GSS_REQUEST)
                continue
            if len(self._buffer) < 5:
                return
            kind = self._buffer[:1]
            (length,) = struct.unpack("!i", self._buffer[1:5])
            if len(self._buffer) < 1 + length:
                return
            payload = self._buffer[5 : 1 + length]
            self._buffer = self._buffer[1 + length :]
            self._counts.messages[kind] += 1
            if kind in (b"Q", b"P") and b"BEGIN" in payload[:64].upper():
                self._counts.messages[b"BEGIN"] += 1


@contextlib.contextmanager
def counting_proxy(upstream_host: str, upstream_port: int) -> Iterator[tuple[int, Counts]]:
    """Listens on a free loopback port in a thread of its own; yields (port, counts)."""
    counts = Counts()
    loop = asyncio.new_event_loop()
    started: asyncio.Future[int] = loop.create_future()

    async def pump(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, frontend: _Frontend | None
    ) -> None:
        try:
            while data := await reader.read(65536):
                if frontend is not None:
                    frontend.feed(data)
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def serve(client: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        upstream, upstream_writer = await asyncio.open_connection(upstream_host, upstream_port)
        await asyncio.gather(
            pump(client, upstream_writer, _Frontend(counts)),
            pump(upstream, client_writer, None),
        )

    async def listen() -> asyncio.Server:
        server = await asyncio.start_server(serve, "127.0.0.1", 0)
        started.set_result(server.sockets[0].getsockname()[1])
        return server

    server = loop.run_until_complete(listen())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield started.result(), counts
    finally:
        loop.call_soon_threadsafe(server.close)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)

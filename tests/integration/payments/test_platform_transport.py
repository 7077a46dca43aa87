"""The platform clients' aiohttp transport against real sockets: an answer, the ways a platform
fails to answer (each an unknown outcome through `http_errors.send`, never a bare aiohttp
error), the configured timeout, keep-alive and closing.

The servers are plain sockets so they can misbehave below HTTP; each connection is served in
its own thread.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager, suppress

import aiohttp
import httpx
import pytest

from adapters.outbound.payments.http_clients import PlatformHttpClients
from adapters.outbound.payments.kakaopay.api import KakaoPayApi
from adapters.outbound.payments.kakaopay.config import KakaoPayConfig
from domain.errors import PaymentOutcomeUnknown

pytestmark = pytest.mark.anyio

TIMEOUT_S = 0.4
Handler = Callable[[socket.socket], None]


class RawServer:
    """Accepts connections on a loopback port and hands each to `handler` in a thread."""

    def __init__(self, handler: Handler) -> None:
        self._handler = handler
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self.connections = 0
        self.requests: list[bytes] = []
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        self._listener.settimeout(0.05)
        while not self._stopped.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn, suppress(OSError):  # the client gave up: nothing left to serve
            conn.settimeout(5)
            self._handler(conn)

    def read_request(self, conn: socket.socket) -> bytes | None:
        """One request's head and body off the connection; None when the client closed it."""
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = next(
            (
                int(line.split(b":", 1)[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            ),
            0,
        )
        while len(body) < length:
            body += conn.recv(65536)
        self.requests.append(body)
        return body

    @contextmanager
    def running(self) -> Iterator[RawServer]:
        self._thread.start()
        try:
            yield self
        finally:
            self._stopped.set()
            self._thread.join(timeout=5)
            self._listener.close()


def json_answer(body: dict[str, object]) -> bytes:
    content = json.dumps(body).encode()
    return (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(content)}\r\n\r\n".encode()
        + content
    )


@contextmanager
def serving(handler: Callable[[RawServer, socket.socket], None]) -> Iterator[RawServer]:
    server: RawServer
    server = RawServer(lambda conn: handler(server, conn))
    with server.running():
        yield server


def kakaopay(server: RawServer, clients: PlatformHttpClients) -> KakaoPayApi:
    """A platform adapter as bootstrap builds it: its configured timeout, the shared client."""
    config = KakaoPayConfig(base_url=server.url, secret_key="secret", timeout_s=TIMEOUT_S)
    return KakaoPayApi(config, clients.kakaopay)


@pytest.fixture
async def clients() -> AsyncIterator[PlatformHttpClients]:
    clients = PlatformHttpClients(pool_size=4)
    yield clients
    await clients.aclose()


def answer_every_request(server: RawServer, conn: socket.socket) -> None:
    while (body := server.read_request(conn)) is not None:
        conn.sendall(json_answer({"tid": "T1", "echo": json.loads(body)}))


async def test_a_json_answer_comes_back_as_the_body(clients: PlatformHttpClients) -> None:
    with serving(answer_every_request) as server:
        answer = await kakaopay(server, clients).call("ready", {"quantity": 1})
    assert answer == {"tid": "T1", "echo": {"quantity": 1}}
    assert json.loads(server.requests[0]) == {"quantity": 1}


async def test_a_connection_closed_without_an_answer_is_an_unknown_outcome(
    clients: PlatformHttpClients,
) -> None:
    def read_then_close(server: RawServer, conn: socket.socket) -> None:
        server.read_request(conn)

    with serving(read_then_close) as server, pytest.raises(PaymentOutcomeUnknown) as raised:
        await kakaopay(server, clients).call("approve", {"pg_token": "p"})
    # The request reached the platform: a lost connection, not a call that never left.
    assert "connection failed" in str(raised.value)
    assert isinstance(raised.value.__cause__, httpx.RemoteProtocolError)
    assert server.requests == [b'{"pg_token":"p"}']


async def test_an_answer_that_is_not_http_is_an_unknown_outcome(
    clients: PlatformHttpClients,
) -> None:
    def garbage(server: RawServer, conn: socket.socket) -> None:
        server.read_request(conn)
        conn.sendall(b"SSH-2.0-OpenSSH_9.6\r\nnot an HTTP answer\r\n\r\n")

    with serving(garbage) as server, pytest.raises(PaymentOutcomeUnknown) as raised:
        await kakaopay(server, clients).call("approve", {"pg_token": "p"})
    assert isinstance(raised.value.__cause__, httpx.RemoteProtocolError)
    assert isinstance(raised.value.__cause__.__cause__, aiohttp.ClientResponseError)


async def test_a_body_cut_short_is_an_unknown_outcome(clients: PlatformHttpClients) -> None:
    def cut_short(server: RawServer, conn: socket.socket) -> None:
        server.read_request(conn)
        conn.sendall(b'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"tid": ')

    with serving(cut_short) as server, pytest.raises(PaymentOutcomeUnknown) as raised:
        await kakaopay(server, clients).call("approve", {"pg_token": "p"})
    assert isinstance(raised.value.__cause__, httpx.RemoteProtocolError)


async def test_a_platform_that_never_answers_times_out_after_the_configured_timeout(
    clients: PlatformHttpClients,
) -> None:
    release = threading.Event()

    def silent(server: RawServer, conn: socket.socket) -> None:
        server.read_request(conn)
        release.wait(10)

    with serving(silent) as server:
        started = time.monotonic()
        try:
            with pytest.raises(PaymentOutcomeUnknown) as raised:
                await kakaopay(server, clients).call("approve", {"pg_token": "p"})
        finally:
            release.set()
        elapsed = time.monotonic() - started
    assert "no answer in time" in str(raised.value)
    assert isinstance(raised.value.__cause__, httpx.ReadTimeout)
    assert TIMEOUT_S * 0.9 <= elapsed < TIMEOUT_S + 1.0


async def test_sequential_calls_reuse_one_connection(clients: PlatformHttpClients) -> None:
    with serving(answer_every_request) as server:
        api = kakaopay(server, clients)
        for n in range(5):
            assert (await api.call("order", {"n": n}))["echo"] == {"n": n}
    assert len(server.requests) == 5
    assert server.connections == 1


async def test_closing_the_clients_closes_their_aiohttp_sessions() -> None:
    clients = PlatformHttpClients(pool_size=2)
    with serving(answer_every_request) as server:
        await kakaopay(server, clients).call("ready", {})
    session = clients.kakaopay._transport.client  # type: ignore[attr-defined]
    assert isinstance(session, aiohttp.ClientSession) and not session.closed
    await clients.aclose()
    assert session.closed


def test_the_clients_work_from_a_second_event_loop() -> None:
    """A session is bound to the loop that made it; another loop gets its own."""
    clients = PlatformHttpClients(pool_size=2)

    async def call(server: RawServer, then_close: bool = False) -> object:
        try:
            return (await kakaopay(server, clients).call("order", {}))["tid"]
        finally:
            if then_close:
                await clients.aclose()

    with serving(answer_every_request) as server:
        assert asyncio.run(call(server)) == "T1"
        assert asyncio.run(call(server, then_close=True)) == "T1"
    assert server.connections == 2

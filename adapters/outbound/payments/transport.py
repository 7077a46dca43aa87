"""The transport under every platform's httpx client: aiohttp's connection pool and its
C-accelerated HTTP/1.1 parser, behind httpx's API (`httpx-aiohttp`).

A platform call through it costs about a quarter of the CPU of httpx's own transport. The
adapters still see only `httpx.AsyncClient`, `httpx.Response` and httpx's exceptions.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport

_FAILURES = (aiohttp.ClientError, TimeoutError, OSError)
"""What aiohttp (or the socket under it) raises when a call fails. `asyncio.TimeoutError` is
`TimeoutError` on Python 3.11, and `TimeoutError` is an `OSError`."""

# First match wins: the timeouts and the failures that prove nothing was sent come before the
# broad classes that contain them.
_Kinds = type[BaseException] | tuple[type[BaseException], ...]
_AS_HTTPX: tuple[tuple[_Kinds, type[httpx.TransportError]], ...]
_AS_HTTPX = (
    # Waiting for a pooled connection or opening one: `connect`, `sock_connect`.
    (aiohttp.ConnectionTimeoutError, httpx.ConnectTimeout),
    # No byte of the answer within `sock_read`, or any other timeout.
    ((aiohttp.ServerTimeoutError, TimeoutError), httpx.ReadTimeout),
    # DNS, refused, TLS handshake: the request never left.
    (aiohttp.ClientConnectorError, httpx.ConnectError),
    # The request was sent; the answer was missing, cut short or not HTTP.
    (
        (aiohttp.ServerDisconnectedError, aiohttp.ClientResponseError, aiohttp.ClientPayloadError),
        httpx.RemoteProtocolError,
    ),
    ((aiohttp.InvalidURL, aiohttp.NonHttpUrlClientError), httpx.UnsupportedProtocol),
    # A reset or broken pipe, while writing or while reading.
    (OSError, httpx.NetworkError),
    (aiohttp.ClientError, httpx.TransportError),
)


class PlatformTransport(AiohttpTransport):
    """`httpx_aiohttp.AiohttpTransport` with every failure an `httpx.TransportError`.

    Why a subclass: the library maps only some aiohttp exceptions and re-raises the others
    as they are. An answer that is not HTTP comes out as `aiohttp.ClientResponseError`, which
    `http_errors.send` does not know: the call would end in a 500 with its outcome
    unclassified, though the platform may have acted on it. The library also names a dropped
    or reset connection `httpx.ConnectTimeout`, as if the request had never left. Here every
    `aiohttp.ClientError`, `TimeoutError` or `OSError`, from sending the request or from
    reading the answer's body, becomes the httpx error that says what happened (timeouts
    are `httpx.TimeoutException`s), so `send` makes it an unknown outcome.

    aiohttp's session, made on the first request, is bound to the event loop it was made in:
    a request from another loop (a test's second `asyncio.run`) gets a new session instead of
    a `RuntimeError`.

    Timeouts: httpx's per-request `connect`, `read` and `pool` become aiohttp's
    `sock_connect`, `sock_read` and `connect` (which counts the wait for a pooled connection
    and the connecting together); httpx's `write` has no aiohttp counterpart.
    """

    def __init__(self, limits: httpx.Limits) -> None:
        super().__init__(limits=limits)
        self._loop: asyncio.AbstractEventLoop | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self._session_of_this_loop()
        with _as_httpx_errors(request):
            response = await super().handle_async_request(request)
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _Body(response.stream, request)
        return response

    async def aclose(self) -> None:
        if self._loop is asyncio.get_running_loop():
            await super().aclose()
        else:
            self._forget_session()

    def _session_of_this_loop(self) -> None:
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._forget_session()
            self._loop = loop

    def _forget_session(self) -> None:
        """Lets the next request make a new session. The old one is closed in its own loop if
        that loop still runs; a loop that ended without closing the client leaves its session
        to the garbage collector (with aiohttp's "Unclosed client session" warning)."""
        stale, old_loop, self.client = self.client, self._loop, None
        if (
            isinstance(stale, aiohttp.ClientSession)
            and old_loop is not None
            and old_loop.is_running()
            and not old_loop.is_closed()
        ):
            asyncio.run_coroutine_threadsafe(stale.close(), old_loop)


class _Body(httpx.AsyncByteStream):
    """The answer's body, read with the same error mapping. httpx reads it to the end and then
    closes it, which hands the connection back to aiohttp's pool."""

    def __init__(self, body: httpx.AsyncByteStream, request: httpx.Request) -> None:
        self._body, self._request = body, request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _as_httpx_errors(self._request):
            async for chunk in self._body:
                yield chunk

    async def aclose(self) -> None:
        with _as_httpx_errors(self._request):
            await self._body.aclose()


@contextmanager
def _as_httpx_errors(request: httpx.Request) -> Iterator[None]:
    try:
        yield
    except httpx.TransportError as exc:
        # Already mapped by the library: mapped again from the cause, by the table above.
        if isinstance(exc.__cause__, _FAILURES):
            raise _httpx_error(exc.__cause__, request) from exc.__cause__
        raise
    except _FAILURES as exc:
        raise _httpx_error(exc, request) from exc


def _httpx_error(exc: BaseException, request: httpx.Request) -> httpx.TransportError:
    message = f"{type(exc).__name__}: {exc}"
    for kinds, error in _AS_HTTPX:
        if isinstance(exc, kinds):
            return error(message, request=request)
    return httpx.TransportError(message, request=request)

"""How `gonggu serve` runs the HTTP service: uvicorn on uvloop and httptools, in one process
or in N processes sharing one port.

uvicorn's own `--workers` shares one listening socket, and on Linux the process that wakes
first accepts every connection a keep-alive client opens, so one worker took all the load.
Here each worker process binds its own socket with SO_REUSEPORT and the kernel spreads the
incoming connections over them. The supervising process runs the migrations before the
workers start (once, not per worker) and, in sandbox mode, the platform emulators.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import signal
import socket
import sys
from collections.abc import Callable, Coroutine
from multiprocessing.connection import wait
from typing import Any

import uvicorn
import uvloop

STOP_TIMEOUT_S = 15.0
BACKLOG = 2048

log = logging.getLogger("gonggu")


def quiet_request_logs(enabled: bool) -> None:
    """Without request logs, httpx's INFO line per platform call is silenced too."""
    if not enabled:
        logging.getLogger("httpx").setLevel(logging.WARNING)


def server(app: Any, host: str, port: int, *, access_log: bool, **options: Any) -> Any:
    """A uvicorn server on uvloop and httptools (uvicorn[standard]); `options` go to uvicorn.
    Its log lines go through gonggu's own logging setup (`log_config=None`)."""
    options.setdefault("log_config", None)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        loop="uvloop",
        http="httptools",
        log_level="info",
        access_log=access_log,
        **options,
    )
    return uvicorn.Server(config)


def run_servers(servers: list[Any]) -> None:
    """Serves until a signal stops them, on a uvloop event loop."""

    async def serve_all() -> None:
        await asyncio.gather(*(s.serve() for s in servers))

    uvloop.run(serve_all())


def run_on_socket(server: Any, sock: socket.socket) -> None:
    """Serves on an already bound socket (a worker of the pool), on a uvloop event loop."""
    uvloop.run(server.serve(sockets=[sock]))


def reuse_port_socket(host: str, port: int) -> socket.socket:
    """A listening socket that other processes may bind to the same port (SO_REUSEPORT)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(BACKLOG)
    sock.setblocking(False)
    return sock


def ensure_port_free(host: str, port: int) -> None:
    """Fails now if another program holds the port (SO_REUSEPORT would silently share it)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            sys.exit(f"gonggu: cannot listen on {host}:{port}: {error.strerror}")


def run_worker_pool(
    workers: int,
    host: str,
    port: int,
    target: Callable[[str, int, socket.socket], None],
    supervisor: Callable[[Callable[[], bool]], Coroutine[Any, Any, None]] | None = None,
) -> int:
    """Starts `workers` processes running `target(host, port, sock)` and supervises them.

    The sockets are bound and listening before any worker starts, so that the kernel spreads
    connections over all of them from the first one (a worker still starting accepts its
    share from the backlog once it is up).

    With a `supervisor` coroutine (the emulators), it runs on this process's event loop and
    is given a function telling whether a worker died; otherwise this process waits for a
    signal or a worker's death. Either way every worker is stopped at the end.
    """
    sockets = [reuse_port_socket(host, port) for _ in range(workers)]
    context = multiprocessing.get_context("spawn")
    children = [
        context.Process(target=target, args=(host, port, sock), name=f"gonggu-worker-{i}")
        for i, sock in enumerate(sockets)
    ]
    for child in children:
        child.start()
    # uvicorn re-raises the signal that stopped it once it is done: SIGTERM must then stop the
    # workers too, not kill this process and leave them running.
    previous = signal.signal(signal.SIGTERM, _interrupt)

    def a_worker_died() -> bool:
        return any(child.exitcode is not None for child in children)

    try:
        if supervisor is not None:
            uvloop.run(supervisor(a_worker_died))
        else:
            _wait_for_signal_or_death(children)
    except KeyboardInterrupt:
        pass
    finally:
        _stop_all(children)
        signal.signal(signal.SIGTERM, previous)
        for sock in sockets:
            sock.close()
    failed = [c for c in children if c.exitcode not in (0, -signal.SIGTERM, -signal.SIGINT)]
    return 1 if failed else 0


def _interrupt(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt


def _wait_for_signal_or_death(children: list[Any]) -> None:
    stopping: list[int] = []

    def on_signal(signum: int, _frame: Any) -> None:
        stopping.append(signum)

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        while not stopping:
            if wait([c.sentinel for c in children], timeout=0.5):
                log.error("a gonggu worker exited; stopping the others")
                return
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _stop_all(children: list[Any]) -> None:
    for child in children:
        if child.exitcode is None:
            child.terminate()  # SIGTERM: uvicorn shuts down gracefully
    for child in children:
        child.join(STOP_TIMEOUT_S)
        if child.exitcode is None:
            child.kill()
            child.join(STOP_TIMEOUT_S)


async def stop_when(died: Callable[[], bool], servers: list[Any]) -> None:
    """Serves `servers` until a signal or until a worker process died."""

    async def watch() -> None:
        # Polled: a thread blocked on the workers' sentinels would hold up the loop's shutdown.
        while not died():  # noqa: ASYNC110
            await asyncio.sleep(0.5)
        log.error("a gonggu worker exited; stopping")
        for s in servers:
            s.should_exit = True

    watcher = asyncio.create_task(watch())
    try:
        await asyncio.gather(*(s.serve() for s in servers))
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher

"""`gonggu serve --workers N`: N processes on one port, each taking part of the connections,
the emulators still one port above, and every process gone after SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.live_server import free_port

GONGGU = Path(sys.executable).parent / "gonggu"
START_TIMEOUT_S = 60


@pytest.fixture
def two_workers(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GONGGU_")}
    env["GONGGU_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'serve.db'}"
    port = free_port()
    while _in_use(port + 1):
        port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    served = subprocess.Popen(
        [str(GONGGU), "serve", "--port", str(port), "--workers", "2"],
        env=env,
        cwd=tmp_path,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for(f"http://127.0.0.1:{port}/health", served)
        yield served, port
    except BaseException:
        log.flush()
        print((tmp_path / "serve.log").read_text(errors="replace"))
        raise
    finally:
        if served.poll() is None:
            served.kill()
            served.wait(10)
        log.close()


def test_two_workers_each_accept_connections_on_the_same_port(
    two_workers: tuple[subprocess.Popen[bytes], int],
) -> None:
    served, port = two_workers
    clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(24)]
    try:
        for client in clients:
            client.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            assert b" 200 " in client.recv(4096).split(b"\r\n", 1)[0]
        workers = _children(served.pid)
        assert len(workers) == 2
        connections = {pid: _established(pid, port) for pid in workers}
        assert all(count > 0 for count in connections.values()), connections
        assert sum(connections.values()) == len(clients)
    finally:
        for client in clients:
            client.close()


def test_the_emulators_answer_one_port_above_and_sigterm_stops_every_process(
    two_workers: tuple[subprocess.Popen[bytes], int],
) -> None:
    served, port = two_workers
    answer = httpx.get(f"http://127.0.0.1:{port + 1}/kakaopay/__sandbox__/payments", timeout=5)
    assert answer.status_code == 200
    workers = _children(served.pid)

    served.send_signal(signal.SIGTERM)

    assert served.wait(30) == 0
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]


def _wait_for(url: str, served: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        assert served.poll() is None, "gonggu serve exited"
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer in {START_TIMEOUT_S} s")


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
                found.append(int(entry.name))
    # multiprocessing's resource tracker is a child too; the workers are the ones listening.
    return [child for child in found if _listens(child)]


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    return inodes


def _tcp_rows() -> list[list[str]]:
    rows = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as lines:
            rows += [line.split() for line in list(lines)[1:]]
    return rows


def _listens(pid: int) -> bool:
    inodes = _socket_inodes(pid)
    return any(row[3] == "0A" and row[9] in inodes for row in _tcp_rows())


def _established(pid: int, port: int) -> int:
    """Established connections accepted on `port` whose socket this process holds."""
    inodes, local = _socket_inodes(pid), f":{port:04X}"
    return sum(
        1 for row in _tcp_rows() if row[1].endswith(local) and row[3] == "01" and row[9] in inodes
    )


def _in_use(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0

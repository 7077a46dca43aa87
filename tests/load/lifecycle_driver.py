"""The benchmark's virtual clients: one KakaoPay lifecycle after another, and reference inserts.

A lifecycle: `POST /api/v1/order/execute?payType=KAKAO_PAY` -> the buyer presses Pay on the
(fast) KakaoPay page, which redirects to the service's approval URL -> `GET` that URL -> the
order is PAID. Each client keeps one connection to the service and one to the platform.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from tests.load.wire import Connection

JSON = {"Accept": "application/json"}


@dataclass
class Tally:
    """What a phase did: completed lifecycles, failures (described), latencies per step."""

    completed: int = 0
    failures: list[str] = field(default_factory=list)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    seconds: float = 0.0


@dataclass(frozen=True)
class Target:
    host: str
    port: int

    @classmethod
    def of(cls, url: str) -> Target:
        parts = urlsplit(url)
        return cls(parts.hostname or "127.0.0.1", parts.port or 80)


async def setup_catalog(service: Target, clients: int) -> tuple[list[int], int]:
    """One user per client and one product."""
    connection = Connection(service.host, service.port)
    try:
        users = []
        for index in range(clients):
            reply = await connection.json("POST", "/api/v1/user", {"name": f"bench{index}"})
            if reply.status != 201:
                raise RuntimeError(f"could not add a user: {reply.status} {reply.body[:300]!r}")
            users.append(int(reply.json()["data"]["id"]))
        product = {"name": "flash-sale", "price": 12_000, "options": []}
        reply = await connection.json("POST", "/api/v1/product", product)
        if reply.status != 201:
            raise RuntimeError(f"could not add the product: {reply.status} {reply.body[:300]!r}")
        return users, int(reply.json()["data"]["id"])
    finally:
        await connection.close()


async def run_lifecycles(
    service: Target, platform: Target, users: list[int], product_id: int, total: int
) -> Tally:
    """`total` lifecycles spread over len(users) concurrent clients."""
    tally = Tally()
    remaining = iter(range(total))

    async def client(user_id: int) -> None:
        api, page = Connection(service.host, service.port), Connection(platform.host, platform.port)
        try:
            for _ in remaining:
                await _lifecycle(api, page, user_id, product_id, tally)
        finally:
            await api.close()
            await page.close()

    started = time.perf_counter()
    await asyncio.gather(*(client(u) for u in users))
    tally.seconds = time.perf_counter() - started
    return tally


async def _lifecycle(
    api: Connection, page: Connection, user_id: int, product_id: int, tally: Tally
) -> None:
    body = {"userId": user_id, "productId": product_id, "minShare": 2, "maxShare": 4, "quantity": 1}
    try:
        started = time.perf_counter()
        executed = await api.json("POST", "/api/v1/order/execute?payType=KAKAO_PAY", body)
        paying = time.perf_counter()
        if executed.status != 200:
            raise _Failed(f"execute {executed.status} {executed.body[:300]!r}")
        page_url = urlsplit(str(executed.json()["data"]["next_redirect_pc_url"]))
        pressed = await page.request("POST", f"{page_url.path}/pay")
        approving = time.perf_counter()
        if pressed.status != 303:
            raise _Failed(f"pay on the platform {pressed.status} {pressed.body[:300]!r}")
        location = urlsplit(pressed.headers["location"])
        approved = await api.request("GET", f"{location.path}?{location.query}", headers=JSON)
        done = time.perf_counter()
        if approved.status != 200:
            raise _Failed(f"approval {approved.status} {approved.body[:300]!r}")
        state = approved.json()["data"]["state"]
        if state != "PAID":
            raise _Failed(f"approval answered state {state}")
    except _Failed as failed:
        tally.failures.append(str(failed))
        return
    except (OSError, EOFError, ValueError, KeyError) as error:
        tally.failures.append(f"{type(error).__name__}: {error}")
        return
    tally.completed += 1
    tally.latencies["execute"].append(paying - started)
    tally.latencies["platform page"].append(approving - paying)
    tally.latencies["approval"].append(done - approving)
    tally.latencies["lifecycle"].append(done - started)


async def run_inserts(reference: Target, clients: int, total: int) -> Tally:
    """`total` reference inserts over `clients` concurrent clients."""
    tally = Tally()
    remaining = iter(range(total))

    async def client(index: int) -> None:
        connection = Connection(reference.host, reference.port)
        try:
            for n in remaining:
                started = time.perf_counter()
                try:
                    reply = await connection.json(
                        "POST", "/rows", {"name": f"c{index}", "amount": n}
                    )
                except (OSError, EOFError) as error:
                    tally.failures.append(f"insert: {error!r}")
                    continue
                if reply.status != 201:
                    tally.failures.append(f"insert {reply.status} {reply.body[:200]!r}")
                    continue
                tally.completed += 1
                tally.latencies["insert"].append(time.perf_counter() - started)
        finally:
            await connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(clients)))
    tally.seconds = time.perf_counter() - started
    return tally


class _Failed(Exception):
    pass

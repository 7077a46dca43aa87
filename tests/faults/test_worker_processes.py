"""Real `gonggu serve` and `gonggu worker` processes against one PostgreSQL database: a worker
killed with SIGKILL between the platform's refund and its own commit, and two workers plus two
service instances expiring many groups at once. Money moves exactly once either way."""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import pytest

from tests.faults.support import (
    attempts_of,
    gonggu_service,
    gonggu_worker,
    process_env,
    rows,
    wait_until,
)
from tests.support.databases import truncate_all
from tests.support.html_forms import forms_of
from tests.support.live_server import LiveServer, free_port

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

GROUPS = int(os.environ.get("GONGGU_FAULTS_GROUPS", "200"))
"""How many groups of two the scale test expires at once (200 by default, as issue 4 asks)."""


async def kakao_paid_order(
    api: httpx.AsyncClient, callback_api: httpx.AsyncClient, user: int, product: int
) -> dict[str, Any]:
    """Orders with KakaoPay, presses Pay on Kakao's page, follows the redirect back (to
    `callback_api`, which may be another instance); returns the `execute` answer."""
    placed = await api.post(
        "/api/v1/order/execute?payType=KAKAO_PAY",
        json={"userId": user, "productId": product, "minShare": 2, "maxShare": 2, "quantity": 1},
    )
    assert placed.status_code == 200, placed.text
    data: dict[str, Any] = placed.json()["data"]
    page_url = str(data["next_redirect_pc_url"])
    page = await api.get(page_url)
    [pay] = [f for f in forms_of(page.text) if f.action.endswith("/pay")]
    pressed = await api.post(urljoin(page_url, pay.action), data=pay.fields)
    location = urlsplit(pressed.headers["location"])
    back = await callback_api.get(f"{location.path}?{location.query}")
    assert back.status_code == 200 and back.json()["data"]["state"] == "PAID", back.text
    return data


def kakao_payments(sandbox_url: str) -> dict[str, dict[str, Any]]:
    """KakaoPay's emulator's payments by tid."""
    answer = httpx.get(f"{sandbox_url}/kakaopay/__sandbox__/payments", timeout=30)
    answer.raise_for_status()
    return {p["tid"]: p for p in answer.json()["payments"]}


def order_states(database_url: str) -> Counter[str]:
    return Counter(
        {
            str(state): int(n)
            for state, n in rows(database_url, "SELECT state, count(*) FROM orders GROUP BY state")
        }
    )


def test_a_worker_killed_between_the_platforms_refund_and_its_commit_is_recovered_once(
    postgres_url: str, sandbox_server: LiveServer, tmp_path: Path
) -> None:
    truncate_all(postgres_url)
    port = free_port()
    env = process_env(
        postgres_url,
        sandbox_server.url,
        f"http://127.0.0.1:{port}",
        reconcile_after_s=1.0,
        refund_retry_base_s=0.2,
        unmatched_refund_after_s=0.5,  # the worker itself starts the refund of unmatched orders
    )
    sandbox = httpx.Client(base_url=sandbox_server.url, timeout=10)
    try:
        with gonggu_service(port, env, tmp_path / "serve.log"):

            async def arrange() -> tuple[int, dict[str, Any]]:
                async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as api:
                    user = (await api.post("/api/v1/user", json={"name": "kim"})).json()["data"]
                    product = (
                        await api.post("/api/v1/product", json={"name": "귤", "price": 7_000})
                    ).json()["data"]
                    return user["id"], await kakao_paid_order(api, api, user["id"], product["id"])

            user_id, data = asyncio.run(arrange())
            order_id, tid = int(data["orderId"]), str(data["tid"])
            # Kakao refunds at once but answers only 3 s later: the kill lands in that gap.
            sandbox.post(
                "/kakaopay/__sandbox__/faults",
                json={"operation": "cancel", "kind": "delay", "seconds": 3},
            ).raise_for_status()

            def refunds_at_kakao() -> int:
                return int(kakao_payments(sandbox_server.url)[tid]["refunds"])

            with gonggu_worker(env, tmp_path / "worker-1.log") as doomed:
                wait_until(
                    lambda: refunds_at_kakao() == 1,
                    timeout=30,
                    interval=0.05,
                    what="the first worker's refund to reach KakaoPay",
                )
                doomed.kill_hard()
                assert doomed.popen.returncode == -9

            [(order_state,)] = rows(
                postgres_url, "SELECT state FROM orders WHERE id = :i", i=order_id
            )
            [(_, attempt_state, key)] = attempts_of(postgres_url, order_id)[-1:]
            assert (order_state, attempt_state) == ("REFUND_PENDING", "IN_FLIGHT")

            with gonggu_worker(env, tmp_path / "worker-2.log") as successor:
                wait_until(
                    lambda: (
                        rows(postgres_url, "SELECT state FROM orders WHERE id = :i", i=order_id)
                        == [("REFUNDED",)]
                    ),
                    timeout=30,
                    what="the restarted worker to finish the refund",
                )
                assert successor.alive
            assert successor.popen.returncode == 0, successor.output()[-2000:]

            platform = kakao_payments(sandbox_server.url)[tid]
            assert (platform["refunds"], platform["refunded_amount"]) == (1, 7_000)
            assert platform["status"] == "CANCEL_PAYMENT"
            refunds = [a for a in attempts_of(postgres_url, order_id) if a[0] == "REFUND"]
            assert refunds == [("REFUND", "SUCCEEDED", key)]  # the same key, resent once
            listed = httpx.get(
                f"http://127.0.0.1:{port}/api/v1/order/list/user", params={"userId": user_id}
            ).json()["data"]
            assert [o["state"] for o in listed] == ["REFUNDED"]
    finally:
        sandbox.delete("/kakaopay/__sandbox__/faults")
        sandbox.close()


@pytest.mark.timeout(600)
def test_two_workers_and_two_services_expiring_many_groups_refund_every_member_once(
    postgres_url: str, sandbox_server: LiveServer, tmp_path: Path
) -> None:
    truncate_all(postgres_url)
    ports = [free_port(), free_port()]
    envs = [
        process_env(
            postgres_url,
            sandbox_server.url,
            f"http://127.0.0.1:{port}",
            reconcile_after_s=2.0,
            refund_retry_base_s=0.2,
            refund_retry_max_s=1.0,
        )
        for port in ports
    ]
    started = time.monotonic()
    with (
        gonggu_service(ports[0], envs[0], tmp_path / "serve-a.log") as service_a,
        gonggu_service(ports[1], envs[1], tmp_path / "serve-b.log") as service_b,
    ):
        urls = [f"http://127.0.0.1:{port}" for port in ports]

        async def arrange() -> list[list[dict[str, Any]]]:
            limits = httpx.Limits(max_connections=32)
            async with (
                httpx.AsyncClient(base_url=urls[0], timeout=60, limits=limits) as a,
                httpx.AsyncClient(base_url=urls[1], timeout=60, limits=limits) as b,
            ):
                apis = [a, b]
                product = (
                    await a.post("/api/v1/product", json={"name": "귤", "price": 5_000})
                ).json()["data"]["id"]
                users = [
                    (await apis[i % 2].post("/api/v1/user", json={"name": f"u{i}"})).json()["data"][
                        "id"
                    ]
                    for i in range(10)
                ]
                gate = asyncio.Semaphore(16)

                async def member(group: int, seat: int) -> dict[str, Any]:
                    async with gate:
                        api, other = apis[(group + seat) % 2], apis[(group + seat + 1) % 2]
                        return await kakao_paid_order(api, other, users[group % 10], product)

                groups = await asyncio.gather(
                    *(asyncio.gather(member(g, 0), member(g, 1)) for g in range(GROUPS))
                )
                for g, pair in enumerate(groups, start=1):
                    matched = await apis[g % 2].post(
                        "/api/v1/group/matched",
                        json={"groupId": g, "orderIdList": [d["orderId"] for d in pair]},
                    )
                    assert matched.status_code == 200, matched.text
                return [list(pair) for pair in groups]

        groups = asyncio.run(arrange())
        arranged = time.monotonic()

        with (
            gonggu_worker(envs[0], tmp_path / "worker-a.log") as worker_a,
            gonggu_worker(envs[1], tmp_path / "worker-b.log") as worker_b,
        ):
            wait_until(
                lambda: all("jobs done" in w.output() for w in (worker_a, worker_b)),
                timeout=30,
                what="the workers to run their jobs",
            )

            async def expire_all() -> list[httpx.Response]:
                async with (
                    httpx.AsyncClient(base_url=urls[0], timeout=120) as a,
                    httpx.AsyncClient(base_url=urls[1], timeout=120) as b,
                ):
                    apis = [a, b]
                    return await asyncio.gather(
                        *(
                            apis[g % 2].get("/api/v1/group/expired", params={"groupId": g})
                            for g in range(1, GROUPS + 1)
                        )
                    )

            answers = asyncio.run(expire_all())
            expired = time.monotonic()
            statuses = Counter(r.status_code for r in answers)
            wait_until(
                lambda: order_states(postgres_url) == Counter({"REFUNDED": 2 * GROUPS}),
                timeout=120,
                interval=0.5,
                what="every member to be refunded",
            )
            converged = time.monotonic()
            assert worker_a.alive and worker_b.alive
        assert service_a.alive and service_b.alive

    print(
        f"\n{GROUPS} groups: arranged in {arranged - started:.1f} s, expired in "
        f"{expired - arranged:.1f} s, all refunded after {converged - arranged:.1f} s; "
        f"expiry answers {dict(statuses)}"
    )
    # Under this load an expiry can take longer than the 2 s lease to reach a member, and a
    # worker then rightly takes that refund over: the answer is still 200 (in progress).
    assert statuses == Counter({200: GROUPS}), [r.text for r in answers if r.status_code != 200][:3]
    platform = kakao_payments(sandbox_server.url)
    tids = [str(d["tid"]) for pair in groups for d in pair]
    refunds = Counter(int(platform[tid]["refunds"]) for tid in tids)
    assert refunds == Counter({1: 2 * GROUPS}), refunds
    assert all(platform[tid]["refunded_amount"] == 5_000 for tid in tids)
    [(refunded_events,)] = rows(
        postgres_url, "SELECT count(*) FROM outbox_events WHERE type = 'OrderRefunded'"
    )
    assert refunded_events == 2 * GROUPS


def expire_while_a_worker_runs(
    postgres_url: str, sandbox_server: LiveServer, tmp_path: Path, lease_s: float
) -> httpx.Response:
    """Expires a group of two KakaoPay members whose cancels answer after 2.5 s and 6 s while a
    worker runs every 0.2 s; checks each member is refunded once; returns the expiry's answer."""
    truncate_all(postgres_url)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = process_env(postgres_url, sandbox_server.url, url, reconcile_after_s=lease_s)
    sandbox = httpx.Client(base_url=sandbox_server.url, timeout=10)
    try:
        with gonggu_service(port, env, tmp_path / "serve.log"):

            async def arrange() -> list[dict[str, Any]]:
                async with httpx.AsyncClient(base_url=url) as api:
                    product = (
                        await api.post("/api/v1/product", json={"name": "귤", "price": 4_000})
                    ).json()["data"]["id"]
                    members = []
                    for name in ("kim", "lee"):
                        user = (await api.post("/api/v1/user", json={"name": name})).json()
                        members.append(
                            await kakao_paid_order(api, api, user["data"]["id"], product)
                        )
                    matched = await api.post(
                        "/api/v1/group/matched",
                        json={"groupId": 1, "orderIdList": [m["orderId"] for m in members]},
                    )
                    assert matched.status_code == 200, matched.text
                    return members

            members = asyncio.run(arrange())
            # The first cancel answers after 2.5 s, the second after 6 s: a member the worker
            # (every 0.2 s) takes meanwhile is still in flight when the expiry reaches it.
            for seconds in (2.5, 6):
                sandbox.post(
                    "/kakaopay/__sandbox__/faults",
                    json={"operation": "cancel", "kind": "delay", "seconds": seconds},
                ).raise_for_status()
            with gonggu_worker(env, tmp_path / "worker.log") as worker:
                wait_until(lambda: "jobs done" in worker.output(), timeout=30, what="the worker")
                expiry = httpx.get(f"{url}/api/v1/group/expired", params={"groupId": 1}, timeout=30)
                wait_until(
                    lambda: order_states(postgres_url) == Counter({"REFUNDED": 2}),
                    timeout=30,
                    what="both members refunded",
                )
            platform = kakao_payments(sandbox_server.url)
            assert [platform[m["tid"]]["refunds"] for m in members] == [1, 1]
            return expiry
    finally:
        sandbox.delete("/kakaopay/__sandbox__/faults")
        sandbox.close()


def test_an_expiry_racing_a_running_worker_refunds_each_member_once_and_answers_200(
    postgres_url: str, sandbox_server: LiveServer, tmp_path: Path
) -> None:
    # The lease (10 s) outlasts the slow platform: the expiry's own refunds stay its own.
    expiry = expire_while_a_worker_runs(postgres_url, sandbox_server, tmp_path, lease_s=10.0)

    assert expiry.status_code == 200, expiry.text
    assert len(expiry.json()["data"]["refundedOrderIds"]) == 2


def test_an_expiry_whose_refund_a_worker_took_over_answers_200_with_it_in_progress(
    postgres_url: str, sandbox_server: LiveServer, tmp_path: Path
) -> None:
    # The lease (1.5 s) is shorter than the first cancel (2.5 s): the worker takes the second
    # member over, and its cancel is still in flight when the expiry reaches that member.
    expiry = expire_while_a_worker_runs(postgres_url, sandbox_server, tmp_path, lease_s=1.5)

    assert expiry.status_code == 200, expiry.text
    data = expiry.json()["data"]
    assert len(data["refundInProgressOrderIds"]) == 1, data
    assert data["refundPendingOrderIds"] == [], data

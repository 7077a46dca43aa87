"""Review: `kill -9` of a real `gonggu serve` while it refunds a withdrawn Open Banking order
(the bank has deposited the money back, the service dies before it hears so and commits), then
`gonggu worker --once`: the refund is finished with the same attempt (the same bank_tran_id,
which the bank answers as a duplicate), the money goes back once, the order is REFUNDED.

The refund's claim and settlement are the batched transactions (BEGIN, lock, one write,
COMMIT); the worker finds the dead request's attempt through the order's lock."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.config import SANDBOX_OPENBANKING
from tests.faults.support import (
    GongguProcess,
    attempts_of,
    gonggu_service,
    process_env,
    rows,
    wait_until,
)
from tests.support.databases import truncate_all
from tests.support.live_server import LiveServer, free_port

pytestmark = pytest.mark.slow


def _withdrawal(sandbox_url: str, fintech_use_num: str) -> dict[str, Any]:
    answer = httpx.get(f"{sandbox_url}/openbanking/__sandbox__/payments", timeout=10)
    answer.raise_for_status()
    [payment] = [p for p in answer.json()["payments"] if p["fintech_use_num"] == fintech_use_num]
    return dict(payment)


def _order_state(database_url: str, order_id: int) -> str:
    [(state,)] = rows(database_url, "SELECT state FROM orders WHERE id = :i", i=order_id)
    return str(state)


def test_serve_killed_between_the_banks_deposit_and_its_commit_is_refunded_once_by_the_worker(
    postgres_url: str, sandbox_server: LiveServer, sandbox: httpx.Client, tmp_path: Path
) -> None:
    truncate_all(postgres_url)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = process_env(
        postgres_url,
        sandbox_server.url,
        url,
        reconcile_after_s=1.0,  # also the lease of an in-flight attempt
        refund_retry_base_s=0.2,
        platform_timeout_s=20,
        openbanking_base_url=f"{sandbox_server.url}/openbanking",
        **{f"openbanking_{name}": value for name, value in SANDBOX_OPENBANKING.items()},
    )
    # bank_tran_id is built from the attempt id, which a fresh database reuses: a new day.
    sandbox.delete("/openbanking/__sandbox__/transfers").raise_for_status()
    account = sandbox.post("/openbanking/__sandbox__/accounts", json={"balance": 100_000}).json()
    payer = {"fintechUseNum": account["fintechUseNum"], "accessToken": account["accessToken"]}

    with gonggu_service(port, env, tmp_path / "serve-1.log") as doomed:
        api = httpx.Client(base_url=url, timeout=30)
        user = api.post("/api/v1/user", json={"name": "kim"}).json()["data"]["id"]
        product = api.post("/api/v1/product", json={"name": "귤", "price": 7000}).json()["data"]
        body = {"userId": user, "productId": product["id"], "minShare": 2, "quantity": 1}
        placed = api.post(
            "/api/v1/order/execute?payType=OPEN_BANKING", json=body | {"transaction": payer}
        )
        assert placed.status_code == 200, placed.text
        order_id = int(placed.json()["data"]["orderId"])
        assert placed.json()["data"]["order"]["state"] == "PAID"
        # The bank deposits at once and answers only after 15 s: the service is killed first.
        sandbox.post(
            "/openbanking/__sandbox__/faults",
            json={"operation": "deposit", "kind": "delay", "seconds": 15},
        ).raise_for_status()
        lost: list[BaseException] = []

        def withdraw() -> None:
            try:
                httpx.get(f"{url}/api/v1/order/cancel", params={"orderId": order_id}, timeout=30)
            except httpx.HTTPError as exc:
                lost.append(exc)

        request = threading.Thread(target=withdraw)
        request.start()
        wait_until(
            lambda: _withdrawal(sandbox_server.url, payer["fintechUseNum"])["refunds"] == 1,
            timeout=15,
            interval=0.05,
            what="the bank's deposit",
        )
        doomed.kill_hard()
        request.join(timeout=30)
    assert lost, "the request in flight should have lost its connection"
    assert _order_state(postgres_url, order_id) == "REFUND_PENDING"
    [(_, state, key)] = [a for a in attempts_of(postgres_url, order_id) if a[0] == "REFUND"]
    assert state == "IN_FLIGHT"
    sandbox.delete("/openbanking/__sandbox__/faults").raise_for_status()

    def worker_once() -> str:
        worker = GongguProcess(["worker", "--once"], env, tmp_path / "worker.log")
        assert worker.popen.wait(timeout=60) == 0, worker.output()[-3000:]
        worker.stop()
        state = _order_state(postgres_url, order_id)
        if state != "REFUNDED":
            time.sleep(0.5)  # the dead request's lease, then the refund's retry time
        return state == "REFUNDED" and state

    wait_until(worker_once, timeout=60, interval=0, what="the worker to finish the refund")

    platform = _withdrawal(sandbox_server.url, payer["fintechUseNum"])
    assert (platform["refunds"], platform["refunded_amount"], platform["status"]) == (
        1,
        7000,
        "REFUNDED",
    )
    refunds = [a for a in attempts_of(postgres_url, order_id) if a[0] == "REFUND"]
    assert refunds == [("REFUND", "SUCCEEDED", key)]  # the dead request's attempt, resent

"""`kill -9` of a real `gonggu serve` in the middle of `POST /order/execute` with an
Idempotency-Key, then retries with the same key after a restart, on SQLite and PostgreSQL.

The attack: the bank has taken the money, the service dies before it could answer or store
the answer. What must hold: the key does not jam (no 409 once the lease is over), every retry
answers from the one order that exists, concurrent retries place nothing more, and once the
worker has settled the payment the replay says PAID."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.config import SANDBOX_OPENBANKING
from tests.faults.support import GongguProcess, gonggu_service, process_env, rows, wait_until
from tests.support.live_server import LiveServer, free_port

pytestmark = pytest.mark.slow

EXECUTE = "/api/v1/order/execute?payType=OPEN_BANKING"


def ob_withdrawals(sandbox_url: str, fintech_use_num: str) -> list[dict[str, Any]]:
    answer = httpx.get(f"{sandbox_url}/openbanking/__sandbox__/payments", timeout=10)
    answer.raise_for_status()
    return [p for p in answer.json()["payments"] if fintech_use_num in str(p)]


def test_kill_9_during_an_execute_then_retries_with_the_key_find_the_one_order(
    database_url: str, sandbox_server: LiveServer, sandbox: httpx.Client, tmp_path: Path
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = process_env(
        database_url,
        sandbox_server.url,
        url,
        idempotency_lease_s=1,
        reconcile_after_s=0.2,
        platform_timeout_s=20,
        # process_env points KakaoPay, NaverPay and Toss at the sandbox; Open Banking too:
        openbanking_base_url=f"{sandbox_server.url}/openbanking",
        **{f"openbanking_{name}": value for name, value in SANDBOX_OPENBANKING.items()},
    )
    # bank_tran_id is built from the attempt's database id, which a fresh database reuses:
    # a new banking day, so that the sandbox does not take it for a repeated transfer.
    sandbox.delete("/openbanking/__sandbox__/transfers").raise_for_status()
    account = sandbox.post("/openbanking/__sandbox__/accounts", json={"balance": 100_000}).json()
    payer = {"fintechUseNum": account["fintechUseNum"], "accessToken": account["accessToken"]}
    key = {"Idempotency-Key": f"crash-{uuid.uuid4()}"}

    with gonggu_service(port, env, tmp_path / "serve-1.log") as first:
        api = httpx.Client(base_url=url, timeout=30)
        user = api.post("/api/v1/user", json={"name": "kim"}).json()["data"]["id"]
        product = api.post("/api/v1/product", json={"name": "귤", "price": 7000}).json()["data"]
        body = {"userId": user, "productId": product["id"], "minShare": 1, "quantity": 1}
        body["transaction"] = payer
        # The bank withdraws at once and answers only after 15 s: the service is killed first.
        sandbox.post(
            "/openbanking/__sandbox__/faults",
            json={"operation": "withdraw", "kind": "delay", "seconds": 15},
        ).raise_for_status()
        lost: list[BaseException] = []

        def doomed() -> None:
            try:
                httpx.post(f"{url}{EXECUTE}", json=body, headers=key, timeout=30)
            except httpx.HTTPError as exc:
                lost.append(exc)

        request = threading.Thread(target=doomed)
        request.start()
        wait_until(
            lambda: ob_withdrawals(sandbox_server.url, payer["fintechUseNum"]),
            timeout=15,
            what="the bank's withdrawal",
        )
        first.kill_hard()
        request.join(timeout=30)
    assert lost, "the request in flight should have lost its connection"
    [(order_id,)] = rows(database_url, "SELECT id FROM orders WHERE user_id = :u", u=user)

    with gonggu_service(port, env, tmp_path / "serve-2.log"):
        api = httpx.Client(base_url=url, timeout=30)
        # Within the lease a retry is told to wait; after it, a retry takes the key over.
        retry = wait_until(
            lambda: (r := api.post(EXECUTE, json=body, headers=key)).status_code != 409 and r,
            timeout=15,
            what="the lease to end",
        )
        assert retry.status_code == 504, retry.text  # the outcome is still unknown: not frozen
        assert retry.json()["data"]["orderId"] == order_id
        assert retry.json()["data"]["order"]["state"] == "PAYMENT_PENDING"

        with ThreadPoolExecutor(max_workers=6) as pool:
            racing = list(pool.map(lambda _: api.post(EXECUTE, json=body, headers=key), range(6)))
        assert {r.status_code for r in racing} <= {409, 504}, [r.text for r in racing]
        assert {r.json()["data"]["orderId"] for r in racing if r.status_code == 504} <= {order_id}

        worker = GongguProcess(["worker", "--once"], env, tmp_path / "worker.log")
        assert worker.popen.wait(timeout=60) == 0, worker.output()
        worker.stop()

        settled = api.post(EXECUTE, json=body, headers=key)
        replay = api.post(EXECUTE, json=body, headers=key)

    assert settled.status_code == 200, settled.text
    assert settled.json()["data"]["orderId"] == order_id
    assert settled.json()["data"]["order"]["state"] == "PAID"
    assert replay.json() == settled.json()
    assert rows(database_url, "SELECT id FROM orders WHERE user_id = :u", u=user) == [(order_id,)]
    assert len(ob_withdrawals(sandbox_server.url, payer["fintechUseNum"])) == 1

"""The Open Banking emulator checks what the real platform checks, over real HTTP.

Served alone on a loopback port (same credentials as `make run`), so these checks do not
depend on the other emulators.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import datetime
from typing import Any

import httpx
import pytest
from litestar import Litestar

from adapters.config import Settings
from bootstrap import sandbox_config
from domain.errors import PaymentOutcomeUnknown
from domain.ports.payment_gateway import (
    CheckoutRequest,
    PaymentRef,
    PlatformCall,
    PlatformStatus,
    ReturnUrls,
)
from sandbox.faults import FaultPlan
from sandbox.openbanking import openbanking_router
from tests.integration.payments.drivers.openbanking import OpenBankingDriver
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.anyio

SETTINGS = Settings(payments_mode="sandbox", sandbox_url="http://127.0.0.1:1")
INSTITUTION = SETTINGS.openbanking.institution_code or ""
_attempts = iter(range(int(datetime.now().timestamp()) % 10**6 * 100, 10**9))


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    app = Litestar([openbanking_router(sandbox_config(SETTINGS), FaultPlan())], openapi_config=None)
    with LiveServer(app) as live:
        yield f"{live.url}/openbanking"


@pytest.fixture
async def http(server: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server) as client:
        yield client
        await client.delete("/__sandbox__/faults")


async def enrol(http: httpx.AsyncClient, balance: int = 100_000) -> dict[str, str]:
    answer = await http.post("/__sandbox__/accounts", json={"balance": balance})
    assert answer.status_code == 201
    return dict(answer.json())


async def oob_token(http: httpx.AsyncClient) -> str:
    answer = await http.post(
        "/oauth/2.0/token",
        data={
            "client_id": SETTINGS.openbanking.client_id,
            "client_secret": SETTINGS.openbanking.client_secret,
            "scope": "oob",
            "grant_type": "client_credentials",
        },
    )
    assert answer.status_code == 200
    body = answer.json()
    assert (body["token_type"], body["scope"]) == ("Bearer", "oob")
    return str(body["access_token"])


def withdrawal(account: dict[str, str], amount: str = "10000", **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "bank_tran_id": f"{INSTITUTION}U{next(_attempts):09d}",
        "cntr_account_type": "N",
        "cntr_account_num": "1234567890123",
        "dps_print_content": "991",
        "fintech_use_num": account["fintechUseNum"],
        "wd_print_content": "공구991",
        "tran_amt": amount,
        "tran_dtime": datetime.now().strftime("%Y%m%d%H%M%S"),
        "req_client_name": "gonggu-7",
        "req_client_fintech_use_num": account["fintechUseNum"],
        "req_client_num": "U7",
        "transfer_purpose": "TR",
        "recv_client_name": "gonggu",
        "recv_client_bank_code": "097",
        "recv_client_account_num": "1234567890123",
    }
    body.update(changes)
    return body


async def withdraw(http: httpx.AsyncClient, account: dict[str, str], body: dict[str, Any]) -> Any:
    answer = await http.post(
        "/v2.0/transfer/withdraw/fin_num",
        json=body,
        headers={"Authorization": f"Bearer {account['accessToken']}"},
    )
    return answer


async def record(http: httpx.AsyncClient, tran_id: str) -> dict[str, Any]:
    payments = (await http.get("/__sandbox__/payments")).json()["payments"]
    (found,) = [p for p in payments if p["bank_tran_id"] == tran_id]
    return dict(found)


async def test_a_wrong_client_secret_gets_no_token(http: httpx.AsyncClient) -> None:
    answer = await http.post(
        "/oauth/2.0/token",
        data={
            "client_id": "x",
            "client_secret": "y",
            "scope": "oob",
            "grant_type": "client_credentials",
        },
    )
    assert answer.status_code == 401
    assert answer.json()["rsp_code"] == "O0001"


async def test_a_withdrawal_needs_the_payers_own_token(http: httpx.AsyncClient) -> None:
    account, other = await enrol(http), await enrol(http)
    no_token = await http.post("/v2.0/transfer/withdraw/fin_num", json=withdrawal(account))
    assert (no_token.status_code, no_token.json()["rsp_code"]) == (401, "O0002")
    institution = await http.post(
        "/v2.0/transfer/withdraw/fin_num",
        json=withdrawal(account),
        headers={"Authorization": f"Bearer {await oob_token(http)}"},
    )
    assert (institution.status_code, institution.json()["rsp_code"]) == (403, "O0003")
    foreign = await withdraw(http, other, withdrawal(account))
    assert foreign.json()["rsp_code"] == "A0323"


@pytest.mark.parametrize(
    "changes",
    [
        {"tran_amt": 10000},
        {"tran_amt": "0"},
        {"dps_print_content": None},
        {"bank_tran_id": "M999999999U000000001"},
        {"tran_dtime": "20241399000000"},
        {"transfer_purpose": "XX"},
    ],
)
async def test_a_malformed_withdrawal_is_refused_in_the_platforms_format(
    http: httpx.AsyncClient, changes: dict[str, Any]
) -> None:
    account = await enrol(http)
    answer = await withdraw(http, account, withdrawal(account, **changes))
    assert answer.status_code == 200
    assert answer.json()["rsp_code"] == "A0004"
    assert {"api_tran_id", "api_tran_dtm", "rsp_message"} <= answer.json().keys()


async def test_a_body_that_is_not_json_is_a_400(http: httpx.AsyncClient) -> None:
    account = await enrol(http)
    answer = await http.post(
        "/v2.0/transfer/withdraw/fin_num",
        content=b"{nope",
        headers={"Authorization": f"Bearer {account['accessToken']}"},
    )
    assert (answer.status_code, answer.json()["rsp_code"]) == (400, "A0004")


async def test_a_bank_tran_id_is_used_once_a_day(http: httpx.AsyncClient) -> None:
    account = await enrol(http)
    body = withdrawal(account)
    first = await withdraw(http, account, body)
    again = await withdraw(http, account, body)
    assert (first.json()["rsp_code"], first.json()["bank_rsp_code"]) == ("A0000", "000")
    assert again.json()["rsp_code"] == "A0326"
    assert (await record(http, body["bank_tran_id"]))["approvals"] == 1


async def test_a_withdrawal_beyond_the_balance_is_refused_by_the_bank(
    http: httpx.AsyncClient,
) -> None:
    account = await enrol(http, balance=5000)
    body = withdrawal(account, amount="5001")
    answer = (await withdraw(http, account, body)).json()
    assert (answer["rsp_code"], answer["bank_rsp_code"]) == ("A0002", "453")
    assert (await record(http, body["bank_tran_id"]))["approvals"] == 0


async def test_deposits_and_results_need_the_institution_token(http: httpx.AsyncClient) -> None:
    account = await enrol(http)
    headers = {"Authorization": f"Bearer {account['accessToken']}"}
    answer = await http.post("/v2.0/transfer/result", json={}, headers=headers)
    assert (answer.status_code, answer.json()["rsp_code"]) == (403, "O0003")


async def test_a_refund_beyond_what_was_paid_is_refused(http: httpx.AsyncClient) -> None:
    account = await enrol(http)
    body = withdrawal(account, amount="10000")
    assert (await withdraw(http, account, body)).json()["rsp_code"] == "A0000"
    deposit = {
        "cntr_account_type": "N",
        "cntr_account_num": "1234567890123",
        "wd_pass_phrase": "NONE",
        "wd_print_content": "환불",
        "name_check_option": "off",
        "tran_dtime": datetime.now().strftime("%Y%m%d%H%M%S"),
        "req_cnt": "1",
        "req_list": [
            {
                "tran_no": "1",
                "bank_tran_id": f"{INSTITUTION}U{next(_attempts):09d}",
                "fintech_use_num": account["fintechUseNum"],
                "print_content": "공구환불",
                "tran_amt": "10001",
                "req_client_name": "gonggu-7",
                "req_client_fintech_use_num": account["fintechUseNum"],
                "req_client_num": "U7",
                "transfer_purpose": "TR",
            }
        ],
    }
    headers = {"Authorization": f"Bearer {await oob_token(http)}"}
    answer = (
        await http.post("/v2.0/transfer/deposit/fin_num", json=deposit, headers=headers)
    ).json()
    assert (answer["rsp_code"], answer["res_list"][0]["bank_rsp_code"]) == ("A0002", "453")
    assert (await record(http, body["bank_tran_id"]))["refunds"] == 0


async def test_an_unknown_transfer_has_no_result(http: httpx.AsyncClient) -> None:
    query = {
        "check_type": "1",
        "tran_dtime": datetime.now().strftime("%Y%m%d%H%M%S"),
        "req_cnt": "1",
        "req_list": [
            {
                "tran_no": "1",
                "org_bank_tran_id": f"{INSTITUTION}U999999999",
                "org_bank_tran_date": "20240101",
                "org_tran_amt": "1000",
            }
        ],
    }
    headers = {"Authorization": f"Bearer {await oob_token(http)}"}
    answer = (await http.post("/v2.0/transfer/result", json=query, headers=headers)).json()
    assert answer["rsp_code"] == "A0000"
    assert answer["res_list"][0]["bank_rsp_code"] == "515"


async def test_an_error_fault_answers_without_withdrawing(http: httpx.AsyncClient) -> None:
    account = await enrol(http)
    await http.post(
        "/__sandbox__/faults", json={"operation": "withdraw", "kind": "error", "status": 503}
    )
    body = withdrawal(account)
    answer = await withdraw(http, account, body)
    assert (answer.status_code, answer.json()["rsp_code"]) == (503, "A0003")
    assert (await withdraw(http, account, body)).json()["rsp_code"] == "A0000"


async def test_a_withdrawal_whose_answer_is_lost_is_found_and_refunded_once(
    server: str, http: httpx.AsyncClient
) -> None:
    driver = OpenBankingDriver()
    async with httpx.AsyncClient() as client:
        gateway = driver.build_gateway(server, client)
        payer = await driver.payer(http, server)
        call = PlatformCall(next(_attempts), "k", started_at=None)
        ref = PaymentRef(991, 7, "t-991", 10000, "사과", 1, payer_ref=payer["fintechUseNum"])
        request = CheckoutRequest(ref, ReturnUrls("a", "b", "c"), call, payer)
        await http.post("/__sandbox__/faults", json={"operation": "withdraw", "kind": "no_answer"})
        with pytest.raises(PaymentOutcomeUnknown):
            await gateway.checkout(request)
        retried = await gateway.checkout(request)
        assert retried.approval is not None and retried.approval.amount == 10000
        paid = replace(ref, platform_tx_id=retried.platform_tx_id)
        refund_call = PlatformCall(next(_attempts), "r")
        await http.post("/__sandbox__/faults", json={"operation": "deposit", "kind": "no_answer"})
        with pytest.raises(PaymentOutcomeUnknown):
            await gateway.refund(paid, 10000, "expired", refund_call)
        assert (await gateway.refund(paid, 10000, "expired", refund_call)).refunded_amount == 10000
        looked_up = await gateway.lookup(paid, refund_call)
    assert (looked_up.status, looked_up.refunded_amount) == (PlatformStatus.REFUNDED, 10000)
    saved = await record(http, str(retried.platform_tx_id))
    assert (saved["approvals"], saved["refunds"], saved["status"]) == (1, 1, "REFUNDED")


async def test_the_signup_page_hands_out_an_account_to_paste(http: httpx.AsyncClient) -> None:
    page = await http.get("/__sandbox__/signup")
    assert 'action="/openbanking/__sandbox__/signup"' in page.text
    done = await http.post("/__sandbox__/signup", data={"balance": "50000"})
    assert done.status_code == 200
    assert "fintechUseNum" in done.text and "accessToken" in done.text

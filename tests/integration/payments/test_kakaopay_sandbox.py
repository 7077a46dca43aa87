"""The KakaoPay emulator checks what KakaoPay checks, over real HTTP."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

import httpx
import pytest

from adapters.config import SANDBOX_KAKAOPAY_SECRET_KEY
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.anyio

AUTH = {"Authorization": f"SECRET_KEY {SANDBOX_KAKAOPAY_SECRET_KEY}"}


@pytest.fixture
async def kakao(sandbox_server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{sandbox_server.url}/kakaopay") as client:
        yield client
        await client.delete("/__sandbox__/faults")


def ready_body(**changes: Any) -> dict[str, Any]:
    return {
        "cid": "TC0ONETIME",
        "partner_order_id": str(uuid.uuid4()),
        "partner_user_id": "7",
        "item_name": "공구 상품",
        "quantity": 1,
        "total_amount": 12000,
        "tax_free_amount": 0,
        "approval_url": "http://merchant.invalid/done?tx=1",
        "cancel_url": "http://merchant.invalid/cancel",
        "fail_url": "http://merchant.invalid/fail",
        **changes,
    }


async def call(kakao: httpx.AsyncClient, operation: str, body: dict[str, Any]) -> httpx.Response:
    return await kakao.post(f"/online/v1/payment/{operation}", json=body, headers=AUTH)


async def ready(kakao: httpx.AsyncClient, **changes: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    body = ready_body(**changes)
    answer = await call(kakao, "ready", body)
    assert answer.status_code == 200, answer.text
    return body, answer.json()


async def press(kakao: httpx.AsyncClient, page_url: str, action: str) -> httpx.Response:
    page = await kakao.get(page_url)
    match = re.search(rf'action="([^"]*/{action})"', page.text)
    assert match, page.text
    return await kakao.post(urljoin(page_url, match.group(1)), follow_redirects=False)


async def paid(kakao: httpx.AsyncClient) -> tuple[dict[str, Any], str, str]:
    """A ready payment the buyer authorised: (ready body, tid, pg_token)."""
    body, answer = await ready(kakao)
    pressed = await press(kakao, answer["next_redirect_pc_url"], "pay")
    token = dict(parse_qsl(urlsplit(pressed.headers["location"]).query))["pg_token"]
    return body, answer["tid"], token


def approve_body(body: dict[str, Any], tid: str, token: str, **changes: Any) -> dict[str, Any]:
    fields = ("cid", "partner_order_id", "partner_user_id")
    return {**{k: body[k] for k in fields}, "tid": tid, "pg_token": token, **changes}


async def record(kakao: httpx.AsyncClient, tid: str) -> dict[str, Any]:
    payments = (await kakao.get("/__sandbox__/payments")).json()["payments"]
    return next(p for p in payments if p["tid"] == tid)


def assert_kakao_error(answer: httpx.Response, status: int, code: int) -> None:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert body["error_code"] == code
    assert isinstance(body["error_message"], str)


async def test_a_wrong_secret_key_is_refused_in_kakaos_format(kakao: httpx.AsyncClient) -> None:
    for headers in ({"Authorization": "SECRET_KEY wrong"}, {}, {"Authorization": "KakaoAK x"}):
        answer = await kakao.post("/online/v1/payment/ready", json=ready_body(), headers=headers)
        assert_kakao_error(answer, 401, -401)


@pytest.mark.parametrize(
    "changes",
    [
        {"partner_order_id": None},
        {"item_name": 5},
        {"total_amount": 0},
        {"total_amount": -100},
        {"total_amount": "abc"},
        {"quantity": True},
        {"tax_free_amount": 20000},
        {"approval_url": "not-a-url"},
        {"cid": "CT00000000"},
    ],
)
async def test_bad_ready_fields_are_refused(kakao: httpx.AsyncClient, changes: Any) -> None:
    assert_kakao_error(await call(kakao, "ready", ready_body(**changes)), 400, -2)


async def test_a_body_that_is_not_json_is_a_400(kakao: httpx.AsyncClient) -> None:
    form = await kakao.post("/online/v1/payment/ready", data={"cid": "TC0ONETIME"}, headers=AUTH)
    assert_kakao_error(form, 400, -2)
    broken = await kakao.post(
        "/online/v1/payment/ready",
        content=b"{",
        headers={**AUTH, "Content-Type": "application/json"},
    )
    assert_kakao_error(broken, 400, -2)


async def test_the_payment_page_is_on_the_host_the_merchant_called(
    sandbox_server: LiveServer,
) -> None:
    root = sandbox_server.url.replace("127.0.0.1", "localhost")
    async with httpx.AsyncClient(base_url=f"{root}/kakaopay") as kakao:
        _, answer = await ready(kakao)
    for key in ("next_redirect_pc_url", "next_redirect_mobile_url", "next_redirect_app_url"):
        assert answer[key].startswith(f"{root}/kakaopay/online/v1/payment/page/{answer['tid']}")
    assert re.fullmatch(r"T[0-9a-f]{19}", answer["tid"])


async def test_pay_sends_the_browser_back_with_a_pg_token(kakao: httpx.AsyncClient) -> None:
    _, answer = await ready(kakao)
    pressed = await press(kakao, answer["next_redirect_pc_url"], "pay")
    assert pressed.status_code == 303
    location = urlsplit(pressed.headers["location"])
    assert location.path == "/done"
    assert set(dict(parse_qsl(location.query))) == {"tx", "pg_token"}


@pytest.mark.parametrize(
    ("action", "status"), [("cancel", "QUIT_PAYMENT"), ("fail", "FAIL_PAYMENT")]
)
async def test_cancel_and_fail_send_the_browser_to_their_urls(
    kakao: httpx.AsyncClient, action: str, status: str
) -> None:
    _, answer = await ready(kakao)
    pressed = await press(kakao, answer["next_redirect_pc_url"], action)
    assert pressed.headers["location"] == f"http://merchant.invalid/{action}"
    assert (await record(kakao, answer["tid"]))["status"] == status
    again = await kakao.post(f"/online/v1/payment/page/{answer['tid']}/pay")
    assert again.status_code == 409


async def test_approve_before_the_buyer_paid_is_refused(kakao: httpx.AsyncClient) -> None:
    body, answer = await ready(kakao)
    refused = await call(kakao, "approve", approve_body(body, answer["tid"], "guess"))
    assert_kakao_error(refused, 400, -701)


async def test_approve_checks_the_partner_ids_and_the_pg_token(kakao: httpx.AsyncClient) -> None:
    body, tid, token = await paid(kakao)
    wrong_order = approve_body(body, tid, token, partner_order_id="other")
    assert_kakao_error(await call(kakao, "approve", wrong_order), 400, -706)
    wrong_user = approve_body(body, tid, token, partner_user_id="8")
    assert_kakao_error(await call(kakao, "approve", wrong_user), 400, -707)
    assert_kakao_error(await call(kakao, "approve", approve_body(body, tid, "forged")), 400, -780)
    unknown = approve_body(body, "T0000000000000000000", token)
    assert_kakao_error(await call(kakao, "approve", unknown), 400, -721)
    assert (await record(kakao, tid))["approvals"] == 0


async def test_a_payment_is_approved_once(kakao: httpx.AsyncClient) -> None:
    body, tid, token = await paid(kakao)
    first = await call(kakao, "approve", approve_body(body, tid, token))
    assert first.status_code == 200
    assert first.json()["amount"]["total"] == 12000
    assert first.json()["aid"].startswith("A")
    second = await call(kakao, "approve", approve_body(body, tid, token))
    assert_kakao_error(second, 400, -702)
    assert (await record(kakao, tid))["approvals"] == 1


async def test_cancel_never_gives_back_more_than_what_remains(kakao: httpx.AsyncClient) -> None:
    body, tid, token = await paid(kakao)
    await call(kakao, "approve", approve_body(body, tid, token))
    cancel = {"cid": "TC0ONETIME", "tid": tid, "cancel_tax_free_amount": 0}
    part = await call(kakao, "cancel", {**cancel, "cancel_amount": 2000})
    assert part.json()["status"] == "PART_CANCEL_PAYMENT"
    assert part.json()["cancel_available_amount"]["total"] == 10000
    assert_kakao_error(await call(kakao, "cancel", {**cancel, "cancel_amount": 10001}), 400, -781)
    stale = {**cancel, "cancel_amount": 10000, "cancel_available_amount": 12000}
    assert_kakao_error(await call(kakao, "cancel", stale), 400, -781)
    rest = await call(kakao, "cancel", {**cancel, "cancel_amount": 10000, "payload": "k1"})
    assert rest.json()["status"] == "CANCEL_PAYMENT"
    assert_kakao_error(await call(kakao, "cancel", {**cancel, "cancel_amount": 1}), 400, -781)
    order = (await call(kakao, "order", {"cid": "TC0ONETIME", "tid": tid})).json()
    assert order["canceled_amount"]["total"] == 12000
    assert [a["payment_action_type"] for a in order["payment_action_details"]] == [
        "PAYMENT",
        "CANCEL",
        "CANCEL",
    ]
    assert order["payment_action_details"][-1]["payload"] == "k1"
    summary = await record(kakao, tid)
    assert (summary["refunds"], summary["refunded_amount"]) == (2, 12000)


async def test_cancel_of_an_unapproved_payment_is_refused(kakao: httpx.AsyncClient) -> None:
    _, answer = await ready(kakao)
    cancel = {
        "cid": "TC0ONETIME",
        "tid": answer["tid"],
        "cancel_amount": 1,
        "cancel_tax_free_amount": 0,
    }
    assert_kakao_error(await call(kakao, "cancel", cancel), 400, -781)


async def test_an_error_fault_answers_without_acting(kakao: httpx.AsyncClient) -> None:
    body, tid, token = await paid(kakao)
    armed = {"operation": "approve", "kind": "error", "status": 503}
    assert (await kakao.post("/__sandbox__/faults", json=armed)).status_code == 200
    assert_kakao_error(await call(kakao, "approve", approve_body(body, tid, token)), 503, -780)
    assert (await record(kakao, tid))["approvals"] == 0
    assert (await call(kakao, "approve", approve_body(body, tid, token))).status_code == 200


async def test_timeout_and_no_answer_faults_hang(kakao: httpx.AsyncClient) -> None:
    body, tid, token = await paid(kakao)
    await kakao.post("/__sandbox__/faults", json={"operation": "approve", "kind": "timeout"})
    with pytest.raises(httpx.ReadTimeout):
        await call_with_timeout(kakao, "approve", approve_body(body, tid, token))
    assert (await record(kakao, tid))["approvals"] == 0
    await kakao.post("/__sandbox__/faults", json={"operation": "approve", "kind": "no_answer"})
    with pytest.raises(httpx.ReadTimeout):
        await call_with_timeout(kakao, "approve", approve_body(body, tid, token))
    assert (await record(kakao, tid))["approvals"] == 1


async def call_with_timeout(
    kakao: httpx.AsyncClient, operation: str, body: dict[str, Any]
) -> httpx.Response:
    return await kakao.post(f"/online/v1/payment/{operation}", json=body, headers=AUTH, timeout=0.5)


async def test_a_delay_fault_acts_and_answers_late(kakao: httpx.AsyncClient) -> None:
    armed = {"operation": "ready", "kind": "delay", "seconds": 0.3}
    await kakao.post("/__sandbox__/faults", json=armed)
    started = time.monotonic()
    answer = await call(kakao, "ready", ready_body())
    assert answer.status_code == 200
    assert time.monotonic() - started >= 0.3


async def test_faults_are_cleared_and_checked(kakao: httpx.AsyncClient) -> None:
    bad = await kakao.post("/__sandbox__/faults", json={"operation": "pay", "kind": "error"})
    assert bad.status_code == 400
    await kakao.post("/__sandbox__/faults", json={"operation": "ready", "kind": "error"})
    assert (await kakao.delete("/__sandbox__/faults")).status_code == 204
    assert (await call(kakao, "ready", ready_body())).status_code == 200

"""The Toss Payments emulator checks what Toss checks and answers in Toss's formats, over real
HTTP; and the adapter completes a payment's life against it."""

from __future__ import annotations

import base64
import uuid
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from litestar import Litestar, Request, post

from adapters.outbound.payments.tosspayments import TossPaymentsConfig, TossPaymentsGateway
from adapters.platform_settings import SANDBOX_TOSSPAYMENTS, SANDBOX_TOSSPAYMENTS_SECRET_KEY
from domain.errors import PaymentOutcomeUnknown
from domain.ports.payment_gateway import (
    Approval,
    Decline,
    PaymentRef,
    PlatformCall,
    PlatformStatus,
)
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.anyio

AUTH = {
    "Authorization": "Basic "
    + base64.b64encode(f"{SANDBOX_TOSSPAYMENTS_SECRET_KEY}:".encode()).decode()
}


@pytest.fixture
async def toss(sandbox_server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"{sandbox_server.url}/tosspayments") as client:
        await client.delete("/__sandbox__/faults")
        yield client
        await client.delete("/__sandbox__/faults")


def order(amount: int = 30000) -> dict[str, str]:
    return {
        "clientKey": SANDBOX_TOSSPAYMENTS["widget"][1],
        "orderId": str(uuid.uuid4()),
        "amount": str(amount),
        "orderName": "공구 티셔츠",
        "customerKey": "gonggu-customer-1",
        "successUrl": "http://shop.test/done?x=1",
        "failUrl": "http://shop.test/fail",
    }


async def press(
    toss: httpx.AsyncClient, button: str, fields: dict[str, str]
) -> tuple[str, dict[str, str]]:
    answer = await toss.post(f"/widget/checkout/{button}", data=fields, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    return location, dict(parse_qsl(urlsplit(location).query))


async def paid(toss: httpx.AsyncClient, amount: int = 30000) -> dict[str, str]:
    _, query = await press(toss, "pay", order(amount))
    return query


async def confirm(
    toss: httpx.AsyncClient, query: dict[str, str], key: str | None = None, **body: Any
) -> httpx.Response:
    payload = {
        "paymentKey": query["paymentKey"],
        "orderId": query["orderId"],
        "amount": int(query["amount"]),
        **body,
    }
    headers = {**AUTH, "Idempotency-Key": key or str(uuid.uuid4())}
    return await toss.post("/v1/payments/confirm", json=payload, headers=headers)


async def platform_view(toss: httpx.AsyncClient, payment_key: str) -> dict[str, Any]:
    payments = (await toss.get("/__sandbox__/payments")).json()["payments"]
    return next(p for p in payments if p["paymentKey"] == payment_key)


async def test_the_widget_page_offers_pay_cancel_and_fail(toss: httpx.AsyncClient) -> None:
    page = await toss.get("/widget/checkout", params=order())
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    for button in ("pay", "cancel", "fail"):
        assert f'action="/tosspayments/widget/checkout/{button}"' in page.text


async def test_pay_sends_the_browser_to_the_success_url_as_toss_does(
    toss: httpx.AsyncClient,
) -> None:
    fields = order(12000)
    location, query = await press(toss, "pay", fields)
    assert location.startswith("http://shop.test/done?x=1&")
    assert query["paymentType"] == "NORMAL"
    assert (query["orderId"], query["amount"]) == (fields["orderId"], "12000")
    view = await platform_view(toss, query["paymentKey"])
    assert (view["status"], view["approvals"]) == ("IN_PROGRESS", 0)


@pytest.mark.parametrize(
    ("button", "code"), [("cancel", "PAY_PROCESS_CANCELED"), ("fail", "REJECT_CARD_COMPANY")]
)
async def test_cancel_and_fail_go_to_the_fail_url(
    toss: httpx.AsyncClient, button: str, code: str
) -> None:
    fields = order()
    location, query = await press(toss, button, fields)
    assert location.startswith("http://shop.test/fail?")
    assert query["code"] == code
    assert query["message"]
    assert query["orderId"] == fields["orderId"]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"orderId": "abc"}, "INVALID_ORDER_ID"),
        ({"amount": "0"}, "BELOW_ZERO_AMOUNT"),
        ({"successUrl": "not-a-url"}, "INCORRECT_SUCCESS_URL_FORMAT"),
        ({"orderName": ""}, "INVALID_ORDER_NAME"),
    ],
)
async def test_the_widget_refuses_bad_parameters(
    toss: httpx.AsyncClient, change: dict[str, str], code: str
) -> None:
    answer = await toss.get("/widget/checkout", params={**order(), **change})
    assert answer.status_code == 400
    assert answer.json()["code"] == code


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Basic " + base64.b64encode(b"test_sk_wrong:").decode(),
        "Basic " + base64.b64encode(SANDBOX_TOSSPAYMENTS_SECRET_KEY.encode()).decode(),
        f"Bearer {SANDBOX_TOSSPAYMENTS_SECRET_KEY}",
    ],
)
async def test_a_wrong_secret_key_is_refused_in_tosss_format(
    toss: httpx.AsyncClient, authorization: str | None
) -> None:
    query = await paid(toss)
    headers = {"Authorization": authorization} if authorization else {}
    body = {"paymentKey": query["paymentKey"], "orderId": query["orderId"], "amount": 30000}
    answer = await toss.post("/v1/payments/confirm", json=body, headers=headers)
    assert answer.status_code == 401
    assert answer.json() == {
        "code": "UNAUTHORIZED_KEY",
        "message": "인증되지 않은 시크릿 키 혹은 클라이언트 키 입니다.",
    }
    lookup = await toss.get(f"/v1/payments/{query['paymentKey']}", headers=headers)
    assert lookup.status_code == 401
    assert (await platform_view(toss, query["paymentKey"]))["approvals"] == 0


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"paymentKey": "x", "orderId": "order-1"},
        {"paymentKey": "x", "orderId": "o-1", "amount": "30000"},
    ],
)
async def test_confirm_requires_its_fields(toss: httpx.AsyncClient, body: dict[str, Any]) -> None:
    answer = await toss.post("/v1/payments/confirm", json=body, headers=AUTH)
    assert answer.status_code == 400
    assert answer.json()["code"] == "INVALID_REQUEST"


async def test_a_body_that_is_not_json_is_a_400(toss: httpx.AsyncClient) -> None:
    answer = await toss.post("/v1/payments/confirm", content=b"paymentKey=x", headers=AUTH)
    assert answer.status_code == 400
    assert answer.json()["code"] == "INVALID_REQUEST"


async def test_confirm_of_an_unknown_or_foreign_payment_has_no_session(
    toss: httpx.AsyncClient,
) -> None:
    query = await paid(toss)
    unknown = await confirm(toss, {**query, "paymentKey": "tgongguNoSuchKey"})
    foreign = await confirm(toss, {**query, "orderId": str(uuid.uuid4())})
    for answer in (unknown, foreign):
        assert answer.status_code == 404
        assert answer.json()["code"] == "NOT_FOUND_PAYMENT_SESSION"


async def test_confirm_must_send_the_amount_the_buyer_authorised(
    toss: httpx.AsyncClient,
) -> None:
    query = await paid(toss, 30000)
    answer = await confirm(toss, query, amount=29000)
    assert answer.status_code == 400
    assert answer.json()["code"] == "INVALID_REQUEST"
    assert (await platform_view(toss, query["paymentKey"]))["status"] == "IN_PROGRESS"


async def test_a_payment_is_approved_once(toss: httpx.AsyncClient) -> None:
    query = await paid(toss)
    first = await confirm(toss, query, key="confirm-key-1")
    again = await confirm(toss, query, key="confirm-key-1")
    other = await confirm(toss, query, key="confirm-key-2")
    assert first.status_code == 200
    assert first.json()["status"] == "DONE"
    assert first.json()["totalAmount"] == 30000
    assert again.status_code == 200
    assert again.json() == first.json()
    assert other.status_code == 400
    assert other.json()["code"] == "ALREADY_PROCESSED_PAYMENT"
    assert (await platform_view(toss, query["paymentKey"]))["approvals"] == 1


async def test_cancel_is_limited_to_the_balance(toss: httpx.AsyncClient) -> None:
    query = await paid(toss, 30000)
    unconfirmed = await toss.post(
        f"/v1/payments/{query['paymentKey']}/cancel", json={"cancelReason": "x"}, headers=AUTH
    )
    assert unconfirmed.status_code == 403
    assert unconfirmed.json()["code"] == "NOT_CANCELABLE_PAYMENT"
    await confirm(toss, query)
    path = f"/v1/payments/{query['paymentKey']}/cancel"
    over = await toss.post(path, json={"cancelReason": "x", "cancelAmount": 30001}, headers=AUTH)
    assert over.status_code == 403
    assert over.json()["code"] == "NOT_CANCELABLE_AMOUNT"
    no_reason = await toss.post(path, json={"cancelAmount": 1000}, headers=AUTH)
    assert no_reason.json()["code"] == "INVALID_REQUEST"
    part = await toss.post(path, json={"cancelReason": "x", "cancelAmount": 10000}, headers=AUTH)
    assert part.json()["status"] == "PARTIAL_CANCELED"
    assert part.json()["balanceAmount"] == 20000
    rest = await toss.post(path, json={"cancelReason": "x"}, headers=AUTH)
    assert rest.json()["status"] == "CANCELED"
    assert [c["cancelAmount"] for c in rest.json()["cancels"]] == [10000, 20000]
    again = await toss.post(path, json={"cancelReason": "x"}, headers=AUTH)
    assert again.status_code == 400
    assert again.json()["code"] == "ALREADY_CANCELED_PAYMENT"
    view = await platform_view(toss, query["paymentKey"])
    assert (view["refunded_amount"], view["refunds"]) == (30000, 2)


async def test_a_cancel_retried_with_its_key_refunds_once(toss: httpx.AsyncClient) -> None:
    query = await paid(toss)
    await confirm(toss, query)
    path = f"/v1/payments/{query['paymentKey']}/cancel"
    headers = {**AUTH, "Idempotency-Key": "cancel-key-1"}
    body = {"cancelReason": "x", "cancelAmount": 5000}
    first = await toss.post(path, json=body, headers=headers)
    second = await toss.post(path, json=body, headers=headers)
    assert second.json() == first.json()
    assert (await platform_view(toss, query["paymentKey"]))["refunds"] == 1


async def test_lookup_by_key_and_by_order(toss: httpx.AsyncClient) -> None:
    query = await paid(toss)
    await confirm(toss, query)
    by_key = await toss.get(f"/v1/payments/{query['paymentKey']}", headers=AUTH)
    by_order = await toss.get(f"/v1/payments/orders/{query['orderId']}", headers=AUTH)
    assert by_key.json() == by_order.json()
    assert by_key.json()["status"] == "DONE"
    missing = await toss.get("/v1/payments/orders/no-such-order", headers=AUTH)
    assert missing.status_code == 404
    assert missing.json()["code"] == "NOT_FOUND_PAYMENT"


async def test_an_error_fault_answers_without_acting(toss: httpx.AsyncClient) -> None:
    query = await paid(toss)
    armed = await toss.post(
        "/__sandbox__/faults", json={"operation": "confirm", "kind": "error", "status": 500}
    )
    assert armed.status_code == 200
    failed = await confirm(toss, query, key="k-error")
    assert failed.status_code == 500
    assert failed.json()["code"] == "FAILED_INTERNAL_SYSTEM_PROCESSING"
    assert (await platform_view(toss, query["paymentKey"]))["approvals"] == 0
    retried = await confirm(toss, query, key="k-error")
    assert retried.json()["status"] == "DONE"


async def test_a_no_answer_fault_acts_and_the_retry_gets_the_same_answer(
    toss: httpx.AsyncClient,
) -> None:
    query = await paid(toss)
    await toss.post("/__sandbox__/faults", json={"operation": "confirm", "kind": "no_answer"})
    with pytest.raises(httpx.ReadTimeout):
        await toss.post(
            "/v1/payments/confirm",
            json={"paymentKey": query["paymentKey"], "orderId": query["orderId"], "amount": 30000},
            headers={**AUTH, "Idempotency-Key": "k-lost"},
            timeout=0.5,
        )
    assert (await platform_view(toss, query["paymentKey"]))["approvals"] == 1
    retried = await confirm(toss, query, key="k-lost")
    assert retried.status_code == 200
    assert (await platform_view(toss, query["paymentKey"]))["approvals"] == 1


async def test_a_timeout_fault_does_not_act(toss: httpx.AsyncClient) -> None:
    query = await paid(toss)
    await toss.post("/__sandbox__/faults", json={"operation": "get", "kind": "timeout"})
    with pytest.raises(httpx.ReadTimeout):
        await toss.get(f"/v1/payments/{query['paymentKey']}", headers=AUTH, timeout=0.5)
    answer = await toss.get(f"/v1/payments/{query['paymentKey']}", headers=AUTH)
    assert answer.status_code == 200


async def test_a_fault_with_an_unknown_operation_is_refused(toss: httpx.AsyncClient) -> None:
    answer = await toss.post("/__sandbox__/faults", json={"operation": "ready", "kind": "error"})
    assert answer.status_code == 400
    assert answer.json()["code"] == "INVALID_REQUEST"


async def test_the_webhook_switch_posts_a_payment_status_changed_event(
    toss: httpx.AsyncClient,
) -> None:
    received: list[dict[str, Any]] = []

    @post("/hook", status_code=200)
    async def hook(request: Request[Any, Any, Any]) -> None:
        received.append(await request.json())

    query = await paid(toss)
    await confirm(toss, query)
    with LiveServer(Litestar(route_handlers=[hook])) as receiver:
        answer = await toss.post(
            "/__sandbox__/webhook",
            json={"url": f"{receiver.url}/hook", "paymentKey": query["paymentKey"]},
        )
    assert answer.json()["delivered"] is True
    (event,) = received
    assert event["eventType"] == "PAYMENT_STATUS_CHANGED"
    assert event["createdAt"]
    assert event["data"]["paymentKey"] == query["paymentKey"]
    assert event["data"]["status"] == "DONE"


def ref_for(fields: dict[str, str]) -> PaymentRef:
    return PaymentRef(
        order_id=1,
        user_id=1,
        transaction_id=fields["orderId"],
        amount=int(fields["amount"]),
        item_name=fields["orderName"],
        quantity=1,
    )


def adapter(sandbox_server: LiveServer, http: httpx.AsyncClient) -> TossPaymentsGateway:
    config = TossPaymentsConfig(
        f"{sandbox_server.url}/tosspayments", SANDBOX_TOSSPAYMENTS_SECRET_KEY, timeout_s=1.0
    )
    return TossPaymentsGateway(config, http)


async def test_the_adapter_pays_looks_up_and_refunds_once(
    toss: httpx.AsyncClient, sandbox_server: LiveServer
) -> None:
    fields = order(30000)
    _, query = await press(toss, "pay", fields)
    async with httpx.AsyncClient() as http:
        gateway = adapter(sandbox_server, http)
        approval = await gateway.approve(ref_for(fields), query, PlatformCall(1, "approve-1"))
        assert isinstance(approval, Approval)
        assert approval.amount == 30000
        ref = PaymentRef(**{**ref_for(fields).__dict__, "platform_tx_id": approval.platform_tx_id})
        assert (await gateway.lookup(ref)).status is PlatformStatus.APPROVED
        await toss.post("/__sandbox__/faults", json={"operation": "cancel", "kind": "no_answer"})
        with pytest.raises(PaymentOutcomeUnknown):
            await gateway.refund(ref, 30000, "group expired", PlatformCall(2, "refund-2"))
        again = await gateway.refund(ref, 30000, "group expired", PlatformCall(3, "refund-3"))
        assert again.refunded_amount == 30000
        looked = await gateway.lookup(ref)
    assert (looked.status, looked.refunded_amount) == (PlatformStatus.REFUNDED, 30000)
    view = await platform_view(toss, query["paymentKey"])
    assert (view["approvals"], view["refunds"], view["refunded_amount"]) == (1, 1, 30000)


async def test_a_buyer_who_tampered_with_the_amount_is_declined_and_never_charged(
    toss: httpx.AsyncClient, sandbox_server: LiveServer
) -> None:
    fields = order(30000)
    _, query = await press(toss, "pay", {**fields, "tamperAmount": "100"})
    assert query["amount"] == "100"
    async with httpx.AsyncClient() as http:
        result = await adapter(sandbox_server, http).approve(
            ref_for(fields), query, PlatformCall(1, "approve-tamper")
        )
    assert isinstance(result, Decline)
    assert (await platform_view(toss, query["paymentKey"]))["approvals"] == 0

"""The Toss Payments adapter speaks the documented core API v1 (docs.tosspayments.com/reference):
exact requests, and the documented response and error examples parsed."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from adapters.outbound.payments.tosspayments import TossPaymentsConfig, TossPaymentsGateway
from domain.errors import PaymentOutcomeUnknown, PaymentPlatformError
from domain.ports.payment_gateway import (
    Approval,
    CheckoutRequest,
    Decline,
    PaymentRef,
    PlatformCall,
    PlatformStatus,
    ReturnUrls,
)

pytestmark = pytest.mark.anyio

SECRET = "test_sk_zXLkKEypNArWmo50nX3lmeaxYG5R"
BASIC = "Basic " + base64.b64encode(f"{SECRET}:".encode()).decode()
PAYMENT_KEY = "5EnNZRJGvaBX7zk2yd8ydw26XvwXkLrx9POLqKQjmAw4b0e1"
ORDER_ID = "MC4wODU4ODQwMzg4NDk0"
CALL = PlatformCall(attempt_id=7, idempotency_key="9f1c0c5e-approve-7")
REF = PaymentRef(
    order_id=10,
    user_id=3,
    transaction_id=ORDER_ID,
    amount=1000,
    item_name="토스 티셔츠",
    quantity=1,
)
PAID_REF = PaymentRef(**{**REF.__dict__, "platform_tx_id": PAYMENT_KEY})
SUCCESS = {
    "paymentType": "NORMAL",
    "orderId": ORDER_ID,
    "paymentKey": PAYMENT_KEY,
    "amount": "1000",
}

# The Payment object as the docs show it for a card payment (결제 승인 response, abridged).
DONE = {
    "mId": "tosspayments",
    "lastTransactionKey": "9C62B18EEF0DE3EB7F4422EB6D14BC6E",
    "paymentKey": PAYMENT_KEY,
    "orderId": ORDER_ID,
    "orderName": "토스 티셔츠 외 2건",
    "taxExemptionAmount": 0,
    "status": "DONE",
    "requestedAt": "2024-02-13T12:17:57+09:00",
    "approvedAt": "2024-02-13T12:18:14+09:00",
    "useEscrow": False,
    "cultureExpense": False,
    "card": {
        "issuerCode": "71",
        "acquirerCode": "71",
        "number": "12345678****000*",
        "installmentPlanMonths": 0,
        "isInterestFree": False,
        "interestPayer": None,
        "approveNo": "00000000",
        "useCardPoint": False,
        "cardType": "신용",
        "ownerType": "개인",
        "acquireStatus": "READY",
        "amount": 1000,
    },
    "virtualAccount": None,
    "transfer": None,
    "mobilePhone": None,
    "giftCertificate": None,
    "cashReceipt": None,
    "cashReceipts": None,
    "discount": None,
    "cancels": None,
    "secret": None,
    "type": "NORMAL",
    "easyPay": {"provider": "토스페이", "amount": 0, "discountAmount": 0},
    "country": "KR",
    "failure": None,
    "isPartialCancelable": True,
    "receipt": {
        "url": "https://dashboard.tosspayments.com/receipt/redirection?transactionId=tviva20240213121757MvuS8&ref=PX"
    },
    "checkout": {"url": f"https://api.tosspayments.com/v1/payments/{PAYMENT_KEY}/checkout"},
    "currency": "KRW",
    "totalAmount": 1000,
    "balanceAmount": 1000,
    "suppliedAmount": 909,
    "vat": 91,
    "taxFreeAmount": 0,
    "method": "카드",
    "version": "2022-11-16",
}
CANCEL = {
    "transactionKey": "090A796806E726BBB929F4A2CA7DB9A7",
    "cancelReason": "테스트 결제 취소",
    "taxExemptionAmount": 0,
    "canceledAt": "2024-02-13T12:20:23+09:00",
    "easyPayDiscountAmount": 0,
    "receiptKey": None,
    "cancelAmount": 1000,
    "taxFreeAmount": 0,
    "refundableAmount": 0,
    "cancelStatus": "DONE",
    "cancelRequestId": None,
}
CANCELED = {
    **DONE,
    "status": "CANCELED",
    "balanceAmount": 0,
    "suppliedAmount": 0,
    "vat": 0,
    "cancels": [CANCEL],
}

Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    """A MockTransport that answers in turn and keeps every request."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def gateway(recorder: Recorder, **config: Any) -> TossPaymentsGateway:
    http = httpx.AsyncClient(transport=httpx.MockTransport(recorder))
    settings = {"base_url": "https://api.tosspayments.com", "secret_key": SECRET, **config}
    return TossPaymentsGateway(TossPaymentsConfig(**settings), http)


def error(status: int, code: str, message: str) -> httpx.Response:
    return httpx.Response(status, json={"code": code, "message": message})


async def test_checkout_returns_the_widget_parameters_without_calling_toss() -> None:
    recorder = Recorder()
    urls = ReturnUrls("https://shop/ok", "https://shop/fail", "https://shop/cancel")
    checkout = await gateway(recorder, client_key="test_ck_abc").checkout(
        CheckoutRequest(REF, urls, CALL)
    )
    data = checkout.client_data
    assert recorder.requests == []
    assert data["orderId"] == ORDER_ID
    assert data["amount"] == 1000
    assert data["widgetAmount"] == {"currency": "KRW", "value": 1000}
    assert data["orderName"] == "토스 티셔츠"
    assert (data["successUrl"], data["failUrl"]) == ("https://shop/ok", "https://shop/fail")
    assert data["clientKey"] == "test_ck_abc"
    assert "checkoutPageUrl" not in data


async def test_customer_key_is_stable_unguessable_and_within_tosss_format() -> None:
    urls = ReturnUrls("https://shop/ok", "https://shop/fail", "https://shop/cancel")

    async def key_of(ref: PaymentRef, secret: str = SECRET) -> str:
        checkout = await gateway(Recorder(), secret_key=secret).checkout(
            CheckoutRequest(ref, urls, CALL)
        )
        return str(checkout.client_data["customerKey"])

    key = await key_of(REF)
    assert re.fullmatch(r"[A-Za-z0-9\-_=.@]{2,50}", key)
    assert key == await key_of(REF)
    assert key != await key_of(PaymentRef(**{**REF.__dict__, "user_id": 4}))
    assert key != await key_of(REF, secret="test_sk_another")


async def test_order_name_is_cut_to_100_characters() -> None:
    long_ref = PaymentRef(**{**REF.__dict__, "item_name": "가" * 150, "quantity": 3})
    urls = ReturnUrls("https://shop/ok", "https://shop/fail", "https://shop/cancel")
    checkout = await gateway(Recorder()).checkout(CheckoutRequest(long_ref, urls, CALL))
    assert len(str(checkout.client_data["orderName"])) == 100


async def test_confirm_sends_the_documented_request() -> None:
    recorder = Recorder(httpx.Response(200, json=DONE))
    result = await gateway(recorder).approve(REF, SUCCESS, CALL)
    (sent,) = recorder.requests
    assert sent.method == "POST"
    assert str(sent.url) == "https://api.tosspayments.com/v1/payments/confirm"
    assert sent.headers["Authorization"] == BASIC
    assert sent.headers["Content-Type"] == "application/json"
    assert sent.headers["Idempotency-Key"] == CALL.idempotency_key
    body = json.loads(sent.content)
    assert body == {"paymentKey": PAYMENT_KEY, "orderId": ORDER_ID, "amount": 1000}
    assert isinstance(body["amount"], int)
    assert isinstance(result, Approval)
    assert result.platform_tx_id == PAYMENT_KEY
    assert result.amount == 1000
    assert result.approved_at == datetime(
        2024, 2, 13, 12, 18, 14, tzinfo=timezone(timedelta(hours=9))
    )


async def test_approval_reports_the_amount_toss_actually_approved() -> None:
    recorder = Recorder(httpx.Response(200, json={**DONE, "totalAmount": 900}))
    result = await gateway(recorder).approve(REF, SUCCESS, CALL)
    assert isinstance(result, Approval)
    assert result.amount == 900


@pytest.mark.parametrize(
    ("code", "by_user"),
    [
        ("PAY_PROCESS_CANCELED", True),
        ("PAY_PROCESS_ABORTED", False),
        ("REJECT_CARD_COMPANY", False),
    ],
)
async def test_fail_url_is_a_decline_without_calling_toss(code: str, by_user: bool) -> None:
    recorder = Recorder()
    callback = {
        "code": code,
        "message": "사용자에 의해 결제가 취소되었습니다.",
        "orderId": ORDER_ID,
    }
    result = await gateway(recorder).approve(REF, callback, CALL)
    assert isinstance(result, Decline)
    assert result.cancelled_by_user is by_user
    assert code in result.reason
    assert recorder.requests == []


@pytest.mark.parametrize(
    "callback",
    [
        {**SUCCESS, "amount": "100"},
        {**SUCCESS, "orderId": "another-order-id"},
        {k: v for k, v in SUCCESS.items() if k != "paymentKey"},
    ],
)
async def test_a_tampered_success_url_is_declined_before_confirming(
    callback: dict[str, str],
) -> None:
    recorder = Recorder()
    result = await gateway(recorder).approve(REF, callback, CALL)
    assert isinstance(result, Decline)
    assert not result.cancelled_by_user
    assert recorder.requests == []


def test_the_payment_key_is_the_reference_of_the_success_url() -> None:
    toss = gateway(Recorder())
    assert toss.reference_from_callback(SUCCESS) == PAYMENT_KEY
    assert toss.reference_from_callback({"code": "PAY_PROCESS_CANCELED"}) is None


async def test_a_confirm_that_does_not_end_done_is_not_an_approval() -> None:
    waiting = {**DONE, "status": "WAITING_FOR_DEPOSIT", "approvedAt": None, "method": "가상계좌"}
    recorder = Recorder(httpx.Response(200, json=waiting))
    with pytest.raises(PaymentPlatformError) as caught:
        await gateway(recorder).approve(REF, SUCCESS, CALL)
    assert caught.value.code == "WAITING_FOR_DEPOSIT"


async def test_already_processed_on_retry_returns_the_approval_from_a_lookup() -> None:
    recorder = Recorder(
        error(400, "ALREADY_PROCESSED_PAYMENT", "이미 처리된 결제 입니다."),
        httpx.Response(200, json=DONE),
    )
    result = await gateway(recorder).approve(REF, SUCCESS, CALL)
    assert isinstance(result, Approval)
    assert result.amount == 1000
    lookup = recorder.requests[1]
    assert (lookup.method, lookup.url.path) == ("GET", f"/v1/payments/{PAYMENT_KEY}")


async def test_already_processed_for_another_order_stays_an_error() -> None:
    recorder = Recorder(
        error(400, "ALREADY_PROCESSED_PAYMENT", "이미 처리된 결제 입니다."),
        httpx.Response(200, json={**DONE, "orderId": "someone-elses-order"}),
    )
    with pytest.raises(PaymentPlatformError) as caught:
        await gateway(recorder).approve(REF, SUCCESS, CALL)
    assert caught.value.code == "ALREADY_PROCESSED_PAYMENT"


async def test_a_refusal_carries_tosss_code_and_message() -> None:
    recorder = Recorder(
        error(403, "REJECT_CARD_PAYMENT", "한도초과 혹은 잔액부족으로 결제에 실패했습니다.")
    )
    with pytest.raises(PaymentPlatformError) as caught:
        await gateway(recorder).approve(REF, SUCCESS, CALL)
    assert caught.value.code == "REJECT_CARD_PAYMENT"
    assert caught.value.platform_message == "한도초과 혹은 잔액부족으로 결제에 실패했습니다."


async def test_an_error_wrapped_in_an_error_object_is_read_too() -> None:
    body = {
        "error": {
            "code": "NOT_FOUND_PAYMENT_SESSION",
            "message": "결제 시간이 만료되어 결제 진행 데이터가 존재하지 않습니다.",
        }
    }
    recorder = Recorder(httpx.Response(404, json=body))
    with pytest.raises(PaymentPlatformError) as caught:
        await gateway(recorder).approve(REF, SUCCESS, CALL)
    assert caught.value.code == "NOT_FOUND_PAYMENT_SESSION"


@pytest.mark.parametrize(
    "answer",
    [
        error(500, "FAILED_INTERNAL_SYSTEM_PROCESSING", "내부 시스템 처리 작업이 실패했습니다."),
        httpx.ReadTimeout("timed out"),
        httpx.ConnectError("refused"),
    ],
)
async def test_a_lost_or_failed_answer_is_an_unknown_outcome(
    answer: httpx.Response | Exception,
) -> None:
    with pytest.raises(PaymentOutcomeUnknown):
        await gateway(Recorder(answer)).approve(REF, SUCCESS, CALL)


async def test_every_request_uses_the_configured_timeout() -> None:
    seen: list[Any] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return httpx.Response(200, json=DONE)

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    config = TossPaymentsConfig("https://api.tosspayments.com", SECRET, timeout_s=2.5)
    await TossPaymentsGateway(config, http).approve(REF, SUCCESS, CALL)
    assert seen == [{"connect": 2.5, "read": 2.5, "write": 2.5, "pool": 2.5}]


async def test_lookup_by_payment_key() -> None:
    recorder = Recorder(httpx.Response(200, json=DONE))
    result = await gateway(recorder).lookup(PAID_REF)
    (sent,) = recorder.requests
    assert sent.method == "GET"
    assert str(sent.url) == f"https://api.tosspayments.com/v1/payments/{PAYMENT_KEY}"
    assert sent.headers["Authorization"] == BASIC
    assert sent.content == b""
    assert result.status is PlatformStatus.APPROVED
    assert (result.approved_amount, result.refunded_amount) == (1000, 0)
    assert result.platform_tx_id == PAYMENT_KEY
    assert result.approved_at is not None


async def test_lookup_by_order_id_when_no_payment_key_is_known() -> None:
    recorder = Recorder(httpx.Response(200, json=DONE))
    result = await gateway(recorder).lookup(REF)
    assert recorder.requests[0].url.path == f"/v1/payments/orders/{ORDER_ID}"
    assert result.platform_tx_id == PAYMENT_KEY


async def test_lookup_of_an_unknown_payment_is_not_found() -> None:
    recorder = Recorder(error(404, "NOT_FOUND_PAYMENT", "존재하지 않는 결제 입니다."))
    result = await gateway(recorder).lookup(REF)
    assert result.status is PlatformStatus.NOT_FOUND


@pytest.mark.parametrize(
    ("payment", "status", "approved", "refunded"),
    [
        ({**DONE, "status": "READY", "approvedAt": None}, PlatformStatus.PENDING, 0, 0),
        ({**DONE, "status": "IN_PROGRESS", "approvedAt": None}, PlatformStatus.PENDING, 0, 0),
        (
            {**DONE, "status": "WAITING_FOR_DEPOSIT", "approvedAt": None},
            PlatformStatus.PENDING,
            0,
            0,
        ),
        (CANCELED, PlatformStatus.REFUNDED, 1000, 1000),
        (
            {
                **CANCELED,
                "status": "PARTIAL_CANCELED",
                "balanceAmount": 600,
                "cancels": [{**CANCEL, "cancelAmount": 400}],
            },
            PlatformStatus.APPROVED,
            1000,
            400,
        ),
        (
            {
                **DONE,
                "status": "ABORTED",
                "approvedAt": None,
                "failure": {"code": "COMMON_ERROR", "message": "일시적인 오류가 발생했습니다."},
            },
            PlatformStatus.FAILED,
            0,
            0,
        ),
        ({**DONE, "status": "EXPIRED", "approvedAt": None}, PlatformStatus.CANCELLED, 0, 0),
    ],
)
async def test_lookup_maps_tosss_statuses(
    payment: dict[str, Any], status: PlatformStatus, approved: int, refunded: int
) -> None:
    result = await gateway(Recorder(httpx.Response(200, json=payment))).lookup(PAID_REF)
    assert (result.status, result.approved_amount, result.refunded_amount) == (
        status,
        approved,
        refunded,
    )


async def test_cancel_sends_the_documented_request() -> None:
    recorder = Recorder(httpx.Response(200, json=CANCELED))
    call = PlatformCall(attempt_id=8, idempotency_key="refund-key-8")
    refund = await gateway(recorder).refund(PAID_REF, 1000, "group expired", call)
    (sent,) = recorder.requests
    assert sent.method == "POST"
    assert str(sent.url) == f"https://api.tosspayments.com/v1/payments/{PAYMENT_KEY}/cancel"
    assert sent.headers["Authorization"] == BASIC
    assert sent.headers["Content-Type"] == "application/json"
    assert sent.headers["Idempotency-Key"] == "refund-key-8"
    assert json.loads(sent.content) == {"cancelReason": "group expired", "cancelAmount": 1000}
    assert refund.refunded_amount == 1000


async def test_an_already_cancelled_payment_counts_as_refunded() -> None:
    recorder = Recorder(error(400, "ALREADY_CANCELED_PAYMENT", "이미 취소된 결제 입니다."))
    refund = await gateway(recorder).refund(PAID_REF, 1000, "group expired", CALL)
    assert refund.refunded_amount == 1000


async def test_a_cancel_over_the_balance_is_refused() -> None:
    recorder = Recorder(error(403, "NOT_CANCELABLE_AMOUNT", "취소 할 수 없는 금액 입니다."))
    with pytest.raises(PaymentPlatformError) as caught:
        await gateway(recorder).refund(PAID_REF, 5000, "group expired", CALL)
    assert caught.value.code == "NOT_CANCELABLE_AMOUNT"


async def test_idempotent_request_processing_is_repeated_with_the_same_key_until_answered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        "adapters.outbound.payments.tosspayments.client.PROCESSING_RETRY_DELAYS_S", (0.0, 0.0)
    )
    busy = "IDEMPOTENT_REQUEST_PROCESSING"
    recorder = Recorder(
        error(409, busy, "이전 멱등 요청이 처리중 입니다."), httpx.Response(200, json=DONE)
    )
    approval = await gateway(recorder).approve(REF, SUCCESS, CALL)
    assert isinstance(approval, Approval)
    keys = [r.headers["Idempotency-Key"] for r in recorder.requests]
    bodies = [json.loads(r.content) for r in recorder.requests]
    assert keys == [CALL.idempotency_key] * 2
    assert bodies[0] == bodies[1]


async def test_idempotent_request_processing_that_never_ends_is_an_unknown_outcome(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        "adapters.outbound.payments.tosspayments.client.PROCESSING_RETRY_DELAYS_S", (0.0, 0.0)
    )
    busy = error(409, "IDEMPOTENT_REQUEST_PROCESSING", "이전 멱등 요청이 처리중 입니다.")
    recorder = Recorder(busy, busy, busy)
    with pytest.raises(PaymentOutcomeUnknown):
        await gateway(recorder).approve(REF, SUCCESS, CALL)
    assert len(recorder.requests) == 3
    assert {r.headers["Idempotency-Key"] for r in recorder.requests} == {CALL.idempotency_key}

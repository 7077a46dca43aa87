"""The NaverPay adapter speaks the documented API: exact requests, documented answers.

Response bodies follow the examples of NaverPay's developer documentation (결제형 API:
v2.2 apply/payment, v1/cancel, v2.2 list/history).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

from adapters.outbound.payments.naverpay import NaverPayConfig, NaverPayGateway
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

BASE = "https://dev-pay.paygate.naver.com"
PAYMENT_ID = "20170201NP1043587746"
TX = "4f1d2c8e-0b5a-4d55-9c1e-6f0f3a7d2b11"
CALL = PlatformCall(attempt_id=7, idempotency_key="idem-7")
CONFIG = NaverPayConfig(
    base_url=BASE,
    partner_id="np_partner",
    client_id="client-id",
    client_secret="client-secret",
    chain_id="chain-id",
    timeout_s=3.0,
    cancel_retry_delays_s=(0.0, 0.0),
)
PAYMENT = PaymentRef(
    order_id=10,
    user_id=3,
    transaction_id=TX,
    amount=1000,
    item_name="상품명",
    quantity=2,
    platform_tx_id=PAYMENT_ID,
)
DETAIL = {
    "productName": "상품명",
    "merchantId": "loginId",
    "merchantName": "가맹점명",
    "cardNo": "465887**********",
    "admissionYmdt": "20170201151722",
    "payHistId": "20170201NP1043587781",
    "totalPayAmount": 1000,
    "applyPayAmount": 1000,
    "primaryPayAmount": 1000,
    "npointPayAmount": 0,
    "giftCardAmount": 0,
    "discountPayAmount": 0,
    "taxScopeAmount": 1000,
    "taxExScopeAmount": 0,
    "environmentDepositAmount": 0,
    "primaryPayMeans": "CARD",
    "merchantPayKey": TX,
    "merchantUserKey": "3",
    "cardCorpCode": "C0",
    "paymentId": PAYMENT_ID,
    "admissionTypeCode": "01",
    "settleExpectAmount": 971,
    "payCommissionAmount": 29,
    "admissionState": "SUCCESS",
    "tradeConfirmYmdt": "20170201152510",
    "cardAuthNo": "17545616",
    "cardInstCount": 0,
    "usedCardPoint": False,
    "bankCorpCode": "",
    "bankAccountNo": "",
    "settleExpected": False,
    "extraDeduction": False,
    "useCfmYmdt": "20170201",
}
APPLY_OK = {"code": "Success", "message": "", "body": {"paymentId": PAYMENT_ID, "detail": DETAIL}}
CANCEL_OK = {
    "code": "Success",
    "message": "",
    "body": {
        "paymentId": PAYMENT_ID,
        "payHistId": "20170201NP1043587800",
        "primaryPayMeans": "CARD",
        "primaryPayCancelAmount": 1000,
        "primaryPayRestAmount": 0,
        "npointCancelAmount": 0,
        "npointRestAmount": 0,
        "taxScopeAmount": 1000,
        "taxExScopeAmount": 0,
        "taxScopeRestAmount": 0,
        "taxExScopeRestAmount": 0,
        "cancelYmdt": "20170201161722",
        "totalRestAmount": 0,
    },
}


def history(*rows: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": "Success",
        "message": "",
        "body": {
            "totalCount": len(rows),
            "responseCount": len(rows),
            "totalPageCount": 1,
            "currentPageNumber": 1,
            "list": list(rows),
        },
    }


def cancel_row(amount: int, type_code: str) -> dict[str, Any]:
    return {**DETAIL, "admissionTypeCode": type_code, "totalPayAmount": amount}


class Platform:
    """A MockTransport that answers from a script and records every request."""

    def __init__(self, *answers: httpx.Response | Callable[[httpx.Request], httpx.Response]):
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0)
        return answer(request) if callable(answer) else answer

    def gateway(self) -> NaverPayGateway:
        return NaverPayGateway(CONFIG, httpx.AsyncClient(transport=httpx.MockTransport(self)))


def ok(body: dict[str, Any], status: int = 200) -> httpx.Response:
    return httpx.Response(status, json=body)


def form_of(request: httpx.Request) -> dict[str, str]:
    return dict(parse_qsl(request.content.decode()))


def assert_auth_headers(request: httpx.Request) -> None:
    assert request.headers["X-Naver-Client-Id"] == "client-id"
    assert request.headers["X-Naver-Client-Secret"] == "client-secret"
    assert request.headers["X-NaverPay-Chain-Id"] == "chain-id"


async def test_checkout_returns_the_sdk_parameters_without_calling_naverpay() -> None:
    platform = Platform()
    urls = ReturnUrls("https://shop/done/NAVER_PAY/x", "https://shop/fail", "https://shop/cancel")
    checkout = await platform.gateway().checkout(CheckoutRequest(PAYMENT, urls, CALL))
    assert platform.requests == []
    assert checkout.client_data == {
        "mode": "development",
        "clientId": "client-id",
        "chainId": "chain-id",
        "merchantPayKey": TX,
        "merchantUserKey": "3",
        "productName": "상품명",
        "productCount": 2,
        "totalPayAmount": 1000,
        "taxScopeAmount": 1000,
        "taxExScopeAmount": 0,
        "returnUrl": "https://shop/done/NAVER_PAY/x",
    }


async def test_in_sandbox_mode_checkout_also_names_the_emulated_checkout_page() -> None:
    page = "http://127.0.0.1:8001/naverpay/sdk/checkout"
    config = dataclasses.replace(CONFIG, checkout_page_url=page)
    gateway = NaverPayGateway(config, httpx.AsyncClient(transport=httpx.MockTransport(Platform())))
    urls = ReturnUrls("https://shop/done/NAVER_PAY/x", "https://shop/fail", "https://shop/cancel")

    checkout = await gateway.checkout(CheckoutRequest(PAYMENT, urls, CALL))

    url = str(checkout.client_data["checkoutPageUrl"])
    assert url.startswith(f"{page}?")
    assert dict(parse_qsl(url.split("?", 1)[1]))["merchantPayKey"] == TX


async def test_approve_posts_the_payment_id_as_a_form_with_idempotency_key() -> None:
    platform = Platform(ok(APPLY_OK))
    callback = {"resultCode": "Success", "paymentId": PAYMENT_ID}
    result = await platform.gateway().approve(PAYMENT, callback, CALL)
    (request,) = platform.requests
    assert request.method == "POST"
    assert str(request.url) == f"{BASE}/np_partner/naverpay/payments/v2.2/apply/payment"
    assert_auth_headers(request)
    assert request.headers["X-NaverPay-Idempotency-Key"] == "idem-7"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert form_of(request) == {"paymentId": PAYMENT_ID}
    # 결제승인 gets NaverPay's recommended minute, not the other calls' timeout
    assert request.extensions["timeout"]["read"] == 60.0
    assert isinstance(result, Approval)
    assert result.platform_tx_id == PAYMENT_ID
    assert result.amount == 1000
    assert result.approved_at == datetime(
        2017, 2, 1, 15, 17, 22, tzinfo=timezone(timedelta(hours=9))
    )


async def test_approve_reports_the_amount_naverpay_actually_took() -> None:
    body = {
        **APPLY_OK,
        "body": {"paymentId": PAYMENT_ID, "detail": {**DETAIL, "totalPayAmount": 900}},
    }
    result = (
        await Platform(ok(body))
        .gateway()
        .approve(PAYMENT, {"resultCode": "Success", "paymentId": PAYMENT_ID}, CALL)
    )
    assert isinstance(result, Approval) and result.amount == 900


@pytest.mark.parametrize(("code", "by_user"), [("UserCancel", True), ("OwnerAuthFail", False)])
async def test_a_failed_payment_window_declines_without_calling_naverpay(
    code: str, by_user: bool
) -> None:
    platform = Platform()
    callback = {"resultCode": code, "resultMessage": "사용자 취소"}
    result = await platform.gateway().approve(PAYMENT, callback, CALL)
    assert platform.requests == []
    assert isinstance(result, Decline) and result.cancelled_by_user is by_user


async def test_approving_someone_elses_payment_is_refused() -> None:
    body = {
        **APPLY_OK,
        "body": {"paymentId": PAYMENT_ID, "detail": {**DETAIL, "merchantPayKey": "x"}},
    }
    with pytest.raises(PaymentPlatformError) as error:
        await (
            Platform(ok(body))
            .gateway()
            .approve(PAYMENT, {"resultCode": "Success", "paymentId": PAYMENT_ID}, CALL)
        )
    assert error.value.code == "MerchantPayKeyMismatch"


async def test_already_complete_is_answered_from_the_payment_history() -> None:
    done = {"code": "AlreadyComplete", "message": "이미 완료된 결제", "body": None}
    platform = Platform(ok(done), ok(history(DETAIL)))
    result = await platform.gateway().approve(
        PAYMENT, {"resultCode": "Success", "paymentId": PAYMENT_ID}, CALL
    )
    assert isinstance(result, Approval) and result.amount == 1000
    assert platform.requests[1].url.path.endswith(f"/v2.2/list/history/{PAYMENT_ID}")


async def test_a_refusal_with_http_200_is_a_platform_error_with_its_code() -> None:
    refusal = {
        "code": "TimeExpired",
        "message": "결제 승인 가능 시간이 초과되었습니다.",
        "body": None,
    }
    with pytest.raises(PaymentPlatformError) as error:
        await (
            Platform(ok(refusal))
            .gateway()
            .approve(PAYMENT, {"resultCode": "Success", "paymentId": PAYMENT_ID}, CALL)
        )
    assert error.value.code == "TimeExpired"
    assert "초과" in error.value.platform_message


async def test_already_on_going_is_an_unknown_outcome() -> None:
    busy = {"code": "AlreadyOnGoing", "message": "결제가 이미 진행 중입니다.", "body": None}
    with pytest.raises(PaymentOutcomeUnknown):
        await (
            Platform(ok(busy))
            .gateway()
            .approve(PAYMENT, {"resultCode": "Success", "paymentId": PAYMENT_ID}, CALL)
        )


async def test_a_replayed_success_answered_409_is_the_original_success() -> None:
    result = (
        await Platform(ok(APPLY_OK, status=409))
        .gateway()
        .approve(PAYMENT, {"resultCode": "Success", "paymentId": PAYMENT_ID}, CALL)
    )
    assert isinstance(result, Approval)


@pytest.mark.parametrize(
    ("status", "body", "error", "code"),
    [
        (
            401,
            {"code": "Unauthorized", "message": "Authentication failed"},
            PaymentPlatformError,
            "Unauthorized",
        ),
        (
            401,
            {"errorCode": "024", "errorMessage": "Authentication failed"},
            PaymentPlatformError,
            "024",
        ),
        (500, {"code": "Fail", "message": "internal"}, PaymentOutcomeUnknown, None),
    ],
)
async def test_http_errors_map_to_the_ports_errors(
    status: int, body: dict[str, str], error: type[Exception], code: str | None
) -> None:
    with pytest.raises(error) as raised:
        await (
            Platform(ok(body, status))
            .gateway()
            .approve(PAYMENT, {"resultCode": "Success", "paymentId": PAYMENT_ID}, CALL)
        )
    if code is not None:
        assert isinstance(raised.value, PaymentPlatformError) and raised.value.code == code


async def test_a_timeout_is_an_unknown_outcome() -> None:
    def timeout(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(PaymentOutcomeUnknown):
        await (
            Platform(timeout)
            .gateway()
            .approve(PAYMENT, {"resultCode": "Success", "paymentId": PAYMENT_ID}, CALL)
        )


async def test_lookup_posts_to_the_history_of_the_payment() -> None:
    platform = Platform(ok(history(DETAIL)))
    found = await platform.gateway().lookup(PAYMENT)
    (request,) = platform.requests
    assert request.method == "POST"
    assert str(request.url) == f"{BASE}/np_partner/naverpay/payments/v2.2/list/history/{PAYMENT_ID}"
    assert_auth_headers(request)
    assert request.headers["Content-Type"] == "application/json"
    assert json.loads(request.content) == {"paymentId": PAYMENT_ID}
    assert (found.status, found.approved_amount, found.refunded_amount) == (
        PlatformStatus.APPROVED,
        1000,
        0,
    )
    assert found.approved_at is not None


@pytest.mark.parametrize(
    ("rows", "status", "refunded"),
    [
        ([DETAIL, cancel_row(300, "04")], PlatformStatus.APPROVED, 300),
        ([DETAIL, cancel_row(300, "04"), cancel_row(700, "03")], PlatformStatus.REFUNDED, 1000),
        ([], PlatformStatus.PENDING, 0),
        ([{**DETAIL, "admissionState": "FAIL"}], PlatformStatus.FAILED, 0),
    ],
)
async def test_lookup_reads_approval_and_cancellation_rows(
    rows: list[dict[str, Any]], status: PlatformStatus, refunded: int
) -> None:
    found = await Platform(ok(history(*rows))).gateway().lookup(PAYMENT)
    assert (found.status, found.refunded_amount) == (status, refunded)


async def test_lookup_of_an_unknown_payment_is_not_found() -> None:
    invalid = {"code": "InvalidPaymentId", "message": "유효하지 않은 결제번호", "body": None}
    found = await Platform(ok(invalid)).gateway().lookup(PAYMENT)
    assert found.status is PlatformStatus.NOT_FOUND


async def test_lookup_without_a_payment_id_asks_nothing() -> None:
    platform = Platform()
    ref = PaymentRef(10, 3, TX, 1000, "상품명", 1)
    assert (await platform.gateway().lookup(ref)).status is PlatformStatus.NOT_FOUND
    assert platform.requests == []


async def test_refund_posts_the_documented_cancel_form() -> None:
    platform = Platform(ok(CANCEL_OK))
    refund = await platform.gateway().refund(PAYMENT, 1000, "group expired", CALL)
    (request,) = platform.requests
    assert str(request.url) == f"{BASE}/np_partner/naverpay/payments/v1/cancel"
    assert_auth_headers(request)
    assert request.headers["X-NaverPay-Idempotency-Key"] == "idem-7"
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert form_of(request) == {
        "paymentId": PAYMENT_ID,
        "cancelAmount": "1000",
        "cancelReason": "group expired",
        "cancelRequester": "2",
        "taxScopeAmount": "1000",
        "taxExScopeAmount": "0",
    }
    assert refund.refunded_amount == 1000


async def test_cancel_not_complete_is_repeated_with_the_same_key() -> None:
    pending = {
        "code": "CancelNotComplete",
        "message": "취소 처리가 완료되지 않았습니다.",
        "body": None,
    }
    platform = Platform(ok(pending), ok(CANCEL_OK))
    refund = await platform.gateway().refund(PAYMENT, 1000, "expired", CALL)
    assert refund.refunded_amount == 1000
    assert [r.headers["X-NaverPay-Idempotency-Key"] for r in platform.requests] == ["idem-7"] * 2
    assert form_of(platform.requests[0]) == form_of(platform.requests[1])


async def test_a_cancel_that_never_completes_is_an_unknown_outcome() -> None:
    pending = {"code": "CancelNotComplete", "message": "", "body": None}
    platform = Platform(ok(pending), ok(pending), ok(pending))
    with pytest.raises(PaymentOutcomeUnknown):
        await platform.gateway().refund(PAYMENT, 1000, "expired", CALL)
    assert len(platform.requests) == 3


async def test_an_already_cancelled_payment_counts_as_refunded() -> None:
    done = {"code": "AlreadyCanceled", "message": "이미 전체 취소된 결제입니다.", "body": None}
    refund = await Platform(ok(done)).gateway().refund(PAYMENT, 1000, "retry", CALL)
    assert refund.refunded_amount == 1000


async def test_refunding_more_than_remains_is_refused() -> None:
    over = {"code": "OverRemainAmount", "message": "잔여 결제 금액 초과", "body": None}
    with pytest.raises(PaymentPlatformError) as error:
        await Platform(ok(over)).gateway().refund(PAYMENT, 5000, "oops", CALL)
    assert error.value.code == "OverRemainAmount"

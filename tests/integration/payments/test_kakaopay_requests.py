"""The KakaoPay adapter speaks the documented API (developers.kakaopay.com, online single
payment): exact paths, headers and bodies, and the docs' own example answers parsed."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from adapters.outbound.payments.kakaopay import KakaoPayConfig, KakaoPayGateway
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

BASE = "https://open-api.kakaopay.com"
SECRET = "DEV0123456789ABCDEF"
CALL = PlatformCall(attempt_id=41, idempotency_key="6f1c2a4e-key")
PAYMENT = PaymentRef(
    order_id=10,
    user_id=3,
    transaction_id="b0c4",
    amount=2200,
    item_name="초코파이",
    quantity=1,
    platform_tx_id="T1234567890123456789",
)
AMOUNT = {"total": 2200, "tax_free": 0, "vat": 200, "point": 0, "discount": 0, "green_deposit": 0}
ZERO = {"total": 0, "tax_free": 0, "vat": 0, "point": 0, "discount": 0, "green_deposit": 0}
READY_ANSWER = {  # the docs' sample answer
    "tid": "T1234567890123456789",
    "next_redirect_app_url": "https://mockup-pg-web.kakao.com/v1/xxxxxxxxxx/aInfo",
    "next_redirect_mobile_url": "https://mockup-pg-web.kakao.com/v1/xxxxxxxxxx/mInfo",
    "next_redirect_pc_url": "https://mockup-pg-web.kakao.com/v1/xxxxxxxxxx/info",
    "created_at": "2023-07-15T21:18:22",
}
APPROVE_ANSWER = {  # the docs' CARD sample answer
    "cid": "TC0ONETIME",
    "aid": "A5678901234567890123",
    "tid": "T1234567890123456789",
    "partner_user_id": "partner_user_id",
    "partner_order_id": "partner_order_id",
    "payment_method_type": "CARD",
    "item_name": "초코파이",
    "quantity": 1,
    "amount": AMOUNT,
    "card_info": {"interest_free_install": "N", "bin": "621640", "card_type": "체크"},
    "created_at": "2023-07-15T21:18:22",
    "approved_at": "2023-07-15T21:18:22",
}
APPROVAL_FAILURE = {  # the docs' "결제 수단 승인 실패" sample
    "error_code": -780,
    "error_message": "approval failure!",
    "extras": {
        "method_result_code": "USER_LOCKED",
        "method_result_message": "진행중인 거래가 있습니다. 잠시 후 다시 시도해 주세요.",
    },
}


def order_answer(status: str, canceled: int = 0, actions: list[Any] | None = None) -> Any:
    """The shape of the docs' `order` sample."""
    approved = status in ("SUCCESS_PAYMENT", "PART_CANCEL_PAYMENT", "CANCEL_PAYMENT")
    return {
        "tid": "T1234567890123456789",
        "cid": "TC0ONETIME",
        "status": status,
        "partner_order_id": "10",
        "partner_user_id": "3",
        "payment_method_type": "MONEY",
        "item_name": "초코파이",
        "quantity": 1,
        "amount": AMOUNT,
        "canceled_amount": {**ZERO, "total": canceled},
        "cancel_available_amount": {**ZERO, "total": (2200 - canceled) if approved else 0},
        "payment_action_details": actions or [],
        "created_at": "2023-07-15T21:18:22",
        "approved_at": "2023-07-15T21:18:22" if approved else None,
    }


class Platform:
    """A MockTransport that answers per operation and records every request."""

    def __init__(self, **answers: tuple[int, Any] | Callable[[], tuple[int, Any]]) -> None:
        self.answers = answers
        self.requests: list[httpx.Request] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers[request.url.path.rsplit("/", 1)[-1]]
        status, body = answer() if callable(answer) else answer
        return httpx.Response(status, json=body)

    def bodies(self) -> list[tuple[str, dict[str, Any]]]:
        return [(r.url.path, json.loads(r.content)) for r in self.requests]


def gateway(platform: Platform) -> KakaoPayGateway:
    http = httpx.AsyncClient(transport=httpx.MockTransport(platform.handle))
    return KakaoPayGateway(KakaoPayConfig(base_url=BASE, secret_key=SECRET, timeout_s=3.5), http)


async def test_ready_is_a_json_post_with_the_secret_key_and_the_documented_fields() -> None:
    platform = Platform(ready=(200, READY_ANSWER))
    request = CheckoutRequest(
        payment=PAYMENT,
        return_urls=ReturnUrls("https://shop/ok", "https://shop/fail", "https://shop/cancel"),
        call=CALL,
    )
    checkout = await gateway(platform).checkout(request)
    sent = platform.requests[0]
    assert sent.method == "POST"
    assert str(sent.url) == f"{BASE}/online/v1/payment/ready"
    assert sent.headers["authorization"] == f"SECRET_KEY {SECRET}"
    assert sent.headers["content-type"] == "application/json"
    assert sent.extensions["timeout"]["read"] == 3.5
    assert json.loads(sent.content) == {
        "cid": "TC0ONETIME",
        "partner_order_id": "10",
        "partner_user_id": "3",
        "item_name": "초코파이",
        "quantity": 1,
        "total_amount": 2200,
        "tax_free_amount": 0,
        "approval_url": "https://shop/ok",
        "cancel_url": "https://shop/cancel",
        "fail_url": "https://shop/fail",
    }
    assert checkout.platform_tx_id == "T1234567890123456789"
    assert checkout.client_data == READY_ANSWER
    assert checkout.approval is None


async def test_approve_sends_the_pg_token_and_returns_the_amount_kakao_took() -> None:
    platform = Platform(approve=(200, APPROVE_ANSWER))
    approval = await gateway(platform).approve(PAYMENT, {"pg_token": "xxxxxxxxxxxxxxxxxxxx"}, CALL)
    assert platform.bodies() == [
        (
            "/online/v1/payment/approve",
            {
                "cid": "TC0ONETIME",
                "tid": "T1234567890123456789",
                "partner_order_id": "10",
                "partner_user_id": "3",
                "pg_token": "xxxxxxxxxxxxxxxxxxxx",
            },
        )
    ]
    assert isinstance(approval, Approval)
    assert approval.amount == 2200
    assert approval.platform_tx_id == "T1234567890123456789"
    kst = timezone(timedelta(hours=9))
    assert approval.approved_at == datetime(2023, 7, 15, 21, 18, 22, tzinfo=kst)


async def test_approve_without_a_pg_token_never_calls_kakao() -> None:
    platform = Platform()
    with pytest.raises(PaymentPlatformError, match="pg_token"):
        await gateway(platform).approve(PAYMENT, {}, CALL)
    assert platform.requests == []


async def test_a_refused_approval_carries_kakaos_code_and_message() -> None:
    platform = Platform(approve=(400, APPROVAL_FAILURE), order=(200, order_answer("AUTH_PASSWORD")))
    with pytest.raises(PaymentPlatformError) as refused:
        await gateway(platform).approve(PAYMENT, {"pg_token": "t"}, CALL)
    assert refused.value.code == "-780"
    assert "approval failure!" in refused.value.platform_message
    assert "진행중인 거래가 있습니다" in refused.value.platform_message


async def test_an_approval_repeated_after_a_lost_answer_is_the_earlier_approval() -> None:
    already = {"error_code": -702, "error_message": "payment is already done!"}
    platform = Platform(approve=(400, already), order=(200, order_answer("SUCCESS_PAYMENT")))
    approval = await gateway(platform).approve(PAYMENT, {"pg_token": "t"}, CALL)
    assert isinstance(approval, Approval)
    assert approval.amount == 2200


async def test_an_approval_of_a_payment_the_buyer_quit_is_a_decline() -> None:
    not_authenticated = {"error_code": -701, "error_message": "payment is not authenticated"}
    platform = Platform(approve=(400, not_authenticated), order=(200, order_answer("QUIT_PAYMENT")))
    outcome = await gateway(platform).approve(PAYMENT, {"pg_token": "t"}, CALL)
    assert isinstance(outcome, Decline)
    assert outcome.cancelled_by_user


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("READY", PlatformStatus.PENDING),
        ("SEND_TMS", PlatformStatus.PENDING),
        ("OPEN_PAYMENT", PlatformStatus.PENDING),
        ("SELECT_METHOD", PlatformStatus.PENDING),
        ("ARS_WAITING", PlatformStatus.PENDING),
        ("AUTH_PASSWORD", PlatformStatus.PENDING),
        ("ISSUED_SID", PlatformStatus.PENDING),
        ("SUCCESS_PAYMENT", PlatformStatus.APPROVED),
        ("PART_CANCEL_PAYMENT", PlatformStatus.APPROVED),
        ("CANCEL_PAYMENT", PlatformStatus.REFUNDED),
        ("FAIL_AUTH_PASSWORD", PlatformStatus.FAILED),
        ("QUIT_PAYMENT", PlatformStatus.CANCELLED),
        ("FAIL_PAYMENT", PlatformStatus.FAILED),
    ],
)
async def test_order_statuses_map_to_the_ports_statuses(
    status: str, expected: PlatformStatus
) -> None:
    canceled = {"CANCEL_PAYMENT": 2200, "PART_CANCEL_PAYMENT": 1000}.get(status, 0)
    platform = Platform(order=(200, order_answer(status, canceled)))
    looked_up = await gateway(platform).lookup(PAYMENT)
    assert platform.bodies() == [
        ("/online/v1/payment/order", {"cid": "TC0ONETIME", "tid": "T1234567890123456789"})
    ]
    assert looked_up.status is expected
    approved = expected in (PlatformStatus.APPROVED, PlatformStatus.REFUNDED)
    assert looked_up.approved_amount == (2200 if approved else 0)
    assert looked_up.refunded_amount == canceled


async def test_an_unknown_tid_is_not_found() -> None:
    platform = Platform(order=(400, {"error_code": -721, "error_message": "invalid tid"}))
    looked_up = await gateway(platform).lookup(PAYMENT)
    assert looked_up.status is PlatformStatus.NOT_FOUND


async def test_refund_cancels_with_the_calls_key_as_payload() -> None:
    cancel_answer = {
        **order_answer("CANCEL_PAYMENT", 2200),
        "aid": "A5678901234567890123",
        "approved_cancel_amount": AMOUNT,
        "canceled_at": "2023-07-15T21:18:22",
    }
    platform = Platform(order=(200, order_answer("SUCCESS_PAYMENT")), cancel=(200, cancel_answer))
    refund = await gateway(platform).refund(PAYMENT, 2200, "group expired", CALL)
    assert platform.bodies()[1] == (
        "/online/v1/payment/cancel",
        {
            "cid": "TC0ONETIME",
            "tid": "T1234567890123456789",
            "cancel_amount": 2200,
            "cancel_tax_free_amount": 0,
            "cancel_available_amount": 2200,
            "payload": "6f1c2a4e-key",
        },
    )
    assert refund.refunded_amount == 2200


async def test_a_refund_already_made_by_this_call_is_not_made_again() -> None:
    action = {
        "aid": "A1",
        "payment_action_type": "CANCEL",
        "amount": 2200,
        "payload": CALL.idempotency_key,
    }
    platform = Platform(order=(200, order_answer("CANCEL_PAYMENT", 2200, [action])))
    refund = await gateway(platform).refund(PAYMENT, 2200, "group expired", CALL)
    assert refund.refunded_amount == 2200
    assert [path for path, _ in platform.bodies()] == ["/online/v1/payment/order"]


async def test_a_refund_of_a_payment_already_fully_cancelled_succeeds() -> None:
    platform = Platform(order=(200, order_answer("CANCEL_PAYMENT", 2200)))
    refund = await gateway(platform).refund(PAYMENT, 2200, "group expired", CALL)
    assert refund.refunded_amount == 2200
    assert len(platform.requests) == 1


async def test_a_refused_cancel_is_a_platform_error() -> None:
    refused = {"error_code": -781, "error_message": "cancel failure!"}
    platform = Platform(order=(200, order_answer("SUCCESS_PAYMENT")), cancel=(400, refused))
    with pytest.raises(PaymentPlatformError) as error:
        await gateway(platform).refund(PAYMENT, 2200, "group expired", CALL)
    assert error.value.code == "-781"


@pytest.mark.parametrize(
    "failure",
    [httpx.ReadTimeout("slow"), httpx.ConnectError("down"), (500, {"error_code": -799})],
)
async def test_a_lost_answer_is_an_unknown_outcome(failure: Any) -> None:
    def answer() -> tuple[int, Any]:
        if isinstance(failure, Exception):
            raise failure
        return failure  # type: ignore[no-any-return]

    platform = Platform(approve=answer)
    with pytest.raises(PaymentOutcomeUnknown):
        await gateway(platform).approve(PAYMENT, {"pg_token": "t"}, CALL)

"""The NaverPay emulator checks what NaverPay checks, over real HTTP, and its faults work."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from adapters.config import Settings
from domain.errors import PaymentOutcomeUnknown, PaymentPlatformError
from domain.ports.payment_gateway import (
    Approval,
    Checkout,
    CheckoutRequest,
    PaymentGateway,
    PaymentRef,
    PlatformCall,
    PlatformStatus,
    ReturnUrls,
)
from tests.integration.payments.drivers.naverpay import NaverPayDriver
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.anyio

SETTINGS = Settings(payments_mode="sandbox", sandbox_url="http://127.0.0.1:1")
PARTNER = SETTINGS.naverpay.partner_id
DRIVER = NaverPayDriver()
URLS = ReturnUrls(
    "http://shop.test/done?payType=NAVER_PAY", "http://shop.test/f", "http://shop.test/c"
)


@pytest.fixture
async def sandbox(sandbox_server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=sandbox_server.url, timeout=5.0) as client:
        await client.delete("/naverpay/__sandbox__/faults")
        yield client
        await client.delete("/naverpay/__sandbox__/faults")


@pytest.fixture
async def gateway(sandbox_server: LiveServer) -> AsyncIterator[PaymentGateway]:
    async with httpx.AsyncClient() as http:
        yield DRIVER.build_gateway(f"{sandbox_server.url}/naverpay", http)


def headers(**overrides: str) -> dict[str, str]:
    base = {
        "X-Naver-Client-Id": SETTINGS.naverpay.client_id or "",
        "X-Naver-Client-Secret": SETTINGS.naverpay.client_secret or "",
        "X-NaverPay-Chain-Id": SETTINGS.naverpay.chain_id or "",
        "X-NaverPay-Idempotency-Key": str(uuid.uuid4()),
    }
    return {**base, **overrides}


def api(name: str, partner: str | None = PARTNER) -> str:
    return f"/naverpay/{partner}/naverpay/payments/{name}"


def call() -> PlatformCall:
    return PlatformCall(attempt_id=1, idempotency_key=str(uuid.uuid4()))


async def paid(
    sandbox: httpx.AsyncClient, gateway: PaymentGateway, amount: int = 1000
) -> tuple[PaymentRef, dict[str, str]]:
    """A buyer who pressed Pay: the payment and the query brought back to returnUrl."""
    payment = PaymentRef(1, 3, str(uuid.uuid4()), amount, "공구 상품", 1)
    request = CheckoutRequest(payment, URLS, call())
    checkout = await gateway.checkout(request)
    query = await DRIVER.press(sandbox, checkout, "pay")
    ref = PaymentRef(1, 3, payment.transaction_id, amount, "공구 상품", 1, query["paymentId"])
    return ref, query


async def ledger(sandbox: httpx.AsyncClient, payment_id: str) -> dict[str, Any]:
    payments = (await sandbox.get("/naverpay/__sandbox__/payments")).json()["payments"]
    return next(p for p in payments if p["paymentId"] == payment_id)


async def arm(sandbox: httpx.AsyncClient, operation: str, kind: str, status: int = 500) -> None:
    answer = await sandbox.post(
        "/naverpay/__sandbox__/faults",
        json={"operation": operation, "kind": kind, "times": 1, "status": status, "seconds": 0},
    )
    assert answer.status_code == 201


async def test_wrong_client_secret_is_refused_with_401(sandbox: httpx.AsyncClient) -> None:
    answer = await sandbox.post(
        api("v2.2/apply/payment"),
        data={"paymentId": "x"},
        headers=headers(**{"X-Naver-Client-Secret": "wrong"}),
    )
    assert answer.status_code == 401
    assert answer.json()["code"] == "Unauthorized"


@pytest.mark.parametrize(
    ("partner", "chain"), [("someone-else", SETTINGS.naverpay.chain_id), (PARTNER, "wrong")]
)
async def test_a_foreign_partner_or_chain_is_an_invalid_merchant(
    sandbox: httpx.AsyncClient, partner: str, chain: str
) -> None:
    answer = await sandbox.post(
        api("v2.2/apply/payment", partner),
        data={"paymentId": "x"},
        headers=headers(**{"X-NaverPay-Chain-Id": chain}),
    )
    assert (answer.status_code, answer.json()["code"]) == (200, "InvalidMerchant")


async def test_apply_needs_a_form_with_a_payment_id(sandbox: httpx.AsyncClient) -> None:
    missing = await sandbox.post(api("v2.2/apply/payment"), data={}, headers=headers())
    as_json = await sandbox.post(
        api("v2.2/apply/payment"), json={"paymentId": "x"}, headers=headers()
    )
    assert (missing.status_code, missing.json()["code"]) == (400, "Fail")
    assert as_json.status_code == 400


async def test_cancel_checks_required_fields_and_tax_split(sandbox: httpx.AsyncClient) -> None:
    missing = await sandbox.post(api("v1/cancel"), data={"paymentId": "x"}, headers=headers())
    assert missing.status_code == 400 and "cancelAmount" in missing.json()["message"]
    split = await sandbox.post(
        api("v1/cancel"),
        data={
            "paymentId": "x",
            "cancelAmount": "1000",
            "cancelReason": "r",
            "cancelRequester": "2",
            "taxScopeAmount": "900",
            "taxExScopeAmount": "0",
        },
        headers=headers(),
    )
    assert split.json()["code"] == "TaxScopeAmountError"


async def test_the_window_refuses_an_unknown_client_id(sandbox: httpx.AsyncClient) -> None:
    answer = await sandbox.get(
        "/naverpay/sdk/checkout",
        params={"merchantPayKey": "k", "clientId": "nobody", "totalPayAmount": "1"},
    )
    assert answer.status_code == 400


async def test_cancelling_in_the_window_returns_user_cancel(
    sandbox: httpx.AsyncClient, gateway: PaymentGateway
) -> None:
    payment = PaymentRef(1, 3, str(uuid.uuid4()), 1000, "상품", 1)
    checkout: Checkout = await gateway.checkout(CheckoutRequest(payment, URLS, call()))
    query = await DRIVER.press(sandbox, checkout, "cancel")
    assert query["payType"] == "NAVER_PAY" and query["resultCode"] == "UserCancel"
    assert "paymentId" not in query


async def test_a_payment_is_applied_once_whatever_is_retried(
    sandbox: httpx.AsyncClient, gateway: PaymentGateway
) -> None:
    payment, query = await paid(sandbox, gateway)
    first = await gateway.approve(payment, query, call())
    again = await sandbox.post(
        api("v2.2/apply/payment"), data={"paymentId": query["paymentId"]}, headers=headers()
    )
    second = await gateway.approve(payment, query, call())
    assert again.json()["code"] == "AlreadyComplete"
    assert isinstance(first, Approval) and isinstance(second, Approval)
    assert first.amount == second.amount == 1000
    assert (await ledger(sandbox, query["paymentId"]))["approvals"] == 1


async def test_the_same_idempotency_key_replays_the_first_answer(
    sandbox: httpx.AsyncClient, gateway: PaymentGateway
) -> None:
    _, query = await paid(sandbox, gateway)
    keyed = headers(**{"X-NaverPay-Idempotency-Key": "same-key-" + query["paymentId"]})
    form = {"paymentId": query["paymentId"]}
    first = await sandbox.post(api("v2.2/apply/payment"), data=form, headers=keyed)
    second = await sandbox.post(api("v2.2/apply/payment"), data=form, headers=keyed)
    assert first.json() == second.json() and first.json()["code"] == "Success"


async def test_over_refund_is_refused_and_a_finished_cancel_is_not_repeated(
    sandbox: httpx.AsyncClient, gateway: PaymentGateway
) -> None:
    payment, query = await paid(sandbox, gateway)
    await gateway.approve(payment, query, call())
    with pytest.raises(PaymentPlatformError) as over:
        await gateway.refund(payment, 1001, "too much", call())
    assert over.value.code == "OverRemainAmount"
    assert (await gateway.refund(payment, 400, "part", call())).refunded_amount == 400
    assert (await gateway.refund(payment, 600, "rest", call())).refunded_amount == 600
    assert (await gateway.refund(payment, 600, "again", call())).refunded_amount == 600
    found = await gateway.lookup(payment)
    assert (found.status, found.refunded_amount) == (PlatformStatus.REFUNDED, 1000)
    assert (await ledger(sandbox, query["paymentId"]))["refunds"] == 2


async def test_an_apply_whose_answer_was_lost_is_approved_once_on_retry(
    sandbox: httpx.AsyncClient, gateway: PaymentGateway
) -> None:
    payment, query = await paid(sandbox, gateway)
    attempt = call()
    await arm(sandbox, "apply", "no_answer")
    with pytest.raises(PaymentOutcomeUnknown):
        await gateway.approve(payment, query, attempt)
    assert (await gateway.lookup(payment)).status is PlatformStatus.APPROVED
    assert isinstance(await gateway.approve(payment, query, attempt), Approval)
    assert (await ledger(sandbox, query["paymentId"]))["approvals"] == 1


async def test_an_apply_that_timed_out_did_nothing(
    sandbox: httpx.AsyncClient, gateway: PaymentGateway
) -> None:
    payment, query = await paid(sandbox, gateway)
    await arm(sandbox, "apply", "timeout")
    with pytest.raises(PaymentOutcomeUnknown):
        await gateway.approve(payment, query, call())
    assert (await gateway.lookup(payment)).status is PlatformStatus.PENDING


async def test_cancel_not_complete_is_retried_until_done(
    sandbox: httpx.AsyncClient, gateway: PaymentGateway
) -> None:
    payment, query = await paid(sandbox, gateway)
    await gateway.approve(payment, query, call())
    await arm(sandbox, "cancel", "error", status=200)
    assert (await gateway.refund(payment, 1000, "expired", call())).refunded_amount == 1000
    assert (await ledger(sandbox, query["paymentId"]))["refunds"] == 1


async def test_a_history_5xx_is_an_unknown_outcome(
    sandbox: httpx.AsyncClient, gateway: PaymentGateway
) -> None:
    payment, _ = await paid(sandbox, gateway)
    await arm(sandbox, "history", "error", status=503)
    with pytest.raises(PaymentOutcomeUnknown):
        await gateway.lookup(payment)


async def test_faults_name_naverpay_operations(sandbox: httpx.AsyncClient) -> None:
    answer = await sandbox.post(
        "/naverpay/__sandbox__/faults", json={"operation": "approve", "kind": "error"}
    )
    assert answer.status_code == 400


async def test_history_also_takes_the_payment_id_in_a_json_body(
    sandbox: httpx.AsyncClient, gateway: PaymentGateway
) -> None:
    payment, query = await paid(sandbox, gateway)
    await gateway.approve(payment, query, call())
    answer = await sandbox.post(
        api("v2.2/list/history"), json={"paymentId": query["paymentId"]}, headers=headers()
    )
    rows = answer.json()["body"]["list"]
    assert [(r["admissionTypeCode"], r["admissionState"]) for r in rows] == [("01", "SUCCESS")]
    assert rows[0]["merchantPayKey"] == payment.transaction_id


async def test_apply_and_cancel_without_an_idempotency_key_are_refused_and_move_no_money(
    sandbox: httpx.AsyncClient, gateway: PaymentGateway
) -> None:
    payment, query = await paid(sandbox, gateway)
    unkeyed = {k: v for k, v in headers().items() if k != "X-NaverPay-Idempotency-Key"}
    applied = await sandbox.post(
        api("v2.2/apply/payment"), data={"paymentId": query["paymentId"]}, headers=unkeyed
    )
    assert applied.status_code == 400
    assert "X-NaverPay-Idempotency-Key" in applied.json()["message"]
    # our adapter sends the key, so the same payment is still there to approve
    approval = await gateway.approve(payment, query, call())
    assert isinstance(approval, Approval)
    cancelled = await sandbox.post(
        api("v1/cancel"),
        data={
            "paymentId": query["paymentId"],
            "cancelAmount": "1000",
            "cancelReason": "test",
            "cancelRequester": "2",
            "taxScopeAmount": "1000",
            "taxExScopeAmount": "0",
        },
        headers=unkeyed,
    )
    assert cancelled.status_code == 400
    assert (await gateway.lookup(payment)).refunded_amount == 0


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"mode": "production"}, "mode"),
        ({"mode": ""}, "mode"),
        ({"clientId": "someone-else"}, "clientId"),
        ({"productCount": "0"}, "productCount"),
        ({"merchantPayKey": "k" * 65}, "merchantPayKey"),
    ],
)
async def test_the_checkout_page_checks_the_sdk_parameters(
    sandbox: httpx.AsyncClient, gateway: PaymentGateway, change: dict[str, str], problem: str
) -> None:
    payment = PaymentRef(1, 3, str(uuid.uuid4()), 1000, "공구 상품", 1)
    checkout = await gateway.checkout(CheckoutRequest(payment, URLS, call()))
    params = {k: str(v) for k, v in checkout.client_data.items() if k != "checkoutPageUrl"}
    assert params["mode"] == "development"  # what our adapter sends in sandbox mode
    good = await sandbox.get("/naverpay/sdk/checkout", params=params)
    assert good.status_code == 200, good.text
    bad = await sandbox.get("/naverpay/sdk/checkout", params={**params, **change})
    assert bad.status_code == 400
    assert problem in bad.text

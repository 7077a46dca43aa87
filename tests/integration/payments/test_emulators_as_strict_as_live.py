"""The emulators refuse what the live platforms refuse, so that our adapters are proven against
the same rules: each rule is shown with our adapter passing it and a deliberately wrong request
failing it. The emulators run on a real port with a clock the test moves."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

import httpx
import pytest

from adapters.outbound.payments.kakaopay import KakaoPayConfig, KakaoPayGateway
from adapters.outbound.payments.openbanking import OpenBankingGateway
from adapters.outbound.payments.tosspayments import TossPaymentsConfig, TossPaymentsGateway
from adapters.platform_settings import SANDBOX_KAKAOPAY_SECRET_KEY, SANDBOX_TOSSPAYMENTS
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
from sandbox.config import SandboxConfig
from sandbox.server import create_sandbox_app
from tests.integration.payments.drivers.openbanking import openbanking_config
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.anyio

KST = timezone(timedelta(hours=9))
PASS_PHRASE = "790d56ed0a1b2c3d6b821a69"  # what KFTC would issue the institution
WIDGET_SK, WIDGET_CK = SANDBOX_TOSSPAYMENTS["widget"]
API_SK, API_CK = SANDBOX_TOSSPAYMENTS["api"]
URLS = ReturnUrls("http://shop.test/done?x=1", "http://shop.test/fail", "http://shop.test/cancel")


class MovableClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 10, 0, tzinfo=KST)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


CLOCK = MovableClock()


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    config = SandboxConfig(
        kakaopay_secret_key=SANDBOX_KAKAOPAY_SECRET_KEY,
        naverpay_partner_id="np",
        naverpay_client_id="c",
        naverpay_client_secret="s",
        naverpay_chain_id="ch",
        openbanking_client_id="sandbox-ob-client",
        openbanking_client_secret="sandbox-ob-secret",
        openbanking_institution_code="M202300001",
        openbanking_wd_pass_phrase=PASS_PHRASE,
    )
    with LiveServer(create_sandbox_app(config, clock=CLOCK)) as live:
        yield live.url


@pytest.fixture
async def http(server: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server, timeout=10) as client:
        yield client
        for prefix in ("kakaopay", "tosspayments", "openbanking"):
            await client.delete(f"/{prefix}/__sandbox__/faults")


def payment(amount: int = 30000, **changes: Any) -> PaymentRef:
    ref = PaymentRef(7, 3, str(uuid.uuid4()), amount, "공구 티셔츠", 1)
    return dataclasses.replace(ref, **changes)


def call(key: str | None = None) -> PlatformCall:
    return PlatformCall(attempt_id=1, idempotency_key=key or str(uuid.uuid4()))


# ----------------------------------------------------------------------------- Toss Payments


def toss(server: str, http: httpx.AsyncClient, integration: str) -> TossPaymentsGateway:
    secret, client = (WIDGET_SK, WIDGET_CK) if integration == "widget" else (API_SK, API_CK)
    base = f"{server}/tosspayments"
    config = TossPaymentsConfig(
        base_url=base,
        secret_key=secret,
        client_key=client,
        integration=integration,  # type: ignore[arg-type]
        timeout_s=5.0,
        checkout_page_url=f"{base}/widget/checkout",
    )
    return TossPaymentsGateway(config, http)


def basic(key: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}


async def toss_paid(
    http: httpx.AsyncClient, gateway: TossPaymentsGateway, ref: PaymentRef, press: str = "pay"
) -> dict[str, str]:
    """The buyer opens the checkout page our adapter names and presses a button."""
    checkout = await gateway.checkout(CheckoutRequest(ref, URLS, call()))
    page = await http.get(str(checkout.client_data["checkoutPageUrl"]))
    assert page.status_code == 200, page.text
    forms = dict(re.findall(r'<form method="post" action="([^"]+)">(.*?)</form>', page.text))
    action = next(a for a in forms if a.endswith(f"/{press}"))
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', forms[action]))
    answer = await http.post(action, data=fields, follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return dict(parse_qsl(urlsplit(answer.headers["location"]).query))


@pytest.mark.parametrize(("integration", "wrong_key"), [("widget", API_SK), ("api", WIDGET_SK)])
async def test_toss_confirms_a_payment_only_with_the_secret_key_of_its_integration(
    server: str, http: httpx.AsyncClient, integration: str, wrong_key: str
) -> None:
    gateway = toss(server, http, integration)
    ref = payment()
    query = await toss_paid(http, gateway, ref)
    body = {"paymentKey": query["paymentKey"], "orderId": ref.transaction_id, "amount": 30000}

    wrong = await http.post(
        "/tosspayments/v1/payments/confirm",
        json=body,
        headers={**basic(wrong_key), "Idempotency-Key": str(uuid.uuid4())},
    )
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "INVALID_API_KEY"

    approval = await gateway.approve(ref, query, call())
    assert isinstance(approval, Approval)
    assert approval.amount == 30000


async def test_toss_widget_needs_a_client_key_of_the_merchant(
    server: str, http: httpx.AsyncClient
) -> None:
    checkout = await toss(server, http, "api").checkout(CheckoutRequest(payment(), URLS, call()))
    assert checkout.client_data["clientKey"] == API_CK
    assert checkout.client_data["integration"] == "api"
    page_url = str(checkout.client_data["checkoutPageUrl"])
    assert (await http.get(page_url)).status_code == 200
    forged = page_url.replace(API_CK, "test_ck_someoneElse0000000000000")
    refused = await http.get(forged)
    assert refused.status_code == 401
    assert refused.json()["code"] == "UNAUTHORIZED_KEY"


async def test_toss_answers_409_while_a_confirm_with_the_key_is_running_and_our_adapter_waits(
    server: str, http: httpx.AsyncClient
) -> None:
    gateway = toss(server, http, "widget")
    ref = payment()
    query = await toss_paid(http, gateway, ref)
    await http.post(
        "/tosspayments/__sandbox__/faults",
        json={"operation": "confirm", "kind": "slow", "seconds": 1.2},
    )
    key = str(uuid.uuid4())
    body = {"paymentKey": query["paymentKey"], "orderId": ref.transaction_id, "amount": 30000}
    headers = {**basic(WIDGET_SK), "Idempotency-Key": key}
    first = asyncio.create_task(
        http.post("/tosspayments/v1/payments/confirm", json=body, headers=headers)
    )
    await asyncio.sleep(0.3)

    # a second request with the same key while the first runs: not a refusal, "try again"
    busy = await http.post("/tosspayments/v1/payments/confirm", json=body, headers=headers)
    assert busy.status_code == 409
    assert busy.json()["code"] == "IDEMPOTENT_REQUEST_PROCESSING"

    # our adapter repeats the same request with the same key and gets the first one's outcome
    approval = await gateway.approve(ref, query, call(key))
    assert isinstance(approval, Approval)
    assert (await first).status_code == 200
    ledger = (await http.get("/tosspayments/__sandbox__/payments")).json()["payments"]
    (record,) = [p for p in ledger if p["orderId"] == ref.transaction_id]
    assert record["approvals"] == 1


async def test_toss_expires_an_authenticated_payment_not_confirmed_within_10_minutes(
    server: str, http: httpx.AsyncClient
) -> None:
    gateway = toss(server, http, "widget")
    on_time, late = payment(), payment()
    on_time_query = await toss_paid(http, gateway, on_time)
    late_query = await toss_paid(http, gateway, late)
    CLOCK.advance(minutes=9)
    assert isinstance(await gateway.approve(on_time, on_time_query, call()), Approval)
    CLOCK.advance(minutes=1)

    with pytest.raises(PaymentPlatformError) as refused:
        await gateway.approve(late, late_query, call())
    assert refused.value.code == "NOT_FOUND_PAYMENT_SESSION"
    lookup = await gateway.lookup(late)
    assert lookup.status is PlatformStatus.CANCELLED
    assert lookup.raw["status"] == "EXPIRED"


async def test_toss_expires_a_payment_window_left_open_for_30_minutes(
    server: str, http: httpx.AsyncClient
) -> None:
    gateway = toss(server, http, "widget")
    ref = payment()
    checkout = await gateway.checkout(CheckoutRequest(ref, URLS, call()))
    assert (await http.get(str(checkout.client_data["checkoutPageUrl"]))).status_code == 200
    CLOCK.advance(minutes=29)
    assert (await gateway.lookup(ref)).raw["status"] == "READY"
    CLOCK.advance(minutes=1)
    lookup = await gateway.lookup(ref)
    assert (lookup.status, lookup.raw["status"]) == (PlatformStatus.CANCELLED, "EXPIRED")


# ----------------------------------------------------------------------------------- KakaoPay


def kakao(server: str, http: httpx.AsyncClient) -> KakaoPayGateway:
    config = KakaoPayConfig(
        base_url=f"{server}/kakaopay", secret_key=SANDBOX_KAKAOPAY_SECRET_KEY, timeout_s=5.0
    )
    return KakaoPayGateway(config, http)


@pytest.mark.parametrize("field", ["total_amount", "quantity", "tax_free_amount"])
async def test_kakaopay_refuses_numbers_sent_as_strings(
    server: str, http: httpx.AsyncClient, field: str
) -> None:
    checkout = await kakao(server, http).checkout(CheckoutRequest(payment(), URLS, call()))
    assert checkout.platform_tx_id  # our adapter's ready sends JSON numbers
    body = {
        "cid": "TC0ONETIME",
        "partner_order_id": "7",
        "partner_user_id": "3",
        "item_name": "공구 티셔츠",
        "quantity": 1,
        "total_amount": 30000,
        "tax_free_amount": 0,
        "approval_url": "http://shop.test/done",
        "cancel_url": "http://shop.test/cancel",
        "fail_url": "http://shop.test/fail",
    }
    body[field] = str(body[field])
    answer = await http.post(
        "/kakaopay/online/v1/payment/ready",
        json=body,
        headers={"Authorization": f"SECRET_KEY {SANDBOX_KAKAOPAY_SECRET_KEY}"},
    )
    assert answer.status_code == 400
    assert answer.json()["error_code"] == -2
    assert field in answer.json()["error_message"]


async def kakao_authorised(
    http: httpx.AsyncClient, gateway: KakaoPayGateway, ref: PaymentRef
) -> tuple[PaymentRef, dict[str, str]]:
    checkout = await gateway.checkout(CheckoutRequest(ref, URLS, call()))
    page_url = str(checkout.client_data["next_redirect_pc_url"])
    page = await http.get(page_url)
    action = re.search(r'<form method="post" action="([^"]*/pay)"', page.text)
    assert action, page.text
    pressed = await http.post(urljoin(page_url, action.group(1)), follow_redirects=False)
    assert pressed.status_code == 303, pressed.text
    query = dict(parse_qsl(urlsplit(pressed.headers["location"]).query))
    return dataclasses.replace(ref, platform_tx_id=checkout.platform_tx_id), query


async def test_kakaopay_expires_a_ready_payment_nobody_approved(
    server: str, http: httpx.AsyncClient
) -> None:
    gateway = kakao(server, http)
    on_time, on_time_query = await kakao_authorised(http, gateway, payment())
    late, late_query = await kakao_authorised(http, gateway, payment())
    CLOCK.advance(minutes=14)
    assert isinstance(await gateway.approve(on_time, on_time_query, call()), Approval)
    CLOCK.advance(minutes=1)

    # the approval is refused; our adapter asks `order` and reports no money was taken
    declined = await gateway.approve(late, late_query, call())
    assert isinstance(declined, Decline)
    assert declined.raw["status"] == "QUIT_PAYMENT"
    lookup = await gateway.lookup(late)
    assert (lookup.status, lookup.raw["status"]) == (PlatformStatus.CANCELLED, "QUIT_PAYMENT")


# ------------------------------------------------------------------------------- Open Banking


async def test_open_banking_refunds_only_with_the_institutions_pass_phrase(
    server: str, http: httpx.AsyncClient
) -> None:
    base = f"{server}/openbanking"
    account = (await http.post(f"{base}/__sandbox__/accounts", json={"balance": 100_000})).json()
    payer = {"fintechUseNum": account["fintechUseNum"], "accessToken": account["accessToken"]}
    ours = OpenBankingGateway(
        dataclasses.replace(openbanking_config(base, timeout_s=5.0), wd_pass_phrase=PASS_PHRASE),
        http,
    )
    testbed = OpenBankingGateway(openbanking_config(base, timeout_s=5.0), http)  # "NONE"
    attempt = int(uuid.uuid4().int % 10**8)
    checkout = await ours.checkout(
        CheckoutRequest(payment(), URLS, PlatformCall(attempt, "k"), payer)
    )
    assert checkout.approval is not None
    paid = payment(
        platform_tx_id=checkout.platform_tx_id,
        approved_at=checkout.approval.approved_at,
        payer_ref=account["fintechUseNum"],
    )

    with pytest.raises(PaymentPlatformError, match="암호문구"):
        await testbed.refund(paid, 30000, "group expired", PlatformCall(attempt + 1, "k1"))
    refund = await ours.refund(paid, 30000, "group expired", PlatformCall(attempt + 2, "k2"))
    assert refund.refunded_amount == 30000


async def test_an_unknown_toss_outcome_is_never_a_refusal(
    server: str, http: httpx.AsyncClient
) -> None:
    """A confirm still processing after every same-key retry stays an unknown outcome."""
    gateway = toss(server, http, "widget")
    ref = payment()
    query = await toss_paid(http, gateway, ref)
    await http.post(
        "/tosspayments/__sandbox__/faults",
        json={"operation": "confirm", "kind": "slow", "seconds": 6},
    )
    key = str(uuid.uuid4())
    body = {"paymentKey": query["paymentKey"], "orderId": ref.transaction_id, "amount": 30000}
    first = asyncio.create_task(
        http.post(
            "/tosspayments/v1/payments/confirm",
            json=body,
            headers={**basic(WIDGET_SK), "Idempotency-Key": key},
        )
    )
    await asyncio.sleep(0.3)
    with pytest.raises(PaymentOutcomeUnknown, match="IDEMPOTENT_REQUEST_PROCESSING"):
        await gateway.approve(ref, query, call(key))
    assert (await first).status_code == 200

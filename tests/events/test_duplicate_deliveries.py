"""Callbacks, redirects and webhooks arrive at least once, in any order, sometimes forged: each
has one effect and answers 200; Toss's unsigned webhook is only a hint; a callback for a
transaction we never issued is 404, never a 5xx."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from adapters.config import Settings
from adapters.outbound.persistence.engine import create_engine, session_factory
from adapters.outbound.persistence.unit_of_work import SqlaUnitOfWorkFactory
from bootstrap import build_container, create_app
from domain.events import DomainEvent, EventType
from tests.e2e.shop import Shop
from tests.events.conftest import Outbox
from tests.support.databases import run_outside_loop
from tests.support.live_server import LiveServer, free_port

WEBHOOK = "/api/v1/transaction/tossPayments/webhook"


def toss_payment(shop: Shop, payment_key: str) -> dict[str, object]:
    [payment] = [
        p for p in shop.platform_payments("tosspayments") if p["paymentKey"] == payment_key
    ]
    return payment


def test_a_forged_toss_webhook_saying_done_for_an_unpaid_order_changes_nothing(
    shop: Shop, outbox: Outbox
) -> None:
    user, product = shop.user(), shop.product(price=30_000)
    placed = shop.placed(user, product["id"], "TOSS_PAYMENTS")
    # The buyer authorised in the widget, but the order was never confirmed with Toss.
    payment_key = parse_qs(urlsplit(shop.press("TOSS_PAYMENTS", placed, "pay")).query)[
        "paymentKey"
    ][0]
    forged = {
        "eventType": "PAYMENT_STATUS_CHANGED",
        "createdAt": "2024-05-01T09:00:00.000000",
        "data": {
            "orderId": placed["transactionId"],
            "paymentKey": payment_key,
            "status": "DONE",
            "totalAmount": 30_000,
            "balanceAmount": 30_000,
            "approvedAt": "2024-05-01T09:00:00+09:00",
        },
    }

    # The TestClient returns only after the webhook's background work has run.
    answer = shop.client.post(WEBHOOK, json=forged)

    assert answer.status_code == 200, answer.text
    assert shop.state_of(user, placed["orderId"]) == "PAYMENT_PENDING"
    assert [e.type for e in outbox()] == [EventType.ORDER_PLACED]
    assert toss_payment(shop, payment_key)["approvals"] == 0


def test_a_webhook_for_a_transaction_not_committed_here_is_not_acknowledged(
    shop: Shop, outbox: Outbox
) -> None:
    """Answered 404, so that Toss delivers it again instead of it being acknowledged and lost."""
    hint = {"eventType": "PAYMENT_STATUS_CHANGED", "data": {"orderId": str(uuid.uuid4())}}

    answers = [shop.client.post(WEBHOOK, json=hint) for _ in range(2)]

    assert [a.status_code for a in answers] == [404, 404]
    assert outbox() == []


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/order/transaction/done/KAKAO_PAY/{tx}?pg_token=abc"),
        ("POST", "/api/v1/order/transaction/done/KAKAO_PAY/{tx}?pg_token=abc"),
        ("GET", "/api/v1/order/transaction/done/NAVER_PAY/{tx}?resultCode=Success&paymentId=P1"),
        (
            "GET",
            "/api/v1/order/transaction/done/TOSS_PAYMENTS/{tx}"
            "?paymentKey=tgonggu1&orderId={tx}&amount=30000",
        ),
        ("GET", "/api/v1/transaction/kakaoPay/fail/{tx}"),
        ("POST", "/api/v1/transaction/kakaoPay/cancel/{tx}"),
        ("GET", "/api/v1/transaction/naverPay/fail/{tx}?resultCode=UserCancel"),
        ("GET", "/api/v1/transaction/tossPayments/fail/{tx}?code=REJECT_CARD_COMPANY"),
    ],
)
def test_a_callback_for_a_transaction_that_does_not_exist_is_404(
    shop: Shop, method: str, path: str
) -> None:
    tx = str(uuid.uuid4())

    answer = shop.client.request(method, path.format(tx=tx), headers={"accept": "application/json"})

    assert answer.status_code == 404, answer.text
    assert answer.json()["statusCode"] == 404


# --------------------------------------------------------------------------- Toss sends it


@pytest.fixture
def service(database_url: str, sandbox_server: LiveServer) -> Iterator[LiveServer]:
    """The service on a real port, where Toss's emulator can deliver a webhook."""
    port = free_port()
    settings = Settings(
        database_url=database_url,
        public_base_url=f"http://127.0.0.1:{port}",
        payments_mode="sandbox",
        sandbox_url=sandbox_server.url,
        platform_timeout_s=1.0,
        naverpay_apply_timeout_s=1.0,
    )
    with LiveServer(create_app(build_container(settings)), port=port) as server:
        yield server


def stored_events(database_url: str) -> list[DomainEvent]:
    async def read() -> list[DomainEvent]:
        engine = create_engine(database_url)
        try:
            async with SqlaUnitOfWorkFactory(session_factory(engine))() as uow:
                return list(reversed(await uow.outbox.recent(10_000)))
        finally:
            await engine.dispose()

    return run_outside_loop(read)


def test_genuine_toss_webhooks_after_a_lost_confirm_answer_make_the_order_paid_once(
    service: LiveServer, sandbox_server: LiveServer, sandbox: httpx.Client, database_url: str
) -> None:
    with httpx.Client(base_url=service.url, timeout=30) as api:
        shop = Shop(api, sandbox, sandbox_server.url)  # type: ignore[arg-type]
        user, product = shop.user(), shop.product(price=30_000)
        placed = shop.placed(user, product["id"], "TOSS_PAYMENTS")
        location = shop.press("TOSS_PAYMENTS", placed, "pay")
        payment_key = parse_qs(urlsplit(location).query)["paymentKey"][0]
        # Toss confirms the payment, but its answer never reaches the service.
        shop.arm("tosspayments", "confirm", "no_answer")
        lost = shop.come_back(location)
        assert lost.status_code >= 500 or lost.json()["data"]["state"] == "PAYMENT_PENDING"
        assert shop.state_of(user, placed["orderId"]) == "PAYMENT_PENDING"
        assert toss_payment(shop, payment_key)["status"] == "DONE"

        def deliver() -> httpx.Response:
            return sandbox.post(
                "/tosspayments/__sandbox__/webhook",
                json={"url": f"{service.url}{WEBHOOK}", "paymentKey": payment_key},
            )

        with ThreadPoolExecutor(max_workers=2) as pool:
            deliveries = list(pool.map(lambda _: deliver(), range(2)))

        assert [d.json()["status"] for d in deliveries] == [200, 200], [d.text for d in deliveries]
        deadline = time.monotonic() + 10
        while shop.state_of(user, placed["orderId"]) != "PAID" and time.monotonic() < deadline:
            time.sleep(0.1)
        assert shop.state_of(user, placed["orderId"]) == "PAID"
        assert deliver().json()["status"] == 200  # and once more, late
        time.sleep(0.5)

    paid = [
        e
        for e in stored_events(database_url)
        if e.type is EventType.ORDER_PAID and e.data["orderId"] == placed["orderId"]
    ]
    assert len(paid) == 1
    assert paid[0].data["amount"] == 30_000
    assert toss_payment(shop, payment_key)["approvals"] == 1

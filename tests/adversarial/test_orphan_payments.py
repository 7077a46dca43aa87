"""Money taken that no order owns is given back, even when the platform refuses at first:
the worker finishes what the request could not, and the refund happens once."""

from __future__ import annotations

import time
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from adapters.config import Settings
from tests.adversarial.money import held, payments_of
from tests.e2e.shop import Shop
from tests.faults.support import rows, run_worker_once
from tests.support.live_server import LiveServer


@pytest.fixture
def settings(database_url: str, sandbox_server: LiveServer) -> Settings:
    return Settings(
        database_url=database_url,
        public_base_url="http://testserver.local",
        payments_mode="sandbox",
        sandbox_url=sandbox_server.url,
        platform_timeout_s=1.0,
        reconcile_after_s=0.2,
        refund_retry_base_s=0.1,
        refund_retry_max_s=0.4,
    )


def test_a_stray_naverpay_payment_refused_at_refund_is_given_back_by_the_worker_once(
    shop: Shop, settings: Settings
) -> None:
    user, product = shop.user(), shop.product()
    a = shop.placed(user, product["id"], "NAVER_PAY")
    b = shop.placed(user, product["id"], "NAVER_PAY")
    b_return = shop.press("NAVER_PAY", b, "pay")
    shop.arm("naverpay", "cancel", "error", status=500, times=2)

    crossed = shop.client.get(
        f"/api/v1/order/transaction/done/NAVER_PAY/{a['transactionId']}?"
        + urlencode(dict(parse_qsl(urlsplit(b_return).query))),
        headers={"accept": "application/json"},
    )

    assert crossed.status_code == 502, crossed.text
    assert held(shop, "NAVER_PAY", [a, b]) == b["order"]["transAmount"]
    [(state, amount)] = rows(settings.database_url, "SELECT state, amount FROM orphan_payments")
    assert (state, amount) == ("REFUNDING", b["order"]["transAmount"])

    deadline = time.monotonic() + 15
    while held(shop, "NAVER_PAY", [a, b]) != 0:
        assert time.monotonic() < deadline, "the worker did not give the stray money back"
        time.sleep(settings.refund_retry_max_s)
        run_worker_once(settings)

    [taken] = payments_of(shop, "NAVER_PAY", [a, b])
    assert (taken["approvals"], taken["refunds"]) == (1, 1)
    [(state,)] = rows(settings.database_url, "SELECT state FROM orphan_payments")
    assert state == "REFUNDED"
    assert {shop.state_of(user, a["orderId"]), shop.state_of(user, b["orderId"])} == {
        "PAYMENT_PENDING"
    }
    run_worker_once(settings)
    assert payments_of(shop, "NAVER_PAY", [a, b])[0]["refunds"] == 1


def test_money_given_back_as_an_orphan_never_also_pays_the_order_it_was_for(
    shop: Shop, settings: Settings
) -> None:
    """The buyer pays order B; the browser brings B's paymentId to order A first. NaverPay has
    taken the money, it is recorded as an orphan and its refund is refused for now. B's own
    return then and the worker's runs must not make B PAID, since that very money is on its
    way back to the buyer. (The reconciler's side of this rule, a lookup reporting the orphan's
    money approved for B, is pinned by tests/unit/application and the Hypothesis machine: the
    NaverPay emulator cannot be asked about B before B's own apply.)"""
    user, product = shop.user(), shop.product()
    a = shop.placed(user, product["id"], "NAVER_PAY")
    b = shop.placed(user, product["id"], "NAVER_PAY")
    b_return = shop.press("NAVER_PAY", b, "pay")
    query = urlencode(dict(parse_qsl(urlsplit(b_return).query)))
    shop.arm("naverpay", "cancel", "error", status=500, times=3)

    crossed = shop.client.get(
        f"/api/v1/order/transaction/done/NAVER_PAY/{a['transactionId']}?{query}",
        headers={"accept": "application/json"},
    )
    assert crossed.status_code == 502, crossed.text
    genuine = shop.client.get(
        f"/api/v1/order/transaction/done/NAVER_PAY/{b['transactionId']}?{query}",
        headers={"accept": "application/json"},
    )
    assert genuine.status_code != 200 or genuine.json()["data"]["state"] != "PAID", genuine.text
    time.sleep(settings.reconcile_after_s)
    run_worker_once(settings)  # the reconciler looks B's payment up: approved, for B

    assert shop.state_of(user, b["orderId"]) != "PAID"
    deadline = time.monotonic() + 15
    while held(shop, "NAVER_PAY", [a, b]) != 0:
        assert time.monotonic() < deadline, "the worker did not give the stray money back"
        time.sleep(settings.refund_retry_max_s)
        run_worker_once(settings)
    [taken] = payments_of(shop, "NAVER_PAY", [a, b])
    assert (taken["approvals"], taken["refunds"]) == (1, 1)
    live = {"PAID", "MATCHED", "CONFIRMED"}
    assert not {shop.state_of(user, a["orderId"]), shop.state_of(user, b["orderId"])} & live

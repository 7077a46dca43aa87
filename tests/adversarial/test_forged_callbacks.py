"""Attacks on the return URLs and webhooks, end to end against the platform emulators.

Every redirect is a claim anyone can forge: whatever it says, no pending order fails on it
alone, no money is taken for the wrong order, and the buyer's genuine payment afterwards
still goes through.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from tests.adversarial.money import held, payments_of
from tests.e2e.shop import Shop


def query_of(location: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(location).query))


def done(shop: Shop, pay_type: str, transaction_id: str, **params: str) -> Any:
    path = f"/api/v1/order/transaction/done/{pay_type}/{transaction_id}"
    return shop.client.get(f"{path}?{urlencode(params)}", headers={"accept": "application/json"})


def returned(shop: Shop, slug: str, outcome: str, transaction_id: str, **params: str) -> Any:
    path = f"/api/v1/transaction/{slug}/{outcome}/{transaction_id}"
    return shop.client.get(f"{path}?{urlencode(params)}", headers={"accept": "application/json"})


def two_orders(shop: Shop, pay_type: str) -> tuple[int, dict[str, Any], dict[str, Any]]:
    user, product = shop.user(), shop.product()
    a = shop.placed(user, product["id"], pay_type)
    b = shop.placed(user, product["id"], pay_type)
    return user, a, b


# --------------------------------------------------------------------------- KakaoPay


def test_kakaopay_a_forged_pg_token_is_refused_and_the_genuine_one_pays(shop: Shop) -> None:
    user, a, _b = two_orders(shop, "KAKAO_PAY")

    forged = done(shop, "KAKAO_PAY", a["transactionId"], pg_token="forged")

    assert forged.status_code == 502, forged.text
    assert forged.json()["data"]["orderId"] == a["orderId"]
    assert forged.json()["data"]["transactionId"] == a["transactionId"]
    assert shop.state_of(user, a["orderId"]) == "PAYMENT_PENDING"
    assert shop.pay("KAKAO_PAY", a).json()["data"]["state"] == "PAID"


def test_kakaopay_another_orders_pg_token_takes_no_money_for_the_wrong_order(shop: Shop) -> None:
    user, a, b = two_orders(shop, "KAKAO_PAY")
    b_return = shop.press("KAKAO_PAY", b, "pay")

    crossed = done(shop, "KAKAO_PAY", a["transactionId"], **query_of(b_return))

    assert crossed.status_code == 502, crossed.text
    assert shop.state_of(user, a["orderId"]) == "PAYMENT_PENDING"
    assert held(shop, "KAKAO_PAY", [a, b]) == 0
    assert shop.come_back(b_return).json()["data"]["state"] == "PAID"
    assert held(shop, "KAKAO_PAY", [a, b]) == b["order"]["transAmount"]


def test_kakaopay_a_forged_fail_redirect_does_not_fail_a_checkout_in_progress(
    shop: Shop,
) -> None:
    user, a, _b = two_orders(shop, "KAKAO_PAY")

    for outcome in ("fail", "cancel"):
        forged = returned(shop, "kakaoPay", outcome, a["transactionId"])
        assert forged.status_code == 504, forged.text
        assert forged.json()["data"]["orderId"] == a["orderId"]

    assert shop.state_of(user, a["orderId"]) == "PAYMENT_PENDING"
    assert shop.pay("KAKAO_PAY", a).json()["data"]["state"] == "PAID"


def test_kakaopay_a_fail_redirect_after_payment_changes_nothing(shop: Shop) -> None:
    user, product = shop.user(), shop.product()
    order_id = shop.paid_order(user, product["id"], "KAKAO_PAY")
    [order] = [o for o in shop.orders_of(user) if o["id"] == order_id]

    answer = returned(shop, "kakaoPay", "fail", order["transactionId"])

    assert answer.status_code == 200, answer.text
    assert shop.state_of(user, order_id) == "PAID"


# --------------------------------------------------------------------------- NaverPay


def test_naverpay_another_orders_payment_id_is_refunded_not_kept(shop: Shop) -> None:
    """The buyer pays B, the browser comes back to A's returnUrl with B's paymentId."""
    user, a, b = two_orders(shop, "NAVER_PAY")
    b_return = shop.press("NAVER_PAY", b, "pay")

    crossed = done(shop, "NAVER_PAY", a["transactionId"], **query_of(b_return))

    assert crossed.status_code == 502, crossed.text
    assert crossed.json()["data"]["orderId"] == a["orderId"]
    assert shop.state_of(user, a["orderId"]) == "PAYMENT_PENDING"
    assert shop.state_of(user, b["orderId"]) == "PAYMENT_PENDING"
    [taken] = payments_of(shop, "NAVER_PAY", [a, b])
    assert (taken["approvals"], taken["refunded_amount"]) == (1, taken["amount"])
    assert held(shop, "NAVER_PAY", [a, b]) == 0


def test_naverpay_a_payment_given_back_as_an_orphan_never_pays_its_order(shop: Shop) -> None:
    user, a, b = two_orders(shop, "NAVER_PAY")
    b_return = shop.press("NAVER_PAY", b, "pay")
    done(shop, "NAVER_PAY", a["transactionId"], **query_of(b_return))

    late = shop.come_back(b_return)

    assert late.status_code == 502, late.text
    assert shop.state_of(user, b["orderId"]) == "PAYMENT_PENDING"
    assert held(shop, "NAVER_PAY", [a, b]) == 0


def test_naverpay_a_forged_user_cancel_before_paying_takes_no_money(shop: Shop) -> None:
    """NaverPay cannot be asked before the buyer returns with a paymentId, and charges
    nothing until gonggu applies: the claim is taken, and no money can follow it."""
    user, a, b = two_orders(shop, "NAVER_PAY")

    forged = done(shop, "NAVER_PAY", a["transactionId"], resultCode="UserCancel")

    assert forged.status_code == 200, forged.text
    assert shop.state_of(user, a["orderId"]) == "PAYMENT_CANCELLED"
    genuine = shop.pay("NAVER_PAY", a)
    assert genuine.json()["data"]["state"] == "PAYMENT_CANCELLED"
    assert held(shop, "NAVER_PAY", [a, b]) == 0


def test_naverpay_a_forged_payment_id_is_refused_and_not_kept(shop: Shop) -> None:
    user, a, _b = two_orders(shop, "NAVER_PAY")

    forged = done(
        shop, "NAVER_PAY", a["transactionId"], resultCode="Success", paymentId="20990101NP1"
    )

    assert forged.status_code == 502, forged.text
    assert shop.state_of(user, a["orderId"]) == "PAYMENT_PENDING"
    assert shop.pay("NAVER_PAY", a).json()["data"]["state"] == "PAID"


# --------------------------------------------------------------------------- Toss Payments


def test_toss_a_tampered_amount_is_not_confirmed_and_the_genuine_return_pays(shop: Shop) -> None:
    _user, a, b = two_orders(shop, "TOSS_PAYMENTS")
    genuine = shop.press("TOSS_PAYMENTS", a, "pay")
    params = query_of(genuine)

    tampered = done(shop, "TOSS_PAYMENTS", a["transactionId"], **{**params, "amount": "100"})

    assert tampered.status_code == 200, tampered.text
    assert tampered.json()["data"]["state"] == "PAYMENT_PENDING"
    assert held(shop, "TOSS_PAYMENTS", [a, b]) == 0
    assert shop.come_back(genuine).json()["data"]["state"] == "PAID"


def test_toss_a_success_url_with_an_error_code_fails_nothing(shop: Shop) -> None:
    _user, a, _b = two_orders(shop, "TOSS_PAYMENTS")
    genuine = shop.press("TOSS_PAYMENTS", a, "pay")

    forged = done(shop, "TOSS_PAYMENTS", a["transactionId"], code="PAY_PROCESS_ABORTED")

    assert forged.json()["data"]["state"] == "PAYMENT_PENDING"
    assert shop.come_back(genuine).json()["data"]["state"] == "PAID"


def test_toss_a_fail_url_for_an_authorised_checkout_does_not_fail_it(shop: Shop) -> None:
    user, a, _b = two_orders(shop, "TOSS_PAYMENTS")
    genuine = shop.press("TOSS_PAYMENTS", a, "pay")

    failed = returned(shop, "tossPayments", "fail", a["transactionId"], code="PAY_PROCESS_CANCELED")

    assert failed.status_code == 504, failed.text
    assert shop.state_of(user, a["orderId"]) == "PAYMENT_PENDING"
    assert shop.come_back(genuine).json()["data"]["state"] == "PAID"


def test_toss_another_orders_payment_key_is_refused_and_the_order_can_still_be_abandoned(
    shop: Shop,
) -> None:
    user, a, b = two_orders(shop, "TOSS_PAYMENTS")
    b_key = query_of(shop.press("TOSS_PAYMENTS", b, "pay"))["paymentKey"]
    amount = str(a["order"]["transAmount"])

    forged = done(
        shop,
        "TOSS_PAYMENTS",
        a["transactionId"],
        paymentKey=b_key,
        orderId=a["transactionId"],
        amount=amount,
    )

    assert forged.status_code == 502, forged.text
    assert shop.state_of(user, a["orderId"]) == "PAYMENT_PENDING"
    # The refused key was not kept: Toss is asked by A's own orderId, which it never saw.
    abandoned = returned(
        shop, "tossPayments", "cancel", a["transactionId"], code="PAY_PROCESS_CANCELED"
    )
    assert abandoned.status_code == 200, abandoned.text
    assert shop.state_of(user, a["orderId"]) == "PAYMENT_CANCELLED"
    assert held(shop, "TOSS_PAYMENTS", [a, b]) == 0


def test_toss_a_forged_webhook_moves_nothing(shop: Shop) -> None:
    user, a, _b = two_orders(shop, "TOSS_PAYMENTS")

    hint = shop.client.post(
        "/api/v1/transaction/tossPayments/webhook",
        json={
            "eventType": "PAYMENT_STATUS_CHANGED",
            "data": {"orderId": a["transactionId"], "status": "DONE", "paymentKey": "forged"},
        },
    )

    assert hint.status_code == 200, hint.text
    assert shop.state_of(user, a["orderId"]) == "PAYMENT_PENDING"
    assert shop.pay("TOSS_PAYMENTS", a).json()["data"]["state"] == "PAID"


# --------------------------------------------------------------------------- Open Banking


def test_open_banking_forged_redirects_do_not_touch_a_paid_order(shop: Shop) -> None:
    user, product = shop.user(), shop.product()
    order_id = shop.paid_order(user, product["id"], "OPEN_BANKING")
    [order] = [o for o in shop.orders_of(user) if o["id"] == order_id]

    for response in (
        done(shop, "OPEN_BANKING", order["transactionId"], pg_token="x"),
        returned(shop, "openBanking", "fail", order["transactionId"]),
        returned(shop, "openBanking", "cancel", order["transactionId"]),
    ):
        assert response.status_code == 200, response.text
    assert shop.state_of(user, order_id) == "PAID"

"""A reviewer's attack: a forged NaverPay failure return carrying another order's paymentId.

NaverPay takes no money before apply, so gonggu accepts a failure return without asking
NaverPay. But it also keeps the `paymentId` that return carried — though NaverPay was never
asked about it — on the failed payment. Two payments then name one NaverPay payment (B's
money appears under A in `GET order`, `/ops` and `gonggu stuck`), against the rule that a
platform id the platform has not confirmed for this order is never stored."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from tests.adversarial.money import held
from tests.e2e.shop import Shop


def _order(shop: Shop, order_id: int) -> dict[str, Any]:
    return dict(shop.client.get(f"/api/v1/order/{order_id}").json()["data"])


def test_naverpay_a_failure_return_with_another_orders_payment_id_does_not_keep_it(
    shop: Shop,
) -> None:
    user, product = shop.user(), shop.product()
    a = shop.placed(user, product["id"], "NAVER_PAY")
    b = shop.placed(user, product["id"], "NAVER_PAY")
    b_return = shop.press("NAVER_PAY", b, "pay")
    assert shop.come_back(b_return).json()["data"]["state"] == "PAID"
    b_payment_id = dict(parse_qsl(urlsplit(b_return).query))["paymentId"]

    forged = shop.client.get(
        f"/api/v1/order/transaction/done/NAVER_PAY/{a['transactionId']}?"
        + urlencode({"resultCode": "Fail", "paymentId": b_payment_id}),
        headers={"accept": "application/json"},
    )

    assert forged.status_code < 500, forged.text
    assert _order(shop, b["orderId"])["state"] == "PAID"
    assert held(shop, "NAVER_PAY", [a, b]) == b["order"]["transAmount"]
    assert _order(shop, a["orderId"])["payment"]["platformTransactionId"] != b_payment_id

"""Every payType through the service: a group whose members paid on four different platforms
is refunded through each member's own platform, once."""

from __future__ import annotations

from tests.e2e.shop import Shop

PLATFORMS = {
    "KAKAO_PAY": "kakaopay",
    "NAVER_PAY": "naverpay",
    "OPEN_BANKING": "openbanking",
    "TOSS_PAYMENTS": "tosspayments",
}


def test_a_mixed_group_is_refunded_through_each_members_platform(shop: Shop) -> None:
    product = shop.product(price=20_000)
    members = {pay_type: shop.user(pay_type.lower()) for pay_type in PLATFORMS}
    orders = {
        pay_type: shop.paid_order(user, product["id"], pay_type, min_share=4, max_share=4)
        for pay_type, user in members.items()
    }
    listed = {pay_type: shop.orders_of(members[pay_type])[0]["payType"] for pay_type in PLATFORMS}
    assert listed == {pay_type: pay_type for pay_type in PLATFORMS}
    refunds_before = {
        prefix: sum(p["refunds"] for p in shop.platform_payments(prefix))
        for prefix in PLATFORMS.values()
    }
    assert shop.match(11, list(orders.values())).status_code == 200

    response = shop.expire(11)

    assert response.status_code == 200, response.text
    for pay_type, order_id in orders.items():
        assert shop.state_of(members[pay_type], order_id) == "REFUNDED"
    for prefix, before in refunds_before.items():
        after = sum(p["refunds"] for p in shop.platform_payments(prefix))
        assert after - before == 1, prefix


def test_the_open_bank_alias_pays_with_open_banking(shop: Shop) -> None:
    user, product = shop.user(), shop.product()

    data = shop.placed(user, product["id"], "OPEN_BANK")

    assert data["order"]["payType"] == "OPEN_BANKING"
    assert data["order"]["state"] == "PAID"


def test_open_banking_without_an_account_is_refused(shop: Shop) -> None:
    user, product = shop.user(), shop.product()

    response = shop.client.post(
        "/api/v1/order/execute?payType=OPEN_BANKING",
        json={"userId": user, "productId": product["id"], "minShare": 1, "quantity": 1},
    )

    assert response.status_code == 422, response.text
    assert shop.orders_of(user) == []

"""The seed's flow end to end: order, pay on KakaoPay's page, come back, group, confirm."""

from __future__ import annotations

from tests.e2e.shop import Shop


def test_ordering_and_paying_with_kakaopay_makes_the_order_paid(shop: Shop) -> None:
    user = shop.user()
    product = shop.product(price=30_000, options=[{"name": "10kg", "extraPrice": 5_000}])
    option_id = product["options"][0]["id"]

    data = shop.placed(user, product["id"], option_id=option_id, quantity=2)

    assert data["tid"] and data["next_redirect_pc_url"]
    assert data["order"]["transAmount"] == 70_000
    assert data["order"]["state"] == "PAYMENT_PENDING"
    response = shop.pay("KAKAO_PAY", data)
    assert response.status_code == 200, response.text
    assert response.json()["data"]["state"] == "PAID"
    assert shop.state_of(user, data["orderId"]) == "PAID"
    [platform] = [p for p in shop.platform_payments("kakaopay") if p["tid"] == data["tid"]]
    assert platform["approvals"] == 1


def test_a_browser_coming_back_gets_a_result_page(shop: Shop) -> None:
    user, product = shop.user(), shop.product()
    data = shop.placed(user, product["id"])
    location = shop.press("KAKAO_PAY", data, "pay")

    page = shop.come_back(location, accept="text/html")

    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    assert "결제가 완료되었습니다" in page.text and "Your payment is complete" in page.text
    assert "제주 감귤 5kg" in page.text and "30,000원" in page.text


def test_the_same_approval_redirect_twice_approves_once(shop: Shop) -> None:
    user, product = shop.user(), shop.product()
    data = shop.placed(user, product["id"])
    location = shop.press("KAKAO_PAY", data, "pay")

    first, second = shop.come_back(location), shop.come_back(location)

    assert first.status_code == second.status_code == 200
    assert first.json()["data"]["state"] == second.json()["data"]["state"] == "PAID"
    [platform] = [p for p in shop.platform_payments("kakaopay") if p["tid"] == data["tid"]]
    assert platform["approvals"] == 1


def test_a_buyer_who_cancels_on_kakaopay_has_a_cancelled_order(shop: Shop) -> None:
    user, product = shop.user(), shop.product()
    data = shop.placed(user, product["id"])

    response = shop.come_back(shop.press("KAKAO_PAY", data, "cancel"))

    assert response.status_code == 200, response.text
    assert response.json()["data"]["state"] == "PAYMENT_CANCELLED"


def test_a_failed_kakaopay_payment_fails_the_order(shop: Shop) -> None:
    user, product = shop.user(), shop.product()
    data = shop.placed(user, product["id"])

    response = shop.come_back(shop.press("KAKAO_PAY", data, "fail"))

    assert response.status_code == 200, response.text
    assert response.json()["data"]["state"] == "PAYMENT_FAILED"


def test_a_forged_cancel_redirect_cannot_cancel_a_paid_order(shop: Shop) -> None:
    user, product = shop.user(), shop.product()
    data = shop.placed(user, product["id"])
    shop.pay("KAKAO_PAY", data)

    response = shop.client.get(f"/api/v1/transaction/kakaoPay/cancel/{data['transactionId']}")

    assert response.status_code == 200
    assert shop.state_of(user, data["orderId"]) == "PAID"


def test_group_lifecycle_from_match_to_settlement(shop: Shop) -> None:
    product = shop.product()
    buyers = [shop.user(f"buyer{i}") for i in range(3)]
    orders = [shop.paid_order(b, product["id"], min_share=2, max_share=3) for b in buyers]

    matched = shop.match(7, orders)
    assert matched.status_code == 200, matched.text
    assert shop.match(7, orders).status_code == 200
    status = shop.client.get(
        "/api/v1/transaction/status/group", params={"groupId": 7, "numberOfMember": 3}
    )
    assert status.json()["data"] is False

    for order_id in orders:
        assert shop.confirm(order_id).status_code == 200

    status = shop.client.get(
        "/api/v1/transaction/status/group", params={"groupId": 7, "numberOfMember": 3}
    )
    assert status.json() == {"statusCode": 200, "statusMsg": "success", "data": True}
    assert shop.expire(7).status_code == 409


def test_expiring_a_group_refunds_every_member_at_kakaopay(shop: Shop) -> None:
    product = shop.product(price=12_000)
    buyers = [shop.user(f"buyer{i}") for i in range(2)]
    placed = [shop.placed(b, product["id"]) for b in buyers]
    for data in placed:
        assert shop.pay("KAKAO_PAY", data).json()["data"]["state"] == "PAID"
    orders = [int(d["orderId"]) for d in placed]
    assert shop.match(3, orders).status_code == 200

    response = shop.expire(3)

    assert response.status_code == 200, response.text
    assert sorted(response.json()["data"]["refundedOrderIds"]) == sorted(orders)
    for buyer, order_id in zip(buyers, orders, strict=True):
        assert shop.state_of(buyer, order_id) == "REFUNDED"
    assert shop.expire(3).status_code == 200
    tids = {d["tid"] for d in placed}
    platform = [p for p in shop.platform_payments("kakaopay") if p["tid"] in tids]
    assert [p["refunds"] for p in platform] == [1, 1]
    assert all(p["status"] == "CANCEL_PAYMENT" for p in platform)

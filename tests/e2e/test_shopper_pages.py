"""What a shopper's browser shows after the platform sends it back: a page for every outcome,
in Korean with English beneath, with the product, the amount, the state in words, the
platform's reason and a link back to the shop. API clients keep the envelope."""

from __future__ import annotations

import re

from tests.e2e.shop import Shop
from tests.support.service import PUBLIC_BASE_URL

HTML = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


def _refresh_target(html: str) -> str | None:
    found = re.search(r'http-equiv="refresh" content="\d+;url=([^"]+)"', html)
    return found.group(1) if found else None


def test_a_paid_order_shows_product_amount_state_and_the_way_back(shop: Shop) -> None:
    user = shop.user()
    product = shop.product(price=30_000, options=[{"name": "10kg", "extraPrice": 5_000}])
    data = shop.placed(user, product["id"], option_id=product["options"][0]["id"], quantity=2)

    page = shop.come_back(shop.press("KAKAO_PAY", data, "pay"), **HTML)

    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    for text in ("결제가 완료되었습니다", "Your payment is complete", "제주 감귤 5kg (10kg) × 2"):
        assert text in page.text
    assert "70,000원" in page.text and "KRW 70,000" in page.text
    assert "결제 완료" in page.text and "Paid" in page.text and "카카오페이" in page.text
    assert 'href="http://127.0.0.1:3000/"' in page.text
    assert _refresh_target(page.text) is None


def test_a_cancelled_payment_says_so_in_words(shop: Shop) -> None:
    data = shop.placed(shop.user(), shop.product()["id"])

    page = shop.come_back(shop.press("KAKAO_PAY", data, "cancel"), **HTML)

    assert page.status_code == 200
    assert "결제를 취소했습니다" in page.text and "You cancelled the payment" in page.text
    assert "PAYMENT_CANCELLED" not in page.text


def test_a_failed_payment_shows_the_platforms_reason(shop: Shop) -> None:
    data = shop.placed(shop.user(), shop.product()["id"], "NAVER_PAY")

    page = shop.come_back(shop.press("NAVER_PAY", data, "fail"), **HTML)

    assert page.status_code == 200
    assert "결제에 실패했습니다" in page.text and "Your payment failed" in page.text
    assert "본인 인증에 실패하였습니다." in page.text and "OwnerAuthFail" in page.text


def test_a_platform_error_is_a_page_naming_the_order_and_the_reason(shop: Shop) -> None:
    data = shop.placed(shop.user(), shop.product(price=9_900)["id"])
    location = shop.press("KAKAO_PAY", data, "pay")
    shop.arm("kakaopay", "approve", "error", status=400)

    page = shop.come_back(location, **HTML)

    assert page.status_code == 502
    assert page.headers["content-type"].startswith("text/html")
    assert "결제사가 결제를 승인하지 않았습니다" in page.text
    assert "9,900원" in page.text and "제주 감귤 5kg" in page.text
    assert "The platform says" in page.text


def test_a_lost_approval_answer_is_confirmed_by_a_page_that_refreshes_until_settled(
    shop: Shop,
) -> None:
    data = shop.placed(shop.user(), shop.product()["id"])
    location = shop.press("KAKAO_PAY", data, "pay")
    shop.arm("kakaopay", "approve", "no_answer")

    page = shop.come_back(location, **HTML)

    assert page.status_code == 504
    assert "결제를 확인하고 있습니다" in page.text and "We are confirming your payment" in page.text
    target = _refresh_target(page.text)
    assert target == f"/api/v1/order/transaction/result/{data['transactionId']}"

    settled = shop.client.get(target, headers=HTML)

    assert settled.status_code == 200
    assert "결제가 완료되었습니다" in settled.text
    assert _refresh_target(settled.text) is None
    assert shop.state_of(shop.orders_of(1)[0]["userId"], data["orderId"]) == "PAID"


def test_an_unknown_transaction_is_a_page_too(shop: Shop) -> None:
    page = shop.client.get(
        "/api/v1/order/transaction/done/KAKAO_PAY/no-such-transaction?pg_token=x", headers=HTML
    )

    assert page.status_code == 404
    assert "주문을 찾을 수 없습니다" in page.text and "We could not find this order" in page.text
    assert "Back to the shop" in page.text
    assert "The platform says" not in page.text  # the reason is ours, not a platform's


def test_a_browser_on_an_unknown_callback_path_gets_a_page(shop: Shop) -> None:
    page = shop.client.get("/api/v1/transaction/nopay/fail/x", headers=HTML)

    assert page.status_code == 422
    assert page.headers["content-type"].startswith("text/html")


def test_api_clients_keep_the_envelope_for_every_outcome(shop: Shop) -> None:
    unknown = shop.client.get(
        "/api/v1/order/transaction/done/KAKAO_PAY/no-such-transaction?pg_token=x",
        headers={"accept": "application/json"},
    )
    assert unknown.status_code == 404
    assert unknown.json()["statusCode"] == 404

    data = shop.placed(shop.user(), shop.product()["id"])
    location = shop.press("KAKAO_PAY", data, "pay")
    shop.arm("kakaopay", "approve", "error", status=400)
    refused = shop.come_back(location)
    assert refused.status_code == 502
    assert refused.json()["statusCode"] == 502 and refused.json()["data"]["platform"]

    result = shop.client.get(f"/api/v1/order/transaction/result/{data['transactionId']}")
    assert result.json()["data"]["state"] in ("PAYMENT_PENDING", "PAID")


def test_the_pages_escape_what_the_platform_sends(shop: Shop) -> None:
    data = shop.placed(shop.user(), shop.product()["id"], "TOSS_PAYMENTS")
    fail = (
        f"{PUBLIC_BASE_URL}/api/v1/transaction/tossPayments/fail/{data['transactionId']}"
        "?code=PAY_PROCESS_ABORTED&message=<script>alert(1)</script>"
    )

    page = shop.come_back(fail, **HTML)

    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;" in page.text

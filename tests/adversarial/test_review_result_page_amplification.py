"""A reviewer's attack: the shopper's result page as an amplifier towards the platforms.

`GET /api/v1/order/transaction/result/{transactionId}` needs no credential (the "being
confirmed" page refreshes itself there) and settles a waiting payment by asking its
platform — on every request. A script (or a page left open in many tabs) that reads it N
times makes N KakaoPay `order` / Toss lookups with the shop's secret key, and the platforms
rate-limit per merchant key: the shop's genuine approvals and refunds then fail too. A
waiting payment should be asked about at most once per short interval, however often the
page is read (it now is: adapters/inbound/callbacks/ask_throttle.py)."""

from __future__ import annotations

import re

import pytest

from tests.e2e.shop import Shop

READS = 30


def _lookups(shop: Shop, platform: str) -> float:
    metrics = shop.client.get("/metrics").text
    total = 0.0
    for labels, value in re.findall(r"gonggu_platform_calls_total\{([^}]*)\} ([0-9.e+]+)", metrics):
        if 'operation="lookup"' in labels and f'platform="{platform}"' in labels:
            total += float(value)
    return total


@pytest.mark.parametrize("pay_type", ["KAKAO_PAY", "TOSS_PAYMENTS"])
def test_reading_the_result_page_many_times_does_not_ask_the_platform_each_time(
    shop: Shop, pay_type: str
) -> None:
    data = shop.placed(shop.user(), shop.product()["id"], pay_type)
    before = _lookups(shop, pay_type)

    for _ in range(READS):
        page = shop.client.get(
            f"/api/v1/order/transaction/result/{data['transactionId']}",
            headers={"accept": "application/json"},
        )
        assert page.status_code == 200, page.text

    assert _lookups(shop, pay_type) - before <= 3

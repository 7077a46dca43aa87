"""The emulators misbehave on purpose — an approval whose answer never comes, refunds answered
with 5xx — and the worker's jobs still end with the money exactly where it belongs."""

from __future__ import annotations

import time
from typing import Any

import pytest

from adapters.config import Settings
from application.reconcile_payments import ReconcileReport
from tests.e2e.shop import Shop
from tests.faults.support import attempts_of, rows, run_worker_once

# How each platform's emulator names a payment we know by its `execute` answer.
PLATFORM_KEY = {
    "KAKAO_PAY": ("kakaopay", "tid", "tid"),
    "NAVER_PAY": ("naverpay", "merchantPayKey", "transactionId"),
    "TOSS_PAYMENTS": ("tosspayments", "orderId", "transactionId"),
}


def on_platform(shop: Shop, pay_type: str, data: dict[str, Any]) -> dict[str, Any]:
    """The payment as the platform's emulator records it (approvals, refunds...)."""
    prefix, field, ours = PLATFORM_KEY[pay_type]
    [payment] = [p for p in shop.platform_payments(prefix) if p[field] == data[ours]]
    return payment


def stale(settings: Settings) -> None:
    """Waits until what the test left behind is old enough for the reconciler."""
    time.sleep(settings.reconcile_after_s + 0.1)


def events_of(settings: Settings, event_type: str) -> int:
    [(count,)] = rows(
        settings.database_url, "SELECT count(*) FROM outbox_events WHERE type = :t", t=event_type
    )
    return int(count)


def test_an_approval_lost_to_a_platform_timeout_is_made_paid_once_by_the_reconciler(
    shop: Shop, settings: Settings
) -> None:
    user, product = shop.user(), shop.product(price=12_000)
    data = shop.placed(user, product["id"], min_share=1)
    order_id = int(data["orderId"])
    location = shop.press("KAKAO_PAY", data, "pay")
    shop.arm("kakaopay", "approve", "no_answer")  # Kakao approves, then never answers

    redirect = shop.come_back(location)

    assert redirect.status_code == 504, redirect.text
    assert shop.state_of(user, order_id) == "PAYMENT_PENDING"
    [(_, state, key)] = [
        a for a in attempts_of(settings.database_url, order_id) if a[0] == "APPROVE"
    ]
    assert state == "UNKNOWN"
    assert on_platform(shop, "KAKAO_PAY", data)["approvals"] == 1  # the money was taken

    stale(settings)
    first = run_worker_once(settings)["reconcile"]
    stale(settings)
    second = run_worker_once(settings)["reconcile"]

    assert (first.paid, first.failed, first.unresolved) == (1, 0, 0)
    assert second == ReconcileReport()
    assert shop.state_of(user, order_id) == "PAID"
    assert [a for a in attempts_of(settings.database_url, order_id) if a[0] == "APPROVE"] == [
        ("APPROVE", "SUCCEEDED", key)
    ]
    platform = on_platform(shop, "KAKAO_PAY", data)
    assert (platform["approvals"], platform["status"]) == (1, "SUCCESS_PAYMENT")
    assert events_of(settings, "OrderPaid") == 1
    again = shop.come_back(location)  # the buyer's browser retries: same answer, no new charge
    assert again.status_code == 200 and again.json()["data"]["state"] == "PAID"
    assert on_platform(shop, "KAKAO_PAY", data)["approvals"] == 1


@pytest.mark.parametrize(
    ("pay_type", "times", "status"),
    [
        pytest.param("KAKAO_PAY", 2, 500, id="kakaopay-500"),
        pytest.param("NAVER_PAY", 3, 500, id="naverpay-500"),
        pytest.param("TOSS_PAYMENTS", 3, 503, id="tosspayments-503"),
    ],
)
def test_a_refund_failing_with_5xx_is_retried_by_the_reconciler_until_refunded_once(
    shop: Shop, settings: Settings, pay_type: str, times: int, status: int
) -> None:
    prefix = PLATFORM_KEY[pay_type][0]
    product = shop.product(price=9_000)
    members: list[tuple[int, dict[str, Any]]] = []
    for name in ("kim", "lee"):
        user = shop.user(name)
        data = shop.placed(user, product["id"], pay_type, min_share=2)
        paid = shop.pay(pay_type, data)
        assert paid.status_code == 200 and paid.json()["data"]["state"] == "PAID", paid.text
        members.append((user, data))
    order_ids = [int(data["orderId"]) for _, data in members]
    assert shop.match(1, order_ids).status_code == 200
    shop.arm(prefix, "cancel", "error", times=times, status=status)

    expiry = shop.expire(1)

    assert expiry.status_code == 502, expiry.text
    assert sorted(expiry.json()["data"]["refundPendingOrderIds"]) == sorted(order_ids)
    assert {shop.state_of(u, int(d["orderId"])) for u, d in members} == {"REFUND_PENDING"}

    runs = 0
    deadline = time.monotonic() + 15
    while {shop.state_of(u, int(d["orderId"])) for u, d in members} != {"REFUNDED"}:
        assert time.monotonic() < deadline, "the reconciler did not finish the refunds"
        time.sleep(settings.refund_retry_max_s)
        report = run_worker_once(settings)["reconcile"]
        assert isinstance(report, ReconcileReport), report
        runs += 1

    assert runs >= 1
    for _, data in members:
        platform = on_platform(shop, pay_type, data)
        assert (platform["refunds"], platform["refunded_amount"]) == (1, 9_000), platform
        refunds = [
            a for a in attempts_of(settings.database_url, int(data["orderId"])) if a[0] == "REFUND"
        ]
        assert [state for _, state, _ in refunds][-1] == "SUCCEEDED"
    assert events_of(settings, "OrderRefunded") == 2
    stale(settings)
    assert run_worker_once(settings)["reconcile"] == ReconcileReport()

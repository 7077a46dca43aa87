"""What a platform emulator holds for some orders, to check that money always has exactly one
owner. The emulators live for the whole session, so a test counts only its own orders."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tests.e2e.shop import Shop

PREFIX = {
    "KAKAO_PAY": "kakaopay",
    "NAVER_PAY": "naverpay",
    "OPEN_BANKING": "openbanking",
    "TOSS_PAYMENTS": "tosspayments",
}


def _ours(pay_type: str, payment: dict[str, Any], orders: list[dict[str, Any]]) -> bool:
    if pay_type == "KAKAO_PAY":
        return payment["tid"] in {o["payment"].get("tid") for o in orders}
    if pay_type == "NAVER_PAY":
        return payment["merchantPayKey"] in {o["transactionId"] for o in orders}
    if pay_type == "TOSS_PAYMENTS":
        return payment["orderId"] in {o["transactionId"] for o in orders}
    return payment["bank_tran_id"] in {o["payment"].get("bank_tran_id") for o in orders}


def held(shop: Shop, pay_type: str, orders: Iterable[dict[str, Any]]) -> int:
    """Money the platform took for these orders (placed answers) and has not given back."""
    mine = list(orders)
    return sum(
        p["amount"] * min(p["approvals"], 1) - p["refunded_amount"]
        for p in shop.platform_payments(PREFIX[pay_type])
        if _ours(pay_type, p, mine)
    )


def payments_of(shop: Shop, pay_type: str, orders: Iterable[dict[str, Any]]) -> list[Any]:
    mine = list(orders)
    return [p for p in shop.platform_payments(PREFIX[pay_type]) if _ours(pay_type, p, mine)]

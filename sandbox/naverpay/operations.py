"""What apply, cancel and history do to the store, checked as NaverPay checks them."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from sandbox.naverpay.responses import Answer, answer, success
from sandbox.naverpay.store import APPLY_WINDOW_S, Payment, Store, now_ymdt

MERCHANT_ID = "sandbox-merchant"
CANCEL_FIELDS = (
    "paymentId",
    "cancelAmount",
    "cancelReason",
    "cancelRequester",
    "taxScopeAmount",
    "taxExScopeAmount",
)


def bad_request(message: str) -> Answer:
    return answer("Fail", message, status=400)


def apply(store: Store, form: Mapping[str, str]) -> Answer:
    payment_id = form.get("paymentId", "")
    if not payment_id:
        return bad_request("paymentId is required")
    payment = store.payments.get(payment_id)
    if payment is None:
        return answer("InvalidPaymentId", "유효하지 않은 네이버페이 결제번호입니다.")
    if payment.approvals:
        return answer("AlreadyComplete", "이미 해당 결제 번호로 결제가 완료되었습니다.")
    if time.monotonic() - payment.authorised_at > APPLY_WINDOW_S:
        return answer("TimeExpired", "결제 승인 가능 시간이 초과되었습니다.")
    payment.approvals += 1
    payment.status = "APPROVED"
    row = _row(payment, "01", payment.total_pay_amount)
    payment.history.append(row)
    return success({"paymentId": payment.payment_id, "detail": row})


def cancel(store: Store, form: Mapping[str, str]) -> Answer:
    missing = [name for name in CANCEL_FIELDS if not form.get(name)]
    if missing:
        return bad_request(f"required parameters missing: {', '.join(missing)}")
    numbers = _numbers(form, ("cancelAmount", "taxScopeAmount", "taxExScopeAmount"))
    if numbers is None or form["cancelRequester"] not in ("1", "2"):
        return bad_request("amounts must be integers and cancelRequester 1 or 2")
    amount, tax_scope, tax_ex_scope = numbers
    if amount <= 0 or tax_scope < 0 or tax_ex_scope < 0:
        return bad_request("cancelAmount must be positive and tax amounts not negative")
    if tax_scope + tax_ex_scope != amount:
        return answer("TaxScopeAmountError", "과면세 금액의 합이 취소 요청 금액과 다릅니다.")
    payment = store.payments.get(form["paymentId"])
    if payment is None or not payment.approvals:
        return answer("InvalidPaymentId", "유효하지 않은 네이버페이 결제번호입니다.")
    if payment.rest_amount == 0:
        return answer("AlreadyCanceled", "이미 전체 취소된 결제입니다.")
    if amount > payment.rest_amount:
        return answer("OverRemainAmount", "취소 요청 금액이 잔여 결제 금액을 초과하였습니다.")
    if form.get("doCompareRest") == "1":
        expected = _numbers(form, ("expectedRestAmount",))
        if expected is None or expected[0] != payment.rest_amount - amount:
            return answer("RestAmountDiff", "예상 잔여금액과 네이버페이의 잔여금액이 다릅니다.")
    return success(_perform_cancel(payment, amount, tax_scope, tax_ex_scope))


def history(store: Store, payment_id: str) -> Answer:
    payment = store.payments.get(payment_id)
    if payment is None:
        return answer("InvalidPaymentId", "유효하지 않은 네이버페이 결제번호입니다.")
    rows = list(payment.history)
    return success(
        {
            "totalCount": len(rows),
            "responseCount": len(rows),
            "totalPageCount": 1,
            "currentPageNumber": 1,
            "list": rows,
        }
    )


def _perform_cancel(payment: Payment, amount: int, tax_scope: int, tax_ex: int) -> dict[str, Any]:
    payment.refunded_amount += amount
    payment.refunds += 1
    full = payment.rest_amount == 0
    payment.status = "CANCELLED" if full else "PART_CANCELLED"
    row = _row(payment, "03" if full else "04", amount)
    payment.history.append(row)
    return {
        "paymentId": payment.payment_id,
        "payHistId": row["payHistId"],
        "primaryPayMeans": "CARD",
        "primaryPayCancelAmount": amount,
        "primaryPayRestAmount": payment.rest_amount,
        "npointCancelAmount": 0,
        "npointRestAmount": 0,
        "taxScopeAmount": tax_scope,
        "taxExScopeAmount": tax_ex,
        "taxScopeRestAmount": payment.rest_amount,
        "taxExScopeRestAmount": 0,
        "cancelYmdt": row["admissionYmdt"],
        "totalRestAmount": payment.rest_amount,
    }


def _row(payment: Payment, type_code: str, amount: int) -> dict[str, Any]:
    ymdt = now_ymdt()
    return {
        "paymentId": payment.payment_id,
        "payHistId": f"{payment.payment_id}H{len(payment.history) + 1:03d}",
        "merchantId": MERCHANT_ID,
        "merchantName": "gonggu sandbox",
        "merchantPayKey": payment.merchant_pay_key,
        "merchantUserKey": payment.merchant_user_key,
        "admissionTypeCode": type_code,
        "admissionYmdt": ymdt,
        "tradeConfirmYmdt": ymdt,
        "admissionState": "SUCCESS",
        "totalPayAmount": amount,
        "applyPayAmount": amount,
        "primaryPayAmount": amount,
        "npointPayAmount": 0,
        "giftCardAmount": 0,
        "discountPayAmount": 0,
        "taxScopeAmount": amount,
        "taxExScopeAmount": 0,
        "environmentDepositAmount": 0,
        "primaryPayMeans": "CARD",
        "cardCorpCode": "C0",
        "cardNo": "465887**********",
        "cardAuthNo": "17545616",
        "cardInstCount": 0,
        "usedCardPoint": False,
        "bankCorpCode": "",
        "bankAccountNo": "",
        "productName": payment.product_name,
        "settleExpected": False,
        "settleExpectAmount": 0,
        "payCommissionAmount": 0,
        "extraDeduction": False,
        "useCfmYmdt": "",
    }


def _numbers(form: Mapping[str, str], names: tuple[str, ...]) -> tuple[int, ...] | None:
    try:
        return tuple(int(form.get(name, "")) for name in names)
    except ValueError:
        return None

"""The four online payment operations, acting on the store like KakaoPay does."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from sandbox.kakaopay import fields
from sandbox.kakaopay.errors import KakaoError, bad_parameter, method_failure
from sandbox.kakaopay.store import Action, KakaoPayment, Store, kst_now, new_id

APPROVED = ("SUCCESS_PAYMENT", "PART_CANCEL_PAYMENT", "CANCEL_PAYMENT")


def ready(store: Store, body: dict[str, Any], page_root: str) -> dict[str, Any]:
    """Registers a payment; the redirect URLs lead to the sandbox's payment page."""
    cid = fields.cid(body)
    total = fields.integer(body, "total_amount", 1) or 0
    tax_free = fields.integer(body, "tax_free_amount", 0) or 0
    if tax_free > total:
        raise bad_parameter("tax_free_amount must not exceed total_amount")
    vat = fields.integer(body, "vat_amount", 0, required=False)
    payment = KakaoPayment(
        tid=new_id("T"),
        cid=cid,
        partner_order_id=fields.text(body, "partner_order_id"),
        partner_user_id=fields.text(body, "partner_user_id"),
        item_name=fields.text(body, "item_name"),
        item_code=fields.text(body, "item_code", required=False) or None,
        quantity=fields.integer(body, "quantity", 1) or 1,
        total_amount=total,
        tax_free_amount=tax_free,
        vat_amount=round((total - tax_free) / 11) if vat is None else vat,
        approval_url=fields.url(body, "approval_url"),
        cancel_url=fields.url(body, "cancel_url"),
        fail_url=fields.url(body, "fail_url"),
    )
    store.add(payment)
    page = f"{page_root}/{payment.tid}"
    return {
        "tid": payment.tid,
        "next_redirect_app_url": f"{page}?client=app",
        "next_redirect_mobile_url": f"{page}?client=mobile",
        "next_redirect_pc_url": f"{page}?client=pc",
        "android_app_scheme": f"kakaotalk://kakaopay/pg?url={quote(page, safe='')}",
        "ios_app_scheme": f"kakaotalk://kakaopay/pg?url={quote(page, safe='')}",
        "created_at": payment.created_at,
    }


def approve(store: Store, body: dict[str, Any]) -> dict[str, Any]:
    """Completes a payment the buyer authorised; one approval per tid."""
    payment = _payment(store, body)
    order_id = fields.text(body, "partner_order_id")
    user_id = fields.text(body, "partner_user_id")
    token = fields.text(body, "pg_token")
    expected_total = fields.integer(body, "total_amount", 1, required=False)
    if order_id != payment.partner_order_id:
        raise KakaoError(-706, "partner_order_id does not match the ready request")
    if user_id != payment.partner_user_id:
        raise KakaoError(-707, "partner_user_id does not match the ready request")
    if payment.approvals or payment.status in APPROVED:
        raise KakaoError(-702, "payment is already done!")
    if payment.status == "QUIT_PAYMENT":
        raise method_failure(-780, "approval failure!", "EXPIRED", "the ready payment expired")
    if payment.status != "AUTH_PASSWORD" or payment.pg_token is None:
        raise KakaoError(-701, "payment is not authenticated by user")
    if token != payment.pg_token:
        raise method_failure(-780, "approval failure!", "INVALID_PG_TOKEN", "pg_token mismatch")
    if expected_total is not None and expected_total != payment.total_amount:
        raise method_failure(-780, "approval failure!", "AMOUNT_MISMATCH", "total_amount differs")
    payment.status, payment.pg_token = "SUCCESS_PAYMENT", None
    payment.approvals += 1
    payment.approved_at = kst_now()
    aid = new_id("A")
    payment.actions.append(
        Action(aid, "PAYMENT", payment.total_amount, payment.approved_at, body.get("payload"))
    )
    answer = {
        "aid": aid,
        **_common(payment),
        "amount": _amount(payment, payment.total_amount),
        "created_at": payment.created_at,
        "approved_at": payment.approved_at,
    }
    del answer["status"]  # approve answers without a status
    return answer


def cancel(store: Store, body: dict[str, Any]) -> dict[str, Any]:
    """Refunds part or all of an approved payment, never more than what remains."""
    payment = _payment(store, body)
    amount = fields.integer(body, "cancel_amount", 1) or 0
    tax_free = fields.integer(body, "cancel_tax_free_amount", 0) or 0
    available = fields.integer(body, "cancel_available_amount", 0, required=False)
    payload = fields.text(body, "payload", max_len=200, required=False) or None
    if tax_free > amount:
        raise bad_parameter("cancel_tax_free_amount must not exceed cancel_amount")
    if payment.status not in ("SUCCESS_PAYMENT", "PART_CANCEL_PAYMENT"):
        raise method_failure(-781, "cancel failure!", payment.status, "nothing to cancel")
    if available is not None and available != payment.cancel_available:
        raise method_failure(-781, "cancel failure!", "AVAILABLE_AMOUNT_MISMATCH", "changed")
    if amount > payment.cancel_available:
        raise method_failure(-781, "cancel failure!", "AMOUNT_EXCEEDED", "over the remaining")
    payment.canceled_amount += amount
    payment.refunds += 1
    payment.canceled_at = kst_now()
    fully = payment.canceled_amount >= payment.total_amount
    payment.status = "CANCEL_PAYMENT" if fully else "PART_CANCEL_PAYMENT"
    aid = new_id("A")
    payment.actions.append(Action(aid, "CANCEL", amount, payment.canceled_at, payload))
    return {
        "aid": aid,
        **_common(payment),
        "amount": _amount(payment, payment.total_amount),
        "approved_cancel_amount": _amount(payment, amount),
        "canceled_amount": _amount(payment, payment.canceled_amount),
        "cancel_available_amount": _amount(payment, payment.cancel_available),
        "created_at": payment.created_at,
        "approved_at": payment.approved_at,
        "canceled_at": payment.canceled_at,
        "payload": payload,
    }


def order(store: Store, body: dict[str, Any]) -> dict[str, Any]:
    """The payment as it stands, with every approval and cancel."""
    payment = _payment(store, body)
    return {
        **_common(payment),
        "amount": _amount(payment, payment.total_amount),
        "canceled_amount": _amount(payment, payment.canceled_amount),
        "cancel_available_amount": _amount(payment, payment.cancel_available),
        "selected_card_info": None,
        "payment_action_details": [action.to_json() for action in payment.actions],
        "created_at": payment.created_at,
        "approved_at": payment.approved_at,
        "canceled_at": payment.canceled_at,
    }


def _payment(store: Store, body: dict[str, Any]) -> KakaoPayment:
    cid = fields.cid(body)
    payment = store.get(fields.text(body, "tid"))
    if payment is None or payment.cid != cid:
        raise KakaoError(-721, "invalid tid")
    return payment


def _common(payment: KakaoPayment) -> dict[str, Any]:
    return {
        "tid": payment.tid,
        "cid": payment.cid,
        "status": payment.status,
        "partner_order_id": payment.partner_order_id,
        "partner_user_id": payment.partner_user_id,
        "payment_method_type": "MONEY" if payment.approvals else None,
        "item_name": payment.item_name,
        "item_code": payment.item_code,
        "quantity": payment.quantity,
    }


def _amount(payment: KakaoPayment, total: int) -> dict[str, int]:
    tax_free = min(payment.tax_free_amount, total)
    return {
        "total": total,
        "tax_free": tax_free,
        "vat": round((total - tax_free) / 11),
        "point": 0,
        "discount": 0,
        "green_deposit": 0,
    }

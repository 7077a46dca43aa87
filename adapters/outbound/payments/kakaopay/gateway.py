"""KakaoPay online single payment (ready -> buyer authorises -> approve; cancel; order)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

from adapters.outbound.payments.kakaopay.answers import (
    APPROVED_STATUSES,
    cancel_with_payload,
    parse_time,
    to_lookup,
    total,
)
from adapters.outbound.payments.kakaopay.api import PLATFORM, KakaoPayApi
from adapters.outbound.payments.kakaopay.config import KakaoPayConfig
from domain.errors import PaymentPlatformError
from domain.pay_type import PayType
from domain.ports.payment_gateway import (
    Approval,
    Checkout,
    CheckoutRequest,
    Decline,
    PaymentGateway,
    PaymentLookup,
    PaymentRef,
    PlatformCall,
    PlatformStatus,
    Refund,
)

ALREADY_APPROVED = "-702"
UNKNOWN_TID = "-721"


class KakaoPayGateway(PaymentGateway):
    """Speaks KakaoPay's current online payment API (open-api.kakaopay.com)."""

    pay_type = PayType.KAKAO_PAY

    def __init__(self, config: KakaoPayConfig, http: httpx.AsyncClient) -> None:
        self._api = KakaoPayApi(config, http)

    async def checkout(self, request: CheckoutRequest) -> Checkout:
        """`ready`: registers the payment and returns the payment page URLs and the tid."""
        payment, urls = request.payment, request.return_urls
        answer = await self._api.call(
            "ready",
            {
                "cid": self._api.cid,
                "partner_order_id": str(payment.order_id),
                "partner_user_id": str(payment.user_id),
                "item_name": payment.item_name[:100],
                "quantity": payment.quantity,
                "total_amount": payment.amount,
                "tax_free_amount": 0,
                "approval_url": urls.approval,
                "cancel_url": urls.cancel,
                "fail_url": urls.fail,
            },
        )
        tid = answer.get("tid")
        if not isinstance(tid, str) or not tid:
            raise PaymentPlatformError(PLATFORM, "ready answered without a tid")
        return Checkout(client_data=answer, platform_tx_id=tid, raw=answer)

    def reference_from_callback(self, callback: Mapping[str, str]) -> str | None:
        """The tid is known from `ready`; the approval redirect carries only `pg_token`."""
        return None

    def payer_reference(self, payer: Mapping[str, str]) -> str | None:
        return None

    def read_abandonment(self, callback: Mapping[str, str], *, cancelled: bool) -> Decline:
        """KakaoPay's fail/cancel URLs carry no parameters: the path says which one it is,
        and `order` (looked up before anything moves) says whether it is true."""
        if cancelled:
            return Decline("the buyer cancelled on KakaoPay", True, dict(callback), False)
        return Decline("KakaoPay reports the payment failed", False, dict(callback), False)

    def can_look_up(self, payment: PaymentRef) -> bool:
        """`order` answers about any tid; without one (ready never answered) nothing began."""
        return True

    async def approve(
        self, payment: PaymentRef, callback: Mapping[str, str], call: PlatformCall
    ) -> Approval | Decline:
        """`approve` with the buyer's pg_token; returns the amount Kakao actually took.

        Ownership is checked by KakaoPay before it takes the money: approve names this
        order's own tid (from its `ready`) and `partner_order_id`, which Kakao requires to
        equal ready's, and a pg_token from another payment is refused — a cross-order
        redirect cannot take money for the wrong order."""
        pg_token = callback.get("pg_token")
        if not pg_token:
            raise PaymentPlatformError(PLATFORM, "pg_token missing from the approval redirect")
        tid = _tid(payment)
        try:
            answer = await self._api.call(
                "approve",
                {
                    "cid": self._api.cid,
                    "tid": tid,
                    "partner_order_id": str(payment.order_id),
                    "partner_user_id": str(payment.user_id),
                    "pg_token": pg_token,
                },
            )
        except PaymentPlatformError as refused:
            return await self._after_refused_approval(payment, refused)
        return _approval(answer, tid)

    async def _after_refused_approval(
        self, payment: PaymentRef, refused: PaymentPlatformError
    ) -> Approval | Decline:
        # A retried approve whose first answer was lost is refused as "already done": the
        # pg_token is single-use and only we hold it, so that approval is ours.
        order = await self._order(_tid(payment))
        status = str(order.get("status") or "")
        if refused.code == ALREADY_APPROVED and status in APPROVED_STATUSES:
            return _approval(order, _tid(payment))
        if status == "QUIT_PAYMENT":
            return Decline("the buyer quit the payment", cancelled_by_user=True, raw=order)
        if status in ("FAIL_PAYMENT", "FAIL_AUTH_PASSWORD"):
            return Decline(f"the payment failed ({status})", cancelled_by_user=False, raw=order)
        raise refused

    async def lookup(self, payment: PaymentRef, call: PlatformCall | None = None) -> PaymentLookup:
        """`order`: the payment's status, approved and cancelled amounts."""
        if not payment.platform_tx_id:
            return _not_found(None)
        try:
            order = await self._order(payment.platform_tx_id)
        except PaymentPlatformError as refused:
            if refused.code == UNKNOWN_TID:
                return _not_found(payment.platform_tx_id)
            raise
        return to_lookup(order)

    async def refund(
        self, payment: PaymentRef, amount: int, reason: str, call: PlatformCall
    ) -> Refund:
        """`cancel` of `amount`, once per call: Kakao takes no idempotency key, so the call's
        key travels as the cancel's `payload` and `order` tells whether it was done."""
        tid = _tid(payment)
        order = await self._order(tid)
        done = _refund_done(order, call, amount)
        if done is not None:
            return done
        body: dict[str, object] = {
            "cid": self._api.cid,
            "tid": tid,
            "cancel_amount": amount,
            "cancel_tax_free_amount": 0,
            "payload": call.idempotency_key[:200],
        }
        if isinstance(order.get("cancel_available_amount"), Mapping):
            # Kakao refuses the cancel if the remaining amount moved since we looked.
            body["cancel_available_amount"] = total(order, "cancel_available_amount")
        try:
            answer = await self._api.call("cancel", body)
        except PaymentPlatformError:
            # Another attempt of this refund may have gone through meanwhile.
            done = _refund_done(await self._order(tid), call, amount)
            if done is None:
                raise
            return done
        return Refund(refunded_amount=total(answer, "approved_cancel_amount"), raw=answer)

    async def _order(self, tid: str) -> dict[str, Any]:
        return await self._api.call("order", {"cid": self._api.cid, "tid": tid})


def _tid(payment: PaymentRef) -> str:
    if not payment.platform_tx_id:
        raise PaymentPlatformError(PLATFORM, "the payment has no tid (ready never answered)")
    return payment.platform_tx_id


def _approval(answer: Mapping[str, Any], tid: str) -> Approval:
    return Approval(
        platform_tx_id=str(answer.get("tid") or tid),
        amount=total(answer, "amount"),
        approved_at=parse_time(answer.get("approved_at")) or datetime.now(UTC),
        raw=dict(answer),
    )


def _refund_done(order: Mapping[str, Any], call: PlatformCall, amount: int) -> Refund | None:
    """The Refund if this call's cancel already happened or nothing is left to cancel."""
    if cancel_with_payload(order, call.idempotency_key[:200]) is not None:
        return Refund(refunded_amount=amount, raw=dict(order))
    if order.get("status") == "CANCEL_PAYMENT":
        return Refund(refunded_amount=amount, raw=dict(order))
    return None


def _not_found(tid: str | None) -> PaymentLookup:
    return PaymentLookup(
        status=PlatformStatus.NOT_FOUND,
        approved_amount=0,
        refunded_amount=0,
        platform_tx_id=tid,
        raw={},
    )

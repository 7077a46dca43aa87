"""Toss Payments: the widget takes the buyer's consent, the server confirms (결제 승인)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx

from adapters.outbound.payments.http_errors import send
from adapters.outbound.payments.tosspayments.checkout_data import client_data
from adapters.outbound.payments.tosspayments.client import send_same_key
from adapters.outbound.payments.tosspayments.config import TossPaymentsConfig
from adapters.outbound.payments.tosspayments.payment_object import (
    PLATFORM,
    approved_amount,
    parse_time,
    read_error,
    refunded_amount,
    status_of,
)
from domain.errors import PaymentNotOwned, PaymentOutcomeUnknown, PaymentPlatformError
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

USER_CANCELLED = "PAY_PROCESS_CANCELED"


class TossPaymentsGateway(PaymentGateway):
    """Adapter of the Toss Payments core API v1 (`/v1/payments/...`)."""

    pay_type = PayType.TOSS_PAYMENTS

    def __init__(self, config: TossPaymentsConfig, http: httpx.AsyncClient) -> None:
        self._config = config
        self._http = http
        self._base = config.base_url.rstrip("/")

    async def checkout(self, request: CheckoutRequest) -> Checkout:
        """No platform call: the widget creates the payment in the buyer's browser."""
        return Checkout(client_data=client_data(self._config, request))

    def reference_from_callback(self, callback: Mapping[str, str]) -> str | None:
        """The `paymentKey` of the success URL's query."""
        return callback.get("paymentKey") or None

    def payer_reference(self, payer: Mapping[str, str]) -> str | None:
        return None

    def read_abandonment(self, callback: Mapping[str, str], *, cancelled: bool) -> Decline:
        """The fail URL's `code` and `message` (`PAY_PROCESS_CANCELED`: the buyer quit)."""
        code = callback.get("code") or ""
        reason = f"{code}: {callback.get('message', '')}".strip(": ") or "fail redirect"
        by_user = cancelled or code == USER_CANCELLED
        return Decline(reason, by_user, dict(callback), verified=False)

    def can_look_up(self, payment: PaymentRef) -> bool:
        """Toss answers by paymentKey, and by our orderId when no paymentKey is known."""
        return True

    async def approve(
        self, payment: PaymentRef, callback: Mapping[str, str], call: PlatformCall
    ) -> Approval | Decline:
        """Confirms the payment the buyer authorised, after checking the success URL's
        `orderId` and `amount` against ours (Toss only takes the money at confirm).

        A URL that fails those checks, or carries an error `code`, is answered with an
        unverified `Decline` without calling Toss: nothing was taken, and the order keeps
        waiting for what Toss itself says (a fail URL of a checkout the buyer did authorise
        must not fail it)."""
        raw = dict(callback)
        if callback.get("code"):
            code = callback["code"]
            reason = f"{code}: {callback.get('message', '')}".strip()
            return Decline(reason, code == USER_CANCELLED, raw, verified=False)
        payment_key = callback.get("paymentKey")
        if not payment_key:
            return Decline("the success URL carried no paymentKey", False, raw, verified=False)
        if callback.get("orderId") != payment.transaction_id:
            return Decline("the success URL is for another orderId", False, raw, verified=False)
        if callback.get("amount") != str(payment.amount):
            return Decline(
                f"the buyer authorised {callback.get('amount')!r} won, not {payment.amount}",
                False,
                raw,
                verified=False,
            )
        try:
            body = await self._post(
                "/v1/payments/confirm",
                {
                    "paymentKey": payment_key,
                    "orderId": payment.transaction_id,
                    "amount": payment.amount,
                },
                call.idempotency_key,
            )
        except PaymentPlatformError as exc:
            if exc.code != "ALREADY_PROCESSED_PAYMENT":
                raise
            # a retry with a new key after a lost answer: the first confirm may have won
            body = await self._get(f"/v1/payments/{quote(payment_key, safe='')}")
            if body.get("status") != "DONE" or body.get("orderId") != payment.transaction_id:
                raise
            return replace(self._approval(payment, body), earlier=True)
        return self._approval(payment, body)

    def _approval(self, payment: PaymentRef, body: Mapping[str, Any]) -> Approval:
        if body.get("orderId") != payment.transaction_id:
            # Toss confirmed (took) a payment of another orderId: nobody's money here.
            raise PaymentNotOwned(
                PLATFORM,
                f"the confirmed payment is for orderId {body.get('orderId')!r}",
                "ORDER_ID_MISMATCH",
                platform_tx_id=str(body.get("paymentKey") or ""),
                amount=int(body.get("totalAmount") or 0),
                merchant_ref=str(body.get("orderId")),
            )
        if body.get("status") != "DONE":
            raise PaymentPlatformError(
                PLATFORM,
                f"payment not approved: status {body.get('status')}",
                str(body.get("status")),
            )
        approved_at = (
            parse_time(body.get("approvedAt"))
            or parse_time(body.get("requestedAt"))
            or datetime.now(UTC)
        )
        return Approval(
            platform_tx_id=str(body.get("paymentKey")),
            amount=int(body.get("totalAmount") or 0),
            approved_at=approved_at,
            raw=body,
        )

    async def lookup(self, payment: PaymentRef, call: PlatformCall | None = None) -> PaymentLookup:
        """`GET /v1/payments/{paymentKey}`, or by `orderId` when no paymentKey is known."""
        if payment.platform_tx_id:
            path = f"/v1/payments/{quote(payment.platform_tx_id, safe='')}"
        else:
            path = f"/v1/payments/orders/{quote(payment.transaction_id, safe='')}"
        try:
            body = await self._get(path)
        except PaymentPlatformError as exc:
            if exc.code in ("NOT_FOUND_PAYMENT", "NOT_FOUND"):
                return PaymentLookup(
                    PlatformStatus.NOT_FOUND,
                    0,
                    0,
                    payment.platform_tx_id,
                    {"code": exc.code, "message": exc.platform_message},
                )
            raise
        if body.get("orderId") != payment.transaction_id:
            raise PaymentPlatformError(PLATFORM, "the payment found is for another order")
        return PaymentLookup(
            status=status_of(body),
            approved_amount=approved_amount(body),
            refunded_amount=refunded_amount(body),
            platform_tx_id=body.get("paymentKey"),
            raw=body,
            approved_at=parse_time(body.get("approvedAt")),
        )

    async def refund(
        self, payment: PaymentRef, amount: int, reason: str, call: PlatformCall
    ) -> Refund:
        """`POST /v1/payments/{paymentKey}/cancel`; an already cancelled payment counts as
        refunded, so a retry after a lost answer succeeds."""
        if not payment.platform_tx_id:
            raise PaymentPlatformError(PLATFORM, "no paymentKey to cancel")
        path = f"/v1/payments/{quote(payment.platform_tx_id, safe='')}/cancel"
        try:
            body = await self._post(
                path,
                {"cancelReason": reason[:200] or "refund", "cancelAmount": amount},
                call.idempotency_key,
            )
        except PaymentPlatformError as exc:
            if exc.code != "ALREADY_CANCELED_PAYMENT":
                raise
            return Refund(amount, {"code": exc.code, "message": exc.platform_message})
        return Refund(self._this_cancel(body, amount), body)

    @staticmethod
    def _this_cancel(body: Mapping[str, Any], amount: int) -> int:
        cancels = body.get("cancels") or []
        return int(cancels[-1].get("cancelAmount") or amount) if cancels else amount

    async def _post(self, path: str, body: dict[str, Any], idempotency_key: str) -> Any:
        headers = {
            "Authorization": self._config.authorization(),
            "Content-Type": "application/json",
            "Idempotency-Key": idempotency_key[:300],
        }
        return _an_object(
            await send_same_key(
                PLATFORM,
                lambda: self._http.post(
                    self._base + path, json=body, headers=headers, timeout=self._config.timeout_s
                ),
                read_error,
            )
        )

    async def _get(self, path: str) -> Any:
        headers = {"Authorization": self._config.authorization()}
        return _an_object(
            await send(
                PLATFORM,
                lambda: self._http.get(
                    self._base + path, headers=headers, timeout=self._config.timeout_s
                ),
                read_error,
            )
        )


def _an_object(answer: Any) -> dict[str, Any]:
    """Every Toss answer used here is a Payment object: anything else is no usable answer."""
    if not isinstance(answer, dict):
        raise PaymentOutcomeUnknown(PLATFORM, "the answer was not a JSON object")
    return answer

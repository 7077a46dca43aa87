"""NaverPay 결제형: the browser SDK opens the window, the server applies, cancels, looks up."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import anyio
import httpx

from adapters.outbound.payments.naverpay.client import PLATFORM, SUCCESS, NaverPayClient
from adapters.outbound.payments.naverpay.config import NaverPayConfig
from adapters.outbound.payments.naverpay.parsing import (
    ADMITTED,
    APPROVAL_TYPE,
    amount,
    lookup_from_history,
    parse_ymdt,
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

ALREADY_APPROVED = "AlreadyComplete"
ALREADY_CANCELLED = "AlreadyCanceled"
NOT_COMPLETE = "CancelNotComplete"
# The platform is still working on an earlier request for this payment: outcome not known yet.
IN_PROGRESS = ("AlreadyOnGoing", "PreCancelNotComplete")


class NaverPayGateway(PaymentGateway):
    """NaverPay's one-time payment API (v2.2 apply, v1 cancel, v2.2 history)."""

    pay_type = PayType.NAVER_PAY

    def __init__(self, config: NaverPayConfig, http: httpx.AsyncClient) -> None:
        self._config = config
        self._client = NaverPayClient(config, http)

    async def checkout(self, request: CheckoutRequest) -> Checkout:
        """No platform call: returns what `Naver.Pay.create(...)` and `oPay.open(...)` need."""
        payment = request.payment
        client_data: dict[str, object] = {
            "mode": self._config.mode,
            "clientId": self._config.client_id,
            "chainId": self._config.chain_id,
            "merchantPayKey": payment.transaction_id,
            "merchantUserKey": str(payment.user_id),
            "productName": payment.item_name,
            "productCount": payment.quantity,
            "totalPayAmount": payment.amount,
            "taxScopeAmount": payment.amount,
            "taxExScopeAmount": 0,
            "returnUrl": request.return_urls.approval,
        }
        if self._config.checkout_page_url:
            query = urlencode({key: str(value) for key, value in client_data.items()})
            client_data["checkoutPageUrl"] = f"{self._config.checkout_page_url}?{query}"
        return Checkout(client_data=client_data)

    def reference_from_callback(self, callback: Mapping[str, str]) -> str | None:
        """The `paymentId` NaverPay appends to the return URL."""
        return callback.get("paymentId") or None

    def payer_reference(self, payer: Mapping[str, str]) -> str | None:
        return None

    def read_abandonment(self, callback: Mapping[str, str], *, cancelled: bool) -> Decline:
        """NaverPay's `resultCode` (`UserCancel`, `OwnerAuthFail`, ...) and `resultMessage`."""
        return _window_failure(callback, cancelled)

    def can_look_up(self, payment: PaymentRef) -> bool:
        """NaverPay is asked by paymentId only, which the buyer's return brings. Before it,
        NaverPay cannot be asked — and it has taken no money (nothing is charged until the
        merchant applies), so a failure claim is then accepted as it is."""
        return bool(payment.platform_tx_id)

    async def approve(
        self, payment: PaymentRef, callback: Mapping[str, str], call: PlatformCall
    ) -> Approval | Decline:
        """Applies the payment the buyer authorised; a failed window took no money.

        NaverPay lists nothing about a payment before it is applied, so whose payment it is
        (`merchantPayKey`) can only be read in apply's answer: a payment of another order then
        raises `PaymentNotOwned`, and is refunded."""
        result = callback.get("resultCode")
        payment_id = callback.get("paymentId") or payment.platform_tx_id
        if result != SUCCESS or not payment_id:
            # Nothing is charged until the merchant applies, so skipping apply is safe (an
            # apply sent earlier is the application's to look up, not this window's).
            return _window_failure(callback, cancelled=False, verified=True)
        answer = await self._client.apply(payment_id, call.idempotency_key)
        code = answer.get("code")
        if code == ALREADY_APPROVED:
            return await self._approval_from_history(payment, payment_id)
        _raise_unless_success(answer)
        body = _object(answer.get("body"))
        detail = _object(body.get("detail"))
        applied_id = str(body.get("paymentId") or payment_id)
        key = detail.get("merchantPayKey")
        if key != payment.transaction_id:
            raise PaymentNotOwned(
                PLATFORM,
                f"merchantPayKey {key!r} is not this order's {payment.transaction_id!r}",
                "MerchantPayKeyMismatch",
                platform_tx_id=applied_id,
                amount=amount(detail, "totalPayAmount"),
                merchant_ref=str(key) if key is not None else None,
            )
        return _approval(payment, applied_id, detail, answer)

    async def lookup(self, payment: PaymentRef, call: PlatformCall | None = None) -> PaymentLookup:
        """Reads the payment's history rows: its approval and every cancellation."""
        payment_id = payment.platform_tx_id
        if not payment_id:
            return PaymentLookup(PlatformStatus.NOT_FOUND, 0, 0, None, {})
        answer = await self._client.history(payment_id)
        if answer.get("code") == "InvalidPaymentId":
            return PaymentLookup(PlatformStatus.NOT_FOUND, 0, 0, payment_id, answer)
        _raise_unless_success(answer)
        rows = [
            _object(row)
            for row in _object(answer.get("body")).get("list") or []
            if _object(row).get("paymentId", payment_id) == payment_id
        ]
        for row in rows:
            _check_owner(payment, row)
        return lookup_from_history(payment_id, rows, answer)

    async def refund(
        self, payment: PaymentRef, amount: int, reason: str, call: PlatformCall
    ) -> Refund:
        """Cancels `amount`; `CancelNotComplete` is repeated with the same idempotency key."""
        if not payment.platform_tx_id:
            raise PaymentPlatformError(PLATFORM, "no NaverPay paymentId to cancel", "NoPaymentId")
        form = {
            "paymentId": payment.platform_tx_id,
            "cancelAmount": str(amount),
            "cancelReason": reason,
            "cancelRequester": "2",  # 2 = 가맹점 관리자
            "taxScopeAmount": str(amount),
            "taxExScopeAmount": "0",
        }
        for delay in (*self._config.cancel_retry_delays_s, None):
            answer = await self._client.cancel(form, call.idempotency_key)
            code = answer.get("code")
            if code == SUCCESS:
                return Refund(_cancelled_amount(_object(answer.get("body")), amount), answer)
            if code == ALREADY_CANCELLED:
                return Refund(amount, answer)
            if code != NOT_COMPLETE:
                _raise_unless_success(answer)
            if delay is None:
                break
            await anyio.sleep(delay)
        raise PaymentOutcomeUnknown(PLATFORM, "the cancel is still not complete; retry later")

    async def _approval_from_history(self, payment: PaymentRef, payment_id: str) -> Approval:
        """The earlier apply's approval; refused if that payment is another order's or has
        been cancelled since (an orphan already given back is nobody's payment)."""
        answer = await self._client.history(payment_id)
        _raise_unless_success(answer)
        rows = [_object(row) for row in _object(answer.get("body")).get("list") or []]
        if lookup_from_history(payment_id, rows, answer).status is PlatformStatus.REFUNDED:
            raise PaymentPlatformError(PLATFORM, f"{payment_id} was cancelled", ALREADY_CANCELLED)
        for row in rows:
            detail = _object(row)
            if (
                detail.get("admissionTypeCode") == APPROVAL_TYPE
                and detail.get("admissionState") == ADMITTED
            ):
                return replace(_approval(payment, payment_id, detail, answer), earlier=True)
        raise PaymentOutcomeUnknown(PLATFORM, "apply says complete but no approval is listed")


def _window_failure(callback: Mapping[str, str], cancelled: bool, verified: bool = True) -> Decline:
    result = callback.get("resultCode")
    reason = f"{result or 'no resultCode'}: {callback.get('resultMessage', '')}".strip()
    by_user = cancelled or result == "UserCancel"
    return Decline(reason, by_user, dict(callback), verified)


def _approval(
    payment: PaymentRef, payment_id: str, detail: Mapping[str, Any], raw: Mapping[str, Any]
) -> Approval:
    _check_owner(payment, detail)
    state = detail.get("admissionState")
    if state != ADMITTED:
        raise PaymentPlatformError(PLATFORM, f"admissionState is {state!r}", "AdmissionFailed")
    approved_at = parse_ymdt(detail.get("admissionYmdt")) or datetime.now(UTC)
    return Approval(payment_id, amount(detail, "totalPayAmount"), approved_at, raw)


def _check_owner(payment: PaymentRef, detail: Mapping[str, Any]) -> None:
    key = detail.get("merchantPayKey")
    if key != payment.transaction_id:
        raise PaymentPlatformError(
            PLATFORM,
            f"merchantPayKey {key!r} is not this order's {payment.transaction_id!r}",
            "MerchantPayKeyMismatch",
        )


def _raise_unless_success(answer: Mapping[str, Any]) -> None:
    code = answer.get("code")
    if code == SUCCESS:
        return
    message = str(answer.get("message") or code)
    if code in IN_PROGRESS:
        raise PaymentOutcomeUnknown(PLATFORM, f"{code}: {message}")
    raise PaymentPlatformError(PLATFORM, message, str(code))


def _cancelled_amount(body: Mapping[str, Any], requested: int) -> int:
    parts = ("taxScopeAmount", "taxExScopeAmount", "environmentDepositAmount")
    if not any(part in body for part in parts):
        return requested
    return sum(amount(body, part) for part in parts)


def _object(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}

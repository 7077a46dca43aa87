"""The three NaverPay API calls, as documented: paths, headers, bodies, error bodies.

NaverPay answers most refusals with HTTP 200 and a `code` other than `Success`; the caller
reads `code`. Transport failures, 5xx and 4xx go through `http_errors.send`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import httpx

from adapters.outbound.payments.http_errors import send
from adapters.outbound.payments.naverpay.config import NaverPayConfig
from domain.errors import PaymentOutcomeUnknown

PLATFORM = "NAVER_PAY"
SUCCESS = "Success"


def read_error(response: httpx.Response) -> tuple[str | None, str]:
    """NaverPay's `{code, message}` body, or the API gateway's `{errorCode, errorMessage}`."""
    body = response.json()
    if "code" in body:
        return str(body["code"]), str(body.get("message") or body["code"])
    return str(body["errorCode"]), str(body.get("errorMessage") or body["errorCode"])


class NaverPayClient:
    """Sends the documented requests and returns the decoded `{code, message, body}`."""

    def __init__(self, config: NaverPayConfig, http: httpx.AsyncClient) -> None:
        self._config = config
        self._http = http

    async def apply(self, payment_id: str, idempotency_key: str) -> dict[str, Any]:
        """결제 승인: `POST …/v2.2/apply/payment`, form `paymentId`."""
        return await self._post_form(
            "v2.2/apply/payment",
            {"paymentId": payment_id},
            idempotency_key,
            timeout_s=self._config.apply_timeout_s,
        )

    async def cancel(self, form: Mapping[str, str], idempotency_key: str) -> dict[str, Any]:
        """결제 취소: `POST …/v1/cancel`, form `paymentId, cancelAmount, cancelReason, …`."""
        return await self._post_form("v1/cancel", form, idempotency_key)

    async def history(self, payment_id: str) -> dict[str, Any]:
        """결제 내역 조회: `POST …/v2.2/list/history/{paymentId}` (JSON body)."""
        url = self._url(f"v2.2/list/history/{payment_id}")
        return await self._send(
            lambda: self._http.post(
                url,
                json={"paymentId": payment_id},
                headers=self._headers(None),
                timeout=self._config.timeout_s,
            )
        )

    async def _post_form(
        self,
        api: str,
        form: Mapping[str, str],
        idempotency_key: str,
        timeout_s: float | None = None,
    ) -> dict[str, Any]:
        url = self._url(api)
        return await self._send(
            lambda: self._http.post(
                url,
                data=dict(form),
                headers=self._headers(idempotency_key),
                timeout=timeout_s or self._config.timeout_s,
            )
        )

    async def _send(self, request: Callable[[], Awaitable[httpx.Response]]) -> dict[str, Any]:
        async def replayed_as_ok() -> httpx.Response:
            response = await request()
            # A repeated idempotency key may be answered 409 with the first call's successful
            # body: that is the original outcome, not a refusal.
            if response.status_code == 409 and _is_success_body(response):
                return httpx.Response(200, content=response.content, headers=response.headers)
            return response

        answer = await send(PLATFORM, replayed_as_ok, read_error)
        if not isinstance(answer, dict):
            raise PaymentOutcomeUnknown(PLATFORM, "the answer was not a JSON object")
        return answer

    def _url(self, api: str) -> str:
        base = self._config.base_url.rstrip("/")
        return f"{base}/{self._config.partner_id}/naverpay/payments/{api}"

    def _headers(self, idempotency_key: str | None) -> dict[str, str]:
        headers = {
            "X-Naver-Client-Id": self._config.client_id,
            "X-Naver-Client-Secret": self._config.client_secret,
            "X-NaverPay-Chain-Id": self._config.chain_id,
        }
        if idempotency_key is not None:
            headers["X-NaverPay-Idempotency-Key"] = idempotency_key
        return headers


def _is_success_body(response: httpx.Response) -> bool:
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and body.get("code") == SUCCESS

"""The KakaoPay online payment API: JSON POSTs authorised with `SECRET_KEY {key}`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from adapters.outbound.payments.http_errors import send
from adapters.outbound.payments.kakaopay.config import KakaoPayConfig
from domain.errors import PaymentOutcomeUnknown

PLATFORM = "kakaopay"
PATH = "/online/v1/payment/"


class KakaoPayApi:
    """Calls one operation (`ready`, `approve`, `cancel`, `order`) and returns its answer."""

    def __init__(self, config: KakaoPayConfig, http: httpx.AsyncClient) -> None:
        self._config = config
        self._http = http

    @property
    def cid(self) -> str:
        return self._config.cid

    async def call(self, operation: str, body: Mapping[str, object]) -> dict[str, Any]:
        """POSTs `body` to the operation; 4xx -> PaymentPlatformError, else unknown outcome."""
        url = f"{self._config.base_url.rstrip('/')}{PATH}{operation}"
        headers = {
            "Authorization": f"SECRET_KEY {self._config.secret_key}",
            "Content-Type": "application/json",
        }
        answer = await send(
            PLATFORM,
            lambda: self._http.post(
                url, json=dict(body), headers=headers, timeout=self._config.timeout_s
            ),
            read_error,
        )
        if not isinstance(answer, dict):
            raise PaymentOutcomeUnknown(PLATFORM, f"{operation}: the answer was not an object")
        return answer


def read_error(response: httpx.Response) -> tuple[str | None, str]:
    """KakaoPay errors: `{"error_code": -780, "error_message": "...", "extras": {...}}`."""
    body = response.json()
    code = body.get("error_code")
    message = str(body.get("error_message") or f"HTTP {response.status_code}")
    extras = body.get("extras")
    if isinstance(extras, dict) and extras.get("method_result_message"):
        message = f"{message} ({extras['method_result_message']})"
    return (None if code is None else str(code)), message

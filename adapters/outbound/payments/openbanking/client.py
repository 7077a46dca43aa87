"""The four Open Banking calls over HTTP: exact paths, headers and content types.

Transfer APIs answer `application/json; charset=UTF-8` bodies with HTTP 200 even when they
refuse (the caller reads `rsp_code`); authentication failures are 4xx with `rsp_code` /
`rsp_message`. Transport failures and 5xx become `PaymentOutcomeUnknown` via `send`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx

from adapters.outbound.payments.http_errors import send
from adapters.outbound.payments.openbanking.config import OpenBankingConfig
from adapters.outbound.payments.openbanking.token import InstitutionToken
from domain.errors import PaymentOutcomeUnknown, PaymentPlatformError

PLATFORM = "OPEN_BANKING"
TOKEN_PATH = "/oauth/2.0/token"
WITHDRAW_PATH = "/v2.0/transfer/withdraw/fin_num"
DEPOSIT_PATH = "/v2.0/transfer/deposit/fin_num"
RESULT_PATH = "/v2.0/transfer/result"
JSON_UTF8 = "application/json; charset=UTF-8"
FORM_UTF8 = "application/x-www-form-urlencoded; charset=UTF-8"


def read_error(response: httpx.Response) -> tuple[str | None, str]:
    """The `{rsp_code, rsp_message}` body, or an OAuth `{error, error_description}` one."""
    body = response.json()
    code = body.get("rsp_code") or body.get("error")
    message = body.get("rsp_message") or body.get("error_description") or code
    return (str(code) if code else None), str(message or f"HTTP {response.status_code}")


class OpenBankingClient:
    """Sends the documented requests and returns their decoded JSON answers."""

    def __init__(self, config: OpenBankingConfig, http: httpx.AsyncClient) -> None:
        self._config = config
        self._http = http
        self.institution_token = InstitutionToken(self._fetch_token)

    async def withdraw(self, body: Mapping[str, object], user_token: str) -> dict[str, Any]:
        """출금이체 with the payer's own token (scope `transfer`)."""
        return await self._post_json(WITHDRAW_PATH, body, user_token)

    async def deposit(self, body: Mapping[str, object]) -> dict[str, Any]:
        """입금이체 with the institution token (scope `oob`)."""
        return await self._post_with_institution_token(DEPOSIT_PATH, body)

    async def result(self, body: Mapping[str, object]) -> dict[str, Any]:
        """이체결과조회 with the institution token (scope `oob`)."""
        return await self._post_with_institution_token(RESULT_PATH, body)

    async def _post_with_institution_token(
        self, path: str, body: Mapping[str, object]
    ) -> dict[str, Any]:
        token = await self.institution_token.get()
        try:
            return await self._post_json(path, body, token)
        except PaymentPlatformError as exc:
            if exc.code and exc.code.startswith("O"):  # O-codes: the gateway refused the token
                self.institution_token.forget()
            raise

    async def _post_json(self, path: str, body: Mapping[str, object], token: str) -> dict[str, Any]:
        content = json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers = {"Authorization": f"Bearer {token}", "Content-Type": JSON_UTF8}
        answer = await send(
            PLATFORM,
            lambda: self._http.post(
                self._url(path), content=content, headers=headers, timeout=self._config.timeout_s
            ),
            read_error,
        )
        return _object(answer)

    async def _fetch_token(self) -> tuple[str, float]:
        form = {
            "client_id": self._config.client_id,
            "client_secret": self._config.client_secret,
            "scope": "oob",
            "grant_type": "client_credentials",
        }
        answer = _object(
            await send(
                PLATFORM,
                lambda: self._http.post(
                    self._url(TOKEN_PATH),
                    data=form,
                    headers={"Content-Type": FORM_UTF8},
                    timeout=self._config.timeout_s,
                ),
                read_error,
            )
        )
        token = answer.get("access_token")
        if not isinstance(token, str) or not token:
            code, message = answer.get("rsp_code"), answer.get("rsp_message")
            raise PaymentPlatformError(
                PLATFORM, f"no institution token: {message or answer}", str(code or "") or None
            )
        try:
            expires_in = float(answer.get("expires_in") or 0)
        except (TypeError, ValueError):
            expires_in = 0.0
        return token, expires_in

    def _url(self, path: str) -> str:
        return self._config.base_url.rstrip("/") + path


def _object(answer: Any) -> dict[str, Any]:
    if not isinstance(answer, dict):
        raise PaymentOutcomeUnknown(PLATFORM, f"unexpected answer: {str(answer)[:200]}")
    return answer

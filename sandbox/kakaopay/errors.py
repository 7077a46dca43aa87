"""KakaoPay's error format: non-2xx with `{error_code, error_message, extras}`.

Codes used here: -401 bad secret key (HTTP 401); -2 malformed or missing parameter; -701
payment not authenticated by the buyer yet; -702 payment already approved; -706 / -707
partner_order_id / partner_user_id differ from ready's; -721 unknown tid; -780 approval
failure; -781 cancel failure; -799 an armed sandbox fault on another operation.
"""

from __future__ import annotations

from typing import Any

from litestar import Response


class KakaoError(Exception):
    """Raised inside an operation; answered in Kakao's error format."""

    def __init__(
        self, code: int, message: str, status: int = 400, extras: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.extras = extras

    def response(self) -> Response[Any]:
        return error_response(self.code, self.message, self.status, self.extras)


def error_response(
    code: int, message: str, status: int = 400, extras: dict[str, Any] | None = None
) -> Response[Any]:
    body: dict[str, Any] = {"error_code": code, "error_message": message}
    if extras is not None:
        body["extras"] = extras
    return Response(content=body, status_code=status, media_type="application/json")


def bad_parameter(message: str) -> KakaoError:
    return KakaoError(-2, message)


def method_failure(code: int, message: str, result_code: str, detail: str) -> KakaoError:
    """An approval/cancel refused by the payment method (Kakao's `extras` shape)."""
    return KakaoError(
        code,
        message,
        extras={"method_result_code": result_code, "method_result_message": detail},
    )

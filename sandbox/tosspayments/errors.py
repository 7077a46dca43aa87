"""Toss's error object, `{"code", "message"}` with the documented HTTP status."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from litestar import MediaType, Request, Response

from sandbox.config import toss_key_kind

AnyRequest = Request[Any, Any, Any]
SECRET_KINDS = {"gsk": "widget", "sk": "api"}
CLIENT_KINDS = {"gck": "widget", "ck": "api"}

MESSAGES = {
    "UNAUTHORIZED_KEY": "인증되지 않은 시크릿 키 혹은 클라이언트 키 입니다.",
    "INVALID_REQUEST": "잘못된 요청입니다.",
    "INVALID_API_KEY": "잘못된 시크릿키 연동 정보 입니다.",
    "IDEMPOTENT_REQUEST_PROCESSING": "이전 멱등 요청이 처리중 입니다. 잠시 후 다시 시도해주세요.",
    "NOT_FOUND_PAYMENT": "존재하지 않는 결제 정보 입니다.",
    "NOT_FOUND_PAYMENT_SESSION": "결제 시간이 만료되어 결제 진행 데이터가 존재하지 않습니다.",
    "ALREADY_PROCESSED_PAYMENT": "이미 처리된 결제 입니다.",
    "DUPLICATED_ORDER_ID": (
        "이미 승인 및 취소가 진행된 중복된 주문번호 입니다. 다른 주문번호로 진행해주세요."
    ),
    "ALREADY_CANCELED_PAYMENT": "이미 취소된 결제 입니다.",
    "NOT_CANCELABLE_PAYMENT": "취소 할 수 없는 결제 입니다.",
    "NOT_CANCELABLE_AMOUNT": "취소 할 수 없는 금액 입니다.",
    "FORBIDDEN_REQUEST": "허용되지 않은 요청입니다.",
    "INVALID_ORDER_ID": (
        "orderId는 영문 대소문자, 숫자, 특수문자(-, _) 만 허용합니다. "
        "6자 이상 64자 이하여야 합니다."
    ),
    "INVALID_ORDER_NAME": "주문 이름은 100자 이하여야 합니다.",
    "INVALID_CUSTOMER_KEY": (
        "customerKey는 영문 대소문자, 숫자, 특수문자 -, _, =, ., @로 2자 이상 50자 이하여야 합니다."
    ),
    "BELOW_ZERO_AMOUNT": "금액은 0보다 커야 합니다.",
    "INCORRECT_SUCCESS_URL_FORMAT": "잘못된 successUrl 입니다.",
    "INCORRECT_FAIL_URL_FORMAT": "잘못된 failUrl 입니다.",
    "FAILED_INTERNAL_SYSTEM_PROCESSING": (
        "내부 시스템 처리 작업이 실패했습니다. 잠시 후 다시 시도해주세요."
    ),
}
STATUS = {
    "UNAUTHORIZED_KEY": 401,
    "IDEMPOTENT_REQUEST_PROCESSING": 409,
    "NOT_FOUND_PAYMENT": 404,
    "NOT_FOUND_PAYMENT_SESSION": 404,
    "NOT_CANCELABLE_PAYMENT": 403,
    "NOT_CANCELABLE_AMOUNT": 403,
    "FORBIDDEN_REQUEST": 403,
    "FAILED_INTERNAL_SYSTEM_PROCESSING": 500,
}


class TossError(Exception):
    """Raised inside a handler; answered as Toss's error object."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.status = STATUS.get(code, 400)
        self.message = MESSAGES.get(code, MESSAGES["INVALID_REQUEST"])
        if detail:
            self.message = f"{self.message} ({detail})"

    def response(self) -> Response[dict[str, str]]:
        return error_response(self.status, self.code, self.message)


def error_response(status: int, code: str, message: str | None = None) -> Response[dict[str, str]]:
    body = {"code": code, "message": message or MESSAGES.get(code, MESSAGES["INVALID_REQUEST"])}
    return Response(content=body, status_code=status, media_type=MediaType.JSON)


def code_for_status(status: int) -> str:
    """The error an injected fault answers with."""
    if status >= 500:
        return "FAILED_INTERNAL_SYSTEM_PROCESSING"
    return {401: "UNAUTHORIZED_KEY", 403: "FORBIDDEN_REQUEST", 404: "NOT_FOUND_PAYMENT"}.get(
        status, "INVALID_REQUEST"
    )


def check_secret_key(request: AnyRequest, keys: tuple[str, ...]) -> str:
    """Basic auth whose user name is a secret key and whose password is empty; returns the
    key's kind (`gsk` widget, `sk` API individual integration)."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "basic" or not token:
        raise TossError("UNAUTHORIZED_KEY")
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise TossError("UNAUTHORIZED_KEY") from None
    secret, colon, _ = decoded.partition(":")
    kind = toss_key_kind(secret)
    if not colon or secret not in keys or kind not in SECRET_KINDS:
        raise TossError("UNAUTHORIZED_KEY")
    return kind


def check_key_fits(payment_integration: str, secret_kind: str) -> None:
    """A widget payment is confirmed with the widget secret key (gsk), a payment-window one
    with the API individual key (sk): Toss refuses the other with INVALID_API_KEY."""
    if SECRET_KINDS[secret_kind] != payment_integration:
        raise TossError("INVALID_API_KEY")

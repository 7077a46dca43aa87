"""Every error becomes an envelope, in this one table."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from adapters.inbound.http.envelope import failure
from domain.errors import (
    Conflict,
    DomainError,
    Forbidden,
    GroupRuleViolation,
    IllegalTransition,
    InvalidInput,
    NotFound,
    PaymentOutcomeUnknown,
    PaymentPlatformError,
    RequestInProgress,
    StorageUnavailable,
)

log = logging.getLogger("gonggu.http")

STATUS_OF: dict[type[DomainError], int] = {
    NotFound: 404,
    InvalidInput: 422,
    Forbidden: 403,
    IllegalTransition: 409,
    Conflict: 409,
    RequestInProgress: 409,
    GroupRuleViolation: 409,
    PaymentPlatformError: 502,
    PaymentOutcomeUnknown: 504,
    StorageUnavailable: 503,
}


def domain_error(_: Request[Any, Any, Any], exc: DomainError) -> Response[dict[str, Any]]:
    status, body = error_envelope(exc)
    return Response(body, status_code=status)


def error_envelope(exc: DomainError) -> tuple[int, dict[str, Any]]:
    """The status and envelope a domain error answers with (also what idempotency replays)."""
    status = next((s for cls, s in STATUS_OF.items() if isinstance(exc, cls)), 400)
    message = exc.message
    data: dict[str, Any] | None = None
    if isinstance(exc, GroupRuleViolation):
        data = {"orderIds": exc.order_ids}
    elif isinstance(exc, PaymentPlatformError):
        data = {"platform": exc.platform, "code": exc.code}
    elif isinstance(exc, PaymentOutcomeUnknown):
        message = f"{exc.message}; the payment will be reconciled with the platform"
        data = {"platform": exc.platform}
    elif isinstance(exc, StorageUnavailable):
        log.error("storage failed: %s", exc.message)
        message = "the service cannot reach its database; nothing was changed"
    if status in (502, 503, 504) and exc.order_id is not None:
        # Every 5xx about an order names it, so that a client can follow it up.
        data = {**(data or {}), "orderId": exc.order_id, "transactionId": exc.transaction_id}
    return status, {"statusCode": status, "statusMsg": message, "data": data}


def validation_error(_: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    errors = [_field_error(e) for e in exc.extra] if isinstance(exc.extra, list) else []
    message = (
        "invalid request: "
        + "; ".join(
            f"{e['field']}: {e['message']}" if e.get("field") else e["message"] for e in errors
        )
        if errors
        else f"invalid request: {exc.detail}"
    )
    return failure(400, message, errors=errors or [{"message": exc.detail}])


def http_error(_: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    return failure(exc.status_code, exc.detail or "error")


def unexpected_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return failure(500, "internal error; nothing was changed by this request")


def _field_error(item: Any) -> dict[str, Any]:
    if isinstance(item, dict):
        key = item.get("key") or item.get("field")
        message = str(item.get("message") or item)
        return {"field": key, "message": message} if key else {"message": message}
    return {"message": str(item)}


EXCEPTION_HANDLERS: dict[int | type[Exception], Any] = {
    DomainError: domain_error,
    ValidationException: validation_error,
    HTTPException: http_error,
    Exception: unexpected_error,
}

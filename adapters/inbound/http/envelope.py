"""The seed's response envelope: {"statusCode", "statusMsg", "data"}, HTTP status = statusCode."""

from __future__ import annotations

from typing import Any

from litestar import Response


def ok(data: Any = None, status: int = 200) -> Response[dict[str, Any]]:
    return Response(
        {"statusCode": status, "statusMsg": "success", "data": data}, status_code=status
    )


def failure(
    status: int, message: str, errors: list[dict[str, Any]] | None = None, data: Any = None
) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {"statusCode": status, "statusMsg": message, "data": data}
    if errors:
        body["errors"] = errors
    return Response(body, status_code=status)

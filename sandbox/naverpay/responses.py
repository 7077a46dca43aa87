"""NaverPay's answer format: `{code, message, body}`; refusals mostly come with HTTP 200."""

from __future__ import annotations

from typing import Any

from litestar import Response

Answer = tuple[int, dict[str, Any]]


def answer(code: str, message: str, body: Any = None, status: int = 200) -> Answer:
    return status, {"code": code, "message": message, "body": body}


def success(body: Any) -> Answer:
    return answer("Success", "성공", body)


def to_response(result: Answer) -> Response[Any]:
    status, content = result
    return Response(content=content, status_code=status)

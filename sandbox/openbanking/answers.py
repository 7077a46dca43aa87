"""The platform's answer envelope: every body carries api_tran_id, api_tran_dtm and rsp_code."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from litestar import MediaType, Response

KST = timezone(timedelta(hours=9), "KST")

OK = ("A0000", "")
BANK_ERROR = "A0002"  # 참가기관 에러: see bank_rsp_code
BAD_REQUEST = "A0004"  # 요청전문 포맷 에러 (sandbox choice for every field-level refusal)
DUPLICATE = "A0326"  # 거래고유번호 중복
NOT_REGISTERED = "A0323"  # 이용기관에 등록된 사용자 계좌 아님
PASS_PHRASE = "A0004"  # 입금이체용 암호문구 불일치 (sandbox choice: a request refused as malformed)
CLIENT_REFUSED = "O0001"  # OAuth: client authentication / request refused
TOKEN_INVALID = "O0002"  # Access Token 검증 실패
TOKEN_SCOPE = "O0003"  # Access Token 권한 부족
BANK_OK = ("000", "")
BANK_NO_FUNDS = ("453", "예금잔액 부족")
BANK_NO_SUCH_TRANSFER = ("515", "원거래 없음")


def now() -> datetime:
    return datetime.now(KST)


def today() -> str:
    return now().strftime("%Y%m%d")


def envelope(rsp_code: str, rsp_message: str = "", **fields: Any) -> dict[str, Any]:
    stamp = now()
    return {
        "api_tran_id": uuid.uuid4().hex[:20].upper(),
        "api_tran_dtm": stamp.strftime("%Y%m%d%H%M%S") + f"{stamp.microsecond // 1000:03d}",
        "rsp_code": rsp_code,
        "rsp_message": rsp_message,
        **fields,
    }


def answer(body: dict[str, Any], status: int = 200) -> Response[Any]:
    return Response(content=body, status_code=status, media_type=MediaType.JSON)


def refuse(rsp_code: str, rsp_message: str, status: int = 200) -> Response[Any]:
    return answer(envelope(rsp_code, rsp_message), status)

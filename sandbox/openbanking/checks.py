"""Field checks as the spec types them: N digits, A letters, AN/aN text, AH text counted in
bytes the way Korean banks count them. Every value must be a JSON string."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

Spec = dict[str, tuple[str, int, bool]]
"""field -> (type, max length, required)."""

WITHDRAW: Spec = {
    "bank_tran_id": ("AN", 20, True),
    "cntr_account_type": ("A", 1, True),
    "cntr_account_num": ("AN", 16, True),
    "dps_print_content": ("AH", 20, True),
    "fintech_use_num": ("AN", 24, True),
    "wd_print_content": ("AH", 20, False),
    "tran_amt": ("N", 12, True),
    "tran_dtime": ("N", 14, True),
    "req_client_name": ("AH", 20, True),
    "req_client_bank_code": ("AN", 3, False),
    "req_client_account_num": ("AN", 16, False),
    "req_client_fintech_use_num": ("AN", 24, False),
    "req_client_num": ("AN", 20, True),
    "transfer_purpose": ("A", 2, True),
    "recv_client_name": ("AH", 20, True),
    "recv_client_bank_code": ("AN", 3, True),
    "recv_client_account_num": ("AN", 16, True),
}
DEPOSIT: Spec = {
    "cntr_account_type": ("A", 1, True),
    "cntr_account_num": ("AN", 16, True),
    "wd_pass_phrase": ("aN", 128, True),
    "wd_print_content": ("AH", 20, True),
    "name_check_option": ("aN", 3, True),
    "tran_dtime": ("N", 14, True),
    "req_cnt": ("N", 5, True),
}
DEPOSIT_ITEM: Spec = {
    "tran_no": ("N", 5, True),
    "bank_tran_id": ("AN", 20, True),
    "fintech_use_num": ("AN", 24, True),
    "print_content": ("AH", 20, True),
    "tran_amt": ("N", 12, True),
    "req_client_name": ("AH", 20, True),
    "req_client_bank_code": ("AN", 3, False),
    "req_client_account_num": ("AN", 16, False),
    "req_client_fintech_use_num": ("AN", 24, False),
    "req_client_num": ("AN", 20, True),
    "transfer_purpose": ("A", 2, True),
}
RESULT: Spec = {
    "check_type": ("N", 1, True),
    "tran_dtime": ("N", 14, True),
    "req_cnt": ("N", 2, True),
}
RESULT_ITEM: Spec = {
    "tran_no": ("N", 5, True),
    "org_bank_tran_id": ("AN", 20, True),
    "org_bank_tran_date": ("N", 8, True),
    "org_tran_amt": ("N", 12, True),
}
PURPOSES = frozenset({"TR", "ST", "RC", "AU"})
_PATTERNS = {"N": r"[0-9]+", "A": r"[A-Za-z]+", "AN": r"[A-Za-z0-9]+", "aN": r"[\x20-\x7e]+"}


def problem(body: Mapping[str, object], spec: Spec) -> str | None:
    """The first field that breaks the spec, as a message, or None when all is well."""
    for field, (kind, length, required) in spec.items():
        value = body.get(field)
        if value is None or value == "":
            if required:
                return f"필수 항목 누락: {field}"
            continue
        if not isinstance(value, str):
            return f"{field}: 문자열이어야 합니다"
        size = len(value.encode("cp949", errors="replace")) if kind == "AH" else len(value)
        if size > length:
            return f"{field}: 길이 초과 (최대 {length})"
        if kind in _PATTERNS and not re.fullmatch(_PATTERNS[kind], value):
            return f"{field}: 형식 오류 ({kind})"
    return None


def dtime_problem(value: str) -> str | None:
    try:
        datetime.strptime(value, "%Y%m%d%H%M%S")
    except ValueError:
        return "tran_dtime: yyyyMMddHHmmss 형식이어야 합니다"
    return None


def client_account_problem(body: Mapping[str, object]) -> str | None:
    """요청고객 계좌: a fintech_use_num or a bank code + account number, not both, not neither."""
    by_fintech = bool(body.get("req_client_fintech_use_num"))
    by_account = bool(body.get("req_client_bank_code")) and bool(body.get("req_client_account_num"))
    if by_fintech == by_account:
        return "요청고객 계좌정보: 핀테크이용번호 또는 계좌번호 중 하나만 설정해야 합니다"
    return None


def purpose_problem(value: object) -> str | None:
    return None if value in PURPOSES else f"transfer_purpose: 허용되지 않는 값 {value!r}"

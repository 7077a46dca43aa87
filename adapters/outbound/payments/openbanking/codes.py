"""How to read Open Banking's answer codes.

Every transfer answer is HTTP 200 with `rsp_code` (the API centre's verdict) and
`bank_rsp_code` (the participating bank's). Success is `A0000` with `000`. Some codes mean the
bank is still working on it or timed out (the money may have moved): those are an unknown
outcome, settled with 이체결과조회. A duplicate `bank_tran_id` means an earlier request with the
same id reached the centre today, so its result decides.
"""

from __future__ import annotations

from enum import Enum

SUCCESS = "A0000"
BANK_SUCCESS = "000"
BANK_ERROR = "A0002"  # 참가기관 에러: the bank refused, `bank_rsp_code` says why
PENDING_RSP = frozenset({"A0001", "A0007"})  # 처리 중 / 처리시간 초과
PENDING_BANK = frozenset({"400", "803", "804", "819"})  # 처리중, 내부처리에러, 시간초과, 송신실패
DUPLICATE_RSP = frozenset({"A0326"})  # 거래고유번호 중복 (API centre)
DUPLICATE_BANK = frozenset({"822"})  # 은행거래고유번호 중복 (participating bank)
NO_SUCH_TRANSFER = frozenset({"515"})
"""이체결과조회 item code for an original transfer the bank does not know (sandbox convention)."""


class Verdict(Enum):
    DONE = "DONE"
    PENDING = "PENDING"
    DUPLICATE = "DUPLICATE"
    NOT_FOUND = "NOT_FOUND"
    REFUSED = "REFUSED"


def judge(rsp_code: str | None, bank_rsp_code: str | None) -> Verdict:
    """Classifies one answer; an A0000 without a bank verdict is not yet a success."""
    if rsp_code in PENDING_RSP or bank_rsp_code in PENDING_BANK:
        return Verdict.PENDING
    if rsp_code in DUPLICATE_RSP or bank_rsp_code in DUPLICATE_BANK:
        return Verdict.DUPLICATE
    if rsp_code == SUCCESS and bank_rsp_code == BANK_SUCCESS:
        return Verdict.DONE
    if bank_rsp_code in NO_SUCH_TRANSFER:
        return Verdict.NOT_FOUND
    if rsp_code == SUCCESS and not bank_rsp_code:
        return Verdict.PENDING
    return Verdict.REFUSED


def refusal(answer: dict[str, object], item: dict[str, object]) -> tuple[str, str]:
    """(code, message) of a refusal: the bank's when it decided, else the API centre's."""
    rsp_code = str(answer.get("rsp_code") or "")
    if rsp_code in ("", SUCCESS, BANK_ERROR) and item.get("bank_rsp_code"):
        message = item.get("bank_rsp_message") or answer.get("rsp_message")
        return str(item["bank_rsp_code"]), str(message or item["bank_rsp_code"])
    return rsp_code or "UNKNOWN", str(answer.get("rsp_message") or rsp_code or "no rsp_code")

"""출금이체, 입금이체 and 이체결과조회 as the platform performs them, given an authorised body."""

from __future__ import annotations

import re
from typing import Any

from litestar import Response

from sandbox.openbanking import checks
from sandbox.openbanking.answers import (
    BAD_REQUEST,
    BANK_ERROR,
    BANK_NO_SUCH_TRANSFER,
    DUPLICATE,
    NOT_REGISTERED,
    PASS_PHRASE,
    answer,
    envelope,
    refuse,
    today,
)
from sandbox.openbanking.ledger import Account, Ledger, Transfer


class Transfers:
    """The three transfer operations over one ledger, for one institution code."""

    def __init__(self, ledger: Ledger, institution_code: str, wd_pass_phrase: str = "NONE") -> None:
        self._ledger = ledger
        self._tran_id = re.compile(re.escape(institution_code) + r"U[0-9A-Z]{9}")
        self._wd_pass_phrase = wd_pass_phrase

    def withdraw(self, body: dict[str, Any], user_seq_no: str) -> Response[Any]:
        """Takes money from the payer's account (the user token must own it)."""
        problem = (
            checks.problem(body, checks.WITHDRAW)
            or checks.dtime_problem(body["tran_dtime"])
            or checks.client_account_problem(body)
            or checks.purpose_problem(body["transfer_purpose"])
            or self._common_problem(body)
        )
        if problem:
            return refuse(BAD_REQUEST, problem)
        account = self._ledger.accounts.get(body["fintech_use_num"])
        if account is None or account.user_seq_no != user_seq_no:
            return refuse(NOT_REGISTERED, "이용기관에 등록된 사용자 계좌가 아닙니다")
        if self._taken(body):
            return refuse(DUPLICATE, "거래고유번호(참가기관) 중복")
        transfer = self._ledger.withdraw(
            account,
            today(),
            body["bank_tran_id"],
            int(body["tran_amt"]),
            body["dps_print_content"],
        )
        fields = {
            "dps_bank_code_std": "097",
            "dps_bank_code_sub": "0970001",
            "dps_bank_name": "오픈은행",
            "dps_account_num_masked": body["cntr_account_num"][:-3] + "***",
            "dps_print_content": body["dps_print_content"],
            "dps_account_holder_name": body["recv_client_name"],
            **_bank_part(transfer),
            **_account_part(account),
            "print_content": body.get("wd_print_content") or "",
            "tran_amt": str(transfer.amount),
            "wd_limit_remain_amt": "1000000",
        }
        return answer(_with_verdict(transfer, fields))

    def deposit(self, body: dict[str, Any]) -> Response[Any]:
        """Pays money into an enrolled account (a refund), one item per request."""
        items = body.get("req_list")
        problem = checks.problem(body, checks.DEPOSIT) or (
            None
            if isinstance(items, list) and len(items) == 1 and isinstance(items[0], dict)
            else "req_list: 입금요청목록은 1건이어야 합니다"
        )
        item: dict[str, Any] = items[0] if not problem and isinstance(items, list) else {}
        problem = (
            problem
            or (None if body["req_cnt"] == "1" else "req_cnt: 고정값 1")
            or (None if body["name_check_option"] in ("on", "off") else "name_check_option")
            or checks.dtime_problem(body["tran_dtime"])
            or checks.problem(item, checks.DEPOSIT_ITEM)
            or checks.purpose_problem(item["transfer_purpose"])
            or self._common_problem({**body, **item})
        )
        if problem:
            return refuse(BAD_REQUEST, problem)
        if body["wd_pass_phrase"] != self._wd_pass_phrase:
            # the 입금이체용 암호문구 KFTC issued to the institution: no money leaves without it
            return refuse(PASS_PHRASE, "입금이체용 암호문구가 올바르지 않습니다")
        account = self._ledger.accounts.get(item["fintech_use_num"])
        if account is None:
            return refuse(NOT_REGISTERED, "등록되지 않은 핀테크이용번호입니다")
        if self._taken(item):
            return refuse(DUPLICATE, "거래고유번호(참가기관) 중복")
        transfer = self._ledger.deposit(
            account, today(), item["bank_tran_id"], int(item["tran_amt"]), item["print_content"]
        )
        result = {
            "tran_no": item["tran_no"],
            **_bank_part(transfer),
            **_account_part(account),
            "print_content": item["print_content"],
            "tran_amt": str(transfer.amount),
            "cms_num": "",
        }
        top = {
            "wd_bank_code_std": "097",
            "wd_bank_code_sub": "0970001",
            "wd_bank_name": "오픈은행",
            "wd_account_num_masked": body["cntr_account_num"][:-3] + "***",
            "wd_print_content": body["wd_print_content"],
            "wd_account_holder_name": "gonggu",
            "res_cnt": "1",
            "res_list": [result],
        }
        return answer(_with_verdict(transfer, top))

    def result(self, body: dict[str, Any]) -> Response[Any]:
        """Reports what became of earlier transfers (check_type 1 = 출금, 2 = 입금)."""
        items = body.get("req_list")
        problem = checks.problem(body, checks.RESULT) or (
            None if body["check_type"] in ("1", "2") else "check_type: 1(출금이체) 또는 2(입금이체)"
        )
        if not problem and not (
            isinstance(items, list) and 0 < len(items) <= 25 and str(len(items)) == body["req_cnt"]
        ):
            problem = "req_list: req_cnt 건(최대 25건)이어야 합니다"
        listed: list[dict[str, Any]] = items if isinstance(items, list) else []
        for item in listed if not problem else []:
            problem = problem or (
                checks.problem(item, checks.RESULT_ITEM)
                if isinstance(item, dict)
                else "req_list: 객체여야 합니다"
            )
        if problem:
            return refuse(BAD_REQUEST, problem)
        kind = "withdraw" if body["check_type"] == "1" else "deposit"
        found = [self._outcome(kind, item) for item in listed]
        return answer(envelope("A0000", "", res_cnt=str(len(found)), res_list=found))

    def _outcome(self, kind: str, item: dict[str, Any]) -> dict[str, Any]:
        transfer = self._ledger.find(
            "withdraw" if kind == "withdraw" else "deposit",
            item["org_bank_tran_date"],
            item["org_bank_tran_id"],
        )
        if transfer is None or transfer.amount != int(item["org_tran_amt"]):
            code, message = BANK_NO_SUCH_TRANSFER
            return {
                "tran_no": item["tran_no"],
                "bank_tran_id": item["org_bank_tran_id"],
                "bank_tran_date": item["org_bank_tran_date"],
                "bank_code_tran": "097",
                "bank_rsp_code": code,
                "bank_rsp_message": message,
                "tran_amt": item["org_tran_amt"],
            }
        account = self._ledger.accounts[transfer.fintech_use_num]
        side = "wd" if kind == "withdraw" else "dps"
        return {
            "tran_no": item["tran_no"],
            **_bank_part(transfer),
            f"{side}_bank_code_std": account.bank_code_std,
            f"{side}_bank_name": account.bank_name,
            f"{side}_fintech_use_num": account.fintech_use_num,
            f"{side}_account_num_masked": account.masked,
            "dps_print_content": transfer.print_content,
            f"{side}_account_holder_name": account.holder_name,
            "tran_amt": str(transfer.amount),
        }

    def _common_problem(self, body: dict[str, Any]) -> str | None:
        if body.get("cntr_account_type") not in ("N", "C"):
            return "cntr_account_type: N(계좌) 또는 C(계정)"
        if not self._tran_id.fullmatch(str(body.get("bank_tran_id"))):
            return "bank_tran_id: 이용기관코드(10자리) + 'U' + 이용기관부여번호(9자리)"
        if int(body["tran_amt"]) <= 0:
            return "tran_amt: 0보다 커야 합니다"
        return None

    def _taken(self, body: dict[str, Any]) -> bool:
        return (today(), body["bank_tran_id"]) in self._ledger.transfers


def _bank_part(transfer: Transfer) -> dict[str, str]:
    return {
        "bank_tran_id": transfer.bank_tran_id,
        "bank_tran_date": transfer.bank_tran_date,
        "bank_code_tran": "097",
        "bank_rsp_code": transfer.bank_rsp_code,
        "bank_rsp_message": transfer.bank_rsp_message,
    }


def _account_part(account: Account) -> dict[str, str]:
    return {
        "fintech_use_num": account.fintech_use_num,
        "account_alias": "",
        "bank_code_std": account.bank_code_std,
        "bank_code_sub": account.bank_code_std + "0001",
        "bank_name": account.bank_name,
        "savings_bank_name": "",
        "account_num_masked": account.masked,
        "account_holder_name": account.holder_name,
    }


def _with_verdict(transfer: Transfer, fields: dict[str, Any]) -> dict[str, Any]:
    if transfer.succeeded:
        return envelope("A0000", "", **fields)
    return envelope(BANK_ERROR, "참가기관 에러", **fields)

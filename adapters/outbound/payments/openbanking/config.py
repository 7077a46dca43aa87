"""What the Open Banking adapter needs to act for one 이용기관 (using institution)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class OpenBankingConfig:
    """The institution's credentials and accounts, as registered with 금융결제원.

    `institution_code` is the 10-character 이용기관코드 (e.g. "M202300001") that prefixes every
    `bank_tran_id`. `contract_account_num` is the 약정계좌 (withdrawals are paid into it, refund
    deposits are paid out of it); `recv_client_*` name the final recipient of a withdrawal.
    """

    base_url: str
    client_id: str
    client_secret: str
    institution_code: str
    contract_account_num: str
    recv_client_name: str
    recv_client_bank_code: str
    recv_client_account_num: str
    wd_pass_phrase: str = "NONE"
    """입금이체용 암호문구 KFTC issued to the institution (`NONE` only on the testbed)."""
    withdraw_purpose: str = "ST"
    """이체용도 of a payment (출금이체): ST 결제 (TR 송금, RC 충전, AU 인증, ...)."""
    deposit_purpose: str = "TR"
    """이체용도 of a refund (입금이체): TR 송금, money sent back to the payer."""
    req_client_name: str = ""
    """요청고객성명 of a refund deposit, which the institution requests."""
    timeout_s: float = 10.0

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
    timeout_s: float = 10.0

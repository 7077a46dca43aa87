"""The JSON bodies of 출금이체, 입금이체 and 이체결과조회, field for field as the spec lists them.

Every value is a string, amounts included (`tran_amt` is N(12) digits).
"""

from __future__ import annotations

from datetime import datetime

from adapters.outbound.payments.openbanking.config import OpenBankingConfig
from adapters.outbound.payments.openbanking.ids import print_content, tran_dtime
from domain.ports.payment_gateway import PaymentRef

CHECK_WITHDRAWAL = "1"  # 이체결과조회 check_type: 1 = 출금이체, 2 = 입금이체
CHECK_DEPOSIT = "2"
CLIENT_NAME_MAX = 20  # AH(20)


def client_num(user_id: int) -> str:
    """요청고객회원번호: our stable member number for the payer, AN(20)."""
    return f"U{user_id}"


def client_name(user_id: int, payer_name: str | None = None) -> str:
    """요청고객성명 (AH(20)) of a withdrawal: the account holder's name, as the client got it
    from Open Banking's 사용자정보조회 (`transaction.clientName`); without it, the member."""
    name = (payer_name or "").strip()
    return name[:CLIENT_NAME_MAX] if name else print_content(f"gonggu-{user_id}")


def withdrawal(
    config: OpenBankingConfig,
    payment: PaymentRef,
    fintech_use_num: str,
    bank_tran_id: str,
    at: datetime,
    payer_name: str | None = None,
) -> dict[str, str]:
    """출금이체 (`/v2.0/transfer/withdraw/fin_num`): from the payer into our 약정계좌."""
    return {
        "bank_tran_id": bank_tran_id,
        "cntr_account_type": "N",
        "cntr_account_num": config.contract_account_num,
        "dps_print_content": print_content(str(payment.order_id)),
        "fintech_use_num": fintech_use_num,
        "wd_print_content": print_content(f"공구{payment.order_id}"),
        "tran_amt": str(payment.amount),
        "tran_dtime": tran_dtime(at),
        "req_client_name": client_name(payment.user_id, payer_name),
        "req_client_fintech_use_num": fintech_use_num,
        "req_client_num": client_num(payment.user_id),
        "transfer_purpose": config.withdraw_purpose,
        "recv_client_name": config.recv_client_name,
        "recv_client_bank_code": config.recv_client_bank_code,
        "recv_client_account_num": config.recv_client_account_num,
    }


def deposit(
    config: OpenBankingConfig,
    payment: PaymentRef,
    fintech_use_num: str,
    amount: int,
    bank_tran_id: str,
    at: datetime,
) -> dict[str, object]:
    """입금이체 (`/v2.0/transfer/deposit/fin_num`): a refund from our 약정계좌 to the payer.

    `wd_pass_phrase` is the 입금이체용 암호문구 KFTC issued to the institution (the testbed
    accepts "NONE"); the institution requests the refund, so it is the 요청고객성명.
    """
    return {
        "cntr_account_type": "N",
        "cntr_account_num": config.contract_account_num,
        "wd_pass_phrase": config.wd_pass_phrase,
        "wd_print_content": print_content(f"환불{payment.order_id}"),
        "name_check_option": "off",
        "tran_dtime": tran_dtime(at),
        "req_cnt": "1",
        "req_list": [
            {
                "tran_no": "1",
                "bank_tran_id": bank_tran_id,
                "fintech_use_num": fintech_use_num,
                "print_content": print_content(f"공구환불{payment.order_id}"),
                "tran_amt": str(amount),
                "req_client_name": config.req_client_name[:CLIENT_NAME_MAX]
                or client_name(payment.user_id),
                "req_client_fintech_use_num": fintech_use_num,
                "req_client_num": client_num(payment.user_id),
                "transfer_purpose": config.deposit_purpose,
            }
        ],
    }


def result_query(
    check_type: str, bank_tran_id: str, bank_tran_date: str, amount: int, at: datetime
) -> dict[str, object]:
    """이체결과조회 (`/v2.0/transfer/result`) for one original transfer."""
    return {
        "check_type": check_type,
        "tran_dtime": tran_dtime(at),
        "req_cnt": "1",
        "req_list": [
            {
                "tran_no": "1",
                "org_bank_tran_id": bank_tran_id,
                "org_bank_tran_date": bank_tran_date,
                "org_tran_amt": str(amount),
            }
        ],
    }

"""The emulator's memory: enrolled payer accounts, issued tokens and every transfer.

A withdrawal is a payment; deposits back into the same account are its refunds. The real
platform does not tie a deposit to a withdrawal; the sandbox does, so that tests can prove a
refund happened once and never exceeded what was paid (an over-refund is refused).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["withdraw", "deposit"]


@dataclass
class Account:
    fintech_use_num: str
    user_seq_no: str
    access_token: str
    balance: int
    account_num: str
    bank_code_std: str = "097"
    bank_name: str = "오픈은행"
    holder_name: str = "홍길동"

    @property
    def masked(self) -> str:
        return self.account_num[:-3] + "***"


@dataclass
class Transfer:
    kind: Kind
    bank_tran_id: str
    bank_tran_date: str
    fintech_use_num: str
    amount: int
    bank_rsp_code: str
    bank_rsp_message: str
    print_content: str
    refunded: int = 0
    refunds: int = 0

    @property
    def succeeded(self) -> bool:
        return self.bank_rsp_code == "000"


@dataclass
class Ledger:
    accounts: dict[str, Account] = field(default_factory=dict)
    user_tokens: dict[str, str] = field(default_factory=dict)  # token -> user_seq_no
    oob_tokens: set[str] = field(default_factory=set)
    transfers: dict[tuple[str, str], Transfer] = field(default_factory=dict)
    """(bank_tran_date, bank_tran_id) -> transfer; ids are unique per day."""

    def enrol(self, balance: int) -> Account:
        """Stands in for the 3-legged sign-up: a new user, account, fintech_use_num and token."""
        number = len(self.accounts) + 1
        account = Account(
            fintech_use_num=f"1{secrets.randbelow(10**9):09d}{number:014d}",
            user_seq_no=f"{1_100_000_000 + number}",
            access_token=secrets.token_urlsafe(24),
            balance=balance,
            account_num=f"{1_000_000_000_000 + number}",
        )
        self.accounts[account.fintech_use_num] = account
        self.user_tokens[account.access_token] = account.user_seq_no
        return account

    def issue_oob_token(self) -> str:
        token = secrets.token_urlsafe(24)
        self.oob_tokens.add(token)
        return token

    def find(self, kind: Kind, day: str, bank_tran_id: str) -> Transfer | None:
        transfer = self.transfers.get((day, bank_tran_id))
        return transfer if transfer is not None and transfer.kind == kind else None

    def withdraw(
        self, account: Account, day: str, bank_tran_id: str, amount: int, note: str
    ) -> Transfer:
        """Takes `amount` from the payer's account, or records why not (insufficient funds)."""
        code, message = ("000", "") if account.balance >= amount else ("453", "예금잔액 부족")
        if code == "000":
            account.balance -= amount
        return self._record("withdraw", account, day, bank_tran_id, amount, code, message, note)

    def refundable(self, fintech_use_num: str) -> int:
        return sum(t.amount - t.refunded for t in self._payments_of(fintech_use_num))

    def deposit(
        self, account: Account, day: str, bank_tran_id: str, amount: int, note: str
    ) -> Transfer:
        """Gives `amount` back to the account, charged against its withdrawals oldest first."""
        if amount > self.refundable(account.fintech_use_num):
            return self._record(
                "deposit", account, day, bank_tran_id, amount, "453", "약정계좌 잔액 부족", note
            )
        account.balance += amount
        left = amount
        for payment in self._payments_of(account.fintech_use_num):
            share = min(left, payment.amount - payment.refunded)
            if share > 0:
                payment.refunded += share
                payment.refunds += 1
                left -= share
        return self._record("deposit", account, day, bank_tran_id, amount, "000", "", note)

    def payments(self) -> list[dict[str, Any]]:
        """Every withdrawal as a payment, with how often it was approved and refunded."""
        return [_describe(t) for t in self.transfers.values() if t.kind == "withdraw"]

    def _payments_of(self, fintech_use_num: str) -> list[Transfer]:
        return [
            t
            for t in self.transfers.values()
            if t.kind == "withdraw" and t.succeeded and t.fintech_use_num == fintech_use_num
        ]

    def _record(
        self,
        kind: Kind,
        account: Account,
        day: str,
        bank_tran_id: str,
        amount: int,
        code: str,
        message: str,
        note: str,
    ) -> Transfer:
        transfer = Transfer(
            kind, bank_tran_id, day, account.fintech_use_num, amount, code, message, note
        )
        self.transfers[(day, bank_tran_id)] = transfer
        return transfer


def _describe(t: Transfer) -> dict[str, Any]:
    if not t.succeeded:
        status = "FAILED"
    elif t.refunded == 0:
        status = "WITHDRAWN"
    else:
        status = "REFUNDED" if t.refunded >= t.amount else "PARTIALLY_REFUNDED"
    return {
        "id": t.bank_tran_id,
        "bank_tran_id": t.bank_tran_id,
        "bank_tran_date": t.bank_tran_date,
        "order_ref": t.print_content,
        "fintech_use_num": t.fintech_use_num,
        "amount": t.amount,
        "status": status,
        "approvals": 1 if t.succeeded else 0,
        "refunded_amount": t.refunded,
        "refunds": t.refunds,
        "bank_rsp_code": t.bank_rsp_code,
    }

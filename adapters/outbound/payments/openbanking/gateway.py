"""Open Banking as a `PaymentGateway`: the payment is a withdrawal, a refund a deposit.

Synchronous: `checkout` withdraws at once and carries the Approval; there is no redirect, so
`approve` always refuses. Each transfer's `bank_tran_id` comes from the attempt's database id,
so a retried attempt sends the same id: the platform then answers "duplicate" and the
transfer's result (이체결과조회) says what the first request did — money moves at most once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import httpx

from adapters.outbound.payments.openbanking import messages
from adapters.outbound.payments.openbanking.client import PLATFORM, OpenBankingClient
from adapters.outbound.payments.openbanking.codes import Verdict, judge, refusal
from adapters.outbound.payments.openbanking.config import OpenBankingConfig
from adapters.outbound.payments.openbanking.ids import (
    KST,
    bank_tran_id,
    parse_api_dtm,
    tran_date,
)
from domain.errors import PaymentOutcomeUnknown, PaymentPlatformError
from domain.pay_type import PayType
from domain.ports.payment_gateway import (
    Approval,
    Checkout,
    CheckoutRequest,
    Decline,
    PaymentGateway,
    PaymentLookup,
    PaymentRef,
    PlatformCall,
    PlatformStatus,
    Refund,
)

Answer = dict[str, Any]


class OpenBankingGateway(PaymentGateway):
    """금융결제원 오픈뱅킹 v2.0: 출금이체 to pay, 입금이체 to refund, 이체결과조회 to look up.

    The payer brings `{"fintechUseNum", "accessToken"}` from their Open Banking sign-up; both are
    required, and a missing one is refused before any call is made.
    """

    pay_type = PayType.OPEN_BANKING

    def __init__(
        self,
        config: OpenBankingConfig,
        http: httpx.AsyncClient,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._config = config
        self._client = OpenBankingClient(config, http)
        self._now = clock or (lambda: datetime.now(KST))

    async def checkout(self, request: CheckoutRequest) -> Checkout:
        """Withdraws the order's amount from the payer's account into our contract account."""
        fintech_use_num, user_token = _payer(request.payer)
        payment, call = request.payment, request.call
        tran_id = self._tran_id(call)
        earlier = await self._earlier_day_result(
            messages.CHECK_WITHDRAWAL, tran_id, call, payment.amount
        )
        if earlier is not None:
            return self._checkout(tran_id, earlier, payment.amount)
        body = messages.withdrawal(
            self._config,
            payment,
            fintech_use_num,
            tran_id,
            self._now(),
            request.payer.get("clientName"),
        )
        answer = await self._client.withdraw(body, user_token)
        verdict = judge(answer.get("rsp_code"), answer.get("bank_rsp_code"))
        if verdict is Verdict.DUPLICATE:
            item = await self._settled(
                messages.CHECK_WITHDRAWAL, tran_id, self._date_of(call), payment.amount
            )
            _check_same_account(item, fintech_use_num, tran_id)
            return self._checkout(tran_id, item, payment.amount)
        self._raise_unless_done(verdict, answer, answer, "withdrawal")
        return self._checkout(tran_id, answer, payment.amount)

    def reference_from_callback(self, callback: Mapping[str, str]) -> str | None:
        """Open Banking sends no callback: the withdrawal's id is known at checkout."""
        return None

    def payer_reference(self, payer: Mapping[str, str]) -> str | None:
        """The payer's `fintechUseNum` (kept to deposit a refund back); never the token."""
        return str(payer.get("fintechUseNum") or "").strip() or None

    def read_abandonment(self, callback: Mapping[str, str], *, cancelled: bool) -> Decline:
        """Open Banking has no fail or cancel redirect: such a URL is only a claim."""
        return Decline("Open Banking sends no fail or cancel redirect", cancelled, {}, False)

    def can_look_up(self, payment: PaymentRef) -> bool:
        return True

    async def approve(
        self, payment: PaymentRef, callback: Mapping[str, str], call: PlatformCall
    ) -> Approval | Decline:
        """Always refused: Open Banking payments complete at checkout."""
        raise PaymentPlatformError(PLATFORM, "Open Banking payments complete at checkout")

    async def lookup(self, payment: PaymentRef, call: PlatformCall | None = None) -> PaymentLookup:
        """Asks 이체결과조회 about the payment's withdrawal (or the given checkout attempt's).

        A refund is a separate deposit the withdrawal knows nothing of: it is seen only when
        `call` is the refund's attempt (its deposit of the full amount is then looked up).
        """
        if payment.platform_tx_id:
            tran_id, at = payment.platform_tx_id, payment.approved_at or _started(call)
        elif call is not None:
            tran_id, at = self._tran_id(call), call.started_at
        else:
            return PaymentLookup(PlatformStatus.NOT_FOUND, 0, 0, None, {})
        answer, item = await self._result(
            messages.CHECK_WITHDRAWAL, tran_id, tran_date(at or self._now()), payment.amount
        )
        verdict = judge(answer.get("rsp_code"), item.get("bank_rsp_code"))
        if verdict is not Verdict.DONE:
            status = {
                Verdict.PENDING: PlatformStatus.PENDING,
                Verdict.NOT_FOUND: PlatformStatus.NOT_FOUND,
            }.get(verdict, PlatformStatus.FAILED)
            return PaymentLookup(status, 0, 0, tran_id, {"withdrawal": answer})
        approved = _amount(item, payment.amount)
        refunded, deposit = await self._refunded(payment, call, tran_id)
        raw = {"withdrawal": answer, **({"deposit": deposit} if deposit else {})}
        status = PlatformStatus.REFUNDED if refunded >= approved else PlatformStatus.APPROVED
        return PaymentLookup(status, approved, refunded, tran_id, raw, payment.approved_at)

    async def _refunded(
        self, payment: PaymentRef, call: PlatformCall | None, withdrawal_id: str
    ) -> tuple[int, Answer]:
        """The amount deposited back by `call` when it is a refund attempt, else 0."""
        if call is None or self._tran_id(call) == withdrawal_id:
            return 0, {}
        answer, item = await self._result(
            messages.CHECK_DEPOSIT, self._tran_id(call), self._date_of(call), payment.amount
        )
        if judge(answer.get("rsp_code"), item.get("bank_rsp_code")) is Verdict.DONE:
            return _amount(item, payment.amount), answer
        return 0, {}

    async def refund(
        self, payment: PaymentRef, amount: int, reason: str, call: PlatformCall
    ) -> Refund:
        """Deposits `amount` back into the payer's account (a withdrawal cannot be cancelled).

        Retrying the same call after a lost answer never deposits twice: the repeated
        `bank_tran_id` is refused as a duplicate and the first deposit's result is returned.
        """
        if not payment.payer_ref:
            raise PaymentPlatformError(PLATFORM, "no payer account (fintech_use_num) to refund")
        if amount <= 0:
            raise PaymentPlatformError(PLATFORM, f"refund amount must be positive, got {amount}")
        tran_id = self._tran_id(call)
        earlier = await self._earlier_day_result(messages.CHECK_DEPOSIT, tran_id, call, amount)
        if earlier is not None:
            return Refund(_amount(earlier, amount), {"result": earlier})
        body = messages.deposit(
            self._config, payment, payment.payer_ref, amount, tran_id, self._now()
        )
        answer = await self._client.deposit(body)
        item = _first(answer.get("res_list"))
        verdict = judge(answer.get("rsp_code"), item.get("bank_rsp_code"))
        if verdict is Verdict.DUPLICATE:
            found = await self._settled(
                messages.CHECK_DEPOSIT, tran_id, self._date_of(call), amount
            )
            _check_same_account(found, payment.payer_ref, tran_id)
            return Refund(_amount(found, amount), {"result": found})
        self._raise_unless_done(verdict, answer, item, "deposit")
        return Refund(_amount(item, amount), answer)

    def _checkout(self, tran_id: str, answer: Answer, requested: int) -> Checkout:
        approved_at = parse_api_dtm(answer.get("api_tran_dtm"), self._now())
        amount = _amount(answer, requested)
        approval = Approval(tran_id, amount, approved_at, answer)
        return Checkout(client_data=answer, platform_tx_id=tran_id, approval=approval, raw=answer)

    async def _earlier_day_result(
        self, check_type: str, tran_id: str, call: PlatformCall, amount: int
    ) -> Answer | None:
        """The transfer's result when this attempt began on an earlier (KST) day.

        The platform refuses a repeated `bank_tran_id` only within one day, so a retry on a later
        day must ask first. Returns the succeeded transfer, or None when it never happened.
        """
        if call.started_at is None:
            return None
        day = tran_date(call.started_at)
        if day >= tran_date(self._now()):
            return None
        answer, item = await self._result(check_type, tran_id, day, amount)
        verdict = judge(answer.get("rsp_code"), item.get("bank_rsp_code"))
        if verdict is Verdict.PENDING:
            raise PaymentOutcomeUnknown(PLATFORM, f"transfer {tran_id} is still being processed")
        return {**answer, **item} if verdict is Verdict.DONE else None

    async def _settled(self, check_type: str, tran_id: str, day: str, amount: int) -> Answer:
        """The earlier request with this id (a duplicate was refused): its success, or why not."""
        answer, item = await self._result(check_type, tran_id, day, amount)
        verdict = judge(answer.get("rsp_code"), item.get("bank_rsp_code"))
        if verdict is Verdict.DONE:
            return {**answer, **item}
        if verdict is Verdict.NOT_FOUND:
            raise PaymentOutcomeUnknown(PLATFORM, f"{tran_id} is a duplicate but has no result yet")
        self._raise_unless_done(verdict, answer, item, "transfer")
        return {**answer, **item}

    async def _result(
        self, check_type: str, tran_id: str, day: str, amount: int
    ) -> tuple[Answer, Answer]:
        body = messages.result_query(check_type, tran_id, day, amount, self._now())
        try:
            answer = await self._client.result(body)
        except PaymentPlatformError as refused:
            # A refused inquiry (an expired token, a bad request) says nothing of the transfer
            # it asks about: taken for a refusal of the transfer, it would make the retry a new
            # attempt, a new bank_tran_id, and a second withdrawal or deposit.
            raise PaymentOutcomeUnknown(
                PLATFORM, f"the result of {tran_id} could not be read: {refused.message}"
            ) from refused
        verdict = judge(answer.get("rsp_code"), "000")
        if verdict is not Verdict.DONE:
            code, message = refusal(answer, {})
            raise PaymentOutcomeUnknown(
                PLATFORM, f"the result of {tran_id} could not be read: {code} {message}"
            )
        return answer, _first(answer.get("res_list"))

    @staticmethod
    def _raise_unless_done(verdict: Verdict, answer: Answer, item: Answer, what: str) -> None:
        if verdict is Verdict.DONE:
            return
        code, message = refusal(answer, item)
        if verdict in (Verdict.PENDING, Verdict.DUPLICATE):
            raise PaymentOutcomeUnknown(PLATFORM, f"{what} not settled: {code} {message}")
        raise PaymentPlatformError(PLATFORM, message, code)

    def _tran_id(self, call: PlatformCall) -> str:
        return bank_tran_id(self._config.institution_code, call.attempt_id)

    def _date_of(self, call: PlatformCall) -> str:
        return tran_date(call.started_at or self._now())


def _payer(payer: Mapping[str, str]) -> tuple[str, str]:
    fintech_use_num = str(payer.get("fintechUseNum") or "").strip()
    access_token = str(payer.get("accessToken") or "").strip()
    missing = [
        name
        for name, value in (("fintechUseNum", fintech_use_num), ("accessToken", access_token))
        if not value
    ]
    if missing:
        raise PaymentPlatformError(
            PLATFORM, f"the payer's Open Banking account needs {' and '.join(missing)}", "PAYER"
        )
    return fintech_use_num, access_token


def _started(call: PlatformCall | None) -> datetime | None:
    return call.started_at if call is not None else None


def _first(items: object) -> Answer:
    if isinstance(items, list) and items and isinstance(items[0], dict):
        return items[0]
    return {}


def _amount(answer: Mapping[str, Any], default: int) -> int:
    try:
        return int(str(answer.get("tran_amt")))
    except ValueError:
        return default


def _check_same_account(item: Answer, fintech_use_num: str, tran_id: str) -> None:
    """A duplicate id is ours only if the earlier transfer moved this payer's money: an id
    reused by another transfer (a database restored or shared) must not pass for our payment."""
    accounts = {
        str(item[key])
        for key in ("fintech_use_num", "wd_fintech_use_num", "dps_fintech_use_num")
        if item.get(key)
    }
    if accounts and fintech_use_num not in accounts:
        raise PaymentPlatformError(
            PLATFORM,
            f"bank_tran_id {tran_id} was already used today by another account's transfer; "
            "nothing was transferred for this payment",
            "DUPLICATE_BANK_TRAN_ID",
        )

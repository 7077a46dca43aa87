"""Review of 18cf159: what each adapter's `lookup` says after a refused refund."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
import pytest

from adapters.outbound.payments.kakaopay.answers import to_lookup
from adapters.outbound.payments.naverpay.parsing import lookup_from_history
from adapters.outbound.payments.openbanking.ids import KST
from domain.errors import DomainError, PaymentOutcomeUnknown
from domain.ports.payment_gateway import PlatformCall, PlatformStatus
from tests.integration.payments import test_openbanking_requests as ob
from tests.integration.payments import test_tosspayments_requests as toss

pytestmark = pytest.mark.anyio

WITHDRAWAL = "M202300001U000000042"
DEPOSIT_43 = "M202300001U000000043"
TOKEN_REFUSED = {"rsp_code": "O0002", "rsp_message": "Access Token 검증 실패"}


# --------------------------------------------------------------------------- no false REFUNDED


def test_kakao_part_cancel_is_not_refunded() -> None:
    looked = to_lookup(
        {
            "tid": "T1",
            "status": "PART_CANCEL_PAYMENT",
            "amount": {"total": 30000},
            "canceled_amount": {"total": 10000},
        }
    )
    assert looked.status is PlatformStatus.APPROVED
    assert looked.refunded_amount < looked.approved_amount


def test_naverpay_partial_cancel_is_not_refunded() -> None:
    rows = [
        {"admissionTypeCode": "01", "admissionState": "SUCCESS", "totalPayAmount": 30000},
        {"admissionTypeCode": "04", "admissionState": "SUCCESS", "totalPayAmount": 10000},
        {"admissionTypeCode": "03", "admissionState": "FAIL", "totalPayAmount": 20000},
    ]
    assert lookup_from_history("P1", rows, {}).status is PlatformStatus.APPROVED


async def test_open_banking_lookup_without_the_refund_call_never_reports_refunded() -> None:
    recorder = ob.Recorder(
        {
            "/oauth/2.0/token": [ob.ok(ob.TOKEN_OK)],
            "/v2.0/transfer/result": [ob.ok(ob.result_answer(WITHDRAWAL))],
        }
    )
    looked = await ob.gateway(recorder).lookup(ob.payment(platform_tx_id=WITHDRAWAL), None)
    assert (looked.status, looked.refunded_amount) == (PlatformStatus.APPROVED, 0)


# ------------------------------------------------------------ Open Banking: paid twice


async def test_open_banking_a_duplicate_deposit_whose_inquiry_is_refused_is_not_a_refusal() -> None:
    """Deposit 43's answer was lost (it was made). The retry with the same bank_tran_id is a
    duplicate; the result inquiry then meets a refused institution token (O0002, 401). The
    adapter raises PaymentPlatformError — a *definite* refusal — so the runner fails attempt
    43 and the next try deposits again under a new bank_tran_id (44): the buyer is paid twice.
    The new lookup cannot catch it either (no refund call is passed, see the test above)."""
    duplicate = {"rsp_code": "A0326", "rsp_message": "거래고유번호 중복"}
    recorder = ob.Recorder(
        {
            "/oauth/2.0/token": [ob.ok(ob.TOKEN_OK)],
            "/v2.0/transfer/deposit/fin_num": [ob.ok(duplicate)],
            "/v2.0/transfer/result": [ob.ok(TOKEN_REFUSED, 401)],
        }
    )
    with pytest.raises(PaymentOutcomeUnknown):
        await ob.gateway(recorder).refund(
            ob.payment(), 30000, "group expired", PlatformCall(43, "k-43", ob.NOW)
        )


async def test_open_banking_a_next_day_retry_whose_inquiry_is_refused_is_not_a_refusal() -> None:
    yesterday = datetime(2024, 5, 1, 23, 59, 0, tzinfo=KST)
    recorder = ob.Recorder(
        {
            "/oauth/2.0/token": [ob.ok(ob.TOKEN_OK)],
            "/v2.0/transfer/result": [ob.ok(TOKEN_REFUSED, 401)],
        }
    )
    with pytest.raises(PaymentOutcomeUnknown):
        await ob.gateway(recorder).refund(
            ob.payment(), 30000, "group expired", PlatformCall(43, "k-43", yesterday)
        )


# --------------------------------------------------------------------------- Toss: crash


@pytest.mark.parametrize("body", [[], "ok", None])
async def test_toss_lookup_of_a_non_object_answer_is_a_domain_error(body: Any) -> None:
    """Every other adapter turns a non-object 200 into PaymentOutcomeUnknown; Toss's lookup
    raises AttributeError, which escapes RefundPayment._given_back and the reconciler."""
    recorder = toss.Recorder(httpx.Response(200, json=body))
    with pytest.raises(DomainError):
        await toss.gateway(recorder).lookup(toss.PAID_REF)


async def test_toss_canceled_after_done_is_refunded_in_full() -> None:
    recorder = toss.Recorder(httpx.Response(200, json=toss.CANCELED))
    looked = await toss.gateway(recorder).lookup(toss.PAID_REF)
    assert (looked.status, looked.refunded_amount) == (PlatformStatus.REFUNDED, 1000)


async def test_toss_canceled_never_approved_is_not_refunded() -> None:
    """Toss CANCELED for a payment never approved (no approvedAt) but listing its cancel, as
    an unpaid virtual account's cancel may: status_of infers 'was paid' from the cancels.
    (Not reachable from REFUNDING, whose Toss payment was DONE; matters to ResolvePayment.)"""
    never_paid = {**toss.CANCELED, "approvedAt": None}
    recorder = toss.Recorder(httpx.Response(200, json=never_paid))
    looked = await toss.gateway(recorder).lookup(toss.PAID_REF)
    assert looked.status is not PlatformStatus.REFUNDED


def test_naverpay_unreadable_approval_amount_is_not_refunded() -> None:
    """An approval row whose amount cannot be read (0) makes `refunded >= approved` vacuous:
    0 >= 0 -> REFUNDED, and _AlreadyRefunded then confirms `approved_amount` won back."""
    rows = [{"admissionTypeCode": "01", "admissionState": "SUCCESS", "totalPayAmount": "30,000"}]
    assert lookup_from_history("P1", rows, {}).status is not PlatformStatus.REFUNDED

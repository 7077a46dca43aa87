"""The Open Banking adapter speaks 금융결제원 오픈뱅킹 API v2.0 exactly as documented.

Requests are captured with httpx.MockTransport; the answers are shaped like the spec's
response examples (developers.kftc.or.kr, 출금이체 / 입금이체 / 이체결과조회 / 토큰발급).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from datetime import datetime
from urllib.parse import parse_qsl

import httpx
import pytest

from adapters.outbound.payments.openbanking import OpenBankingConfig, OpenBankingGateway
from adapters.outbound.payments.openbanking.ids import KST, bank_tran_id
from domain.errors import PaymentOutcomeUnknown, PaymentPlatformError
from domain.ports.payment_gateway import (
    CheckoutRequest,
    PaymentRef,
    PlatformCall,
    PlatformStatus,
    ReturnUrls,
)

pytestmark = pytest.mark.anyio

BASE = "https://openapi.openbanking.or.kr"
NOW = datetime(2024, 5, 2, 10, 20, 30, tzinfo=KST)
FINTECH = "120220035988941008441112"
USER_TOKEN = "user-access-token"
OOB_TOKEN = "oob-access-token"
CONFIG = OpenBankingConfig(
    base_url=BASE,
    client_id="client-id-1",
    client_secret="client-secret-1",
    institution_code="M202300001",
    contract_account_num="1101230000678",
    recv_client_name="공구상점",
    recv_client_bank_code="097",
    recv_client_account_num="1101230000678",
    timeout_s=3.0,
)
WITHDRAW_OK = {  # 출금이체 응답 예시 (fields as the spec lists them)
    "api_tran_id": "2ffd133a-d17a-431d-a6a5",
    "api_tran_dtm": "20240502102031567",
    "rsp_code": "A0000",
    "rsp_message": "",
    "dps_bank_code_std": "097",
    "dps_bank_code_sub": "0970001",
    "dps_bank_name": "오픈은행",
    "dps_account_num_masked": "1101230000***",
    "dps_print_content": "77",
    "dps_account_holder_name": "공구상점",
    "bank_tran_id": "M202300001U000000042",
    "bank_tran_date": "20240502",
    "bank_code_tran": "097",
    "bank_rsp_code": "000",
    "bank_rsp_message": "",
    "fintech_use_num": FINTECH,
    "account_alias": "급여계좌",
    "bank_code_std": "097",
    "bank_code_sub": "0970001",
    "bank_name": "오픈은행",
    "savings_bank_name": "",
    "account_num_masked": "0001234567***",
    "print_content": "공구77",
    "account_holder_name": "홍길동",
    "tran_amt": "30000",
    "wd_limit_remain_amt": "970000",
}
TOKEN_OK = {
    "access_token": OOB_TOKEN,
    "token_type": "Bearer",
    "expires_in": 7776000,
    "scope": "oob",
    "client_use_code": "M20230000",
}


def deposit_ok(tran_id: str, amount: str = "30000") -> dict[str, object]:
    """입금이체 응답 예시: top-level verdict plus one res_list item."""
    return {
        "api_tran_id": "2ffd133a-d17a-431d-a6a6",
        "api_tran_dtm": "20240502102032001",
        "rsp_code": "A0000",
        "rsp_message": "",
        "wd_bank_code_std": "097",
        "wd_bank_code_sub": "0970001",
        "wd_bank_name": "오픈은행",
        "wd_account_num_masked": "1101230000***",
        "wd_print_content": "환불77",
        "wd_account_holder_name": "공구상점",
        "res_cnt": "1",
        "res_list": [
            {
                "tran_no": "1",
                "bank_tran_id": tran_id,
                "bank_tran_date": "20240502",
                "bank_code_tran": "097",
                "bank_rsp_code": "000",
                "bank_rsp_message": "",
                "fintech_use_num": FINTECH,
                "account_alias": "",
                "bank_code_std": "097",
                "bank_code_sub": "0970001",
                "bank_name": "오픈은행",
                "savings_bank_name": "",
                "account_num_masked": "0001234567***",
                "print_content": "공구환불77",
                "account_holder_name": "홍길동",
                "tran_amt": amount,
                "cms_num": "",
            }
        ],
    }


def result_answer(
    tran_id: str, bank_rsp_code: str = "000", amount: str = "30000"
) -> dict[str, object]:
    """이체결과조회 응답 예시."""
    return {
        "api_tran_id": "2ffd133a-d17a-431d-a6a7",
        "api_tran_dtm": "20240502102033001",
        "rsp_code": "A0000",
        "rsp_message": "",
        "res_cnt": "1",
        "res_list": [
            {
                "tran_no": "1",
                "bank_tran_id": tran_id,
                "bank_tran_date": "20240502",
                "bank_code_tran": "097",
                "bank_rsp_code": bank_rsp_code,
                "bank_rsp_message": "",
                "wd_bank_code_std": "097",
                "wd_bank_name": "오픈은행",
                "wd_fintech_use_num": FINTECH,
                "wd_account_num_masked": "0001234567***",
                "wd_account_holder_name": "홍길동",
                "tran_amt": amount,
            }
        ],
    }


Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    """A MockTransport that answers each path from a queue and keeps every request."""

    def __init__(self, answers: dict[str, list[httpx.Response]]) -> None:
        self.answers = answers
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answers[request.url.path].pop(0)

    def sent(self, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path == path]


def gateway(recorder: Recorder) -> OpenBankingGateway:
    http = httpx.AsyncClient(transport=httpx.MockTransport(recorder))
    return OpenBankingGateway(CONFIG, http, clock=lambda: NOW)


def ok(body: object, status: int = 200) -> httpx.Response:
    return httpx.Response(status, json=body)


def payment(**changes: object) -> PaymentRef:
    values: dict[str, object] = {
        "order_id": 77,
        "user_id": 7,
        "transaction_id": "b7f3c5d2-2f1e-4c1e-9a57-6a3f0f0e1c11",
        "amount": 30000,
        "item_name": "공구 사과 5kg",
        "quantity": 2,
        "payer_ref": FINTECH,
    }
    values.update(changes)
    return PaymentRef(**values)  # type: ignore[arg-type]


def checkout_request(payer: dict[str, str] | None = None) -> CheckoutRequest:
    return CheckoutRequest(
        payment=payment(),
        return_urls=ReturnUrls("https://shop/done", "https://shop/fail", "https://shop/cancel"),
        call=PlatformCall(attempt_id=42, idempotency_key="k-42", started_at=NOW),
        payer=payer if payer is not None else {"fintechUseNum": FINTECH, "accessToken": USER_TOKEN},
    )


async def test_checkout_sends_the_documented_withdrawal() -> None:
    recorder = Recorder({"/v2.0/transfer/withdraw/fin_num": [ok(WITHDRAW_OK)]})
    checkout = await gateway(recorder).checkout(checkout_request())
    (sent,) = recorder.requests
    assert sent.method == "POST"
    assert str(sent.url) == f"{BASE}/v2.0/transfer/withdraw/fin_num"
    assert sent.headers["authorization"] == f"Bearer {USER_TOKEN}"
    assert sent.headers["content-type"] == "application/json; charset=UTF-8"
    assert json.loads(sent.content) == {
        "bank_tran_id": "M202300001U000000042",
        "cntr_account_type": "N",
        "cntr_account_num": "1101230000678",
        "dps_print_content": "77",
        "fintech_use_num": FINTECH,
        "wd_print_content": "공구77",
        "tran_amt": "30000",
        "tran_dtime": "20240502102030",
        "req_client_name": "gonggu-7",
        "req_client_fintech_use_num": FINTECH,
        "req_client_num": "U7",
        "transfer_purpose": "ST",  # 결제: the payer pays the shop (TR would be 송금)
        "recv_client_name": "공구상점",
        "recv_client_bank_code": "097",
        "recv_client_account_num": "1101230000678",
    }
    assert checkout.platform_tx_id == "M202300001U000000042"
    assert checkout.approval is not None
    assert checkout.approval.amount == 30000
    assert checkout.approval.approved_at == datetime(2024, 5, 2, 10, 20, 31, 567000, tzinfo=KST)
    assert checkout.client_data["account_holder_name"] == "홍길동"
    assert USER_TOKEN not in json.dumps(checkout.client_data, ensure_ascii=False)


async def test_the_approved_amount_is_what_the_bank_withdrew() -> None:
    recorder = Recorder(
        {"/v2.0/transfer/withdraw/fin_num": [ok({**WITHDRAW_OK, "tran_amt": "29000"})]}
    )
    checkout = await gateway(recorder).checkout(checkout_request())
    assert checkout.approval is not None and checkout.approval.amount == 29000


@pytest.mark.parametrize(
    "payer",
    [{}, {"fintechUseNum": FINTECH}, {"fintechUseNum": " ", "accessToken": USER_TOKEN}],
)
async def test_a_payer_without_account_or_token_is_refused_before_any_call(
    payer: dict[str, str],
) -> None:
    recorder = Recorder({})
    with pytest.raises(PaymentPlatformError) as refused:
        await gateway(recorder).checkout(checkout_request(payer))
    assert refused.value.code == "PAYER"
    assert recorder.requests == []


async def test_a_bank_refusal_in_an_http_200_is_a_platform_error_with_the_bank_code() -> None:
    refusal = {
        **WITHDRAW_OK,
        "rsp_code": "A0002",
        "rsp_message": "참가기관 에러",
        "bank_rsp_code": "453",
        "bank_rsp_message": "예금잔액 부족",
    }
    recorder = Recorder({"/v2.0/transfer/withdraw/fin_num": [ok(refusal)]})
    with pytest.raises(PaymentPlatformError) as refused:
        await gateway(recorder).checkout(checkout_request())
    assert (refused.value.code, refused.value.platform_message) == ("453", "예금잔액 부족")


async def test_an_api_refusal_carries_the_rsp_code() -> None:
    refusal = {"rsp_code": "A0323", "rsp_message": "이용기관에 등록된 사용자 계좌 아님"}
    recorder = Recorder({"/v2.0/transfer/withdraw/fin_num": [ok(refusal)]})
    with pytest.raises(PaymentPlatformError) as refused:
        await gateway(recorder).checkout(checkout_request())
    assert refused.value.code == "A0323"


@pytest.mark.parametrize(("rsp_code", "bank_rsp_code"), [("A0007", ""), ("A0000", "400")])
async def test_a_transfer_still_processing_is_an_unknown_outcome(
    rsp_code: str, bank_rsp_code: str
) -> None:
    pending = {**WITHDRAW_OK, "rsp_code": rsp_code, "bank_rsp_code": bank_rsp_code}
    recorder = Recorder({"/v2.0/transfer/withdraw/fin_num": [ok(pending)]})
    with pytest.raises(PaymentOutcomeUnknown):
        await gateway(recorder).checkout(checkout_request())


async def test_an_expired_user_token_is_a_platform_error() -> None:
    body = {"rsp_code": "O0002", "rsp_message": "Access Token 검증 실패"}
    recorder = Recorder({"/v2.0/transfer/withdraw/fin_num": [ok(body, 401)]})
    with pytest.raises(PaymentPlatformError) as refused:
        await gateway(recorder).checkout(checkout_request())
    assert refused.value.code == "O0002"


async def test_a_retried_withdrawal_refused_as_duplicate_returns_the_first_ones_result() -> None:
    duplicate = {"rsp_code": "A0326", "rsp_message": "거래고유번호 중복"}
    recorder = Recorder(
        {
            "/v2.0/transfer/withdraw/fin_num": [ok(duplicate)],
            "/oauth/2.0/token": [ok(TOKEN_OK)],
            "/v2.0/transfer/result": [ok(result_answer("M202300001U000000042"))],
        }
    )
    checkout = await gateway(recorder).checkout(checkout_request())
    assert checkout.approval is not None and checkout.approval.amount == 30000
    (query,) = recorder.sent("/v2.0/transfer/result")
    assert query.headers["authorization"] == f"Bearer {OOB_TOKEN}"
    assert json.loads(query.content)["check_type"] == "1"


async def test_a_duplicate_id_used_by_another_account_is_not_taken_as_our_payment() -> None:
    duplicate = {"rsp_code": "A0326", "rsp_message": "거래고유번호 중복"}
    someone_else = result_answer("M202300001U000000042")
    someone_else["res_list"][0]["wd_fintech_use_num"] = "199999999999999999999999"  # type: ignore[index]
    recorder = Recorder(
        {
            "/v2.0/transfer/withdraw/fin_num": [ok(duplicate)],
            "/oauth/2.0/token": [ok(TOKEN_OK)],
            "/v2.0/transfer/result": [ok(someone_else)],
        }
    )
    with pytest.raises(PaymentPlatformError) as refused:
        await gateway(recorder).checkout(checkout_request())
    assert refused.value.code == "DUPLICATE_BANK_TRAN_ID"


async def test_the_withdrawal_names_the_account_holder_the_client_gave() -> None:
    recorder = Recorder({"/v2.0/transfer/withdraw/fin_num": [ok(WITHDRAW_OK)]})
    payer = {"fintechUseNum": FINTECH, "accessToken": USER_TOKEN, "clientName": "홍길동"}
    await gateway(recorder).checkout(checkout_request(payer))
    (sent,) = recorder.requests
    assert json.loads(sent.content)["req_client_name"] == "홍길동"


async def test_the_pass_phrase_and_purposes_come_from_the_configuration() -> None:
    config = dataclasses.replace(
        CONFIG,
        wd_pass_phrase="790d56ed6b821a69",
        withdraw_purpose="TR",
        deposit_purpose="RC",
        req_client_name="공구주식회사",
    )
    recorder = Recorder(
        {
            "/v2.0/transfer/withdraw/fin_num": [ok(WITHDRAW_OK)],
            "/oauth/2.0/token": [ok(TOKEN_OK)],
            "/v2.0/transfer/deposit/fin_num": [ok(deposit_ok("M202300001U000000043"))],
        }
    )
    http = httpx.AsyncClient(transport=httpx.MockTransport(recorder))
    adapter = OpenBankingGateway(config, http, clock=lambda: NOW)
    await adapter.checkout(checkout_request())
    await adapter.refund(payment(), 30000, "group expired", PlatformCall(43, "k-43", NOW))
    withdrawal = json.loads(recorder.sent("/v2.0/transfer/withdraw/fin_num")[0].content)
    deposit = json.loads(recorder.sent("/v2.0/transfer/deposit/fin_num")[0].content)
    assert withdrawal["transfer_purpose"] == "TR"
    assert deposit["wd_pass_phrase"] == "790d56ed6b821a69"
    assert deposit["req_list"][0]["transfer_purpose"] == "RC"
    assert deposit["req_list"][0]["req_client_name"] == "공구주식회사"


async def test_refund_fetches_the_oob_token_once_and_sends_the_documented_deposit() -> None:
    recorder = Recorder(
        {
            "/oauth/2.0/token": [ok(TOKEN_OK)],
            "/v2.0/transfer/deposit/fin_num": [
                ok(deposit_ok("M202300001U000000043")),
                ok(deposit_ok("M202300001U000000044")),
            ],
        }
    )
    adapter = gateway(recorder)
    first = await adapter.refund(payment(), 30000, "group expired", PlatformCall(43, "k-43", NOW))
    await adapter.refund(payment(), 30000, "group expired", PlatformCall(44, "k-44", NOW))

    (token,) = recorder.sent("/oauth/2.0/token")
    assert token.headers["content-type"] == "application/x-www-form-urlencoded; charset=UTF-8"
    assert dict(parse_qsl(token.content.decode())) == {
        "client_id": "client-id-1",
        "client_secret": "client-secret-1",
        "scope": "oob",
        "grant_type": "client_credentials",
    }
    deposit = recorder.sent("/v2.0/transfer/deposit/fin_num")[0]
    assert deposit.headers["authorization"] == f"Bearer {OOB_TOKEN}"
    assert deposit.headers["content-type"] == "application/json; charset=UTF-8"
    assert json.loads(deposit.content) == {
        "cntr_account_type": "N",
        "cntr_account_num": "1101230000678",
        "wd_pass_phrase": "NONE",
        "wd_print_content": "환불77",
        "name_check_option": "off",
        "tran_dtime": "20240502102030",
        "req_cnt": "1",
        "req_list": [
            {
                "tran_no": "1",
                "bank_tran_id": "M202300001U000000043",
                "fintech_use_num": FINTECH,
                "print_content": "공구환불77",
                "tran_amt": "30000",
                "req_client_name": "gonggu-7",
                "req_client_fintech_use_num": FINTECH,
                "req_client_num": "U7",
                "transfer_purpose": "TR",
            }
        ],
    }
    assert first.refunded_amount == 30000


async def test_a_refund_retried_after_a_lost_answer_is_not_deposited_twice() -> None:
    tran_id = "M202300001U000000043"
    duplicate = {"rsp_code": "A0326", "rsp_message": "거래고유번호 중복"}
    recorder = Recorder(
        {
            "/oauth/2.0/token": [ok(TOKEN_OK)],
            "/v2.0/transfer/deposit/fin_num": [ok(duplicate)],
            "/v2.0/transfer/result": [ok(result_answer(tran_id))],
        }
    )
    refund = await gateway(recorder).refund(
        payment(), 30000, "group expired", PlatformCall(43, "k-43", NOW)
    )
    assert refund.refunded_amount == 30000
    (query,) = recorder.sent("/v2.0/transfer/result")
    item = json.loads(query.content)["req_list"][0]
    assert json.loads(query.content)["check_type"] == "2"
    assert item == {
        "tran_no": "1",
        "org_bank_tran_id": tran_id,
        "org_bank_tran_date": "20240502",
        "org_tran_amt": "30000",
    }


async def test_a_refund_retried_on_a_later_day_asks_for_the_result_first() -> None:
    yesterday = datetime(2024, 5, 1, 23, 59, 0, tzinfo=KST)
    recorder = Recorder(
        {
            "/oauth/2.0/token": [ok(TOKEN_OK)],
            "/v2.0/transfer/result": [ok(result_answer("M202300001U000000043"))],
        }
    )
    refund = await gateway(recorder).refund(
        payment(), 30000, "group expired", PlatformCall(43, "k-43", yesterday)
    )
    assert refund.refunded_amount == 30000
    assert recorder.sent("/v2.0/transfer/deposit/fin_num") == []
    item = json.loads(recorder.sent("/v2.0/transfer/result")[0].content)["req_list"][0]
    assert item["org_bank_tran_date"] == "20240501"


async def test_a_refused_oob_token_is_fetched_again_next_time() -> None:
    refused = {"rsp_code": "O0002", "rsp_message": "Access Token 검증 실패"}
    recorder = Recorder(
        {
            "/oauth/2.0/token": [ok(TOKEN_OK), ok(TOKEN_OK)],
            "/v2.0/transfer/deposit/fin_num": [ok(refused, 401), ok(deposit_ok("x"))],
        }
    )
    adapter = gateway(recorder)
    with pytest.raises(PaymentPlatformError):
        await adapter.refund(payment(), 30000, "r", PlatformCall(43, "k-43", NOW))
    await adapter.refund(payment(), 30000, "r", PlatformCall(43, "k-43", NOW))
    assert len(recorder.sent("/oauth/2.0/token")) == 2


async def test_lookup_sends_the_documented_result_inquiry() -> None:
    tran_id = "M202300001U000000042"
    recorder = Recorder(
        {"/oauth/2.0/token": [ok(TOKEN_OK)], "/v2.0/transfer/result": [ok(result_answer(tran_id))]}
    )
    looked_up = await gateway(recorder).lookup(
        payment(platform_tx_id=tran_id, approved_at=datetime(2024, 5, 1, 9, 0, tzinfo=KST))
    )
    (query,) = recorder.sent("/v2.0/transfer/result")
    assert str(query.url) == f"{BASE}/v2.0/transfer/result"
    assert query.headers["content-type"] == "application/json; charset=UTF-8"
    assert json.loads(query.content) == {
        "check_type": "1",
        "tran_dtime": "20240502102030",
        "req_cnt": "1",
        "req_list": [
            {
                "tran_no": "1",
                "org_bank_tran_id": tran_id,
                "org_bank_tran_date": "20240501",
                "org_tran_amt": "30000",
            }
        ],
    }
    assert (looked_up.status, looked_up.approved_amount) == (PlatformStatus.APPROVED, 30000)


@pytest.mark.parametrize(
    ("bank_rsp_code", "status"),
    [
        ("515", PlatformStatus.NOT_FOUND),
        ("453", PlatformStatus.FAILED),
        ("400", PlatformStatus.PENDING),
    ],
)
async def test_lookup_maps_the_banks_verdict(bank_rsp_code: str, status: PlatformStatus) -> None:
    tran_id = bank_tran_id("M202300001", 42)
    recorder = Recorder(
        {
            "/oauth/2.0/token": [ok(TOKEN_OK)],
            "/v2.0/transfer/result": [ok(result_answer(tran_id, bank_rsp_code))],
        }
    )
    looked_up = await gateway(recorder).lookup(payment(), PlatformCall(42, "k-42", NOW))
    assert looked_up.status is status


async def test_lookup_with_the_refund_attempt_sees_the_refund() -> None:
    tran_id = "M202300001U000000042"
    recorder = Recorder(
        {
            "/oauth/2.0/token": [ok(TOKEN_OK)],
            "/v2.0/transfer/result": [
                ok(result_answer(tran_id)),
                ok(result_answer("M202300001U000000043")),
            ],
        }
    )
    looked_up = await gateway(recorder).lookup(
        payment(platform_tx_id=tran_id), PlatformCall(43, "k-43", NOW)
    )
    assert (looked_up.status, looked_up.refunded_amount) == (PlatformStatus.REFUNDED, 30000)
    assert json.loads(recorder.requests[-1].content)["check_type"] == "2"


async def test_approve_is_refused_because_the_payment_completed_at_checkout() -> None:
    adapter = gateway(Recorder({}))
    assert adapter.reference_from_callback({"anything": "1"}) is None
    with pytest.raises(PaymentPlatformError):
        await adapter.approve(payment(), {}, PlatformCall(1, "k"))


def test_bank_tran_id_is_the_institution_code_u_and_nine_digits_of_the_attempt() -> None:
    assert bank_tran_id("M202300001", 42) == "M202300001U000000042"
    assert bank_tran_id("M202300001", 1_000_000_042) == "M202300001U000000042"
    assert len(bank_tran_id("M202300001", 999_999_999)) == 20

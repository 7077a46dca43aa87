"""The same payment lifecycle, run against every platform's adapter and sandbox over HTTP.

Each driver plays the buyer on its platform; the production adapter talks to the emulator.
Scenarios: start, pay, buyer cancels, payment fails, unknown payment, refund (once, repeated,
after a 5xx, after a lost answer), platform refusal, timeout, approval whose answer was lost,
and an approved amount that differs from the order's.
"""

from __future__ import annotations

import itertools
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from typing import Any

import httpx
import pytest

from domain.errors import PaymentOutcomeUnknown, PaymentPlatformError
from domain.ports.payment_gateway import (
    Approval,
    CheckoutRequest,
    Decline,
    PaymentGateway,
    PaymentRef,
    PlatformCall,
    PlatformStatus,
    Refund,
    ReturnUrls,
)
from tests.integration.payments.drivers import DRIVERS, PlatformDriver
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.anyio

_ids = itertools.count((int(time.time()) % 10**6) * 1000)
AMOUNT = 30_000


@dataclass
class Attempt:
    """One payment attempt as far as it got."""

    request: CheckoutRequest
    ref: PaymentRef
    call: PlatformCall
    result: Approval | Decline | None = None
    error: Exception | None = None


@dataclass
class Platform:
    driver: PlatformDriver
    gateway: PaymentGateway
    sandbox: httpx.AsyncClient
    base_url: str

    def new_call(self) -> PlatformCall:
        return PlatformCall(attempt_id=next(_ids), idempotency_key=str(uuid.uuid4()))

    async def new_request(self, amount: int = AMOUNT) -> CheckoutRequest:
        transaction_id = str(uuid.uuid4())
        back = f"http://merchant.invalid/{self.driver.pay_type.value}"
        return CheckoutRequest(
            payment=PaymentRef(
                order_id=next(_ids),
                user_id=7,
                transaction_id=transaction_id,
                amount=amount,
                item_name="공구 테스트 상품",
                quantity=2,
            ),
            return_urls=ReturnUrls(
                approval=f"{back}/done/{transaction_id}",
                fail=f"{back}/fail/{transaction_id}",
                cancel=f"{back}/cancel/{transaction_id}",
            ),
            call=self.new_call(),
            payer=await self.driver.payer(self.sandbox, self.base_url),
        )

    async def pay(self, ref_amount: int | None = None) -> Attempt:
        """Checkout, the buyer pays, approve (synchronous platforms stop at checkout)."""
        request = await self.new_request()
        attempt = Attempt(request, _with_payer(request), request.call)
        try:
            checkout = await self.gateway.checkout(request)
        except (PaymentPlatformError, PaymentOutcomeUnknown) as exc:
            attempt.error = exc
            return attempt
        attempt.ref = replace(attempt.ref, platform_tx_id=checkout.platform_tx_id)
        if checkout.approval is not None:
            attempt.result = checkout.approval
            attempt.ref = replace(attempt.ref, platform_tx_id=checkout.approval.platform_tx_id)
            return attempt
        callback = await self.driver.buyer_pays(self.sandbox, request, checkout) or {}
        tx_id = self.gateway.reference_from_callback(callback) or checkout.platform_tx_id
        attempt.ref = replace(attempt.ref, platform_tx_id=tx_id)
        if ref_amount is not None:
            attempt.ref = replace(attempt.ref, amount=ref_amount)
        attempt.call = self.new_call()
        try:
            attempt.result = await self.gateway.approve(attempt.ref, callback, attempt.call)
        except (PaymentPlatformError, PaymentOutcomeUnknown) as exc:
            attempt.error = exc
        return attempt

    async def paid(self) -> tuple[PaymentRef, Approval, PlatformCall]:
        """A payment approved in full, with the call that took the money."""
        attempt = await self.pay()
        assert isinstance(attempt.result, Approval), attempt.error or attempt.result
        ref = replace(
            attempt.ref,
            platform_tx_id=attempt.result.platform_tx_id,
            approved_at=attempt.result.approved_at,
        )
        return ref, attempt.result, attempt.call

    async def arm(self, operation: str, kind: str, status: int = 500) -> None:
        answer = await self.sandbox.post(
            f"{self.base_url}/__sandbox__/faults",
            json={"operation": operation, "kind": kind, "times": 1, "status": status},
        )
        assert answer.status_code < 300, answer.text

    async def records(self, attempt_ref: PaymentRef) -> list[dict[str, Any]]:
        """The sandbox's records of this payment (matched by any of its ids)."""
        answer = await self.sandbox.get(f"{self.base_url}/__sandbox__/payments")
        keys = {str(attempt_ref.order_id), attempt_ref.transaction_id}
        if attempt_ref.platform_tx_id:
            keys.add(attempt_ref.platform_tx_id)
        return [
            record
            for record in answer.json()["payments"]
            if any(_mentions(value, keys) for value in record.values())
        ]

    async def approvals(self, ref: PaymentRef) -> int:
        return sum(int(record["approvals"]) for record in await self.records(ref))

    async def refunds(self, ref: PaymentRef) -> int:
        return sum(int(record["refunds"]) for record in await self.records(ref))


def _mentions(value: object, keys: set[str]) -> bool:
    """A record names our payment by one of its ids, maybe inside a longer text."""
    text = str(value)
    return text in keys or any(len(key) >= 6 and key in text for key in keys)


def _with_payer(request: CheckoutRequest) -> PaymentRef:
    return replace(request.payment, payer_ref=request.payer.get("fintechUseNum"))


@pytest.fixture(params=DRIVERS, ids=[d.pay_type.value for d in DRIVERS])
def driver(request: pytest.FixtureRequest) -> PlatformDriver:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def base_url(sandbox_server: LiveServer, driver: PlatformDriver) -> Iterator[str]:
    url = f"{sandbox_server.url}/{driver.prefix}"
    yield url
    httpx.delete(f"{url}/__sandbox__/faults").raise_for_status()


@pytest.fixture
async def platform(driver: PlatformDriver, base_url: str) -> AsyncIterator[Platform]:
    async with httpx.AsyncClient() as http, httpx.AsyncClient() as sandbox:
        yield Platform(driver, driver.build_gateway(base_url, http), sandbox, base_url)


def _operation(driver: PlatformDriver, name: str, default: str) -> str:
    return str(getattr(driver, name, default))


async def test_checkout_gives_the_client_what_it_needs(platform: Platform) -> None:
    request = await platform.new_request()
    checkout = await platform.gateway.checkout(request)
    assert checkout.client_data
    if checkout.approval is not None:
        assert checkout.approval.amount == AMOUNT
        return
    ref = replace(request.payment, platform_tx_id=checkout.platform_tx_id)
    looked_up = await platform.gateway.lookup(ref, request.call)
    assert looked_up.status in (PlatformStatus.PENDING, PlatformStatus.NOT_FOUND)


async def test_a_paid_payment_is_approved_for_the_full_amount(platform: Platform) -> None:
    ref, approval, call = await platform.paid()
    assert approval.amount == AMOUNT
    assert approval.platform_tx_id
    looked_up = await platform.gateway.lookup(ref, call)
    assert looked_up.status is PlatformStatus.APPROVED
    assert looked_up.approved_amount == AMOUNT
    assert await platform.approvals(ref) == 1


async def _abandon(platform: Platform, how: str) -> tuple[PaymentRef, Approval | Decline | None]:
    request = await platform.new_request()
    checkout = await platform.gateway.checkout(request)
    step = getattr(platform.driver, how, None)
    callback = (
        None
        if checkout.approval or step is None
        else await step(platform.sandbox, request, checkout)
    )
    if callback is None:
        pytest.skip(f"{platform.driver.pay_type.value} has no {how} step")
    tx_id = platform.gateway.reference_from_callback(callback) or checkout.platform_tx_id
    ref = replace(request.payment, platform_tx_id=tx_id)
    try:
        outcome: Approval | Decline | None = await platform.gateway.approve(
            ref, callback, platform.new_call()
        )
    except PaymentPlatformError:
        outcome = None
    return ref, outcome


async def test_a_buyer_who_cancels_is_never_charged(platform: Platform) -> None:
    ref, outcome = await _abandon(platform, "buyer_cancels")
    assert outcome is None or (isinstance(outcome, Decline) and outcome.cancelled_by_user)
    looked_up = await platform.gateway.lookup(ref)
    assert looked_up.status in (
        PlatformStatus.CANCELLED,
        PlatformStatus.PENDING,
        PlatformStatus.NOT_FOUND,
    )
    assert await platform.approvals(ref) == 0


async def test_a_failed_payment_is_never_charged(platform: Platform) -> None:
    ref, outcome = await _abandon(platform, "buyer_fails")
    assert outcome is None or isinstance(outcome, Decline)
    looked_up = await platform.gateway.lookup(ref)
    assert looked_up.status in (
        PlatformStatus.FAILED,
        PlatformStatus.PENDING,
        PlatformStatus.NOT_FOUND,
    )
    assert await platform.approvals(ref) == 0


async def test_an_unknown_payment_is_not_found(platform: Platform) -> None:
    request = await platform.new_request()
    ref = replace(request.payment, platform_tx_id="T" + uuid.uuid4().hex[:19])
    looked_up = await platform.gateway.lookup(ref, platform.new_call())
    assert looked_up.status is PlatformStatus.NOT_FOUND


async def test_a_full_refund_gives_everything_back_once(platform: Platform) -> None:
    ref, approval, _ = await platform.paid()
    refund_call = platform.new_call()
    refund = await platform.gateway.refund(ref, approval.amount, "group expired", refund_call)
    assert isinstance(refund, Refund)
    assert refund.refunded_amount == AMOUNT
    # Asked about the refund's own call: Open Banking refunds by a separate deposit that only
    # its bank_tran_id finds; the other platforms look the payment itself up.
    looked_up = await platform.gateway.lookup(ref, refund_call)
    assert looked_up.status is PlatformStatus.REFUNDED
    assert looked_up.refunded_amount == AMOUNT
    assert await platform.refunds(ref) == 1


async def test_a_refund_repeated_with_the_same_call_refunds_once(platform: Platform) -> None:
    ref, approval, _ = await platform.paid()
    call = platform.new_call()
    await platform.gateway.refund(ref, approval.amount, "group expired", call)
    again = await platform.gateway.refund(ref, approval.amount, "group expired", call)
    assert again.refunded_amount == AMOUNT
    assert await platform.refunds(ref) == 1


async def test_a_platform_refusal_is_a_platform_error(platform: Platform) -> None:
    await platform.arm(_operation(platform.driver, "approve_operation", "approve"), "error", 400)
    attempt = await platform.pay()
    assert isinstance(attempt.error, PaymentPlatformError), attempt.result or attempt.error
    assert await platform.approvals(attempt.ref) == 0


async def test_a_platform_that_does_not_answer_is_an_unknown_outcome(platform: Platform) -> None:
    await platform.arm(_operation(platform.driver, "approve_operation", "approve"), "timeout")
    started = time.monotonic()
    attempt = await platform.pay()
    assert isinstance(attempt.error, PaymentOutcomeUnknown), attempt.result or attempt.error
    assert time.monotonic() - started < 5


async def test_an_approval_whose_answer_was_lost_is_found_by_lookup(platform: Platform) -> None:
    await platform.arm(_operation(platform.driver, "approve_operation", "approve"), "no_answer")
    attempt = await platform.pay()
    assert isinstance(attempt.error, PaymentOutcomeUnknown), attempt.result or attempt.error
    looked_up = await platform.gateway.lookup(attempt.ref, attempt.call)
    assert looked_up.status is PlatformStatus.APPROVED
    assert looked_up.approved_amount == AMOUNT
    assert await platform.approvals(attempt.ref) == 1


@pytest.mark.parametrize("kind", ["error", "no_answer"])
async def test_a_refund_retried_after_a_lost_answer_refunds_once(
    platform: Platform, kind: str
) -> None:
    ref, approval, _ = await platform.paid()
    await platform.arm(_operation(platform.driver, "refund_operation", "cancel"), kind, 500)
    call = platform.new_call()
    with pytest.raises(PaymentOutcomeUnknown):
        await platform.gateway.refund(ref, approval.amount, "group expired", call)
    refund = await platform.gateway.refund(ref, approval.amount, "group expired", call)
    assert refund.refunded_amount == AMOUNT
    looked_up = await platform.gateway.lookup(ref, call)
    assert looked_up.status is PlatformStatus.REFUNDED
    assert await platform.refunds(ref) == 1


async def test_an_amount_that_differs_from_the_order_is_reported_truthfully(
    platform: Platform,
) -> None:
    attempt = await platform.pay(ref_amount=AMOUNT + 1_000)
    if attempt.result is not None and attempt.ref.amount == AMOUNT:
        pytest.skip("a synchronous platform takes the order's amount at checkout")
    if isinstance(attempt.result, Decline):
        assert await platform.approvals(attempt.ref) == 0
    else:
        assert isinstance(attempt.result, Approval), attempt.error
        assert attempt.result.amount == AMOUNT != attempt.ref.amount

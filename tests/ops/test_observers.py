"""The two decorators bootstrap puts around adapters: events reach the observer only once
committed; platform calls are measured with the outcome the caller saw."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from prometheus_client import REGISTRY

from adapters.inbound.http.ops.page import stuck_table
from adapters.outbound.payments.instrumented import InstrumentedGateway
from adapters.outbound.persistence.observed_unit_of_work import ObservedUnitOfWorkFactory
from adapters.outbound.persistence.operator_queries import StuckMoney
from domain.errors import PaymentOutcomeUnknown, PaymentPlatformError
from domain.events import DomainEvent, EventType
from domain.pay_type import PayType
from domain.ports.payment_gateway import Decline

pytestmark = pytest.mark.anyio
AT = datetime(2026, 1, 1, tzinfo=UTC)


class _Outbox:
    def __init__(self) -> None:
        self.stored: list[DomainEvent] = []

    async def add(self, event: DomainEvent) -> None:
        self.stored.append(event)


class _Uow:
    def __init__(self) -> None:
        self.outbox: Any = _Outbox()
        self.orders = "the orders repository"

    async def __aenter__(self) -> _Uow:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def commit(self) -> None:
        return None


def _event(kind: EventType = EventType.ORDER_PAID) -> DomainEvent:
    return DomainEvent(kind, AT, {"orderId": 1, "payType": "KAKAO_PAY"})


async def test_only_committed_events_reach_the_observer() -> None:
    seen: list[list[DomainEvent]] = []
    factory = ObservedUnitOfWorkFactory(_Uow, lambda events: seen.append(list(events)))

    async with factory() as uow:
        await uow.outbox.add(_event())  # rolled back: never committed
    async with factory() as uow:
        assert uow.orders == "the orders repository"
        first, second = _event(), _event(EventType.ORDER_REFUNDED)
        await uow.outbox.add(first)
        await uow.commit()
        await uow.outbox.add(second)
        await uow.commit()
        await uow.commit()  # nothing new: no call

    assert seen == [[first], [second]]


class _Gateway:
    pay_type = PayType.TOSS_PAYMENTS

    def __init__(self, answer: Any) -> None:
        self.answer = answer

    async def lookup(self, *_: Any) -> Any:
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer

    def reference_from_callback(self, callback: dict[str, str]) -> str | None:
        return callback.get("paymentKey")


def _calls(outcome: str) -> float:
    labels = {"platform": "TOSS_PAYMENTS", "operation": "lookup", "outcome": outcome}
    return REGISTRY.get_sample_value("gonggu_platform_calls_total", labels) or 0.0


@pytest.mark.parametrize(
    ("answer", "outcome"),
    [
        ("a lookup", "ok"),
        (Decline("no", cancelled_by_user=True, raw={}), "refused"),
        (PaymentPlatformError("toss", "NOT_FOUND_PAYMENT"), "refused"),
        (PaymentOutcomeUnknown("toss", "timed out"), "unknown"),
        (RuntimeError("bug"), "unknown"),
    ],
)
async def test_each_call_counts_with_its_outcome(answer: Any, outcome: str) -> None:
    gateway = InstrumentedGateway(_Gateway(answer))
    before = _calls(outcome)
    try:
        await gateway.lookup("payment")
    except Exception as exc:
        assert exc is answer  # the caller sees exactly what the gateway raised
    assert _calls(outcome) - before == 1
    assert gateway.reference_from_callback({"paymentKey": "pk"}) == "pk"  # passed through


def test_the_console_escapes_what_a_platform_or_a_row_says() -> None:
    hostile = "<script>alert(1)</script>"
    item = StuckMoney(
        kind="refund pending",
        order_id=1,
        transaction_id=hostile,
        platform=hostile,
        state="REFUNDING",
        amount=1,
        since=AT,
        age_s=5,
        attempts=1,
        last_error=hostile,
    )
    html = stuck_table([item], {}, {})
    assert "<script>" not in html and "&lt;script&gt;" in html

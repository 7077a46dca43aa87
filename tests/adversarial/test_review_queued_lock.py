"""Review: two refunds of one order race (a withdrawal and the worker's retry, a group expiry
and a withdrawal, two workers). The second waits for the order's lock while the first claims
its refund attempt; once the first commits, the second must see that attempt (busy: no call),
not claim a second one with a new key and pay the money back a second time.

Real PostgreSQL units of work, the real payment runner, a recording fake platform; the first
caller's claim is held until the second is queued behind its lock, so the race is certain."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import anyio
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.outbound.persistence.engine import create_engine, session_factory
from adapters.outbound.persistence.mapping import start_mappers
from adapters.outbound.persistence.unit_of_work import SqlaUnitOfWorkFactory
from application.payment_runner import PaymentRunner
from application.place_order import PlaceOrder, PlaceOrderCommand
from application.refund_payment import RefundPayment
from application.settings import PaymentPolicy
from domain.order import OrderState
from domain.pay_type import PayType
from domain.payment import Operation, PaymentAttempt
from tests.integration.persistence.factories import new_product, new_user
from tests.support.databases import wait_until_a_backend_waits_for_a_lock
from tests.unit.fakes import FakeClock, FakeGateways, FakeIds, FakeReturnUrls

pytestmark = [pytest.mark.anyio, pytest.mark.postgres]


@pytest.fixture
async def engine(postgres_url: str, anyio_backend: str) -> AsyncIterator[AsyncEngine]:
    from tests.support.databases import truncate_all

    start_mappers()
    truncate_all(postgres_url)
    engine = create_engine(postgres_url, pool_size=5)
    yield engine
    await engine.dispose()


class _HoldFirstRefundClaim:
    """The real factory; the first unit that claims a REFUND attempt commits only once another
    unit waits for a row lock."""

    def __init__(self, inner: SqlaUnitOfWorkFactory, engine: AsyncEngine) -> None:
        self._inner, self._engine = inner, engine
        self.held = False

    def __call__(self, **options: Any) -> Any:
        return _Unit(self._inner(**options), self)


class _Unit:
    def __init__(self, inner: Any, factory: _HoldFirstRefundClaim) -> None:
        self._inner, self._factory = inner, factory
        self._claims_refund = False

    async def __aenter__(self) -> _Unit:
        await self._inner.__aenter__()
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self._inner.__aexit__(*exc)

    @property
    def attempts(self) -> Any:
        unit, inner = self, self._inner.attempts

        class _Spy:
            async def add(self, attempt: PaymentAttempt) -> None:
                unit._claims_refund |= attempt.operation is Operation.REFUND
                await inner.add(attempt)

            def __getattr__(self, name: str) -> Any:
                return getattr(inner, name)

        return _Spy()

    async def commit(self) -> None:
        if self._claims_refund and not self._factory.held:
            self._factory.held = True
            await wait_until_a_backend_waits_for_a_lock(self._factory._engine)
        await self._inner.commit()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


@pytest.mark.parametrize("pay_type", [PayType.OPEN_BANKING, PayType.KAKAO_PAY])
async def test_two_racing_refunds_of_one_order_pay_back_once(
    engine: AsyncEngine, pay_type: PayType
) -> None:
    plain = SqlaUnitOfWorkFactory(session_factory(engine))
    user, product = await new_user(plain), await new_product(plain)
    clock, ids = FakeClock(), FakeIds()
    gateways = FakeGateways(clock)
    uow = _HoldFirstRefundClaim(plain, engine)
    runner = PaymentRunner(uow, gateways, clock, ids, PaymentPolicy())  # type: ignore[arg-type]
    payer = {"fintechUseNum": "199000000000000000000001", "accessToken": "t"}
    placed = await PlaceOrder(runner, FakeReturnUrls(), ids).execute(
        PlaceOrderCommand(
            user_id=user.id or 0,
            product_id=product.id or 0,
            product_option_id=0,
            quantity=1,
            min_share=2,
            max_share=0,
            pay_type=pay_type,
            payer=payer if pay_type.takes_payer_account else {},
        )
    )
    order_id = placed.order.id or 0
    async with plain() as tx:
        order = await tx.orders.lock_with_payment(order_id=order_id)
        assert order is not None
        if order.state is OrderState.PAYMENT_PENDING:  # a redirect platform: approve it here
            order.pay.begin_approval(clock.now())
            order.pay.approved("T-1", order.pay.amount, clock.now())
            order.mark_paid(clock.now())
        assert order.state is OrderState.PAID
        order.withdraw_payment(clock.now(), clock.now() + timedelta(seconds=60))
        await tx.commit()

    refunds = RefundPayment(runner)
    outcomes = []

    async def refund(reason: str) -> None:
        outcomes.append(await refunds.execute(order_id, reason=reason))

    with anyio.fail_after(30):
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(refund, "buyer withdrew")
            tasks.start_soon(refund, "worker retry")

    calls = gateways.for_type(pay_type).calls_of("refund")
    assert uow.held, "the race did not happen"
    # Exactly one refund call: the queued caller finds the first one's fresh attempt (busy).
    assert [c.idempotency_key for c in calls] == [calls[0].idempotency_key]
    async with plain() as tx:
        payment = await tx.payments.of_order(order_id)
        assert payment is not None and payment.id is not None
        refund_attempts = [
            a for a in await tx.attempts.of_payment(payment.id) if a.operation is Operation.REFUND
        ]
    assert len(refund_attempts) == 1

from __future__ import annotations

import pytest

from adapters.outbound.persistence.unit_of_work import SqlaUnitOfWorkFactory
from domain.errors import Conflict
from domain.payment import AttemptState, Operation, Payment, PaymentAttempt, PaymentState
from tests.integration.persistence.factories import (
    T0,
    at,
    new_order,
    new_payment,
    new_product,
    new_user,
)

pytestmark = pytest.mark.anyio


async def test_a_payment_reads_back_with_its_nullable_fields_empty_then_filled(
    uow: SqlaUnitOfWorkFactory,
) -> None:
    order = await new_order(uow, await new_user(uow), await new_product(uow))
    payment = await new_payment(uow, order)

    async with uow() as tx:
        fresh = await tx.payments.of_order(order.id or 0, for_update=True)
        assert fresh is not None
        assert (fresh.platform_tx_id, fresh.approved_at, fresh.next_retry_at) == (None, None, None)
        fresh.begin_approval(at(1))
        fresh.approved("T-123", fresh.amount, at(2))
        fresh.raw_response = '{"tid": "T-123"}'
        fresh.payer_ref = "fintech-1"
        fresh.begin_refund(at(3))
        await tx.commit()

    async with uow() as tx:
        loaded = await tx.payments.of_order(order.id or 0)

    assert loaded is not None and loaded.id == payment.id
    assert loaded.platform is order.pay_type
    assert loaded.state is PaymentState.REFUNDING
    assert (loaded.platform_tx_id, loaded.approved_amount, loaded.approved_at) == (
        "T-123",
        order.trans_amount,
        at(2),
    )
    assert (loaded.raw_response, loaded.payer_ref, loaded.next_retry_at) == (
        '{"tid": "T-123"}',
        "fintech-1",
        at(3),
    )
    assert (loaded.created_at, loaded.updated_at, loaded.cancelled_at) == (T0, at(3), None)


async def test_an_order_without_payment_has_none(uow: SqlaUnitOfWorkFactory) -> None:
    async with uow() as tx:
        assert await tx.payments.of_order(404) is None


async def test_a_second_payment_for_an_order_is_a_conflict(uow: SqlaUnitOfWorkFactory) -> None:
    order = await new_order(uow, await new_user(uow), await new_product(uow))
    await new_payment(uow, order)

    with pytest.raises(Conflict, match="already has a payment"):
        async with uow() as tx:
            await tx.payments.add(Payment.start(order.id or 0, order.pay_type, 1, T0))


async def test_stale_takes_old_undecided_and_due_refunding_payments(
    uow: SqlaUnitOfWorkFactory,
) -> None:
    user, product = await new_user(uow), await new_product(uow)

    async def payment(state: PaymentState, updated: int, retry: int | None = None) -> Payment:
        order = await new_order(uow, user, product)
        return await new_payment(
            uow,
            order,
            state=state,
            updated=at(updated),
            next_retry_at=None if retry is None else at(retry),
        )

    ready = await payment(PaymentState.READY, 0)
    approving = await payment(PaymentState.APPROVING, 10)
    await payment(PaymentState.READY, 100)  # touched after the cutoff
    await payment(PaymentState.APPROVED, 0)
    refund_due = await payment(PaymentState.REFUNDING, 0, retry=200)
    await payment(PaymentState.REFUNDING, 0, retry=400)  # retry not due yet
    await payment(PaymentState.REFUNDED, 0)

    async with uow() as tx:
        found = await tx.payments.stale(cutoff=at(50), now=at(300), limit=10)
        limited = await tx.payments.stale(cutoff=at(50), now=at(300), limit=2)

    assert [p.id for p in found] == [ready.id, approving.id, refund_due.id]
    assert [p.id for p in limited] == [ready.id, approving.id]


async def test_attempts_are_numbered_and_the_open_one_is_found(
    uow: SqlaUnitOfWorkFactory,
) -> None:
    order = await new_order(uow, await new_user(uow), await new_product(uow))
    payment_id = (await new_payment(uow, order)).id or 0

    async with uow() as tx:
        checkout = PaymentAttempt(
            payment_id, Operation.CHECKOUT, "k-1", AttemptState.IN_FLIGHT, T0, T0
        )
        await tx.attempts.add(checkout)
        assert checkout.id is not None
        checkout.succeeded(at(1))
        failed = PaymentAttempt(
            payment_id, Operation.APPROVE, "k-2", AttemptState.IN_FLIGHT, T0, T0
        )
        await tx.attempts.add(failed)
        failed.failed("declined", at(2))
        lost = PaymentAttempt(payment_id, Operation.APPROVE, "k-3", AttemptState.IN_FLIGHT, T0, T0)
        await tx.attempts.add(lost)
        lost.unknown("timeout", at(3))
        await tx.commit()

    async with uow() as tx:
        open_approve = await tx.attempts.open_attempt(payment_id, Operation.APPROVE)
        open_checkout = await tx.attempts.open_attempt(payment_id, Operation.CHECKOUT)
        open_refund = await tx.attempts.open_attempt(payment_id, Operation.REFUND)
        history = await tx.attempts.of_payment(payment_id)

    assert open_approve is not None
    assert (open_approve.id, open_approve.idempotency_key, open_approve.state) == (
        lost.id,
        "k-3",
        AttemptState.UNKNOWN,
    )
    assert (open_approve.error, open_approve.tries, open_approve.updated_at) == (
        "timeout",
        1,
        at(3),
    )
    assert open_checkout is None and open_refund is None
    assert [(a.id, a.state, a.error) for a in history] == [
        (checkout.id, AttemptState.SUCCEEDED, None),
        (failed.id, AttemptState.FAILED, "declined"),
        (lost.id, AttemptState.UNKNOWN, "timeout"),
    ]


async def test_a_reused_idempotency_key_is_a_conflict(uow: SqlaUnitOfWorkFactory) -> None:
    order = await new_order(uow, await new_user(uow), await new_product(uow))
    payment_id = (await new_payment(uow, order)).id or 0

    with pytest.raises(Conflict, match="idempotency key"):
        async with uow() as tx:
            for _ in range(2):
                await tx.attempts.add(
                    PaymentAttempt(
                        payment_id, Operation.REFUND, "same", AttemptState.IN_FLIGHT, T0, T0
                    )
                )
            # On PostgreSQL the rows are written with the unit's next statement, at the latest
            # its commit: the conflict is raised there.
            await tx.commit()

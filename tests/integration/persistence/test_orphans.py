"""Orphan payments and the order aggregate's storage, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from adapters.outbound.persistence.unit_of_work import SqlaUnitOfWorkFactory
from domain.errors import Conflict
from domain.orphan import OrphanPayment, OrphanState
from domain.pay_type import PayType
from domain.payment import AttemptState, Operation, PaymentAttempt
from tests.integration.persistence.factories import (
    T0,
    at,
    new_order,
    new_payment,
    new_product,
    new_user,
)

pytestmark = pytest.mark.anyio


def orphan_of(order_id: int, tx: str = "NP-1") -> OrphanPayment:
    return OrphanPayment.found(
        order_id=order_id,
        platform=PayType.NAVER_PAY,
        platform_tx_id=tx,
        amount=30_000,
        reason="merchantPayKey is another order's",
        at=T0,
        first_retry_at=at(60),
        merchant_ref="tx-b",
    )


async def test_an_orphan_reads_back_and_is_found_by_its_platform_payment(
    uow: SqlaUnitOfWorkFactory,
) -> None:
    order = await new_order(uow, await new_user(uow), await new_product(uow))
    async with uow() as tx:
        orphan = orphan_of(order.id or 0)
        await tx.orphans.add(orphan)
        assert orphan.id is not None
        await tx.commit()

    async with uow() as tx:
        found = await tx.orphans.find(PayType.NAVER_PAY, "NP-1")
        missing = await tx.orphans.find(PayType.TOSS_PAYMENTS, "NP-1")

    assert found is not None and found.id == orphan.id
    assert (found.amount, found.state, found.merchant_ref) == (
        30_000,
        OrphanState.REFUNDING,
        "tx-b",
    )
    assert found.next_retry_at == at(60) and found.events == []
    assert missing is None


async def test_the_same_platform_payment_is_one_orphan(uow: SqlaUnitOfWorkFactory) -> None:
    order = await new_order(uow, await new_user(uow), await new_product(uow))
    async with uow() as tx:
        await tx.orphans.add(orphan_of(order.id or 0))
        await tx.commit()

    with pytest.raises(Conflict):
        async with uow() as tx:
            await tx.orphans.add(orphan_of(order.id or 0))


async def test_due_orphans_are_those_refunding_whose_retry_has_come(
    uow: SqlaUnitOfWorkFactory,
) -> None:
    order = await new_order(uow, await new_user(uow), await new_product(uow))
    async with uow() as tx:
        early, late, done = orphan_of(order.id or 0, "a"), orphan_of(order.id or 0, "b"), None
        late.next_retry_at = at(3600)
        done = orphan_of(order.id or 0, "c")
        for orphan in (early, late, done):
            await tx.orphans.add(orphan)
        done.refunded(30_000, at(1))
        await tx.commit()

    async with uow() as tx:
        due = await tx.orphans.due(at(120), 10)

    assert [o.platform_tx_id for o in due] == ["a"]


async def test_an_order_is_locked_with_its_payment_and_attempts_update_by_id(
    uow: SqlaUnitOfWorkFactory,
) -> None:
    order = await new_order(uow, await new_user(uow), await new_product(uow))
    payment = await new_payment(uow, order)
    async with uow() as tx:
        attempt = PaymentAttempt.begin(payment.id or 0, Operation.APPROVE, "key-1", T0)
        await tx.attempts.add(attempt)
        await tx.commit()

    attempt.unknown("timeout", at(5))
    async with uow() as tx:
        locked = await tx.orders.lock_with_payment(transaction_id=order.transaction_id)
        assert locked is not None and locked.pay.id == payment.id
        await tx.attempts.update(attempt)
        await tx.commit()

    async with uow() as tx:
        [stored] = await tx.attempts.open_attempts(payment.id or 0)
        by_id = await tx.orders.lock_with_payment(order_id=order.id)
        nobody = await tx.orders.lock_with_payment(order_id=10_000)
    assert (stored.state, stored.error, stored.updated_at) == (
        AttemptState.UNKNOWN,
        "timeout",
        at(5),
    )
    assert by_id is not None and by_id.pay.order_id == order.id
    assert nobody is None

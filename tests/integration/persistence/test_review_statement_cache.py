"""Review: the write batch keeps one built statement per shape (which tables, which columns, in
which order). The reconciler's lease writes a different mix of columns to each stale payment
(`updated_at` of a waiting one, `next_retry_at` of a refunding one), in the session's (set)
order: nearly every lease is a new shape. A long-running worker must not keep them all."""

from __future__ import annotations

import random

import pytest

from adapters.outbound.persistence import write_batch
from adapters.outbound.persistence.unit_of_work import SqlaUnitOfWorkFactory
from tests.integration.persistence.factories import (
    at,
    new_order,
    new_payment,
    new_product,
    new_user,
)

pytestmark = pytest.mark.anyio

LEASES = 300


async def test_the_statements_kept_for_the_batches_shapes_stay_bounded(
    uow: SqlaUnitOfWorkFactory, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite writes each row at once: no batch, no statement per shape")
    user, product = await new_user(uow), await new_product(uow)
    for n in range(12):
        await new_payment(uow, await new_order(uow, user, product), updated=at(n))
    rng = random.Random(8)
    kept_before = len(write_batch._STATEMENTS)

    for lease in range(LEASES):
        # What ReconcilePayments._lease_stale does, with a mix of waiting and refunding ones.
        async with uow() as tx:
            now = at(1_000 + lease)
            for payment in await tx.payments.stale(at(900), now, 100):
                if rng.random() < 0.5:
                    payment.checked(at(0))  # stays stale for the next lease
                else:
                    payment.defer_refund(now)
            await tx.commit()

    grown = len(write_batch._STATEMENTS) - kept_before
    assert grown <= 128, f"{grown} statements kept after {LEASES} leases"

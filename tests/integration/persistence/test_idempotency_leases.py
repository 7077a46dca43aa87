"""Leases of Idempotency-Key claims in the store, on SQLite and PostgreSQL: a claim is held for
its lease, then the same request (and only the same request) takes it over, keeping the
transactionId the first holder reserved; of concurrent takeovers exactly one wins."""

from __future__ import annotations

from datetime import timedelta

import anyio
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.outbound.persistence.engine import session_factory
from adapters.outbound.persistence.idempotency_store import SqlaIdempotencyStore
from domain.ports.idempotency import Claim, IdempotencyRecord, RecordState
from tests.integration.persistence.factories import at

pytestmark = pytest.mark.anyio
LEASE = timedelta(seconds=60)


@pytest.fixture
def store(engine: AsyncEngine) -> SqlaIdempotencyStore:
    return SqlaIdempotencyStore(session_factory(engine), LEASE)


def attempt(now: int, *, request_hash: str = "h1", tx: str = "tx-first") -> IdempotencyRecord:
    return IdempotencyRecord(
        scope="7",
        key="k",
        request_hash=request_hash,
        state=RecordState.IN_PROGRESS,
        created_at=at(now),
        expires_at=at(now) + timedelta(hours=24),
        locked_at=at(now),
        transaction_id=tx,
    )


async def test_a_claim_is_held_for_its_lease(store: SqlaIdempotencyStore) -> None:
    assert (await store.acquire(attempt(0))).won

    during = await store.acquire(attempt(59, tx="tx-second"))

    assert not during.won
    assert during.record.transaction_id == "tx-first"


async def test_after_the_lease_the_same_request_takes_over_with_the_reserved_transaction(
    store: SqlaIdempotencyStore,
) -> None:
    await store.acquire(attempt(0))

    after = await store.acquire(attempt(61, tx="tx-second"))

    assert after.won
    assert after.record.transaction_id == "tx-first"
    assert after.record.locked_at == at(61)
    assert not (await store.acquire(attempt(62, tx="tx-third"))).won  # the new holder's lease


async def test_another_request_never_takes_over_a_claim(store: SqlaIdempotencyStore) -> None:
    await store.acquire(attempt(0))

    other = await store.acquire(attempt(3600, request_hash="h2", tx="tx-other"))

    assert not other.won
    assert other.record.request_hash == "h1"


async def test_a_released_lease_is_taken_over_at_once_and_a_done_key_never(
    store: SqlaIdempotencyStore,
) -> None:
    first = await store.acquire(attempt(0))
    await store.release("7", "k", at(5))  # not the holder's lease: nothing happens
    assert not (await store.acquire(attempt(1))).won

    await store.release("7", "k", first.record.locked_at)
    resumed = await store.acquire(attempt(2, tx="tx-second"))
    await store.complete("7", "k", 200, '{"statusCode": 200}')
    done = await store.acquire(attempt(3600))

    assert resumed.won and resumed.record.transaction_id == "tx-first"
    assert not done.won
    assert (done.record.state, done.record.response_body) == (
        RecordState.DONE,
        '{"statusCode": 200}',
    )


async def test_only_one_of_twenty_concurrent_takeovers_of_a_lapsed_lease_wins(
    store: SqlaIdempotencyStore,
) -> None:
    await store.acquire(attempt(0))
    outcomes: list[Claim] = []

    async def retry(n: int) -> None:
        outcomes.append(await store.acquire(attempt(120, tx=f"tx-{n}")))

    async with anyio.create_task_group() as tasks:
        for n in range(20):
            tasks.start_soon(retry, n)

    assert sum(o.won for o in outcomes) == 1
    assert {o.record.transaction_id for o in outcomes} == {"tx-first"}

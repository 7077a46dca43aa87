from __future__ import annotations

from datetime import timedelta

import anyio
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.outbound.persistence.engine import session_factory
from adapters.outbound.persistence.idempotency_store import SqlaIdempotencyStore
from domain.ports.idempotency import IdempotencyRecord, RecordState
from tests.integration.persistence.factories import T0, at

pytestmark = pytest.mark.anyio


@pytest.fixture
def store(engine: AsyncEngine) -> SqlaIdempotencyStore:
    return SqlaIdempotencyStore(session_factory(engine))


def record(key: str = "k", *, request_hash: str = "h1", now: int = 0) -> IdempotencyRecord:
    return IdempotencyRecord(
        scope="POST /api/v1/order/execute",
        key=key,
        request_hash=request_hash,
        state=RecordState.IN_PROGRESS,
        created_at=at(now),
        expires_at=at(now) + timedelta(hours=24),
    )


async def test_the_first_claim_wins_and_later_ones_see_it(store: SqlaIdempotencyStore) -> None:
    assert await store.claim(record()) is None

    seen = await store.claim(record(request_hash="h2", now=5))

    assert seen is not None
    assert (seen.request_hash, seen.state, seen.created_at, seen.response_status) == (
        "h1",
        RecordState.IN_PROGRESS,
        T0,
        None,
    )


async def test_a_completed_claim_gives_back_the_stored_answer(store: SqlaIdempotencyStore) -> None:
    await store.claim(record())
    await store.complete(record().scope, "k", 201, '{"statusCode": 201}')

    seen = await store.claim(record(now=5))

    assert seen is not None
    assert (seen.state, seen.response_status, seen.response_body) == (
        RecordState.DONE,
        201,
        '{"statusCode": 201}',
    )


async def test_a_released_claim_frees_the_key_but_a_done_one_stays(
    store: SqlaIdempotencyStore,
) -> None:
    await store.claim(record("a"))
    await store.claim(record("b"))
    await store.complete(record().scope, "b", 200, "{}")

    await store.release(record().scope, "a")
    await store.release(record().scope, "b")

    assert await store.claim(record("a", now=1)) is None
    assert await store.claim(record("b", now=1)) is not None


async def test_an_expired_record_is_replaced_by_a_new_claim(store: SqlaIdempotencyStore) -> None:
    await store.claim(record())
    await store.complete(record().scope, "k", 200, "{}")

    later = 25 * 3600
    assert await store.claim(record(request_hash="h2", now=later)) is None
    seen = await store.claim(record(now=later + 1))

    assert seen is not None and (seen.request_hash, seen.state) == ("h2", RecordState.IN_PROGRESS)


async def test_purge_deletes_only_expired_records(store: SqlaIdempotencyStore) -> None:
    await store.claim(record("old"))
    await store.claim(record("new", now=3600))

    purged = await store.purge_expired(at(24 * 3600 + 1))

    assert purged == 1
    assert await store.claim(record("old", now=24 * 3600 + 2)) is None
    assert await store.claim(record("new", now=24 * 3600 + 2)) is not None


async def test_only_one_of_twenty_concurrent_claims_wins(store: SqlaIdempotencyStore) -> None:
    outcomes: list[IdempotencyRecord | None] = []

    async def claim(n: int) -> None:
        outcomes.append(await store.claim(record("race", request_hash=f"h{n}")))

    async with anyio.create_task_group() as tasks:
        for n in range(20):
            tasks.start_soon(claim, n)

    winners = [o for o in outcomes if o is None]
    losers = [o for o in outcomes if o is not None]
    assert len(winners) == 1 and len(losers) == 19
    assert len({o.request_hash for o in losers}) == 1


async def test_only_one_of_twenty_concurrent_takeovers_of_an_expired_key_wins(
    store: SqlaIdempotencyStore,
) -> None:
    await store.claim(record("race"))
    later = 25 * 3600
    outcomes: list[IdempotencyRecord | None] = []

    async def claim(n: int) -> None:
        outcomes.append(await store.claim(record("race", request_hash=f"h{n}", now=later)))

    async with anyio.create_task_group() as tasks:
        for n in range(20):
            tasks.start_soon(claim, n)

    assert sum(o is None for o in outcomes) == 1

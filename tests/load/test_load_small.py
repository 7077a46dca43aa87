"""The CI-sized load (issue 4, point 7): forty orders through the whole lifecycle against
PostgreSQL, with duplicate redirects and delayed platform answers, then the ledger checks."""

from __future__ import annotations

import pytest

from tests.load.options import LoadOptions
from tests.load.run_load import run
from tests.support.databases import truncate_all

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def test_forty_orders_with_duplicates_and_delays_leave_a_balanced_ledger(
    postgres_url: str,
) -> None:
    truncate_all(postgres_url)
    options = LoadOptions(
        orders=40,
        concurrency=8,
        duplicate_rate=0.5,
        delay_rate=0.3,
        delay_max_s=0.3,
        expire_rate=0.4,
        fail_rate=0.1,
        cancel_rate=0.05,
        abandon_rate=0.05,
        database_url=postgres_url,
        seed=4,
        time_limit_s=90,
    )

    result = run(options)

    assert result.failed == [], result.report
    assert {"CONFIRMED", "REFUNDED", "PAYMENT_FAILED"} <= set(result.states), result.report
    assert sum(result.states.values()) == 40, result.report

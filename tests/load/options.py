"""What a load run does: its size, its concurrency and the faults it injects."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class LoadOptions:
    orders: int = 200
    concurrency: int = 32
    group_size: int = 4
    duplicate_rate: float = 0.3
    """Share of approval redirects (and of matches, confirmations, expiries) sent 2-3 times."""
    delay_rate: float = 0.1
    """Share of platform approvals and refunds answered late (a `delay` fault)."""
    delay_max_s: float = 0.5
    expire_rate: float = 0.3
    """Share of groups that expire (every member refunded) instead of settling."""
    fail_rate: float = 0.04
    cancel_rate: float = 0.04
    abandon_rate: float = 0.02
    """Buyers who never come back from the platform's page; the reconciler fails them."""
    database_url: str | None = None
    """An existing, migrated database to use instead of a fresh one (not dropped)."""
    seed: int = 1
    time_limit_s: float = 900.0
    converge_rounds: int = 200
    quiet: bool = False


def parse_options(argv: Sequence[str] | None = None) -> LoadOptions:
    defaults = LoadOptions()
    parser = argparse.ArgumentParser(
        prog="python -m tests.load.run_load",
        description="Drive orders through their whole lifecycle against PostgreSQL, then "
        "check the ledger against the service's API and the platform emulators.",
    )
    parser.add_argument("--orders", type=int, default=defaults.orders)
    parser.add_argument("--concurrency", type=int, default=defaults.concurrency)
    parser.add_argument("--group-size", type=int, default=defaults.group_size)
    parser.add_argument("--duplicate-rate", type=float, default=defaults.duplicate_rate)
    parser.add_argument("--delay-rate", type=float, default=defaults.delay_rate)
    parser.add_argument("--delay-max", type=float, default=defaults.delay_max_s, dest="delay_max_s")
    parser.add_argument("--expire-rate", type=float, default=defaults.expire_rate)
    parser.add_argument("--fail-rate", type=float, default=defaults.fail_rate)
    parser.add_argument("--cancel-rate", type=float, default=defaults.cancel_rate)
    parser.add_argument("--abandon-rate", type=float, default=defaults.abandon_rate)
    parser.add_argument(
        "--database-url",
        default=None,
        help="use this migrated database (postgresql+asyncpg://...) instead of a fresh one",
    )
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument(
        "--time-limit", type=float, default=defaults.time_limit_s, dest="time_limit_s"
    )
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    if args.orders < 1 or args.concurrency < 1 or args.group_size < 2:
        parser.error("--orders and --concurrency must be >= 1, --group-size >= 2")
    rates = (args.fail_rate, args.cancel_rate, args.abandon_rate)
    if sum(rates) >= 1 or min(rates) < 0:
        parser.error("--fail-rate + --cancel-rate + --abandon-rate must be in [0, 1)")
    return LoadOptions(**vars(args))

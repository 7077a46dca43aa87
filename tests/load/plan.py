"""The load's script, fixed by the seed: who orders what, pays how, and what their group does."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from enum import Enum

from tests.load.options import LoadOptions

PAY_TYPES = ("KAKAO_PAY", "NAVER_PAY", "OPEN_BANKING", "TOSS_PAYMENTS")
PRODUCTS = (("제주 감귤 5kg", 12_000), ("한우 선물세트", 89_000), ("유기농 쌀 10kg", 31_500))


class Outcome(str, Enum):
    PAY = "pay"
    FAIL = "fail"
    CANCEL = "cancel"
    ABANDON = "abandon"


class Fate(str, Enum):
    CONFIRM = "confirm"
    EXPIRE = "expire"


@dataclass
class Member:
    index: int
    user: int  # index into the run's users
    pay_type: str
    outcome: Outcome
    quantity: int
    with_option: bool
    redirects: int  # how often the buyer's browser comes back (duplicates > 1)
    concurrent: bool  # duplicates sent at once rather than one after another
    delayed: bool  # the platform answers this approval late


@dataclass
class Batch:
    """Orders for one product that the matcher puts into one group, if two or more pay."""

    index: int
    product: int  # index into PRODUCTS
    fate: Fate
    duplicate_steps: bool  # match / confirm / expire sent twice, concurrently
    delayed_refunds: bool
    members: list[Member] = field(default_factory=list)


def make_plan(options: LoadOptions) -> tuple[int, list[Batch]]:
    """Returns the number of users and the batches, deterministically from `options.seed`."""
    rng = random.Random(options.seed)
    users = max(1, options.orders // 2)
    batches: list[Batch] = []
    for index in range(options.orders):
        if index % options.group_size == 0:
            batches.append(
                Batch(
                    index=len(batches),
                    product=rng.randrange(len(PRODUCTS)),
                    fate=Fate.EXPIRE if rng.random() < options.expire_rate else Fate.CONFIRM,
                    duplicate_steps=rng.random() < options.duplicate_rate,
                    delayed_refunds=rng.random() < options.delay_rate,
                )
            )
        duplicated = rng.random() < options.duplicate_rate
        pay_type = PAY_TYPES[index % len(PAY_TYPES)]
        batches[-1].members.append(
            Member(
                index=index,
                user=rng.randrange(users),
                pay_type=pay_type,
                outcome=_outcome(rng, options, pay_type),
                quantity=rng.choice((1, 1, 1, 2, 3)),
                with_option=rng.random() < 0.5,
                redirects=rng.choice((2, 3)) if duplicated else 1,
                concurrent=rng.random() < 0.5,
                delayed=rng.random() < options.delay_rate,
            )
        )
    return users, batches


def _outcome(rng: random.Random, options: LoadOptions, pay_type: str) -> Outcome:
    draw = rng.random()
    for outcome, rate in (
        (Outcome.FAIL, options.fail_rate),
        (Outcome.CANCEL, options.cancel_rate),
        (Outcome.ABANDON, options.abandon_rate),
    ):
        if draw < rate:
            if pay_type == "OPEN_BANKING":  # withdrawn at once: it fails (no funds) or pays
                return Outcome.PAY if outcome is Outcome.ABANDON else Outcome.FAIL
            return outcome
        draw -= rate
    return Outcome.PAY

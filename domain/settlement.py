"""A group's settlement statement: what its members paid, what went back, what the seller is owed.

Per platform, `approved` is what the platforms approved, `refunded` what they gave back, and
`ready_for_settlement` what belongs to purchases that stand for good: the members who confirmed,
once the group is over (SETTLEMENT_READY, or EXPIRED — a confirmed member keeps the purchase).
While the group is still MATCHED nothing is ready: a member may yet be refunded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain.group import Group, GroupState
from domain.order import OrderState
from domain.pay_type import PayType
from domain.ports.reads import OrderWithPayment


@dataclass(frozen=True)
class PlatformTotals:
    platform: PayType
    orders: int
    approved: int
    refunded: int
    ready_for_settlement: int


@dataclass(frozen=True)
class SettlementStatement:
    platforms: Sequence[PlatformTotals]

    @property
    def approved(self) -> int:
        return sum(p.approved for p in self.platforms)

    @property
    def refunded(self) -> int:
        return sum(p.refunded for p in self.platforms)

    @property
    def ready_for_settlement(self) -> int:
        return sum(p.ready_for_settlement for p in self.platforms)


def settlement_statement(group: Group, members: Sequence[OrderWithPayment]) -> SettlementStatement:
    over = group.state in (GroupState.SETTLEMENT_READY, GroupState.EXPIRED)
    totals: dict[PayType, list[int]] = {}
    for member in members:
        row = totals.setdefault(member.order.pay_type, [0, 0, 0, 0])
        row[0] += 1
        payment = member.payment
        if payment is None:
            continue
        row[1] += payment.approved_amount
        row[2] += payment.refunded_amount
        if over and member.order.state is OrderState.CONFIRMED:
            row[3] += payment.approved_amount - payment.refunded_amount
    return SettlementStatement(
        [
            PlatformTotals(platform, *row)
            for platform, row in sorted(totals.items(), key=lambda item: item[0].value)
        ]
    )

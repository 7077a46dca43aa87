"""Buying groups formed by the external matcher, and the rules a match must satisfy."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from domain.errors import GroupRuleViolation, IllegalTransition, InvalidInput
from domain.events import Event, GroupEvent, GroupExpired, GroupMatched, GroupSettlementReady
from domain.order import Order, OrderState


class GroupState(str, Enum):
    MATCHED = "MATCHED"
    EXPIRED = "EXPIRED"
    SETTLEMENT_READY = "SETTLEMENT_READY"


@dataclass(eq=False)
class Group:
    id: int
    product_id: int
    size: int
    state: GroupState
    created_at: datetime
    updated_at: datetime
    events: list[Event] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def match(
        cls, group_id: int, requested_ids: Sequence[int], orders: Sequence[Order], at: datetime
    ) -> Group:
        """Forms the group and moves every member to MATCHED, or raises naming the offenders.

        Rules: every order exists, is PAID, belongs to no other group, all are for the same
        product, and the group size satisfies every member's minShare/maxShare.
        """
        if group_id <= 0:
            raise InvalidInput("groupId must be a positive number")
        if not requested_ids:
            raise InvalidInput("orderIdList must name at least one order")
        if len(set(requested_ids)) != len(requested_ids):
            dupes = sorted({i for i in requested_ids if list(requested_ids).count(i) > 1})
            raise GroupRuleViolation(f"orders {dupes} are listed more than once", dupes)
        found = {o.id for o in orders}
        missing = [i for i in requested_ids if i not in found]
        if missing:
            raise GroupRuleViolation(f"orders {missing} do not exist", missing)
        in_other_group = [o.id for o in orders if o.group_id not in (None, 0, group_id)]
        if in_other_group:
            ids = _ids(in_other_group)
            raise GroupRuleViolation(f"orders {ids} already belong to another group", ids)
        not_paid = [o.id for o in orders if o.state is not OrderState.PAID]
        if not_paid:
            raise GroupRuleViolation(f"orders {_ids(not_paid)} are not PAID", _ids(not_paid))
        product_ids = {o.product_id for o in orders}
        if len(product_ids) > 1:
            first = orders[0].product_id
            odd = _ids([o.id for o in orders if o.product_id != first])
            raise GroupRuleViolation(
                f"orders {odd} are for another product than order {orders[0].id}", odd
            )
        size = len(orders)
        unhappy = _ids([o.id for o in orders if not o.accepts_group_size(size)])
        if unhappy:
            raise GroupRuleViolation(
                f"a group of {size} is outside the minShare/maxShare of orders {unhappy}",
                unhappy,
            )
        for order in orders:
            order.join_group(group_id, at)
        group = cls(
            id=group_id,
            product_id=orders[0].product_id,
            size=size,
            state=GroupState.MATCHED,
            created_at=at,
            updated_at=at,
        )
        group.events.append(group._event(GroupMatched, list(requested_ids), at))
        return group

    def expire(self, at: datetime, members: Sequence[Order] = ()) -> None:
        self._move(GroupState.EXPIRED, at)
        ids = [m.id or 0 for m in members]
        self.events.append(self._event(GroupExpired, ids, at))

    def mark_settlement_ready(self, members: Sequence[Order], at: datetime) -> None:
        if len(members) != self.size or any(m.state is not OrderState.CONFIRMED for m in members):
            raise IllegalTransition(f"group {self.id} has members that have not confirmed")
        self._move(GroupState.SETTLEMENT_READY, at)
        ids = [m.id or 0 for m in members]
        self.events.append(self._event(GroupSettlementReady, ids, at))

    def _event(self, kind: type[GroupEvent], order_ids: Sequence[int], at: datetime) -> GroupEvent:
        return kind(self.id, self.product_id, tuple(order_ids), self.state.value, at)

    def _move(self, to: GroupState, at: datetime) -> None:
        if self.state is not GroupState.MATCHED:
            raise IllegalTransition(
                f"group {self.id} is {self.state.value} and cannot become {to.value}"
            )
        self.state = to
        self.updated_at = at


def _ids(ids: Sequence[int | None]) -> list[int]:
    return sorted(i for i in ids if i is not None)

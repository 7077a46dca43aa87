from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain.errors import Conflict
from domain.group import Group
from domain.ports.clock import Clock
from domain.ports.unit_of_work import UnitOfWorkFactory


@dataclass(frozen=True, kw_only=True)
class MatchGroupCommand:
    group_id: int
    order_ids: Sequence[int]


class MatchGroup:
    """Records a group the matcher formed and moves its members to MATCHED.

    Rules: those of `Group.match`; repeating the same (groupId, orders) pair answers the same
    group, while a known groupId with other orders is a conflict (409).
    """

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def execute(self, cmd: MatchGroupCommand) -> Group:
        async with self._uow() as uow:
            # Locking the orders first serialises racing matches of the same orders, so the
            # second sees the first's group below.
            orders = await uow.orders.many(sorted(set(cmd.order_ids)), for_update=True)
            existing = await uow.groups.get(cmd.group_id, for_update=True)
            if existing is not None:
                members = await uow.orders.of_group(cmd.group_id)
                if sorted(o.id or 0 for o in members) == sorted(cmd.order_ids):
                    return existing
                raise Conflict(f"group {cmd.group_id} already exists with other orders")
            now = self._clock.now()
            by_id = {o.id: o for o in orders}
            ordered = [by_id[i] for i in cmd.order_ids if i in by_id]
            group = Group.match(cmd.group_id, list(cmd.order_ids), ordered, now)
            await uow.groups.add(group)
            await uow.commit()
            return group

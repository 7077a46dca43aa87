from __future__ import annotations

from dataclasses import dataclass

from domain.errors import Forbidden, IllegalTransition, NotFound
from domain.group import GroupState
from domain.order import Order, OrderState
from domain.ports.clock import Clock
from domain.ports.unit_of_work import UnitOfWorkFactory


@dataclass(frozen=True, kw_only=True)
class ConfirmPurchaseCommand:
    order_id: int
    acting_user_id: int | None = None
    """The signed-in buyer; None when a trusted caller acts (test mode, service)."""


class ConfirmPurchase:
    """The buyer confirms they received the goods (구매확정).

    Rules: only the order's own buyer confirms it; only a MATCHED order in a MATCHED group
    moves to CONFIRMED (confirming twice answers the same order); when every member of the
    group has confirmed, the group becomes SETTLEMENT_READY in the same transaction. The group
    row is locked first, so a confirmation and the group's expiry never interleave.
    """

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow, self._clock = uow, clock

    async def execute(self, cmd: ConfirmPurchaseCommand) -> Order:
        async with self._uow() as uow:
            peek = await uow.orders.get(cmd.order_id)
            if peek is None:
                raise NotFound(f"order {cmd.order_id} does not exist")
            if cmd.acting_user_id is not None and peek.user_id != cmd.acting_user_id:
                raise Forbidden(f"order {cmd.order_id} belongs to another user")
            group = await uow.groups.get(peek.group_id, for_update=True) if peek.group_id else None
            order = await uow.orders.get(cmd.order_id, for_update=True)
            assert order is not None
            if order.state is OrderState.CONFIRMED:
                return order
            if group is None:
                raise IllegalTransition(
                    f"order {order.id} is {order.state.value}; only a matched order is confirmed"
                )
            if group.state is not GroupState.MATCHED:
                raise IllegalTransition(f"group {group.id} is {group.state.value}")
            now = self._clock.now()
            order.confirm_purchase(now)
            members = await uow.orders.of_group(group.id)
            if len(members) == group.size and all(m.state is OrderState.CONFIRMED for m in members):
                group.mark_settlement_ready(members, now)
            await uow.commit()
            return order

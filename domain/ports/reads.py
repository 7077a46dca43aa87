"""Reads that show an order or a group as a whole, each answered by one query."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from domain.group import Group
from domain.order import Order
from domain.payment import Payment


@dataclass(frozen=True)
class OrderWithPayment:
    order: Order
    payment: Payment | None


@dataclass(frozen=True)
class GroupWithMembers:
    group: Group
    members: Sequence[OrderWithPayment]
    """Oldest order first."""


class OrderReads(Protocol):
    """Read-only views; nothing they return is locked or meant to be changed."""

    async def order_with_payment(self, order_id: int) -> OrderWithPayment | None: ...

    async def group_with_members(self, group_id: int) -> GroupWithMembers | None: ...

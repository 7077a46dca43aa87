"""What the listing reads answer: plain snapshots, not entities.

A loaded entity is tracked by the ORM's instrumentation (about 0.05 ms each); a listing of a
user's orders or a product's buyers never changes them, so it gets these read-only copies,
with the entities' attribute names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.order import OrderState
from domain.pay_type import PayType


@dataclass(frozen=True, slots=True)
class OrderView:
    id: int
    user_id: int
    product_id: int
    product_option_id: int
    quantity: int
    min_share: int
    max_share: int
    trans_amount: int
    pay_type: PayType
    transaction_id: str
    group_id: int | None
    state: OrderState
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class UserView:
    id: int
    name: str
    created_at: datetime
    updated_at: datetime

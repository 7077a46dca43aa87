"""ConfirmPurchase: the buyer's 구매확정, and the group's settlement once all confirmed."""

from __future__ import annotations

import pytest

from application.confirm_purchase import ConfirmPurchaseCommand
from domain.errors import Forbidden, IllegalTransition, NotFound
from domain.events import EventType
from domain.group import GroupState
from domain.order import Order, OrderState
from tests.unit.fakes import Shop

pytestmark = pytest.mark.anyio


@pytest.fixture
def shop() -> Shop:
    return Shop()


async def matched(shop: Shop, n: int = 2, group_id: int = 7) -> list[Order]:
    product = await shop.product()
    orders = [await shop.paid_order(product=product) for _ in range(n)]
    await shop.matched_group(group_id, orders)
    return orders


def confirm(order: Order, acting_user_id: int | None = None) -> ConfirmPurchaseCommand:
    return ConfirmPurchaseCommand(order_id=order.id or 0, acting_user_id=acting_user_id)


async def test_the_owner_confirms_a_matched_order(shop: Shop) -> None:
    first, _ = await matched(shop)

    answered = await shop.confirm.execute(confirm(first, acting_user_id=first.user_id))

    assert answered.state is OrderState.CONFIRMED
    assert shop.db.order(first.id or 0).state is OrderState.CONFIRMED
    assert shop.db.group(7).state is GroupState.MATCHED
    [event] = shop.db.events(EventType.PURCHASE_CONFIRMED)
    assert (event.data["orderId"], event.data["groupId"]) == (first.id, 7)
    assert shop.db.events(EventType.GROUP_SETTLEMENT_READY) == []


async def test_the_last_confirmation_makes_the_group_settlement_ready(shop: Shop) -> None:
    orders = await matched(shop, 3)

    for order in orders:
        await shop.confirm.execute(confirm(order))

    assert shop.db.group(7).state is GroupState.SETTLEMENT_READY
    assert len(shop.db.events(EventType.PURCHASE_CONFIRMED)) == 3
    [ready] = shop.db.events(EventType.GROUP_SETTLEMENT_READY)
    assert ready.data["groupId"] == 7
    assert ready.data["orderIds"] == sorted(o.id or 0 for o in orders)
    assert ready.data["state"] == "SETTLEMENT_READY"
    assert shop.db.event_types()[-2:] == [
        EventType.PURCHASE_CONFIRMED,
        EventType.GROUP_SETTLEMENT_READY,
    ]


async def test_another_user_cannot_confirm_the_order(shop: Shop) -> None:
    first, second = await matched(shop)

    with pytest.raises(Forbidden):
        await shop.confirm.execute(confirm(first, acting_user_id=second.user_id))

    assert shop.db.order(first.id or 0).state is OrderState.MATCHED
    assert shop.db.events(EventType.PURCHASE_CONFIRMED) == []


async def test_confirming_twice_answers_the_confirmed_order_and_writes_nothing(
    shop: Shop,
) -> None:
    first, _ = await matched(shop)
    await shop.confirm.execute(confirm(first))
    commits = shop.db.committed

    again = await shop.confirm.execute(confirm(first))

    assert again.state is OrderState.CONFIRMED
    assert shop.db.committed == commits
    assert len(shop.db.events(EventType.PURCHASE_CONFIRMED)) == 1


async def test_confirming_the_last_order_twice_leaves_the_group_settlement_ready(
    shop: Shop,
) -> None:
    orders = await matched(shop, 2)
    for order in orders:
        await shop.confirm.execute(confirm(order))

    again = await shop.confirm.execute(confirm(orders[1]))

    assert again.state is OrderState.CONFIRMED
    assert len(shop.db.events(EventType.GROUP_SETTLEMENT_READY)) == 1


async def test_a_paid_order_without_a_group_cannot_be_confirmed(shop: Shop) -> None:
    order = await shop.paid_order()

    with pytest.raises(IllegalTransition, match="PAID"):
        await shop.confirm.execute(confirm(order))

    assert shop.db.order(order.id or 0).state is OrderState.PAID


async def test_a_pending_order_cannot_be_confirmed(shop: Shop) -> None:
    order = await shop.pending_order()

    with pytest.raises(IllegalTransition):
        await shop.confirm.execute(confirm(order))


async def test_an_order_of_an_expired_group_cannot_be_confirmed(shop: Shop) -> None:
    first, _ = await matched(shop)
    await shop.expire.execute(7)

    with pytest.raises(IllegalTransition):
        await shop.confirm.execute(confirm(first))

    assert shop.db.order(first.id or 0).state is OrderState.REFUNDED


async def test_an_unknown_order_is_not_found(shop: Shop) -> None:
    with pytest.raises(NotFound, match="404"):
        await shop.confirm.execute(ConfirmPurchaseCommand(order_id=404))


async def test_the_group_is_locked_before_the_order(shop: Shop) -> None:
    first, _ = await matched(shop)
    shop.db.locks.clear()

    await shop.confirm.execute(confirm(first))

    assert shop.db.locks[:2] == [("groups", 7), ("orders", first.id)]

"""MatchGroup: the matcher's groups, idempotent for the same pair, 409 for another."""

from __future__ import annotations

import pytest

from application.match_group import MatchGroupCommand
from domain.catalog import Product
from domain.errors import Conflict, GroupRuleViolation, InvalidInput
from domain.events import EventType
from domain.group import GroupState
from domain.order import Order, OrderState
from tests.unit.fakes import Shop

pytestmark = pytest.mark.anyio


@pytest.fixture
def shop() -> Shop:
    return Shop()


async def paid_orders(shop: Shop, n: int, product: Product | None = None, **kw: int) -> list[Order]:
    product = product or await shop.product()
    return [await shop.paid_order(product=product, **kw) for _ in range(n)]


def ids(orders: list[Order]) -> list[int]:
    return [o.id or 0 for o in orders]


async def test_matching_paid_orders_records_the_group_and_moves_them_to_matched(
    shop: Shop,
) -> None:
    orders = await paid_orders(shop, 3)

    group = await shop.match.execute(MatchGroupCommand(group_id=7, order_ids=ids(orders)))

    assert (group.id, group.size, group.state) == (7, 3, GroupState.MATCHED)
    assert shop.db.group(7).size == 3
    for order_id in ids(orders):
        stored = shop.db.order(order_id)
        assert (stored.state, stored.group_id) == (OrderState.MATCHED, 7)
    [event] = shop.db.events(EventType.GROUP_MATCHED)
    assert event.data == {
        "groupId": 7,
        "productId": orders[0].product_id,
        "orderIds": sorted(ids(orders)),
        "state": "MATCHED",
    }


async def test_matching_the_same_pair_again_answers_the_same_group(shop: Shop) -> None:
    orders = await paid_orders(shop, 2)
    await shop.match.execute(MatchGroupCommand(group_id=7, order_ids=ids(orders)))
    commits = shop.db.committed

    again = await shop.match.execute(
        MatchGroupCommand(group_id=7, order_ids=list(reversed(ids(orders))))
    )

    assert (again.id, again.size) == (7, 2)
    assert shop.db.committed == commits
    assert len(shop.db.events(EventType.GROUP_MATCHED)) == 1


async def test_a_known_group_id_with_other_orders_is_a_conflict(shop: Shop) -> None:
    product = await shop.product()
    first = await paid_orders(shop, 2, product)
    other = await paid_orders(shop, 2, product)
    await shop.match.execute(MatchGroupCommand(group_id=7, order_ids=ids(first)))

    with pytest.raises(Conflict, match="7"):
        await shop.match.execute(MatchGroupCommand(group_id=7, order_ids=ids(other)))

    assert [shop.db.order(i).state for i in ids(other)] == [OrderState.PAID] * 2


async def test_a_subset_of_a_known_group_is_a_conflict(shop: Shop) -> None:
    orders = await paid_orders(shop, 3)
    await shop.match.execute(MatchGroupCommand(group_id=7, order_ids=ids(orders)))

    with pytest.raises(Conflict):
        await shop.match.execute(MatchGroupCommand(group_id=7, order_ids=ids(orders)[:2]))


async def test_a_rule_violation_names_the_orders_and_writes_nothing(shop: Shop) -> None:
    product = await shop.product()
    fine = await paid_orders(shop, 2, product)
    picky = await shop.paid_order(product=product, min_share=5)
    commits = shop.db.committed

    with pytest.raises(GroupRuleViolation) as raised:
        await shop.match.execute(MatchGroupCommand(group_id=7, order_ids=[*ids(fine), picky.id]))

    assert raised.value.order_ids == [picky.id]
    assert shop.db.committed == commits
    assert shop.db.tables.groups == {}
    assert [shop.db.order(i).state for i in ids(fine)] == [OrderState.PAID] * 2
    assert shop.db.events(EventType.GROUP_MATCHED) == []


async def test_a_missing_order_is_named(shop: Shop) -> None:
    orders = await paid_orders(shop, 2)

    with pytest.raises(GroupRuleViolation) as raised:
        await shop.match.execute(MatchGroupCommand(group_id=7, order_ids=[*ids(orders), 999]))

    assert raised.value.order_ids == [999]


async def test_an_unpaid_order_is_named(shop: Shop) -> None:
    product = await shop.product()
    paid = await shop.paid_order(product=product)
    pending = await shop.pending_order(product=product)

    with pytest.raises(GroupRuleViolation) as raised:
        await shop.match.execute(MatchGroupCommand(group_id=7, order_ids=[paid.id, pending.id]))

    assert raised.value.order_ids == [pending.id]


async def test_an_order_already_in_another_group_is_named(shop: Shop) -> None:
    product = await shop.product()
    taken = await paid_orders(shop, 2, product)
    free = await shop.paid_order(product=product)
    await shop.match.execute(MatchGroupCommand(group_id=7, order_ids=ids(taken)))

    with pytest.raises(GroupRuleViolation, match="another group") as raised:
        await shop.match.execute(MatchGroupCommand(group_id=8, order_ids=[free.id, taken[0].id]))

    assert raised.value.order_ids == [taken[0].id]
    assert shop.db.order(free.id or 0).state is OrderState.PAID


async def test_orders_of_different_products_are_named(shop: Shop) -> None:
    apples = await paid_orders(shop, 2)
    pear = await shop.paid_order()

    with pytest.raises(GroupRuleViolation, match="another product") as raised:
        await shop.match.execute(MatchGroupCommand(group_id=7, order_ids=[*ids(apples), pear.id]))

    assert raised.value.order_ids == [pear.id]


async def test_a_group_above_a_members_max_share_names_that_member(shop: Shop) -> None:
    product = await shop.product()
    pair_only = await shop.paid_order(product=product, max_share=2)
    others = await paid_orders(shop, 2, product)

    with pytest.raises(GroupRuleViolation) as raised:
        await shop.match.execute(
            MatchGroupCommand(group_id=7, order_ids=[pair_only.id, *ids(others)])
        )

    assert raised.value.order_ids == [pair_only.id]


async def test_an_order_listed_twice_is_named(shop: Shop) -> None:
    orders = await paid_orders(shop, 2)

    with pytest.raises(GroupRuleViolation, match="more than once") as raised:
        await shop.match.execute(
            MatchGroupCommand(group_id=7, order_ids=[*ids(orders), orders[0].id])
        )

    assert raised.value.order_ids == [orders[0].id]
    assert shop.db.tables.groups == {}


async def test_a_group_id_that_is_not_positive_is_refused(shop: Shop) -> None:
    orders = await paid_orders(shop, 1)

    with pytest.raises(InvalidInput):
        await shop.match.execute(MatchGroupCommand(group_id=0, order_ids=ids(orders)))

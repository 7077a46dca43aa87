"""The read-only use-cases."""

from __future__ import annotations

from datetime import timedelta

import pytest

from application.abandon_payment import AbandonPaymentCommand
from application.confirm_purchase import ConfirmPurchaseCommand
from application.queries import (
    GetProduct,
    GroupConfirmationStatus,
    ListProductBuyers,
    ListUserOrders,
)
from domain.errors import Forbidden, NotFound
from domain.ports.payment_gateway import PlatformStatus
from tests.unit.fakes import Shop

pytestmark = pytest.mark.anyio


@pytest.fixture
def shop() -> Shop:
    return Shop()


async def test_a_users_orders_are_listed_newest_first(shop: Shop) -> None:
    user = await shop.user()
    other = await shop.user("lee")
    first = await shop.pending_order(user_id=user)
    await shop.pending_order(user_id=other)
    shop.clock.advance(timedelta(minutes=1))
    second = await shop.pending_order(user_id=user)

    orders = await ListUserOrders(shop.db).execute(user)

    assert [o.id for o in orders] == [second.id, first.id]


async def test_a_signed_in_user_lists_only_their_own_orders(shop: Shop) -> None:
    user, other = await shop.user(), await shop.user("lee")

    with pytest.raises(Forbidden):
        await ListUserOrders(shop.db).execute(user, acting_user_id=other)

    assert await ListUserOrders(shop.db).execute(user, acting_user_id=user) == []


async def test_listing_the_orders_of_an_unknown_user_is_not_found(shop: Shop) -> None:
    with pytest.raises(NotFound, match="user 404"):
        await ListUserOrders(shop.db).execute(404)


async def test_the_buyers_of_a_product_are_those_with_a_live_order(shop: Shop) -> None:
    product = await shop.product()
    paid, pending, failed = await shop.user("paid"), await shop.user("wait"), await shop.user("x")
    await shop.paid_order(user_id=paid, product=product)
    await shop.pending_order(user_id=pending, product=product)
    lost = await shop.pending_order(user_id=failed, product=product)
    shop.gateway(lost.pay_type).lookup_status = PlatformStatus.CANCELLED
    await shop.abandon.execute(
        AbandonPaymentCommand(
            pay_type=lost.pay_type,
            transaction_id=lost.transaction_id,
            cancelled_by_user=True,
            reason="quit",
        )
    )

    buyers = await ListProductBuyers(shop.db).execute(product.id or 0)

    assert [u.name for u in buyers] == ["paid"]


async def test_listing_the_buyers_of_an_unknown_product_is_not_found(shop: Shop) -> None:
    with pytest.raises(NotFound, match="product 404"):
        await ListProductBuyers(shop.db).execute(404)


async def test_the_group_status_is_true_only_when_every_member_confirmed(shop: Shop) -> None:
    product = await shop.product()
    orders = [await shop.paid_order(product=product) for _ in range(2)]
    await shop.matched_group(5, orders)
    status = GroupConfirmationStatus(shop.db)

    assert await status.execute(5, 2) is False
    await shop.confirm.execute(ConfirmPurchaseCommand(order_id=orders[0].id or 0))
    assert await status.execute(5, 2) is False
    await shop.confirm.execute(ConfirmPurchaseCommand(order_id=orders[1].id or 0))
    assert await status.execute(5, 2) is True


async def test_the_group_status_is_false_for_another_number_of_members(shop: Shop) -> None:
    product = await shop.product()
    orders = [await shop.paid_order(product=product) for _ in range(2)]
    await shop.matched_group(5, orders)
    for order in orders:
        await shop.confirm.execute(ConfirmPurchaseCommand(order_id=order.id or 0))

    assert await GroupConfirmationStatus(shop.db).execute(5, 3) is False
    assert await GroupConfirmationStatus(shop.db).execute(5, 1) is False


async def test_the_status_of_an_unknown_group_is_not_found(shop: Shop) -> None:
    with pytest.raises(NotFound, match="group 404"):
        await GroupConfirmationStatus(shop.db).execute(404, 1)


async def test_a_product_is_read_with_its_options(shop: Shop) -> None:
    product = await shop.product(price=9_000, options=[("large", 1_000), ("huge", 3_000)])

    found = await GetProduct(shop.db).execute(product.id or 0)

    assert (found.name, found.price) == ("apples", 9_000)
    assert [(o.name, o.extra_price) for o in found.options] == [("large", 1_000), ("huge", 3_000)]


async def test_reading_an_unknown_product_is_not_found(shop: Shop) -> None:
    with pytest.raises(NotFound, match="product 404"):
        await GetProduct(shop.db).execute(404)

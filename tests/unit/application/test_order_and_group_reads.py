"""GetOrder and GetGroup: one read each; a group's settlement statement per platform."""

from __future__ import annotations

import pytest

from application.cancel_order import CancelOrder, CancelOrderCommand
from application.confirm_purchase import ConfirmPurchaseCommand
from application.queries import GetGroup, GetOrder
from domain.errors import Forbidden, NotFound
from domain.group import GroupState
from domain.order import OrderState
from domain.pay_type import PayType
from domain.payment import PaymentState
from tests.unit.fakes import FakeOrderReads, Shop

pytestmark = pytest.mark.anyio


@pytest.fixture
def shop() -> Shop:
    return Shop()


@pytest.fixture
def reads(shop: Shop) -> FakeOrderReads:
    return FakeOrderReads(shop.db)


async def test_an_order_is_read_with_its_payment_in_one_query(
    shop: Shop, reads: FakeOrderReads
) -> None:
    order = await shop.paid_order(pay_type=PayType.TOSS_PAYMENTS, quantity=2)

    found = await GetOrder(reads).execute(order.id or 0)

    assert reads.queries == 1
    assert found.order.state is OrderState.PAID
    assert found.payment is not None
    assert (found.payment.platform, found.payment.state, found.payment.approved_amount) == (
        PayType.TOSS_PAYMENTS,
        PaymentState.APPROVED,
        20_000,
    )


async def test_a_signed_in_user_reads_only_their_own_order(
    shop: Shop, reads: FakeOrderReads
) -> None:
    buyer, other = await shop.user(), await shop.user("lee")
    order = await shop.pending_order(user_id=buyer)

    assert (await GetOrder(reads).execute(order.id or 0, buyer)).order.id == order.id
    with pytest.raises(Forbidden):
        await GetOrder(reads).execute(order.id or 0, other)


async def test_unknown_orders_and_groups_are_not_found(reads: FakeOrderReads) -> None:
    with pytest.raises(NotFound):
        await GetOrder(reads).execute(9)
    with pytest.raises(NotFound):
        await GetGroup(reads).execute(9)


async def test_a_settlement_ready_group_owes_the_seller_every_members_payment(
    shop: Shop, reads: FakeOrderReads
) -> None:
    product = await shop.product(price=10_000, options=[])
    kakao = await shop.paid_order(product=product, pay_type=PayType.KAKAO_PAY, quantity=1)
    toss = await shop.paid_order(product=product, pay_type=PayType.TOSS_PAYMENTS, quantity=2)
    await shop.matched_group(8, [kakao, toss])
    for order in (kakao, toss):
        await shop.confirm.execute(ConfirmPurchaseCommand(order_id=order.id or 0))

    report = await GetGroup(reads).execute(8)

    assert reads.queries == 1
    assert report.group.state is GroupState.SETTLEMENT_READY
    assert [m.order.state for m in report.members] == [OrderState.CONFIRMED] * 2
    statement = report.statement
    assert (statement.approved, statement.refunded, statement.ready_for_settlement) == (
        30_000,
        0,
        30_000,
    )
    assert [(p.platform, p.orders, p.ready_for_settlement) for p in statement.platforms] == [
        (PayType.KAKAO_PAY, 1, 10_000),
        (PayType.TOSS_PAYMENTS, 1, 20_000),
    ]


async def test_an_expired_group_shows_what_was_refunded_and_what_stands(
    shop: Shop, reads: FakeOrderReads
) -> None:
    product = await shop.product(price=10_000, options=[])
    kept = await shop.paid_order(product=product, pay_type=PayType.NAVER_PAY)
    refunded = await shop.paid_order(product=product, pay_type=PayType.OPEN_BANKING, quantity=4)
    await shop.matched_group(2, [kept, refunded])
    await shop.confirm.execute(ConfirmPurchaseCommand(order_id=kept.id or 0))
    await shop.expire.execute(2)

    statement = (await GetGroup(reads).execute(2)).statement

    assert (statement.approved, statement.refunded, statement.ready_for_settlement) == (
        50_000,
        40_000,
        10_000,
    )


async def test_a_group_still_matched_has_nothing_ready_for_settlement(
    shop: Shop, reads: FakeOrderReads
) -> None:
    product = await shop.product(price=10_000, options=[])
    orders = [await shop.paid_order(product=product) for _ in range(2)]
    await shop.matched_group(4, orders)
    await shop.confirm.execute(ConfirmPurchaseCommand(order_id=orders[0].id or 0))

    statement = (await GetGroup(reads).execute(4)).statement

    assert (statement.approved, statement.ready_for_settlement) == (20_000, 0)


async def test_a_withdrawn_order_reads_as_refunded(shop: Shop, reads: FakeOrderReads) -> None:
    order = await shop.paid_order()
    await CancelOrder(shop.db, shop.clock, shop.refund, shop.policy).execute(
        CancelOrderCommand(order_id=order.id or 0)
    )

    found = await GetOrder(reads).execute(order.id or 0)

    assert found.order.state is OrderState.REFUNDED
    assert found.payment is not None
    assert found.payment.refunded_amount == found.payment.approved_amount == 10_000

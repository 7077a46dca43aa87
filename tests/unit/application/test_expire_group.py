"""ExpireGroup: every paying member is refunded through its own platform; confirmed ones keep
their purchase; expiring again is harmless."""

from __future__ import annotations

import pytest

from application.confirm_purchase import ConfirmPurchaseCommand
from domain.errors import IllegalTransition, NotFound, PaymentPlatformError
from domain.events import EventType
from domain.group import GroupState
from domain.order import Order, OrderState
from domain.pay_type import PayType
from domain.payment import PaymentState
from tests.unit.fakes import Shop

pytestmark = pytest.mark.anyio

MIXED = [PayType.KAKAO_PAY, PayType.NAVER_PAY, PayType.OPEN_BANKING, PayType.TOSS_PAYMENTS]


@pytest.fixture
def shop() -> Shop:
    return Shop()


async def group_paid_with(shop: Shop, pay_types: list[PayType], group_id: int = 3) -> list[Order]:
    product = await shop.product(price=10_000, options=[])
    orders = [
        await shop.paid_order(product=product, pay_type=p, quantity=i)
        for i, p in enumerate(pay_types, 1)
    ]
    await shop.matched_group(group_id, orders)
    return orders


async def test_expiring_a_group_refunds_every_paid_member_through_its_own_platform(
    shop: Shop,
) -> None:
    orders = await group_paid_with(shop, MIXED)

    expiry = await shop.expire.execute(3)

    assert expiry.group.state is GroupState.EXPIRED
    assert shop.db.group(3).state is GroupState.EXPIRED
    assert sorted(expiry.refunded) == sorted(o.id for o in orders)
    assert (expiry.refund_pending, expiry.errors) == ([], {})
    for order in orders:
        assert shop.db.order(order.id or 0).state is OrderState.REFUNDED
        payment = shop.db.payment_of(order.id or 0)
        assert (payment.state, payment.refunded_amount) == (
            PaymentState.REFUNDED,
            order.trans_amount,
        )
        [refund] = shop.gateway(order.pay_type).calls_of("refund")
        assert (refund.payment.order_id, refund.amount) == (order.id, order.trans_amount)


async def test_expiry_writes_the_group_event_and_one_refund_event_per_member(
    shop: Shop,
) -> None:
    orders = await group_paid_with(shop, [PayType.KAKAO_PAY, PayType.TOSS_PAYMENTS])

    await shop.expire.execute(3)

    [expired] = shop.db.events(EventType.GROUP_EXPIRED)
    assert expired.data["groupId"] == 3
    assert expired.data["orderIds"] == sorted(o.id or 0 for o in orders)
    assert expired.data["state"] == "EXPIRED"
    refunded = shop.db.events(EventType.ORDER_REFUNDED)
    assert sorted(str(e.data["orderId"]) for e in refunded) == sorted(str(o.id) for o in orders)


async def test_a_refused_refund_stays_pending_and_is_reported(shop: Shop) -> None:
    kakao, toss = await group_paid_with(shop, [PayType.KAKAO_PAY, PayType.TOSS_PAYMENTS])
    shop.gateway(PayType.TOSS_PAYMENTS).script(
        "refund", PaymentPlatformError("TOSS_PAYMENTS", "NOT_CANCELABLE_PAYMENT")
    )

    expiry = await shop.expire.execute(3)

    assert expiry.refunded == [kakao.id]
    assert expiry.refund_pending == [toss.id]
    assert expiry.errors == {toss.id: "TOSS_PAYMENTS: NOT_CANCELABLE_PAYMENT"}
    assert shop.db.order(toss.id or 0).state is OrderState.REFUND_PENDING
    assert shop.db.payment_of(toss.id or 0).state is PaymentState.REFUNDING
    assert shop.db.order(kakao.id or 0).state is OrderState.REFUNDED


async def test_expiring_again_retries_what_is_pending_and_touches_nothing_else(
    shop: Shop,
) -> None:
    kakao, toss = await group_paid_with(shop, [PayType.KAKAO_PAY, PayType.TOSS_PAYMENTS])
    shop.gateway(PayType.TOSS_PAYMENTS).script(
        "refund", PaymentPlatformError("TOSS_PAYMENTS", "busy")
    )
    await shop.expire.execute(3)

    again = await shop.expire.execute(3)

    assert sorted(again.refunded) == sorted([kakao.id, toss.id])
    assert again.refund_pending == []
    assert len(shop.gateway(PayType.KAKAO_PAY).calls_of("refund")) == 1
    assert len(shop.gateway(PayType.TOSS_PAYMENTS).calls_of("refund")) == 2
    assert shop.db.order(toss.id or 0).state is OrderState.REFUNDED
    assert len(shop.db.events(EventType.GROUP_EXPIRED)) == 1


async def test_expiring_a_fully_refunded_group_twice_is_harmless(shop: Shop) -> None:
    orders = await group_paid_with(shop, [PayType.NAVER_PAY, PayType.OPEN_BANKING])
    await shop.expire.execute(3)
    commits = shop.db.committed

    again = await shop.expire.execute(3)

    assert again.group.state is GroupState.EXPIRED
    assert sorted(again.refunded) == sorted(o.id for o in orders)
    assert shop.db.committed == commits
    assert len(shop.gateway(PayType.NAVER_PAY).calls_of("refund")) == 1
    assert len(shop.gateway(PayType.OPEN_BANKING).calls_of("refund")) == 1


async def test_a_member_who_confirmed_keeps_the_purchase(shop: Shop) -> None:
    kept, refunded = await group_paid_with(shop, [PayType.KAKAO_PAY, PayType.NAVER_PAY])
    await shop.confirm.execute(ConfirmPurchaseCommand(order_id=kept.id or 0))

    expiry = await shop.expire.execute(3)

    assert expiry.refunded == [refunded.id]
    assert shop.db.order(kept.id or 0).state is OrderState.CONFIRMED
    assert shop.db.payment_of(kept.id or 0).state is PaymentState.APPROVED
    assert shop.gateway(PayType.KAKAO_PAY).calls_of("refund") == []


async def test_a_settlement_ready_group_cannot_expire(shop: Shop) -> None:
    orders = await group_paid_with(shop, [PayType.KAKAO_PAY, PayType.TOSS_PAYMENTS])
    for order in orders:
        await shop.confirm.execute(ConfirmPurchaseCommand(order_id=order.id or 0))

    with pytest.raises(IllegalTransition, match="SETTLEMENT_READY"):
        await shop.expire.execute(3)

    assert shop.db.group(3).state is GroupState.SETTLEMENT_READY
    assert [shop.db.order(o.id or 0).state for o in orders] == [OrderState.CONFIRMED] * 2
    assert [c for c in shop.gateways.all_calls() if c.operation == "refund"] == []
    assert shop.db.events(EventType.GROUP_EXPIRED) == []


async def test_an_unknown_group_is_not_found(shop: Shop) -> None:
    with pytest.raises(NotFound, match="group 404"):
        await shop.expire.execute(404)

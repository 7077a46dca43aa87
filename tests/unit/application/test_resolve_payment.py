"""ResolvePayment: a waiting payment is settled by the platform's word, and only while it is
still waiting."""

from __future__ import annotations

import pytest

from application.approve_payment import ApprovePaymentCommand
from application.resolve_payment import Resolution
from domain.errors import NotFound
from domain.events import EventType
from domain.order import Order, OrderState
from domain.orphan import OrphanPayment
from domain.pay_type import PayType
from domain.payment import PaymentState
from domain.ports.payment_gateway import PlatformStatus
from tests.unit.reconciler_shop import ReconcilerShop, lookup_of

pytestmark = pytest.mark.anyio


@pytest.fixture
def shop() -> ReconcilerShop:
    return ReconcilerShop()


def redirect_of(order: Order) -> ApprovePaymentCommand:
    return ApprovePaymentCommand(
        pay_type=order.pay_type, transaction_id=order.transaction_id, callback={"pg_token": "t"}
    )


async def test_a_waiting_payment_the_platform_approved_becomes_paid(shop: ReconcilerShop) -> None:
    order = await shop.approving_order()
    shop.gateway(PayType.KAKAO_PAY).script(
        "lookup", lookup_of(PlatformStatus.APPROVED, order.trans_amount, "TX-7")
    )

    outcome = await shop.resolve.by_transaction(order.transaction_id)

    assert outcome is Resolution.PAID
    assert shop.db.order(order.id or 0).state is OrderState.PAID
    payment = shop.db.payment_of(order.id or 0)
    assert (payment.state, payment.platform_tx_id) == (PaymentState.APPROVED, "TX-7")


@pytest.mark.parametrize("abandoned", [False, True])
async def test_a_pending_lookup_moves_nothing_unless_the_checkout_was_abandoned(
    shop: ReconcilerShop, abandoned: bool
) -> None:
    order = await shop.pending_order()

    outcome = await shop.resolve.execute(order.id or 0, abandoned=abandoned)

    expected = OrderState.PAYMENT_FAILED if abandoned else OrderState.PAYMENT_PENDING
    assert outcome is (Resolution.FAILED if abandoned else Resolution.UNRESOLVED)
    assert shop.db.order(order.id or 0).state is expected


@pytest.mark.parametrize("kind", ["paid", "refunded", "failed"])
async def test_a_payment_no_longer_waiting_is_not_looked_up_or_moved(
    shop: ReconcilerShop, kind: str
) -> None:
    if kind == "paid":
        order = await shop.paid_order()
    elif kind == "refunded":
        order = await shop.refund_pending()
        await shop.refund.execute(order.id or 0)
    else:
        order = await shop.pending_order()
        await shop.resolve.execute(order.id or 0, abandoned=True)
    before = shop.db.order(order.id or 0).state
    kakao = shop.gateway(PayType.KAKAO_PAY)
    lookups = len(kakao.calls_of("lookup"))
    kakao.lookup_status = PlatformStatus.FAILED

    outcome = await shop.resolve.execute(order.id or 0, abandoned=True)

    assert outcome is Resolution.NOTHING_TO_DO
    assert shop.db.order(order.id or 0).state is before
    assert len(kakao.calls_of("lookup")) == lookups


@pytest.mark.parametrize("status", [PlatformStatus.APPROVED, PlatformStatus.FAILED])
async def test_a_redirect_that_settles_the_payment_during_the_lookup_wins(
    shop: ReconcilerShop, status: PlatformStatus
) -> None:
    order = await shop.pending_order()
    kakao = shop.gateway(PayType.KAKAO_PAY)
    kakao.script("lookup", lookup_of(status, order.trans_amount, "TX-1"))

    async def the_buyers_redirect_arrives() -> None:
        await shop.approve.execute(redirect_of(order))

    kakao.hooks["lookup"] = the_buyers_redirect_arrives

    outcome = await shop.resolve.execute(order.id or 0, abandoned=True)

    assert outcome is Resolution.NOTHING_TO_DO
    assert shop.db.order(order.id or 0).state is OrderState.PAID
    assert shop.db.payment_of(order.id or 0).state is PaymentState.APPROVED
    assert len(shop.db.events(EventType.ORDER_PAID)) == 1
    assert shop.db.events(EventType.PAYMENT_FAILED) == []


async def test_resolving_an_unknown_transaction_is_not_found(shop: ReconcilerShop) -> None:
    with pytest.raises(NotFound):
        await shop.resolve.by_transaction("no-such-transaction")


async def test_a_platform_payment_recorded_as_an_orphan_pays_nothing(
    shop: ReconcilerShop,
) -> None:
    # Taken under another order's approval and being given back (tests/property found it):
    # the platform still reports it approved for this order, which must not become PAID.
    order = await shop.approving_order()
    other = await shop.pending_order()
    async with shop.db() as uow:
        await uow.orphans.add(
            OrphanPayment.found(
                order_id=other.id or 0,
                platform=PayType.KAKAO_PAY,
                platform_tx_id="TX-7",
                amount=order.trans_amount,
                reason="approved under another order",
                at=shop.clock.now(),
                first_retry_at=shop.clock.now(),
            )
        )
        await uow.commit()
    shop.gateway(PayType.KAKAO_PAY).script(
        "lookup", lookup_of(PlatformStatus.APPROVED, order.trans_amount, "TX-7")
    )

    outcome = await shop.resolve.by_transaction(order.transaction_id)

    assert outcome is Resolution.UNRESOLVED
    assert shop.db.order(order.id or 0).state is OrderState.PAYMENT_PENDING
    assert shop.db.payment_of(order.id or 0).state is PaymentState.APPROVING

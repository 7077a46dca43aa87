"""PlaceOrder: the catalog's amount, write before the call, and each platform answer."""

from __future__ import annotations

import pytest

from application.place_order import PlaceOrderCommand
from domain.catalog import Product
from domain.errors import InvalidInput, NotFound, PaymentOutcomeUnknown, PaymentPlatformError
from domain.events import EventType
from domain.order import OrderState
from domain.pay_type import PayType
from domain.payment import AttemptState, Operation, PaymentState
from domain.ports.payment_gateway import Checkout
from tests.unit.fakes import GatewayCall, Shop, approval

pytestmark = pytest.mark.anyio


@pytest.fixture
def shop() -> Shop:
    return Shop()


async def command(
    shop: Shop, product: Product, pay_type: PayType = PayType.KAKAO_PAY, **overrides: object
) -> PlaceOrderCommand:
    assert product.id is not None
    args: dict[str, object] = {
        "user_id": await shop.user(),
        "product_id": product.id,
        "product_option_id": product.options[0].id,
        "quantity": 3,
        "min_share": 2,
        "max_share": 4,
        "pay_type": pay_type,
    }
    args.update(overrides)
    return PlaceOrderCommand(**args)  # type: ignore[arg-type]


async def test_the_amount_is_computed_from_the_catalog(shop: Shop) -> None:
    product = await shop.product(price=10_000, options=[("large", 2_500)])

    placed = await shop.place_order.execute(await command(shop, product))

    assert placed.order.trans_amount == (10_000 + 2_500) * 3
    assert shop.db.payment_of(placed.order.id or 0).amount == 37_500
    [checkout] = shop.gateway(PayType.KAKAO_PAY).calls
    assert (checkout.operation, checkout.amount) == ("checkout", 37_500)
    assert checkout.payment.item_name == "apples (large)"
    assert checkout.payment.quantity == 3


async def test_a_redirect_platform_leaves_the_order_pending_with_the_platform_data(
    shop: Shop,
) -> None:
    product = await shop.product()

    placed = await shop.place_order.execute(await command(shop, product))

    order_id = placed.order.id or 0
    tx = shop.gateway(PayType.KAKAO_PAY).tx_id(placed.order.transaction_id)
    assert placed.order.state is OrderState.PAYMENT_PENDING
    assert placed.client_data == {"next_redirect_pc_url": f"https://pay.test/{tx}"}
    stored = shop.db.order(order_id)
    assert stored.state is OrderState.PAYMENT_PENDING
    assert (stored.min_share, stored.max_share, stored.quantity) == (2, 4, 3)
    payment = shop.db.payment_of(order_id)
    assert (payment.state, payment.platform_tx_id) == (PaymentState.READY, tx)
    [attempt] = shop.db.attempts_of(order_id, Operation.CHECKOUT)
    assert attempt.state is AttemptState.SUCCEEDED
    assert shop.db.event_types() == [EventType.ORDER_PLACED]


async def test_the_transaction_id_and_return_urls_are_ours(shop: Shop) -> None:
    product = await shop.product()

    placed = await shop.place_order.execute(await command(shop, product))

    tx_id = placed.order.transaction_id
    assert tx_id in shop.ids.issued
    assert shop.urls.requests == [(PayType.KAKAO_PAY, tx_id)]
    assert shop.db.events(EventType.ORDER_PLACED)[0].data["transactionId"] == tx_id


async def test_the_order_and_its_attempt_are_committed_before_the_platform_is_called(
    shop: Shop,
) -> None:
    product = await shop.product()
    seen: dict[str, object] = {}

    def inspect(call: GatewayCall) -> None:
        order = shop.db.order(call.payment.order_id)
        [attempt] = shop.db.attempts_of(call.payment.order_id, Operation.CHECKOUT)
        seen.update(state=order.state, attempt=attempt.state, key=attempt.idempotency_key)
        seen.update(attempt_id=attempt.id)

    shop.gateway(PayType.KAKAO_PAY).script("checkout", inspect)

    await shop.place_order.execute(await command(shop, product))

    [call] = shop.gateway(PayType.KAKAO_PAY).calls
    assert seen["state"] is OrderState.PAYMENT_PENDING
    assert seen["attempt"] is AttemptState.IN_FLIGHT
    assert (call.idempotency_key, call.attempt_id) == (seen["key"], seen["attempt_id"])


async def test_an_unknown_user_is_not_found_and_nothing_is_written(shop: Shop) -> None:
    product = await shop.product()
    cmd = await command(shop, product, user_id=404)
    commits = shop.db.committed

    with pytest.raises(NotFound, match="user 404"):
        await shop.place_order.execute(cmd)

    assert shop.db.committed == commits
    assert shop.db.tables.orders == {} and shop.db.tables.payments == {}
    assert shop.db.tables.events == []
    assert shop.gateways.all_calls() == []


async def test_an_unknown_product_is_not_found_and_nothing_is_written(shop: Shop) -> None:
    product = await shop.product()
    cmd = await command(shop, product, product_id=404)

    with pytest.raises(NotFound, match="product 404"):
        await shop.place_order.execute(cmd)

    assert shop.db.tables.orders == {} and shop.db.tables.attempts == {}
    assert shop.gateways.all_calls() == []


async def test_an_unknown_option_is_not_found_and_nothing_is_written(shop: Shop) -> None:
    product = await shop.product()
    other = await shop.product(options=[("other", 1)])
    cmd = await command(shop, product, product_option_id=other.options[0].id)

    with pytest.raises(NotFound, match="option"):
        await shop.place_order.execute(cmd)

    assert shop.db.tables.orders == {} and shop.db.tables.payments == {}
    assert shop.db.tables.events == []
    assert shop.gateways.all_calls() == []


async def test_shares_out_of_bounds_are_refused_and_nothing_is_written(shop: Shop) -> None:
    product = await shop.product()

    with pytest.raises(InvalidInput):
        await shop.place_order.execute(await command(shop, product, min_share=5, max_share=2))

    assert shop.db.tables.orders == {}
    assert shop.gateways.all_calls() == []


async def test_a_platform_refusal_fails_the_order(shop: Shop) -> None:
    product = await shop.product()
    refusal = PaymentPlatformError("KAKAO_PAY", "invalid cid", code="-701")
    shop.gateway(PayType.KAKAO_PAY).script("checkout", refusal)

    with pytest.raises(PaymentPlatformError):
        await shop.place_order.execute(await command(shop, product))

    [order] = shop.db.tables.orders.values()
    assert order.state is OrderState.PAYMENT_FAILED
    assert shop.db.payment_of(order.id or 0).state is PaymentState.FAILED
    [attempt] = shop.db.attempts_of(order.id or 0, Operation.CHECKOUT)
    assert (attempt.state, attempt.error) == (AttemptState.FAILED, refusal.message)
    assert shop.db.event_types() == [EventType.ORDER_PLACED, EventType.PAYMENT_FAILED]
    failed = shop.db.events(EventType.PAYMENT_FAILED)[0]
    assert failed.data["orderId"] == order.id
    assert failed.data["state"] == "PAYMENT_FAILED"
    assert failed.data["reason"] == refusal.message


async def test_an_unknown_outcome_leaves_the_order_to_the_reconciler(shop: Shop) -> None:
    product = await shop.product()
    shop.gateway(PayType.OPEN_BANKING).script(
        "checkout", PaymentOutcomeUnknown("OPEN_BANKING", "read timeout")
    )
    payer = {"fintechUseNum": "1990001", "accessToken": "tok"}

    with pytest.raises(PaymentOutcomeUnknown):
        await shop.place_order.execute(
            await command(shop, product, PayType.OPEN_BANKING, payer=payer)
        )

    [order] = shop.db.tables.orders.values()
    assert order.state is OrderState.PAYMENT_PENDING
    assert shop.db.payment_of(order.id or 0).state is PaymentState.APPROVING
    [attempt] = shop.db.attempts_of(order.id or 0, Operation.CHECKOUT)
    assert attempt.state is AttemptState.UNKNOWN
    assert attempt.is_open
    assert shop.db.event_types() == [EventType.ORDER_PLACED]


async def test_a_synchronous_approval_makes_the_order_paid(shop: Shop) -> None:
    product = await shop.product(price=5_000, options=[("large", 0)])
    payer = {"fintechUseNum": "1990001", "accessToken": "tok"}

    placed = await shop.place_order.execute(
        await command(shop, product, PayType.OPEN_BANKING, payer=payer, quantity=2)
    )

    order_id = placed.order.id or 0
    assert placed.order.state is OrderState.PAID
    assert shop.db.order(order_id).state is OrderState.PAID
    payment = shop.db.payment_of(order_id)
    assert (payment.state, payment.approved_amount) == (PaymentState.APPROVED, 10_000)
    assert payment.payer_ref == "1990001"
    [call] = shop.gateway(PayType.OPEN_BANKING).calls
    assert call.payer == payer
    assert shop.db.event_types() == [EventType.ORDER_PLACED, EventType.ORDER_PAID]
    assert shop.db.events(EventType.ORDER_PAID)[0].data["amount"] == 10_000


async def test_the_payers_access_token_is_never_stored(shop: Shop) -> None:
    product = await shop.product()
    payer = {"fintechUseNum": "1990001", "accessToken": "very-secret-token"}

    await shop.place_order.execute(await command(shop, product, PayType.OPEN_BANKING, payer=payer))

    assert "very-secret-token" not in repr(shop.db.tables)


async def test_a_synchronous_approval_of_another_amount_fails_the_order_and_refunds_it(
    shop: Shop,
) -> None:
    product = await shop.product(price=5_000, options=[("large", 0)])
    gateway = shop.gateway(PayType.OPEN_BANKING)
    gateway.script(
        "checkout", Checkout(client_data={}, platform_tx_id="BT-1", approval=approval(4_000))
    )
    payer = {"fintechUseNum": "1990001", "accessToken": "tok"}

    placed = await shop.place_order.execute(
        await command(shop, product, PayType.OPEN_BANKING, payer=payer, quantity=1)
    )

    order_id = placed.order.id or 0
    assert placed.order.state is OrderState.PAYMENT_FAILED
    [refund] = gateway.calls_of("refund")
    assert refund.amount == 4_000
    payment = shop.db.payment_of(order_id)
    assert (payment.state, payment.refunded_amount) == (PaymentState.REFUNDED, 4_000)
    assert shop.db.event_types()[:2] == [EventType.ORDER_PLACED, EventType.PAYMENT_FAILED]
    assert shop.db.events(EventType.PAYMENT_FAILED)[0].data["approvedAmount"] == 4_000
    assert EventType.ORDER_PAID not in shop.db.event_types()


async def test_a_refund_refused_after_a_wrong_amount_stays_due_for_the_reconciler(
    shop: Shop,
) -> None:
    product = await shop.product(price=5_000, options=[("large", 0)])
    gateway = shop.gateway(PayType.OPEN_BANKING)
    gateway.script("checkout", Checkout(client_data={}, approval=approval(6_000)))
    gateway.script("refund", PaymentPlatformError("OPEN_BANKING", "bank closed"))
    payer = {"fintechUseNum": "1990001", "accessToken": "tok"}

    placed = await shop.place_order.execute(
        await command(shop, product, PayType.OPEN_BANKING, payer=payer, quantity=1)
    )

    assert placed.order.state is OrderState.PAYMENT_FAILED
    payment = shop.db.payment_of(placed.order.id or 0)
    assert payment.state is PaymentState.REFUNDING
    assert payment.refund_failures == 1

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from application.payment_runner import OrderKey, PaymentRunner, Settling
from domain.catalog import Product
from domain.errors import InvalidInput, NotFound, PaymentOutcomeUnknown, PaymentPlatformError
from domain.order import Order
from domain.pay_type import PayType
from domain.payment import Operation, PaymentState
from domain.ports.clock import IdSource
from domain.ports.payment_gateway import (
    Checkout,
    CheckoutRequest,
    PaymentGateway,
    PaymentRef,
    PlatformCall,
)
from domain.ports.return_urls import ReturnUrlBuilder
from domain.ports.unit_of_work import UnitOfWork


@dataclass(frozen=True, kw_only=True)
class PlaceOrderCommand:
    user_id: int
    product_id: int
    product_option_id: int
    quantity: int
    min_share: int
    max_share: int
    pay_type: PayType
    payer: Mapping[str, str] = field(default_factory=dict)
    transaction_id: str | None = None
    """Reserved by the caller (an Idempotency-Key's recovery point); a new one when None."""


@dataclass(frozen=True)
class PlacedOrder:
    order: Order
    client_data: Mapping[str, object]


class PlaceOrder:
    """Places an order and starts its payment on the chosen platform.

    Rules: the user, product and option exist; the amount is the catalog's
    `(price + extraPrice) * quantity`; the order and its checkout attempt are committed before
    the platform is called; a platform refusal fails the order (502), a lost answer leaves it
    for the reconciler; a synchronous platform (Open Banking) makes the order PAID at once, and
    money it took of another amount goes back.
    """

    def __init__(self, runner: PaymentRunner, return_urls: ReturnUrlBuilder, ids: IdSource) -> None:
        self._runner, self._urls, self._ids = runner, return_urls, ids

    async def execute(self, cmd: PlaceOrderCommand) -> PlacedOrder:
        if cmd.pay_type.takes_payer_account and not cmd.payer:
            raise InvalidInput(
                f"{cmd.pay_type.value} needs transaction: {{fintechUseNum, accessToken}}"
            )
        if cmd.payer and not cmd.pay_type.takes_payer_account:
            raise InvalidInput(f"{cmd.pay_type.value} takes no account data in transaction")
        step = _Checkout(cmd, self._urls)

        gateway = self._runner.gateways.for_type(cmd.pay_type)

        async def place(uow: UnitOfWork) -> tuple[Order, str]:
            now = self._runner.clock.now()
            known_user, product = await uow.products.for_buyer(cmd.product_id, cmd.user_id)
            if not known_user:
                raise NotFound(f"user {cmd.user_id} does not exist")
            if product is None:
                raise NotFound(f"product {cmd.product_id} does not exist")
            order = Order.place(
                user_id=cmd.user_id,
                product=product,
                product_option_id=cmd.product_option_id,
                quantity=cmd.quantity,
                min_share=cmd.min_share,
                max_share=cmd.max_share,
                pay_type=cmd.pay_type,
                transaction_id=cmd.transaction_id or self._ids.new_id(),
                at=now,
            )
            order.open_payment(gateway.payer_reference(cmd.payer), now)
            await uow.orders.add(order)
            order.placed(now)
            return order, _item_name(product, cmd.product_option_id)

        ran = await self._runner.run(OrderKey(), step, new_order=place)
        assert ran.result is not None
        return PlacedOrder(ran.order, ran.result.client_data)


class _Checkout:
    operation = Operation.CHECKOUT

    def __init__(self, cmd: PlaceOrderCommand, urls: ReturnUrlBuilder) -> None:
        self._cmd, self._urls = cmd, urls

    def begin(self, order: Order, now: datetime) -> bool:
        return True

    async def call(self, gateway: PaymentGateway, ref: PaymentRef, call: PlatformCall) -> Checkout:
        return await gateway.checkout(
            CheckoutRequest(
                payment=ref,
                return_urls=self._urls.for_transaction(self._cmd.pay_type, ref.transaction_id),
                call=call,
                payer=dict(self._cmd.payer),
            )
        )

    async def succeeded(self, order: Order, result: Checkout, settling: Settling) -> None:
        order.checkout_answered(result.platform_tx_id, result.raw)
        if result.approval is not None and order.pay.state is PaymentState.READY:
            order.approval_settled(result.approval, settling.now, settling.first_retry_at)

    async def failed(self, order: Order, error: PaymentPlatformError, settling: Settling) -> None:
        order.checkout_refused(error.message, settling.now)

    async def unknown(self, order: Order, error: PaymentOutcomeUnknown, settling: Settling) -> None:
        # The platform may have started (or, for Open Banking, taken) the payment: the
        # reconciler asks it before anything moves.
        order.pay.begin_approval(settling.now)


def _item_name(product: Product, option_id: int) -> str:
    option = next((o for o in product.options if o.id == option_id), None) if option_id else None
    return f"{product.name} ({option.name})" if option is not None else product.name

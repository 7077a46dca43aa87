from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from application.approval import record_approval
from application.events import order_event
from application.payment_context import call_of, lock_by_order_id, payment_ref
from application.refund_payment import RefundPayment
from domain.errors import InvalidInput, NotFound, PaymentOutcomeUnknown, PaymentPlatformError
from domain.events import EventType
from domain.order import Order
from domain.pay_type import PayType
from domain.payment import AttemptState, Operation, Payment, PaymentAttempt, PaymentState
from domain.ports.clock import Clock, IdSource
from domain.ports.payment_gateway import Checkout, CheckoutRequest, PaymentGateways
from domain.ports.return_urls import ReturnUrlBuilder
from domain.ports.unit_of_work import UnitOfWorkFactory

PAYER_REF_FIELD = "fintechUseNum"


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
    for the reconciler; a synchronous platform (Open Banking) makes the order PAID at once.
    """

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        gateways: PaymentGateways,
        return_urls: ReturnUrlBuilder,
        clock: Clock,
        ids: IdSource,
        refunds: RefundPayment,
    ) -> None:
        self._uow, self._gateways, self._urls = uow, gateways, return_urls
        self._clock, self._ids, self._refunds = clock, ids, refunds

    async def execute(self, cmd: PlaceOrderCommand) -> PlacedOrder:
        if cmd.pay_type.takes_payer_account and not cmd.payer:
            raise InvalidInput(
                f"{cmd.pay_type.value} needs transaction: {{fintechUseNum, accessToken}}"
            )
        if cmd.payer and not cmd.pay_type.takes_payer_account:
            raise InvalidInput(f"{cmd.pay_type.value} takes no account data in transaction")
        gateway = self._gateways.for_type(cmd.pay_type)
        async with self._uow() as uow:
            now = self._clock.now()
            if await uow.users.get(cmd.user_id) is None:
                raise NotFound(f"user {cmd.user_id} does not exist")
            product = await uow.products.get(cmd.product_id)
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
            await uow.orders.add(order)
            assert order.id is not None
            payment = Payment.start(order.id, cmd.pay_type, order.trans_amount, now)
            payment.payer_ref = cmd.payer.get(PAYER_REF_FIELD) or None
            await uow.payments.add(payment)
            assert payment.id is not None
            attempt = PaymentAttempt(
                payment_id=payment.id,
                operation=Operation.CHECKOUT,
                idempotency_key=self._ids.new_id(),
                state=AttemptState.IN_FLIGHT,
                created_at=now,
                updated_at=now,
            )
            await uow.attempts.add(attempt)
            await uow.outbox.add(order_event(EventType.ORDER_PLACED, order, now))
            request = CheckoutRequest(
                payment=await payment_ref(uow, order, payment),
                return_urls=self._urls.for_transaction(cmd.pay_type, order.transaction_id),
                call=call_of(attempt),
                payer=dict(cmd.payer),
            )
            await uow.commit()

        try:
            checkout = await gateway.checkout(request)
        except (PaymentPlatformError, PaymentOutcomeUnknown) as exc:
            await self._record_checkout_failure(order.id, exc)
            raise
        paid = await self._record_checkout(order.id, checkout)
        if checkout.approval is not None and not paid:
            await self._refunds.execute(order.id, reason="approved amount differs from order")
        async with self._uow() as uow:
            fresh = await uow.orders.get(order.id)
        return PlacedOrder(fresh or order, checkout.client_data)

    async def _record_checkout(self, order_id: int, checkout: Checkout) -> bool:
        async with self._uow() as uow:
            ctx = await lock_by_order_id(uow, order_id)
            now = self._clock.now()
            attempt = await uow.attempts.open_attempt(ctx.payment.id or 0, Operation.CHECKOUT)
            if attempt is not None:
                attempt.succeeded(now)
            if checkout.platform_tx_id:
                ctx.payment.platform_tx_id = checkout.platform_tx_id
            ctx.payment.raw_response = json.dumps(checkout.raw, default=str, ensure_ascii=False)
            paid = False
            if checkout.approval is not None and ctx.payment.state is PaymentState.READY:
                paid = await record_approval(uow, ctx.order, ctx.payment, checkout.approval, now)
            await uow.commit()
            return paid

    async def _record_checkout_failure(
        self, order_id: int, exc: PaymentPlatformError | PaymentOutcomeUnknown
    ) -> None:
        async with self._uow() as uow:
            ctx = await lock_by_order_id(uow, order_id)
            now = self._clock.now()
            attempt = await uow.attempts.open_attempt(ctx.payment.id or 0, Operation.CHECKOUT)
            if isinstance(exc, PaymentOutcomeUnknown):
                # The platform may have started (or, for Open Banking, taken) the payment:
                # the reconciler asks it before anything moves.
                if attempt is not None:
                    attempt.unknown(exc.message, now)
                ctx.payment.begin_approval(now)
            else:
                if attempt is not None:
                    attempt.failed(exc.message, now)
                ctx.payment.failed(now)
                ctx.order.mark_payment_failed(now)
                await uow.outbox.add(
                    order_event(EventType.PAYMENT_FAILED, ctx.order, now, reason=exc.message)
                )
            await uow.commit()

"""Shared by the payment use-cases: loading an order with its payment, and addressing it."""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import NotFound
from domain.order import Order
from domain.payment import Payment, PaymentAttempt
from domain.ports.payment_gateway import PaymentRef, PlatformCall
from domain.ports.unit_of_work import UnitOfWork


@dataclass
class OrderPayment:
    order: Order
    payment: Payment


async def lock_by_transaction(uow: UnitOfWork, transaction_id: str) -> OrderPayment:
    order = await uow.orders.by_transaction_id(transaction_id, for_update=True)
    if order is None or order.id is None:
        raise NotFound(f"no order has transaction {transaction_id}")
    return await _with_payment(uow, order)


async def lock_by_order_id(uow: UnitOfWork, order_id: int) -> OrderPayment:
    order = await uow.orders.get(order_id, for_update=True)
    if order is None:
        raise NotFound(f"order {order_id} does not exist")
    return await _with_payment(uow, order)


async def _with_payment(uow: UnitOfWork, order: Order) -> OrderPayment:
    assert order.id is not None
    payment = await uow.payments.of_order(order.id, for_update=True)
    if payment is None:
        raise NotFound(f"order {order.id} has no payment")
    return OrderPayment(order, payment)


async def payment_ref(uow: UnitOfWork, order: Order, payment: Payment) -> PaymentRef:
    product = await uow.products.get(order.product_id)
    item_name = product.name if product else f"product {order.product_id}"
    if product is not None and order.product_option_id:
        option = next((o for o in product.options if o.id == order.product_option_id), None)
        if option is not None:
            item_name = f"{item_name} ({option.name})"
    assert order.id is not None
    return PaymentRef(
        order_id=order.id,
        user_id=order.user_id,
        transaction_id=order.transaction_id,
        amount=order.trans_amount,
        item_name=item_name,
        quantity=order.quantity,
        platform_tx_id=payment.platform_tx_id,
        approved_at=payment.approved_at,
        payer_ref=payment.payer_ref,
    )


def call_of(attempt: PaymentAttempt) -> PlatformCall:
    assert attempt.id is not None
    return PlatformCall(
        attempt_id=attempt.id,
        idempotency_key=attempt.idempotency_key,
        started_at=attempt.created_at,
    )

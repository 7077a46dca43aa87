"""Entities in a valid state, stored through the repositories under test."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from adapters.outbound.persistence.unit_of_work import SqlaUnitOfWorkFactory
from domain.catalog import Product
from domain.order import Order, OrderState
from domain.pay_type import PayType
from domain.payment import Operation, Payment, PaymentAttempt, PaymentState
from domain.user import User

T0 = datetime(2026, 3, 1, 9, 30, 15, 123_000, tzinfo=UTC)
"""Millisecond-precise, as the database keeps it."""


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


async def new_user(uow: SqlaUnitOfWorkFactory, name: str = "kim", when: datetime = T0) -> User:
    async with uow() as tx:
        user = User.register(name, when)
        await tx.users.add(user)
        await tx.commit()
    return user


async def new_product(uow: SqlaUnitOfWorkFactory, price: int = 10_000) -> Product:
    async with uow() as tx:
        product = Product.create("rice 10kg", price, [("brown", 2_000), ("white", 0)], T0)
        await tx.products.add(product)
        await tx.commit()
    return product


def order_for(
    user: User,
    product: Product,
    *,
    state: OrderState = OrderState.PAYMENT_PENDING,
    when: datetime = T0,
    group_id: int | None = None,
) -> Order:
    assert user.id is not None
    order = Order.place(
        user_id=user.id,
        product=product,
        product_option_id=product.options[0].id or 0,
        quantity=2,
        min_share=2,
        max_share=0,
        pay_type=PayType.KAKAO_PAY,
        transaction_id=str(uuid.uuid4()),
        at=when,
    )
    order.state = state
    order.group_id = group_id
    return order


async def new_order(
    uow: SqlaUnitOfWorkFactory,
    user: User,
    product: Product,
    *,
    state: OrderState = OrderState.PAYMENT_PENDING,
    when: datetime = T0,
    group_id: int | None = None,
) -> Order:
    async with uow() as tx:
        order = order_for(user, product, state=state, when=when, group_id=group_id)
        await tx.orders.add(order)
        await tx.commit()
    return order


async def new_payment(
    uow: SqlaUnitOfWorkFactory,
    order: Order,
    *,
    state: PaymentState = PaymentState.READY,
    updated: datetime = T0,
    next_retry_at: datetime | None = None,
) -> Payment:
    assert order.id is not None
    async with uow() as tx:
        payment = Payment.start(order.id, order.pay_type, order.trans_amount, T0)
        payment.state = state
        payment.updated_at = updated
        payment.next_retry_at = next_retry_at
        await tx.payments.add(payment)
        await tx.commit()
    return payment


async def placed_with_attempt(uow: SqlaUnitOfWorkFactory) -> tuple[Order, PaymentAttempt]:
    """A placed order with its payment (platform id T-1) and an open APPROVE attempt."""
    user, product = await new_user(uow), await new_product(uow)
    async with uow() as tx:
        order = order_for(user, product)
        order.open_payment("payer", T0)
        await tx.orders.add(order)
        order.placed(T0)
        attempt = order.begin_attempt(Operation.APPROVE, f"key-{user.id}", T0)
        await tx.attempts.add(attempt)
        order.pay.platform_tx_id = "T-1"
        await tx.commit()
    return order, attempt

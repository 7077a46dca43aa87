"""Where an order placed under an Idempotency-Key stands now: what a retry of the placement
answers when the first request crashed or could not know the platform's answer."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from domain.order import Order, OrderState
from domain.payment import AttemptState, Operation
from domain.ports.unit_of_work import UnitOfWorkFactory


class Outcome(str, Enum):
    STARTED = "STARTED"
    """The platform answered the checkout (or the order has since been paid): a success."""
    UNKNOWN = "UNKNOWN"
    """The order waits and its checkout's outcome is not known yet; the worker settles it."""
    FAILED = "FAILED"
    """The payment failed or was cancelled before it was taken."""


@dataclass(frozen=True)
class Placement:
    order: Order
    outcome: Outcome
    platform_answer: Mapping[str, object] = field(default_factory=dict)
    """The platform's last recorded answer (for KakaoPay and Open Banking, the checkout's)."""


_FAILED = {OrderState.PAYMENT_FAILED, OrderState.PAYMENT_CANCELLED}


class PlacementStatus:
    """Reads an order by its transactionId with its checkout's outcome.

    Rules: a checkout the platform answered is a success, whatever the order went through
    since; a pending order whose checkout is still open (in flight, or its answer lost) is
    unknown; an order that failed or was cancelled without a successful checkout failed.
    """

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def execute(self, transaction_id: str) -> Placement | None:
        async with self._uow() as uow:
            order = await uow.orders.by_transaction_id(transaction_id)
            if order is None or order.id is None:
                return None
            payment = await uow.payments.of_order(order.id)
            attempts = await uow.attempts.of_payment(payment.id) if payment and payment.id else []
        checkout = next((a.state for a in attempts if a.operation is Operation.CHECKOUT), None)
        answer = _json_object(payment.raw_response if payment else None)
        if checkout is AttemptState.SUCCEEDED:
            return Placement(order, Outcome.STARTED, answer)
        if order.state in _FAILED:
            return Placement(order, Outcome.FAILED, answer)
        if order.state is OrderState.PAYMENT_PENDING:
            return Placement(order, Outcome.UNKNOWN, answer)
        return Placement(order, Outcome.STARTED, answer)


def _json_object(raw: str | None) -> Mapping[str, object]:
    try:
        value = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}

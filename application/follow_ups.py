"""The message bus of the payment core: what runs once, after the commit that raised it.

An approval of the wrong amount raises `RefundDue`, a payment no order owns `OrphanRefundDue`;
the runner hands them here after commit, so no use-case calls another to give money back. A
follow-up that fails leaves its work, already committed as REFUNDING, to the worker.
"""

from __future__ import annotations

from application.payment_runner import PaymentRunner
from application.refund_payment import RefundPayment
from application.settings import PaymentPolicy
from domain.events import Event, OrphanRefundDue, RefundDue
from domain.ports.clock import Clock, IdSource
from domain.ports.payment_gateway import PaymentGateways
from domain.ports.unit_of_work import UnitOfWorkFactory


def payment_core(
    uow: UnitOfWorkFactory,
    gateways: PaymentGateways,
    clock: Clock,
    ids: IdSource,
    policy: PaymentPolicy,
) -> PaymentRunner:
    """The runner, with its follow-ups subscribed."""
    runner = PaymentRunner(uow, gateways, clock, ids, policy)
    refunds = RefundPayment(runner)

    async def refund_order(event: Event) -> None:
        assert isinstance(event, RefundDue)
        await refunds.execute(event.order_id, reason=event.reason)

    async def refund_orphan(event: Event) -> None:
        assert isinstance(event, OrphanRefundDue)
        await runner.refund_orphan(event.orphan_id)

    runner.on(RefundDue, refund_order)
    runner.on(OrphanRefundDue, refund_orphan)
    return runner

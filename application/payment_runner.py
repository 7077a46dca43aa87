"""The payment core: every platform call is made here, the same way.

Write before you call: the order and its payment are locked together (one statement), the
attempt is claimed with its idempotency key and committed; the platform is called outside any
transaction; then the order and payment are locked again and the attempt, updated by the id
in hand, is settled as succeeded, unknown or failed, together with the use-case's business
decision (its `Step`). Two transactions per platform call. The events the aggregates raised
are written to the outbox by the unit of work; follow-ups (refunds) run once, after commit.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Protocol, TypeVar

from application.settings import PaymentPolicy
from domain.errors import (
    DomainError,
    NotFound,
    PaymentNotOwned,
    PaymentOutcomeUnknown,
    PaymentPlatformError,
    StorageUnavailable,
)
from domain.events import Event
from domain.order import Order
from domain.orphan import OrphanPayment, OrphanState
from domain.payment import AttemptState, Operation, PaymentAttempt, PaymentState
from domain.ports.clock import Clock, IdSource
from domain.ports.payment_gateway import (
    PaymentGateway,
    PaymentGateways,
    PaymentLookup,
    PaymentRef,
    PlatformCall,
)
from domain.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger("gonggu.payments")
R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)
FIVE_HUNDREDS = (PaymentPlatformError, PaymentOutcomeUnknown, StorageUnavailable)


# --------------------------------------------------------------------------- finding the order


@dataclass(frozen=True)
class OrderKey:
    """Which order a run is about: by our id or by our transaction id."""

    order_id: int | None = None
    transaction_id: str | None = None

    async def lock(self, uow: UnitOfWork) -> Order:
        """The order with its payment, both rows locked."""
        order = await uow.orders.lock_with_payment(
            order_id=self.order_id, transaction_id=self.transaction_id
        )
        if self.order_id is not None:
            missing = f"order {self.order_id} does not exist"
        else:
            missing = f"no order has transaction {self.transaction_id}"
        if order is None or not order.has_payment:
            raise NotFound(missing)
        return order


def by_id(order_id: int) -> OrderKey:
    return OrderKey(order_id=order_id)


def by_transaction(transaction_id: str) -> OrderKey:
    return OrderKey(transaction_id=transaction_id)


# --------------------------------------------------------------------------- what a use-case says


class Settling:
    """What a step may do while its outcome is settled: the time, the policy, and recording
    money that belongs to no order (an orphan, refunded after commit)."""

    def __init__(self, uow: UnitOfWork, now: datetime, policy: PaymentPolicy) -> None:
        self.uow, self.now, self.policy = uow, now, policy

    @property
    def first_retry_at(self) -> datetime:
        """A refund due now is made by this request; the worker takes it over after a lease."""
        return self.now + self.policy.lease

    async def orphan(
        self,
        order: Order,
        platform_tx_id: str,
        amount: int,
        reason: str,
        merchant_ref: str | None = None,
    ) -> OrphanPayment | None:
        """Records money the platform took that `order` does not own, to be refunded, unless
        another order's payment holds it."""
        assert order.id is not None
        known = await self.uow.orphans.find(order.pay_type, platform_tx_id)
        if known is not None:
            return known
        holder = await self.uow.payments.holder_of(order.pay_type, platform_tx_id)
        if holder is not None:
            # An order's payment already holds this money (the buyer paid that order, and the
            # reconciler or its own return settled it first): it has an owner.
            log.info("platform payment %s belongs to order %s", platform_tx_id, holder)
            return None
        orphan = OrphanPayment.found(
            order_id=order.id,
            platform=order.pay_type,
            platform_tx_id=platform_tx_id,
            amount=amount,
            reason=reason,
            at=self.now,
            first_retry_at=self.first_retry_at,
            merchant_ref=merchant_ref,
        )
        orphan.payer_ref = order.pay.payer_ref
        await self.uow.orphans.add(orphan)
        orphan.announce()
        log.warning(
            "orphan payment %s on %s (%s won) found on order %s: %s",
            platform_tx_id,
            order.pay_type.value,
            amount,
            order.id,
            reason,
        )
        return orphan


class Step(Protocol[R]):
    """One use-case's business decision around one platform call."""

    operation: Operation

    def begin(self, order: Order, now: datetime) -> bool:
        """In the first transaction: whether to call (False answers the order as it stands).
        May move the order (e.g. to APPROVING) or raise a domain error."""
        ...

    async def call(self, gateway: PaymentGateway, ref: PaymentRef, call: PlatformCall) -> R: ...

    async def succeeded(self, order: Order, result: R, settling: Settling) -> None: ...

    async def failed(
        self, order: Order, error: PaymentPlatformError, settling: Settling
    ) -> None: ...

    async def unknown(
        self, order: Order, error: PaymentOutcomeUnknown, settling: Settling
    ) -> None: ...


class Ask(Protocol):
    """A use-case's decision on what the platform says about a payment (a lookup)."""

    def begin(self, order: Order) -> bool:
        """Whether to ask at all (False answers the order as it stands)."""
        ...

    async def settle(self, order: Order, lookup: PaymentLookup | None, settling: Settling) -> bool:
        """Acts on the lookup (None: the platform cannot be asked). True when the order's open
        attempts are settled by it (they are then closed)."""
        ...


@dataclass
class Ran(Generic[R_co]):
    order: Order
    called: bool = False
    busy: bool = False
    """Another caller holds a fresh attempt of this operation: it reports the outcome."""
    result: R_co | None = None
    error: DomainError | None = None


# --------------------------------------------------------------------------- the runner


class PaymentRunner:
    """Makes every platform call of every payment use-case (see the module docstring)."""

    def __init__(
        self,
        uow: UnitOfWorkFactory,
        gateways: PaymentGateways,
        clock: Clock,
        ids: IdSource,
        policy: PaymentPolicy,
    ) -> None:
        self.uow, self.gateways, self.clock, self.ids, self.policy = (
            uow,
            gateways,
            clock,
            ids,
            policy,
        )
        self._follow_ups: dict[type[Event], Callable[[Event], Awaitable[object]]] = {}

    def on(self, kind: type[Event], handler: Callable[[Event], Awaitable[object]]) -> None:
        """Runs `handler` once for each event of `kind`, after the commit that raised it."""
        self._follow_ups[kind] = handler

    async def run(
        self,
        key: OrderKey,
        step: Step[R],
        *,
        new_order: Callable[[UnitOfWork], Awaitable[tuple[Order, str]]] | None = None,
        raises: bool = True,
    ) -> Ran[R]:
        """Claim, commit, call, settle. `new_order` stores the order in the first transaction
        instead of locking an existing one (placing it), and names its item. Platform errors
        are re-raised naming the order unless `raises` is False (then they are `Ran.error`)."""
        order: Order | None = None
        try:
            # Placing reads the catalog, then writes the order, its payment, its first attempt
            # and its events, all at commit: one statement, with no BEGIN or COMMIT.
            async with self.uow(one_statement=new_order is not None) as uow:
                item_name = ""
                open_attempt: PaymentAttempt | None = None
                if new_order is not None:
                    order, item_name = await new_order(uow)
                else:
                    order = await key.lock(uow)
                    # Read before the step changes anything: the read has nothing to flush,
                    # and the step's changes go with the claim in the commit's one write.
                    assert order.pay.id is not None
                    open_attempt = await uow.attempts.open_attempt(order.pay.id, step.operation)
                now = self.clock.now()
                if not step.begin(order, now):
                    return Ran(order)
                attempt = await self._claim(uow, order, step.operation, now, open_attempt)
                if attempt is None:
                    return Ran(order, busy=True)
                ref = payment_ref(order, item_name)
                call = call_of(attempt)
                await uow.commit()
            await self._follow(uow.collect_new_events())
            key = by_id(order.id or 0)
            gateway = self.gateways.for_type(order.pay_type)
            error: PaymentPlatformError | PaymentOutcomeUnknown | None = None
            result: R | None = None
            try:
                result = await step.call(gateway, ref, call)
            except (PaymentPlatformError, PaymentOutcomeUnknown) as exc:
                error = exc
            async with self.uow() as uow:
                order = await key.lock(uow)
                settling = Settling(uow, self.clock.now(), self.policy)
                if isinstance(error, PaymentOutcomeUnknown):
                    attempt.unknown(error.message, settling.now)
                    await step.unknown(order, error, settling)
                elif isinstance(error, PaymentPlatformError):
                    attempt.failed(error.message, settling.now)
                    await step.failed(order, error, settling)
                    if isinstance(error, PaymentNotOwned):
                        await settling.orphan(
                            order,
                            error.platform_tx_id,
                            error.amount,
                            error.platform_message,
                            error.merchant_ref,
                        )
                else:
                    attempt.succeeded(settling.now)
                    assert result is not None
                    await step.succeeded(order, result, settling)
                await uow.attempts.update(attempt)
                await uow.commit()
            await self._follow(uow.collect_new_events())
        except FIVE_HUNDREDS as exc:
            raise _about(exc, order, key) from None
        if error is not None and raises:
            raise _about(error, order, key)
        return Ran(order, called=True, result=result, error=error)

    async def ask(
        self, key: OrderKey, decision: Ask, *, about: Operation | None = None
    ) -> Ran[PaymentLookup]:
        """Asks the platform about a payment (no money moves), then lets `decision` act on the
        answer. Where the platform cannot be asked, `decision` gets None in one transaction.
        The call named to the platform is the open approval's or checkout's, or with `about`
        the latest attempt of that operation, open or not (a refused refund's: Open Banking
        sees a refund, a deposit of its own, only by its transfer id)."""
        order: Order | None = None
        try:
            async with self.uow() as uow:
                order = await key.lock(uow)
                if not decision.begin(order):
                    return Ran(order)
                assert order.pay.id is not None
                gateway = self.gateways.for_type(order.pay_type)
                ref = payment_ref(order)
                if not gateway.can_look_up(ref):
                    settling = Settling(uow, self.clock.now(), self.policy)
                    await decision.settle(order, None, settling)
                    await uow.commit()
                    await self._follow(uow.collect_new_events())
                    return Ran(order)
                attempts = await uow.attempts.open_attempts(order.pay.id)
                asked = _call_to_ask(attempts)
                if about is not None:
                    tried = await uow.attempts.of_payment(order.pay.id)
                    asked = next((a for a in reversed(tried) if a.operation is about), None)
            lookup = await gateway.lookup(ref, call_of(asked) if asked else None)
            async with self.uow() as uow:
                order = await key.lock(uow)
                settling = Settling(uow, self.clock.now(), self.policy)
                if await decision.settle(order, lookup, settling):
                    await self._close(uow, attempts, order, settling.now)
                await uow.commit()
            await self._follow(uow.collect_new_events())
        except FIVE_HUNDREDS as exc:
            raise _about(exc, order, key) from None
        return Ran(order, called=True, result=lookup)

    async def refund_orphan(self, orphan_id: int) -> bool:
        """Gives back money no order owns, the way every refund is made: its attempt (kept on
        the orphan, on the payment of the order it was found with) is committed before the
        call and retried with its key until the platform answers definitely. True once the
        platform confirmed it."""
        async with self.uow() as uow:
            orphan = await uow.orphans.get(orphan_id, for_update=True)
            if orphan is None:
                raise NotFound(f"orphan payment {orphan_id} does not exist")
            if orphan.state is OrphanState.REFUNDED:
                return True
            now = self.clock.now()
            attempt = await uow.attempts.get(orphan.attempt_id) if orphan.attempt_id else None
            if attempt is not None and attempt.is_open:
                if attempt.state is AttemptState.IN_FLIGHT and (
                    attempt.updated_at > now - self.policy.lease
                ):
                    return False
                attempt.retry(now)
                await uow.attempts.update(attempt)
            else:
                payment = await uow.payments.of_order(orphan.order_id)
                assert payment is not None and payment.id is not None
                attempt = PaymentAttempt.begin(
                    payment.id, Operation.ORPHAN_REFUND, self.ids.new_id(), now
                )
                await uow.attempts.add(attempt)
                orphan.attempt_id = attempt.id
            orphan.defer(now + self.policy.lease, now)
            ref = PaymentRef(
                order_id=orphan.order_id,
                user_id=0,
                transaction_id=orphan.merchant_ref or "",
                amount=orphan.amount,
                item_name="",
                quantity=1,
                platform_tx_id=orphan.platform_tx_id,
                payer_ref=orphan.payer_ref,
            )
            call = call_of(attempt)
            await uow.commit()
        gateway = self.gateways.for_type(orphan.platform)
        reason = f"payment for no order: {orphan.reason}"[:200]
        error: DomainError | None = None
        try:
            refund = await gateway.refund(ref, orphan.amount, reason, call)
        except (PaymentPlatformError, PaymentOutcomeUnknown) as exc:
            error = exc
        async with self.uow() as uow:
            orphan = await uow.orphans.get(orphan_id, for_update=True)
            assert orphan is not None
            now = self.clock.now()
            if isinstance(error, PaymentOutcomeUnknown):
                attempt.unknown(error.message, now)
            elif error is not None:
                attempt.failed(error.message, now)
            else:
                attempt.succeeded(now)
            await uow.attempts.update(attempt)
            if orphan.state is OrphanState.REFUNDING:
                if error is None:
                    orphan.refunded(refund.refunded_amount or orphan.amount, now)
                else:
                    backoff = self.policy.refund_backoff(orphan.refund_failures)
                    orphan.refund_failed(now + backoff, now)
            await uow.commit()
        if error is not None:
            log.warning("orphan payment %s not refunded yet: %s", orphan_id, error.message)
        return error is None

    async def _claim(
        self,
        uow: UnitOfWork,
        order: Order,
        operation: Operation,
        now: datetime,
        open_attempt: PaymentAttempt | None,
    ) -> PaymentAttempt | None:
        """The attempt this caller may now send, or None while another caller holds a fresh one.

        `open_attempt` is the operation's open attempt, read under the order's lock. An UNKNOWN
        attempt (or an IN_FLIGHT one whose holder vanished past its lease) is retried with its
        own key; a new attempt, with a new key, only follows a definite failure."""
        attempt = open_attempt
        if attempt is not None:
            if attempt.state is AttemptState.IN_FLIGHT and (
                attempt.updated_at > now - self.policy.lease
            ):
                return None
            attempt.retry(now)
            await uow.attempts.update(attempt)
            return attempt
        attempt = order.begin_attempt(operation, self.ids.new_id(), now)
        await uow.attempts.add(attempt)
        return attempt

    async def _close(
        self, uow: UnitOfWork, attempts: Sequence[PaymentAttempt], order: Order, now: datetime
    ) -> None:
        """The lookup settled the payment: its open approval/checkout attempts are done."""
        approved = order.pay.state in (
            PaymentState.APPROVED,
            PaymentState.REFUNDING,
            PaymentState.REFUNDED,
        )
        for attempt in attempts:
            if attempt.operation not in (Operation.CHECKOUT, Operation.APPROVE):
                continue
            if approved:
                attempt.succeeded(now)
            else:
                attempt.failed("resolved by asking the platform", now)
            await uow.attempts.update(attempt)

    async def _follow(self, events: Sequence[Event]) -> None:
        """Follow-ups run once each, after commit; a failure leaves the work to the worker."""
        for event in events:
            handler = self._follow_ups.get(type(event))
            if handler is None:
                continue
            try:
                await handler(event)
            except DomainError as exc:
                log.warning("%s left to the worker: %s", type(event).__name__, exc.message)


def payment_ref(order: Order, item_name: str = "") -> PaymentRef:
    assert order.id is not None
    payment = order.pay
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


def _call_to_ask(attempts: Sequence[PaymentAttempt]) -> PaymentAttempt | None:
    """The approval (or synchronous checkout) whose answer was lost, to ask about."""
    for operation in (Operation.APPROVE, Operation.CHECKOUT):
        mine = [a for a in attempts if a.operation is operation]
        if mine:
            return mine[-1]
    return None


def _about(exc: DomainError, order: Order | None, key: OrderKey) -> DomainError:
    if order is not None:
        return exc.concerning(order.id, order.transaction_id)
    return exc.concerning(key.order_id, key.transaction_id)

"""In-memory fakes of every port, recording what happened (cosmicpython's `FakeUnitOfWork`).

The fake database keeps *committed* tables. A unit of work copies them when it is entered and
works on its copy; `commit()` publishes the copy, and leaving without commit throws it away, so
a rollback is real and a test cannot pass by holding on to an object a use-case changed.
Ids come from sequences that, as in a real database, are not rolled back.
"""

from __future__ import annotations

import copy
import uuid
from collections import defaultdict, deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Self

from application.abandon_payment import AbandonPayment
from application.approve_payment import ApprovePayment, ApprovePaymentCommand
from application.catalog import AddProduct, AddProductCommand, RegisterUser
from application.confirm_purchase import ConfirmPurchase
from application.expire_group import ExpireGroup
from application.follow_ups import payment_core
from application.match_group import MatchGroup, MatchGroupCommand
from application.place_order import PlaceOrder, PlaceOrderCommand
from application.refund_payment import RefundPayment
from application.settings import PaymentPolicy
from domain.catalog import Product
from domain.events import DomainEvent, Event, EventType, FollowUp
from domain.group import Group
from domain.order import LIVE_STATES, Order, OrderState
from domain.orphan import OrphanPayment, OrphanState
from domain.pay_type import PayType
from domain.payment import Operation, Payment, PaymentAttempt, PaymentState
from domain.ports.payment_gateway import (
    Approval,
    Checkout,
    CheckoutRequest,
    Decline,
    PaymentLookup,
    PaymentRef,
    PlatformCall,
    PlatformStatus,
    Refund,
    ReturnUrls,
)
from domain.ports.reads import GroupWithMembers, OrderWithPayment
from domain.user import User

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


# --------------------------------------------------------------------------- clock and ids


class FakeClock:
    def __init__(self, start: datetime = T0) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> datetime:
        self.current += delta
        return self.current


class FakeIds:
    """Predictable UUIDs: 00000000-0000-0000-0000-000000000001, …0002, …"""

    def __init__(self) -> None:
        self.issued: list[str] = []

    def new_id(self) -> str:
        value = str(uuid.UUID(int=len(self.issued) + 1))
        self.issued.append(value)
        return value


# --------------------------------------------------------------------------- database


@dataclass
class Tables:
    users: dict[int, User] = field(default_factory=dict)
    products: dict[int, Product] = field(default_factory=dict)
    orders: dict[int, Order] = field(default_factory=dict)
    payments: dict[int, Payment] = field(default_factory=dict)
    attempts: dict[int, PaymentAttempt] = field(default_factory=dict)
    groups: dict[int, Group] = field(default_factory=dict)
    orphans: dict[int, OrphanPayment] = field(default_factory=dict)
    events: list[DomainEvent] = field(default_factory=list)
    published: dict[str, datetime] = field(default_factory=dict)


class _Repo:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    @property
    def _t(self) -> Tables:
        return self._uow.tables

    def _next_id(self, table: str) -> int:
        return self._uow.factory.next_id(table)

    def _lock(self, table: str, key: object, for_update: bool) -> None:
        if for_update:
            self._uow.factory.locks.append((table, key))


class FakeUserRepository(_Repo):
    async def add(self, user: User) -> None:
        if user.id is None:
            user.id = self._next_id("users")
        self._t.users[user.id] = user

    async def get(self, user_id: int) -> User | None:
        return self._t.users.get(user_id)

    async def buyers_of_product(self, product_id: int) -> Sequence[User]:
        ids = {
            o.user_id
            for o in self._t.orders.values()
            if o.product_id == product_id and o.state in LIVE_STATES
        }
        return [self._t.users[i] for i in sorted(ids) if i in self._t.users]

    async def buyers_if_product_exists(self, product_id: int) -> Sequence[User] | None:
        if product_id not in self._t.products:
            return None
        buyers = await self.buyers_of_product(product_id)
        return sorted(buyers, key=lambda u: (u.created_at, u.id or 0), reverse=True)


class FakeProductRepository(_Repo):
    async def add(self, product: Product) -> None:
        if product.id is None:
            product.id = self._next_id("products")
        for option in product.options:
            if option.id is None:
                option.id = self._next_id("product_options")
            option.product_id = product.id
        self._t.products[product.id] = product

    async def get(self, product_id: int) -> Product | None:
        return self._t.products.get(product_id)

    async def for_buyer(self, product_id: int, user_id: int) -> tuple[bool, Product | None]:
        return user_id in self._t.users, self._t.products.get(product_id)


class FakeOrderRepository(_Repo):
    async def add(self, order: Order) -> None:
        if any(o.transaction_id == order.transaction_id for o in self._t.orders.values()):
            raise ValueError(f"duplicate transaction id {order.transaction_id}")
        if order.id is None:
            order.id = self._next_id("orders")
        self._t.orders[order.id] = order
        if order.has_payment:
            order.pay.order_id = order.id
            await FakePaymentRepository(self._uow).add(order.pay)

    async def get(self, order_id: int, *, for_update: bool = False) -> Order | None:
        self._lock("orders", order_id, for_update)
        return self._with_payment(self._t.orders.get(order_id))

    async def by_transaction_id(
        self, transaction_id: str, *, for_update: bool = False
    ) -> Order | None:
        orders = self._t.orders.values()
        found = next((o for o in orders if o.transaction_id == transaction_id), None)
        self._lock("orders", found.id if found else transaction_id, for_update)
        return self._with_payment(found)

    async def lock_with_payment(
        self, *, order_id: int | None = None, transaction_id: str | None = None
    ) -> Order | None:
        if order_id is not None:
            return await self.get(order_id, for_update=True)
        assert transaction_id is not None
        return await self.by_transaction_id(transaction_id, for_update=True)

    def _with_payment(self, order: Order | None) -> Order | None:
        """Like the SQL repository, an order comes with its payment (the same object)."""
        if order is not None:
            payments = self._t.payments.values()
            payment = next((p for p in payments if p.order_id == order.id), None)
            if payment is not None:
                order.payment = payment
        return order

    async def many(self, order_ids: Sequence[int], *, for_update: bool = False) -> Sequence[Order]:
        found = [self._t.orders[i] for i in sorted(set(order_ids)) if i in self._t.orders]
        for order in found:
            self._lock("orders", order.id, for_update)
        return found

    async def of_user(self, user_id: int) -> Sequence[Order]:
        mine = [o for o in self._t.orders.values() if o.user_id == user_id]
        return sorted(mine, key=lambda o: (o.created_at, o.id or 0), reverse=True)

    async def of_user_if_exists(self, user_id: int) -> Sequence[Order] | None:
        return await self.of_user(user_id) if user_id in self._t.users else None

    async def group_confirmations(self, group_id: int) -> tuple[int, int] | None:
        if group_id not in self._t.groups:
            return None
        members = [o for o in self._t.orders.values() if o.group_id == group_id]
        return len(members), sum(1 for o in members if o.state is OrderState.CONFIRMED)

    async def of_group(self, group_id: int, *, for_update: bool = False) -> Sequence[Order]:
        members = sorted(
            (o for o in self._t.orders.values() if o.group_id == group_id), key=lambda o: o.id or 0
        )
        for order in members:
            self._lock("orders", order.id, for_update)
        return members

    async def paid_unmatched_before(self, cutoff: datetime, limit: int) -> Sequence[Order]:
        waiting = [
            o
            for o in sorted(self._t.orders.values(), key=lambda o: o.id or 0)
            if o.state is OrderState.PAID and not o.group_id and o.updated_at < cutoff
        ]
        return waiting[:limit]


class FakePaymentRepository(_Repo):
    async def add(self, payment: Payment) -> None:
        if any(p.order_id == payment.order_id for p in self._t.payments.values()):
            raise ValueError(f"order {payment.order_id} already has a payment")
        if payment.id is None:
            payment.id = self._next_id("payments")
        self._t.payments[payment.id] = payment

    async def of_order(self, order_id: int, *, for_update: bool = False) -> Payment | None:
        self._lock("payments", order_id, for_update)
        return next((p for p in self._t.payments.values() if p.order_id == order_id), None)

    async def holder_of(self, platform: PayType, platform_tx_id: str) -> int | None:
        held = (PaymentState.APPROVED, PaymentState.REFUNDING, PaymentState.REFUNDED)
        return next(
            (
                p.order_id
                for p in self._t.payments.values()
                if (p.platform, p.platform_tx_id) == (platform, platform_tx_id) and p.state in held
            ),
            None,
        )

    async def stale(self, cutoff: datetime, now: datetime, limit: int) -> Sequence[Payment]:
        due = [
            p
            for p in sorted(self._t.payments.values(), key=lambda p: p.id or 0)
            if (p.state in (PaymentState.READY, PaymentState.APPROVING) and p.updated_at < cutoff)
            or (
                p.state is PaymentState.REFUNDING
                and p.next_retry_at is not None
                and p.next_retry_at <= now
            )
        ]
        return due[:limit]


class FakeAttemptRepository(_Repo):
    async def add(self, attempt: PaymentAttempt) -> None:
        if attempt.id is None:
            attempt.id = self._next_id("attempts")
        self._t.attempts[attempt.id] = attempt

    async def open_attempt(self, payment_id: int, operation: Operation) -> PaymentAttempt | None:
        open_ones = [
            a
            for a in self._t.attempts.values()
            if a.payment_id == payment_id and a.operation is operation and a.is_open
        ]
        return max(open_ones, key=lambda a: a.id or 0, default=None)

    async def of_payment(self, payment_id: int) -> Sequence[PaymentAttempt]:
        return sorted(
            (a for a in self._t.attempts.values() if a.payment_id == payment_id),
            key=lambda a: a.id or 0,
        )

    async def get(self, attempt_id: int) -> PaymentAttempt | None:
        return self._t.attempts.get(attempt_id)

    async def open_attempts(self, payment_id: int) -> Sequence[PaymentAttempt]:
        return [a for a in await self.of_payment(payment_id) if a.is_open]

    async def update(self, attempt: PaymentAttempt) -> None:
        """By id, as the SQL repository's UPDATE: the stored row takes the attempt's state."""
        assert attempt.id is not None
        self.factory_updates.append(attempt.id)
        stored = self._t.attempts[attempt.id]
        stored.state, stored.tries = attempt.state, attempt.tries
        stored.error, stored.updated_at = attempt.error, attempt.updated_at

    @property
    def factory_updates(self) -> list[int]:
        return self._uow.factory.attempt_updates


class FakeOrphanRepository(_Repo):
    async def add(self, orphan: OrphanPayment) -> None:
        if await self.find(orphan.platform, orphan.platform_tx_id) is not None:
            raise ValueError(f"orphan {orphan.platform_tx_id} is recorded already")
        if orphan.id is None:
            orphan.id = self._next_id("orphans")
        self._t.orphans[orphan.id] = orphan

    async def get(self, orphan_id: int, *, for_update: bool = False) -> OrphanPayment | None:
        self._lock("orphans", orphan_id, for_update)
        return self._t.orphans.get(orphan_id)

    async def find(self, platform: PayType, platform_tx_id: str) -> OrphanPayment | None:
        return next(
            (
                o
                for o in self._t.orphans.values()
                if o.platform is platform and o.platform_tx_id == platform_tx_id
            ),
            None,
        )

    async def due(self, now: datetime, limit: int) -> Sequence[OrphanPayment]:
        due = [
            o
            for o in sorted(self._t.orphans.values(), key=lambda o: o.id or 0)
            if o.state is OrphanState.REFUNDING
            and o.next_retry_at is not None
            and o.next_retry_at <= now
        ]
        return due[:limit]

    async def all(self) -> Sequence[OrphanPayment]:
        return sorted(self._t.orphans.values(), key=lambda o: o.id or 0)


class FakeGroupRepository(_Repo):
    async def add(self, group: Group) -> None:
        if group.id in self._t.groups:
            raise ValueError(f"group {group.id} exists")
        self._t.groups[group.id] = group

    async def get(self, group_id: int, *, for_update: bool = False) -> Group | None:
        self._lock("groups", group_id, for_update)
        return self._t.groups.get(group_id)


class FakeOutbox(_Repo):
    async def add(self, event: DomainEvent) -> None:
        self._t.events.append(event)

    async def pending(self, limit: int) -> Sequence[DomainEvent]:
        return [e for e in self._t.events if e.event_id not in self._t.published][:limit]

    async def mark_published(self, event_ids: Sequence[str], at: datetime) -> None:
        for event_id in event_ids:
            self._t.published.setdefault(event_id, at)

    async def recent(self, limit: int, *, only_pending: bool = False) -> Sequence[DomainEvent]:
        events = [
            e for e in self._t.events if not (only_pending and e.event_id in self._t.published)
        ]
        return list(reversed(events))[:limit]


class FakeUnitOfWork:
    """Works on a private copy of the committed tables; commit publishes the copy."""

    def __init__(self, factory: FakeUnitOfWorkFactory) -> None:
        self.factory = factory
        self.tables = copy.deepcopy(factory.tables)
        self.committed = 0
        self.entered = False
        self.users = FakeUserRepository(self)
        self.products = FakeProductRepository(self)
        self.orders = FakeOrderRepository(self)
        self.payments = FakePaymentRepository(self)
        self.attempts = FakeAttemptRepository(self)
        self.groups = FakeGroupRepository(self)
        self.outbox = FakeOutbox(self)
        self.orphans = FakeOrphanRepository(self)
        self._new_events: list[Event] = []

    async def __aenter__(self) -> Self:
        assert not self.entered, "a unit of work is entered once"
        self.entered = True
        self.tables = copy.deepcopy(self.factory.tables)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # Whatever was not committed is dropped with this copy.
        if self.committed == 0:
            self.factory.rolled_back += 1
        self.tables = Tables()

    async def commit(self) -> None:
        assert self.entered, "commit outside of `async with`"
        raised: list[Event] = []
        aggregates: list[Any] = [
            *self.tables.orders.values(),
            *self.tables.groups.values(),
            *self.tables.orphans.values(),
        ]
        for aggregate in aggregates:
            raised.extend(aggregate.events)
            aggregate.events.clear()
        raised.sort(key=lambda event: event.seq)
        for event in raised:
            if not isinstance(event, FollowUp):
                await self.outbox.add(event.record())
        self.factory.tables = copy.deepcopy(self.tables)
        self.committed += 1
        self.factory.committed += 1
        self._new_events.extend(raised)

    def collect_new_events(self) -> list[Event]:
        events, self._new_events = self._new_events, []
        return events


class FakeUnitOfWorkFactory:
    """The fake database: committed tables, id sequences, and what the use-cases did to them."""

    def __init__(self) -> None:
        self.tables = Tables()
        self.committed = 0
        self.rolled_back = 0
        self.locks: list[tuple[str, object]] = []
        self.attempt_updates: list[int] = []
        """Ids of the attempts written back by id (none is looked up again to settle it)."""
        self._sequences: defaultdict[str, int] = defaultdict(int)

    def __call__(self, *, read_only: bool = False, one_statement: bool = False) -> FakeUnitOfWork:
        return FakeUnitOfWork(self)

    def next_id(self, table: str) -> int:
        self._sequences[table] += 1
        return self._sequences[table]

    # Committed state, for assertions.
    def order(self, order_id: int) -> Order:
        return self.tables.orders[order_id]

    def payment_of(self, order_id: int) -> Payment:
        return next(p for p in self.tables.payments.values() if p.order_id == order_id)

    def attempts_of(self, order_id: int, operation: Operation) -> list[PaymentAttempt]:
        payment = self.payment_of(order_id)
        return sorted(
            (
                a
                for a in self.tables.attempts.values()
                if a.payment_id == payment.id and a.operation is operation
            ),
            key=lambda a: a.id or 0,
        )

    def group(self, group_id: int) -> Group:
        return self.tables.groups[group_id]

    def orphans(self) -> list[OrphanPayment]:
        return sorted(self.tables.orphans.values(), key=lambda o: o.id or 0)

    def events(self, *types: EventType) -> list[DomainEvent]:
        return [e for e in self.tables.events if not types or e.type in types]

    def event_types(self) -> list[EventType]:
        return [e.type for e in self.tables.events]


# --------------------------------------------------------------------------- payment platforms


@dataclass(frozen=True)
class GatewayCall:
    operation: str  # "checkout" | "reference_from_callback" | "approve" | "lookup" | "refund"
    payment: PaymentRef
    idempotency_key: str | None = None
    amount: int | None = None
    attempt_id: int | None = None
    callback: Mapping[str, str] = field(default_factory=dict)
    payer: Mapping[str, str] = field(default_factory=dict)
    reason: str | None = None


Scripted = Any  # a result, an exception to raise, or a callable(GatewayCall) -> either


class FakeGateway:
    """A platform that answers as scripted, call by call, and records every call.

    Unscripted answers: checkout starts a redirect payment (a synchronous platform takes the
    money at once, for the full amount); approve approves the full amount; lookup reports
    `lookup_status`; refund gives the asked amount back.
    """

    def __init__(self, pay_type: PayType, clock: FakeClock, *, synchronous: bool = False) -> None:
        self.pay_type = pay_type
        self._clock = clock
        self.synchronous = synchronous
        self.lookup_status = PlatformStatus.PENDING
        self.looks_up_by_order = pay_type is not PayType.NAVER_PAY
        self.calls: list[GatewayCall] = []
        self._scripts: dict[str, deque[Scripted]] = defaultdict(deque)

    def script(self, operation: str, *answers: Scripted) -> None:
        """Queues the answers of the next calls of `operation`, in order."""
        self._scripts[operation].extend(answers)

    def calls_of(self, operation: str) -> list[GatewayCall]:
        return [c for c in self.calls if c.operation == operation]

    def tx_id(self, transaction_id: str) -> str:
        return f"{self.pay_type.value}-{transaction_id[-4:]}"

    def _answer(self, call: GatewayCall, default: Callable[[], Any]) -> Any:
        self.calls.append(call)
        queue = self._scripts[call.operation]
        answer = queue.popleft() if queue else None
        if callable(answer) and not isinstance(answer, type):
            answer = answer(call)
        if answer is None:
            answer = default()
        if isinstance(answer, BaseException):
            raise answer
        return answer

    async def checkout(self, request: CheckoutRequest) -> Checkout:
        ref = request.payment
        call = GatewayCall(
            "checkout",
            ref,
            request.call.idempotency_key,
            ref.amount,
            request.call.attempt_id,
            payer=request.payer,
        )

        def default() -> Checkout:
            tx = self.tx_id(ref.transaction_id)
            if self.synchronous:
                return Checkout(
                    client_data={"bank_tran_id": tx},
                    platform_tx_id=tx,
                    approval=Approval(tx, ref.amount, self._clock.now(), {"tran_amt": ref.amount}),
                    raw={"rsp_code": "A0000"},
                )
            return Checkout(
                client_data={"next_redirect_pc_url": f"https://pay.test/{tx}"},
                platform_tx_id=tx,
                raw={"tid": tx},
            )

        result: Checkout = self._answer(call, default)
        return result

    def reference_from_callback(self, callback: Mapping[str, str]) -> str | None:
        return callback.get("paymentId") or callback.get("paymentKey")

    def payer_reference(self, payer: Mapping[str, str]) -> str | None:
        return payer.get("fintechUseNum") or None

    def read_abandonment(self, callback: Mapping[str, str], *, cancelled: bool) -> Decline:
        reason = callback.get("message") or ("cancel redirect" if cancelled else "fail redirect")
        return Decline(reason, cancelled or callback.get("code") == "UserCancel", dict(callback))

    def can_look_up(self, payment: PaymentRef) -> bool:
        """Like NaverPay, a platform without lookups by our order id cannot be asked before
        the buyer returned with its payment id."""
        return payment.platform_tx_id is not None or self.looks_up_by_order

    async def approve(
        self, payment: PaymentRef, callback: Mapping[str, str], call: PlatformCall
    ) -> Approval | Decline:
        record = GatewayCall(
            "approve", payment, call.idempotency_key, payment.amount, call.attempt_id, callback
        )

        def default() -> Approval:
            tx = payment.platform_tx_id or self.tx_id(payment.transaction_id)
            return Approval(tx, payment.amount, self._clock.now(), {"status": "approved"})

        result: Approval | Decline = self._answer(record, default)
        return result

    async def lookup(self, payment: PaymentRef, call: PlatformCall | None = None) -> PaymentLookup:
        record = GatewayCall(
            "lookup",
            payment,
            call.idempotency_key if call else None,
            attempt_id=call.attempt_id if call else None,
        )

        def default() -> PaymentLookup:
            return PaymentLookup(
                self.lookup_status, 0, 0, payment.platform_tx_id, {"status": self.lookup_status}
            )

        result: PaymentLookup = self._answer(record, default)
        return result

    async def refund(
        self, payment: PaymentRef, amount: int, reason: str, call: PlatformCall
    ) -> Refund:
        record = GatewayCall(
            "refund", payment, call.idempotency_key, amount, call.attempt_id, reason=reason
        )
        result: Refund = self._answer(record, lambda: Refund(amount, {"status": "CANCELLED"}))
        return result


class FakeGateways:
    """One fake platform per PayType; Open Banking is synchronous, as the real one."""

    def __init__(self, clock: FakeClock) -> None:
        self.by_type = {
            p: FakeGateway(p, clock, synchronous=p is PayType.OPEN_BANKING) for p in PayType
        }

    def for_type(self, pay_type: PayType) -> FakeGateway:
        return self.by_type[pay_type]

    def all_calls(self) -> list[GatewayCall]:
        return [c for g in self.by_type.values() for c in g.calls]


class FakeReturnUrls:
    def __init__(self, base: str = "https://gonggu.test") -> None:
        self.base = base
        self.requests: list[tuple[PayType, str]] = []

    def for_transaction(self, pay_type: PayType, transaction_id: str) -> ReturnUrls:
        self.requests.append((pay_type, transaction_id))
        return ReturnUrls(
            approval=f"{self.base}/api/v1/order/transaction/done/{pay_type.value}/{transaction_id}",
            fail=f"{self.base}/api/v1/transaction/kakaoPay/fail/{transaction_id}",
            cancel=f"{self.base}/api/v1/transaction/kakaoPay/cancel/{transaction_id}",
        )


# --------------------------------------------------------------------------- the wired service


def approval(amount: int, tx: str = "TX-1", at: datetime = T0) -> Approval:
    return Approval(platform_tx_id=tx, amount=amount, approved_at=at, raw={"amount": amount})


class Shop:
    """Every use-case wired to the fakes, with arrangement helpers that go through them."""

    def __init__(self, policy: PaymentPolicy | None = None) -> None:
        self.clock = FakeClock()
        self.ids = FakeIds()
        self.db = FakeUnitOfWorkFactory()
        self.gateways = FakeGateways(self.clock)
        self.urls = FakeReturnUrls()
        self.policy = policy or PaymentPolicy()
        self.runner = payment_core(self.db, self.gateways, self.clock, self.ids, self.policy)
        self.refund = RefundPayment(self.runner)
        self.place_order = PlaceOrder(self.runner, self.urls, self.ids)
        self.approve = ApprovePayment(self.runner)
        self.abandon = AbandonPayment(self.runner)
        self.match = MatchGroup(self.db, self.clock)
        self.expire = ExpireGroup(self.db, self.clock, self.refund)
        self.confirm = ConfirmPurchase(self.db, self.clock)
        self.add_product = AddProduct(self.db, self.clock)
        self.register_user = RegisterUser(self.db, self.clock)

    def gateway(self, pay_type: PayType) -> FakeGateway:
        return self.gateways.for_type(pay_type)

    async def user(self, name: str = "kim") -> int:
        user = await self.register_user.execute(name)
        assert user.id is not None
        return user.id

    async def product(
        self, price: int = 10_000, options: Sequence[tuple[str, int]] = (("large", 2_000),)
    ) -> Product:
        return await self.add_product.execute(
            AddProductCommand(name="apples", price=price, options=tuple(options))
        )

    async def pending_order(
        self,
        *,
        user_id: int | None = None,
        product: Product | None = None,
        pay_type: PayType = PayType.KAKAO_PAY,
        quantity: int = 1,
        min_share: int = 1,
        max_share: int = 0,
        option_id: int = 0,
        payer: Mapping[str, str] | None = None,
    ) -> Order:
        product = product or await self.product()
        assert product.id is not None
        if pay_type is PayType.OPEN_BANKING and payer is None:
            payer = {"fintechUseNum": "199000000000000000000001", "accessToken": "secret"}
        placed = await self.place_order.execute(
            PlaceOrderCommand(
                user_id=user_id if user_id is not None else await self.user(),
                product_id=product.id,
                product_option_id=option_id,
                quantity=quantity,
                min_share=min_share,
                max_share=max_share,
                pay_type=pay_type,
                payer=payer or {},
            )
        )
        return placed.order

    async def paid_order(self, **kwargs: Any) -> Order:
        order = await self.pending_order(**kwargs)
        if order.state is OrderState.PAYMENT_PENDING:
            order = await self.approve.execute(
                ApprovePaymentCommand(
                    pay_type=order.pay_type,
                    transaction_id=order.transaction_id,
                    callback={"pg_token": "ok"},
                )
            )
        assert order.state is OrderState.PAID, order.state
        return order

    async def matched_group(self, group_id: int, orders: Sequence[Order]) -> Group:
        ids = [o.id for o in orders]
        assert None not in ids
        return await self.match.execute(
            MatchGroupCommand(group_id=group_id, order_ids=[i for i in ids if i is not None])
        )


def order_in(state: OrderState, **overrides: Any) -> Order:
    """A bare order in any state, for state-machine tests."""
    order = Order(
        user_id=1,
        product_id=1,
        product_option_id=0,
        quantity=1,
        min_share=1,
        max_share=0,
        trans_amount=10_000,
        pay_type=PayType.KAKAO_PAY,
        transaction_id="tx-1",
        state=state,
        created_at=T0,
        updated_at=T0,
        id=1,
    )
    return replace(order, **overrides)


class FakeOrderReads:
    """`OrderReads` over the fake database's committed tables; counts its queries."""

    def __init__(self, db: FakeUnitOfWorkFactory) -> None:
        self.db = db
        self.queries = 0

    def _with_payment(self, order: Order) -> OrderWithPayment:
        payment = next(
            (p for p in self.db.tables.payments.values() if p.order_id == order.id), None
        )
        return OrderWithPayment(copy.deepcopy(order), copy.deepcopy(payment))

    async def order_with_payment(self, order_id: int) -> OrderWithPayment | None:
        self.queries += 1
        order = self.db.tables.orders.get(order_id)
        return None if order is None else self._with_payment(order)

    async def group_with_members(self, group_id: int) -> GroupWithMembers | None:
        self.queries += 1
        group = self.db.tables.groups.get(group_id)
        if group is None:
            return None
        members = sorted(
            (o for o in self.db.tables.orders.values() if o.group_id == group_id),
            key=lambda o: o.id or 0,
        )
        return GroupWithMembers(copy.deepcopy(group), [self._with_payment(o) for o in members])

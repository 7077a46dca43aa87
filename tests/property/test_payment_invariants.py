"""Random interleavings of everything that can happen to orders and groups — placing, approving,
cancelling, duplicate and concurrent callbacks, lost platform answers, refusals, matching,
expiring, confirming, reconciling — against the real use-cases and a real SQLite database, with a
platform that keeps a ledger of the money. Forged callbacks and callbacks carrying another order's
payment are among the steps. After every step the invariants must hold; once the platform is well
again and the reconciler has run, every won the platform holds belongs to exactly one live order:
per platform, money held = the sum of the live orders' transAmount, refunded = approved - held."""

from __future__ import annotations

import asyncio
import shutil
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from dependency_injector import providers
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from adapters.config import Settings
from application.abandon_payment import AbandonPaymentCommand
from application.approve_payment import ApprovePaymentCommand
from application.confirm_purchase import ConfirmPurchaseCommand
from application.match_group import MatchGroupCommand
from application.place_order import PlaceOrderCommand
from bootstrap import build_container
from domain.catalog import Product
from domain.errors import DomainError
from domain.order import LIVE_STATES, Order
from domain.order import OrderState as S
from domain.orphan import OrphanState
from domain.pay_type import PayType
from domain.payment import PaymentState
from domain.user import User
from tests.support.databases import migrate_outside_loop
from tests.support.ledger_platform import Ledger, LedgerGateways

ARROWS = {
    (S.PAYMENT_PENDING, S.PAID),
    (S.PAYMENT_PENDING, S.PAYMENT_FAILED),
    (S.PAYMENT_PENDING, S.PAYMENT_CANCELLED),
    (S.PAID, S.MATCHED),
    (S.MATCHED, S.CONFIRMED),
    (S.PAID, S.REFUND_PENDING),
    (S.MATCHED, S.REFUND_PENDING),
    (S.REFUND_PENDING, S.REFUNDED),
    # a refund confirmed inside the same request is seen in one step
    (S.PAID, S.REFUNDED),
    (S.MATCHED, S.REFUNDED),
}
TEMPLATE: dict[str, Path] = {}
_NO_ENTRY = type("NoEntry", (), {"amount": 0})()


class Clock:
    def __init__(self) -> None:
        self.at = datetime(2026, 11, 27, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at


def migrated_template(tmp_root: Path) -> Path:
    if "db" not in TEMPLATE:
        path = tmp_root / "template.db"
        migrate_outside_loop(f"sqlite+aiosqlite:///{path}")
        TEMPLATE["db"] = path
    return TEMPLATE["db"]


class PaymentLifecycle(RuleBasedStateMachine):
    tmp_root: Path

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        db = self.tmp_root / f"run-{id(self)}.db"
        shutil.copy(migrated_template(self.tmp_root), db)
        self.db = db
        self.ledger = Ledger()
        self.clock = Clock()
        self.c = build_container(
            Settings(database_url=f"sqlite+aiosqlite:///{db}", payments_mode="sandbox")
        )
        self.c.gateways.override(providers.Object(LedgerGateways(self.ledger)))
        self.c.clock.override(providers.Object(self.clock))
        self.orders: dict[int, tuple[str, PayType]] = {}  # id -> (transaction id, pay type)
        self.seen: dict[int, S] = {}
        self.groups: list[int] = []
        self.next_group = 1
        self.user_id, self.product_id = self.run(self._catalog())

    def run(self, coro):  # type: ignore[no-untyped-def]
        return self.loop.run_until_complete(coro)

    async def _catalog(self) -> tuple[int, int]:
        async with self.c.uow()() as uow:
            user = User.register("buyer", self.clock.now())
            product = Product.create("귤", 10_000, [], self.clock.now())
            await uow.users.add(user)
            await uow.products.add(product)
            await uow.commit()
        assert user.id and product.id
        return user.id, product.id

    async def _quietly(self, *coros) -> None:  # type: ignore[no-untyped-def]
        results = await asyncio.gather(*coros, return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException) and not isinstance(result, DomainError):
                raise result

    async def _states(self) -> dict[int, S]:
        async with self.c.uow()() as uow:
            orders = await uow.orders.of_user(self.user_id)
        return {o.id: o.state for o in orders if o.id}

    @rule(pay_type=st.sampled_from(list(PayType)), quantity=st.integers(1, 3))
    def place(self, pay_type: PayType, quantity: int) -> None:
        command = PlaceOrderCommand(
            user_id=self.user_id,
            product_id=self.product_id,
            product_option_id=0,
            quantity=quantity,
            min_share=1,
            max_share=0,
            pay_type=pay_type,
        )
        result: list[object] = []

        async def go() -> None:
            placed = await self.c.place_order().execute(command)
            result.append(placed.order)

        self.run(self._quietly(go()))
        self._learn_orders()

    def _learn_orders(self) -> None:
        async def load() -> None:
            async with self.c.uow()() as uow:
                for order in await uow.orders.of_user(self.user_id):
                    self.orders[order.id or 0] = (order.transaction_id, order.pay_type)

        self.run(load())

    def _tx(self, data: st.DataObject) -> tuple[int, str]:
        order_id = data.draw(st.sampled_from(sorted(self.orders)))
        return order_id, self.orders[order_id][0]

    @precondition(lambda self: self.orders)
    @rule(data=st.data(), copies=st.integers(1, 4), cancel=st.booleans(), stray=st.booleans())
    def callback(self, data: st.DataObject, copies: int, cancel: bool, stray: bool) -> None:
        """The approval (or cancel) redirect, possibly several copies at once, sometimes on
        another platform's path."""
        order_id, tx = self._tx(data)
        pay_type = self.orders[order_id][1]
        if stray and not cancel:
            pay_type = data.draw(st.sampled_from(list(PayType)))
        callback = {"result": "cancel"} if cancel else {"paymentOf": tx}
        commands = [
            ApprovePaymentCommand(pay_type=pay_type, transaction_id=tx, callback=callback)
            for _ in range(copies)
        ]
        self.run(self._quietly(*(self.c.approve_payment().execute(c) for c in commands)))

    @precondition(lambda self: self.orders)
    @rule(data=st.data(), fail=st.booleans())
    def forged_callback(self, data: st.DataObject, fail: bool) -> None:
        """A forged approval redirect (the platform knows no such payment), or a forged fail /
        cancel redirect (the platform is asked before anything moves)."""
        order_id, tx = self._tx(data)
        pay_type = self.orders[order_id][1]
        if fail:
            command = AbandonPaymentCommand(
                pay_type=pay_type, transaction_id=tx, cancelled_by_user=data.draw(st.booleans())
            )
            self.run(self._quietly(self.c.abandon_payment().execute(command)))
            return
        forged = ApprovePaymentCommand(
            pay_type=pay_type, transaction_id=tx, callback={"forged": "1"}
        )
        self.run(self._quietly(self.c.approve_payment().execute(forged)))

    @precondition(lambda self: len(self.orders) > 1)
    @rule(data=st.data())
    def cross_order_callback(self, data: st.DataObject) -> None:
        """The buyer paid order B; the browser comes back to A's return URL with B's payment."""
        a = data.draw(st.sampled_from(sorted(self.orders)))
        tx_a, pay_type = self.orders[a]
        others = sorted(o for o, (_, p) in self.orders.items() if p is pay_type and o != a)
        if not others:
            return
        tx_b = self.orders[data.draw(st.sampled_from(others))][0]
        command = ApprovePaymentCommand(
            pay_type=pay_type, transaction_id=tx_a, callback={"paymentOf": tx_b}
        )
        self.run(self._quietly(self.c.approve_payment().execute(command)))

    @rule(operation=st.sampled_from(["approve", "refund", "checkout"]), lose=st.booleans())
    def platform_misbehaves_next(self, operation: str, lose: bool) -> None:
        (self.ledger.lose_next_answer if lose else self.ledger.refuse_next).add(operation)

    @precondition(lambda self: self.orders)
    @rule(data=st.data())
    def match(self, data: st.DataObject) -> None:
        ids = data.draw(
            st.lists(st.sampled_from(sorted(self.orders)), min_size=1, max_size=4, unique=True)
        )
        group_id = self.next_group
        self.next_group += 1
        command = MatchGroupCommand(group_id=group_id, order_ids=ids)

        async def go() -> None:
            await self.c.match_group().execute(command)
            self.groups.append(group_id)

        self.run(self._quietly(go()))

    @precondition(lambda self: self.groups)
    @rule(data=st.data(), with_confirm=st.booleans())
    def expire(self, data: st.DataObject, with_confirm: bool) -> None:
        """Expiry, possibly racing a member's confirmation of the same group."""
        group_id = data.draw(st.sampled_from(self.groups))
        jobs = [self.c.expire_group().execute(group_id)]
        if with_confirm:
            order_id = data.draw(st.sampled_from(sorted(self.orders)))
            jobs.append(
                self.c.confirm_purchase().execute(ConfirmPurchaseCommand(order_id=order_id))
            )
        self.run(self._quietly(*jobs))

    @precondition(lambda self: self.orders)
    @rule(data=st.data())
    def confirm(self, data: st.DataObject) -> None:
        order_id = data.draw(st.sampled_from(sorted(self.orders)))
        self.run(
            self._quietly(
                self.c.confirm_purchase().execute(ConfirmPurchaseCommand(order_id=order_id))
            )
        )

    @rule(minutes=st.sampled_from([2, 45]))
    def reconcile(self, minutes: int) -> None:
        self.clock.at += timedelta(minutes=minutes)
        self.run(self._quietly(self.c.reconcile_payments().execute()))

    @invariant()
    def money_and_states_stay_consistent(self) -> None:
        for tx, entry in self.ledger.entries.items():
            assert entry.approvals <= 1, f"{tx} approved {entry.approvals} times"
            assert entry.refunded <= entry.amount * entry.approvals, f"{tx} refunded too much"
        states = self.run(self._states())
        by_tx = {tx: order_id for order_id, (tx, _) in self.orders.items()}
        for order_id, state in states.items():
            before = self.seen.get(order_id, S.PAYMENT_PENDING)
            assert state == before or (before, state) in ARROWS, f"{order_id}: {before}->{state}"
            self.seen[order_id] = state
        for tx, entry in self.ledger.entries.items():
            state = states.get(by_tx.get(tx, 0))
            if state in (S.PAID, S.MATCHED, S.CONFIRMED):
                assert entry.approvals == 1 and entry.refunded == 0, f"{tx} {state} {entry}"
            if state is S.REFUNDED:
                assert entry.refunded == entry.amount, f"{tx} REFUNDED but {entry}"

    async def _money(self) -> tuple[list[Order], dict[int, PaymentState], list[tuple[str, int]]]:
        async with self.c.uow()() as uow:
            orders = list(await uow.orders.of_user(self.user_id))
            payments = {}
            for order in orders:
                payment = await uow.payments.of_order(order.id or 0)
                if payment is not None:
                    payments[order.id or 0] = payment.state
            orphans = [
                (o.platform_tx_id, o.amount)
                for o in await uow.orphans.all()
                if o.state is OrphanState.REFUNDING
            ]
        return orders, payments, orphans

    def _held(self) -> dict[PayType, int]:
        """Per platform, what the ledger says it holds (approved and not given back)."""
        held: dict[PayType, int] = defaultdict(int)
        for tx, entry in self.ledger.entries.items():
            pay_type = next((p for t, p in self.orders.values() if t == tx), None)
            if pay_type is not None:
                held[pay_type] += entry.amount * entry.approvals - entry.refunded
        return held

    @invariant()
    def every_won_held_has_an_owner(self) -> None:
        """Money held is a live order's, or on its way back (a refund or an orphan refund), or
        in doubt (an answer lost, which the reconciler settles): never nobody's."""
        orders, payments, orphans = self.run(self._money())
        held = self._held()
        live: dict[PayType, int] = defaultdict(int)
        owned: dict[PayType, int] = defaultdict(int)
        for order in orders:
            state = payments.get(order.id or 0)
            if order.state in LIVE_STATES:
                live[order.pay_type] += order.trans_amount
            if order.state in LIVE_STATES or state in (
                PaymentState.APPROVING,
                PaymentState.REFUNDING,
            ):
                owned[order.pay_type] += self.ledger.entries.get(
                    order.transaction_id, _NO_ENTRY
                ).amount
        for tx, amount in orphans:
            pay_type = next((p for t, p in self.orders.values() if t == tx), None)
            if pay_type is not None:
                owned[pay_type] += amount
        for pay_type in PayType:
            assert live[pay_type] <= held[pay_type] <= owned[pay_type], (
                f"{pay_type.value}: holds {held[pay_type]}, live {live[pay_type]}, "
                f"owned {owned[pay_type]}"
            )

    def teardown(self) -> None:
        # With the platform well again, the reconciler converges: every refund is done, and no
        # money stays taken for an order that does not stand.
        self.ledger.lose_next_answer.clear()
        self.ledger.refuse_next.clear()
        for _ in range(12):
            self.clock.at += timedelta(hours=1)
            self.run(self._quietly(self.c.reconcile_payments().execute()))
        states = self.run(self._states())
        try:
            by_tx = {tx: order_id for order_id, (tx, _) in self.orders.items()}
            for tx, entry in self.ledger.entries.items():
                state = states.get(by_tx.get(tx, 0))
                assert state is not S.REFUND_PENDING, f"{tx} still REFUND_PENDING"
                taken = entry.amount * entry.approvals - entry.refunded
                if state in (S.PAID, S.MATCHED, S.CONFIRMED):
                    assert taken == entry.amount
                else:
                    assert taken == 0, f"{tx} is {state} but {taken} won are still taken"
            orders, _, orphans = self.run(self._money())
            assert orphans == [], f"orphan payments not given back: {orphans}"
            held = self._held()
            for pay_type in PayType:
                live = sum(o.trans_amount for o in orders if o.pay_type is pay_type and o.is_live)
                assert held[pay_type] == live, f"{pay_type.value}: holds {held[pay_type]}"
                txs = {t for t, p in self.orders.values() if p is pay_type}
                entries = [e for t, e in self.ledger.entries.items() if t in txs]
                approved = sum(e.amount * e.approvals for e in entries)
                refunded = sum(e.refunded for e in entries)
                assert refunded == approved - held[pay_type]
        finally:
            self.run(self.c.engine().dispose())
            self.loop.close()


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_random_interleavings_keep_money_and_states_consistent(tmp_path: Path) -> None:
    PaymentLifecycle.tmp_root = tmp_path
    runner = PaymentLifecycle.TestCase
    runner.settings = settings(
        max_examples=40,
        stateful_step_count=30,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        # The explain phase traces every line; on this workload it costs minutes.
        phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
    )
    runner().runTest()

"""Domain events are written to the outbox in the same transaction as the change they report:
a whole lifecycle through the HTTP API leaves exactly the expected events, in order, with the
ids and amounts involved; repeated requests add none; a change that rolls back leaves none."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

from dependency_injector import providers

from adapters.outbound.persistence.errors import StorageError
from bootstrap import Container
from domain.events import DomainEvent, EventType, FollowUp
from domain.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from tests.e2e.shop import Shop
from tests.events.conftest import Outbox

PRICE, EXTRA = 30_000, 2_000


def order_data(
    placed: dict[str, Any], state: str, pay_type: str = "KAKAO_PAY", **extra: object
) -> dict[str, object]:
    order = placed["order"]
    return {
        "orderId": placed["orderId"],
        "userId": order["userId"],
        "productId": order["productId"],
        "transactionId": placed["transactionId"],
        "payType": pay_type,
        "amount": order["transAmount"],
        "state": state,
        **extra,
    }


def group_data(
    group_id: int, product_id: int, order_ids: list[int], state: str
) -> dict[str, object]:
    return {
        "groupId": group_id,
        "productId": product_id,
        "orderIds": sorted(order_ids),
        "state": state,
    }


def without_reason(event: DomainEvent) -> dict[str, object]:
    return {k: v for k, v in event.data.items() if k != "reason"}


def test_a_whole_lifecycle_leaves_exactly_the_expected_events_in_order(
    shop: Shop, outbox: Outbox
) -> None:
    product = shop.product(price=PRICE, options=[{"name": "10kg", "extraPrice": EXTRA}])
    pid, option = product["id"], product["options"][0]["id"]
    expected: list[tuple[EventType, dict[str, object]]] = []

    def paid(name: str, **kw: Any) -> dict[str, Any]:
        placed = shop.placed(shop.user(name), pid, **kw)
        expected.append((EventType.ORDER_PLACED, order_data(placed, "PAYMENT_PENDING")))
        location = shop.press("KAKAO_PAY", placed, "pay")
        for _ in range(2):  # the browser comes back twice: one approval, one event
            assert shop.come_back(location).status_code == 200
        expected.append((EventType.ORDER_PAID, order_data(placed, "PAID")))
        return placed

    # A group that settles: two paid members, both confirm (twice).
    a, b = paid("a", option_id=option, quantity=2), paid("b")
    assert a["order"]["transAmount"] == (PRICE + EXTRA) * 2
    for _ in range(2):
        assert shop.match(1, [a["orderId"], b["orderId"]]).status_code == 200
    expected.append(
        (EventType.GROUP_MATCHED, group_data(1, pid, [a["orderId"], b["orderId"]], "MATCHED"))
    )
    for member in (a, b):
        for _ in range(2):
            assert shop.confirm(member["orderId"]).status_code == 200
        expected.append((EventType.PURCHASE_CONFIRMED, order_data(member, "CONFIRMED", groupId=1)))
    expected.append(
        (
            EventType.GROUP_SETTLEMENT_READY,
            group_data(1, pid, [a["orderId"], b["orderId"]], "SETTLEMENT_READY"),
        )
    )

    # A group that expires (twice): both members refunded through KakaoPay.
    c, d = paid("c"), paid("d")
    assert shop.match(2, [c["orderId"], d["orderId"]]).status_code == 200
    expected.append(
        (EventType.GROUP_MATCHED, group_data(2, pid, [c["orderId"], d["orderId"]], "MATCHED"))
    )
    for _ in range(2):
        assert shop.expire(2).status_code == 200
    expected.append(
        (EventType.GROUP_EXPIRED, group_data(2, pid, [c["orderId"], d["orderId"]], "EXPIRED"))
    )
    for member in (c, d):
        expected.append(
            (
                EventType.ORDER_REFUNDED,
                order_data(member, "REFUNDED", groupId=2, refundedAmount=PRICE),
            )
        )

    # A payment that fails and one the buyer cancels on KakaoPay's page.
    for name, button, state in (
        ("e", "fail", "PAYMENT_FAILED"),
        ("f", "cancel", "PAYMENT_CANCELLED"),
    ):
        placed = shop.placed(shop.user(name), pid)
        expected.append((EventType.ORDER_PLACED, order_data(placed, "PAYMENT_PENDING")))
        location = shop.press("KAKAO_PAY", placed, button)
        for _ in range(2):
            assert shop.come_back(location).json()["data"]["state"] == state
        expected.append((EventType.PAYMENT_FAILED, order_data(placed, state)))

    # Money no pending order owns: the buyer paid NaverPay order h, and the browser brings
    # h's paymentId back to order g. NaverPay has taken it: it is found, then given back.
    g, h = (shop.placed(shop.user(name), pid, "NAVER_PAY") for name in ("g", "h"))
    for placed in (g, h):
        expected.append(
            (EventType.ORDER_PLACED, order_data(placed, "PAYMENT_PENDING", "NAVER_PAY"))
        )
    query = urlsplit(shop.press("NAVER_PAY", h, "pay")).query
    crossed = f"/api/v1/order/transaction/done/NAVER_PAY/{g['transactionId']}?{query}"
    assert shop.client.get(crossed, headers={"accept": "application/json"}).status_code == 502
    orphan = {
        "orphanId": 1,
        "orderId": g["orderId"],
        "payType": "NAVER_PAY",
        "platformTxId": dict(parse_qsl(query))["paymentId"],
        "amount": h["order"]["transAmount"],
    }
    expected.append((EventType.ORPHAN_PAYMENT_FOUND, {**orphan, "state": "REFUNDING"}))
    expected.append(
        (
            EventType.ORPHAN_PAYMENT_REFUNDED,
            {**orphan, "state": "REFUNDED", "refundedAmount": orphan["amount"]},
        )
    )

    events = outbox()

    assert [(e.type, without_reason(e)) for e in events] == expected
    assert all(
        e.data["reason"]
        for e in events
        if e.type in (EventType.PAYMENT_FAILED, EventType.ORPHAN_PAYMENT_FOUND)
    )
    assert len({e.event_id for e in events}) == len(events)
    assert [e.occurred_at for e in events] == sorted(e.occurred_at for e in events)
    assert {e.type for e in events} == set(EventType)


class _CommitFails:
    """A unit of work whose commit fails once an event of `fatal` was added in it, the way a
    lost database connection fails the commit after the use-case did all its work."""

    def __init__(self, inner: UnitOfWork, fatal: EventType) -> None:
        self._inner, self._fatal, self._types = inner, fatal, set[EventType]()

    async def __aenter__(self) -> Self:
        await self._inner.__aenter__()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._inner.__aexit__(kind, exc, tb)

    def __getattr__(self, name: str) -> Any:
        if name == "outbox":
            return _SpyOutbox(self._inner.outbox, self._types)
        return getattr(self._inner, name)

    async def commit(self) -> None:
        # Events raised by the aggregates are written by the commit itself.
        raised = self._inner.pending_events()  # type: ignore[attr-defined]
        self._types.update(e.kind for e in raised if not isinstance(e, FollowUp))
        if self._fatal in self._types:
            raise StorageError("the database went away during commit")
        await self._inner.commit()


class _SpyOutbox:
    def __init__(self, inner: Any, seen: set[EventType]) -> None:
        self._inner, self._seen = inner, seen

    async def add(self, event: DomainEvent) -> None:
        self._seen.add(event.type)
        await self._inner.add(event)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def failing_commits(real: UnitOfWorkFactory, fatal: EventType) -> UnitOfWorkFactory:
    def make() -> UnitOfWork:
        return _CommitFails(real(), fatal)

    return make


def test_a_state_change_that_rolls_back_writes_no_event(
    shop: Shop, outbox: Outbox, container: Container
) -> None:
    product = shop.product()
    users = [shop.user(n) for n in ("a", "b")]
    orders = [shop.paid_order(u, product["id"]) for u in users]
    assert shop.match(7, orders).status_code == 200
    before = outbox()
    real = container.uow()
    container.uow.override(providers.Object(failing_commits(real, EventType.PURCHASE_CONFIRMED)))
    try:
        refused = shop.confirm(orders[0])
    finally:
        container.uow.reset_override()

    assert refused.status_code == 503, refused.text
    assert shop.state_of(users[0], orders[0]) == "MATCHED"
    assert [e.event_id for e in outbox()] == [e.event_id for e in before]
    # The same request once the database is back: the change and its event, together.
    assert shop.confirm(orders[0]).status_code == 200
    [confirmed] = [e for e in outbox() if e.type is EventType.PURCHASE_CONFIRMED]
    assert confirmed.data["orderId"] == orders[0]

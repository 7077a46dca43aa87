"""The checks after the drive: every order final and as scripted, and the money adds up, seen
from the service's API and, independently, from the platform emulators."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from tests.load.driver import PLATFORM, Drive, Driver, Placed
from tests.load.plan import Fate, Outcome
from tests.load.recorder import Recorder

FINAL = {"CONFIRMED", "REFUNDED", "PAYMENT_FAILED", "PAYMENT_CANCELLED"}
APPROVED = {"PAID", "MATCHED", "CONFIRMED", "REFUND_PENDING", "REFUNDED"}
LIVE = {"PAID", "MATCHED", "CONFIRMED"}
SHOWN = 5  # examples per failed check
CLIP = 400  # characters per example


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""


@dataclass
class Ledger:
    orders: dict[int, dict[str, Any]] = field(default_factory=dict)
    ready_groups: set[int] = field(default_factory=set)
    platform: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    sums: dict[str, int] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)

    def check(self, name: str, problems: list[str], summary: str = "") -> None:
        detail = summary or ""
        if problems:
            shown = "; ".join(p[:CLIP] for p in problems[:SHOWN])
            more = f" (+{len(problems) - SHOWN} more)" if len(problems) > SHOWN else ""
            detail = f"{len(problems)} problem(s): {shown}{more}"
        self.checks.append(Check(name, not problems, detail))


async def read_ledger(driver: Driver, drive: Drive) -> Ledger:
    ledger = Ledger()
    lists = await asyncio.gather(
        *(
            driver.call("list", "GET", "/api/v1/order/list/user", params={"userId": u})
            for u in drive.users
        )
    )
    for response in lists:
        if response is not None and response.status_code == 200:
            ledger.orders.update({int(o["id"]): o for o in response.json()["data"]})
    matched = [g for g in drive.groups if g.matched]
    statuses = await asyncio.gather(
        *(
            driver.call(
                "group-status",
                "GET",
                "/api/v1/transaction/status/group",
                params={"groupId": g.group_id, "numberOfMember": len(g.order_ids)},
            )
            for g in matched
        )
    )
    for group, response in zip(matched, statuses, strict=True):
        if response is not None and response.status_code == 200 and response.json()["data"]:
            ledger.ready_groups.add(group.group_id)
    for prefix in PLATFORM.values():
        response = await driver.browse("GET", f"/{prefix}/__sandbox__/payments")
        ledger.platform[prefix] = list(response.json()["payments"])
    return ledger


EXPIRY_CHECK = "a concurrent duplicate expiry answers 200, not 502 'refund in progress'"


def check_ledger(ledger: Ledger, drive: Drive, recorder: Recorder) -> None:
    _check_orders(ledger, drive)
    _check_money(ledger, drive)
    _check_platforms(ledger, drive)
    _check_held_money(ledger)
    ledger.check("every service answer as expected (no 5xx, no error)", recorder.unexpected)
    ledger.check(EXPIRY_CHECK, recorder.expiry_in_progress)
    ledger.check("an Idempotency-Key replay answers the first order", drive.replay_mismatches)


def _check_orders(ledger: Ledger, drive: Drive) -> None:
    placed = {p.order_id: p for p in drive.placed if p.order_id is not None}
    declined = sum(1 for p in drive.placed if p.declined_at_checkout)
    extra = [o for i, o in ledger.orders.items() if i not in placed]
    strays = [
        f"order {o['id']} {o['payType']} {o['state']}"
        for o in extra
        if (o["payType"], o["state"]) != ("OPEN_BANKING", "PAYMENT_FAILED")
    ]
    if len(extra) - len(strays) != declined:
        strays.append(f"{len(extra) - len(strays)} declined Open Banking orders, {declined} placed")
    missing = [f"order {i} is not listed" for i in placed if i not in ledger.orders]
    ledger.check("the users' orders are exactly those placed", strays + missing)
    stuck = [f"order {i} {o['state']}" for i, o in ledger.orders.items() if o["state"] not in FINAL]
    ledger.check("every order is in a final state", stuck)
    in_group = {i: g for g in drive.groups if g.matched for i in g.order_ids}
    wrong = []
    for order_id, p in placed.items():
        state = ledger.orders.get(order_id, {}).get("state")
        expected = _expected_state(p, in_group.get(order_id))
        if state not in expected:
            wrong.append(
                f"order {order_id} ({p.member.pay_type}, {p.member.outcome.value}) "
                f"is {state}, expected {'/'.join(sorted(expected))}"
            )
    ledger.check("every order ended as its buyer and group chose", wrong)


def _expected_state(placed: Placed, group: Any) -> set[str]:
    outcome = placed.member.outcome
    if outcome is Outcome.FAIL:
        return {"PAYMENT_FAILED"}
    if outcome is Outcome.CANCEL:
        return {"PAYMENT_CANCELLED"}
    if outcome is Outcome.ABANDON:
        return {"PAYMENT_FAILED", "PAYMENT_CANCELLED"}
    if group is None:
        return {"REFUNDED"}  # no group took it: refunded by the worker
    return {"CONFIRMED"} if group.batch.fate is Fate.CONFIRM else {"REFUNDED"}


def _check_money(ledger: Ledger, drive: Drive) -> None:
    orders = ledger.orders.values()
    approved = sum(o["transAmount"] for o in orders if o["state"] in APPROVED)
    refunded = sum(o["transAmount"] for o in orders if o["state"] == "REFUNDED")
    ready_ids = {i for g in drive.groups if g.group_id in ledger.ready_groups for i in g.order_ids}
    ready = sum(o["transAmount"] for i, o in ledger.orders.items() if i in ready_ids)
    ledger.sums.update(approved=approved, refunded=refunded, settlement_ready=ready)
    problems = []
    if refunded + ready != approved:
        problems.append(
            f"refunded {refunded:,} + settlement-ready {ready:,} != approved {approved:,}"
        )
    unsettled = [
        f"group {g.group_id}"
        for g in drive.groups
        if g.matched and g.batch.fate is Fate.CONFIRM and g.group_id not in ledger.ready_groups
    ]
    ledger.check(
        "refunded + settlement-ready = approved (service API)",
        problems + unsettled,
        f"{refunded:,} + {ready:,} = {approved:,} won",
    )


def _platform_views(ledger: Ledger, drive: Drive) -> dict[int, dict[str, Any]]:
    """Each emulator payment, keyed by our order id."""
    by_transaction = {p.transaction_id: p.order_id for p in drive.placed if p.transaction_id}
    by_account = {p.fintech_use_num: p.order_id for p in drive.placed if p.fintech_use_num}
    views: dict[int, dict[str, Any]] = {}
    for prefix, payments in ledger.platform.items():
        for payment in payments:
            if prefix == "kakaopay":
                order_id: int | None = int(payment["partner_order_id"])
            elif prefix == "openbanking":
                order_id = by_account.get(payment["fintech_use_num"])
            else:
                key = payment["merchantPayKey" if prefix == "naverpay" else "orderId"]
                order_id = by_transaction.get(key)
            if order_id is not None:
                views[order_id] = {**payment, "platform": prefix}
    return views


def _check_platforms(ledger: Ledger, drive: Drive) -> None:
    everything = [{**p, "platform": k} for k, ps in ledger.platform.items() for p in ps]
    taken = sum(p["amount"] * p["approvals"] for p in everything)
    given_back = sum(p["refunded_amount"] for p in everything)
    ledger.sums.update(platform_approved=taken, platform_refunded=given_back)
    doubles = [
        f"{p['platform']} {_ref(p)} approved {p['approvals']}x"
        for p in everything
        if p["approvals"] > 1
    ]
    ledger.check("no double approval at any platform", doubles)
    over = [
        f"{p['platform']} {_ref(p)} refunded {p['refunded_amount']} of {p['amount']} "
        f"in {p['refunds']} refund(s)"
        for p in everything
        if p["refunded_amount"] > p["amount"] * min(p["approvals"], 1) or p["refunds"] > 1
    ]
    ledger.check("no over-refund, at most one refund per payment", over)
    sums = []
    if taken != ledger.sums["approved"]:
        sums.append(f"platforms took {taken:,}, the service approved {ledger.sums['approved']:,}")
    if given_back != ledger.sums["refunded"]:
        sums.append(f"platforms refunded {given_back:,}, the service {ledger.sums['refunded']:,}")
    ledger.check(
        "the platforms' sums equal the service's",
        sums,
        f"taken {taken:,}, refunded {given_back:,} won",
    )
    views = _platform_views(ledger, drive)
    disagree = []
    for order_id, order in ledger.orders.items():
        view = views.get(order_id, {"approvals": 0, "refunded_amount": 0, "platform": "-"})
        approved = order["state"] in APPROVED
        if approved != (view["approvals"] >= 1):
            disagree.append(
                f"order {order_id} {order['state']}, {view['platform']} approvals "
                f"{view['approvals']}"
            )
        refunded = order["transAmount"] if order["state"] == "REFUNDED" else 0
        if approved and view["refunded_amount"] != refunded:
            disagree.append(
                f"order {order_id} {order['state']}, {view['platform']} refunded "
                f"{view['refunded_amount']}"
            )
    ledger.check("each order agrees with its platform payment", disagree)


HELD_CHECK = "per platform, money held = the live orders' transAmount; refunded = approved - held"


def _check_held_money(ledger: Ledger) -> None:
    """Every won a platform still holds belongs to exactly one live order (none is orphaned)."""
    pay_type_of = {prefix: pay_type for pay_type, prefix in PLATFORM.items()}
    problems, shown = [], []
    for prefix, payments in sorted(ledger.platform.items()):
        approved = sum(p["amount"] * min(p["approvals"], 1) for p in payments)
        refunded = sum(p["refunded_amount"] for p in payments)
        held = approved - refunded
        live = sum(
            o["transAmount"]
            for o in ledger.orders.values()
            if o["payType"] == pay_type_of.get(prefix) and o["state"] in LIVE
        )
        shown.append(f"{prefix} {held:,}")
        if held != live:
            problems.append(f"{prefix} holds {held:,} won, its live orders {live:,}")
    ledger.check(HELD_CHECK, problems, ", ".join(shown) + " won held")


def _ref(payment: dict[str, Any]) -> str:
    for key in ("tid", "paymentId", "paymentKey", "bank_tran_id"):
        if key in payment:
            return str(payment[key])
    return "?"


def state_counts(ledger: Ledger) -> tuple[Counter[str], Counter[tuple[str, str]]]:
    states = Counter(o["state"] for o in ledger.orders.values())
    by_platform = Counter((o["payType"], o["state"]) for o in ledger.orders.values())
    return states, by_platform

"""Plays the load's script against a running stack: shoppers order and pay on the platforms'
pages (coming back two or three times for some), the matcher groups the paid orders, and each
group is confirmed by all its members or expires. Emulator faults delay approvals and refunds."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import httpx

from tests.load.options import LoadOptions
from tests.load.plan import PRODUCTS, Batch, Fate, Member, Outcome
from tests.load.recorder import Recorder
from tests.support.html_forms import forms_of

CHECKOUT_PAGES = {
    "NAVER_PAY": "/naverpay/sdk/checkout",
    "TOSS_PAYMENTS": "/tosspayments/widget/checkout",
}
PLATFORM = {
    "KAKAO_PAY": "kakaopay",
    "NAVER_PAY": "naverpay",
    "OPEN_BANKING": "openbanking",
    "TOSS_PAYMENTS": "tosspayments",
}
APPROVE_OPERATION = {
    "KAKAO_PAY": "approve",
    "NAVER_PAY": "apply",
    "OPEN_BANKING": "withdraw",
    "TOSS_PAYMENTS": "confirm",
}
REFUND_OPERATION = {
    "KAKAO_PAY": "cancel",
    "NAVER_PAY": "cancel",
    "OPEN_BANKING": "deposit",
    "TOSS_PAYMENTS": "cancel",
}
OPTION_EXTRA = 3_000
RICH, BROKE = 100_000_000, 0
JSON = {"accept": "application/json"}
REFUND_IN_PROGRESS = "a refund is already in progress"


@dataclass
class Placed:
    member: Member
    order_id: int | None = None
    transaction_id: str | None = None
    fintech_use_num: str | None = None
    paid: bool = False
    declined_at_checkout: bool = False  # Open Banking refused the withdrawal (no funds)


@dataclass
class Group:
    group_id: int
    batch: Batch
    order_ids: list[int]
    matched: bool = False


@dataclass
class Drive:
    """What the drive did, for the ledger."""

    users: list[int] = field(default_factory=list)
    products: list[int] = field(default_factory=list)
    placed: list[Placed] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    replay_mismatches: list[str] = field(default_factory=list)
    seconds: float = 0.0


class Driver:
    def __init__(
        self,
        options: LoadOptions,
        api: httpx.AsyncClient,
        sandbox: httpx.AsyncClient,
        recorder: Recorder,
    ) -> None:
        self.options, self.api, self.sandbox, self.recorder = options, api, sandbox, recorder
        self._requests = asyncio.Semaphore(options.concurrency)
        self._browsers = asyncio.Semaphore(options.concurrency)
        self._rng = random.Random(options.seed + 1)
        self._group_base = (int(time.time()) % 100_000) * 10_000
        self.drive = Drive()

    # -- requests ------------------------------------------------------------------------

    async def call(
        self,
        kind: str,
        method: str,
        url: str,
        *,
        expect: Iterable[int] = (200,),
        **kwargs: Any,
    ) -> httpx.Response | None:
        """A request to the service, counted and timed; None when it got no answer."""
        async with self._requests:
            started = time.perf_counter()
            try:
                response = await self.api.request(method, url, **kwargs)
            except httpx.HTTPError as error:
                self.recorder.record(kind, None, time.perf_counter() - started)
                self.recorder.unexpected.append(f"{kind} {method} {url}: {error!r}")
                return None
            self.recorder.record(kind, response.status_code, time.perf_counter() - started)
        if response.status_code not in tuple(expect):
            described = f"{kind} {method} {url} -> {response.status_code} {response.text[:700]}"
            if kind == "expire" and _only_refunds_in_progress(response):
                self.recorder.expiry_in_progress.append(described)
            else:
                self.recorder.unexpected.append(described)
        return response

    async def browse(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """The buyer's browser on the platform's page (the emulator, not counted as service)."""
        async with self._browsers:
            started = time.perf_counter()
            response = await self.sandbox.request(method, url, **kwargs)
            self.recorder.record(f"platform:{method.lower()}", response.status_code, 0.0)
            self.recorder.latencies[f"platform:{method.lower()}"][-1] = (
                time.perf_counter() - started
            )
            return response

    async def arm_delay(self, pay_type: str, operation: str) -> None:
        seconds = round(self._rng.uniform(0.05, self.options.delay_max_s), 3)
        spec = {"operation": operation, "kind": "delay", "times": 1, "seconds": seconds}
        response = await self.browse("POST", f"/{PLATFORM[pay_type]}/__sandbox__/faults", json=spec)
        if response.status_code not in (200, 201):
            raise RuntimeError(f"could not arm {spec} on {pay_type}: {response.text}")

    # -- the script ----------------------------------------------------------------------

    async def setup(self, users: int) -> None:
        async def user(index: int) -> int:
            response = await self.call(
                "user", "POST", "/api/v1/user", json={"name": f"load{index}"}, expect=(201,)
            )
            assert response is not None and response.status_code == 201, "could not add a user"
            return int(response.json()["data"]["id"])

        async def product(name: str, price: int) -> int:
            body = {"name": name, "price": price, "options": [{"name": "+", "extraPrice": 3000}]}
            response = await self.call(
                "product", "POST", "/api/v1/product", json=body, expect=(201,)
            )
            assert response is not None and response.status_code == 201, "could not add a product"
            return int(response.json()["data"]["id"])

        self.drive.products = [await product(name, price) for name, price in PRODUCTS]
        self.drive.users = list(await asyncio.gather(*(user(i) for i in range(users))))

    async def run(self, batches: list[Batch]) -> Drive:
        started = time.perf_counter()
        gate = asyncio.Semaphore(self.options.concurrency)

        async def one(batch: Batch) -> None:
            async with gate:
                await self.batch(batch)

        await asyncio.gather(*(one(b) for b in batches))
        self.drive.seconds = time.perf_counter() - started
        return self.drive

    async def batch(self, batch: Batch) -> None:
        placed = await asyncio.gather(*(self.order_and_pay(batch, m) for m in batch.members))
        self.drive.placed.extend(placed)
        paid = [p.order_id for p in placed if p.paid and p.order_id is not None]
        if len(paid) < 2:
            return  # a lone paid order: no group takes it, the worker refunds it
        group = Group(self._group_base + batch.index + 1, batch, paid)
        self.drive.groups.append(group)
        body = {"groupId": group.group_id, "orderIdList": paid}
        matched = await self._twice(
            batch.duplicate_steps,
            lambda: self.call("match", "POST", "/api/v1/group/matched", json=body),
        )
        group.matched = any(r is not None and r.status_code == 200 for r in matched)
        if not group.matched:
            return
        if batch.fate is Fate.CONFIRM:
            await asyncio.gather(*(self._confirm(batch, order_id) for order_id in paid))
            return
        if batch.delayed_refunds:
            for pay_type in sorted({m.pay_type for m in batch.members}):
                await self.arm_delay(pay_type, REFUND_OPERATION[pay_type])
        await self._twice(
            batch.duplicate_steps,
            lambda: self.call(
                "expire", "GET", "/api/v1/group/expired", params={"groupId": group.group_id}
            ),
        )

    async def _confirm(self, batch: Batch, order_id: int) -> None:
        await self._twice(
            batch.duplicate_steps,
            lambda: self.call(
                "confirm", "GET", "/api/v1/order/confirm", params={"orderId": order_id}
            ),
        )

    @staticmethod
    async def _twice(
        duplicated: bool, send: Callable[[], Awaitable[httpx.Response | None]]
    ) -> list[httpx.Response | None]:
        """Sends once, or twice at the same moment (a matcher or shopper retrying)."""
        if not duplicated:
            return [await send()]
        return list(await asyncio.gather(send(), send()))

    async def order_and_pay(self, batch: Batch, member: Member) -> Placed:
        placed = Placed(member)
        body: dict[str, Any] = {
            "userId": self.drive.users[member.user],
            "productId": self.drive.products[batch.product],
            "productOptionId": 0,
            "minShare": 2,
            "maxShare": self.options.group_size,
            "quantity": member.quantity,
        }
        if member.with_option:
            body["productOptionId"] = await self._option_of(body["productId"])
        expect: tuple[int, ...] = (200,)
        if member.pay_type == "OPEN_BANKING":
            balance = BROKE if member.outcome is Outcome.FAIL else RICH
            response = await self.browse(
                "POST", "/openbanking/__sandbox__/accounts", json={"balance": balance}
            )
            account = response.json()
            placed.fintech_use_num = account["fintechUseNum"]
            body["transaction"] = {
                "fintechUseNum": account["fintechUseNum"],
                "accessToken": account["accessToken"],
            }
            if member.outcome is Outcome.FAIL:
                expect = (502,)  # the platform refused the withdrawal: a Bad Gateway by design
            elif member.delayed:
                await self.arm_delay(member.pay_type, APPROVE_OPERATION[member.pay_type])
        key = str(uuid.uuid4())
        execute = await self.call(
            "execute" if expect == (200,) else "execute-declined",
            "POST",
            "/api/v1/order/execute",
            params={"payType": member.pay_type},
            json=body,
            headers={"Idempotency-Key": key},
            expect=expect,
        )
        if execute is None or execute.status_code != 200:
            placed.declined_at_checkout = execute is not None and execute.status_code == 502
            return placed
        data = execute.json()["data"]
        placed.order_id, placed.transaction_id = int(data["orderId"]), str(data["transactionId"])
        if member.redirects > 1:
            await self._replay(placed, key, body)
        if member.pay_type == "OPEN_BANKING":
            placed.paid = True  # a synchronous withdrawal: 200 means PAID
            return placed
        await self._on_platform_page(placed, data)
        return placed

    async def _option_of(self, product_id: int) -> int:
        response = await self.call("product", "GET", f"/api/v1/product/{product_id}")
        assert response is not None and response.status_code == 200
        return int(response.json()["data"]["options"][0]["id"])

    async def _replay(self, placed: Placed, key: str, body: dict[str, Any]) -> None:
        """The shop front end retries the same execute: the first answer comes back."""
        again = await self.call(
            "execute-replay",
            "POST",
            "/api/v1/order/execute",
            params={"payType": placed.member.pay_type},
            json=body,
            headers={"Idempotency-Key": key},
        )
        if again is None or again.status_code != 200:
            return
        replayed = int(again.json()["data"]["orderId"])
        if replayed != placed.order_id:
            self.drive.replay_mismatches.append(
                f"Idempotency-Key {key}: order {placed.order_id}, replay {replayed}"
            )

    async def _on_platform_page(self, placed: Placed, data: dict[str, Any]) -> None:
        member = placed.member
        if member.pay_type == "KAKAO_PAY":
            page_url = str(data["next_redirect_pc_url"])
        else:
            page_url = (
                f"{self.sandbox.base_url}{CHECKOUT_PAGES[member.pay_type]}?"
                f"{urlencode(data['payment'])}"
            )
        page = await self.browse("GET", page_url)
        if page.status_code != 200:
            raise RuntimeError(f"the payment page {page_url} answered {page.status_code}")
        if member.outcome is Outcome.ABANDON:
            return  # the buyer closes the window; the reconciler fails the payment
        button = member.outcome.value
        [form] = [f for f in forms_of(page.text) if f.action.rstrip("/").endswith(f"/{button}")]
        pressed = await self.browse("POST", urljoin(page_url, form.action), data=form.fields)
        if pressed.status_code not in (302, 303):
            raise RuntimeError(f"pressing {button} on {page_url}: {pressed.status_code}")
        location = urlsplit(pressed.headers["location"])
        path = location.path + (f"?{location.query}" if location.query else "")
        kind = "approve" if member.outcome is Outcome.PAY else f"{button}-redirect"
        if member.outcome is Outcome.PAY and member.delayed:
            await self.arm_delay(member.pay_type, APPROVE_OPERATION[member.pay_type])
        if member.concurrent:
            answers = list(
                await asyncio.gather(
                    *(self.call(kind, "GET", path, headers=JSON) for _ in range(member.redirects))
                )
            )
        else:
            answers = [
                await self.call(kind, "GET", path, headers=JSON) for _ in range(member.redirects)
            ]
        states = {
            r.json()["data"]["state"] for r in answers if r is not None and r.status_code == 200
        }
        placed.paid = "PAID" in states


def _only_refunds_in_progress(response: httpx.Response) -> bool:
    """A 502 from expiry whose every "pending" refund was in fact being made by another call."""
    try:
        errors = response.json()["data"]["refundErrors"]
    except (ValueError, KeyError, TypeError):
        return False
    return (
        response.status_code == 502
        and bool(errors)
        and all(e == REFUND_IN_PROGRESS for e in errors.values())
    )

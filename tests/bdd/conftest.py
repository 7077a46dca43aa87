"""The shop's vocabulary, shared by every feature: the catalog, buyers, their orders and
payments, the states an order can be in, and what each payment platform recorded.

Steps drive the real service end to end over HTTP, and the platform emulators through the
buyer's browser, with the e2e `Shop` helper. Every scenario runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from parse import with_pattern
from pytest_bdd import given, parsers, then, when

from tests.e2e.shop import Shop

# The platforms as the business names them: (payType, emulator prefix).
PLATFORMS = {
    "KakaoPay": ("KAKAO_PAY", "kakaopay"),
    "NaverPay": ("NAVER_PAY", "naverpay"),
    "Open Banking": ("OPEN_BANKING", "openbanking"),
    "Toss Payments": ("TOSS_PAYMENTS", "tosspayments"),
}
STATES = {
    "waiting for payment": "PAYMENT_PENDING",
    "paid": "PAID",
    "cancelled by the buyer": "PAYMENT_CANCELLED",
    "failed": "PAYMENT_FAILED",
    "matched": "MATCHED",
    "confirmed": "CONFIRMED",
    "waiting for its refund": "REFUND_PENDING",
    "refunded": "REFUNDED",
}
NAMES = r"[A-Z][a-z]+(?:(?:, | and )[A-Z][a-z]+)*"


@with_pattern(r"\d{1,3}(?:,\d{3})* won")
def _won(text: str) -> int:
    """'30,000 won' -> 30000."""
    return int(text.removesuffix(" won").replace(",", ""))


@with_pattern(r"[A-Z][a-z]+")
def _name(text: str) -> str:
    return text


@with_pattern(NAMES)
def _names(text: str) -> list[str]:
    """'Minji, Jisoo and Hyun' -> ['Minji', 'Jisoo', 'Hyun']."""
    return text.replace(" and ", ", ").split(", ")


@with_pattern(r"[^\"]+")
def _text(text: str) -> str:
    return text


@with_pattern("|".join(PLATFORMS))
def _platform(text: str) -> str:
    return text


@with_pattern(r"(?:still )?(?:" + "|".join(STATES) + ")")
def _state(text: str) -> str:
    return STATES[text.removeprefix("still ")]


@with_pattern(r"\d+ or more buyers|\d+ to \d+ buyers|exactly \d+ buyers")
def _size(text: str) -> tuple[int, int]:
    """A group size a buyer accepts, as (minShare, maxShare); maxShare 0 is no upper bound."""
    numbers = [int(word) for word in text.split() if word.isdigit()]
    if text.startswith("exactly"):
        return numbers[0], numbers[0]
    return (numbers[0], 0) if "or more" in text else (numbers[0], numbers[1])


TYPES = {
    "Won": _won,
    "Name": _name,
    "Names": _names,
    "Text": _text,
    "Platform": _platform,
    "State": _state,
    "Size": _size,
}


def step(text: str) -> parsers.parse:
    """A step text with the shop's typed arguments ({amount:Won}, {buyer:Name}, ...)."""
    return parsers.parse(text, extra_types=TYPES)


class RecordingShop(Shop):
    """The e2e `Shop`, remembering the Open Banking accounts its buyers pay from, so that a
    scenario can ask the bank what happened to that account (the bank's own record)."""

    accounts: list[dict[str, str]]

    def open_banking_account(self, balance: int = 1_000_000) -> dict[str, str]:
        account = super().open_banking_account(balance)
        self.accounts = [*getattr(self, "accounts", []), account]
        return account


@dataclass
class Placed:
    """An order as the buyer placed it: the service's answer and how it is paid."""

    buyer: str
    product: str
    pay_type: str
    data: dict[str, Any]
    payer_account: str = ""
    return_location: str | None = None

    @property
    def id(self) -> int:
        return int(self.data["orderId"])


@dataclass
class Story:
    """The people and things a scenario talks about, by the names the scenario gives them."""

    shop: RecordingShop
    products: dict[str, dict[str, Any]] = field(default_factory=dict)
    buyers: dict[str, int] = field(default_factory=dict)
    orders: dict[str, list[Placed]] = field(default_factory=dict)
    payments_before: dict[str, int] = field(default_factory=dict)

    def buyer(self, name: str) -> int:
        if name not in self.buyers:
            self.buyers[name] = self.shop.user(name)
        return self.buyers[name]

    def order_of(self, name: str) -> Placed:
        assert self.orders.get(name), f"{name} has placed no order in this scenario"
        return self.orders[name][-1]

    def order_ids(self, names: list[str]) -> list[int]:
        return [self.order_of(name).id for name in names]

    def place(
        self,
        name: str,
        product: str,
        platform: str,
        *,
        quantity: int = 1,
        option: str = "",
        share: tuple[int, int] = (2, 0),
    ) -> httpx.Response:
        pay_type, prefix = PLATFORMS[platform]
        self.payments_before[prefix] = len(self.shop.platform_payments(prefix))
        item = self.products[product]
        option_id = next(o["id"] for o in item["options"] if o["name"] == option) if option else 0
        response = self.shop.order(
            self.buyer(name),
            item["id"],
            pay_type,
            option_id=option_id,
            quantity=quantity,
            min_share=share[0],
            max_share=share[1],
        )
        if response.status_code == 200:
            account = self.shop.accounts[-1]["fintechUseNum"] if pay_type == "OPEN_BANKING" else ""
            placed = Placed(name, product, pay_type, dict(response.json()["data"]), account)
            self.orders.setdefault(name, []).append(placed)
        return response

    def platform_payment(self, name: str) -> dict[str, Any]:
        """What the platform itself recorded for the buyer's (latest) order."""
        placed = self.order_of(name)
        prefix = next(p for t, p in PLATFORMS.values() if t == placed.pay_type)
        key, value = _platform_key(placed)
        found = [p for p in self.shop.platform_payments(prefix) if p.get(key) == value]
        assert len(found) == 1, (
            f"{prefix} holds {len(found)} payments with {key}={value} for {name}'s order "
            f"{placed.id} (the shop's answer was {placed.data}): {found}"
        )
        return found[0]


def _platform_key(placed: Placed) -> tuple[str, Any]:
    data = placed.data
    if placed.pay_type == "KAKAO_PAY":
        return "tid", data["tid"]
    if placed.pay_type == "NAVER_PAY":
        return "merchantPayKey", data["transactionId"]
    if placed.pay_type == "TOSS_PAYMENTS":
        return "orderId", data["transactionId"]
    return "fintech_use_num", placed.payer_account


@pytest.fixture(autouse=True)
def story(shop: Shop) -> Story:
    """Autouse, so that every scenario depends on `database_url` and runs on each database."""
    return Story(RecordingShop(shop.client, shop.sandbox, shop.sandbox_url))


def settled(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    """The envelope of an answer that must have `status`; fails with the answer's text."""
    assert response.status_code == status, response.text
    body = dict(response.json())
    assert body["statusCode"] == status, body
    return body


# --- the catalog and the buyers ------------------------------------------------------------


@given(step('the shop sells "{product:Text}" at {price:Won}'))
def shop_sells(story: Story, product: str, price: int) -> None:
    story.products[product] = story.shop.product(price=price) | {"name": product}


@given(step('the product "{product:Text}" has the option "{option:Text}" at {extra:Won} extra'))
def product_option(story: Story, product: str, option: str, extra: int) -> None:
    price = story.products[product]["price"]
    options = [
        {"name": o["name"], "extraPrice": o["extraPrice"]}
        for o in story.products[product]["options"]
    ]
    created = story.shop.product(
        price=price, options=[*options, {"name": option, "extraPrice": extra}]
    )
    story.products[product] = created | {"name": product}


@given(step("a buyer named {buyer:Name}"))
def a_buyer(story: Story, buyer: str) -> None:
    story.buyer(buyer)


# --- ordering and paying -------------------------------------------------------------------


@given(step('{buyer:Name} ordered {quantity:d} "{product:Text}" to pay with {platform:Platform}'))
def ordered(story: Story, buyer: str, quantity: int, product: str, platform: str) -> None:
    settled(story.place(buyer, product, platform, quantity=quantity))


@given(step('{buyer:Name} paid for "{product:Text}" with {platform:Platform}'))
def paid_for(story: Story, buyer: str, product: str, platform: str) -> None:
    settled(story.place(buyer, product, platform))
    pay(story, buyer, platform)


@given(step('{buyer:Name} paid for "{product:Text}" accepting a group of {share:Size}'))
def paid_for_a_group_size(story: Story, buyer: str, product: str, share: tuple[int, int]) -> None:
    settled(story.place(buyer, product, "KakaoPay", share=share))
    pay(story, buyer, "KakaoPay")


def pay(story: Story, buyer: str, platform: str) -> None:
    """The buyer completes the payment: on the platform's page, or at once with Open Banking."""
    placed = story.order_of(buyer)
    if placed.pay_type != "OPEN_BANKING":
        answer = pays_on_the_page(story, buyer, platform)
        assert settled(answer)["data"]["state"] == "PAID", answer.text
    assert story.shop.state_of(story.buyer(buyer), placed.id) == "PAID"


@given(step("{buyer:Name} paid on {platform:Platform}'s page"), target_fixture="answer")
@when(step("{buyer:Name} pays on {platform:Platform}'s page"), target_fixture="answer")
def pays_on_the_page(story: Story, buyer: str, platform: str) -> httpx.Response:
    placed = story.order_of(buyer)
    placed.return_location = story.shop.press(placed.pay_type, placed.data, "pay")
    return story.shop.come_back(placed.return_location)


# --- what the buyer and the platforms see --------------------------------------------------


@then(step("{buyer:Name}'s order is {state:State}"))
def order_is(story: Story, buyer: str, state: str) -> None:
    assert story.shop.state_of(story.buyer(buyer), story.order_of(buyer).id) == state


@then(step("the orders of {buyers:Names} are {state:State}"))
def orders_are(story: Story, buyers: list[str], state: str) -> None:
    for buyer in buyers:
        order_is(story, buyer, state)


@then(step("{platform:Platform} approved {buyer:Name}'s payment of {amount:Won} once"))
def approved_once(story: Story, platform: str, buyer: str, amount: int) -> None:
    payment = story.platform_payment(buyer)
    assert (payment["approvals"], payment["amount"]) == (1, amount), payment


@then(step("{platform:Platform} refunded {amount:Won} to {buyer:Name} once"))
def refunded_once(story: Story, platform: str, amount: int, buyer: str) -> None:
    payment = story.platform_payment(buyer)
    assert (payment["refunds"], payment["refunded_amount"]) == (1, amount), payment


@then(step("{platform:Platform} refunded nothing to {buyer:Name}"))
def refunded_nothing(story: Story, platform: str, buyer: str) -> None:
    payment = story.platform_payment(buyer)
    assert (payment["refunds"], payment["refunded_amount"]) == (0, 0), payment


# --- the matcher and the groups ------------------------------------------------------------


@given(step("the matcher formed group {group:d} of {buyers:Names}"))
def matcher_formed(story: Story, group: int, buyers: list[str]) -> None:
    settled(story.shop.match(group, story.order_ids(buyers)))


@given(step("{buyers:Names} confirmed their purchases"))
def confirmed_purchases(story: Story, buyers: list[str]) -> None:
    for buyer in buyers:
        settled(story.shop.confirm(story.order_of(buyer).id))


@when(step("group {group:d} expires"), target_fixture="answer")
@when(step("group {group:d} expires again"), target_fixture="answer")
def group_expires(story: Story, group: int) -> httpx.Response:
    return story.shop.expire(group)


@when(step("{buyer:Name} confirms the purchase"), target_fixture="answer")
def confirms(story: Story, buyer: str) -> httpx.Response:
    return story.shop.confirm(story.order_of(buyer).id)


@then(step("group {group:d} is ready for settlement with {members:d} members"))
def ready_for_settlement(story: Story, group: int, members: int) -> None:
    assert settlement_status(story, group, members) is True


@given(step("group {group:d} is not ready for settlement with {members:d} members"))
@then(step("group {group:d} is not ready for settlement with {members:d} members"))
def not_ready_for_settlement(story: Story, group: int, members: int) -> None:
    assert settlement_status(story, group, members) is False


def settlement_status(story: Story, group: int, members: int) -> bool:
    response = story.shop.client.get(
        "/api/v1/transaction/status/group", params={"groupId": group, "numberOfMember": members}
    )
    return bool(settled(response)["data"])


@given(step("{buyer:Name} cancelled on {platform:Platform}'s page"), target_fixture="answer")
@when(step("{buyer:Name} cancels on {platform:Platform}'s page"), target_fixture="answer")
def cancels_on_the_page(story: Story, buyer: str, platform: str) -> httpx.Response:
    placed = story.order_of(buyer)
    return story.shop.come_back(story.shop.press(placed.pay_type, placed.data, "cancel"))


@then(step("{buyer:Name} is told the order is {state:State}"))
def told(answer: httpx.Response, buyer: str, state: str) -> None:
    assert settled(answer)["data"]["state"] == state, answer.text


@then(step("the shop reports group {group:d} expired and the orders of {buyers:Names} refunded"))
def reports_refunded(story: Story, answer: httpx.Response, group: int, buyers: list[str]) -> None:
    data = settled(answer)["data"]
    assert (data["groupId"], data["state"]) == (group, "EXPIRED"), data
    assert data["refundedOrderIds"] == sorted(story.order_ids(buyers)), data
    assert data["refundPendingOrderIds"] == [], data

"""Ordering and paying, and payments that do not go through."""

from __future__ import annotations

import httpx
from pytest_bdd import scenarios, then, when

from tests.bdd.conftest import PLATFORMS, Story, settled, step

scenarios("ordering/paying.feature", "ordering/failure_and_cancellation.feature")


@when(
    step(
        '{buyer:Name} orders {quantity:d} of "{product:Text}" with the option "{option:Text}" '
        "to pay with {platform:Platform}"
    ),
    target_fixture="answer",
)
def orders_with_option(
    story: Story, buyer: str, quantity: int, product: str, option: str, platform: str
) -> httpx.Response:
    return story.place(buyer, product, platform, quantity=quantity, option=option)


@when(
    step('{buyer:Name} orders {quantity:d} of "{product:Text}" to pay with {platform:Platform}'),
    target_fixture="answer",
)
def orders(story: Story, buyer: str, quantity: int, product: str, platform: str) -> httpx.Response:
    return story.place(buyer, product, platform, quantity=quantity)


@when(
    step(
        "{buyer:Name} orders 1 of a product the shop does not sell to pay with {platform:Platform}"
    ),
    target_fixture="answer",
)
def orders_unknown_product(story: Story, buyer: str, platform: str) -> httpx.Response:
    pay_type, prefix = PLATFORMS[platform]
    story.payments_before[prefix] = len(story.shop.platform_payments(prefix))
    unknown = max((p["id"] for p in story.products.values()), default=0) + 1000
    return story.shop.order(story.buyer(buyer), unknown, pay_type)


@when(
    step("{buyer:Name}'s browser comes back from {platform:Platform} a second time"),
    target_fixture="answer",
)
def comes_back_again(story: Story, buyer: str, platform: str) -> httpx.Response:
    location = story.order_of(buyer).return_location
    assert location, f"{buyer} has not been on {platform}'s page"
    return story.shop.come_back(location)


@when(step("{buyer:Name}'s payment fails on {platform:Platform}'s page"), target_fixture="answer")
def payment_fails(story: Story, buyer: str, platform: str) -> httpx.Response:
    placed = story.order_of(buyer)
    return story.shop.come_back(story.shop.press(placed.pay_type, placed.data, "fail"))


@when(
    step("a cancel notice for {buyer:Name}'s order arrives from KakaoPay"), target_fixture="answer"
)
def cancel_notice(story: Story, buyer: str) -> httpx.Response:
    transaction_id = story.order_of(buyer).data["transactionId"]
    return story.shop.come_back(f"/api/v1/transaction/kakaoPay/cancel/{transaction_id}")


@then(step("{buyer:Name} owes {amount:Won}"))
def owes(answer: httpx.Response, buyer: str, amount: int) -> None:
    assert settled(answer)["data"]["order"]["transAmount"] == amount, answer.text


@then("the order is refused as invalid")
def refused_as_invalid(answer: httpx.Response) -> None:
    assert answer.status_code in (400, 422), answer.text
    assert answer.json()["statusCode"] == answer.status_code


@then("the order is refused because the product does not exist")
def refused_unknown_product(answer: httpx.Response) -> None:
    settled(answer, 404)


@then(step("{buyer:Name} has no orders"))
def has_no_orders(story: Story, buyer: str) -> None:
    assert story.shop.orders_of(story.buyer(buyer)) == []


@then(step("{platform:Platform} was not asked to take a payment"))
def no_platform_payment(story: Story, platform: str) -> None:
    prefix = PLATFORMS[platform][1]
    assert len(story.shop.platform_payments(prefix)) == story.payments_before[prefix]


@then(step("{platform:Platform} approved nothing for {buyer:Name}"))
def approved_nothing(story: Story, platform: str, buyer: str) -> None:
    payment = story.platform_payment(buyer)
    assert payment["approvals"] == 0, payment

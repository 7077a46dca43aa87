"""Forming groups, their expiry with refunds, and purchase confirmation up to settlement."""

from __future__ import annotations

import httpx
from pytest_bdd import given, scenarios, then, when

from tests.bdd.conftest import PLATFORMS, Story, settled, step

scenarios("groups/matching.feature", "groups/expiry.feature", "groups/confirmation.feature")


@when(step("the matcher forms group {group:d} of {buyers:Names}"), target_fixture="answer")
@when(step("the matcher forms group {group:d} of {buyers:Names} again"), target_fixture="answer")
def matcher_forms(story: Story, group: int, buyers: list[str]) -> httpx.Response:
    return story.shop.match(group, story.order_ids(buyers))


@when(
    step("the matcher forms group {group:d} of {buyer:Name} and order {order_id:d}"),
    target_fixture="answer",
)
def matcher_forms_with_unknown(
    story: Story, group: int, buyer: str, order_id: int
) -> httpx.Response:
    return story.shop.match(group, [story.order_of(buyer).id, order_id])


@then(step("group {group:d} is formed with {members:d} members"))
def group_formed(answer: httpx.Response, group: int, members: int) -> None:
    data = settled(answer)["data"]
    assert (data["groupId"], data["size"], data["state"]) == (group, members, "MATCHED"), data


@then(step("the orders of {buyers:Names} are matched in group {group:d}"))
def matched_in(story: Story, buyers: list[str], group: int) -> None:
    for buyer in buyers:
        [order] = [
            o
            for o in story.shop.orders_of(story.buyer(buyer))
            if o["id"] == story.order_of(buyer).id
        ]
        assert (order["state"], order["groupId"]) == ("MATCHED", group), order


@then(step("the group is refused, naming the order of {buyer:Name}"))
def refused_naming(story: Story, answer: httpx.Response, buyer: str) -> None:
    refused_naming_all(story, answer, [buyer])


@then(step("the group is refused, naming the orders of {buyers:Names}"))
def refused_naming_all(story: Story, answer: httpx.Response, buyers: list[str]) -> None:
    expected = sorted(story.order_ids(buyers))
    assert settled(answer, 409)["data"]["orderIds"] == expected, answer.text


@then(step("the group is refused, naming order {order_id:d}"))
def refused_naming_id(answer: httpx.Response, order_id: int) -> None:
    assert settled(answer, 409)["data"]["orderIds"] == [order_id], answer.text


@then(step("the group is refused because group {group:d} already exists with other orders"))
def refused_known_group(answer: httpx.Response, group: int) -> None:
    message = settled(answer, 409)["statusMsg"]
    assert f"group {group}" in message and "other orders" in message, message


@given(step("{platform:Platform} will refuse the next refund"))
def refuses_next_refund(story: Story, platform: str) -> None:
    story.shop.arm(PLATFORMS[platform][1], "cancel", "error", status=400, times=1)


@given(step("group {group:d} has expired"))
def has_expired(story: Story, group: int) -> None:
    settled(story.shop.expire(group))


@given(step("group {group:d} has expired with a refund still pending"))
def has_expired_pending(story: Story, group: int) -> None:
    assert settled(story.shop.expire(group), 502)["data"]["refundPendingOrderIds"]


@then(
    step(
        "the shop reports group {group:d} expired with {count:d} refund still pending "
        "with the platform"
    )
)
def reports_pending(answer: httpx.Response, group: int, count: int) -> None:
    body = settled(answer, 502)
    data = body["data"]
    assert (data["groupId"], data["state"]) == (group, "EXPIRED"), data
    assert len(data["refundPendingOrderIds"]) == count, data
    assert set(data["refundErrors"]) == {str(i) for i in data["refundPendingOrderIds"]}, data
    assert "pending" in body["statusMsg"], body


@then(step("the order whose refund is pending is {state:State}"))
def pending_order_is(story: Story, answer: httpx.Response, state: str) -> None:
    for order_id in answer.json()["data"]["refundPendingOrderIds"]:
        buyer = _buyer_of(story, order_id)
        assert story.shop.state_of(story.buyer(buyer), order_id) == state


@then(step("the other member's order is {state:State}"))
def other_order_is(story: Story, answer: httpx.Response, state: str) -> None:
    data = answer.json()["data"]
    assert len(data["refundedOrderIds"]) == 1, data
    for order_id in data["refundedOrderIds"]:
        assert story.shop.state_of(story.buyer(_buyer_of(story, order_id)), order_id) == state


@then("the expiry is refused")
@then("the confirmation is refused")
def refused(answer: httpx.Response) -> None:
    settled(answer, 409)


def _buyer_of(story: Story, order_id: int) -> str:
    return next(name for name, orders in story.orders.items() if orders[-1].id == order_id)

"""A buyer withdraws a paid order before grouping (order/cancel)."""

from __future__ import annotations

import httpx
from pytest_bdd import given, scenarios, then, when

from tests.bdd.conftest import PLATFORMS, Story, settled, step

scenarios("ordering/withdrawal.feature")


@when(step("{buyer:Name} withdraws the order"), target_fixture="answer")
@given(step("{buyer:Name} withdrew the order"), target_fixture="answer")
def withdraws(story: Story, buyer: str) -> httpx.Response:
    return story.shop.client.post(
        "/api/v1/order/cancel", params={"orderId": story.order_of(buyer).id}
    )


@given(step("{platform:Platform} will refuse the next refund of a withdrawal"))
def refuses_next_refund(story: Story, platform: str) -> None:
    story.shop.arm(PLATFORMS[platform][1], "cancel", "error", status=400, times=1)


@then(step("the shop reports {buyer:Name}'s order refunded"))
def reports_refunded(story: Story, answer: httpx.Response, buyer: str) -> None:
    data = settled(answer)["data"]
    assert (data["orderId"], data["state"]) == (story.order_of(buyer).id, "REFUNDED"), data


@then(step("the shop reports that {buyer:Name}'s refund is still pending with the platform"))
def reports_pending(story: Story, answer: httpx.Response, buyer: str) -> None:
    data = settled(answer, 502)["data"]
    assert (data["orderId"], data["state"]) == (story.order_of(buyer).id, "REFUND_PENDING")
    assert data["refundError"], data


@then(step("the withdrawal is refused because the order is in group {group:d}"))
def refused_grouped(answer: httpx.Response, group: int) -> None:
    assert f"in group {group}" in settled(answer, 409)["statusMsg"]


@then(step("the withdrawal is refused because the order is not paid yet"))
def refused_unpaid(answer: httpx.Response) -> None:
    assert "not paid yet" in settled(answer, 409)["statusMsg"]

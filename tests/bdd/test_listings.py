"""A buyer's orders and a product's buyers."""

from __future__ import annotations

from parse import with_pattern
from pytest_bdd import given, parsers, scenarios, then

from tests.bdd.conftest import TYPES, Story, settled, step

scenarios("listings.feature")


@with_pattern(r'"[^"]+"(?:, "[^"]+")*')
def _quoted_list(text: str) -> list[str]:
    """'"A", "B"' -> ['A', 'B']."""
    return [item.strip().strip('"') for item in text.split(",")]


@then(
    parsers.parse(
        "{buyer:Name}'s orders are listed as {products:QuotedList}",
        extra_types=TYPES | {"QuotedList": _quoted_list},
    )
)
def orders_listed(story: Story, buyer: str, products: list[str]) -> None:
    name_of = {item["id"]: name for name, item in story.products.items()}
    listed = [name_of[o["productId"]] for o in story.shop.orders_of(story.buyer(buyer))]
    assert listed == products


@given(step('the buyers of "{product:Text}" are {buyers:Names}'))
@then(step('the buyers of "{product:Text}" are {buyers:Names}'))
def buyers_of(story: Story, product: str, buyers: list[str]) -> None:
    response = story.shop.client.get(
        "/api/v1/user/list/product", params={"productId": story.products[product]["id"]}
    )
    listed = sorted(u["id"] for u in settled(response)["data"])
    assert listed == sorted(story.buyer(b) for b in buyers), response.text

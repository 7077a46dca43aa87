"""A reviewer's attack on `Idempotency-Key`: a careless client that sends the header empty.

An empty `Idempotency-Key:` (a template whose variable is unset) used to be a key like any
other — the same empty key for every order of a user: the second order of the same body was
a replay of the first (no new order, the first order's checkout handed out again) and any
other order was 422. An empty or blank key is a client error, refused before anything is
placed."""

from __future__ import annotations

import pytest

from tests.e2e.shop import Shop


@pytest.mark.parametrize("key", ["", "   "])
def test_an_empty_idempotency_key_is_400_and_places_nothing(shop: Shop, key: str) -> None:
    user, product = shop.user(), shop.product()

    first = shop.order(user, product["id"], "KAKAO_PAY", headers={"Idempotency-Key": key})

    assert first.status_code == 400, first.text
    assert first.json()["statusCode"] == 400
    assert "Idempotency-Key" in first.json()["statusMsg"]
    assert shop.orders_of(user) == []


def test_two_orders_without_a_key_are_two_orders(shop: Shop) -> None:
    user, product = shop.user(), shop.product()

    first = shop.placed(user, product["id"], "KAKAO_PAY")
    second = shop.placed(user, product["id"], "KAKAO_PAY")

    assert first["orderId"] != second["orderId"]

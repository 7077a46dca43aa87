"""The console's actions are POST-only, confirmed, bound to a per-form token and to this
origin; in jwt mode the console needs the service credential (header or sign-in cookie)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar.testing import TestClient

from adapters.config import Settings
from bootstrap import build_container, create_app
from tests.e2e.shop import Shop
from tests.support.html_forms import forms_of
from tests.support.tokens import token

SECRET = "ops-console-test-secret-long-enough-for-hs256"
SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def stuck_refund(shop: Shop) -> tuple[int, list[str]]:
    """Two paid KakaoPay orders whose refunds failed (the fault is cleared again); returns the
    first order's id and both payments' tids."""
    product = shop.product(price=4_000)
    orders, tids = [], []
    for name in ("a", "b"):
        data = shop.placed(shop.user(name), product["id"], min_share=2)
        assert shop.pay("KAKAO_PAY", data).json()["data"]["state"] == "PAID"
        orders.append(int(data["orderId"]))
        tids.append(str(data["tid"]))
    assert shop.match(9, orders).status_code == 200
    shop.arm("kakaopay", "cancel", "error", times=2, status=400)
    assert shop.expire(9).status_code == 502
    shop.sandbox.delete("/kakaopay/__sandbox__/faults")
    return orders[0], tids


def refunds_at_kakaopay(shop: Shop, tids: list[str]) -> list[int]:
    by_tid = {p["tid"]: p for p in shop.platform_payments("kakaopay")}
    return [int(by_tid[tid]["refunds"]) for tid in tids]


def retry_form(html: str, order_id: int) -> dict[str, str]:
    [form] = [
        f
        for f in forms_of(html)
        if f.action == "/ops/confirm" and f.fields.get("orderId") == str(order_id)
    ]
    assert form.fields["action"] == "refund"
    return dict(form.fields)


@SQLITE_ONLY
def test_retrying_a_refund_asks_for_confirmation_then_refunds_once(shop: Shop) -> None:
    order_id, tids = stuck_refund(shop)
    console = shop.client.get("/ops/")
    assert console.status_code == 200
    assert console.headers["content-type"].startswith("text/html")
    fields = retry_form(console.text, order_id)

    confirm = shop.client.post("/ops/confirm", data=fields)
    assert confirm.status_code == 200
    assert "Retry this refund now?" in confirm.text
    assert refunds_at_kakaopay(shop, tids) == [0, 0]  # nothing ran yet
    [yes] = [f for f in forms_of(confirm.text) if f.action == "/ops/run"]
    done = shop.client.post("/ops/run", data=yes.fields)
    again = shop.client.post("/ops/run", data=yes.fields)  # a double click

    assert done.status_code == 200 and "Done — the platform confirmed the refund" in done.text, (
        done.text
    )
    assert "Done — the platform confirmed the refund" in again.text
    assert refunds_at_kakaopay(shop, tids) == [1, 0]  # once, and only the one chosen
    assert f"#{order_id}<" not in shop.client.get("/ops/").text


@SQLITE_ONLY
def test_actions_refuse_forged_tokens_other_origins_and_get(shop: Shop) -> None:
    order_id, tids = stuck_refund(shop)
    fields = retry_form(shop.client.get("/ops/").text, order_id)
    yes = {**fields, "confirm": "yes"}

    forged = shop.client.post("/ops/run", data={**yes, "token": "0" * 64})
    other_order = shop.client.post("/ops/run", data={**yes, "orderId": str(order_id + 1)})
    cross_site = shop.client.post("/ops/run", data=yes, headers={"origin": "https://evil.test"})
    unconfirmed = shop.client.post("/ops/run", data=fields)
    by_get = shop.client.get("/ops/run", params=yes)
    bad_id = shop.client.post("/ops/run", data={**yes, "orderId": "1 OR 1=1"})

    assert [r.status_code for r in (forged, other_order, cross_site)] == [403, 403, 403]
    assert unconfirmed.status_code == 400 and bad_id.status_code == 400
    assert by_get.status_code == 405
    assert refunds_at_kakaopay(shop, tids) == [0, 0]


@SQLITE_ONLY
def test_reconciling_a_waiting_payment_asks_its_platform(shop: Shop) -> None:
    data = shop.placed(shop.user(), shop.product()["id"])
    shop.arm("kakaopay", "approve", "no_answer")  # KakaoPay approves, its answer is lost
    assert shop.pay("KAKAO_PAY", data).status_code == 504
    [form] = [f for f in forms_of(shop.client.get("/ops/").text) if f.action == "/ops/confirm"]
    assert form.fields["action"] == "reconcile"

    done = shop.client.post("/ops/run", data={**form.fields, "confirm": "yes"})

    assert "Done — the platform reports the payment approved" in done.text, done.text
    assert shop.state_of(int(data["order"]["userId"]), int(data["orderId"])) == "PAID"


@SQLITE_ONLY
def test_in_jwt_mode_the_console_needs_the_service_credential(settings: Settings) -> None:
    jwt_settings = settings.model_copy(update={"auth_mode": "jwt", "jwt_secret": SECRET})
    service = token(SECRET, sub="ops", role="service")
    user = token(SECRET, sub="1")
    with TestClient(create_app(build_container(jwt_settings))) as client:
        anonymous = client.get("/ops/")
        as_user = client.get("/ops/", headers={"authorization": f"Bearer {user}"})
        run = client.post("/ops/run", data={"action": "refund", "orderId": "1", "token": "x"})
        assert anonymous.status_code == 401 and "sign in" in anonymous.text
        assert as_user.status_code == 401
        assert run.status_code == 401
        assert client.post("/ops/login", data={"token": user}).status_code == 401

        signed_in = client.post("/ops/login", data={"token": service}, follow_redirects=False)
        assert signed_in.status_code == 303
        cookie: Any = signed_in.headers["set-cookie"]
        assert re.search(r"httponly", cookie, re.I) and re.search(r"samesite=strict", cookie, re.I)
        assert client.get("/ops/").status_code == 200
        assert "gonggu operator console" in client.get("/ops/").text

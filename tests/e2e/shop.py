"""Drives the service the way its clients do: the shop front end, the buyer's browser on the
platform's page (the emulator's), the matcher."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import httpx
from litestar.testing import TestClient

from tests.support.html_forms import forms_of

CHECKOUT_PAGES = {
    "NAVER_PAY": "/naverpay/sdk/checkout",
    "TOSS_PAYMENTS": "/tosspayments/widget/checkout",
}


class Shop:
    def __init__(self, client: TestClient, sandbox: httpx.Client, sandbox_url: str) -> None:
        self.client, self.sandbox, self.sandbox_url = client, sandbox, sandbox_url

    def user(self, name: str = "buyer") -> int:
        response = self.client.post("/api/v1/user", json={"name": name})
        assert response.status_code == 201, response.text
        return int(response.json()["data"]["id"])

    def product(
        self, price: int = 30_000, options: list[dict[str, Any]] | None = None
    ) -> dict[str, Any]:
        body = {"name": "제주 감귤 5kg", "price": price, "options": options or []}
        response = self.client.post("/api/v1/product", json=body)
        assert response.status_code == 201, response.text
        return dict(response.json()["data"])

    def open_banking_account(self, balance: int = 1_000_000) -> dict[str, str]:
        response = self.sandbox.post("/openbanking/__sandbox__/accounts", json={"balance": balance})
        response.raise_for_status()
        body = response.json()
        return {"fintechUseNum": body["fintechUseNum"], "accessToken": body["accessToken"]}

    def order(
        self,
        user_id: int,
        product_id: int,
        pay_type: str = "KAKAO_PAY",
        *,
        option_id: int = 0,
        quantity: int = 1,
        min_share: int = 2,
        max_share: int = 0,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        body: dict[str, Any] = {
            "userId": user_id,
            "productId": product_id,
            "productOptionId": option_id,
            "minShare": min_share,
            "maxShare": max_share,
            "quantity": quantity,
        }
        if pay_type in ("OPEN_BANKING", "OPEN_BANK"):
            body["transaction"] = self.open_banking_account()
        return self.client.post(
            "/api/v1/order/execute", params={"payType": pay_type}, json=body, headers=headers
        )

    def placed(
        self, user_id: int, product_id: int, pay_type: str = "KAKAO_PAY", **kw: Any
    ) -> dict[str, Any]:
        response = self.order(user_id, product_id, pay_type, **kw)
        assert response.status_code == 200, response.text
        return dict(response.json()["data"])

    def press(self, pay_type: str, data: dict[str, Any], button: str) -> str:
        """The buyer presses `button` on the platform's page; returns where they are sent."""
        if pay_type == "KAKAO_PAY":
            page_url = str(data["next_redirect_pc_url"])
        else:
            page_url = f"{self.sandbox_url}{CHECKOUT_PAGES[pay_type]}?{urlencode(data['payment'])}"
        page = self.sandbox.get(page_url)
        page.raise_for_status()
        forms = forms_of(page.text)
        chosen = [f for f in forms if re.search(rf"\b{button}\b", f.action, re.IGNORECASE)]
        assert chosen, f"no {button} button among {[f.action for f in forms]} on {page_url}"
        pressed = self.sandbox.post(urljoin(page_url, chosen[0].action), data=chosen[0].fields)
        assert pressed.status_code in (302, 303), pressed.text
        return str(pressed.headers["location"])

    def come_back(self, location: str, **headers: str) -> httpx.Response:
        """The browser follows the platform's redirect back to the service."""
        parts = urlsplit(location)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        return self.client.get(path, headers={"accept": "application/json", **headers})

    def pay(self, pay_type: str, data: dict[str, Any]) -> httpx.Response:
        return self.come_back(self.press(pay_type, data, "pay"))

    def paid_order(
        self, user_id: int, product_id: int, pay_type: str = "KAKAO_PAY", **kw: Any
    ) -> int:
        data = self.placed(user_id, product_id, pay_type, **kw)
        if pay_type not in ("OPEN_BANKING", "OPEN_BANK"):
            response = self.pay(pay_type, data)
            assert response.status_code == 200, response.text
            assert response.json()["data"]["state"] == "PAID", response.text
        return int(data["orderId"])

    def orders_of(self, user_id: int) -> list[dict[str, Any]]:
        response = self.client.get("/api/v1/order/list/user", params={"userId": user_id})
        assert response.status_code == 200, response.text
        return list(response.json()["data"])

    def state_of(self, user_id: int, order_id: int) -> str:
        return next(o["state"] for o in self.orders_of(user_id) if o["id"] == order_id)

    def match(self, group_id: int, order_ids: list[int]) -> httpx.Response:
        return self.client.post(
            "/api/v1/group/matched", json={"groupId": group_id, "orderIdList": order_ids}
        )

    def expire(self, group_id: int) -> httpx.Response:
        return self.client.get("/api/v1/group/expired", params={"groupId": group_id})

    def confirm(self, order_id: int) -> httpx.Response:
        return self.client.get("/api/v1/order/confirm", params={"orderId": order_id})

    def platform_payments(self, prefix: str) -> list[dict[str, Any]]:
        response = self.sandbox.get(f"/{prefix}/__sandbox__/payments")
        response.raise_for_status()
        return list(response.json()["payments"])

    def arm(self, prefix: str, operation: str, kind: str, **extra: Any) -> None:
        response = self.sandbox.post(
            f"/{prefix}/__sandbox__/faults", json={"operation": operation, "kind": kind, **extra}
        )
        response.raise_for_status()

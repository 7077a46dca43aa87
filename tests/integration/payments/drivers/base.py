"""How a contract test plays the buyer on one platform's sandbox.

Each platform provides one driver (drivers/<platform>.py) registered in DRIVERS; the contract
suite (test_gateway_contract.py) runs the same scenarios against every driver, with the adapter
talking to the emulator over real HTTP.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import httpx

from domain.pay_type import PayType
from domain.ports.payment_gateway import Checkout, CheckoutRequest, PaymentGateway


class PlatformDriver(Protocol):
    pay_type: PayType
    prefix: str
    """The emulator's path under the sandbox root, e.g. "kakaopay"."""

    def build_gateway(self, base_url: str, http: httpx.AsyncClient) -> PaymentGateway:
        """The production adapter, configured with the sandbox credentials and `base_url`."""
        ...

    async def payer(self, sandbox: httpx.AsyncClient, base_url: str) -> dict[str, str]:
        """Payer data for `execute`'s `transaction` (Open Banking enrols an account), else {}."""
        ...

    async def buyer_pays(
        self, sandbox: httpx.AsyncClient, request: CheckoutRequest, checkout: Checkout
    ) -> Mapping[str, str] | None:
        """Plays the buyer pressing Pay on the platform's page; returns the query the browser
        brings back to the approval URL, or None when the payment was synchronous."""
        ...

    async def buyer_cancels(
        self, sandbox: httpx.AsyncClient, request: CheckoutRequest, checkout: Checkout
    ) -> Mapping[str, str] | None:
        """Plays the buyer quitting on the payment page; returns the query sent back to the
        cancel URL, or None when the platform has no such step (synchronous platforms)."""
        ...


class PagePressingDriver:
    """A browser-based platform: the buyer acts by pressing a button on the platform's page."""

    async def press(
        self, sandbox: httpx.AsyncClient, checkout: Checkout, button: str
    ) -> dict[str, str]:
        """Presses `button` on the page; returns the query the browser brings back."""
        raise NotImplementedError

    async def payer(self, sandbox: httpx.AsyncClient, base_url: str) -> dict[str, str]:
        return {}

    async def buyer_pays(
        self, sandbox: httpx.AsyncClient, request: CheckoutRequest, checkout: Checkout
    ) -> Mapping[str, str] | None:
        return await self.press(sandbox, checkout, "pay")

    async def buyer_cancels(
        self, sandbox: httpx.AsyncClient, request: CheckoutRequest, checkout: Checkout
    ) -> Mapping[str, str] | None:
        return await self.press(sandbox, checkout, "cancel")

    async def buyer_fails(
        self, sandbox: httpx.AsyncClient, request: CheckoutRequest, checkout: Checkout
    ) -> Mapping[str, str] | None:
        return await self.press(sandbox, checkout, "fail")

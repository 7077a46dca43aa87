"""Plays the NaverPay buyer: opens the sandbox payment window with the SDK parameters and
presses one of its buttons, as a browser would."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urljoin, urlsplit

import httpx

from adapters.config import Settings
from adapters.outbound.payments.naverpay import NaverPayConfig, NaverPayGateway
from domain.pay_type import PayType
from domain.ports.payment_gateway import Checkout, PaymentGateway
from tests.integration.payments.drivers.base import PagePressingDriver


class NaverPayDriver(PagePressingDriver):
    pay_type = PayType.NAVER_PAY
    prefix = "naverpay"
    approve_operation = "apply"
    refund_operation = "cancel"

    def __init__(self) -> None:
        self._base_url = ""

    def build_gateway(self, base_url: str, http: httpx.AsyncClient) -> PaymentGateway:
        """`base_url` is the emulator's root, `{sandbox}/naverpay`."""
        self._base_url = base_url.rstrip("/")
        settings = Settings(payments_mode="sandbox", sandbox_url="http://127.0.0.1:1")
        config = NaverPayConfig(
            base_url=self._base_url,
            partner_id=settings.naverpay.partner_id or "",
            client_id=settings.naverpay.client_id or "",
            client_secret=settings.naverpay.client_secret or "",
            chain_id=settings.naverpay.chain_id or "",
            timeout_s=1.0,
            apply_timeout_s=1.0,
            cancel_retry_delays_s=(0.05, 0.1),
        )
        return NaverPayGateway(config, http)

    async def press(
        self, sandbox: httpx.AsyncClient, checkout: Checkout, button: str
    ) -> dict[str, str]:
        """Opens the window of the emulator the gateway was built for and presses `button`;
        returns the query NaverPay appends to `returnUrl`."""
        query = {key: str(value) for key, value in checkout.client_data.items()}
        page = await sandbox.get(f"{self._base_url}/sdk/checkout", params=query)
        page.raise_for_status()
        actions = re.findall(r'<form method="post" action="([^"]+)"', page.text)
        action = next(a for a in actions if a.endswith(f"/{button}"))
        answer = await sandbox.post(urljoin(str(page.url), action), follow_redirects=False)
        assert answer.status_code == 303, answer.text
        return dict(parse_qsl(urlsplit(answer.headers["location"]).query))

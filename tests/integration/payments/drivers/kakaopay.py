"""Plays the KakaoPay buyer: opens the payment page and presses one of its buttons."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urljoin, urlsplit

import httpx

from adapters.config import Settings
from adapters.outbound.payments.kakaopay import KakaoPayConfig, KakaoPayGateway
from domain.pay_type import PayType
from domain.ports.payment_gateway import Checkout, PaymentGateway
from tests.integration.payments.drivers.base import PagePressingDriver


class KakaoPayDriver(PagePressingDriver):
    pay_type = PayType.KAKAO_PAY
    prefix = "kakaopay"
    approve_operation = "approve"
    refund_operation = "cancel"

    def build_gateway(self, base_url: str, http: httpx.AsyncClient) -> PaymentGateway:
        settings = Settings(payments_mode="sandbox", sandbox_url="http://127.0.0.1:1")
        config = KakaoPayConfig(
            base_url=base_url,
            secret_key=settings.kakaopay.secret_key or "",
            cid=settings.kakaopay.cid,
            timeout_s=1.0,
        )
        return KakaoPayGateway(config, http)

    async def press(
        self, sandbox: httpx.AsyncClient, checkout: Checkout, action: str
    ) -> dict[str, str]:
        """Submits the page's form for `action`; returns the query of the 303's Location."""
        page_url = str(checkout.client_data["next_redirect_pc_url"])
        page = await sandbox.get(page_url)
        page.raise_for_status()
        match = re.search(rf'<form method="post" action="([^"]*/{action})"', page.text)
        assert match, f"no {action} button on {page_url}"
        pressed = await sandbox.post(urljoin(page_url, match.group(1)), follow_redirects=False)
        assert pressed.status_code == 303, pressed.text
        return dict(parse_qsl(urlsplit(pressed.headers["location"]).query))

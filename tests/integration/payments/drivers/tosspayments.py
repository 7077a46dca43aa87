"""Plays the buyer on the Toss Payments sandbox's widget page."""

from __future__ import annotations

from collections.abc import Mapping
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

import httpx

from adapters.config import Settings
from adapters.outbound.payments.tosspayments import TossPaymentsConfig, TossPaymentsGateway
from domain.pay_type import PayType
from domain.ports.payment_gateway import Checkout, PaymentGateway
from tests.integration.payments.drivers.base import PagePressingDriver

PREFIX = "tosspayments"
WIDGET_FIELDS = (
    "clientKey",
    "orderId",
    "amount",
    "orderName",
    "customerKey",
    "successUrl",
    "failUrl",
)


class _Forms(HTMLParser):
    """The page's forms: action -> hidden fields."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, dict[str, str]] = {}
        self._current: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._current = self.forms.setdefault(named.get("action", ""), {})
        elif tag == "input" and self._current is not None and "name" in named:
            self._current[named["name"]] = named.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def platform_base(base_url: str) -> str:
    """The emulator's base URL, given the sandbox root (or the emulator's own URL)."""
    root = base_url.rstrip("/")
    return root if root.endswith(f"/{PREFIX}") else f"{root}/{PREFIX}"


def query_of(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


class TossPaymentsDriver(PagePressingDriver):
    pay_type = PayType.TOSS_PAYMENTS
    prefix = PREFIX
    approve_operation = "confirm"
    refund_operation = "cancel"

    def build_gateway(self, base_url: str, http: httpx.AsyncClient) -> PaymentGateway:
        base = platform_base(base_url)
        settings = Settings(payments_mode="sandbox", sandbox_url=base.removesuffix(f"/{PREFIX}"))
        config = TossPaymentsConfig(
            base_url=base,
            secret_key=settings.tosspayments.secret_key or "",
            client_key=settings.tosspayments.client_key or "",
            timeout_s=1.0,
            checkout_page_url=f"{base}/widget/checkout",
        )
        return TossPaymentsGateway(config, http)

    async def press(
        self,
        sandbox: httpx.AsyncClient,
        checkout: Checkout,
        button: str,
        extra: Mapping[str, str] | None = None,
    ) -> dict[str, str]:
        """Opens the widget page with `checkout`'s parameters, presses a button and returns
        the query the browser is sent back with."""
        data = checkout.client_data
        page_url = str(data.get("checkoutPageUrl") or f"/{PREFIX}/widget/checkout")
        params = {k: str(data[k]) for k in WIDGET_FIELDS if k in data}
        page = await sandbox.get(page_url.split("?")[0], params=params)
        assert page.status_code == 200, page.text
        parser = _Forms()
        parser.feed(page.text)
        action = next(a for a in parser.forms if a.endswith(f"/{button}"))
        answer = await sandbox.post(
            urljoin(str(page.url), action),
            data={**parser.forms[action], **(extra or {})},
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text
        return query_of(answer.headers["location"])

"""Plays the payer on the Open Banking sandbox: enrols an account, then nothing to press."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from adapters.config import Settings
from adapters.outbound.payments.openbanking import OpenBankingConfig, OpenBankingGateway
from domain.pay_type import PayType
from domain.ports.payment_gateway import Checkout, CheckoutRequest, PaymentGateway


def openbanking_config(base_url: str, timeout_s: float = 1.0) -> OpenBankingConfig:
    """The adapter's configuration with the sandbox credentials from the settings' defaults."""
    settings = Settings(payments_mode="sandbox", sandbox_url="http://127.0.0.1:1")
    return OpenBankingConfig(
        base_url=base_url,
        client_id=settings.openbanking.client_id or "",
        client_secret=settings.openbanking.client_secret or "",
        institution_code=settings.openbanking.institution_code or "",
        contract_account_num=settings.openbanking.contract_account_num or "",
        recv_client_name=settings.openbanking.recv_client_name or "",
        recv_client_bank_code=settings.openbanking.recv_client_bank_code or "",
        recv_client_account_num=settings.openbanking.recv_client_account_num or "",
        wd_pass_phrase=settings.openbanking.wd_pass_phrase or "",
        timeout_s=timeout_s,
    )


class OpenBankingDriver:
    pay_type = PayType.OPEN_BANKING
    prefix = "openbanking"
    approve_operation = "withdraw"
    refund_operation = "deposit"

    def build_gateway(self, base_url: str, http: httpx.AsyncClient) -> PaymentGateway:
        return OpenBankingGateway(openbanking_config(base_url), http)

    async def payer(self, sandbox: httpx.AsyncClient, base_url: str) -> dict[str, str]:
        """Enrols a fresh payer account with plenty of money (the sign-up stand-in)."""
        response = await sandbox.post(
            f"{base_url}/__sandbox__/accounts", json={"balance": 10_000_000}
        )
        response.raise_for_status()
        account = response.json()
        return {"fintechUseNum": account["fintechUseNum"], "accessToken": account["accessToken"]}

    async def buyer_pays(
        self, sandbox: httpx.AsyncClient, request: CheckoutRequest, checkout: Checkout
    ) -> Mapping[str, str] | None:
        """Nothing to do: the withdrawal at checkout already took the money."""
        return None

    async def buyer_cancels(
        self, sandbox: httpx.AsyncClient, request: CheckoutRequest, checkout: Checkout
    ) -> Mapping[str, str] | None:
        """Open Banking has no payment page to quit."""
        return None

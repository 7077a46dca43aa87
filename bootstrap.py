"""The composition root: the only module that knows every concrete class."""

from __future__ import annotations

from adapters.config import Settings
from sandbox.config import SandboxConfig


def sandbox_config(settings: Settings) -> SandboxConfig:
    """The emulators accept exactly the credentials the adapters are configured with."""
    return SandboxConfig(
        kakaopay_secret_key=settings.kakaopay_secret_key or "",
        naverpay_partner_id=settings.naverpay_partner_id or "",
        naverpay_client_id=settings.naverpay_client_id or "",
        naverpay_client_secret=settings.naverpay_client_secret or "",
        naverpay_chain_id=settings.naverpay_chain_id or "",
        openbanking_client_id=settings.openbanking_client_id or "",
        openbanking_client_secret=settings.openbanking_client_secret or "",
        openbanking_institution_code=settings.openbanking_institution_code or "",
        tosspayments_secret_key=settings.tosspayments_secret_key or "",
    )

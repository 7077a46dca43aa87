"""What the emulators accept: the credentials a merchant was issued, as on the real platforms."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SandboxConfig:
    kakaopay_secret_key: str
    naverpay_partner_id: str
    naverpay_client_id: str
    naverpay_client_secret: str
    naverpay_chain_id: str
    openbanking_client_id: str
    openbanking_client_secret: str
    openbanking_institution_code: str
    tosspayments_secret_key: str

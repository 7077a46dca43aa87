"""Korean Open Banking (금융결제원 오픈뱅킹 API v2.0): withdrawal, deposit refund, result."""

from adapters.outbound.payments.openbanking.config import OpenBankingConfig
from adapters.outbound.payments.openbanking.gateway import OpenBankingGateway

__all__ = ["OpenBankingConfig", "OpenBankingGateway"]

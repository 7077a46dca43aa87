"""NaverPay 결제형 (one-time payment) adapter."""

from adapters.outbound.payments.naverpay.config import NaverPayConfig
from adapters.outbound.payments.naverpay.gateway import NaverPayGateway

__all__ = ["NaverPayConfig", "NaverPayGateway"]

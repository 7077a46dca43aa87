"""KakaoPay online single payment adapter."""

from adapters.outbound.payments.kakaopay.config import KakaoPayConfig
from adapters.outbound.payments.kakaopay.gateway import KakaoPayGateway

__all__ = ["KakaoPayConfig", "KakaoPayGateway"]

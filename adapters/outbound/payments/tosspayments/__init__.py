"""Toss Payments core API v1 (결제 승인, 결제 조회, 결제 취소) behind the PaymentGateway port."""

from adapters.outbound.payments.tosspayments.config import TossPaymentsConfig
from adapters.outbound.payments.tosspayments.gateway import TossPaymentsGateway

__all__ = ["TossPaymentsConfig", "TossPaymentsGateway"]

from __future__ import annotations

from domain.errors import InvalidInput
from domain.pay_type import PayType
from domain.ports.payment_gateway import PaymentGateway, PaymentGateways


class GatewayRegistry(PaymentGateways):
    """Every configured platform adapter, by the payType it serves."""

    def __init__(self, *gateways: PaymentGateway) -> None:
        self._by_type = {g.pay_type: g for g in gateways}

    def for_type(self, pay_type: PayType) -> PaymentGateway:
        try:
            return self._by_type[pay_type]
        except KeyError:
            raise InvalidInput(f"{pay_type.value} is not configured on this service") from None

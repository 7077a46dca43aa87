from __future__ import annotations

from typing import Protocol

from domain.pay_type import PayType
from domain.ports.payment_gateway import ReturnUrls


class ReturnUrlBuilder(Protocol):
    """Where a platform sends the buyer back to, for one order's transaction."""

    def for_transaction(self, pay_type: PayType, transaction_id: str) -> ReturnUrls: ...

from __future__ import annotations

from enum import Enum

from domain.errors import InvalidInput


class PayType(str, Enum):
    """The payment platforms an order can be paid with."""

    KAKAO_PAY = "KAKAO_PAY"
    NAVER_PAY = "NAVER_PAY"
    OPEN_BANKING = "OPEN_BANKING"
    TOSS_PAYMENTS = "TOSS_PAYMENTS"

    @classmethod
    def parse(cls, raw: str) -> PayType:
        """Accepts the canonical names and `OPEN_BANK`, the original system's name."""
        name = raw.strip().upper()
        if name == "OPEN_BANK":
            return cls.OPEN_BANKING
        try:
            return cls(name)
        except ValueError:
            known = ", ".join(p.value for p in cls)
            raise InvalidInput(f"unknown payType {raw!r}; use one of {known}") from None

    @property
    def takes_payer_account(self) -> bool:
        """Open Banking withdraws from an account the client names; the others take the payment
        in the buyer's browser and must not be sent account data."""
        return self is PayType.OPEN_BANKING

from __future__ import annotations

from domain.pay_type import PayType
from domain.ports.payment_gateway import ReturnUrls


def slug(pay_type: PayType) -> str:
    """The payType as the seed writes it in paths: KAKAO_PAY -> kakaoPay."""
    first, *rest = pay_type.value.lower().split("_")
    return first + "".join(word.title() for word in rest)


PAY_TYPE_OF_SLUG = {slug(pay_type).lower(): pay_type for pay_type in PayType}


class HttpReturnUrls:
    """The service's own redirect routes, on its public base URL."""

    def __init__(self, public_base_url: str) -> None:
        self._base = public_base_url.rstrip("/")

    def for_transaction(self, pay_type: PayType, transaction_id: str) -> ReturnUrls:
        name = slug(pay_type)
        return ReturnUrls(
            approval=f"{self._base}/api/v1/order/transaction/done/{pay_type.value}/{transaction_id}",
            fail=f"{self._base}/api/v1/transaction/{name}/fail/{transaction_id}",
            cancel=f"{self._base}/api/v1/transaction/{name}/cancel/{transaction_id}",
        )

from __future__ import annotations

from domain.pay_type import PayType
from domain.ports.payment_gateway import ReturnUrls

SLUG = {
    PayType.KAKAO_PAY: "kakaoPay",
    PayType.NAVER_PAY: "naverPay",
    PayType.OPEN_BANKING: "openBanking",
    PayType.TOSS_PAYMENTS: "tossPayments",
}
PAY_TYPE_OF_SLUG = {slug.lower(): pay_type for pay_type, slug in SLUG.items()}


class HttpReturnUrls:
    """The service's own redirect routes, on its public base URL."""

    def __init__(self, public_base_url: str) -> None:
        self._base = public_base_url.rstrip("/")

    def for_transaction(self, pay_type: PayType, transaction_id: str) -> ReturnUrls:
        slug = SLUG[pay_type]
        return ReturnUrls(
            approval=f"{self._base}/api/v1/order/transaction/done/{pay_type.value}/{transaction_id}",
            fail=f"{self._base}/api/v1/transaction/{slug}/fail/{transaction_id}",
            cancel=f"{self._base}/api/v1/transaction/{slug}/cancel/{transaction_id}",
        )

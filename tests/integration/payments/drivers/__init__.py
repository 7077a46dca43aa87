from tests.integration.payments.drivers.base import PlatformDriver
from tests.integration.payments.drivers.kakaopay import KakaoPayDriver
from tests.integration.payments.drivers.naverpay import NaverPayDriver
from tests.integration.payments.drivers.openbanking import OpenBankingDriver
from tests.integration.payments.drivers.tosspayments import TossPaymentsDriver

DRIVERS: list[PlatformDriver] = [
    KakaoPayDriver(),
    NaverPayDriver(),
    OpenBankingDriver(),
    TossPaymentsDriver(),
]

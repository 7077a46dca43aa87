"""What the shopper's pages call each state, platform and outcome: (Korean, English)."""

from __future__ import annotations

from adapters.inbound.callbacks.page_template import Bilingual
from domain.order import OrderState
from domain.pay_type import PayType

STATE_WORDS: dict[OrderState, Bilingual] = {
    OrderState.PAYMENT_PENDING: ("결제 확인 중", "Payment being confirmed"),
    OrderState.PAID: ("결제 완료", "Paid"),
    OrderState.PAYMENT_FAILED: ("결제 실패", "Payment failed"),
    OrderState.PAYMENT_CANCELLED: ("결제 취소", "Payment cancelled"),
    OrderState.MATCHED: ("공동구매 그룹 참여 중", "In a buying group"),
    OrderState.CONFIRMED: ("구매 확정", "Purchase confirmed"),
    OrderState.REFUND_PENDING: ("환불 진행 중", "Refund in progress"),
    OrderState.REFUNDED: ("환불 완료", "Refunded"),
}
NOT_PAID: Bilingual = ("결제되지 않음", "Not paid")
PLATFORM_NAMES: dict[PayType, Bilingual] = {
    PayType.KAKAO_PAY: ("카카오페이", "KakaoPay"),
    PayType.NAVER_PAY: ("네이버페이", "NaverPay"),
    PayType.OPEN_BANKING: ("오픈뱅킹 계좌이체", "Open Banking transfer"),
    PayType.TOSS_PAYMENTS: ("토스페이먼츠", "Toss Payments"),
}
# (headline, tone, advice) per order state.
OUTCOMES: dict[OrderState, tuple[Bilingual, str, Bilingual]] = {
    OrderState.PAID: (
        ("결제가 완료되었습니다", "Your payment is complete"),
        "ok",
        (
            "공동구매 그룹이 만들어지면 알려 드립니다.",
            "We will let you know when your buying group is formed.",
        ),
    ),
    OrderState.PAYMENT_PENDING: (
        ("결제를 확인하고 있습니다", "We are confirming your payment"),
        "wait",
        (
            "결제사에 결과를 확인하는 중입니다. 이 페이지는 결과가 나올 때까지 "
            "자동으로 새로 고쳐집니다. 다시 결제하지 마세요.",
            "We are asking the payment platform for the result. This page refreshes itself "
            "until it is known. Please do not pay again.",
        ),
    ),
    OrderState.PAYMENT_FAILED: (
        ("결제에 실패했습니다", "Your payment failed"),
        "bad",
        (
            "결제되지 않았습니다. 쇼핑몰에서 다시 주문해 주세요.",
            "You were not charged. Please order again from the shop.",
        ),
    ),
    OrderState.PAYMENT_CANCELLED: (
        ("결제를 취소했습니다", "You cancelled the payment"),
        "bad",
        (
            "결제되지 않았습니다. 언제든 다시 주문하실 수 있습니다.",
            "You were not charged. You can order again at any time.",
        ),
    ),
    OrderState.MATCHED: (
        ("이미 결제된 주문입니다", "This order is already paid"),
        "ok",
        ("공동구매 그룹에 참여하고 있습니다.", "The order is in a buying group."),
    ),
    OrderState.CONFIRMED: (
        ("이미 구매 확정된 주문입니다", "This purchase is already confirmed"),
        "ok",
        ("이용해 주셔서 감사합니다.", "Thank you for shopping with us."),
    ),
    OrderState.REFUND_PENDING: (
        ("환불을 진행하고 있습니다", "Your refund is on its way"),
        "wait",
        (
            "결제사가 환불을 확인하면 완료됩니다.",
            "It is complete once the payment platform confirms it.",
        ),
    ),
    OrderState.REFUNDED: (
        ("환불되었습니다", "Your payment was refunded"),
        "ok",
        ("결제 금액이 결제 수단으로 돌아갔습니다.", "The amount went back to how you paid."),
    ),
}

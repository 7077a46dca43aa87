"""What `data` holds in each answer, as pydantic models used only to write the schema. The
JSON itself is built in `schemas.py` / `views.py`; schemathesis checks the two agree."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from domain.group import GroupState
from domain.order import OrderState
from domain.pay_type import PayType
from domain.payment import PaymentState

ORDER_EXAMPLE: dict[str, Any] = {
    "id": 10,
    "userId": 1,
    "productId": 1,
    "productOptionId": 1,
    "quantity": 2,
    "quantitiy": 2,
    "minShare": 2,
    "maxShare": 10,
    "transAmount": 70000,
    "payType": "KAKAO_PAY",
    "transactionId": "3f1c2a9e-7b4d-4e51-9a0c-2d8f6b1e4c77",
    "groupId": 0,
    "state": "PAID",
    "createdAt": 1764547200000,
    "updatedAt": 1764547260000,
}


class Shape(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Order(Shape):
    """An order. `quantitiy` repeats `quantity` in the seed's spelling, for its clients."""

    model_config = ConfigDict(json_schema_extra={"examples": [ORDER_EXAMPLE]})
    id: int
    userId: int
    productId: int
    productOptionId: int = Field(description="0 = no option")
    quantity: int
    quantitiy: int = Field(description="the seed's spelling of `quantity`", deprecated=True)
    minShare: int
    maxShare: int = Field(description="0 = no upper bound")
    transAmount: int = Field(description="(price + option.extraPrice) × quantity, in won")
    payType: PayType
    transactionId: str = Field(description="ours (a UUID); the platforms carry it back")
    groupId: int = Field(description="0 = in no group")
    state: OrderState
    createdAt: int = Field(description="epoch milliseconds")
    updatedAt: int = Field(description="epoch milliseconds")


class PaymentInfo(Shape):
    platform: PayType
    state: PaymentState
    amount: int = Field(description="what the order costs, in won")
    approvedAmount: int = Field(description="what the platform approved")
    refundedAmount: int = Field(description="what the platform gave back")
    platformTransactionId: str | None = Field(
        description="tid / paymentId / bank_tran_id / paymentKey"
    )
    approvedAt: int | None
    cancelledAt: int | None


class OrderDetail(Order):
    payment: PaymentInfo | None


class Withdrawal(Order):
    orderId: int


class WithdrawalPending(Withdrawal):
    refundError: str | None = Field(description="why the platform has not refunded yet")


class PlacedOrder(Shape):
    """The platform's own answer (KakaoPay's `ready`, NaverPay's SDK parameters, Toss's widget
    parameters, Open Banking's withdrawal) with our ids; the platform's fields are also kept
    intact under `payment`."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "tid": "T1234567890123456789",
                    "next_redirect_pc_url": "https://online-pay.kakao.com/mockup/v1/abc/info",
                    "orderId": 10,
                    "transactionId": ORDER_EXAMPLE["transactionId"],
                    "order": ORDER_EXAMPLE | {"state": "PAYMENT_PENDING"},
                    "payment": {
                        "tid": "T1234567890123456789",
                        "next_redirect_pc_url": "https://online-pay.kakao.com/mockup/v1/abc/info",
                    },
                }
            ]
        },
    )
    orderId: int
    transactionId: str
    order: Order
    payment: dict[str, Any]


class User(Shape):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"id": 1, "name": "김민지", "createdAt": 1764547200000, "updatedAt": 1764547200000}
            ]
        }
    )
    id: int
    name: str
    createdAt: int
    updatedAt: int


class ProductOption(Shape):
    id: int
    name: str
    extraPrice: int


class Product(Shape):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 1,
                    "name": "제주 감귤 5kg",
                    "price": 30000,
                    "options": [{"id": 1, "name": "10kg", "extraPrice": 5000}],
                    "createdAt": 1764547200000,
                }
            ]
        }
    )
    id: int
    name: str
    price: int
    options: list[ProductOption]
    createdAt: int


class Group(Shape):
    groupId: int
    productId: int
    size: int
    state: GroupState
    createdAt: int


class MatchedGroup(Group):
    orderIdList: list[int]


class GroupExpiry(Group):
    refundedOrderIds: list[int]
    refundPendingOrderIds: list[int] = Field(
        description="refunds the platform has not confirmed yet; the worker retries them"
    )
    refundInProgressOrderIds: list[int] = Field(
        description="refunds another request is making right now"
    )
    refundErrors: dict[str, str] = Field(description="order id → the platform's reason")


class GroupMember(Shape):
    orderId: int
    userId: int
    payType: PayType
    transAmount: int
    state: OrderState
    paymentState: PaymentState | None


class PlatformTotals(Shape):
    payType: PayType
    orders: int
    approved: int
    refunded: int
    readyForSettlement: int


class Settlement(Shape):
    """Amounts in won. `readyForSettlement` is what confirmed members paid, once the group is
    over (SETTLEMENT_READY, or EXPIRED: a confirmed member keeps the purchase); 0 while MATCHED."""

    approved: int
    refunded: int
    readyForSettlement: int
    platforms: list[PlatformTotals]


class GroupReport(MatchedGroup):
    members: list[GroupMember]
    settlement: Settlement


class FieldError(Shape):
    field: str | None = None
    message: str


class PlatformErrorData(Shape):
    """Who failed, and for which order when the answer is about one."""

    model_config = ConfigDict(extra="allow")
    platform: str | None = None
    code: str | None = None
    orderId: int | None = None
    transactionId: str | None = None


class RuleViolationData(Shape):
    orderIds: list[int] = Field(description="the orders that break the matching rules")


class ErrorEnvelope(Shape):
    """Every error: HTTP status = statusCode, statusMsg a sentence naming the problem."""

    statusCode: int = Field(ge=400, le=599)
    statusMsg: str
    data: Any = None
    errors: list[FieldError] | None = Field(default=None, description="validation errors")


class ValidationEnvelope(ErrorEnvelope):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "statusCode": 400,
                    "statusMsg": "invalid request: quantity: Input should be a valid integer",
                    "data": None,
                    "errors": [{"field": "quantity", "message": "Input should be a valid integer"}],
                }
            ]
        }
    )
    data: None = None


class PlainError(ErrorEnvelope):
    data: None = None


class PlatformErrorEnvelope(ErrorEnvelope):
    data: PlatformErrorData | None = None


class ConflictEnvelope(ErrorEnvelope):
    data: RuleViolationData | None = None

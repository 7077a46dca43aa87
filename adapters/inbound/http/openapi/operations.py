"""Each operation's summary, description and every answer it can give."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from adapters.inbound.http.openapi import shapes

PAY_TYPES = ["KAKAO_PAY", "NAVER_PAY", "OPEN_BANKING", "OPEN_BANK", "TOSS_PAYMENTS"]

ERRORS: dict[int, tuple[str, type[BaseModel]]] = {
    400: ("Malformed request: a missing or mistyped parameter or field", shapes.ValidationEnvelope),
    401: ("`jwt` mode: no Bearer token, or an invalid one", shapes.PlainError),
    403: (
        "`jwt` mode: the token's user may not do this, or a service credential is needed",
        shapes.PlainError,
    ),
    404: ("Something the request names does not exist", shapes.PlainError),
    409: (
        "The request contradicts the current state (the reason is in `statusMsg`)",
        shapes.PlainError,
    ),
    422: ("The values break a business rule (the rule is in `statusMsg`)", shapes.PlainError),
    502: ("The payment platform refused or failed; `data` names it", shapes.PlatformErrorEnvelope),
    503: ("The service cannot reach its database; nothing was changed", shapes.PlainError),
    504: (
        "The payment platform did not answer in time; the payment is reconciled with it, "
        "never guessed",
        shapes.PlatformErrorEnvelope,
    ),
}
CALLER = (401, 403)


@dataclass(frozen=True)
class Answer:
    description: str
    data: Any  # a Shape model, a list of one, a JSON schema dict, or None
    html: bool = False


@dataclass(frozen=True)
class Doc:
    summary: str
    description: str
    ok: Answer
    errors: tuple[int, ...]
    status: int = 200
    special: dict[int, Answer | tuple[str, type[BaseModel]]] = field(default_factory=dict)
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    body_examples: dict[str, Any] = field(default_factory=dict)
    secured: bool = True


ORDER_ID = {"description": "the order's id", "example": 10}
GROUP_ID = {"description": "the group's id, as the matcher gave it", "example": 3}
TRANSACTION_ID = {
    "schema": {"minLength": 1, "maxLength": 64},
    "description": "the order's transactionId (ours)",
    "example": "3f1c2a9e-7b4d-4e51-9a0c-2d8f6b1e4c77",
}

_place_examples = {
    "kakaoPay": {
        "summary": "KakaoPay, NaverPay or Toss Payments: the buyer pays in the browser",
        "value": {
            "userId": 1,
            "productId": 1,
            "productOptionId": 1,
            "minShare": 2,
            "maxShare": 10,
            "quantity": 2,
        },
    },
    "openBanking": {
        "summary": "Open Banking: withdrawn at once from the payer's account",
        "value": {
            "userId": 1,
            "productId": 1,
            "minShare": 2,
            "quantity": 1,
            "transaction": {
                "fintechUseNum": "120220000000000000000001",
                "accessToken": "eyJhbGciOiJIUzI1NiJ9.payer-token",
            },
        },
    },
}

_callback_outcome = Answer(
    "The order as the platform left it: PAID, PAYMENT_FAILED, PAYMENT_CANCELLED, or still "
    "PAYMENT_PENDING. A browser gets an HTML page in Korean with English beneath; an API "
    "client (`Accept: application/json`) the envelope",
    shapes.Order,
    html=True,
)
_callback_errors = (400, 404, 409, 422, 502, 503, 504)
_callback_special: dict[int, Answer | tuple[str, type[BaseModel]]] = {
    404: Answer("No order has this transactionId (a page for a browser)", None, html=True),
    409: Answer("The platform contradicts the redirect (a page for a browser)", None, html=True),
    422: Answer(
        "Not a payment callback, or the wrong platform for this transaction", None, html=True
    ),
    502: Answer(
        "The platform refused the approval (a page for a browser)",
        shapes.PlatformErrorData,
        html=True,
    ),
    504: Answer(
        "The platform did not answer in time. A browser gets a page that says the "
        "payment is being confirmed and refreshes itself to `paymentResult`",
        shapes.PlatformErrorData,
        html=True,
    ),
}

_done = Doc(
    summary="The platform's approval return",
    description=(
        "Where the platform sends the buyer back after paying: KakaoPay `?pg_token=`, NaverPay "
        "`?resultCode&paymentId`, Toss `?paymentKey&orderId&amount`. The redirect is only a "
        "claim: the service approves with the platform server-to-server and checks the amount "
        "before the order is PAID. Repeating it has one effect."
    ),
    ok=_callback_outcome,
    errors=_callback_errors,
    special=_callback_special,
    params={
        "pay_type": {
            "schema": {"type": "string", "enum": PAY_TYPES},
            "example": "KAKAO_PAY",
            "description": "the order's payType (`OPEN_BANK` is an alias)",
        },
        "transaction_id": TRANSACTION_ID,
    },
    secured=False,
)
_abandoned = Doc(
    summary="The platform's fail or cancel return",
    description=(
        "Where the platform sends a buyer whose payment failed (`fail`) or who quit "
        "(`cancel`); platforms are `kakaoPay`, `naverPay`, `tossPayments`, `openBanking`. The "
        "platform is asked first: a payment it reports as paid is never failed (409)."
    ),
    ok=_callback_outcome,
    errors=_callback_errors,
    special=_callback_special,
    params={
        "platform": {
            "schema": {
                "type": "string",
                "enum": ["kakaoPay", "naverPay", "tossPayments", "openBanking"],
            },
            "example": "kakaoPay",
        },
        "outcome": {"schema": {"type": "string", "enum": ["fail", "cancel"]}, "example": "cancel"},
        "transaction_id": TRANSACTION_ID,
    },
    secured=False,
)
_confirm = Doc(
    summary="Confirm a purchase (구매확정)",
    description=(
        "The buyer received the goods. Only a MATCHED order in a MATCHED group is confirmed; "
        "confirming again answers the same order. The last member's confirmation makes the "
        "group SETTLEMENT_READY."
    ),
    ok=Answer("The confirmed order", shapes.Order),
    errors=(400, *CALLER, 404, 409, 503),
    params={"orderId": ORDER_ID},
)
_cancel = Doc(
    summary="Withdraw a paid order before grouping",
    description=(
        "A buyer withdraws a PAID order that no group has taken: it becomes REFUND_PENDING "
        "and its payment is refunded through its own platform, exactly once however often this "
        "is called; REFUNDED once the platform confirms. A pending, failed, matched or "
        "confirmed order is 409 with the reason. In `jwt` mode only the order's buyer may."
    ),
    ok=Answer(
        "The order, REFUNDED (or REFUND_PENDING while another request refunds it)",
        shapes.Withdrawal,
    ),
    errors=(400, *CALLER, 404, 409, 502, 503),
    special={
        502: Answer(
            "Withdrawn, but the platform has not confirmed the refund yet; the worker retries it",
            shapes.WithdrawalPending,
        )
    },
    params={"orderId": ORDER_ID},
)
_expire = Doc(
    summary="Expire a group and refund its members",
    description=(
        "Every PAID or MATCHED member is refunded through its own platform before the answer; "
        "members who confirmed keep their purchase. Repeating is harmless and retries what is "
        "still pending. Needs a service credential in `jwt` mode."
    ),
    ok=Answer("The expired group and what happened to each refund", shapes.GroupExpiry),
    errors=(400, *CALLER, 404, 409, 502, 503),
    special={
        502: Answer(
            "The group expired, but some refunds are still pending with the "
            "platform (`refundPendingOrderIds`); the worker retries them",
            shapes.GroupExpiry,
        )
    },
    params={"groupId": GROUP_ID},
)

OPERATIONS: dict[str, Doc] = {
    "placeOrder": Doc(
        summary="Place an order and start its payment",
        description=(
            "The amount is `(price + option.extraPrice) × quantity`, never the client's. "
            "`data` is the platform's answer (KakaoPay's `ready`: open `next_redirect_pc_url`; "
            "NaverPay's SDK and Toss's widget parameters; Open Banking's withdrawal, already "
            "PAID) plus our `orderId`, `transactionId` and `order`; in sandbox mode "
            "`checkoutPageUrl` is the emulated payment window. `Idempotency-Key` replays the "
            "first answer for the same body. In `jwt` mode the user is the token's `sub`."
        ),
        ok=Answer(
            "The order, PAYMENT_PENDING (PAID for Open Banking), and the platform's answer",
            shapes.PlacedOrder,
        ),
        errors=(400, *CALLER, 404, 409, 422, 502, 503, 504),
        special={
            409: ("A request with this Idempotency-Key is still running", shapes.PlainError),
            422: (
                "An unknown or disabled payType, a value outside the business bounds "
                "(quantity 1–1000, minShare 1–10000, maxShare 0 or ≥ minShare), or an "
                "Idempotency-Key reused with another body",
                shapes.PlainError,
            ),
        },
        params={
            "payType": {
                "schema": {"type": "string", "enum": PAY_TYPES},
                "example": "KAKAO_PAY",
                "description": "`OPEN_BANK` (the original system's name) is an alias "
                "of `OPEN_BANKING`",
            },
            "Idempotency-Key": {
                "example": "order-2f9c1d",
                "description": "the same key and body replay the first answer (kept 24 h)",
            },
        },
        body_examples=_place_examples,
    ),
    "listUserOrders": Doc(
        summary="A user's orders, newest first",
        description="In `jwt` mode a user lists only their own orders (`userId` may be left out).",
        ok=Answer("The orders", [shapes.Order]),
        errors=(400, *CALLER, 404, 503),
        params={"userId": {"example": 1}},
    ),
    "getOrder": Doc(
        summary="One order with its payment",
        description=(
            "The order and its payment's platform, state and amounts (approved, refunded). In "
            "`jwt` mode only the order's buyer or a service credential may read it."
        ),
        ok=Answer("The order", shapes.OrderDetail),
        errors=(400, *CALLER, 404, 503),
        params={"orderId": ORDER_ID},
    ),
    "confirmPurchaseGet": _confirm,
    "confirmPurchase": _confirm,
    "cancelOrderGet": _cancel,
    "cancelOrderPost": _cancel,
    "matchGroup": Doc(
        summary="Record a group formed by the matcher",
        description=(
            "Every order exists, is PAID, is in no other group, all are for one product, and "
            "the size fits every member's minShare/maxShare (0 = no upper bound). The same "
            "pair again is accepted; another list for a known groupId is 409. Needs a service "
            "credential in `jwt` mode."
        ),
        ok=Answer("The group, MATCHED", shapes.MatchedGroup),
        errors=(400, *CALLER, 409, 422, 503),
        special={
            409: (
                "A matching rule is broken (`data.orderIds` names the orders), or the "
                "groupId is taken by another list",
                shapes.ConflictEnvelope,
            )
        },
        body_examples={
            "group": {
                "summary": "two paid orders",
                "value": {"groupId": 3, "orderIdList": [10, 11]},
            }
        },
    ),
    "expireGroupGet": _expire,
    "expireGroup": _expire,
    "getGroup": Doc(
        summary="One group with its members and settlement statement",
        description=(
            "The group's state, each member's order and payment state, and its settlement "
            "statement: approved, refunded and ready for settlement, in total and per "
            "platform. Needs a service credential in `jwt` mode."
        ),
        ok=Answer("The group", shapes.GroupReport),
        errors=(400, *CALLER, 404, 503),
        params={"groupId": GROUP_ID},
    ),
    "groupConfirmationStatus": Doc(
        summary="Whether a group is fully confirmed",
        description=(
            "`data` is true when the group has `numberOfMember` members and every one has "
            "confirmed. Needs a service credential in `jwt` mode."
        ),
        ok=Answer("true or false", {"type": "boolean"}),
        errors=(400, *CALLER, 404, 503),
        params={"groupId": GROUP_ID, "numberOfMember": {"example": 10}},
    ),
    "listProductBuyers": Doc(
        summary="Users with a live order for a product",
        description="Users with a PAID, MATCHED or CONFIRMED order for the product.",
        ok=Answer("The users", [shapes.User]),
        errors=(400, *CALLER, 404, 503),
        params={"productId": {"example": 1}},
    ),
    "registerUser": Doc(
        summary="Register a user",
        description="Needs a service credential in `jwt` mode.",
        ok=Answer("The user with its id", shapes.User),
        status=201,
        errors=(400, *CALLER, 503),
        body_examples={"user": {"summary": "a buyer", "value": {"name": "김민지"}}},
    ),
    "addProduct": Doc(
        summary="Add a product and its options",
        description="Prices are whole won. Needs a service credential in `jwt` mode.",
        ok=Answer("The product with its and its options' ids", shapes.Product),
        status=201,
        errors=(400, *CALLER, 422, 503),
        special={
            422: (
                "A blank name, a price outside 1–100,000,000 won, or an extraPrice outside "
                "0–100,000,000 won",
                shapes.PlainError,
            )
        },
        body_examples={
            "product": {
                "summary": "tangerines with a larger box",
                "value": {
                    "name": "제주 감귤 5kg",
                    "price": 30000,
                    "options": [{"name": "10kg", "extraPrice": 5000}],
                },
            }
        },
    ),
    "getProduct": Doc(
        summary="One product with its options",
        description="Anyone may read the catalog.",
        ok=Answer("The product", shapes.Product),
        errors=(400, 404, 503),
        params={"product_id": {"description": "the product's id", "example": 1}},
        secured=False,
    ),
    "paymentDoneGet": _done,
    "paymentDonePost": _done,
    "paymentAbandonedGet": _abandoned,
    "paymentAbandonedPost": _abandoned,
    "paymentResult": Doc(
        summary="The outcome of a payment, for the shopper's page",
        description=(
            "Where the shopper's page waiting for an outcome refreshes to: a payment still "
            "pending is first settled by asking its platform; then the order as it stands (a "
            "page for a browser, the envelope for an API client)."
        ),
        ok=_callback_outcome,
        errors=(400, 404, 503),
        special={404: _callback_special[404]},
        params={"transaction_id": TRANSACTION_ID},
        secured=False,
    ),
    "tossPaymentsWebhook": Doc(
        summary="Toss Payments' PAYMENT_STATUS_CHANGED webhook",
        description=(
            "Unsigned, so only a hint: answered at once, then the payment is re-fetched from "
            "Toss before anything changes. Other event types are acknowledged and ignored. A "
            "transaction not committed here is 404, so Toss delivers it again."
        ),
        ok=Answer("Acknowledged (`data` is null)", None),
        errors=(400, 404, 503),
        body_examples={
            "event": {
                "summary": "a payment became DONE",
                "value": {
                    "eventType": "PAYMENT_STATUS_CHANGED",
                    "createdAt": "2026-12-01T10:00:00.000000",
                    "data": {
                        "orderId": TRANSACTION_ID["example"],
                        "status": "DONE",
                        "paymentKey": "tgen_20261201100000abcd",
                    },
                },
            }
        },
        secured=False,
    ),
}

"""What the browser's payment widget needs (`requestPayment` / `setAmount` parameters)."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any
from urllib.parse import urlencode

from adapters.outbound.payments.tosspayments.config import TossPaymentsConfig
from domain.ports.payment_gateway import CheckoutRequest

ORDER_NAME_MAX = 100


def order_name(item_name: str, quantity: int) -> str:
    """At most 100 characters, as Toss requires."""
    name = item_name.strip() or "gonggu"
    if quantity > 1:
        name = f"{name} {quantity}개"
    return name[:ORDER_NAME_MAX]


def customer_key(config: TossPaymentsConfig, user_id: int) -> str:
    """Stable per user but not guessable from the id, as Toss advises (no sequential ids);
    2-50 characters of [A-Za-z0-9-_=.@]."""
    digest = hmac.new(config.secret_key.encode(), f"user:{user_id}".encode(), hashlib.sha256)
    return f"gonggu-{digest.hexdigest()[:40]}"


def client_data(config: TossPaymentsConfig, request: CheckoutRequest) -> dict[str, Any]:
    payment = request.payment
    data: dict[str, Any] = {
        "orderId": payment.transaction_id,
        "amount": payment.amount,
        "widgetAmount": {"currency": "KRW", "value": payment.amount},
        "orderName": order_name(payment.item_name, payment.quantity),
        "customerKey": customer_key(config, payment.user_id),
        "successUrl": request.return_urls.approval,
        "failUrl": request.return_urls.fail,
    }
    # the front end initialises Toss's SDK with these: TossPayments(clientKey).widgets(...) for
    # the widget, .payment(...) for the payment window
    data["clientKey"] = config.client_key
    data["integration"] = config.integration
    if config.checkout_page_url:
        query = {
            k: str(v) for k, v in data.items() if not isinstance(v, dict) and k != "integration"
        }
        data["checkoutPageUrl"] = f"{config.checkout_page_url}?{urlencode(query)}"
    return data

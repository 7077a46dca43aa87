from __future__ import annotations

from litestar import Router

from sandbox.config import SandboxConfig
from sandbox.faults import FaultPlan
from sandbox.tosspayments.api import api_handlers
from sandbox.tosspayments.control import control_handlers
from sandbox.tosspayments.store import TossStore
from sandbox.tosspayments.widget import widget_handlers


def tosspayments_router(config: SandboxConfig, faults: FaultPlan) -> Router:
    """Toss Payments under `/tosspayments`: the core API at its real paths (`/v1/payments/...`),
    the widget page, and the sandbox switches.

    Fault operations: `confirm` (POST /v1/payments/confirm), `cancel` (POST
    /v1/payments/{paymentKey}/cancel), `get` (GET /v1/payments/{paymentKey} and
    /v1/payments/orders/{orderId}).
    """
    store = TossStore()
    return Router(
        path="/tosspayments",
        route_handlers=[
            *api_handlers(config.tosspayments_secret_key, store, faults),
            *widget_handlers(store),
            *control_handlers(store, faults),
        ],
    )

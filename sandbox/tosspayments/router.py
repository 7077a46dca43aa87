from __future__ import annotations

from litestar import Router

from sandbox.config import SandboxConfig
from sandbox.faults import FaultPlan
from sandbox.tosspayments.api import api_handlers
from sandbox.tosspayments.control import control_handlers
from sandbox.tosspayments.store import Clock, TossStore, system_clock
from sandbox.tosspayments.widget import widget_handlers


def tosspayments_router(
    config: SandboxConfig, faults: FaultPlan, clock: Clock = system_clock
) -> Router:
    """Toss Payments under `/tosspayments`: the core API at its real paths (`/v1/payments/...`),
    the widget page, and the sandbox switches.

    Fault operations: `confirm` (POST /v1/payments/confirm), `cancel` (POST
    /v1/payments/{paymentKey}/cancel), `get` (GET /v1/payments/{paymentKey} and
    /v1/payments/orders/{orderId}).

    The emulated merchant holds both key pairs (widget gck/gsk, API individual ck/sk); a
    payment is of the kind of the client key its window was opened with, and is confirmed only
    with the secret key of that kind. `clock` decides when unconfirmed payments expire.
    """
    store = TossStore(clock=clock)
    return Router(
        path="/tosspayments",
        route_handlers=[
            *api_handlers(config.tosspayments_keys, store, faults),
            *widget_handlers(store, config.tosspayments_keys),
            *control_handlers(store, faults),
        ],
    )

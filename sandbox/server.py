"""All four emulators in one Litestar app, each under its own prefix (`/kakaopay`, ...)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from litestar import Litestar

from sandbox.config import SandboxConfig
from sandbox.faults import FaultPlan
from sandbox.kakaopay import kakaopay_router
from sandbox.naverpay import naverpay_router
from sandbox.openbanking import openbanking_router
from sandbox.tosspayments import tosspayments_router


def create_sandbox_app(
    config: SandboxConfig, clock: Callable[[], datetime] | None = None
) -> Litestar:
    """`clock` (tests) decides when KakaoPay and Toss expire payments nobody finished."""
    now = clock or (lambda: datetime.now(UTC))
    routers = [
        kakaopay_router(config, FaultPlan(), now),
        naverpay_router(config, FaultPlan()),
        openbanking_router(config, FaultPlan()),
        tosspayments_router(config, FaultPlan(), now),
    ]
    # No logging_config: the emulators leave the process's logging as the service set it up.
    return Litestar(route_handlers=routers, openapi_config=None, logging_config=None)

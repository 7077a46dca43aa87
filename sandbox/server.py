"""All four emulators in one Litestar app, each under its own prefix (`/kakaopay`, ...)."""

from __future__ import annotations

from litestar import Litestar

from sandbox.config import SandboxConfig
from sandbox.faults import FaultPlan
from sandbox.kakaopay import kakaopay_router
from sandbox.naverpay import naverpay_router
from sandbox.openbanking import openbanking_router
from sandbox.tosspayments import tosspayments_router


def create_sandbox_app(config: SandboxConfig) -> Litestar:
    routers = [
        factory(config, FaultPlan())
        for factory in (kakaopay_router, naverpay_router, openbanking_router, tosspayments_router)
    ]
    # No logging_config: the emulators leave the process's logging as the service set it up.
    return Litestar(route_handlers=routers, openapi_config=None, logging_config=None)

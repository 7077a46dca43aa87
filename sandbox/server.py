"""All four emulators in one Litestar app, each under its own prefix (`/kakaopay`, ...)."""

from __future__ import annotations

from litestar import Litestar, Router

from sandbox.config import SandboxConfig
from sandbox.faults import FaultPlan


def create_sandbox_app(config: SandboxConfig) -> Litestar:
    routers: list[Router] = []
    from sandbox.kakaopay import kakaopay_router

    routers.append(kakaopay_router(config, FaultPlan()))
    for module, name in (
        ("sandbox.naverpay", "naverpay_router"),
        ("sandbox.openbanking", "openbanking_router"),
        ("sandbox.tosspayments", "tosspayments_router"),
    ):
        try:
            factory = getattr(__import__(module, fromlist=[name]), name)
        except (ImportError, AttributeError):
            continue
        routers.append(factory(config, FaultPlan()))
    return Litestar(route_handlers=routers, openapi_config=None)

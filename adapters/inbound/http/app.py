from __future__ import annotations

from typing import Any

from litestar import Litestar, get
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.plugins.pydantic import PydanticPlugin

from adapters.inbound.callbacks.controller import PaymentCallbackController
from adapters.inbound.callbacks.result_route import payment_result
from adapters.inbound.callbacks.toss_webhook import toss_webhook
from adapters.inbound.http.controllers.catalog import CatalogController
from adapters.inbound.http.controllers.groups import GroupController
from adapters.inbound.http.controllers.orders import OrderController
from adapters.inbound.http.controllers.reads import ReadController
from adapters.inbound.http.controllers.withdrawals import WithdrawalController
from adapters.inbound.http.dependencies import provide_caller
from adapters.inbound.http.envelope import ok
from adapters.inbound.http.errors import EXCEPTION_HANDLERS
from adapters.inbound.http.observability import (
    LITESTAR_LOGGING,
    HttpMetricsMiddleware,
    MetricsController,
    forget_process_metrics,
    health_live,
    health_ready,
)
from adapters.inbound.http.openapi.ui import DocumentJson, OfflineSwagger, swagger_assets
from adapters.inbound.http.ops.controller import OpsController
from adapters.inbound.http.request_id import RequestIdMiddleware
from adapters.inbound.http.request_limits import request_limits


@get("/health", operation_id="health", include_in_schema=False)
async def health() -> Any:
    return ok({"status": "up"})


def create_http_app(
    container: Any,
    extra_handlers: list[Any] | None = None,
    on_startup: list[Any] | None = None,
    on_shutdown: list[Any] | None = None,
) -> Litestar:
    """The Litestar app; the container is reachable from handlers through `app.state`."""
    app = Litestar(
        route_handlers=[
            OrderController,
            GroupController,
            CatalogController,
            ReadController,
            WithdrawalController,
            PaymentCallbackController,
            payment_result,
            toss_webhook,
            health,
            health_live,
            health_ready,
            MetricsController,
            OpsController,
            swagger_assets(),
            *(extra_handlers or []),
        ],
        dependencies={"caller": Provide(provide_caller, sync_to_thread=False)},
        exception_handlers=EXCEPTION_HANDLERS,
        # Refusals of hostile input still carry a request id and are counted.
        middleware=[RequestIdMiddleware, HttpMetricsMiddleware, request_limits()],
        openapi_config=OpenAPIConfig(
            title="gonggu",
            version="0.1.0",
            description="Order-and-payment service of a group-buying shop",
            path="/docs",
            render_plugins=[OfflineSwagger(), DocumentJson()],
        ),
        plugins=[PydanticPlugin(prefer_alias=True, validate_strict=True)],
        on_startup=on_startup or [],
        on_shutdown=[*(on_shutdown or []), forget_process_metrics],
        logging_config=LITESTAR_LOGGING,
        debug=False,
    )
    app.state.container = container
    return app

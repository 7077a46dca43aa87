"""Reading one order (with its payment) and one group (with its members and settlement)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from litestar.params import Parameter

from adapters.inbound.http.dependencies import caller_use_case
from adapters.inbound.http.envelope import ok
from adapters.inbound.http.identity import Caller
from adapters.inbound.http.schemas import MAX_ID
from adapters.inbound.http.views import group_report_json, order_detail_json
from application.queries import GetGroup, GetOrder

PathId = Annotated[int, Parameter(ge=1, le=MAX_ID)]


class ReadController(Controller):
    path = "/api/v1"
    dependencies = {
        "get_order": caller_use_case("get_order"),
        "get_group": caller_use_case("get_group"),
    }

    @get("/order/{orderId:int}", operation_id="getOrder", tags=["orders"])
    async def order(
        self, caller: NamedDependency[Caller], get_order: NamedDependency[GetOrder], orderId: PathId
    ) -> Response[Any]:
        """One order with its payment's platform, state and amounts."""
        return ok(order_detail_json(await get_order.execute(orderId, caller.user_id)))

    @get("/group/{groupId:int}", operation_id="getGroup", tags=["groups"])
    async def group(
        self, caller: NamedDependency[Caller], get_group: NamedDependency[GetGroup], groupId: PathId
    ) -> Response[Any]:
        """One group: its state, its members and their states, and its settlement statement."""
        caller.require_service()
        return ok(group_report_json(await get_group.execute(groupId)))

"""A buyer withdraws a paid order before it is grouped (`order/cancel`, GET as in the seed)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Response, route
from litestar.di import NamedDependency
from litestar.enums import HttpMethod
from litestar.params import QueryParameter

from adapters.inbound.http.dependencies import caller_use_case
from adapters.inbound.http.envelope import failure, ok
from adapters.inbound.http.identity import Caller
from adapters.inbound.http.schemas import MAX_ID, order_json
from application.cancel_order import CancelOrder, CancelOrderCommand


class WithdrawalController(Controller):
    path = "/api/v1/order"
    tags = ["orders"]
    dependencies = {"cancel": caller_use_case("cancel_order")}

    @route(
        "/cancel",
        http_method=[HttpMethod.GET, HttpMethod.POST],
        operation_id=lambda handler, method, path: f"cancelOrder{method.title()}",
        status_code=200,
    )
    async def cancel(
        self,
        caller: NamedDependency[Caller],
        cancel: NamedDependency[CancelOrder],
        order_id: Annotated[int, QueryParameter(name="orderId", ge=1, le=MAX_ID)],
    ) -> Response[Any]:
        """Withdraws a PAID order that is in no group; its payment is refunded once."""
        withdrawal = await cancel.execute(
            CancelOrderCommand(order_id=order_id, acting_user_id=caller.user_id)
        )
        data = order_json(withdrawal.order) | {"orderId": order_id}
        refund = withdrawal.refund
        if refund.refunded or refund.in_progress:
            return ok(data)
        return failure(
            502,
            f"order {order_id} is withdrawn, but the platform has not confirmed its refund yet; "
            "it will be retried",
            data=data | {"refundError": refund.error},
        )

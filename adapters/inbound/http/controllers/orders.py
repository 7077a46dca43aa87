from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import ClientException
from litestar.params import Body, HeaderParameter, QueryParameter

from adapters.inbound.http.dependencies import caller_use_case
from adapters.inbound.http.envelope import ok
from adapters.inbound.http.identity import Caller
from adapters.inbound.http.schemas import MAX_ID, OpenBankingAccount, PlaceOrderBody, order_json
from application.confirm_purchase import ConfirmPurchase, ConfirmPurchaseCommand
from application.place_order import PlaceOrderCommand
from application.queries import ListUserOrders
from domain.pay_type import PayType


class OrderController(Controller):
    path = "/api/v1/order"
    tags = ["orders"]
    dependencies = {
        "place_order": caller_use_case("idempotent_place_order"),
        "list_orders": caller_use_case("list_user_orders"),
        "confirm": caller_use_case("confirm_purchase"),
    }

    @post("/execute", operation_id="placeOrder", status_code=200)
    async def execute(
        self,
        caller: NamedDependency[Caller],
        place_order: NamedDependency[Any],
        data: Annotated[PlaceOrderBody, Body()],
        pay_type: Annotated[str, QueryParameter(name="payType")],
        idempotency_key: Annotated[
            str | None, HeaderParameter(name="Idempotency-Key", max_length=255)
        ] = None,
    ) -> Response[Any]:
        """Places an order and starts its payment; `data` is the platform's answer plus ids."""
        if idempotency_key is not None and not idempotency_key.strip():
            # An empty key would be one key shared by every order of the user: refuse it.
            raise ClientException("Idempotency-Key is empty: send a unique key or no header")
        payer = (
            {
                "fintechUseNum": data.transaction.fintech_use_num,
                "accessToken": data.transaction.access_token,
                **(
                    {"clientName": data.transaction.client_name}
                    if data.transaction.client_name
                    else {}
                ),
            }
            if isinstance(data.transaction, OpenBankingAccount)
            else {}
        )
        command = PlaceOrderCommand(
            user_id=caller.acting_user(data.user_id),
            product_id=data.product_id,
            product_option_id=data.product_option_id,
            quantity=data.quantity,
            min_share=data.min_share,
            max_share=data.max_share,
            pay_type=PayType.parse(pay_type),
            payer=payer,
        )
        status, body = await place_order.execute(
            command, idempotency_key, data.model_dump_json(by_alias=True) + pay_type.upper()
        )
        return Response(body, status_code=status)

    @get("/list/user", operation_id="listUserOrders")
    async def list_user(
        self,
        caller: NamedDependency[Caller],
        list_orders: NamedDependency[ListUserOrders],
        user_id: Annotated[int | None, QueryParameter(name="userId", ge=1, le=MAX_ID)] = None,
    ) -> Response[Any]:
        """A user's orders, newest first."""
        acting = caller.acting_user(user_id)
        orders = await list_orders.execute(acting, caller.user_id)
        return ok([order_json(o) for o in orders])

    @get("/confirm", operation_id="confirmPurchaseGet")
    async def confirm_get(
        self,
        caller: NamedDependency[Caller],
        confirm: NamedDependency[ConfirmPurchase],
        order_id: Annotated[int, QueryParameter(name="orderId", ge=1, le=MAX_ID)],
    ) -> Response[Any]:
        """Purchase confirmation (구매확정)."""
        return await _confirm(caller, confirm, order_id)

    @post("/confirm", operation_id="confirmPurchase", status_code=200)
    async def confirm_post(
        self,
        caller: NamedDependency[Caller],
        confirm: NamedDependency[ConfirmPurchase],
        order_id: Annotated[int, QueryParameter(name="orderId", ge=1, le=MAX_ID)],
    ) -> Response[Any]:
        """Purchase confirmation (구매확정)."""
        return await _confirm(caller, confirm, order_id)


async def _confirm(
    caller: NamedDependency[Caller], confirm: NamedDependency[ConfirmPurchase], order_id: int
) -> Response[Any]:
    order = await confirm.execute(
        ConfirmPurchaseCommand(order_id=order_id, acting_user_id=caller.user_id)
    )
    return ok(order_json(order))

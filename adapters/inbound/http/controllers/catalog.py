from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import Body, Parameter, QueryParameter

from adapters.inbound.http.dependencies import caller_use_case, use_case
from adapters.inbound.http.envelope import ok
from adapters.inbound.http.identity import Caller
from adapters.inbound.http.schemas import (
    MAX_ID,
    NewProductBody,
    NewUserBody,
    product_json,
    user_json,
)
from application.catalog import AddProduct, AddProductCommand, RegisterUser
from application.queries import GetProduct, ListProductBuyers


class CatalogController(Controller):
    path = "/api/v1"
    tags = ["users and products"]
    dependencies = {
        "register_user": caller_use_case("register_user"),
        "add_product": caller_use_case("add_product"),
        "get_product": use_case("get_product"),
        "buyers": caller_use_case("list_product_buyers"),
    }

    @post("/user", operation_id="registerUser", status_code=201)
    async def new_user(
        self,
        caller: NamedDependency[Caller],
        register_user: NamedDependency[RegisterUser],
        data: Annotated[NewUserBody, Body()],
    ) -> Response[Any]:
        """Registers a user; `data` is the user with its id."""
        caller.require_service()
        return ok(user_json(await register_user.execute(data.name)), status=201)

    @post("/product", operation_id="addProduct", status_code=201)
    async def new_product(
        self,
        caller: NamedDependency[Caller],
        add_product: NamedDependency[AddProduct],
        data: Annotated[NewProductBody, Body()],
    ) -> Response[Any]:
        """Adds a product and its options; `data` is the product with ids."""
        caller.require_service()
        product = await add_product.execute(
            AddProductCommand(
                name=data.name,
                price=data.price,
                options=[(o.name, o.extra_price) for o in data.options],
            )
        )
        return ok(product_json(product), status=201)

    @get("/product/{product_id:int}", operation_id="getProduct")
    async def product(
        self,
        get_product: NamedDependency[GetProduct],
        product_id: Annotated[int, Parameter(ge=1, le=MAX_ID)],
    ) -> Response[Any]:
        """One product with its options."""
        return ok(product_json(await get_product.execute(product_id)))

    @get("/user/list/product", operation_id="listProductBuyers")
    async def buyers(
        self,
        caller: NamedDependency[Caller],
        buyers: NamedDependency[ListProductBuyers],
        product_id: Annotated[int, QueryParameter(name="productId", ge=1, le=MAX_ID)],
    ) -> Response[Any]:
        """Users with a live order for the product."""
        caller.require_service()
        return ok([user_json(u) for u in await buyers.execute(product_id)])

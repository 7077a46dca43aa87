"""Request bodies (camelCase JSON, strict types, bounded numbers) and response shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr
from pydantic.alias_generators import to_camel

from domain.catalog import Product
from domain.group import Group
from domain.order import Order
from domain.user import User
from domain.views import OrderView, UserView

MAX_ID = 2**63 - 1
Id = Annotated[StrictInt, Field(ge=1, le=MAX_ID)]
Won = Annotated[StrictInt, Field(ge=0, le=10**12)]
Count = Annotated[StrictInt, Field(ge=0, le=10**6)]


class Body(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class OpenBankingAccount(Body):
    fintech_use_num: Annotated[StrictStr, Field(min_length=1, max_length=24)]
    access_token: Annotated[StrictStr, Field(min_length=1, max_length=2048)]
    client_name: Annotated[StrictStr, Field(min_length=1, max_length=20)] | None = None
    """The account holder's name (Open Banking's user_name), sent as 요청고객성명."""


class PlaceOrderBody(Body):
    user_id: Id | None = None
    product_id: Id
    product_option_id: Annotated[StrictInt, Field(ge=0, le=MAX_ID)] = 0
    min_share: Count
    max_share: Count = 0
    quantity: Count
    transaction: OpenBankingAccount | Annotated[StrictStr, Field(max_length=0)] | None = None


class MatchGroupBody(Body):
    group_id: Id
    order_id_list: Annotated[list[Id], Field(min_length=1, max_length=10_000)]


class NewUserBody(Body):
    name: Annotated[StrictStr, Field(min_length=1, max_length=100)]


class NewOptionBody(Body):
    name: Annotated[StrictStr, Field(min_length=1, max_length=200)]
    extra_price: Won = 0


class NewProductBody(Body):
    name: Annotated[StrictStr, Field(min_length=1, max_length=200)]
    price: Won
    options: Annotated[list[NewOptionBody], Field(max_length=100)] = []


def millis(at: datetime | None) -> int | None:
    return int(at.timestamp() * 1000) if at else None


def order_json(order: Order | OrderView) -> dict[str, Any]:
    return {
        "id": order.id,
        "userId": order.user_id,
        "productId": order.product_id,
        "productOptionId": order.product_option_id,
        "quantity": order.quantity,
        "quantitiy": order.quantity,  # the seed's spelling, kept for its clients
        "minShare": order.min_share,
        "maxShare": order.max_share,
        "transAmount": order.trans_amount,
        "payType": order.pay_type.value,
        "transactionId": order.transaction_id,
        "groupId": order.group_id or 0,
        "state": order.state.value,
        "createdAt": millis(order.created_at),
        "updatedAt": millis(order.updated_at),
    }


def user_json(user: User | UserView) -> dict[str, Any]:
    return {
        "id": user.id,
        "name": user.name,
        "createdAt": millis(user.created_at),
        "updatedAt": millis(user.updated_at),
    }


def product_json(product: Product) -> dict[str, Any]:
    return {
        "id": product.id,
        "name": product.name,
        "price": product.price,
        "options": [
            {"id": o.id, "name": o.name, "extraPrice": o.extra_price} for o in product.options
        ],
        "createdAt": millis(product.created_at),
    }


def group_json(group: Group, order_ids: list[int] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "groupId": group.id,
        "productId": group.product_id,
        "size": group.size,
        "state": group.state.value,
        "createdAt": millis(group.created_at),
    }
    if order_ids is not None:
        body["orderIdList"] = order_ids
    return body

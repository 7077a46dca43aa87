"""Where the platforms send buyers (and their servers) back: approval, fail and cancel."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, route
from litestar.di import NamedDependency
from litestar.enums import HttpMethod
from litestar.exceptions import ClientException, SerializationException
from litestar.params import FromPath

from adapters.inbound.callbacks.result_page import error_page, shopper_answer
from adapters.inbound.callbacks.return_urls import PAY_TYPE_OF_SLUG
from adapters.inbound.http.dependencies import use_case
from adapters.inbound.http.request_limits import check_text, is_json
from application.abandon_payment import AbandonPayment, AbandonPaymentCommand
from application.approve_payment import ApprovePayment, ApprovePaymentCommand
from domain.errors import DomainError, InvalidInput
from domain.pay_type import PayType

GET_POST = [HttpMethod.GET, HttpMethod.POST]


class PaymentCallbackController(Controller):
    path = "/api/v1"
    tags = ["payment callbacks"]
    exception_handlers = {DomainError: error_page}
    dependencies = {
        "approve": use_case("approve_payment"),
        "abandon": use_case("abandon_payment"),
    }

    @route(
        "/order/transaction/done/{pay_type:str}/{transaction_id:str}",
        http_method=GET_POST,
        operation_id=lambda handler, method, path: f"paymentDone{method.title()}",
        status_code=200,
    )
    async def done(
        self,
        request: Request[Any, Any, Any],
        approve: NamedDependency[ApprovePayment],
        pay_type: FromPath[str],
        transaction_id: FromPath[str],
    ) -> Response[Any]:
        """The platform says the buyer paid; the service approves it with the platform."""
        params = await _params(request)
        command = ApprovePaymentCommand(
            pay_type=PayType.parse(pay_type), transaction_id=transaction_id, callback=params
        )
        return await shopper_answer(request, approve.execute(command))

    @route(
        "/transaction/{platform:str}/{outcome:str}/{transaction_id:str}",
        http_method=GET_POST,
        operation_id=lambda handler, method, path: f"paymentAbandoned{method.title()}",
        status_code=200,
    )
    async def abandoned(
        self,
        request: Request[Any, Any, Any],
        abandon: NamedDependency[AbandonPayment],
        platform: FromPath[str],
        outcome: FromPath[str],
        transaction_id: FromPath[str],
    ) -> Response[Any]:
        """The buyer's payment failed (`fail`) or they quit (`cancel`), as the platform confirms."""
        pay_type = PAY_TYPE_OF_SLUG.get(platform.lower())
        if pay_type is None or outcome not in ("fail", "cancel"):
            raise InvalidInput(f"no such payment callback: {platform}/{outcome}")
        command = AbandonPaymentCommand(
            pay_type=pay_type,
            transaction_id=transaction_id,
            cancelled_by_user=outcome == "cancel",
            callback=await _params(request),
        )
        return await shopper_answer(request, abandon.execute(command))


async def _params(request: Request[Any, Any, Any]) -> dict[str, str]:
    """Query parameters, plus form or JSON fields when a platform POSTs them.

    JSON is recognised exactly as the request-limit middleware recognises it (so it has been
    checked there); a multipart form, which the middleware does not parse, is checked here."""
    params = {k: str(v) for k, v in request.query_params.items()}
    if request.method == "POST":
        kind = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if is_json(kind):
            try:
                body = await request.json()
            except SerializationException as exc:
                raise ClientException(f"the body is not valid JSON: {exc}") from exc
            if isinstance(body, dict):
                params.update({k: str(v) for k, v in body.items() if v is not None})
        elif kind in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.form()
            fields = {k: str(v) for k, v in form.items()}
            check_text([*fields, *fields.values()], "form")
            params.update(fields)
    return params

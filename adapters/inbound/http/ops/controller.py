"""`/ops`: what money is stuck and why, and the two things an operator may do about it.

The actions run the very use-cases the worker runs (`console_reconcile`, `console_refund` in
the container), so they are as idempotent as the worker's runs: a second click does nothing."""

from __future__ import annotations

from datetime import timedelta
from html import escape
from types import SimpleNamespace
from typing import Annotated, Any
from urllib.parse import urlsplit

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotAuthorizedException
from litestar.params import Body
from litestar.response import Redirect

from adapters.inbound.http.ops import page
from adapters.inbound.http.ops.forms import ACTIONS, form_token, same_origin, token_is_valid
from adapters.inbound.http.service_guard import OPS_COOKIE, service_caller
from domain.errors import DomainError, Forbidden

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
HISTORIES = 30
HTML = "text/html; charset=utf-8"
RESOLUTIONS = {
    "PAID": "the platform reports the payment approved: the order is PAID",
    "FAILED": "the platform reports no payment: the order did not pay",
    "NOTHING_TO_DO": "nothing to do: the payment no longer waits on its platform",
}
UNSETTLED = (
    "not settled: the platform has not decided yet (the buyer may still be paying); "
    "the worker keeps asking"
)


def _html(body: str, status: int = 200, title: str = "gonggu ops") -> Response[str]:
    return Response(page.document(title, body), status_code=status, media_type=HTML)


def _signed_in(request: Request[Any, Any, Any]) -> bool:
    try:
        service_caller(request).require_service()
    except (NotAuthorizedException, Forbidden):
        return False
    return True


def _sign_in_page(reason: str) -> Response[str]:
    return _html(
        "<h1>gonggu operator console</h1>"
        f'<p class="flash bad">{escape(reason)}</p>'
        '<form method="post" action="/ops/login"><label>service token '
        '<input type="password" name="token" size="60" autocomplete="off"></label> '
        '<button type="submit">sign in</button></form>',
        status=401,
    )


class OpsController(Controller):
    path = "/ops"
    include_in_schema = False

    @get("/", operation_id="opsConsole")
    async def console(self, request: Request[Any, Any, Any]) -> Response[str]:
        if not _signed_in(request):
            return _sign_in_page("This console needs the service credential.")
        container = request.app.state.container
        queries, now = container.operator_queries(), container.clock().now()
        items = await queries.stuck(now)
        histories = {
            item.order_id: await queries.history(item.order_id)
            for item in items[:HISTORIES]
            if item.order_id is not None
        }
        settings = container.settings()
        forms = {
            item.order_id: page.action_form(
                action, ACTIONS[action], item.order_id, form_token(settings, action, item.order_id)
            )
            for item in items
            if item.order_id is not None and (action := _action_for(item.kind)) is not None
        }
        body = (
            "<h1>gonggu operator console</h1>"
            f'<p class="muted">as of {escape(page.when(now))} · '
            '<a href="/metrics">metrics</a> · <a href="/health/ready">readiness</a></p>'
            f"{page.cards(items)}"
            "<h2>Stuck money</h2>"
            f"{page.stuck_table(items, histories, forms)}"
            "<h2>Payments and refunds per hour</h2>"
            f"{page.chart_block(await queries.hourly(now))}"
            "<h2>Platform calls in the last hour</h2>"
            f"{page.rates_table(await queries.platform_outcomes(now - timedelta(hours=1)))}"
            "<h2>Orders by state and platform</h2>"
            f"{page.order_counts_table(await queries.order_counts())}"
        )
        return _html(body)

    @post("/login", operation_id="opsLogin", status_code=303)
    async def login(self, request: Request[Any, Any, Any], data: Form) -> Response[Any]:
        token = data.get("token", "").strip()
        authenticator = request.app.state.container.authenticator()
        try:
            headers = {"authorization": f"Bearer {token}"}
            authenticator.caller(SimpleNamespace(headers=headers)).require_service()
        except (NotAuthorizedException, Forbidden):
            return _sign_in_page("That is not a service credential.")
        secure = request.url.scheme == "https"
        response: Response[Any] = Redirect("/ops/", status_code=303)
        response.set_cookie(
            OPS_COOKIE, token, httponly=True, samesite="strict", secure=secure, path="/"
        )
        return response

    @post("/confirm", operation_id="opsConfirm", status_code=200)
    async def confirm(self, request: Request[Any, Any, Any], data: Form) -> Response[str]:
        checked = self._checked(request, data)
        if isinstance(checked, Response):
            return checked
        action, order_id = checked
        container = request.app.state.container
        history = await container.operator_queries().history(order_id)
        item = next(
            (
                i
                for i in await container.operator_queries().stuck(container.clock().now())
                if i.order_id == order_id
            ),
            None,
        )
        what = (
            f"{escape(item.kind)} on {escape(item.platform)}, {escape(page.won(item.amount))}, "
            f"state {escape(item.state)}, tries so far: {item.attempts}"
            if item
            else "no longer in the stuck list (running it again changes nothing)"
        )
        body = (
            f"<h1>{escape(ACTIONS[action].capitalize())}?</h1>"
            f"<p>Order #{order_id}: {what}.</p>"
            f"<p class='muted'>This asks the platform, exactly as the worker does; it is safe "
            f"to repeat.</p>{page.history_block(history)}"
            '<form method="post" action="/ops/run">'
            f'<input type="hidden" name="action" value="{escape(action)}">'
            f'<input type="hidden" name="orderId" value="{order_id}">'
            f'<input type="hidden" name="token" value="{escape(data.get("token", ""))}">'
            '<input type="hidden" name="confirm" value="yes">'
            f'<button type="submit">Yes, {escape(ACTIONS[action])}</button> '
            '<a href="/ops/">cancel</a></form>'
        )
        return _html(body, title="confirm")

    @post("/run", operation_id="opsRun", status_code=200)
    async def run(self, request: Request[Any, Any, Any], data: Form) -> Response[str]:
        checked = self._checked(request, data)
        if isinstance(checked, Response):
            return checked
        action, order_id = checked
        if data.get("confirm") != "yes":
            return _html("<h1>Not confirmed</h1><a href='/ops/'>back</a>", status=400)
        container = request.app.state.container
        try:
            if action == "reconcile":
                resolution = await container.console_reconcile().execute(order_id)
                code = str(getattr(resolution, "value", resolution))
                done = code in RESOLUTIONS
                outcome = RESOLUTIONS.get(code, UNSETTLED)
            else:
                refund = await container.console_refund().execute(
                    order_id, reason="retried by an operator"
                )
                done = bool(refund.refunded)
                outcome = (
                    "the platform confirmed the refund: the order is REFUNDED"
                    if done
                    else f"not refunded: {refund.error}"
                )
        except DomainError as exc:
            done, outcome = False, f"failed: {exc.message}"
        css = "flash" if done else "flash bad"
        return _html(
            f"<h1>{escape(ACTIONS[action].capitalize())}: order #{order_id}</h1>"
            f'<p class="{css}" id="outcome">{"Done — " if done else ""}{escape(outcome)}</p>'
            '<p><a href="/ops/">back to the console</a></p>',
            title="result",
        )

    def _checked(
        self, request: Request[Any, Any, Any], data: dict[str, str]
    ) -> tuple[str, int] | Response[str]:
        if not _signed_in(request):
            return _sign_in_page("This console needs the service credential.")
        action, raw_id, token = data.get("action", ""), data.get("orderId", ""), data.get("token")
        if action not in ACTIONS or not raw_id.isdigit() or len(raw_id) > 18:
            return _html("<h1>Unknown action or order</h1><a href='/ops/'>back</a>", status=400)
        settings = request.app.state.container.settings()
        hosts = (request.headers.get("host", ""), urlsplit(settings.public_base_url).netloc)
        if not same_origin(request.headers, *hosts) or not token_is_valid(
            settings, action, int(raw_id), token or ""
        ):
            return _html(
                "<h1>Refused</h1><p>This form did not come from this console (or it is more "
                "than two hours old). Reload the console and try again.</p>"
                "<a href='/ops/'>back</a>",
                status=403,
            )
        return action, int(raw_id)


def _action_for(kind: str) -> str | None:
    return {"payment waiting": "reconcile", "refund pending": "refund"}.get(kind)

"""A person's stand-in for the Open Banking sign-up: a page that enrols a payer account and
shows the `fintechUseNum` / `accessToken` pair to paste into an order's `transaction`."""

from __future__ import annotations

import html
import json
from typing import Any

from litestar import MediaType, Request, Response, get, post
from litestar.handlers import HTTPRouteHandler

from sandbox.openbanking.ledger import Account, Ledger

PAGE = """<!doctype html><html lang="ko"><head><meta charset="utf-8">
<title>오픈뱅킹 sandbox 가입</title></head><body>
<h1>오픈뱅킹 sandbox: 계좌 등록</h1>
<form method="post" action="/openbanking/__sandbox__/signup">
<label>잔액 (원) <input name="balance" type="number" min="0" value="1000000"></label>
<button type="submit">계좌 등록</button></form>{result}</body></html>"""


def credentials(account: Account) -> dict[str, str]:
    """What the client keeps after sign-up (and sends as the order's `transaction`)."""
    return {
        "fintechUseNum": account.fintech_use_num,
        "accessToken": account.access_token,
        "userSeqNo": account.user_seq_no,
    }


def handlers(ledger: Ledger) -> list[HTTPRouteHandler]:
    """GET shows the form; POST enrols an account and shows its credentials."""

    @get("/__sandbox__/signup", status_code=200, media_type=MediaType.HTML)
    async def page() -> str:
        return PAGE.format(result="")

    @post("/__sandbox__/signup", status_code=200, media_type=MediaType.HTML)
    async def enrol(request: Request[Any, Any, Any]) -> Response[str]:
        form = await request.form()
        raw = str(form.get("balance") or "1000000")
        if not raw.isdigit():
            return Response(
                PAGE.format(result="<p>잔액은 0 이상의 정수</p>"),
                status_code=400,
                media_type=MediaType.HTML,
            )
        pair = credentials(ledger.enrol(int(raw)))
        shown = html.escape(json.dumps({k: pair[k] for k in ("fintechUseNum", "accessToken")}))
        result = f"<p>주문의 transaction 에 붙여 넣으세요:</p><pre>{shown}</pre>"
        return Response(PAGE.format(result=result), media_type=MediaType.HTML)

    return [page, enrol]

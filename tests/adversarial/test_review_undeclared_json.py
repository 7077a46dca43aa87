"""A reviewer's attack: JSON sent under another content type.

Litestar decodes a handler's `data` as JSON whatever the request's Content-Type says, but the
request-limit middleware ran its JSON checks (nesting, control characters) only on bodies
declared as JSON. So `Content-Type: text/plain` (or octet-stream, xml, even urlencoded) carried
a NUL into a stored user or product name — on PostgreSQL the "cannot reach its database" 503
of issue 7 again — and 1,000 levels of nesting to a 500."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import TestClient

from tests.adversarial.test_hostile_bodies import (
    BODY_ROUTES,
    api,  # noqa: F401 — the fixture
    assert_4xx_envelope,
    concrete,
)
from tests.e2e.shop import Shop

OTHER_TYPES = [
    "text/plain",
    "application/octet-stream",
    "application/xml",
    "application/x-www-form-urlencoded",
]


@pytest.mark.parametrize(("method", "path"), BODY_ROUTES)
@pytest.mark.parametrize("content_type", OTHER_TYPES)
def test_deep_json_under_another_content_type_is_400_on_every_route(
    api: TestClient[Any],  # noqa: F811
    method: str,
    path: str,
    content_type: str,
) -> None:
    nested = "[" * 2_000 + "]" * 2_000

    response = api.request(
        method, concrete(path), content=nested, headers={"content-type": content_type}
    )

    assert_4xx_envelope(response, 400)


@pytest.mark.parametrize(("method", "path"), BODY_ROUTES)
@pytest.mark.parametrize("content_type", OTHER_TYPES)
def test_a_control_character_in_json_under_another_content_type_is_400_on_every_route(
    api: TestClient[Any],  # noqa: F811
    method: str,
    path: str,
    content_type: str,
) -> None:
    body = '{"name": "kim\\u0000", "eventType": "PAYMENT_STATUS_CHANGED", "data": {}}'

    response = api.request(
        method, concrete(path), content=body, headers={"content-type": content_type}
    )

    assert_4xx_envelope(response, 400)


@pytest.mark.parametrize("content_type", OTHER_TYPES)
def test_nul_in_a_name_sent_as_text_plain_never_reaches_the_database(
    shop: Shop, content_type: str
) -> None:
    for path, body in [
        ("/api/v1/user", '{"name": "kim\\u0000"}'),
        ("/api/v1/product", '{"name": "\\u0000", "price": 1000}'),
    ]:
        response = shop.client.post(path, content=body, headers={"content-type": content_type})

        assert response.status_code == 400, response.text


def test_a_plain_form_body_on_a_callback_still_reaches_it(shop: Shop) -> None:
    data = shop.placed(shop.user(), shop.product()["id"], "TOSS_PAYMENTS")

    response = shop.client.post(
        f"/api/v1/transaction/tossPayments/cancel/{data['transactionId']}",
        content="code=PAY_PROCESS_CANCELED&message=user",
        headers={
            "content-type": "application/x-www-form-urlencoded",
            "accept": "application/json",
        },
    )

    assert response.status_code == 200, response.text

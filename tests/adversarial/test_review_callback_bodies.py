"""A reviewer's attacks on the payment callbacks' bodies, end to end.

The callbacks read POSTed fields as JSON whenever the content type mentions json, and as a
form for urlencoded *and* multipart bodies. The request-limit middleware checked only
`application/json` / `+json` and urlencoded bodies, so a `text/json` body reached
`request.json()` unchecked (malformed: a 500), and a multipart body carried NUL and other
control characters straight into a platform id that gonggu then stored."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.shop import Shop

JSON_ACCEPT = {"accept": "application/json"}


def _callbacks(transaction_id: str) -> list[str]:
    return [
        f"/api/v1/order/transaction/done/KAKAO_PAY/{transaction_id}",
        f"/api/v1/order/transaction/done/TOSS_PAYMENTS/{transaction_id}",
        f"/api/v1/transaction/kakaoPay/fail/{transaction_id}",
        f"/api/v1/transaction/naverPay/cancel/{transaction_id}",
    ]


@pytest.mark.parametrize(
    "content_type", ["text/json", "application/x-json", "text/x-json; charset=utf-8"]
)
@pytest.mark.parametrize(
    "body", [b"{", b'{"pg_token": 1e400}', b'{"pg_token": "a\x00b"}', b"\xff\xfe"]
)
def test_a_malformed_body_declared_as_some_other_json_is_400_not_500(
    shop: Shop, content_type: str, body: bytes
) -> None:
    data = shop.placed(shop.user(), shop.product()["id"], "KAKAO_PAY")

    for path in _callbacks(data["transactionId"]):
        response = shop.client.post(
            path, content=body, headers={"content-type": content_type, **JSON_ACCEPT}
        )

        assert response.status_code == 400, (path, response.text)
        assert response.json()["statusCode"] == 400


def _multipart(fields: dict[str, str]) -> tuple[bytes, dict[str, str]]:
    parts = b"".join(
        b'--zz\r\nContent-Disposition: form-data; name="%s"\r\n\r\n%s\r\n'
        % (name.encode(), value.encode())
        for name, value in fields.items()
    )
    return parts + b"--zz--\r\n", {"content-type": "multipart/form-data; boundary=zz"}


@pytest.mark.parametrize(
    ("pay_type", "field"),
    [("NAVER_PAY", "paymentId"), ("KAKAO_PAY", "pg_token"), ("TOSS_PAYMENTS", "paymentKey")],
)
def test_control_characters_in_a_multipart_callback_are_400_and_never_stored(
    shop: Shop, pay_type: str, field: str
) -> None:
    user = shop.user()
    data = shop.placed(user, shop.product()["id"], pay_type)
    body, headers = _multipart({field: "a\x00b\x01", "resultCode": "Fail"})

    response = shop.client.post(
        f"/api/v1/order/transaction/done/{pay_type}/{data['transactionId']}",
        content=body,
        headers={**headers, **JSON_ACCEPT},
    )

    assert response.status_code == 400, response.text
    order: dict[str, Any] = shop.client.get(f"/api/v1/order/{data['orderId']}").json()["data"]
    assert order["state"] == "PAYMENT_PENDING"
    assert order["payment"]["platformTransactionId"] in (None, data["payment"].get("tid"))

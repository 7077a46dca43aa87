"""The OpenAPI document tells a front-end developer the truth, and /docs works offline."""

from __future__ import annotations

import re
from typing import Any

import pytest
from litestar.testing import TestClient

from adapters.inbound.http.schemas import MAX_ID


@pytest.fixture
def document(client: TestClient[Any]) -> dict[str, Any]:
    response = client.get("/docs/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [op for item in document["paths"].values() for op in item.values() if "responses" in op]


def test_every_operation_has_a_summary_a_description_and_our_envelope(
    document: dict[str, Any],
) -> None:
    for op in operations(document):
        assert op.get("summary") and op.get("description"), op["operationId"]
        for status, answer in op["responses"].items():
            schema = answer["content"]["application/json"]["schema"]
            if "$ref" in schema:
                schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
            assert {"statusCode", "statusMsg", "data"} <= set(schema["properties"]), (
                op["operationId"],
                status,
            )


def test_errors_are_documented_per_operation(document: dict[str, Any]) -> None:
    place = document["paths"]["/api/v1/order/execute"]["post"]
    assert set(place["responses"]) == {
        "200", "400", "401", "403", "404", "409", "422", "502", "503", "504"
    }  # fmt: skip
    cancel = document["paths"]["/api/v1/order/cancel"]["post"]
    assert {"404", "409", "502"} <= set(cancel["responses"])
    done = document["paths"]["/api/v1/order/transaction/done/{pay_type}/{transaction_id}"]["get"]
    assert "text/html" in done["responses"]["200"]["content"]


def test_pay_types_and_states_are_enums(document: dict[str, Any]) -> None:
    place = document["paths"]["/api/v1/order/execute"]["post"]
    [pay_type] = [p for p in place["parameters"] if p["name"] == "payType"]
    assert pay_type["schema"]["enum"] == [
        "KAKAO_PAY", "NAVER_PAY", "OPEN_BANKING", "OPEN_BANK", "TOSS_PAYMENTS"
    ]  # fmt: skip
    schemas = document["components"]["schemas"]
    assert "REFUND_PENDING" in schemas["OrderState"]["enum"]
    assert schemas["GroupState"]["enum"] == ["MATCHED", "EXPIRED", "SETTLEMENT_READY"]


def test_bounds_are_integers_and_extra_fields_are_refused(document: dict[str, Any]) -> None:
    body = document["components"]["schemas"]["PlaceOrderBody"]
    assert body["additionalProperties"] is False
    assert body["properties"]["productId"]["maximum"] == MAX_ID
    text = str(document)
    assert not re.search(r"'(minimum|maximum)': \d+\.\d", text)
    assert "e+18" not in text


def test_examples_are_realistic(document: dict[str, Any]) -> None:
    place = document["paths"]["/api/v1/order/execute"]["post"]
    example = place["requestBody"]["content"]["application/json"]["examples"]["kakaoPay"]
    assert example["value"]["minShare"] == 2 and example["value"]["quantity"] == 2


def test_swagger_ui_loads_nothing_from_outside(client: TestClient[Any]) -> None:
    page = client.get("/docs")

    assert page.status_code == 200
    assets = re.findall(r'(?:src|href)=["\']([^"\']+)', page.text)
    assert assets and all(a.startswith("/docs-assets/") for a in assets), assets
    for asset in assets:
        assert client.get(asset).status_code == 200, asset


def test_swagger_ui_is_given_a_faithful_openapi_30_rendition(document: dict[str, Any]) -> None:
    from adapters.inbound.http.openapi.openapi30 import as_openapi30

    rendition = as_openapi30(document)

    assert rendition["openapi"] == "3.0.3"
    text = str(rendition)
    assert "'type': 'null'" not in text and "'type': [" not in text and "'const'" not in text
    payment = rendition["components"]["schemas"]["OrderDetail"]["properties"]["payment"]
    assert payment == {"allOf": [{"$ref": "#/components/schemas/PaymentInfo"}], "nullable": True}
    assert rendition["paths"].keys() == document["paths"].keys()

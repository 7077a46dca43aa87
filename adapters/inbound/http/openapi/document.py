"""Completes Litestar's generated document: our envelope and `data` for every answer, the
request bodies as pydantic states them (integer bounds, `additionalProperties: false`),
summaries, descriptions, enums, examples and the optional Bearer credential."""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from adapters.inbound.http import schemas as bodies
from adapters.inbound.http.openapi import shapes
from adapters.inbound.http.openapi.operations import ERRORS, OPERATIONS, Answer, Doc
from adapters.inbound.http.schemas import MAX_ID

REF = "#/components/schemas/{model}"
REQUEST_BODIES: list[type[BaseModel]] = [
    bodies.PlaceOrderBody,
    bodies.MatchGroupBody,
    bodies.NewUserBody,
    bodies.NewProductBody,
]
BEARER = {
    "type": "http",
    "scheme": "bearer",
    "bearerFormat": "JWT",
    "description": (
        "Only in `GONGGU_AUTH_MODE=jwt`: an HS256 token signed with GONGGU_JWT_SECRET; `sub` is "
        "the user id, `role: service` marks the matcher and catalog credential."
    ),
}
METHODS = ("get", "post", "put", "patch", "delete")


def complete(generated: dict[str, Any]) -> dict[str, Any]:
    """A new document: `generated` (Litestar's) with every operation fully described."""
    document = copy.deepcopy(generated)
    components = document.setdefault("components", {})
    registry = _Registry(components.setdefault("schemas", {}))
    registry.add_models(REQUEST_BODIES, "validation")
    components.setdefault("securitySchemes", {})["bearerAuth"] = BEARER
    for path_item in document.get("paths", {}).values():
        for method in METHODS:
            operation = path_item.get(method)
            if operation is None:
                continue
            doc = OPERATIONS.get(operation.get("operationId", ""))
            if doc is None:
                _envelope_400(operation, registry)
            else:
                _describe(operation, doc, registry)
    _integer_bounds(document)
    return document


class _Registry:
    """The components' schemas, with our shapes and their envelopes added on demand."""

    def __init__(self, schemas: dict[str, Any]) -> None:
        self.schemas = schemas

    def add_models(self, models: list[type[BaseModel]], mode: str = "serialization") -> None:
        _, top = models_json_schema([(m, mode) for m in models], ref_template=REF)  # type: ignore[misc]
        self.schemas.update(top.get("$defs", {}))

    def ref(self, model: type[BaseModel]) -> dict[str, str]:
        if model.__name__ not in self.schemas:
            self.add_models([model])
        return {"$ref": REF.format(model=model.__name__)}

    def envelope(self, data: Any, status: int) -> dict[str, Any]:
        if isinstance(data, type) and issubclass(data, shapes.ErrorEnvelope):
            return self.ref(data)
        if isinstance(data, list):
            data_schema: dict[str, Any] = {"type": "array", "items": self.ref(data[0])}
            name = f"{data[0].__name__}ListEnvelope"
        elif isinstance(data, type) and issubclass(data, BaseModel):
            data_schema, name = self.ref(data), f"{data.__name__}Envelope"
        elif isinstance(data, dict):
            return _envelope_schema(data, status)
        else:
            data_schema, name = {"type": "null"}, "NullEnvelope"
        name = name if status == 200 else f"{name}{status}"
        if name not in self.schemas:
            self.schemas[name] = _envelope_schema(data_schema, status)
        return {"$ref": REF.format(model=name)}


def _envelope_schema(data: dict[str, Any], status: int) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["statusCode", "statusMsg", "data"],
        "properties": {
            "statusCode": {"type": "integer", "enum": [status]},
            "statusMsg": {
                "type": "string",
                "description": '"success", or a sentence naming the problem',
                "examples": ["success" if status < 400 else "the reason"],
            },
            "data": data,
        },
    }


def _describe(operation: dict[str, Any], doc: Doc, registry: _Registry) -> None:
    operation["summary"] = doc.summary
    operation["description"] = doc.description
    responses: dict[str, Any] = {str(doc.status): _answer(doc.ok, doc.status, registry)}
    for status in doc.errors:
        special = doc.special.get(status)
        if isinstance(special, Answer):
            responses[str(status)] = _answer(special, status, registry)
            continue
        description, model = special or ERRORS[status]
        responses[str(status)] = {
            "description": description,
            "content": {"application/json": {"schema": registry.ref(model)}},
        }
    operation["responses"] = responses
    for parameter in operation.get("parameters", []):
        extra = doc.params.get(parameter.get("name", ""))
        if extra:
            extra = dict(extra)
            parameter["schema"] = {**parameter.get("schema", {}), **extra.pop("schema", {})}
            parameter.update(extra)
    body = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if body is not None and doc.body_examples:
        body["examples"] = doc.body_examples
    if doc.secured:
        operation["security"] = [{}, {"bearerAuth": []}]


def _answer(answer: Answer, status: int, registry: _Registry) -> dict[str, Any]:
    content: dict[str, Any] = {
        "application/json": {"schema": registry.envelope(answer.data, status)}
    }
    if answer.html:
        content["text/html"] = {"schema": {"type": "string", "description": "the shopper's page"}}
    return {"description": answer.description, "content": content}


def _envelope_400(operation: dict[str, Any], registry: _Registry) -> None:
    """Operations described elsewhere still answer a malformed request with our envelope."""
    responses = operation.get("responses", {})
    if "400" in responses:
        description, model = ERRORS[400]
        responses["400"] = {
            "description": description,
            "content": {"application/json": {"schema": registry.ref(model)}},
        }


def _integer_bounds(node: Any) -> None:
    """Litestar writes bounds as floats (2**63 - 1 even rounds up); integers get integers."""
    if isinstance(node, dict):
        if node.get("type") == "integer":
            for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
                value = node.get(key)
                if isinstance(value, float):
                    node[key] = MAX_ID if value >= MAX_ID else int(value)
        for value in node.values():
            _integer_bounds(value)
    elif isinstance(node, list):
        for value in node:
            _integer_bounds(value)

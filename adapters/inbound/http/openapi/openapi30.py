"""The document as OpenAPI 3.0, for the Swagger UI that swagger-ui-bundle ships (4.x reads 3.0
only). `/docs/openapi.json` stays 3.1; this is a faithful rendition for the page: `null` in a
type union becomes `nullable`, a schema's `examples` list its `example`, `const` an `enum`."""

from __future__ import annotations

import copy
from typing import Any

SUBSCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
SUBSCHEMA_MAPS = ("properties", "$defs", "patternProperties")
SUBSCHEMAS = ("items", "additionalProperties", "not", "contains")


def as_openapi30(document: dict[str, Any]) -> dict[str, Any]:
    converted = copy.deepcopy(document)
    converted["openapi"] = "3.0.3"
    for name, schema in converted.get("components", {}).get("schemas", {}).items():
        converted["components"]["schemas"][name] = _schema(schema)
    _schemas_under(converted.get("paths", {}))
    return converted


def _schemas_under(node: Any) -> None:
    """Every `schema` of parameters, request bodies and responses."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "schema" and isinstance(value, dict):
                node[key] = _schema(value)
            else:
                _schemas_under(value)
    elif isinstance(node, list):
        for value in node:
            _schemas_under(value)


def _schema(schema: Any) -> Any:
    if not isinstance(schema, dict):
        return schema
    schema = dict(schema)
    for key in SUBSCHEMA_LISTS:
        if key in schema:
            schema[key] = [_schema(s) for s in schema[key]]
    for key in SUBSCHEMA_MAPS:
        if isinstance(schema.get(key), dict):
            schema[key] = {k: _schema(s) for k, s in schema[key].items()}
    for key in SUBSCHEMAS:
        if isinstance(schema.get(key), dict):
            schema[key] = _schema(schema[key])
    if "const" in schema:
        schema["enum"] = [schema.pop("const")]
    if isinstance(schema.get("examples"), list):
        examples = schema.pop("examples")
        if examples:
            schema["example"] = examples[0]
    kind = schema.get("type")
    if isinstance(kind, list):
        others = [k for k in kind if k != "null"]
        if len(others) < len(kind):
            schema["nullable"] = True
        if len(others) == 1:
            schema["type"] = others[0]
        else:
            schema.pop("type")
            schema["anyOf"] = [{"type": k} for k in others]
    if kind == "null":
        return {"nullable": True, "enum": [None]}
    for key in ("anyOf", "oneOf"):
        options = schema.get(key)
        if not isinstance(options, list):
            continue
        real = [o for o in options if o != {"nullable": True, "enum": [None]}]
        if len(real) == len(options):
            continue
        schema["nullable"] = True
        if len(real) == 1:
            schema.pop(key)
            only = real[0]
            if "$ref" in only:
                schema["allOf"] = [only]
            else:
                schema.update(only)
        else:
            schema[key] = real
    return schema

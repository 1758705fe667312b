"""The JSON Schema of the record format, as pydantic gives it from the models."""

from __future__ import annotations

from typing import Any

from .model import RECORD_FORMAT_1_1, Record

__all__ = ["record_json_schema"]


def record_json_schema() -> dict[str, object]:
    """The JSON Schema of the record format (pydantic's model_json_schema, mode='validation'),
    with a $schema key and a title. Every valid record must validate against it
    (patternProperties for x_ fields), null for an optional field included (1.1)."""
    schema = Record.model_json_schema(mode="validation")
    _null_allowed(schema)
    for definition in schema.get("$defs", {}).values():
        _null_allowed(definition)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"closure-check assessment record ({RECORD_FORMAT_1_1}, which reads version 1)",
        **{k: v for k, v in schema.items() if k != "title"},
    }


def _allows_null(prop: dict[str, Any]) -> bool:
    return any(alt.get("type") == "null" for alt in prop.get("anyOf", ()))


def _null_allowed(model: dict[str, Any]) -> None:
    """Each optional property of a model's schema also accepts null (the field left out)."""
    required = set(model.get("required", ()))
    for name, prop in model.get("properties", {}).items():
        if name in required or _allows_null(prop):
            continue
        kept = {k: prop.pop(k) for k in ("title", "description", "default") if k in prop}
        model["properties"][name] = {"anyOf": [prop, {"type": "null"}], **kept}

"""The JSON Schema of the record format, as pydantic gives it from the models."""

from __future__ import annotations

from .model import RECORD_FORMAT, Record

__all__ = ["record_json_schema"]


def record_json_schema() -> dict[str, object]:
    """The JSON Schema of the record format (pydantic's model_json_schema, mode='validation'),
    with a $schema key and a title. Every valid record must validate against it
    (patternProperties for x_ fields)."""
    schema = Record.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"closure-check assessment record ({RECORD_FORMAT})",
        **{k: v for k, v in schema.items() if k != "title"},
    }

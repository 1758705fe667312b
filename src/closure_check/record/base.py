"""The record format's building blocks: dates (`YYYY-MM-DD`, none after the as-of date but
where the format allows), names of fields outside the format (`x_` only), and the strict base
model every part of the record is made of (`null` for an optional field is the field left out).
"""

from __future__ import annotations

import datetime
import re
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ..errors import show_value

# ---------------------------------------------------------------------------------------------
# Dates and field names
# ---------------------------------------------------------------------------------------------

_DATE_SHAPE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _custom(kind: str, message: str) -> PydanticCustomError:
    # The message goes in through the context so that braces in the user's text are kept as
    # they are instead of being read as a template.
    return PydanticCustomError(kind, "{message}", {"message": message})


def _to_date(value: object, info: ValidationInfo) -> datetime.date:
    """A date is a `YYYY-MM-DD` string, in JSON and YAML alike: never a number or a datetime.
    With an as-of date in the validation context, a later date is refused here, so that it is
    reported together with every other mistake in the record."""
    return _not_future(_parse_date(value), info)


def _parse_date(value: object) -> datetime.date:
    """A `YYYY-MM-DD` string (or a date, from Python callers) as a date, whenever it is."""
    if type(value) is datetime.date:  # from Python callers; JSON and YAML give text
        day = value
    elif not isinstance(value, str):
        raise _custom("date_type", f'must be a date written "YYYY-MM-DD", not {show_value(value)}')
    elif not _DATE_SHAPE.fullmatch(value):
        raise _custom("date_format", f"{show_value(value)} is not a date in the form YYYY-MM-DD")
    else:
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            raise _custom(
                "date_value", f"{show_value(value)} is not a real date (use YYYY-MM-DD)"
            ) from None
    return day


def _to_any_date(value: object) -> datetime.date:
    """A date that may be after the as-of date (a judgement's expiry)."""
    return _parse_date(value)


def _to_birth_date(value: object, info: ValidationInfo) -> datetime.date:
    """A child's date of birth: for an unborn child the expected date, which may be later than
    the as-of date (1.1). `unborn` comes before it in the model, so it is known here."""
    day = _parse_date(value)
    return day if info.data.get("unborn") is True else _not_future(day, info)


def _not_future(day: datetime.date, info: ValidationInfo) -> datetime.date:
    as_of = info.context.get(AS_OF) if info.context else None
    if as_of is not None and day > as_of:
        raise _custom(
            "date_future",
            f"{day.isoformat()} is after the as-of date {as_of.isoformat()}: nothing can have "
            "been recorded in the future",
        )
    return day


#: The key of the as-of date in pydantic's validation context (see `parse_record`).
AS_OF = "as_of"

_DATE_JSON_SCHEMA: dict[str, Any] = {
    "type": "string",
    "format": "date",
    "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
}

_Date = Annotated[datetime.date, BeforeValidator(_to_date), WithJsonSchema(_DATE_JSON_SCHEMA)]
_AnyDate = Annotated[
    datetime.date, BeforeValidator(_to_any_date), WithJsonSchema(_DATE_JSON_SCHEMA)
]
_BirthDate = Annotated[
    datetime.date, BeforeValidator(_to_birth_date), WithJsonSchema(_DATE_JSON_SCHEMA)
]


def _extra_name(name: str) -> str:
    """A field the record format does not name is only allowed when it starts with `x_`."""
    if name.startswith("x_"):
        return name
    raise _custom(
        "unknown_field",
        f"unknown field {show_value(name)} (fields not in the record format must start with x_)",
    )


_ExtraName = Annotated[str, AfterValidator(_extra_name)]

_X_FIELDS_SCHEMA: dict[str, Any] = {
    "patternProperties": {"^x_": {}},
    "additionalProperties": False,
}


class _Model(BaseModel):
    """Strict (`1` is not text, `"true"` is not a boolean); unknown fields are errors unless
    their names start with `x_`. Those are kept in `model_extra` and no rule reads them."""

    model_config = ConfigDict(extra="allow", strict=True, json_schema_extra=_X_FIELDS_SCHEMA)

    # pydantic validates the names of extra fields with this key type, in its fast core.
    __pydantic_extra__: dict[_ExtraName, Any] = Field(init=False)

    @model_validator(mode="before")
    @classmethod
    def _null_is_absent(cls, data: Any) -> Any:
        """`null` for an optional field is the field left out (1.1), lists and booleans too:
        case management exports often write it. A required field's null stays, to be refused."""
        if isinstance(data, dict) and None in data.values():
            optional = _optional_fields(cls)
            return {k: v for k, v in data.items() if v is not None or k not in optional}
        return data


def _optional_fields(model: type[BaseModel]) -> frozenset[str]:
    found = _OPTIONAL.get(model)
    if found is None:
        found = frozenset(n for n, f in model.model_fields.items() if not f.is_required())
        _OPTIONAL[model] = found
    return found


_OPTIONAL: dict[type[BaseModel], frozenset[str]] = {}

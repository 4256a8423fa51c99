"""Service input declared once: a pydantic model per input (limits in Field) that the
service validates. `validate` turns pydantic's errors into the project's
ValidationError with one friendly message per field.

Messages live next to the model, in a ClassVar `messages`: {field: message}, or
{field: {pydantic error type: message, "": any other}} when one field has several
(e.g. empty vs too long). A `field_validator` raising ValueError("...") supplies its
own message. A field without one gets pydantic's text.
"""

from __future__ import annotations

from typing import TypeVar

import pydantic
from pydantic import BaseModel

from .errors import ValidationError

M = TypeVar("M", bound=BaseModel)


def validate(model_cls: type[M], **values) -> M:
    """`model_cls(**values)`, or ValidationError({field: message}) naming every field at fault."""
    try:
        return model_cls(**values)
    except pydantic.ValidationError as exc:
        messages = getattr(model_cls, "messages", None) or {}
        errors: dict[str, str] = {}
        for problem in exc.errors():
            field = str(problem["loc"][0]) if problem.get("loc") else "form"
            errors.setdefault(field, _message(messages.get(field), problem))
        raise ValidationError(errors) from None


def _message(chosen, problem) -> str:
    if problem["type"] == "value_error" and "error" in problem.get("ctx", {}):
        return str(problem["ctx"]["error"])
    if isinstance(chosen, dict):
        chosen = chosen.get(problem["type"], chosen.get(""))
    return chosen or problem["msg"]

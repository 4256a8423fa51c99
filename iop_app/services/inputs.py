"""Service input declared once: a pydantic model per input, validated inside the
service, its failures turned into the project's ValidationError with the friendly
per-field messages the model declares next to its fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

import pydantic

from .errors import ValidationError

M = TypeVar("M", bound=pydantic.BaseModel)


def validate(model_cls: type[M], **values) -> M:
    """The model built from `values`, or ValidationError({field: message}).

    The model may declare `messages: ClassVar[dict]`: field -> message, or field ->
    {pydantic error type -> message, "" -> default}. A field without one gets
    pydantic's own wording."""
    try:
        return model_cls.model_validate(values)
    except pydantic.ValidationError as exc:
        declared = getattr(model_cls, "messages", {})
        errors: dict[str, str] = {}
        for problem in exc.errors():
            field = str(problem["loc"][0]) if problem["loc"] else "form"
            message = declared.get(field, problem["msg"])
            if isinstance(message, Mapping):
                message = message.get(problem["type"], message.get("", problem["msg"]))
            errors.setdefault(field, message)
        raise ValidationError(errors) from None

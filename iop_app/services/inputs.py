"""Service input declared once: a pydantic model per input, validated inside the
service, turned into the project's `ValidationError({field: friendly message})`.

A model subclasses ServiceInput (stripped text, no unknown fields; add `strict=True`
to the class line where the page converts values itself), lists in `blank_if_none`
the optional text fields a form may leave out (None reads as ""), and names its friendly
messages next to its fields in `messages`:
`{"note": "The note can be up to 2000 characters (this one is {length})."}` for any
problem with the field, and optionally `"note:missing"` (nothing given: None or
blank) and `"note:type"` (not the right kind of value) for those cases. `{length}`
is the length of the stripped text given. A validator's own `ValueError` message is
shown as it is; a field with no message shows pydantic's.
"""

from __future__ import annotations

from typing import Any, ClassVar, TypeVar

import pydantic

from .errors import ValidationError

M = TypeVar("M", bound=pydantic.BaseModel)


class ServiceInput(pydantic.BaseModel):
    """The base of a service's declared input (see the module docstring)."""

    model_config = pydantic.ConfigDict(str_strip_whitespace=True, extra="forbid")
    messages: ClassVar[dict[str, str]] = {}
    blank_if_none: ClassVar[tuple[str, ...]] = ()

    @pydantic.model_validator(mode="before")
    @classmethod
    def _none_is_blank(cls, values: Any) -> Any:
        if not cls.blank_if_none or not isinstance(values, dict):
            return values
        return {key: "" if value is None and key in cls.blank_if_none else value for key, value in values.items()}


def validate(model_cls: type[M], /, **values: Any) -> M:
    """`model_cls` over `values`, or ValidationError with one message per field at fault."""
    try:
        return model_cls.model_validate(values)
    except pydantic.ValidationError as exc:
        errors: dict[str, str] = {}
        for problem in exc.errors():
            field = str(problem["loc"][0]) if problem["loc"] else "form"
            errors.setdefault(field, _message(model_cls, field, problem))
        raise ValidationError(errors) from None


def _message(model_cls: type[pydantic.BaseModel], field: str, problem: dict) -> str:
    value = problem.get("input")
    if problem["type"] == "value_error":  # a validator's own words
        return str(problem["ctx"]["error"])
    messages: dict[str, str] = getattr(model_cls, "messages", {})
    kind = ("missing" if problem["type"] == "missing" or value is None or (isinstance(value, str) and not value.strip())
            else "type" if problem["type"].endswith(("_type", "_parsing")) else "")
    template = messages.get(f"{field}:{kind}") if kind else None
    template = template or messages.get(field)
    if template is None:
        return problem["msg"]
    return template.format(length=len(value.strip()) if isinstance(value, str) else 0)

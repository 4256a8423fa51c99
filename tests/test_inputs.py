"""services/inputs.validate: a service input declared once, refused with the
friendly message declared next to each field."""

from __future__ import annotations

from typing import ClassVar

import pytest
from pydantic import BaseModel, ConfigDict, Field

from iop_app.services.errors import ValidationError
from iop_app.services.inputs import validate


class Example(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")
    title: str = Field(min_length=1, max_length=10)
    count: int = Field(ge=1, le=5, strict=True)
    note: str = ""

    messages: ClassVar[dict] = {
        "title": {"string_too_long": "Keep the title short.", "": "Give a title."},
        "count": "Choose 1 to 5.",
    }


def test_valid_values_come_back_as_the_model():
    assert validate(Example, title="  Walk  ", count=3) == Example(title="Walk", count=3)


@pytest.mark.parametrize("values, errors", [
    ({"title": "", "count": 3}, {"title": "Give a title."}),
    ({"title": "x" * 11, "count": 3}, {"title": "Keep the title short."}),
    ({"title": ["x"], "count": 3}, {"title": "Give a title."}),
    ({"title": "Walk", "count": "3"}, {"count": "Choose 1 to 5."}),  # strict: the state converts browser text
    ({"title": "", "count": 9}, {"title": "Give a title.", "count": "Choose 1 to 5."}),
])
def test_each_bad_field_gets_its_declared_message(values, errors):
    with pytest.raises(ValidationError) as exc:
        validate(Example, **values)
    assert exc.value.errors == errors


def test_a_field_without_a_declared_message_gets_pydantics_and_extras_are_refused():
    with pytest.raises(ValidationError) as exc:
        validate(Example, title="Walk", count=2, note=5, colour="red")
    assert set(exc.value.errors) == {"note", "colour"} and all(exc.value.errors.values())

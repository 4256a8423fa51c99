"""Service input declared once (services/inputs.py): a pydantic model's problems
come back as the project's ValidationError, one friendly message per field."""

from __future__ import annotations

from typing import ClassVar

import pytest
from pydantic import BaseModel, ConfigDict, Field, field_validator

from iop_app.services import checkins, goals, needs
from iop_app.services.errors import ValidationError
from iop_app.services.inputs import validate


class Pet(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    name: str = Field(min_length=1, max_length=5)
    legs: int = Field(ge=0, le=4, strict=True)
    colour: str = ""

    messages: ClassVar[dict[str, str]] = {
        "name": "A name can be up to 5 characters (this one is {length}).",
        "name:missing": "Please name the pet.",
        "name:type": "A name is text.",
        "legs": "Legs: a whole number from 0 to 4.",
    }

    @field_validator("colour")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in ("", "black", "white"):
            raise ValueError("Black or white, please.")
        return value


def test_valid_values_come_back_as_the_model_stripped():
    pet = validate(Pet, name="  Rex ", legs=4)
    assert (pet.name, pet.legs, pet.colour) == ("Rex", 4, "")


@pytest.mark.parametrize("values,expected", [
    (dict(name="Rexford", legs=4), {"name": "A name can be up to 5 characters (this one is 7)."}),
    (dict(name="   ", legs=4), {"name": "Please name the pet."}),
    (dict(name=None, legs=4), {"name": "Please name the pet."}),
    (dict(name=12, legs=4), {"name": "A name is text."}),
    (dict(name="Rex", legs=5), {"legs": "Legs: a whole number from 0 to 4."}),
    (dict(name="Rex", legs="4"), {"legs": "Legs: a whole number from 0 to 4."}),
    (dict(name="Rex", legs=True), {"legs": "Legs: a whole number from 0 to 4."}),
    (dict(name="Rex", legs=4, colour="green"), {"colour": "Black or white, please."}),
    (dict(name="", legs=9, colour="green"),
     {"name": "Please name the pet.", "legs": "Legs: a whole number from 0 to 4.",
      "colour": "Black or white, please."}),
])
def test_each_field_at_fault_gets_its_own_friendly_message(values, expected):
    with pytest.raises(ValidationError) as exc:
        validate(Pet, **values)
    assert exc.value.errors == expected


def test_a_field_without_a_message_and_an_unknown_field_are_still_reported():
    with pytest.raises(ValidationError) as exc:
        validate(Pet, legs=1, owner="me")
    assert set(exc.value.errors) == {"name", "owner"} and all(exc.value.errors.values())


@pytest.mark.parametrize("model,values,field,message", [
    (checkins.CheckinInput, dict(mood=None, anxiety=1, craving=1, sleep_hours=7, used_substance=False),
     "mood", "Please enter your mood, 1 to 10."),
    (checkins.CheckinInput, dict(mood="7; DROP TABLE", anxiety=1, craving=1, sleep_hours=7, used_substance=False),
     "mood", "Mood is a whole number from 1 to 10."),
    (checkins.CheckinInput, dict(mood=5, anxiety=1, craving=1, sleep_hours=float("nan"), used_substance=False),
     "sleep_hours", "Hours slept is a number from 0 to 24."),
    (checkins.CheckinInput, dict(mood=5, anxiety=1, craving=1, sleep_hours=7, used_substance=False, note="x" * 2001),
     "note", "The note can be up to 2000 characters (this one is 2001)."),
    (goals.GoalCreate, dict(title=" ", life_area="sobriety"), "title", "Please enter a title."),
    (goals.GoalCreate, dict(title="Ok", life_area="moon"), "life_area", "Choose a life area."),
    (goals.GoalProgress, dict(progress_pct=50.5), "progress_pct", "Progress is a whole number from 0 to 100."),
    (needs.NeedCreate, dict(label="x" * 121), "label", "A need can be up to 120 characters (this one is 121)."),
])
def test_the_service_inputs_keep_their_messages(model, values, field, message):
    with pytest.raises(ValidationError) as exc:
        validate(model, **values)
    assert exc.value.errors[field] == message

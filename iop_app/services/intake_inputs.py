"""What an intake and assessment takes, declared once (services/intake.py checks it
with services/inputs.validate). The page builds its form from the same names and
labels, so a message always lands next to the field it is about.

Field keys on the page: the intake's own fields by name (FIELDS), an ASAM
dimension's risk and narrative as `risk_d1` / `narrative_d1` (rating_key), and a
substance row's fields as `sub0_route` (substance_key).
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal

from pydantic import Field, field_validator

from ..models.enums import LevelOfCare, RiskLevel
from .inputs import ServiceInput

# name -> (label, longest text): the intake's free-text fields, in the order of the form.
FIELDS: dict[str, tuple[str, int]] = {
    "referral_source": ("Referral source", 200),
    "presenting_problem": ("Presenting problem", 4000),
    "prior_treatment": ("Prior treatment", 4000),
    "medical_conditions": ("Medical conditions", 2000),
    "medications": ("Medications", 2000),
    "allergies": ("Allergies", 1000),
    "mental_health_history": ("Mental health history", 4000),
    "current_symptoms": ("Current symptoms", 2000),
    "risk_notes": ("Risk screen notes", 2000),
    "trauma": ("Trauma history", 4000),
    "legal": ("Legal", 2000),
    "employment": ("Employment and education", 2000),
    "housing": ("Housing", 2000),
    "family_social": ("Family and social supports", 4000),
    "strengths": ("Strengths", 2000),
    "level_rationale": ("Rationale for the level of care", 2000),
}
CHOICES: dict[str, str] = {  # name -> label: the fields chosen from a closed set
    "suicide_risk": "Suicide risk",
    "homicide_risk": "Homicide risk",
    "recommended_level": "Recommended level of care",
}
# What signing needs besides the six ratings and one substance (a draft may lack anything).
REQUIRED_TO_SIGN = ("referral_source", "presenting_problem", "recommended_level", "level_rationale")

RISK_LABELS = {0: "0 — none", 1: "1 — mild", 2: "2 — moderate", 3: "3 — significant", 4: "4 — severe"}
NARRATIVE_MAX = 4000
MAX_SUBSTANCES = 12
SUBSTANCE_FIELDS: dict[str, tuple[str, int]] = {  # name -> (label, longest text)
    "substance": ("Substance", 60),
    "first_use_age": ("Age at first use", 0),
    "route": ("Route", 40),
    "frequency": ("Frequency", 80),
    "amount": ("Amount", 80),
    "last_use": ("Last use", 0),
    "longest_abstinence": ("Longest abstinence", 80),
}
ITEM_LABEL_MAX = 200


def rating_key(part: str, dimension: str) -> str:
    """`risk_d1`, `narrative_d3`: the page's name of a dimension's field."""
    return f"{part}_{dimension}"


def substance_key(index: int, name: str) -> str:
    """`sub0_route`: the page's name of a field of substance row `index`."""
    return f"sub{index}_{name}"


def _too_long(label: str, limit: int) -> str:
    return f"{label} can be up to {limit} characters (this one is {{length}})."


class IntakeFields(ServiceInput):
    """The intake's own fields. Anything may be empty in a draft."""

    blank_if_none = (*FIELDS, "recommended_level")

    referral_source: str = Field("", max_length=FIELDS["referral_source"][1])
    presenting_problem: str = Field("", max_length=FIELDS["presenting_problem"][1])
    prior_treatment: str = Field("", max_length=FIELDS["prior_treatment"][1])
    medical_conditions: str = Field("", max_length=FIELDS["medical_conditions"][1])
    medications: str = Field("", max_length=FIELDS["medications"][1])
    allergies: str = Field("", max_length=FIELDS["allergies"][1])
    mental_health_history: str = Field("", max_length=FIELDS["mental_health_history"][1])
    current_symptoms: str = Field("", max_length=FIELDS["current_symptoms"][1])
    risk_notes: str = Field("", max_length=FIELDS["risk_notes"][1])
    trauma: str = Field("", max_length=FIELDS["trauma"][1])
    legal: str = Field("", max_length=FIELDS["legal"][1])
    employment: str = Field("", max_length=FIELDS["employment"][1])
    housing: str = Field("", max_length=FIELDS["housing"][1])
    family_social: str = Field("", max_length=FIELDS["family_social"][1])
    strengths: str = Field("", max_length=FIELDS["strengths"][1])
    level_rationale: str = Field("", max_length=FIELDS["level_rationale"][1])
    suicide_risk: RiskLevel = RiskLevel.NONE
    homicide_risk: RiskLevel = RiskLevel.NONE
    recommended_level: LevelOfCare | Literal[""] = ""

    messages: ClassVar[dict[str, str]] = {
        **{name: _too_long(label, limit) for name, (label, limit) in FIELDS.items()},
        **{f"{name}:type": f"{label} must be text." for name, (label, _) in FIELDS.items()},
        "suicide_risk": "Choose the suicide risk from the list.",
        "homicide_risk": "Choose the homicide risk from the list.",
        "recommended_level": "Choose a level of care from the list.",
    }

    @field_validator("suicide_risk", "homicide_risk", mode="before")
    @classmethod
    def _default_risk(cls, value):
        return RiskLevel.NONE if value in (None, "") else value


class RatingInput(ServiceInput):
    """One ASAM dimension: risk 0-4 (None: not rated yet) and the narrative."""

    blank_if_none = ("narrative",)

    risk: int | None = Field(None, ge=0, le=4, strict=True)
    narrative: str = Field("", max_length=NARRATIVE_MAX)

    messages: ClassVar[dict[str, str]] = {
        "risk": "Choose a risk rating from 0 to 4.",
        "narrative": _too_long("The narrative", NARRATIVE_MAX),
        "narrative:type": "The narrative must be text.",
    }


class SubstanceInput(ServiceInput):
    """One row of the substance history."""

    blank_if_none = ("route", "frequency", "amount", "longest_abstinence")

    substance: str = Field(min_length=1, max_length=SUBSTANCE_FIELDS["substance"][1])
    first_use_age: int | None = Field(None, ge=1, le=99, strict=True)
    route: str = Field("", max_length=SUBSTANCE_FIELDS["route"][1])
    frequency: str = Field("", max_length=SUBSTANCE_FIELDS["frequency"][1])
    amount: str = Field("", max_length=SUBSTANCE_FIELDS["amount"][1])
    last_use: date | None = Field(None, strict=True)
    longest_abstinence: str = Field("", max_length=SUBSTANCE_FIELDS["longest_abstinence"][1])

    messages: ClassVar[dict[str, str]] = {
        "substance": _too_long("The substance", SUBSTANCE_FIELDS["substance"][1]),
        "substance:missing": "Name the substance (or empty the whole row).",
        "first_use_age": "Age at first use is a whole number of years from 1 to 99.",
        "route": _too_long("The route", SUBSTANCE_FIELDS["route"][1]),
        "frequency": _too_long("The frequency", SUBSTANCE_FIELDS["frequency"][1]),
        "amount": _too_long("The amount", SUBSTANCE_FIELDS["amount"][1]),
        "last_use": "Enter the day of last use as a date.",
        "longest_abstinence": _too_long("Longest abstinence", SUBSTANCE_FIELDS["longest_abstinence"][1]),
    }


class InitialsInput(ServiceInput):
    """Initials typed by the person who initials (letters, optionally with dots,
    hyphens, apostrophes or spaces between them)."""

    initials: str = Field(min_length=1, max_length=8, pattern=r"^[^\W\d_]+(?:[.\-' ]+[^\W\d_]+)*\.?$")

    messages: ClassVar[dict[str, str]] = {
        "initials": "Type your initials: letters only, up to 8 characters.",
        "initials:missing": "Type your initials.",
    }


class ItemLabel(ServiceInput):
    label: str = Field(min_length=3, max_length=ITEM_LABEL_MAX)

    messages: ClassVar[dict[str, str]] = {
        "label": f"An item's name is 3 to {ITEM_LABEL_MAX} characters (this one is {{length}}).",
        "label:missing": "Name the item.",
        "label:type": "The item's name must be text.",
    }

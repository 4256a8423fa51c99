"""Standardised measures scored exactly as published: PHQ-9, GAD-7, AUDIT, AUDIT-C,
DAST-10, BAM, URICA, PCL-5 and the Readiness Ruler.

`score(code, answers, *, sex=None)` takes answers as stored — a mapping of 1-based item
numbers (int) to int answers, each one of that item's option values — and returns a
`Score`. Anything else (a missing item, an unknown item, a value out of range, a bool, a
string, an unknown code or sex) is refused whole with a ValidationError whose fields name
each item at fault ("item_3") and whose messages say which values that item allows.

The instruments themselves (wording, options, scoring rules, source, licence, LOINC codes)
are data in services/measure_definitions/; this module applies their rules and knows no
instrument by name. No database and no permission checks here: whoever stores or shows a
result checks access (services/permissions.py) and audits it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .errors import ValidationError
from .measure_definitions import CODES, DEFINITIONS
from .measure_definitions.schema import MEAN, SEXES, Instrument, Item, Option

__all__ = ["CODES", "DEFINITIONS", "SEXES", "Instrument", "Item", "Option", "Score", "definition", "score"]

# Small option sets are spelled out with their wording in error messages.
_SPELL_OUT_UP_TO = 3
_SHOWN_MAX = 30


@dataclass(frozen=True)
class Score:
    code: str
    total: int | float | None  # None where the instrument has no total (BAM, Readiness Ruler)
    band: str  # severity band; "" where the instrument has none
    subscales: dict[str, int | float]  # sums, or unrounded means (URICA)
    alerts: list[str]  # messages for the clinician; empty when none
    positive: bool | None  # screening result; None where the instrument has no cutoff


def definition(code: str) -> Instrument:
    """The definition of one instrument; ValidationError on an unknown code."""
    if isinstance(code, str) and code in DEFINITIONS:
        return DEFINITIONS[code]
    raise ValidationError({"code": f"Unknown measure {_shown(code)}; known measures: {', '.join(CODES)}."})


def score(code: str, answers: Mapping[int, int], *, sex: str | None = None) -> Score:
    """Score one completed form. `sex` ("female", "male" or None) only moves the AUDIT-C's
    cutoff; it is checked whatever the instrument. Raises ValidationError (see module docstring)."""
    instrument = definition(code)
    given = _checked(instrument, answers, sex)
    points = {number: instrument.item(number).points_for(value) for number, value in given.items()}
    subscales: dict[str, int | float] = {}
    for subscale in instrument.subscales:
        values = [points[number] for number in subscale.items]
        subscales[subscale.key] = sum(values) / len(values) if subscale.method == MEAN else sum(values)
    total = _total(instrument, points, subscales)
    return Score(
        code=instrument.code,
        total=total,
        band=_band(instrument, total),
        subscales=subscales,
        alerts=[alert.message for alert in instrument.alerts if given.get(alert.item, 0) > alert.above],
        positive=None if instrument.screen is None or total is None else total >= instrument.screen.cutoff_for(sex),
    )


def _total(instrument: Instrument, points: dict[int, int], subscales: dict[str, int | float]) -> int | float | None:
    rule = instrument.total
    if rule is None:
        return None
    if rule.subscale_weights:
        return sum(weight * subscales[key] for key, weight in rule.subscale_weights)
    return sum(points[number] for number in rule.items)


def _band(instrument: Instrument, total: int | float | None) -> str:
    if total is None:
        return ""
    return next((band.label for band in instrument.bands if band.low <= total <= band.high), "")


def _checked(instrument: Instrument, answers, sex) -> dict[int, int]:
    """The answers, once every one is known to be an answer the form allows; else every fault at once."""
    name = instrument.name
    if not isinstance(answers, Mapping):
        raise ValidationError({"answers": f"{name} answers must map item numbers to answers."})
    errors: dict[str, str] = {}
    if sex is not None and sex not in SEXES:
        errors["sex"] = f"Sex must be {' or '.join(repr(s) for s in SEXES)}, or not given; got {_shown(sex)}."
    numbers = {item.number for item in instrument.items}
    # A bool or float key would silently stand in for an int one (True == 1), so the type is checked first.
    for key in answers:
        if type(key) is not int:
            errors["answers"] = f"{name} item numbers must be whole numbers; got {_shown(key)}."
        elif key not in numbers:
            errors[f"item_{key}"] = f"{name} has no item {key} (its items are 1–{len(instrument.items)})."
    for item in instrument.items:
        field = f"item_{item.number}"
        if item.number not in answers:
            if not item.optional:
                errors[field] = f"{name} item {item.number} is not answered; answer {_allowed(item)}."
            continue
        value = answers[item.number]
        if type(value) is not int or value not in item.values:
            errors[field] = (
                f"{name} item {item.number}: {_shown(value)} is not an answer; allowed: {_allowed(item)}."
            )
    if errors:
        raise ValidationError(errors)
    return {number: answers[number] for number in sorted(answers)}


def _allowed(item: Item) -> str:
    values = item.values
    if len(values) <= _SPELL_OUT_UP_TO:
        spelled = [f"{option.value} ({option.label})" for option in item.options]
        return ", ".join(spelled[:-1]) + " or " + spelled[-1]
    if values == tuple(range(values[0], values[-1] + 1)):
        return f"a whole number from {values[0]} to {values[-1]}"
    return ", ".join(map(str, values[:-1])) + " or " + str(values[-1])


def _shown(value) -> str:
    text = repr(value)
    return text if len(text) <= _SHOWN_MAX else text[: _SHOWN_MAX - 1] + "…"

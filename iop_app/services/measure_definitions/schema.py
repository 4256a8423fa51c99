"""The shape of a measure's definition: items, options and scoring rules as data.

The scoring engine (services/measures.py) knows only these rules — a sum of item
points, means of item groups, a weighted sum of subscales, bands, a screening
cutoff, item alerts — so adding or correcting an instrument means editing data,
never writing code for it.
"""

from __future__ import annotations

from dataclasses import dataclass

SUM = "sum"
MEAN = "mean"
METHODS = (SUM, MEAN)

# The values `sex` may take when scoring (only the AUDIT-C's cutoff uses it).
SEXES = ("female", "male")


@dataclass(frozen=True)
class Option:
    """One answer a person can give to an item: the stored value and its wording."""

    value: int
    label: str


@dataclass(frozen=True)
class Item:
    number: int  # 1-based, as printed on the form
    text: str
    options: tuple[Option, ...]
    optional: bool = False  # may be left unanswered (a given answer is still checked)
    # answer -> points where they differ from the answer itself (DAST-10 item 3 counts a "no")
    points: tuple[tuple[int, int], ...] = ()
    parts: tuple[str, ...] = ()  # sub-questions printed under the item (BAM item 7)
    note: str = ""

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(option.value for option in self.options)

    def points_for(self, value: int) -> int:
        return dict(self.points).get(value, value)


@dataclass(frozen=True)
class Subscale:
    key: str  # the key in Score.subscales
    label: str
    items: tuple[int, ...]
    method: str = SUM  # SUM or MEAN of the items' points


@dataclass(frozen=True)
class Total:
    """How the total is worked out: the sum of the points of `items`, or, when
    `subscale_weights` is set, the weighted sum of those subscales."""

    low: float  # the lowest and highest totals possible, for bands and charts
    high: float
    items: tuple[int, ...] = ()
    subscale_weights: tuple[tuple[str, int], ...] = ()
    label: str = "Total score"


@dataclass(frozen=True)
class Band:
    low: float  # inclusive at both ends
    high: float
    label: str


@dataclass(frozen=True)
class Screen:
    """Positive when the total is at or above the cutoff for the person's sex."""

    cutoff: int
    cutoff_by_sex: tuple[tuple[str, int], ...] = ()

    def cutoff_for(self, sex: str | None) -> int:
        return dict(self.cutoff_by_sex).get(sex, self.cutoff) if sex else self.cutoff


@dataclass(frozen=True)
class ItemAlert:
    """A message for the clinician when `item` is answered above `above`."""

    item: int
    above: int
    message: str


@dataclass(frozen=True)
class Loinc:
    """LOINC codes (loinc.org) for FHIR export; "" where none is well established."""

    panel: str = ""
    total: str = ""


@dataclass(frozen=True)
class Instrument:
    code: str  # the key in DEFINITIONS and the `code` argument of measures.score
    name: str  # short name shown to people, e.g. "PHQ-9"
    title: str
    instructions: str
    items: tuple[Item, ...]
    source: str  # citation
    licence: str  # what its owners allow, and why shipping the wording is fine
    total: Total | None = None  # None: the instrument has no total score
    bands: tuple[Band, ...] = ()
    screen: Screen | None = None
    subscales: tuple[Subscale, ...] = ()
    alerts: tuple[ItemAlert, ...] = ()
    credit: str = ""  # to be shown wherever the items are shown
    loinc: Loinc = Loinc()
    notes: str = ""  # scoring decisions taken where the published form leaves room

    def item(self, number: int) -> Item:
        return self.items[number - 1]

    @property
    def scored_items(self) -> tuple[int, ...]:
        """Items that count toward the total or a subscale."""
        counted = set(self.total.items if self.total else ())
        for subscale in self.subscales:
            counted.update(subscale.items)
        return tuple(sorted(counted))


def options(*labels: str, start: int = 0) -> tuple[Option, ...]:
    """Options valued start, start+1, … in the order given."""
    return tuple(Option(start + offset, label) for offset, label in enumerate(labels))


def numbered(texts: tuple[str, ...], choices: tuple[Option, ...]) -> tuple[Item, ...]:
    """Items 1..n that share one set of options."""
    return tuple(Item(number, text, choices) for number, text in enumerate(texts, start=1))


def bands(high: int, *steps: tuple[int, str]) -> tuple[Band, ...]:
    """Whole-point bands that cover every total from the first step's low to `high`
    with no gap: each step (low, label) runs up to the next one's low - 1."""
    lows = [low for low, _label in steps] + [high + 1]
    return tuple(Band(low, lows[i + 1] - 1, label) for i, (low, label) in enumerate(steps))

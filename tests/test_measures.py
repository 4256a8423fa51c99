"""Standardised measures: every instrument scored on hand-worked answers, including the
lowest and highest answers and each band boundary; DAST-10's reversed item 3, AUDIT items
9/10, URICA means, PCL-5 clusters; bad answers refused, naming the item; and the
definitions themselves (wording, options, scoring rules, source and licence) checked as data."""

from __future__ import annotations

import pytest

from iop_app.services import measures
from iop_app.services.errors import ValidationError
from iop_app.services.measure_definitions.schema import METHODS
from iop_app.services.measures import CODES, DEFINITIONS, definition, score


def _answers(*values: int) -> dict[int, int]:
    """Answers to items 1, 2, … in order."""
    return dict(enumerate(values, start=1))


def _refused(code, answers, **kwargs) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        score(code, answers, **kwargs)
    return caught.value.errors


# --- PHQ-9 -----------------------------------------------------------------------

@pytest.mark.parametrize("values,total,band", [
    ((0, 0, 0, 0, 0, 0, 0, 0, 0), 0, "minimal"),
    ((1, 1, 1, 1, 0, 0, 0, 0, 0), 4, "minimal"),
    ((1, 1, 1, 1, 1, 0, 0, 0, 0), 5, "mild"),
    ((3, 3, 3, 0, 0, 0, 0, 0, 0), 9, "mild"),
    ((3, 3, 3, 1, 0, 0, 0, 0, 0), 10, "moderate"),
    ((2, 2, 2, 2, 2, 2, 2, 0, 0), 14, "moderate"),
    ((2, 2, 2, 2, 2, 2, 2, 1, 0), 15, "moderately severe"),
    ((3, 3, 3, 3, 3, 3, 1, 0, 0), 19, "moderately severe"),
    ((3, 3, 3, 3, 3, 3, 2, 0, 0), 20, "severe"),
    ((3, 3, 3, 3, 3, 3, 3, 3, 0), 24, "severe"),
])
def test_phq9_total_and_band(values, total, band):
    result = score("phq9", _answers(*values))
    assert (result.total, result.band) == (total, band)
    assert result.alerts == [] and result.positive is None and result.subscales == {}


def test_phq9_all_highest_is_27_severe_with_the_item_9_alert():
    result = score("phq9", _answers(3, 3, 3, 3, 3, 3, 3, 3, 3))
    assert (result.total, result.band) == (27, "severe")
    assert len(result.alerts) == 1 and "item 9" in result.alerts[0]


@pytest.mark.parametrize("item_9", [1, 2, 3])
def test_phq9_any_answer_above_0_on_item_9_alerts_even_when_the_total_is_minimal(item_9):
    result = score("phq9", _answers(0, 0, 0, 0, 0, 0, 0, 0, item_9))
    assert (result.total, result.band) == (item_9, "minimal")
    assert result.alerts == [
        "PHQ-9 item 9 (thoughts of being better off dead or of self-harm) answered above 0: assess safety today."
    ]


# --- GAD-7 -----------------------------------------------------------------------

@pytest.mark.parametrize("values,total,band", [
    ((0, 0, 0, 0, 0, 0, 0), 0, "minimal"),
    ((1, 1, 1, 1, 0, 0, 0), 4, "minimal"),
    ((1, 1, 1, 1, 1, 0, 0), 5, "mild"),
    ((3, 3, 3, 0, 0, 0, 0), 9, "mild"),
    ((3, 3, 3, 0, 0, 0, 1), 10, "moderate"),
    ((2, 2, 2, 2, 2, 2, 2), 14, "moderate"),
    ((3, 2, 2, 2, 2, 2, 2), 15, "severe"),
    ((3, 3, 3, 3, 3, 3, 3), 21, "severe"),
])
def test_gad7_total_and_band(values, total, band):
    result = score("gad7", _answers(*values))
    assert (result.total, result.band, result.alerts, result.positive) == (total, band, [], None)


# --- AUDIT -----------------------------------------------------------------------

@pytest.mark.parametrize("values,total,band", [
    ((0, 0, 0, 0, 0, 0, 0, 0, 0, 0), 0, "zone I"),
    ((4, 3, 0, 0, 0, 0, 0, 0, 0, 0), 7, "zone I"),
    ((4, 4, 0, 0, 0, 0, 0, 0, 0, 0), 8, "zone II"),
    ((4, 4, 3, 0, 0, 0, 0, 0, 0, 4), 15, "zone II"),
    ((4, 4, 4, 0, 0, 0, 0, 0, 0, 4), 16, "zone III"),
    ((4, 4, 3, 0, 0, 0, 0, 0, 4, 4), 19, "zone III"),
    ((4, 4, 4, 0, 0, 0, 0, 0, 4, 4), 20, "zone IV"),
    ((4, 4, 4, 4, 4, 4, 4, 4, 4, 4), 40, "zone IV"),
])
def test_audit_total_and_zone(values, total, band):
    result = score("audit", _answers(*values))
    assert (result.total, result.band, result.positive) == (total, band, None)


@pytest.mark.parametrize("item_9,item_10,total", [(0, 0, 0), (2, 0, 2), (0, 2, 2), (2, 4, 6), (4, 4, 8)])
def test_audit_items_9_and_10_count_0_2_or_4(item_9, item_10, total):
    assert score("audit", _answers(0, 0, 0, 0, 0, 0, 0, 0, item_9, item_10)).total == total


@pytest.mark.parametrize("item", [9, 10])
@pytest.mark.parametrize("value", [1, 3, 5, -1])
def test_audit_items_9_and_10_refuse_anything_but_0_2_or_4(item, value):
    answers = _answers(0, 0, 0, 0, 0, 0, 0, 0, 0, 0) | {item: value}
    errors = _refused("audit", answers)
    assert list(errors) == [f"item_{item}"]
    assert errors[f"item_{item}"] == (
        f"AUDIT item {item}: {value} is not an answer; allowed: 0 (No), 2 (Yes, but not in the last year) "
        "or 4 (Yes, during the last year)."
    )


# --- AUDIT-C ---------------------------------------------------------------------

@pytest.mark.parametrize("values,sex,positive", [
    ((0, 0, 0), None, False),
    ((1, 1, 0), "female", False),
    ((1, 1, 1), "female", True),   # 3: positive for women
    ((1, 1, 1), "male", False),    # 3: not for men
    ((1, 1, 1), None, False),      # sex not given: the men's cutoff
    ((2, 1, 1), "male", True),     # 4
    ((2, 1, 1), None, True),
    ((2, 1, 1), "female", True),
    ((4, 4, 4), None, True),
])
def test_auditc_positive_at_3_for_women_else_4(values, sex, positive):
    result = score("auditc", _answers(*values), sex=sex)
    assert result.total == sum(values)
    assert result.positive is positive
    assert result.band == "" and result.subscales == {} and result.alerts == []


@pytest.mark.parametrize("sex", ["F", "Female", "woman", "", 1, True])
def test_auditc_refuses_an_unknown_sex_instead_of_guessing_a_cutoff(sex):
    errors = _refused("auditc", _answers(1, 1, 1), sex=sex)
    assert list(errors) == ["sex"] and "'female' or 'male'" in errors["sex"]


# --- DAST-10 ---------------------------------------------------------------------

# Item 3 ("Are you always able to stop using drugs when you want to?") scores its "no".
@pytest.mark.parametrize("values,total,band", [
    ((0, 0, 1, 0, 0, 0, 0, 0, 0, 0), 0, "none"),        # every answer the healthy one
    ((0, 0, 0, 0, 0, 0, 0, 0, 0, 0), 1, "low"),         # all "no": only item 3 counts
    ((1, 0, 1, 0, 0, 0, 0, 0, 0, 0), 1, "low"),
    ((1, 1, 1, 0, 0, 0, 0, 0, 0, 0), 2, "low"),
    ((1, 1, 0, 0, 0, 0, 0, 0, 0, 0), 3, "moderate"),
    ((1, 1, 1, 1, 1, 1, 0, 0, 0, 0), 5, "moderate"),
    ((1, 1, 0, 1, 1, 1, 0, 0, 0, 0), 6, "substantial"),
    ((1, 1, 1, 1, 1, 1, 1, 1, 1, 0), 8, "substantial"),
    ((1, 1, 1, 1, 1, 1, 1, 1, 1, 1), 9, "severe"),      # all "yes": item 3 does not count
    ((1, 1, 0, 1, 1, 1, 1, 1, 1, 1), 10, "severe"),     # every answer the unhealthy one
])
def test_dast10_counts_yes_answers_and_item_3_when_answered_no(values, total, band):
    result = score("dast10", _answers(*values))
    assert (result.total, result.band, result.positive) == (total, band, None)


def test_dast10_stores_answers_as_answered_1_yes_0_no():
    item_3 = definition("dast10").item(3)
    assert [(option.value, option.label) for option in item_3.options] == [(0, "No"), (1, "Yes")]
    assert item_3.points_for(0) == 1 and item_3.points_for(1) == 0
    assert definition("dast10").item(1).points_for(1) == 1


# --- BAM -------------------------------------------------------------------------

BAM_EXAMPLE = {
    1: 2, 2: 3, 3: 1,                 # health good, 9–15 nights poor sleep, 1–3 days upset
    4: 1, 5: 0, 6: 2,                 # use: 1–3 drinking days, no heavy days, 4–8 drug days
    7: 2,                             # elaboration of item 6 (unscored)
    8: 3, 9: 2, 10: 4, 11: 1, 12: 0, 13: 3, 14: 4, 15: 2, 16: 4,
    17: 1,                            # satisfaction with progress (unscored)
}


def test_bam_hand_worked_subscales_and_no_total():
    result = score("bam", BAM_EXAMPLE)
    # use 1+0+2; risk 2+3+1+3+1+2; protective 2+4+0+3+4+4
    assert result.subscales == {"use": 3, "risk": 12, "protective": 17}
    assert (result.total, result.band, result.alerts, result.positive) == (None, "", [], None)


@pytest.mark.parametrize("low", [True, False])
def test_bam_lowest_and_highest_answers(low):
    answers = {number: (0 if low else 4) for number in range(1, 18)}
    expected = {"use": 0, "risk": 0, "protective": 0} if low else {"use": 12, "risk": 24, "protective": 24}
    assert score("bam", answers).subscales == expected


@pytest.mark.parametrize("left_out", [(7,), (17,), (7, 17)])
def test_bam_items_7_and_17_may_be_left_unanswered(left_out):
    answers = {number: value for number, value in BAM_EXAMPLE.items() if number not in left_out}
    assert score("bam", answers).subscales == {"use": 3, "risk": 12, "protective": 17}


@pytest.mark.parametrize("item_7,item_17", [(0, 0), (4, 4)])
def test_bam_items_7_and_17_do_not_count(item_7, item_17):
    assert score("bam", BAM_EXAMPLE | {7: item_7, 17: item_17}).subscales == {"use": 3, "risk": 12, "protective": 17}


@pytest.mark.parametrize("item,value", [(7, 5), (7, -1), (17, 5), (17, "2"), (14, 2), (14, 1), (1, 5)])
def test_bam_refuses_answers_outside_each_items_options(item, value):
    errors = _refused("bam", BAM_EXAMPLE | {item: value})
    assert list(errors) == [f"item_{item}"] and f"BAM item {item}:" in errors[f"item_{item}"]


def test_bam_item_14_is_no_0_or_yes_4():
    errors = _refused("bam", BAM_EXAMPLE | {14: 2})
    assert errors["item_14"] == "BAM item 14: 2 is not an answer; allowed: 0 (No) or 4 (Yes)."
    assert score("bam", BAM_EXAMPLE | {14: 0}).subscales["protective"] == 13


@pytest.mark.parametrize("item", [1, 6, 14, 16])
def test_bam_scored_items_must_be_answered(item):
    answers = {number: value for number, value in BAM_EXAMPLE.items() if number != item}
    assert list(_refused("bam", answers)) == [f"item_{item}"]


# --- URICA -----------------------------------------------------------------------

PC = (1, 5, 11, 13, 23, 26, 29)
C = (2, 8, 12, 15, 19, 21, 24)
A = (3, 7, 10, 14, 17, 25, 30)
M = (6, 16, 18, 22, 27, 28, 32)
UNSCORED = (4, 9, 20, 31)


def _urica(pc, c, a, m, unscored=(3, 3, 3, 3)) -> dict[int, int]:
    answers: dict[int, int] = {}
    for items, values in ((PC, pc), (C, c), (A, a), (M, m), (UNSCORED, unscored)):
        answers.update(zip(items, values, strict=True))
    return answers


def test_urica_hand_worked_means_and_readiness():
    answers = _urica(pc=(2, 2, 2, 2, 2, 2, 2), c=(3, 4, 4, 5, 3, 4, 5), a=(1, 2, 3, 4, 5, 1, 2),
                     m=(5, 5, 5, 5, 5, 5, 4))
    result = score("urica", answers)
    assert result.subscales == pytest.approx(
        {"precontemplation": 2.0, "contemplation": 28 / 7, "action": 18 / 7, "maintenance": 34 / 7})
    # 4 + 18/7 + 34/7 − 2 = 66/7
    assert result.total == pytest.approx(66 / 7)
    assert all(isinstance(mean, float) for mean in result.subscales.values())
    assert (result.band, result.alerts, result.positive) == ("", [], None)


@pytest.mark.parametrize("pc,others,readiness", [
    (5, 1, -2.0),   # least ready possible
    (1, 5, 14.0),   # most ready possible
    (1, 1, 2.0),    # all lowest answers
    (5, 5, 10.0),   # all highest answers
    (3, 3, 6.0),
])
def test_urica_readiness_extremes(pc, others, readiness):
    result = score("urica", _urica((pc,) * 7, (others,) * 7, (others,) * 7, (others,) * 7))
    assert result.total == pytest.approx(readiness)


@pytest.mark.parametrize("unscored", [(1, 1, 1, 1), (5, 5, 5, 5), (1, 5, 2, 4)])
def test_urica_items_4_9_20_31_are_unscored(unscored):
    base = score("urica", _urica((2,) * 7, (4,) * 7, (3,) * 7, (5,) * 7))
    again = score("urica", _urica((2,) * 7, (4,) * 7, (3,) * 7, (5,) * 7, unscored=unscored))
    assert again == base and base.total == pytest.approx(10.0)


@pytest.mark.parametrize("item", UNSCORED)
def test_urica_unscored_items_must_still_be_answered_1_to_5(item):
    answers = _urica((2,) * 7, (4,) * 7, (3,) * 7, (5,) * 7)
    del answers[item]
    assert list(_refused("urica", answers)) == [f"item_{item}"]
    assert list(_refused("urica", answers | {item: 0})) == [f"item_{item}"]
    assert list(_refused("urica", answers | {item: 6})) == [f"item_{item}"]


# --- PCL-5 -----------------------------------------------------------------------

def test_pcl5_hand_worked_clusters():
    values = (1, 2, 3, 4, 0,  1, 2,  3, 4, 0, 1, 2, 3, 4,  0, 1, 2, 3, 4, 0)
    result = score("pcl5", _answers(*values))
    assert result.subscales == {"B": 10, "C": 3, "D": 17, "E": 10}
    assert (result.total, result.positive, result.band) == (40, True, "")


@pytest.mark.parametrize("values,total,positive,clusters", [
    ((0,) * 20, 0, False, {"B": 0, "C": 0, "D": 0, "E": 0}),
    ((4,) * 20, 80, True, {"B": 20, "C": 8, "D": 28, "E": 24}),
    ((4,) * 8 + (0,) * 12, 32, False, {"B": 20, "C": 8, "D": 4, "E": 0}),
    ((4,) * 8 + (1,) + (0,) * 11, 33, True, {"B": 20, "C": 8, "D": 5, "E": 0}),
])
def test_pcl5_edges_and_the_33_cutoff(values, total, positive, clusters):
    result = score("pcl5", _answers(*values))
    assert (result.total, result.positive, result.subscales) == (total, positive, clusters)


# --- Readiness Ruler ---------------------------------------------------------------

@pytest.mark.parametrize("importance,confidence", [(0, 0), (10, 10), (8, 3)])
def test_readiness_ruler_takes_0_to_10_and_scores_nothing(importance, confidence):
    result = score("ruler", {1: importance, 2: confidence})
    assert (result.total, result.band, result.subscales, result.alerts, result.positive) == (None, "", {}, [], None)


@pytest.mark.parametrize("answers,field", [({1: 11, 2: 5}, "item_1"), ({1: 5, 2: -1}, "item_2"), ({1: 5}, "item_2")])
def test_readiness_ruler_refuses_answers_outside_0_to_10(answers, field):
    errors = _refused("ruler", answers)
    assert list(errors) == [field] and "0 to 10" in errors[field]


# --- Bad answers -----------------------------------------------------------------

PHQ9_OK = _answers(1, 1, 1, 1, 1, 1, 1, 1, 0)


@pytest.mark.parametrize("bad,field,message", [
    ({3: 4}, "item_3", "PHQ-9 item 3: 4 is not an answer; allowed: a whole number from 0 to 3."),
    ({3: -1}, "item_3", "PHQ-9 item 3: -1 is not an answer; allowed: a whole number from 0 to 3."),
    ({3: True}, "item_3", "PHQ-9 item 3: True is not an answer; allowed: a whole number from 0 to 3."),
    ({3: False}, "item_3", "PHQ-9 item 3: False is not an answer; allowed: a whole number from 0 to 3."),
    ({3: "2"}, "item_3", "PHQ-9 item 3: '2' is not an answer; allowed: a whole number from 0 to 3."),
    ({3: 2.0}, "item_3", "PHQ-9 item 3: 2.0 is not an answer; allowed: a whole number from 0 to 3."),
    ({3: None}, "item_3", "PHQ-9 item 3: None is not an answer; allowed: a whole number from 0 to 3."),
    ({10: 0}, "item_10", "PHQ-9 has no item 10 (its items are 1–9)."),
    ({0: 0}, "item_0", "PHQ-9 has no item 0 (its items are 1–9)."),
    ({"1": 1}, "answers", "PHQ-9 item numbers must be whole numbers; got '1'."),
    ({1.5: 1}, "answers", "PHQ-9 item numbers must be whole numbers; got 1.5."),
])
def test_bad_answers_are_refused_naming_the_item(bad, field, message):
    errors = _refused("phq9", PHQ9_OK | bad)
    assert errors == {field: message}


def test_a_missing_item_is_refused_naming_it():
    answers = dict(PHQ9_OK)
    del answers[4]
    assert _refused("phq9", answers) == {
        "item_4": "PHQ-9 item 4 is not answered; answer a whole number from 0 to 3."}


def test_a_bool_item_number_cannot_stand_in_for_item_1():
    answers = {True: 1} | {number: 1 for number in range(2, 10)}
    assert list(_refused("phq9", answers)) == ["answers"]


def test_every_fault_is_named_at_once():
    errors = _refused("gad7", {1: 0, 2: 9, 3: "x", 5: 1, 6: 1, 7: 1, 8: 1})
    assert set(errors) == {"item_2", "item_3", "item_4", "item_8"}


@pytest.mark.parametrize("answers", [None, [0] * 9, "000000000", 5])
def test_answers_must_be_a_mapping(answers):
    assert list(_refused("phq9", answers)) == ["answers"]


@pytest.mark.parametrize("code", ["cssrs", "PHQ9", "phq-9", "", None, 9])
def test_unknown_codes_are_refused(code):
    errors = _refused(code, PHQ9_OK)
    assert list(errors) == ["code"] and "phq9" in errors["code"]
    with pytest.raises(ValidationError):
        definition(code)


# --- Definitions as data -----------------------------------------------------------

def test_the_issue_s_instruments_and_the_ruler_are_defined_and_the_c_ssrs_is_not():
    assert CODES == ("phq9", "gad7", "audit", "auditc", "dast10", "bam", "urica", "pcl5", "ruler")
    assert not any("ssrs" in code for code in CODES)
    assert measures.__all__ == [
        "CODES", "DEFINITIONS", "SEXES", "Instrument", "Item", "Option", "Score", "definition", "score"]


@pytest.mark.parametrize("code,count,values", [
    ("phq9", 9, (0, 1, 2, 3)), ("gad7", 7, (0, 1, 2, 3)), ("audit", 10, None), ("auditc", 3, (0, 1, 2, 3, 4)),
    ("dast10", 10, (0, 1)), ("bam", 17, None), ("urica", 32, (1, 2, 3, 4, 5)), ("pcl5", 20, (0, 1, 2, 3, 4)),
    ("ruler", 2, tuple(range(11))),
])
def test_items_are_numbered_from_1_with_their_options(code, count, values):
    instrument = definition(code)
    assert [item.number for item in instrument.items] == list(range(1, count + 1))
    for item in instrument.items:
        assert item.text.strip() and all(option.label.strip() for option in item.options)
        assert len(set(item.values)) == len(item.values)
        if values is not None:
            assert item.values == values


@pytest.mark.parametrize("code", CODES)
def test_every_definition_names_its_source_and_licence(code):
    instrument = definition(code)
    assert instrument.source.strip() and instrument.licence.strip() and instrument.instructions.strip()


@pytest.mark.parametrize("code", ["dast10", "urica"])
def test_dast10_and_urica_carry_their_authors_credit_line(code):
    assert {"dast10": "Skinner", "urica": "McConnaughy"}[code] in definition(code).credit


@pytest.mark.parametrize("code,item,start", [
    ("phq9", 9, "Thoughts that you would be better off dead"),
    ("gad7", 1, "Feeling nervous, anxious, or on edge"),
    ("pcl5", 20, "Trouble falling or staying asleep"),
    ("bam", 14, "Do you have enough income (from legal sources)"),
    ("audit", 10, "Has a relative or friend or a doctor or another health worker"),
    ("dast10", 3, "Are you always able to stop using drugs when you want to?"),
    ("urica", 32, "After all I had done to try to change my problem"),
])
def test_published_wording_ships(code, item, start):
    assert definition(code).item(item).text.startswith(start)


@pytest.mark.parametrize("code", [code for code in CODES if definition(code).bands])
def test_bands_cover_the_whole_total_range_without_gaps_or_overlaps(code):
    instrument = definition(code)
    bands = instrument.bands
    assert bands[0].low == instrument.total.low and bands[-1].high == instrument.total.high
    for before, after in zip(bands, bands[1:], strict=False):
        assert after.low == before.high + 1


# Sums of item points (URICA's readiness, from means, has its extremes tested above).
@pytest.mark.parametrize("code", [code for code in CODES if definition(code).total and definition(code).total.items])
def test_lowest_and_highest_answers_give_the_declared_total_range(code):
    instrument = definition(code)
    lowest = {item.number: min(item.values, key=item.points_for) for item in instrument.items}
    highest = {item.number: max(item.values, key=item.points_for) for item in instrument.items}
    assert score(code, lowest).total == instrument.total.low
    assert score(code, highest).total == instrument.total.high


@pytest.mark.parametrize("code", CODES)
def test_scored_items_exist_and_are_never_optional(code):
    instrument = definition(code)
    for number in instrument.scored_items:
        assert 1 <= number <= len(instrument.items) and not instrument.item(number).optional
    for alert in instrument.alerts:
        assert not instrument.item(alert.item).optional
    assert all(subscale.method in METHODS for subscale in instrument.subscales)


def test_unscored_items_are_the_ones_the_issue_names():
    assert set(range(1, 18)) - set(definition("bam").scored_items) == {7, 17}
    assert set(range(1, 33)) - set(definition("urica").scored_items) == {4, 9, 20, 31}
    assert [item.number for item in definition("bam").items if item.optional] == [7, 17]
    assert len(definition("bam").item(7).parts) == 7


def test_loinc_codes_where_well_known():
    assert (definition("phq9").loinc.panel, definition("phq9").loinc.total) == ("44249-1", "44261-6")
    assert (definition("gad7").loinc.panel, definition("gad7").loinc.total) == ("69737-5", "70274-6")


def test_definitions_are_read_only():
    with pytest.raises(TypeError):
        DEFINITIONS["phq9"] = DEFINITIONS["gad7"]  # type: ignore[index]
    with pytest.raises(AttributeError):
        definition("phq9").items = ()  # type: ignore[misc]

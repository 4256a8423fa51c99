"""The measure pages' services and event handlers, called as a hostile browser could:
another client's alert, wrong types, values off the form, a second submit. Each is
refused with a message, audited where it touches a record it may not, and changes
nothing. Plus the roster's measure columns and the caseload view."""

from __future__ import annotations

from datetime import timedelta

import pytest
from reflex.istate.data import RouterData
from reflex.state import State
from sqlmodel import col, func, select

import iop_app.iop_app  # noqa: F401  (registers every page state)
from iop_app.models import AuditEvent, MeasureAlert, MeasureAssignment, MeasureResponse, MoodEntry
from iop_app.models.enums import MeasureResponseStatus
from iop_app.services import auth, measure_alerts, measure_forms, measure_records, measure_roster, program
from iop_app.services.errors import NotFound, PermissionDenied, ServiceError, ValidationError
from iop_app.state.client import ClientHomeState, MeasureFormState
from iop_app.state.staff import RosterState
from iop_app.state.staff_client import ClientRecordState
from iop_app.state.staff_measures import ClientMeasuresState
from tests.helpers import TEST_PASSWORD, call


def make_state(cls, token: str, **params):
    root = State(_reflex_internal_init=True)
    state = root.get_substate(cls.get_full_name().split(".")[1:])
    state.session_token = token
    if params:
        state.router = RouterData.from_router_data({"query": dict(params), "pathname": "/x"})
    return state


def count(session, model, *where) -> int:
    session.expire_all()
    return session.exec(select(func.count()).select_from(model).where(*where)).one()


def denials(session, client_id) -> int:
    session.expire_all()
    return count(session, AuditEvent, AuditEvent.client_id == client_id, AuditEvent.outcome == "denied")


def complete(session, user, client_id, code, answers):
    draft = measure_records.save_draft(session, user, client_id, code=code, answers=answers)
    return measure_records.submit(session, user, client_id, draft.id)


def phq9(each=1, item9=0):
    return {n: (item9 if n == 9 else each) for n in range(1, 10)}


@pytest.fixture
def world(session, factory, db_url, monkeypatch):
    monkeypatch.setenv("REFLEX_DB_URL", db_url)
    mine = factory.user("therapist", name="Terry Mine")
    other = factory.user("therapist", name="Olive Other")
    own = factory.client(mine, name="Ana Own", admitted_days_ago=30)
    theirs = factory.client(other, name="Zed Theirs", admitted_days_ago=30)
    own_user, their_user = factory.client_user(own), factory.client_user(theirs)
    tokens = {name: auth.sign_in(session, user.email, TEST_PASSWORD).token
              for name, user in (("mine", mine), ("own", own_user), ("theirs", their_user))}
    return dict(mine=mine, other=other, own=own, theirs=theirs, own_user=own_user, their_user=their_user,
                tokens=tokens, family=factory.family(own))


# ---------------------------------------------------------------- services: the client's forms
def test_a_form_opens_only_while_due_or_in_progress(session, world):
    own, user = world["own"], world["own_user"]
    assert "phq9" in {item.code for item in measure_forms.due_forms(session, user, own.id)}
    complete(session, user, own.id, "phq9", phq9())
    with pytest.raises(NotFound):  # done for now: next one in 14 days
        measure_forms.open_form(session, user, own.id, "phq9")
    with pytest.raises(NotFound):  # never asked for
        measure_forms.open_form(session, user, own.id, "pcl5")
    with pytest.raises(NotFound):
        measure_forms.open_form(session, user, own.id, 7)


def test_answers_are_kept_one_by_one_and_resume_at_the_first_unanswered(session, world):
    own, user = world["own"], world["own_user"]
    for item in (1, 2, 3):
        measure_forms.answer(session, user, own.id, "gad7", item, 2)
    form = measure_forms.open_form(session, user, own.id, "gad7")
    assert form.answers == {1: 2, 2: 2, 3: 2} and form.first_unanswered == 3
    line = next(item for item in measure_forms.due_forms(session, user, own.id) if item.code == "gad7")
    assert (line.answered, line.items) == (3, 7)
    for item, value in ((0, 1), (8, 1), (2, 4), (2, True), (2, "1"), ("2", 1)):
        with pytest.raises(ValidationError):
            measure_forms.answer(session, user, own.id, "gad7", item, value)
    assert measure_forms.open_form(session, user, own.id, "gad7").answers == {1: 2, 2: 2, 3: 2}


def test_a_form_is_submitted_once(session, world):
    own, user = world["own"], world["own_user"]
    with pytest.raises(ValidationError):
        measure_forms.answer(session, user, own.id, "phq9", 1, 1) and measure_forms.submit(
            session, user, own.id, "phq9")
    for item in range(1, 10):
        measure_forms.answer(session, user, own.id, "phq9", item, 1)
    result = measure_forms.submit(session, user, own.id, "phq9")
    assert result.total == 9
    with pytest.raises(ServiceError, match="already submitted"):
        measure_forms.submit(session, user, own.id, "phq9")
    assert count(session, MeasureResponse, MeasureResponse.client_id == own.id, MeasureResponse.code == "phq9") == 1


@pytest.mark.parametrize("who", ["mine", "their_user", "family"])
def test_only_the_client_fills_in_their_forms(session, world, who):
    own = world["own"]
    actor = world[who] if who != "mine" else world["mine"]
    before = denials(session, own.id)
    for attempt in (lambda: measure_forms.due_forms(session, actor, own.id),
                    lambda: measure_forms.open_form(session, actor, own.id, "phq9"),
                    lambda: measure_forms.answer(session, actor, own.id, "phq9", 1, 1),
                    lambda: measure_forms.submit(session, actor, own.id, "phq9")):
        with pytest.raises(PermissionDenied):
            attempt()
    assert denials(session, own.id) == before + 4
    assert count(session, MeasureResponse) == 0


# ---------------------------------------------------------------- services: roster and alerts
def test_roster_columns_band_direction_late_missed_and_alerts(session, world):
    own, user, mine = world["own"], world["own_user"], world["mine"]
    complete(session, user, own.id, "phq9", phq9(2))  # 16, moderately severe
    complete(session, user, own.id, "phq9", phq9(1, item9=1))  # 9, mild, down; item-9 alert
    complete(session, user, own.id, "gad7", {n: 1 for n in range(1, 8)})
    today = program.local_today(session)
    session.add(MeasureAssignment(client_id=own.id, code="pcl5", due_on=today - timedelta(days=1),
                                  assigned_by=mine.id))
    session.commit()
    figures = measure_roster.columns(session, mine, [own.id, world["theirs"].id], today)
    assert list(figures) == [own.id]  # another therapist's client is left out
    row = figures[own.id]
    assert (row.latest["phq9"].total, row.latest["phq9"].band, row.latest["phq9"].direction) == (9, "mild", "down")
    assert row.latest["gad7"].direction == "" and row.open_alerts == 1
    # admitted 30 days ago: BAM, AUDIT, DAST-10, URICA never done (missed); the PCL-5 due yesterday is late
    assert (row.late, row.missed) == (1, 4)
    assert row.outcome == measure_roster.IMPROVED  # 16 -> 9: reliable change (5 points or more)
    view = measure_roster.caseload_view(session, mine, today)
    assert [line.name for line in view.improved] == ["Ana Own"]
    assert [line.name for line in view.overdue] == ["Ana Own"] and view.not_improved == []
    with pytest.raises(PermissionDenied):
        measure_roster.columns(session, user, [own.id])


def test_acknowledging_another_clients_alert_from_this_record_is_refused(session, world):
    own, theirs, mine = world["own"], world["theirs"], world["mine"]
    complete(session, world["their_user"], theirs.id, "phq9", phq9(1, item9=2))
    complete(session, world["own_user"], own.id, "phq9", phq9(1, item9=1))
    their_alert = session.exec(select(MeasureAlert).where(MeasureAlert.client_id == theirs.id)).one()
    own_alert = session.exec(select(MeasureAlert).where(MeasureAlert.client_id == own.id)).one()
    with pytest.raises(NotFound):
        measure_alerts.acknowledge(session, mine, own_alert.id, note="Called.", client_id=theirs.id)
    with pytest.raises(PermissionDenied):
        measure_alerts.acknowledge(session, mine, their_alert.id, note="Called.")
    session.expire_all()
    assert session.get(MeasureAlert, own_alert.id).acknowledged_at is None
    assert session.get(MeasureAlert, their_alert.id).acknowledged_at is None


# ---------------------------------------------------------------- client page state
def test_client_completes_a_form_item_by_item_and_sees_crisis_help(session, world):
    state = make_state(MeasureFormState, world["tokens"]["own"], code="phq9")
    call(state, "load")
    assert state.available and state.progress_label == "Item 1 of 9" and "Pfizer" in state.credit
    for forged in ("7", "-1", "abc", None, True, "1.5"):
        call(state, "choose", forged)
        assert state.errors.get("answer")
    assert count(session, MeasureResponse) == 0
    call(state, "next_item")
    assert state.errors.get("answer") and state.index == 0  # an answer first
    for _ in range(1, 10):
        call(state, "choose", "1")
        call(state, "next_item")
    assert state.on_review and state.progress_label.startswith("Check your answers (9 of 9")
    call(state, "submit")
    assert state.done and state.show_crisis and "Thank you" in state.message
    call(state, "submit")  # a double tap
    assert "already submitted" in state.error
    assert count(session, MeasureResponse, MeasureResponse.status == MeasureResponseStatus.SUBMITTED) == 1
    assert count(session, MeasureAlert) == 1


def test_client_form_resumes_where_they_left(session, world):
    state = make_state(MeasureFormState, world["tokens"]["own"], code="gad7")
    call(state, "load")
    for _ in range(3):
        call(state, "choose", "2")
        call(state, "next_item")
    again = make_state(MeasureFormState, world["tokens"]["own"], code="gad7")
    call(again, "load")
    assert again.index == 3 and again.progress_label == "Item 4 of 7" and again.answered == 3
    call(again, "go_to", "99")
    assert again.error and again.index == 3
    home = make_state(ClientHomeState, world["tokens"]["own"])
    call(home, "load")
    gad7 = next(row for row in home.measures_due if row.name == "GAD-7")
    assert gad7.action == "Continue" and "3 of 7 answered" in gad7.when


def test_client_home_shows_their_own_measure_trends_beside_the_diary(session, world):
    own, theirs = world["own"], world["theirs"]
    home = make_state(ClientHomeState, world["tokens"]["own"])
    call(home, "load")
    assert home.measure_figures == [] and home.measure_summaries == []  # nothing completed: no card
    complete(session, world["own_user"], own.id, "phq9", phq9(2))  # 16
    complete(session, world["own_user"], own.id, "phq9", phq9(1))  # 8: reliable change and response
    complete(session, world["their_user"], theirs.id, "gad7", {n: 3 for n in range(1, 8)})  # someone else's
    today = program.local_today(session)
    session.add(MoodEntry(client_id=own.id, day=today, mood=7, anxiety=3, craving=2, sleep_hours=7))
    session.commit()
    call(home, "load")
    [figure] = [f.to_dict() for f in home.measure_figures]
    assert figure["layout"]["title"]["text"] == "PHQ-9"  # short: room on a phone
    assert len(figure["layout"]["shapes"]) == 5  # the five bands shaded
    traces = {trace["name"]: trace for trace in figure["data"]}
    assert traces["PHQ-9 total"]["y"] == [16.0, 8.0]
    assert {"Reliable change", "Response (50% drop)", "Mood (diary, 7-day)", "Craving (diary, 7-day)"} <= set(traces)
    assert traces["Mood (diary, 7-day)"]["y"] == [7.0]
    [words] = home.measure_summaries
    assert words.startswith("PHQ-9: 2 responses; first 16 (moderately severe)") and "Reliable change" in words
    assert "GAD-7" not in " ".join(home.measure_summaries)
    sent = home.dict()[home.get_full_name()]  # the points stay on the server; the figures and words go
    assert not any(key.startswith("_") for key in sent)


def test_client_form_not_due_and_unknown_codes_show_nothing(session, world):
    for code in ("pcl5", "nope", "x" * 100):
        state = make_state(MeasureFormState, world["tokens"]["own"], code=code)
        call(state, "load")
        assert not state.available and state.error
    state = make_state(MeasureFormState, world["tokens"]["own"])
    call(state, "choose", "1")
    call(state, "submit")
    assert count(session, MeasureResponse) == 0


def test_staff_cannot_open_the_client_form(session, world):
    state = make_state(MeasureFormState, world["tokens"]["mine"], code="phq9")
    result = call(state, "load")
    assert dict((k._js_expr, v._var_value) for k, v in result.args)["path"] == "/denied"


# ---------------------------------------------------------------- staff record section
def test_record_measures_section_and_forged_acknowledgements(session, world):
    own, theirs = world["own"], world["theirs"]
    complete(session, world["own_user"], own.id, "phq9", phq9(2))
    complete(session, world["own_user"], own.id, "phq9", phq9(1, item9=1))
    complete(session, world["their_user"], theirs.id, "phq9", phq9(1, item9=1))
    own_alert = session.exec(select(MeasureAlert).where(MeasureAlert.client_id == own.id)).one()
    their_alert = session.exec(select(MeasureAlert).where(MeasureAlert.client_id == theirs.id)).one()
    state = make_state(ClientMeasuresState, world["tokens"]["mine"], client_id=str(own.id))
    call(state, "load")
    assert state.shown and [a.id for a in state.open_alerts] == [str(own_alert.id)]
    assert len(state.trend_figures) == 1 and "Reliable change reached" in state.summaries[0]
    figure = state.trend_figures[0].to_dict()
    assert len(figure["layout"]["shapes"]) == 5  # the PHQ-9's five bands shaded
    assert {trace["name"] for trace in figure["data"]} >= {"PHQ-9 total", "Reliable change"}
    before = denials(session, theirs.id)
    for forged in (str(their_alert.id), "abc", "-3", None, True):
        call(state, "acknowledge", {"alert_id": forged, "note": "Done."})
        assert state.error or state.ack_errors
    assert denials(session, theirs.id) >= before  # the other caseload's alert: refused as missing here
    call(state, "acknowledge", {"alert_id": str(own_alert.id), "note": "   "})
    assert "action taken" in state.ack_errors["note"]
    assert count(session, MeasureAlert, col(MeasureAlert.acknowledged_at).is_not(None)) == 0
    call(state, "acknowledge", {"alert_id": str(own_alert.id), "note": "Called; safety plan reviewed."})
    assert state.open_alerts == [] and len(state.closed_alerts) == 1 and "acknowledged" in state.message


def test_record_assign_refuses_bad_input_and_off_caseload_records(session, world):
    own, theirs = world["own"], world["theirs"]
    state = make_state(ClientMeasuresState, world["tokens"]["mine"], client_id=str(own.id))
    call(state, "load")
    today = program.local_today(session)
    for form, field in (({"code": "cssrs", "due_on": today.isoformat()}, "code"),
                        ({"code": "phq9", "due_on": "yesterday"}, "due_on"),
                        ({"code": "phq9", "due_on": (today - timedelta(days=1)).isoformat()}, "due_on"),
                        ({"code": ["phq9"], "due_on": today.isoformat()}, "code"),
                        ({"code": "phq9", "due_on": today.isoformat(), "note": "x" * 600}, "note")):
        call(state, "assign", form)
        assert field in state.assign_errors, form
    call(state, "assign", "not a form")
    assert count(session, MeasureAssignment) == 0
    call(state, "assign", {"code": "pcl5", "due_on": today.isoformat(), "note": "After the trauma work."})
    assert count(session, MeasureAssignment, MeasureAssignment.client_id == own.id) == 1
    assert any(line.name == "PCL-5" for line in state.due)
    # another therapist's client: nothing shown, nothing assigned, the refusal audited
    before = denials(session, theirs.id)
    other = make_state(ClientMeasuresState, world["tokens"]["mine"], client_id=str(theirs.id))
    call(other, "load")
    assert not other.shown and other.open_alerts == []
    call(other, "assign", {"code": "phq9", "due_on": today.isoformat()})
    call(other, "export_fhir")
    assert count(session, MeasureAssignment, MeasureAssignment.client_id == theirs.id) == 0
    assert denials(session, theirs.id) > before


def test_fhir_download_is_audited(session, world):
    own = world["own"]
    complete(session, world["own_user"], own.id, "phq9", phq9(1))
    state = make_state(ClientMeasuresState, world["tokens"]["mine"], client_id=str(own.id))
    call(state, "load")
    result = call(state, "export_fhir")
    assert result is not None and not state.error
    assert count(session, AuditEvent, AuditEvent.action == "measure.fhir_export", AuditEvent.client_id == own.id,
                 AuditEvent.outcome == "success") == 1


def test_roster_state_shows_measure_columns_and_caseload(session, world):
    own = world["own"]
    complete(session, world["own_user"], own.id, "phq9", phq9(2))
    complete(session, world["own_user"], own.id, "phq9", phq9(1, item9=1))
    state = make_state(RosterState, world["tokens"]["mine"])
    call(state, "load")
    row = next(line for line in state.rows if line.name == "Ana Own")
    assert row.phq9 == "9 mild ↓" and row.alert == "yes" and "missed" in row.measures_late
    assert "down (better)" in row.phq9_words
    assert [entry.name for entry in state.caseload_improved] == ["Ana Own"]
    assert all(line.name != "Zed Theirs" for line in state.rows)


def test_emergency_access_loads_the_measures_section_without_a_reload(session, world):
    """The record page loads both states; a therapist refused the record opens it through
    break-glass, and the Measures section follows (before, it stayed empty until a reload)."""
    theirs = world["theirs"]
    complete(session, world["their_user"], theirs.id, "phq9", phq9(2))
    root = State(_reflex_internal_init=True)
    router = RouterData.from_router_data({"query": {"client_id": str(theirs.id)}, "pathname": "/x"})
    record, section = (root.get_substate(cls.get_full_name().split(".")[1:])
                       for cls in (ClientRecordState, ClientMeasuresState))
    for state in (record, section):
        state.session_token = world["tokens"]["mine"]
        state.router = router
    call(record, "load")
    call(section, "load")
    assert record.emergency_offer and not section.shown and section.trend_figures == []
    follow_up = call(record, "open_emergency_access",
                     {"reason": "Client in crisis at the front desk; their therapist is out sick."})
    assert record.found and follow_up.fn is ClientMeasuresState.load.fn  # the page runs it next
    call(section, "load")
    assert section.shown and len(section.trend_figures) == 1 and section.summaries[0].startswith("PHQ-9: 1 response")

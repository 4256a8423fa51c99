"""Drug and alcohol screening: recording a screen at server time, validity and
panel rules, expected medications, confirmation, the roster flag, the timeline
beside the diary, and who may read or write screens (family members never)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from iop_app.models import AuditEvent, MoodEntry
from iop_app.models.screens import Screen, ScreenAnalyte, ScreenResult
from iop_app.services import program, roster, screens
from iop_app.services.errors import PermissionDenied, ServiceError, ValidationError


def analyte(session, code: str) -> int:
    return session.exec(select(ScreenAnalyte).where(ScreenAnalyte.code == code)).one().id


def cup(session, **results) -> dict:
    """A urine cup's input with {code: result}."""
    return dict(outcome="collected", specimen="urine", observed=True, method="poc", temperature="passed",
                adulterant="passed", results={analyte(session, code): value for code, value in results.items()})


def flags(session, actor, client_id) -> list[str]:
    page = roster.roster_page(session, actor, roster.RosterQuery(status="all"))
    return next(r.flags for r in page.rows if r.client_id == client_id)


def test_the_default_panel_comes_with_the_program(session):
    labels = [a.label for a in screens.panel(session)]
    assert labels[:4] == ["Amphetamines", "Barbiturates", "Benzodiazepines", "Buprenorphine"]
    assert {"Fentanyl", "Methadone", "Oxycodone", "THC (cannabis)", "EtG (alcohol)", "Breath alcohol"} <= set(labels)


def test_a_screen_is_recorded_at_server_time_with_a_result_per_analyte(session, team):
    before = datetime.now(UTC)
    screen = screens.record_screen(session, team["therapist"], team["client"].id,
                                   **cup(session, amp="negative", coc="negative", thc="not_tested"))
    assert before <= screen.collected_at <= datetime.now(UTC)
    results = session.exec(select(ScreenResult).where(ScreenResult.screen_id == screen.id)).all()
    assert sorted(r.result for r in results) == ["negative", "negative"]  # not tested: no row
    record = screens.screens_record(session, team["therapist"], team["client"].id)
    assert [r.analyte for r in record.screens[0].results] == ["Amphetamines", "Cocaine"]
    assert record.screens[0].confirmation == "not_needed" and not record.flagged
    assert roster.FLAG_SCREEN not in flags(session, team["therapist"], team["client"].id)
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "screen.record")).one()
    assert event.client_id == team["client"].id and event.detail == "no positive"


def test_a_time_cannot_be_given(session, team):
    with pytest.raises(ValidationError) as exc:
        screens.record_screen(session, team["therapist"], team["client"].id,
                              collected_at=datetime(2020, 1, 1, tzinfo=UTC), **cup(session, amp="negative"))
    assert "collected_at" in exc.value.errors
    assert session.exec(select(Screen)).all() == []


@pytest.mark.parametrize(("change", "field"), [
    (dict(specimen=""), "specimen"),
    (dict(specimen="hair"), "specimen"),
    (dict(method=""), "method"),
    (dict(temperature="warm"), "temperature"),
    (dict(specimen="oral_fluid"), "temperature"),  # temperature is a urine check
    (dict(results={}), "results"),
    (dict(results={999999: "positive"}), "results"),
    (dict(results={"1": "positive"}), "results"),
    (dict(observed="yes"), "observed"),
    (dict(note="x" * 1001), "note"),
    (dict(outcome="lost"), "outcome"),
])
def test_bad_screens_are_refused_field_by_field_and_nothing_is_saved(session, team, change, field):
    values = cup(session, amp="negative")
    values.update(change)
    with pytest.raises(ValidationError) as exc:
        screens.record_screen(session, team["therapist"], team["client"].id, **values)
    assert field in exc.value.errors
    assert session.exec(select(Screen)).all() == []


def test_a_bad_result_value_is_named_on_its_analyte(session, team):
    values = cup(session, amp="negative")
    values["results"][analyte(session, "coc")] = "maybe"
    with pytest.raises(ValidationError) as exc:
        screens.record_screen(session, team["therapist"], team["client"].id, **values)
    assert f"result_{analyte(session, 'coc')}" in exc.value.errors


def test_a_missed_screen_has_no_specimen_and_flags_the_roster(session, team):
    with pytest.raises(ValidationError) as exc:
        screens.record_screen(session, team["therapist"], team["client"].id, outcome="missed", specimen="urine",
                              results={analyte(session, "amp"): "negative"})
    assert set(exc.value.errors) == {"specimen", "results"}
    screens.record_screen(session, team["therapist"], team["client"].id, outcome="refused", note="Declined to give")
    assert roster.FLAG_SCREEN in flags(session, team["therapist"], team["client"].id)
    assert screens.screens_record(session, team["therapist"], team["client"].id).flagged


def test_an_unexpected_positive_flags_until_the_lab_refutes_it(session, team):
    therapist, client_id = team["therapist"], team["client"].id
    screen = screens.record_screen(session, therapist, client_id, **cup(session, coc="positive", amp="negative"))
    assert screen.confirmation == "unconfirmed"
    assert roster.FLAG_SCREEN in flags(session, therapist, client_id)  # presumptive positives flag at once

    screens.set_confirmation(session, therapist, screen.id, status="sent")
    with pytest.raises(ValidationError) as exc:
        screens.set_confirmation(session, therapist, screen.id, status="refuted", lab_result="")
    assert "lab_result" in exc.value.errors
    screens.set_confirmation(session, therapist, screen.id, status="refuted",
                             lab_result="LC-MS/MS: benzoylecgonine not detected (cutoff 100 ng/mL)")
    assert roster.FLAG_SCREEN not in flags(session, therapist, client_id)
    view = screens.screens_record(session, therapist, client_id).screens[0]
    assert view.confirmation == "refuted" and view.lab_result.startswith("LC-MS/MS")
    with pytest.raises(ValidationError):  # a lab answer is final
        screens.set_confirmation(session, therapist, screen.id, status="confirmed", lab_result="changed mind")


def test_a_confirmed_positive_keeps_the_flag(session, team):
    therapist, client_id = team["therapist"], team["client"].id
    screen = screens.record_screen(session, therapist, client_id, send_for_confirmation=True,
                                   **cup(session, fen="positive"))
    assert screen.confirmation == "sent"
    screens.set_confirmation(session, therapist, screen.id, status="confirmed", lab_result="Fentanyl 4.1 ng/mL")
    assert roster.FLAG_SCREEN in flags(session, therapist, client_id)


def test_a_screen_without_a_positive_has_nothing_to_confirm(session, team):
    screen = screens.record_screen(session, team["therapist"], team["client"].id, **cup(session, amp="negative"))
    with pytest.raises(ValidationError):
        screens.set_confirmation(session, team["therapist"], screen.id, status="sent")
    with pytest.raises(ValidationError):
        screens.record_screen(session, team["therapist"], team["client"].id, send_for_confirmation=True,
                              **cup(session, amp="negative"))


def test_a_confirmation_changed_meanwhile_is_not_overwritten(session, team, factory):
    screen = screens.record_screen(session, team["therapist"], team["client"].id, **cup(session, coc="positive"))
    screens.set_confirmation(session, team["director"], screen.id, status="sent")
    with pytest.raises(ServiceError, match="changed"):
        screens.set_confirmation(session, team["therapist"], screen.id, status="sent", expected_status="unconfirmed")


def test_an_expected_medication_marks_its_positives_expected(session, team):
    therapist, client_id = team["therapist"], team["client"].id
    today = program.local_today(session)
    screens.add_medication(session, therapist, client_id, medication="Buprenorphine/naloxone 8/2 mg",
                           analyte_id=analyte(session, "bup"), started_on=today - timedelta(days=30),
                           prescriber="Dr. Hale")
    screen = screens.record_screen(session, therapist, client_id, **cup(session, bup="positive", opi="negative"))
    view = screens.screens_record(session, therapist, client_id).screens[0]
    assert [(r.analyte, r.expected) for r in view.positives] == [("Buprenorphine", True)]
    assert not view.flags and roster.FLAG_SCREEN not in flags(session, therapist, client_id)
    assert screen.confirmation == "unconfirmed"  # still a positive the lab may confirm

    # Another positive on the same screen is still unexpected.
    screens.record_screen(session, therapist, client_id, **cup(session, bup="positive", fen="positive"))
    assert roster.FLAG_SCREEN in flags(session, therapist, client_id)


def test_a_medication_recorded_late_explains_earlier_positives_and_ending_it_does_not_rewrite_them(session, team):
    therapist, client_id = team["therapist"], team["client"].id
    screens.record_screen(session, therapist, client_id, **cup(session, mtd="positive"))
    assert roster.FLAG_SCREEN in flags(session, therapist, client_id)
    med = screens.add_medication(session, therapist, client_id, medication="Methadone 60 mg",
                                 analyte_id=analyte(session, "mtd"),
                                 started_on=program.local_today(session) - timedelta(days=90))
    assert roster.FLAG_SCREEN not in flags(session, therapist, client_id)
    screens.end_medication(session, therapist, med.id)  # ends today: today's screen stays explained
    assert screens.screens_record(session, therapist, client_id).medications[0].ended_on == program.local_today(
        session)
    assert roster.FLAG_SCREEN not in flags(session, therapist, client_id)
    with pytest.raises(ServiceError):
        screens.end_medication(session, therapist, med.id)


def test_medication_input_is_checked(session, team):
    with pytest.raises(ValidationError) as exc:
        screens.add_medication(session, team["therapist"], team["client"].id, medication="",
                               analyte_id="bup", started_on=program.local_today(session) + timedelta(days=1))
    assert {"medication", "analyte_id"} <= set(exc.value.errors)
    with pytest.raises(ValidationError) as exc:
        screens.add_medication(session, team["therapist"], team["client"].id, medication="Methadone",
                               analyte_id=analyte(session, "mtd"),
                               started_on=program.local_today(session) + timedelta(days=1))
    assert "started_on" in exc.value.errors


def test_old_screens_stop_flagging(session, team):
    therapist, client_id = team["therapist"], team["client"].id
    screen = screens.record_screen(session, therapist, client_id, outcome="missed")
    row = session.get(Screen, screen.id)
    row.collected_at = row.collected_at - timedelta(days=screens.FLAG_DAYS + 1)
    session.add(row)
    session.commit()
    assert roster.FLAG_SCREEN not in flags(session, therapist, client_id)
    assert not screens.screens_record(session, therapist, client_id).flagged


def test_the_timeline_puts_screens_beside_the_diary(session, team):
    therapist, client = team["therapist"], team["client"]
    today = program.local_today(session)
    session.add(MoodEntry(client_id=client.id, day=today, mood=6, anxiety=3, craving=2, sleep_hours=7,
                          used_substance=False))
    session.add(MoodEntry(client_id=client.id, day=today - timedelta(days=3), mood=4, anxiety=5, craving=8,
                          sleep_hours=5, used_substance=True, substances="alcohol"))
    session.add(MoodEntry(client_id=client.id, day=today - timedelta(days=2), mood=6, anxiety=3, craving=2,
                          sleep_hours=7, used_substance=False))
    session.commit()
    screens.record_screen(session, therapist, client.id, **cup(session, coc="positive"))
    timeline = screens.screens_record(session, therapist, client.id).timeline
    assert [d.day for d in timeline] == [today, today - timedelta(days=3)]  # quiet days stay out
    assert timeline[0].discrepancy and timeline[0].checked_in and not timeline[0].used
    assert timeline[1].used and timeline[1].substances == "alcohol" and timeline[1].screens == []


# ------------------------------------------------------------------ permissions
def test_who_reads_and_writes_screens(session, team, factory):
    therapist, client, director = team["therapist"], team["client"], team["director"]
    screen = screens.record_screen(session, therapist, client.id, **cup(session, coc="positive"))
    stranger = factory.user("therapist")
    family = factory.family(client)  # a consent in force that shares progress: still never screens
    other_client = factory.client_user(factory.client(stranger))

    assert screens.screens_record(session, director, client.id).screens
    own = screens.screens_record(session, team["client_user"], client.id)
    assert own.screens[0].positives and own.panel == []  # read-only: nothing to record with
    for outsider in (stranger, family, other_client):
        with pytest.raises(PermissionDenied):
            screens.screens_record(session, outsider, client.id)
    for actor in (family, team["client_user"], stranger, other_client):
        with pytest.raises(PermissionDenied):
            screens.record_screen(session, actor, client.id, **cup(session, amp="negative"))
        with pytest.raises(PermissionDenied):
            screens.set_confirmation(session, actor, screen.id, status="sent")
        with pytest.raises(PermissionDenied):
            screens.add_medication(session, actor, client.id, medication="Methadone",
                                   analyte_id=analyte(session, "mtd"), started_on=program.local_today(session))
    assert session.get(Screen, screen.id).confirmation == "unconfirmed"
    assert len(session.exec(select(Screen)).all()) == 1

    views = session.exec(select(AuditEvent).where(AuditEvent.action == "screen.view")).all()
    assert {(v.actor_user_id, v.outcome) for v in views} >= {
        (director.id, "allowed"), (team["client_user"].id, "allowed"), (family.id, "denied"),
        (stranger.id, "denied")}
    family_views = [v for v in views if v.actor_user_id == family.id]
    assert family_views and all(v.outcome == "denied" for v in family_views)


def test_forged_ids_are_refused_like_strangers(session, team):
    therapist = team["therapist"]
    for bad in ("1", True, -1, 2**70, None, 999999):
        with pytest.raises(PermissionDenied):
            screens.screens_record(session, therapist, bad)
        with pytest.raises(PermissionDenied):
            screens.set_confirmation(session, therapist, bad, status="sent")
        with pytest.raises(PermissionDenied):
            screens.end_medication(session, therapist, bad)


def test_only_the_director_edits_the_panel(session, team):
    with pytest.raises(PermissionDenied):
        screens.add_analyte(session, team["therapist"], label="Kratom")
    row = screens.add_analyte(session, team["director"], label="Kratom (mitragynine)")
    assert row.code == "kratom_mitragynine" and row.label in [a.label for a in screens.panel(session)]
    with pytest.raises(ValidationError):
        screens.add_analyte(session, team["director"], label="kratom (MITRAGYNINE)")
    screens.set_analyte_active(session, team["director"], analyte(session, "bar"), False)
    assert "Barbiturates" not in [a.label for a in screens.panel(session)]
    with pytest.raises(ValidationError):  # a retired analyte is no longer offered
        screens.record_screen(session, team["therapist"], team["client"].id, **cup(session, bar="negative"))
    with pytest.raises(PermissionDenied):
        screens.set_analyte_active(session, team["therapist"], analyte(session, "bar"), True)


def test_no_new_screens_after_discharge(session, team, factory):
    discharged = factory.client(team["therapist"], status="discharged")
    with pytest.raises(ServiceError, match="discharged"):
        screens.record_screen(session, team["therapist"], discharged.id, **cup(session, amp="negative"))
    assert session.exec(select(Screen)).all() == []

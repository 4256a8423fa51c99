"""The daily check-in: one per program-local day, same-day edits, the late window,
field checks, the support prompt, and the streak."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlmodel import select

from iop_app.models import AuditEvent, MoodEntry, ProgramSetting
from iop_app.services import checkins, program
from iop_app.services.errors import ValidationError


@pytest.fixture
def alex(factory):
    client = factory.client(factory.user("therapist"), admitted_days_ago=30)
    return client, factory.client_user(client)


def _values(**overrides):
    values = dict(mood=6, anxiety=4, craving=3, sleep_hours=7.5, used_substance=False, substances="",
                  triggers=["loneliness"], trigger_other="", coping=["went for a walk"], coping_other="", note="")
    values.update(overrides)
    return values


def _save(session, user, client, day=None, **overrides):
    day = day or program.local_today(session)
    return checkins.save_checkin(session, user, client.id, day=day, **_values(**overrides))


def _entries(session):
    return session.exec(select(MoodEntry).order_by(MoodEntry.day)).all()


def test_todays_check_in_is_saved_on_the_program_local_day(session, alex):
    client, user = alex
    result = _save(session, user, client, triggers=["loneliness", "payday"], trigger_other="rainy days",
                   coping=["journaling"], note="Tired but OK")
    [entry] = _entries(session)
    assert entry.day == program.local_today(session)
    assert (entry.mood, entry.anxiety, entry.craving, entry.sleep_hours) == (6, 4, 3, 7.5)
    assert entry.triggers == "loneliness; payday; rainy days"
    assert entry.coping == "journaling"
    assert entry.note == "Tired but OK" and not entry.late
    assert result.created and not result.late and not result.show_support


@pytest.mark.parametrize("zone,offset_hours", [("Pacific/Kiritimati", 14), ("Pacific/Pago_Pago", -11)])
def test_day_follows_the_program_time_zone_not_the_server(session, alex, zone, offset_hours):
    client, user = alex
    # These two zones are 25 hours apart, so at any moment their dates differ.
    session.add(ProgramSetting(key="timezone", value=zone))
    session.commit()
    expected = (datetime.now(UTC) + timedelta(hours=offset_hours)).date()
    checkins.save_checkin(session, user, client.id, day=expected, **_values())
    assert _entries(session)[0].day == expected
    with pytest.raises(ValidationError):  # the next local day has not begun there yet
        checkins.save_checkin(session, user, client.id, day=expected + timedelta(days=1), **_values())


def test_a_second_check_in_the_same_day_edits_the_first(session, alex):
    client, user = alex
    _save(session, user, client, mood=4)
    result = _save(session, user, client, mood=7, craving=2, note="Better after group")
    [entry] = _entries(session)
    assert (entry.mood, entry.craving, entry.note) == (7, 2, "Better after group")
    assert not result.created
    actions = [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()]
    assert actions == ["checkin.create", "checkin.update"]


def test_a_missed_day_can_be_filled_up_to_three_days_late_and_is_marked_late(session, alex):
    client, user = alex
    today = program.local_today(session)
    result = _save(session, user, client, day=today - timedelta(days=3))
    assert result.late
    assert [(e.day, e.late) for e in _entries(session)] == [(today - timedelta(days=3), True)]
    with pytest.raises(ValidationError) as exc:
        _save(session, user, client, day=today - timedelta(days=4))
    assert exc.value.errors == {"day": "A missed day can be filled in up to 3 days later."}
    assert len(_entries(session)) == 1


def test_a_future_day_is_refused(session, alex):
    client, user = alex
    with pytest.raises(ValidationError) as exc:
        _save(session, user, client, day=program.local_today(session) + timedelta(days=1))
    assert "day" in exc.value.errors
    assert _entries(session) == []


def test_a_day_before_admission_is_refused(session, factory):
    client = factory.client(admitted_days_ago=1)
    with pytest.raises(ValidationError) as exc:
        _save(session, factory.client_user(client), client, day=program.local_today(session) - timedelta(days=2))
    assert exc.value.errors["day"] == "That day is before you joined the program."


def test_a_check_in_written_on_an_earlier_day_can_no_longer_be_changed(session, alex):
    client, user = alex
    today = program.local_today(session)
    yesterday = today - timedelta(days=1)
    _save(session, user, client, day=yesterday, mood=5)
    entry = _entries(session)[0]
    tz = program.program_tz(session)
    entry.created_at = program.to_utc(datetime.combine(yesterday, time(21, 0)), tz)  # written yesterday evening
    session.add(entry)
    session.commit()
    with pytest.raises(ValidationError) as exc:
        _save(session, user, client, day=yesterday, mood=9)
    assert "day" in exc.value.errors
    session.rollback()
    assert _entries(session)[0].mood == 5


@pytest.mark.parametrize("field,value", [
    ("mood", 0), ("mood", 11), ("mood", 5.5), ("mood", "7"), ("mood", True), ("mood", None),
    ("anxiety", -1), ("anxiety", 11),
    ("craving", -1), ("craving", 11),
    ("sleep_hours", -0.5), ("sleep_hours", 24.5), ("sleep_hours", float("nan")), ("sleep_hours", "8"),
    ("used_substance", "yes"),
    ("substances", "x" * 201),
    ("note", "x" * 2001),
    ("triggers", ["not on the list"]), ("triggers", "loneliness"),
    ("coping", ["x"]),
])
def test_out_of_range_or_malformed_values_are_refused_with_a_message_for_that_field(session, alex, field, value):
    client, user = alex
    with pytest.raises(ValidationError) as exc:
        _save(session, user, client, **{field: value})
    assert field in exc.value.errors and exc.value.errors[field]
    assert _entries(session) == []


def test_over_long_other_text_is_reported_on_its_list(session, alex):
    client, user = alex
    with pytest.raises(ValidationError) as exc:
        _save(session, user, client, trigger_other="x" * 201, coping_other="y" * 201)
    assert set(exc.value.errors) == {"triggers", "coping"}
    assert _entries(session) == []


def test_every_bad_field_is_reported_at_once(session, alex):
    client, user = alex
    with pytest.raises(ValidationError) as exc:
        _save(session, user, client, mood=12, anxiety=-3, craving=99, sleep_hours=30)
    assert set(exc.value.errors) == {"mood", "anxiety", "craving", "sleep_hours"}


def test_edges_of_the_ranges_are_accepted(session, alex):
    client, user = alex
    _save(session, user, client, mood=1, anxiety=0, craving=0, sleep_hours=0)
    _save(session, user, client, mood=10, anxiety=10, craving=7, sleep_hours=24)
    assert (_entries(session)[0].mood, _entries(session)[0].sleep_hours) == (10, 24.0)


@pytest.mark.parametrize("craving,used,support", [(7, False, False), (8, False, True), (10, False, True),
                                                  (0, True, True)])
def test_high_craving_or_reported_use_asks_for_support(session, alex, craving, used, support):
    client, user = alex
    result = _save(session, user, client, craving=craving, used_substance=used,
                   substances="alcohol" if used else "")
    assert result.show_support is support
    entry = _entries(session)[0]
    # The therapist's flag is derived from these columns.
    assert (entry.craving, entry.used_substance) == (craving, used)


def test_substances_are_cleared_when_no_use_is_reported(session, alex):
    client, user = alex
    _save(session, user, client, used_substance=False, substances="alcohol")
    assert _entries(session)[0].substances == ""


def _seed_days(session, client, days_ago: list[int]):
    today = program.local_today(session)
    for n in days_ago:
        session.add(MoodEntry(client_id=client.id, day=today - timedelta(days=n), mood=5, anxiety=5, craving=5,
                              sleep_hours=7))
    session.commit()


def test_streak_counts_consecutive_days_ending_today(session, alex):
    client, user = alex
    _seed_days(session, client, [0, 1, 2, 4, 5])  # gap 3 days ago
    status = checkins.today_status(session, user, client.id)
    assert status.done_today and status.streak == 3
    assert status.fillable_days == [program.local_today(session) - timedelta(days=3)]


def test_streak_is_kept_while_today_is_still_open(session, alex):
    client, user = alex
    _seed_days(session, client, [1, 2, 3, 4, 5, 6, 8])
    status = checkins.today_status(session, user, client.id)
    assert not status.done_today and status.streak == 6
    assert status.fillable_days == []


def test_streak_is_zero_after_a_missed_day(session, alex):
    client, user = alex
    _seed_days(session, client, [2, 3])
    status = checkins.today_status(session, user, client.id)
    assert status.streak == 0
    today = program.local_today(session)
    assert status.fillable_days == [today - timedelta(days=1)]


def test_get_checkin_returns_lists_and_editability(session, alex):
    client, user = alex
    _save(session, user, client, triggers=["payday", "loneliness"], coping_other="called my sister")
    view = checkins.get_checkin(session, user, client.id, program.local_today(session))
    assert view.triggers == ["loneliness", "payday"]  # in the list's order
    assert view.coping == ["went for a walk", "called my sister"]
    assert view.editable

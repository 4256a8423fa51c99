"""`make bench`: the therapist workspace at scale.

Builds a temp SQLite program with the real migration: 50 therapists x 40 clients
(2,000), 365 days of check-ins each (~730,000), 100 groups meeting Mon/Wed/Fri
for a year with roll call (~310,000 attendance rows), weekly individual sessions
and treatment plans (a signed version about every month). Then times (best of many
runs, the service and the SQL run alternately so a busy moment slows both alike):

  1. the roster for a 40-client caseload (the whole caseload on one page),
  2. the director's first roster page (25 of 2,000),
  3. one client's charts (check-ins for a year with 7-day averages, 12 weeks of
     hours and of attendance),
  4. one group's attendance chart (rate by session, 12 weeks),
  5. the roster's measure columns for the 40-client caseload (latest PHQ-9 and GAD-7
     band and direction, late and missed measures, open alerts) with the roster,
  6. one client's measure trends (responses in force, and the diary beside them),
  7. one client's record of notes and services (12 weeks: ~100 notes, 4 plan
     versions; the timeline at /staff/clients/[id]/notes),

and writes a group note for 12 attendees (one transaction, commits counted).
Services of the last 13 weeks are documented (signed notes): hours count only
documented services.

each next to the best single hand-written SQL query returning the same numbers
(asserted equal), and the ratio; plus the size of the roster page state the
browser receives. Service timings include what the page really does (the
permission check and its audit write).

`--keep PATH` builds the program into PATH once and reuses it on later runs.
"""

from __future__ import annotations

import json
import random
import shutil
import sys
import tempfile
import time as clock
from dataclasses import asdict
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import bindparam, event, insert, text  # noqa: E402
from sqlmodel import Session  # noqa: E402

from iop_app.db import get_engine  # noqa: E402
from iop_app.manage import migrate  # noqa: E402
from iop_app.models import (  # noqa: E402
    Attendance,
    Client,
    GroupMembership,
    GroupSession,
    IndividualSession,
    MeasureAlert,
    MeasureResponse,
    MoodEntry,
    ProgressNote,
    TherapyGroup,
    TreatmentPlan,
    User,
)
from iop_app.services import (  # noqa: E402
    group_notes,
    measure_roster,
    measure_schedule,
    measure_trends,
    measures,
    notes,
    program,
    progress,
    reports,
    roster,
)
from iop_app.state.staff import row_view  # noqa: E402

THERAPISTS = 50
PER_THERAPIST = 40
DAYS = 365
GROUP_SIZE = 20
RUNS = 7
STATUSES = ("present",) * 80 + ("late",) * 6 + ("left_early",) * 4 + ("excused",) * 4 + ("unexcused",) * 6


def build(url: str, today: date) -> dict:
    rng = random.Random(7)
    engine = get_engine(url)
    now = datetime.now(UTC)
    with Session(engine) as s:
        tz = program.program_tz(s)
        users = [dict(email="director@bench.example", full_name="Dana Director", role="director", password_hash="x",
                      active=True, created_at=now)]
        users += [dict(email=f"t{i}@bench.example", full_name=f"Therapist {i:02d}", role="therapist",
                       password_hash="x", active=True, created_at=now) for i in range(THERAPISTS)]
        first = ["Alex", "Jamie", "Taylor", "Casey", "Riley", "Morgan", "Avery", "Quinn", "Drew", "Skyler"]
        n_clients = THERAPISTS * PER_THERAPIST
        users += [dict(email=f"c{i}@bench.example", full_name=f"{first[i % 10]} Client{i:04d}", role="client",
                       password_hash="x", active=True, created_at=now) for i in range(n_clients)]
        s.execute(insert(User), users)
        ids = dict(s.execute(text("SELECT email, id FROM user")).all())
        director = ids["director@bench.example"]
        therapists = [ids[f"t{i}@bench.example"] for i in range(THERAPISTS)]
        clients = [dict(user_id=ids[f"c{i}@bench.example"],
                        admission_date=today - timedelta(days=DAYS + rng.randint(0, 30)), status="active",
                        primary_therapist_id=therapists[i // PER_THERAPIST], level_of_care="2.1",
                        stage_of_change="action", discharge_note="") for i in range(n_clients)]
        s.execute(insert(Client), clients)
        client_ids = [cid for (cid,) in s.execute(text("SELECT id FROM client ORDER BY id"))]

        start = today - timedelta(days=DAYS - 1)
        batch = []
        for cid in client_ids:
            for d in range(DAYS):
                if rng.random() < 0.01:
                    continue  # ~1 % of days without a check-in
                craving = rng.randint(0, 10)
                batch.append(dict(client_id=cid, day=start + timedelta(days=d), mood=rng.randint(1, 10),
                                  anxiety=rng.randint(0, 10), craving=craving, sleep_hours=round(rng.uniform(3, 10), 1),
                                  used_substance=rng.random() < 0.02, substances="", triggers="", coping="", note="",
                                  late=False, created_at=now, updated_at=now))
                if len(batch) >= 50_000:
                    s.execute(insert(MoodEntry), batch)
                    batch = []
        if batch:
            s.execute(insert(MoodEntry), batch)

        groups = []
        for g in range(n_clients // GROUP_SIZE):
            groups.append(dict(name=f"Group {g:03d}", group_type="process",
                               facilitator_id=therapists[g * GROUP_SIZE // PER_THERAPIST],
                               weekdays="1,3,5", start_time=time(9), duration_minutes=180, capacity=GROUP_SIZE,
                               start_date=start, location="", description=""))
        s.execute(insert(TherapyGroup), groups)
        group_ids = [gid for (gid,) in s.execute(text("SELECT id FROM therapy_group ORDER BY id"))]
        members = {gid: client_ids[i * GROUP_SIZE:(i + 1) * GROUP_SIZE] for i, gid in enumerate(group_ids)}
        s.execute(insert(GroupMembership), [dict(group_id=gid, client_id=cid, joined_on=start)
                                            for gid, cids in members.items() for cid in cids])
        meetings = []
        for gid in group_ids:
            for d in range(DAYS + 7):
                day = start + timedelta(days=d)
                if day.isoweekday() in (1, 3, 5):
                    meetings.append(dict(group_id=gid, starts_at=program.to_utc(datetime.combine(day, time(9)), tz),
                                         duration_minutes=180, topic="", notes="", cancelled=rng.random() < 0.02,
                                         cancel_reason="", extra=False))
        s.execute(insert(GroupSession), meetings)
        now_utc = datetime.now(UTC)
        rows = s.execute(text("SELECT id, group_id, starts_at, cancelled FROM group_session")).all()
        batch = []
        for sid, gid, starts_at, cancelled in rows:
            if cancelled or datetime.fromisoformat(str(starts_at)).replace(tzinfo=UTC) > now_utc:
                continue
            for cid in members[gid]:
                status = rng.choice(STATUSES)
                minutes = {"present": 180, "late": 165, "left_early": 135}.get(status, 0)
                batch.append(dict(session_id=sid, client_id=cid, status=status, minutes=minutes, recorded_at=now,
                                  recorded_by=director, edit_reason=""))
                if len(batch) >= 50_000:
                    s.execute(insert(Attendance), batch)
                    batch = []
        if batch:
            s.execute(insert(Attendance), batch)
        individual = []
        for i, cid in enumerate(client_ids):
            for w in range(DAYS // 7 + 1):
                day = start + timedelta(days=w * 7 + 3)
                if day >= today:
                    break
                attended = rng.random() < 0.9
                individual.append(dict(client_id=cid, therapist_id=therapists[i // PER_THERAPIST],
                                       starts_at=program.to_utc(datetime.combine(day, time(15)), tz),
                                       duration_minutes=50, status="attended" if attended else "missed",
                                       minutes_attended=50 if attended else 0, note=""))
        s.execute(insert(IndividualSession), individual)
        _build_plans(s, client_ids, therapists, start)
        _measures(s, rng, client_ids, ids, start, today, tz, now)
        s.commit()
        document(s, today, tz, client_ids[123], director)
        counts = {t: s.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one()
                  for t in ("client", "mood_entry", "group_session", "attendance", "individual_session",
                            "treatment_plan", "measure_response", "measure_alert")}
        s.execute(text("ANALYZE"))
        s.commit()
    return dict(director=director, therapist=therapists[7], client=client_ids[123], group=group_ids[11], counts=counts)


def _measures(s: Session, rng: random.Random, client_ids: list[int], ids: dict, start: date, today: date, tz,
              now: datetime) -> None:
    """A year of measures: PHQ-9 every 21 days and GAD-7 every 28 (~30 a client, so
    PHQ-9s fall due between them: late and missed counts), an open alert for 1 in 20."""
    users = dict(s.execute(text("SELECT id, user_id FROM client")).all())
    batch, alerts = [], []
    for cid in client_ids:
        for code, every in (("phq9", 21), ("gad7", 28)):
            items = len(measures.definition(code).items)
            for d in range(rng.randint(0, every - 1), DAYS, every):
                answers = {n: rng.randint(0, 3) for n in range(1, items + 1)}
                result = measures.score(code, answers)
                at = program.to_utc(datetime.combine(start + timedelta(days=d), time(10)), tz)
                batch.append(dict(client_id=cid, code=code, status="submitted",
                                  answers={str(n): v for n, v in answers.items()}, total=result.total,
                                  band=result.band, subscales={}, positive=None, alerts=list(result.alerts),
                                  started_at=at, updated_at=at, completed_at=at, entered_by=users[cid],
                                  correction_reason=""))
    s.execute(insert(MeasureResponse), batch)
    for cid in client_ids[::20]:
        rid = s.execute(text("SELECT MAX(id) FROM measure_response WHERE client_id = :c"), {"c": cid}).scalar_one()
        alerts.append(dict(client_id=cid, response_id=rid, kind="rise", text="PHQ-9 rose 5 points.", created_at=now,
                           action_note=""))
    s.execute(insert(MeasureAlert), alerts)


def _build_plans(s: Session, client_ids: list[int], therapists: list[int], start: date) -> None:
    """Versions every 30-40 days; the newest signed one is in force (earlier ones
    superseded); every seventh client has none (their first plan is due)."""
    plans = []
    for i, cid in enumerate(client_ids):
        if i % 7 == 6:
            continue
        days = list(range(3, DAYS, 30 + (i % 3) * 5))
        for n, d in enumerate(days, start=1):
            on = start + timedelta(days=d)
            at = datetime.combine(on, time(16), tzinfo=UTC)
            plans.append(dict(client_id=cid, number=n, status="signed" if n == len(days) else "superseded",
                              effective_on=on, review_due_on=on + timedelta(days=30), changes="",
                              created_by=therapists[i // PER_THERAPIST], created_at=at,
                              therapist_signed_by=therapists[i // PER_THERAPIST], therapist_signed_at=at,
                              therapist_signature="T", client_signed_at=at, client_signature="C", version=1))
    s.execute(insert(TreatmentPlan), plans)


NOTE_WEEKS = 13  # services of the last 13 weeks are documented (signed notes)
PLAIN_NOTE = '{"data": "d", "response": "r", "assessment": "a", "plan": "p"}'
STAMP = "strftime('%Y-%m-%d %H:%M:%S.000000', {})"  # UTCDateTime's text form on SQLite


def document(s: Session, today: date, tz, record_client: int, director: int) -> None:
    """Signed notes for the services of the last NOTE_WEEKS weeks (set-based inserts),
    extra case-management contacts and 4 plan versions for the record benchmark's client."""
    since = program.to_utc(datetime.combine(today - timedelta(weeks=NOTE_WEEKS), time.min), tz)
    now = datetime.now(UTC)
    params = dict(since=since, now=now)
    s.execute(typed("""
        INSERT INTO group_note (group_session_id, author_id, note_format, status, topic, shared, created_at,
                                signed_by, signed_at, version)
        SELECT s.id, g.facilitator_id, 'dap', 'signed', '', 'Skills practice.', :now, g.facilitator_id, :now, 1
        FROM group_session s JOIN therapy_group g ON g.id = s.group_id
        WHERE s.starts_at >= :since AND s.starts_at < :now AND NOT s.cancelled""", "since", "now"), params)
    ends = STAMP.format("datetime(s.starts_at, '+' || s.duration_minutes || ' minutes')")
    s.execute(typed(f"""
        INSERT INTO progress_note (client_id, author_id, service_type, note_format, status, service_date, starts_at,
                                   ends_at, location, minutes, group_note_id, sections, created_at, signed_by,
                                   signed_at, cosign_required, version)
        SELECT a.client_id, gn.author_id, 'group', 'dap', 'signed', date(s.starts_at), s.starts_at, {ends},
               'office', a.minutes, gn.id, '{PLAIN_NOTE}', :now, gn.author_id, :now, 0, 1
        FROM attendance a JOIN group_session s ON s.id = a.session_id JOIN group_note gn ON gn.group_session_id = s.id
        WHERE a.status IN ('present', 'late', 'left_early')""", "now"), params)
    ends = STAMP.format("datetime(i.starts_at, '+' || i.duration_minutes || ' minutes')")
    s.execute(typed(f"""
        INSERT INTO progress_note (client_id, author_id, service_type, note_format, status, service_date, starts_at,
                                   ends_at, location, minutes, individual_session_id, sections, created_at,
                                   signed_by, signed_at, cosign_required, version)
        SELECT i.client_id, i.therapist_id, 'individual', 'dap', 'signed', date(i.starts_at), i.starts_at, {ends},
               'office', i.minutes_attended, i.id, '{PLAIN_NOTE}', :now, i.therapist_id, :now, 0, 1
        FROM individual_session i WHERE i.status = 'attended' AND i.starts_at >= :since""", "since", "now"), params)
    # The record benchmark's client: 4 contacts a week besides groups and sessions, 4 plan versions.
    therapist = s.execute(text("SELECT primary_therapist_id FROM client WHERE id = :c"),
                          dict(c=record_client)).scalar_one()
    contacts = []
    for d in range(0, 7 * 12, 2):
        day = today - timedelta(days=d + 1)
        starts = program.to_utc(datetime.combine(day, time(11)), tz)
        contacts.append(dict(client_id=record_client, author_id=therapist, service_type="case_management",
                             note_format="dap", status="signed", service_date=day, starts_at=starts,
                             ends_at=starts + timedelta(minutes=20), location="telehealth_phone", minutes=20,
                             sections={"data": "d"}, created_at=now, signed_by=therapist, signed_at=now,
                             cosign_required=False, version=1))
    s.execute(insert(ProgressNote), contacts)
    # Exactly 4 versions: the year of plans _build_plans gave this client makes way for them.
    s.execute(text("DELETE FROM treatment_plan WHERE client_id = :c"), dict(c=record_client))
    previous = None
    for number in range(1, 5):
        created = now - timedelta(days=30 * (4 - number) + 1)
        on = program.to_local(created, tz).date()
        plan = TreatmentPlan(client_id=record_client, number=number, previous_id=previous, created_by=therapist,
                             status="signed" if number == 4 else "superseded", created_at=created,
                             effective_on=on, review_due_on=on + timedelta(days=30))
        s.add(plan)
        s.flush()
        previous = plan.id
    s.commit()


def twelve_present(s: Session, group_id: int, today: date, attempt: int, recorder: int) -> int:
    """A new session of the group today with 12 members present; its id."""
    tz = program.program_tz(s)
    meeting = GroupSession(group_id=group_id, starts_at=program.to_utc(datetime.combine(today, time(6, attempt)), tz),
                           duration_minutes=60, topic="", notes="", extra=True)
    s.add(meeting)
    s.flush()
    members = s.execute(text("SELECT client_id FROM group_membership WHERE group_id = :g ORDER BY client_id LIMIT 12"),
                        dict(g=group_id)).scalars().all()
    s.execute(insert(Attendance), [dict(session_id=meeting.id, client_id=cid, status="present", minutes=60,
                                        recorded_at=datetime.now(UTC), recorded_by=recorder) for cid in members])
    s.commit()
    return meeting.id


def race(service, by_hand, runs: int = RUNS, seconds: float = 1.0):
    """Best times of the service and of the hand-written SQL, run alternately (so a
    busy moment on the machine slows both alike) at least `runs` times each and for
    at least `seconds`. Returns (service time, its result, SQL time, its result)."""
    service_times, sql_times = [], []
    started = clock.perf_counter()
    while len(service_times) < runs or clock.perf_counter() - started < seconds:
        t0 = clock.perf_counter()
        service_result = service()
        t1 = clock.perf_counter()
        sql_result = by_hand()
        t2 = clock.perf_counter()
        service_times.append(t1 - t0)
        sql_times.append(t2 - t1)
    return min(service_times), service_result, min(sql_times), sql_result


DT = GroupSession.__table__.c.starts_at.type

ROSTER_SQL = """
WITH c AS (
  SELECT cl.id, u.full_name AS name, cl.admission_date
  FROM client cl JOIN user u ON u.id = cl.user_id
  WHERE cl.status IN ('intake', 'active') {where}
  ORDER BY lower(u.full_name), cl.id LIMIT :limit
),
m AS (SELECT client_id,
        AVG(CASE WHEN day >= :d7 THEN mood END) AS mood7, AVG(CASE WHEN day < :d7 THEN mood END) AS moodp,
        AVG(CASE WHEN day >= :d7 THEN craving END) AS cr7, AVG(CASE WHEN day < :d7 THEN craving END) AS crp,
        MAX(CASE WHEN day >= :d7 THEN craving END) AS crmax,
        MAX(CASE WHEN day >= :d7 AND used_substance THEN 1 ELSE 0 END) AS used
      FROM mood_entry WHERE client_id IN (SELECT id FROM c) AND day >= :d14 AND day <= :today GROUP BY client_id),
a AS (SELECT a.client_id, COUNT(*) AS rec,
        SUM(a.status IN ('present', 'late', 'left_early')) AS att, SUM(a.status IN ('excused', 'unexcused')) AS missed
      FROM attendance a JOIN group_session s ON s.id = a.session_id
      WHERE a.client_id IN (SELECT id FROM c) AND s.starts_at >= :s14 AND s.starts_at < :tomorrow AND NOT s.cancelled
      GROUP BY a.client_id),
h AS (SELECT client_id, SUM(minutes) AS mins FROM (
        SELECT a.client_id, a.minutes FROM attendance a JOIN group_session s ON s.id = a.session_id
        WHERE a.client_id IN (SELECT id FROM c) AND s.starts_at >= :week AND s.starts_at < :next_week
          AND NOT s.cancelled AND EXISTS (SELECT 1 FROM group_note g JOIN progress_note n ON n.group_note_id = g.id
            WHERE g.group_session_id = s.id AND n.client_id = a.client_id AND n.status = 'signed')
        UNION ALL
        SELECT client_id, minutes_attended FROM individual_session i
        WHERE client_id IN (SELECT id FROM c) AND starts_at >= :week AND starts_at < :next_week AND status = 'attended'
          AND EXISTS (SELECT 1 FROM progress_note n WHERE n.individual_session_id = i.id AND n.status = 'signed')
        UNION ALL
        SELECT client_id, minutes_attended FROM family_session f
        WHERE client_id IN (SELECT id FROM c) AND starts_at >= :week AND starts_at < :next_week AND status = 'completed'
          AND EXISTS (SELECT 1 FROM progress_note n WHERE n.family_session_id = f.id AND n.status = 'signed')
        UNION ALL
        SELECT client_id, minutes FROM progress_note
        WHERE client_id IN (SELECT id FROM c) AND starts_at >= :week AND starts_at < :next_week AND status = 'signed'
          AND service_type IN ('case_management', 'crisis')
      ) GROUP BY client_id)
SELECT c.id, c.name,
       (SELECT MAX(day) FROM mood_entry WHERE client_id = c.id AND day <= :today),
       m.mood7, m.moodp, m.cr7, m.crp, m.crmax, m.used, a.rec, a.att, a.missed, h.mins,
       COALESCE((SELECT review_due_on FROM treatment_plan WHERE client_id = c.id AND status = 'signed'),
                date(c.admission_date, '+' || :first_plan_days || ' days')),
       (SELECT COUNT(*) FROM progress_note WHERE client_id = c.id AND status = 'draft' AND ends_at < :due)
FROM c LEFT JOIN m ON m.client_id = c.id LEFT JOIN a ON a.client_id = c.id LEFT JOIN h ON h.client_id = c.id
ORDER BY lower(c.name), c.id
"""

CHECKIN_SQL = """
SELECT day, mood, craving,
  AVG(mood) OVER w AS mood7, AVG(craving) OVER w AS craving7
FROM mood_entry WHERE client_id = :cid AND day >= :first AND day <= :today
WINDOW w AS (ORDER BY julianday(day) RANGE BETWEEN 6 PRECEDING AND CURRENT ROW)
"""

HOURS_SQL = """
SELECT starts_at, minutes FROM (
  SELECT s.starts_at, a.minutes FROM attendance a JOIN group_session s ON s.id = a.session_id
  WHERE a.client_id = :cid AND s.starts_at >= :start AND s.starts_at < :end AND NOT s.cancelled
    AND EXISTS (SELECT 1 FROM group_note g JOIN progress_note n ON n.group_note_id = g.id
                WHERE g.group_session_id = s.id AND n.client_id = a.client_id AND n.status = 'signed')
  UNION ALL SELECT starts_at, minutes_attended FROM individual_session i
  WHERE client_id = :cid AND starts_at >= :start AND starts_at < :end AND status = 'attended'
    AND EXISTS (SELECT 1 FROM progress_note n WHERE n.individual_session_id = i.id AND n.status = 'signed')
  UNION ALL SELECT starts_at, minutes_attended FROM family_session f
  WHERE client_id = :cid AND starts_at >= :start AND starts_at < :end AND status = 'completed'
    AND EXISTS (SELECT 1 FROM progress_note n WHERE n.family_session_id = f.id AND n.status = 'signed')
  UNION ALL SELECT starts_at, minutes FROM progress_note
  WHERE client_id = :cid AND starts_at >= :start AND starts_at < :end AND status = 'signed'
    AND service_type IN ('case_management', 'crisis'))
"""

# The client's record (the timeline): services with their notes, contacts, plan versions.
TIMELINE_SQL = """
SELECT s.starts_at, 'group', g.name, a.minutes, n.id, n.status FROM attendance a
  JOIN group_session s ON s.id = a.session_id JOIN therapy_group g ON g.id = s.group_id
  LEFT JOIN group_note gn ON gn.group_session_id = s.id
  LEFT JOIN progress_note n ON n.group_note_id = gn.id AND n.client_id = a.client_id
  WHERE a.client_id = :cid AND a.status IN ('present', 'late', 'left_early') AND NOT s.cancelled
UNION ALL SELECT i.starts_at, 'individual', '', i.minutes_attended, n.id, n.status FROM individual_session i
  LEFT JOIN progress_note n ON n.individual_session_id = i.id WHERE i.client_id = :cid AND i.status = 'attended'
UNION ALL SELECT f.starts_at, 'family', '', f.minutes_attended, n.id, n.status FROM family_session f
  LEFT JOIN progress_note n ON n.family_session_id = f.id WHERE f.client_id = :cid AND f.status = 'completed'
UNION ALL SELECT starts_at, service_type, '', minutes, id, status FROM progress_note
  WHERE client_id = :cid AND service_type IN ('case_management', 'crisis')
UNION ALL SELECT created_at, 'plan', 'Treatment plan, version ' || number, NULL, NULL, status FROM treatment_plan
  WHERE client_id = :cid
"""

ATTENDANCE_SQL = """
SELECT s.starts_at, a.status IN ('present', 'late', 'left_early') FROM attendance a
JOIN group_session s ON s.id = a.session_id
WHERE a.client_id = :cid AND s.starts_at >= :start AND s.starts_at < :end AND NOT s.cancelled
"""

GROUP_SQL = """
SELECT s.starts_at, COUNT(a.id), COALESCE(SUM(a.status IN ('present', 'late', 'left_early')), 0)
FROM group_session s LEFT JOIN attendance a ON a.session_id = s.id
WHERE s.group_id = :gid AND s.starts_at >= :start AND s.starts_at < :end AND NOT s.cancelled
GROUP BY s.id ORDER BY s.starts_at
"""


def typed(sql: str, *datetime_params: str):
    return text(sql).bindparams(*[bindparam(p, type_=DT) for p in datetime_params])


def roster_by_hand(s: Session, today: date, therapist: int | None, limit: int):
    tz = program.program_tz(s)
    week = program.week_start(today)
    utc = lambda d: program.to_utc(datetime.combine(d, time.min), tz)  # noqa: E731
    where = ""
    if therapist is not None:
        where = """AND (cl.primary_therapist_id = :t OR cl.id IN (
            SELECT gm.client_id FROM group_membership gm JOIN therapy_group g ON g.id = gm.group_id
            WHERE g.facilitator_id = :t AND gm.joined_on <= :today AND (gm.left_on IS NULL OR gm.left_on >= :today)))"""
    params = dict(limit=limit, today=today, first_plan_days=program.whole_number(s, "first_plan_days"),
                  d7=today - timedelta(days=6), d14=today - timedelta(days=13),
                  s14=utc(today - timedelta(days=13)), tomorrow=utc(today + timedelta(days=1)), week=utc(week),
                  next_week=utc(week + timedelta(days=7)),
                  due=datetime.now(UTC) - timedelta(hours=program.whole_number(s, "notes_overdue_hours")))
    if therapist is not None:
        params["t"] = therapist
    stmt = typed(ROSTER_SQL.format(where=where), "s14", "tomorrow", "week", "next_week", "due")
    return s.execute(stmt, params).all()


def check_roster(rows: list, hand: list) -> None:
    assert [r.client_id for r in rows] == [h[0] for h in hand], "roster order differs"
    for r, h in zip(rows, hand, strict=True):
        _cid, _name, last, mood7, moodp, cr7, crp, _crmax, _used, rec, att, _missed, mins, plan_due, due = h
        assert str(r.last_checkin) == str(last), (r.client_id, r.last_checkin, last)
        assert r.mood_avg7 == (round(mood7, 1) if mood7 is not None else None)
        assert r.craving_avg7 == (round(cr7, 1) if cr7 is not None else None)
        assert r.recorded_14 == (rec or 0) and r.attended_14 == (att or 0)
        assert r.hours_week == round((mins or 0) / 60, 2), (r.hours_week, mins)
        assert str(r.next_review) == str(plan_due), (r.client_id, r.next_review, plan_due)
        assert (roster.FLAG_NOTES in r.flags) == bool(due)


MEASURES_SQL = """
WITH ranked AS (
  SELECT r.client_id, r.code, r.total, r.band,
    ROW_NUMBER() OVER (PARTITION BY r.client_id, r.code ORDER BY r.completed_at DESC, r.id DESC) AS newest
  FROM measure_response r
  WHERE r.client_id IN ({ids}) AND r.code IN ('phq9', 'gad7') AND r.status = 'submitted'
    AND NOT EXISTS (SELECT 1 FROM measure_response l WHERE l.supersedes_id = r.id))
SELECT 0, client_id, code, total, band, newest FROM ranked WHERE newest <= 2
UNION ALL
SELECT 1, client_id, code, MAX(completed_at), NULL, NULL FROM measure_response
  WHERE client_id IN ({ids}) AND status = 'submitted' GROUP BY client_id, code
UNION ALL
SELECT 2, client_id, NULL, COUNT(*), NULL, NULL FROM measure_alert
  WHERE client_id IN ({ids}) AND acknowledged_at IS NULL GROUP BY client_id
"""

TRENDS_SQL = """
SELECT r.code, r.completed_at, r.total FROM measure_response r
WHERE r.client_id = :cid AND r.status = 'submitted'
  AND NOT EXISTS (SELECT 1 FROM measure_response l WHERE l.supersedes_id = r.id)
ORDER BY r.code, r.completed_at, r.id
"""


def measures_by_hand(s: Session, client_ids: list[int]):
    return s.execute(text(MEASURES_SQL.format(ids=", ".join(str(int(i)) for i in client_ids)))).all()


def check_measures(figures: dict, hand: list, s: Session, today: date) -> None:
    """The service's columns equal what the hand-written SQL gives (late and missed by the
    same due rule over its last completion days)."""
    tz = program.program_tz(s)
    latest: dict = {}
    done: dict = {}
    alerts: dict = {}
    for kind, cid, code, value, band, newest in hand:
        if kind == 0:
            latest.setdefault((cid, code), {})[newest] = (value, band)
        elif kind == 1:
            moment = datetime.fromisoformat(str(value)).replace(tzinfo=UTC)
            done.setdefault(cid, {})[code] = [program.to_local(moment, tz).date()]
        else:
            alerts[cid] = value
    rules = measure_schedule.rules(s)
    for cid, row in figures.items():
        for code in ("phq9", "gad7"):
            mine, theirs = row.latest.get(code), latest.get((cid, code), {})
            assert (mine.total, mine.band) == (theirs[1][0], theirs[1][1]), (cid, code)
            assert mine.direction == measure_roster.direction(theirs[1][0], theirs.get(2, (None,))[0])
        assert row.open_alerts == alerts.get(cid, 0)
        client = s.get(Client, cid)
        due = measure_schedule.due_for(client, rules, done.get(cid, {}), [], today)
        assert row.missed == sum(d.overdue for d in due) and row.late == sum(
            (not d.overdue and d.due_on < today) for d in due), cid


def main() -> None:
    """`--keep PATH`: build the program into PATH once and reuse it on later runs
    (for working on the speed; `make bench` always builds afresh)."""
    keep = Path(sys.argv[sys.argv.index("--keep") + 1]) if "--keep" in sys.argv else None
    tmp = Path(tempfile.mkdtemp(prefix="iop-bench-"))
    db = keep or tmp / "bench.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{db}"
    meta = db.with_suffix(".json")
    engine = get_engine(url)
    t0 = clock.perf_counter()
    if keep and meta.exists():
        ids = json.loads(meta.read_text())
        today = date.fromisoformat(ids["today"])
        print(f"Reusing {db} built for {today}")
    else:
        migrate(url)
        with Session(engine) as s:
            today = program.local_today(s)
        ids = build(url, today)
        print(f"Built {ids['counts']} in {clock.perf_counter() - t0:.0f} s")
        if keep:
            meta.write_text(json.dumps({**ids, "today": today.isoformat()}))
    results = []
    with Session(engine, expire_on_commit=False) as s:
        director = s.get(User, ids["director"])
        therapist = s.get(User, ids["therapist"])

        # 1. a therapist's 40-client caseload on one page
        t_service, page, t_sql, hand = race(
            lambda: roster.roster_page(s, therapist, roster.RosterQuery(page_size=40), today),
            lambda: roster_by_hand(s, today, therapist.id, 40))
        assert page.total == PER_THERAPIST and len(page.rows) == 40
        check_roster(page.rows, hand)
        results.append(("Roster, 40-client caseload", t_service, t_sql))

        # 2. the director's first page
        t_service, first_page, t_sql, hand = race(
            lambda: roster.roster_page(s, director, roster.RosterQuery(), today),
            lambda: roster_by_hand(s, today, None, roster.PAGE_SIZE))
        check_roster(first_page.rows, hand)
        results.append(("Director's first roster page", t_service, t_sql))

        # 3. one client's charts
        cid = ids["client"]
        tz = program.program_tz(s)
        weeks = 12
        first_week = program.week_start(today) - timedelta(weeks=weeks - 1)
        span = (program.to_utc(datetime.combine(first_week, time.min), tz),
                program.to_utc(datetime.combine(program.week_start(today) + timedelta(days=7), time.min), tz))

        def service_charts():  # what the client-record page calls: one permission check, two frames
            return progress.client_charts(s, director, cid, DAYS, weeks, today)

        def sql_charts():
            params = dict(cid=cid, start=span[0], end=span[1])
            return (s.execute(text(CHECKIN_SQL), dict(cid=cid, first=today - timedelta(days=DAYS - 1 + 6),
                                                      today=today)).all(),
                    s.execute(typed(HOURS_SQL, "start", "end"), params).all(),
                    s.execute(typed(ATTENDANCE_SQL, "start", "end"), params).all())

        t_service, (checkins, weekly), t_sql, (hand_checkins, hand_hours, hand_attendance) = \
            race(service_charts, sql_charts)
        by_day = checkins.set_index(checkins["day"].dt.strftime("%Y-%m-%d"))
        compared = 0
        for day, mood, _craving, mood7, craving7 in hand_checkins:
            if str(day) in by_day.index:
                row = by_day.loc[str(day)]
                assert row["mood"] == mood and abs(row["mood_avg7"] - mood7) < 1e-9, (day, row["mood_avg7"], mood7)
                assert abs(row["craving_avg7"] - craving7) < 1e-9
                compared += 1
        assert compared == int(checkins["mood"].notna().sum())
        weekly_minutes: dict[date, int] = {}
        for starts_at, minutes in hand_hours:
            moment = datetime.fromisoformat(str(starts_at)).replace(tzinfo=UTC)
            monday = program.week_start(program.to_local(moment, tz).date())
            weekly_minutes[monday] = weekly_minutes.get(monday, 0) + minutes
        assert [round(weekly_minutes.get(w.date(), 0) / 60, 2) for w in weekly["week_start"]] == \
            weekly["hours"].tolist()
        assert sum(a for _, a in hand_attendance) == weekly["attended"].sum()
        assert len(hand_attendance) == weekly["scheduled"].sum()
        results.append(("One client's charts", t_service, t_sql))

        # 4. one group's attendance chart
        gid = ids["group"]
        start = today - timedelta(weeks=12)
        g_span = (program.to_utc(datetime.combine(start, time.min), tz),
                  program.to_utc(datetime.combine(today + timedelta(days=1), time.min), tz))
        t_service, frame, t_sql, hand = race(
            lambda: reports.group_attendance_frame(s, director, gid, start, today),
            lambda: s.execute(typed(GROUP_SQL, "start", "end"), dict(gid=gid, start=g_span[0], end=g_span[1])).all())
        assert frame["recorded"].tolist() == [r[1] for r in hand]
        assert frame["attended"].tolist() == [r[2] for r in hand]
        results.append(("One group's attendance chart", t_service, t_sql))

        # 5. the roster with the measure columns, for the 40-client caseload
        def service_roster_measures():
            result = roster.roster_page(s, therapist, roster.RosterQuery(page_size=40), today)
            return result, measure_roster.columns(s, therapist, [r.client_id for r in result.rows], today)

        def sql_roster_measures():
            rows = roster_by_hand(s, today, therapist.id, 40)
            return rows, measures_by_hand(s, [r[0] for r in rows])

        t_service, (m_page, figures), t_sql, (hand_rows, hand_measures) = race(service_roster_measures,
                                                                                sql_roster_measures)
        check_roster(m_page.rows, hand_rows)
        check_measures(figures, hand_measures, s, today)
        results.append(("Roster + measure columns, 40 clients", t_service, t_sql))

        # 6. one client's measure trends (with the diary beside them)
        diary_first = today - timedelta(days=measure_trends.DIARY_DAYS_MAX - 1 + 6)
        t_service, trend, t_sql, (hand_series, hand_diary) = race(
            lambda: measure_trends.trends(s, director, cid, today),
            lambda: (s.execute(text(TRENDS_SQL), {"cid": cid}).all(),
                     s.execute(text(CHECKIN_SQL), dict(cid=cid, first=diary_first, today=today)).all()))
        assert [(code, p.total) for code, points in trend.points.items() for p in points] == \
            [(c, float(t)) for c, _, t in hand_series]
        mood_by_day = dict(zip(trend.diary_days, trend.mood_avg7, strict=True))
        compared = 0
        for day, _mood, _craving, mood7, _craving7 in hand_diary:
            if date.fromisoformat(str(day)) >= trend.diary_start:
                assert abs(mood_by_day[date.fromisoformat(str(day))] - mood7) < 1e-9, day
                compared += 1
        assert compared > 300
        results.append(("One client's measure trends", t_service, t_sql))
        # 5. one client's record of notes and services: ~100 notes over 12 weeks, 4 plan versions
        record_client = ids["client"]
        t_service, items, t_sql, hand = race(
            lambda: notes.timeline(s, director, record_client),
            lambda: s.execute(text(TIMELINE_SQL), dict(cid=record_client)).all())
        assert len(items) == len(hand) and sum(1 for i in items if i.note_id) == sum(1 for h in hand if h[4])
        assert sum(1 for i in items if i.kind == "plan") == 4
        noted = sum(1 for i in items if i.note_id and i.day >= today - timedelta(weeks=12))
        results.append((f"Client record: {noted} notes, 4 plans", t_service, t_sql))

        # 6. a group note for 12 attendees: one transaction (commits counted), best of 5
        group_times, commits = [], []
        for attempt in range(5):
            meeting_id = twelve_present(s, ids["group"], today, attempt, director.id)
            count = []
            listener = lambda _s, c=count: c.append(1)  # noqa: E731
            event.listen(s, "after_commit", listener)
            t0 = clock.perf_counter()
            parts = {cid: {"sections": {"data": "d", "response": "r", "assessment": "a", "plan": "p"}}
                     for cid in s.execute(text("SELECT client_id FROM attendance WHERE session_id = :m"),
                                          dict(m=meeting_id)).scalars()}
            group_notes.save_group_note(s, director, meeting_id, note_format="dap", topic="t",
                                        shared="Skills practice.", parts=parts, expected_version=0)
            group_times.append(clock.perf_counter() - t0)
            event.remove(s, "after_commit", listener)
            commits.append(len(count))
        assert commits == [1] * 5, commits
        assert s.execute(text("SELECT COUNT(*) FROM progress_note n JOIN group_note g ON g.id = n.group_note_id "
                              "WHERE g.group_session_id = :m"), dict(m=meeting_id)).scalar_one() == 12
        group_note_ms = min(group_times) * 1000

        # state a roster page sends to the browser: its rows as JSON plus the small vars
        state_rows = [asdict(row_view(r, today)) for r in first_page.rows]
        caseload_rows = [asdict(row_view(r, today)) for r in page.rows]
        state_kb = len(json.dumps({"rows": state_rows, "total": first_page.total}).encode()) / 1024
        caseload_kb = len(json.dumps({"rows": caseload_rows}).encode()) / 1024

    print()
    print(f"{'what':34} {'service':>10} {'best SQL':>10} {'ratio':>7}")
    worst = 0.0
    for name, t_service, t_sql in results:
        ratio = t_service / t_sql if t_sql else float("inf")
        worst = max(worst, ratio)
        print(f"{name:34} {t_service * 1000:8.1f} ms {t_sql * 1000:8.1f} ms {ratio:7.2f}")
    print()
    print(f"Roster page state sent to the browser: {state_kb:.1f} KB (25 rows); "
          f"40-row caseload page {caseload_kb:.1f} KB")
    print("All service numbers equal the hand-written SQL.")
    print(f"Group note for 12 attendees: {group_note_ms:.1f} ms, one transaction (1 commit; 12 notes).")
    print(f"Worst ratio {worst:.2f} (aim < 2); state {'under' if state_kb < 100 else 'OVER'} 100 KB.")
    engine.dispose()
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

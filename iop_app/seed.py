"""A deterministic, realistic demo program, dated relative to today.

A director, 3 therapists, 30 clients at different weeks and stages (some in
intake, some discharged), family members with and without consent, 5 groups of
different types with 10 weeks of sessions and attendance, daily check-ins with
gaps, goals, needs rankings, treatment plans with their reviews (signed versions),
individual and family sessions.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import inspect as sa_inspect
from sqlmodel import Session, col, select

from .models import (
    Attendance,
    Client,
    Consent,
    FamilyLink,
    FamilySession,
    Goal,
    GoalStep,
    GoalUpdate,
    GroupMembership,
    GroupSession,
    IndividualSession,
    MeasureAlert,
    MeasureResponse,
    MoodEntry,
    Need,
    NeedRanking,
    NeedRankingItem,
    PlanGoal,
    PlanIntervention,
    PlanObjective,
    PlanProblem,
    SlotProposal,
    StaffProfile,
    TherapyGroup,
    TreatmentPlan,
    User,
    utcnow,
)
from .models.enums import (
    AsamDimension,
    ClientStatus,
    ConsentEndEvent,
    GoalUpdateKind,
    LevelOfCare,
    MeasureAlertKind,
    MeasureResponseStatus,
    ObjectiveStatus,
    PlanStatus,
    RecordStatus,
    RiskLevel,
    Role,
)
from .models.record import Addendum, AsamRating, Intake, OrientationCheck, OrientationItem, SubstanceUse
from .services import auth, measure_alerts, measures, program

DEMO_PASSWORD = "Recovery-Demo-2026"
DEMO_SIGNINS = [
    ("director@iop.example", "program director"),
    ("therapist@iop.example", "therapist with a caseload of about 10 clients"),
    ("client@iop.example", "active client in week 4, with a month of data"),
    ("family@iop.example", "family member of client@iop.example, consent in force"),
]

CLIENT_NAMES = [
    "Alex Morgan", "Jamie Rivera", "Taylor Brooks", "Casey Nguyen", "Riley Johnson",
    "Morgan Ellis", "Avery Thompson", "Quinn Harper", "Drew Castillo", "Skyler Grant",
    "Reese Patel", "Parker Simmons", "Hayden Cruz", "Rowan Fischer", "Emerson Blake",
    "Finley Ortiz", "Sage Whitman", "Kendall Price", "Logan Meyer", "Blair Okafor",
    "Cameron Diaz-Lee", "Devon Kowalski", "Harley Sato", "Jesse Romero", "Kai Andersen",
    "Lane Mitchell", "Marlowe Quinn", "Noel Fitzgerald", "Peyton Banks", "Robin Hale",
]
NEED_LABELS = [
    ("Staying sober", "sobriety"), ("Managing anxiety", "mental_health"),
    ("Rebuilding trust with family", "relationships"), ("Finding steady work", "work_school"),
    ("Stable housing", "housing"), ("Sleep and physical health", "physical_health"),
    ("Court requirements", "legal"), ("Paying off debts", "finances"),
]
GOAL_TEMPLATES = [
    ("Go 30 days without drinking", "sobriety", "immediate", "My kids deserve a present parent.",
     ["Attend all group sessions", "Call my sponsor daily", "Remove alcohol from home"]),
    ("Use a coping skill when cravings hit", "mental_health", "immediate", "Cravings pass if I ride them out.",
     ["Practice urge surfing", "Write in my journal", "Text a support person"]),
    ("Find part-time work", "work_school", "long_term", "Structure helps me stay well.",
     ["Update my resume", "Apply to three jobs a week", "Practice interviews"]),
    ("Repair my relationship with my sister", "relationships", "long_term", "She was there for me before.",
     ["Write her a letter", "Invite her to a family session"]),
]
TRIGGERS = ["stress at work", "conflict at home", "loneliness", "payday", "seeing old friends", "poor sleep"]
COPING = ["called sponsor", "went for a walk", "breathing exercise", "attended a meeting", "journaling"]

GROUPS = [
    # name, type, therapist index, ISO weekdays, start, minutes, capacity
    ("Morning Process Group", "process", 0, "1,3,5", time(9, 0), 180, 12),
    ("Relapse Prevention Skills", "relapse_prevention", 1, "2,4", time(18, 0), 180, 10),
    ("Recovery Education", "psychoeducational", 2, "1,3", time(18, 0), 120, 12),
    ("DBT Skills for Recovery", "skills_development", 0, "2,4", time(13, 0), 120, 10),
    ("Family Support Circle", "family", 1, "6", time(10, 0), 90, 12),
]
TOPICS = [
    "Understanding triggers", "Stages of change", "Decisional balance", "Urge surfing",
    "Healthy communication", "Sleep and recovery", "Building a support network",
    "Relapse warning signs", "Managing difficult emotions", "Planning for aftercare",
]


_demo_hash: str | None = None


def _user(session: Session, email: str, name: str, role: Role) -> User:
    # Demo accounts share one published password, so one argon2 hash serves them
    # all (hashing 38 times would make every test database take seconds longer).
    global _demo_hash
    _demo_hash = _demo_hash or auth.hash_password(DEMO_PASSWORD)
    user = User(email=email, full_name=name, role=role, password_hash=_demo_hash)
    session.add(user)
    session.flush()
    return user


def seed_demo_program(session: Session, today: date | None = None) -> None:
    rng = random.Random(2026)
    tz = program.program_tz(session)
    today = today or program.local_today(session)
    now = utcnow()

    director = _user(session, "director@iop.example", "Dana Whitfield", Role.DIRECTOR)
    session.add(StaffProfile(user_id=director.id, credentials="PsyD"))
    therapists = [
        _user(session, "therapist@iop.example", "Marcus Reyes", Role.THERAPIST),
        _user(session, "therapist2@iop.example", "Priya Shah", Role.THERAPIST),
        _user(session, "therapist3@iop.example", "Jordan Lee", Role.THERAPIST),
    ]
    for t, cred in zip(therapists, ["LCSW", "LMFT", "CADC-II"], strict=True):
        session.add(StaffProfile(user_id=t.id, credentials=cred))

    # Clients: index 0 is the demo client (week 4). Therapist 0 carries 10.
    clients: list[Client] = []
    for i, name in enumerate(CLIENT_NAMES):
        email = "client@iop.example" if i == 0 else f"client{i + 1:02d}@iop.example"
        user = _user(session, email, name, Role.CLIENT)
        if i == 0:
            admitted, status = today - timedelta(days=26), "active"
        elif i in (5, 12, 19, 26):
            admitted, status = today - timedelta(days=rng.randint(0, 4)), "intake"
        elif i in (8, 15, 22, 28, 29, 11):
            admitted, status = today - timedelta(days=rng.randint(75, 110)), "discharged"
        else:
            admitted, status = today - timedelta(days=rng.randint(3, 80)), "active"
        therapist = therapists[0] if i < 10 else therapists[1 if i < 20 else 2]
        client = Client(
            user_id=user.id,
            admission_date=admitted,
            status=status,
            primary_therapist_id=therapist.id,
            stage_of_change=rng.choice(["contemplation", "preparation", "action", "action", "maintenance"]),
        )
        if status == "discharged":
            client.discharge_date = admitted + timedelta(days=rng.randint(56, 70))
            client.discharge_note = "Completed the program; aftercare: weekly outpatient and peer support."
        session.add(client)
        clients.append(client)
    session.flush()

    # Groups with 10 weeks of past sessions and 2 weeks ahead.
    first_day = today - timedelta(weeks=10)
    groups = []
    for name, gtype, t_idx, weekdays, start, minutes, capacity in GROUPS:
        group = TherapyGroup(
            name=name, group_type=gtype, facilitator_id=therapists[t_idx].id, weekdays=weekdays,
            start_time=start, duration_minutes=minutes, capacity=capacity,
            start_date=today - timedelta(weeks=26), location=f"Room {100 + len(groups) + 1}",
        )
        session.add(group)
        groups.append(group)
    session.flush()

    memberships: dict[int, list[tuple[int, date, date | None]]] = {g.id: [] for g in groups}
    for i, client in enumerate(clients):
        if client.status == "intake":
            continue
        # Clients join their own therapist's groups, so a caseload stays about 10.
        if i < 10:
            chosen = [groups[0], groups[3]]
        elif i < 20:
            chosen = [groups[1]] + ([groups[2]] if i % 2 else [])
        else:
            chosen = [groups[2]] + ([groups[1]] if i % 2 else [])
        for group in chosen:
            left = client.discharge_date
            session.add(GroupMembership(group_id=group.id, client_id=client.id, joined_on=client.admission_date,
                                        left_on=left))
            memberships[group.id].append((client.id, client.admission_date, left))
    # The family group: the demo client's and a few others' families attend with them.
    for client in clients[0:3]:
        session.add(GroupMembership(group_id=groups[4].id, client_id=client.id, joined_on=client.admission_date))
        memberships[groups[4].id].append((client.id, client.admission_date, None))

    # Some clients are "struggling": more missed sessions, higher cravings.
    struggling = {clients[i].id for i in (3, 7, 13, 17)}
    sessions_to_add = []
    for group in groups:
        weekdays = {int(d) for d in group.weekdays.split(",")}
        day = first_day
        topic_i = 0
        while day <= today + timedelta(days=14):
            if day.isoweekday() in weekdays:
                starts = program.to_utc(datetime.combine(day, group.start_time), tz)
                cancelled = rng.random() < 0.03 and day < today
                gs = GroupSession(
                    group_id=group.id, starts_at=starts, duration_minutes=group.duration_minutes,
                    topic=TOPICS[topic_i % len(TOPICS)], cancelled=cancelled,
                    cancel_reason="Facilitator ill" if cancelled else "",
                )
                topic_i += 1
                sessions_to_add.append((group, gs, day))
            day += timedelta(days=1)
    for _, gs, _ in sessions_to_add:
        session.add(gs)
    session.flush()
    for group, gs, day in sessions_to_add:
        if gs.cancelled or gs.starts_at > now:
            continue
        for client_id, joined, left in memberships[group.id]:
            if day < joined or (left and day > left):
                continue
            roll = rng.random()
            miss = 0.25 if client_id in struggling else 0.07
            if roll < miss:
                status, minutes = ("unexcused" if rng.random() < 0.6 else "excused"), 0
            elif roll < miss + 0.06:
                status, minutes = "late", gs.duration_minutes - 20
            elif roll < miss + 0.09:
                status, minutes = "left_early", gs.duration_minutes - 45
            else:
                status, minutes = "present", gs.duration_minutes
            session.add(Attendance(session_id=gs.id, client_id=client_id, status=status, minutes=minutes,
                                   recorded_at=gs.starts_at + timedelta(minutes=gs.duration_minutes),
                                   recorded_by=group.facilitator_id))

    for i, client in enumerate(clients):
        _seed_record(session, rng, client, i, today, tz, client.id in struggling, director)
    _seed_plans(session, clients, director, today, tz)

    _seed_family(session, rng, clients, therapists, today, tz)
    _seed_intakes(session, clients, director, today, tz)
    _seed_measures(session, clients, today, tz, now)
    session.flush()
    # After the plans (a note addresses objectives of the plan in force).
    seed_notes(session, clients, therapists, director, today, tz)
    _seed_screens(session, clients, director, today, tz)
    _seed_recovery_tools(session, clients, today, tz)
    _seed_discharges(session, clients, today, tz)
    _seed_referrals(session, clients, today, tz)
    session.commit()


def _seed_record(session, rng, client: Client, i: int, today: date, tz, struggling: bool, director: User) -> None:
    user_id = client.user_id
    if client.status == "intake":
        return
    last_day = min(today, client.discharge_date or today)
    # Daily check-ins with gaps; mood improves and cravings fall over the weeks.
    day = client.admission_date
    skip_tail = 4 if i in (7, 17) else 0  # these two have gone quiet for 4 days
    while day <= last_day:
        week = (day - client.admission_date).days / 7
        if (i == 0 and day == today) or (skip_tail and (today - day).days < skip_tail):
            day += timedelta(days=1)
            continue
        if rng.random() < (0.92 if i == 0 else 0.8):
            base_mood = min(9, 4 + week * 0.45)
            craving = max(0, round(7 - week * 0.6 + rng.gauss(0, 1.3) + (2 if struggling else 0)))
            used = rng.random() < (0.08 if struggling else 0.015)
            if i == 0 and (today - day).days == 9:
                craving, used = 8, False  # a hard day the demo client got through
            entry = MoodEntry(
                client_id=client.id, day=day,
                mood=int(min(10, max(1, round(base_mood + rng.gauss(0, 1.2) - (1.5 if used else 0))))),
                anxiety=int(min(10, max(0, round(6 - week * 0.4 + rng.gauss(0, 1.5))))),
                craving=int(min(10, craving)),
                sleep_hours=round(min(10, max(3, 6.5 + rng.gauss(0, 1.1))), 1),
                used_substance=used, substances="alcohol" if used else "",
                triggers="; ".join(rng.sample(TRIGGERS, rng.randint(0, 2))),
                coping="; ".join(rng.sample(COPING, rng.randint(1, 2))),
                note="", late=False,
                created_at=program.to_utc(datetime.combine(day, time(20, 0)), tz),
            )
            entry.updated_at = entry.created_at
            session.add(entry)
        day += timedelta(days=1)

    # Goals with steps and a history of progress.
    templates = GOAL_TEMPLATES[: (3 if i == 0 else 2)] if i % 2 == 0 else GOAL_TEMPLATES[1:3]
    for title, area, horizon, why, steps in templates:
        start = program.to_utc(datetime.combine(client.admission_date + timedelta(days=2), time(17, 0)), tz)
        goal = Goal(client_id=client.id, title=title, why=why, life_area=area, horizon=horizon,
                    target_date=client.admission_date + timedelta(days=60 if horizon == "long_term" else 30),
                    created_at=start, created_by=user_id, updated_at=start)
        session.add(goal)
        session.flush()
        for pos, text in enumerate(steps):
            done = pos == 0 and (last_day - client.admission_date).days > 10
            session.add(GoalStep(goal_id=goal.id, position=pos, text=text, done=done,
                                 done_at=start + timedelta(days=7) if done else None))
        session.add(GoalUpdate(goal_id=goal.id, at=start, by_user_id=user_id, kind=GoalUpdateKind.CREATED,
                               progress_pct=0, note="Goal set"))
        pct = 0
        when = start
        while program.to_local(when, tz).date() + timedelta(days=7) <= last_day:
            when += timedelta(days=7)
            pct = min(100, pct + rng.randint(5, 20))
            session.add(GoalUpdate(goal_id=goal.id, at=when, by_user_id=user_id, kind=GoalUpdateKind.PROGRESS,
                                   progress_pct=pct,
                                   note=rng.choice(["Good week", "Harder week, still going", "Made progress"])))
        goal.progress_pct = pct
        goal.updated_at = when
        if client.status == "discharged" and pct >= 60:
            goal.status = "achieved"
            session.add(GoalUpdate(goal_id=goal.id, at=when, by_user_id=user_id, kind=GoalUpdateKind.STATUS,
                                   progress_pct=pct, status="achieved", note="Achieved"))

    # Needs and two ranking snapshots.
    labels = rng.sample(NEED_LABELS, 5)
    if i == 0:
        labels = NEED_LABELS[:5]
    needs = []
    for label, area in labels:
        need = Need(client_id=client.id, label=label, area=area,
                    created_at=program.to_utc(datetime.combine(client.admission_date, time(16, 0)), tz))
        session.add(need)
        needs.append(need)
    session.flush()
    needs[0].in_focus = True
    for snapshot, order in enumerate([needs[::-1][1:] + needs[-1:], needs]):
        ranking = NeedRanking(client_id=client.id, by_user_id=user_id,
                              created_at=program.to_utc(datetime.combine(
                                  client.admission_date + timedelta(days=1 + snapshot * 10), time(15, 0)), tz))
        session.add(ranking)
        session.flush()
        for pos, need in enumerate(order, start=1):
            session.add(NeedRankingItem(ranking_id=ranking.id, need_id=need.id, position=pos))

    reviewer = client.primary_therapist_id or director.id

    # Weekly individual sessions: past ones attended (mostly), one ahead this week.
    session_day = client.admission_date + timedelta(days=(3 - client.admission_date.weekday()) % 7)
    end = min(today + timedelta(days=7), client.discharge_date or today + timedelta(days=7))
    while session_day <= end:
        starts = program.to_utc(datetime.combine(session_day, time(15 + i % 3, 0)), tz)
        past = session_day < today
        attended = past and rng.random() > (0.25 if struggling else 0.08)
        session.add(IndividualSession(client_id=client.id, therapist_id=reviewer, starts_at=starts,
                                      duration_minutes=50,
                                      status=("attended" if attended else "missed") if past else "scheduled",
                                      minutes_attended=50 if attended else 0))
        session_day += timedelta(days=7)


def _seed_family(session, rng, clients, therapists, today: date, tz) -> None:
    now = utcnow()
    alex = clients[0]

    def family_user(email, name):
        return _user(session, email, name, Role.FAMILY)

    # family@: spouse of the demo client, consent in force (scheduling + progress)
    # for 90 days or until discharge.
    sam = family_user("family@iop.example", "Sam Morgan")
    link = FamilyLink(client_id=alex.id, name="Sam Morgan", relationship="Spouse", email=sam.email,
                      family_user_id=sam.id, invited_at=now - timedelta(days=20), activated_at=now - timedelta(days=19))
    session.add(link)
    session.flush()
    session.add(Consent(client_id=alex.id, family_link_id=link.id, scope="scheduling_progress",
                        purpose="Coordinate family sessions and support my recovery",
                        expires_on=today + timedelta(days=90), end_event=ConsentEndEvent.DISCHARGE,
                        expiry_event="", signature="Alex Morgan",
                        signed_on=today - timedelta(days=20), granted_at=now - timedelta(days=20),
                        recorded_by=alex.user_id))
    # A listed support person never invited.
    session.add(FamilyLink(client_id=alex.id, name="Pat Morgan", relationship="Parent", email="pat.morgan@example.org"))

    # Other families: revoked, expired, and never consented.
    cases = [
        (clients[1], "family2@iop.example", "Chris Rivera", "Brother", "revoked"),
        (clients[2], "family3@iop.example", "Lee Brooks", "Mother", "expired"),
        (clients[3], "family4@iop.example", "Robin Nguyen", "Partner", "none"),
        (clients[4], "family5@iop.example", "Ari Johnson", "Father", "scheduling"),
    ]
    for client, email, name, relationship, kind in cases:
        person = family_user(email, name)
        fl = FamilyLink(client_id=client.id, name=name, relationship=relationship, email=email,
                        family_user_id=person.id, invited_at=now - timedelta(days=30),
                        activated_at=now - timedelta(days=29))
        session.add(fl)
        session.flush()
        if kind == "none":
            continue
        consent = Consent(client_id=client.id, family_link_id=fl.id,
                          scope="scheduling" if kind == "scheduling" else "scheduling_progress",
                          purpose="Family sessions", signature=session.get(User, client.user_id).full_name,
                          signed_on=today - timedelta(days=30), granted_at=now - timedelta(days=30),
                          expires_on=today - timedelta(days=2) if kind == "expired" else today + timedelta(days=60),
                          recorded_by=client.user_id)
        if kind == "revoked":
            consent.revoked_at = now - timedelta(days=3)
        session.add(consent)

    # The demo client's family sessions: one held, one proposed with two times to choose from.
    held = program.to_utc(datetime.combine(today - timedelta(days=12), time(17, 0)), tz)
    session.add(FamilySession(client_id=alex.id, therapist_id=therapists[0].id, duration_minutes=60, mode="in_person",
                              status="completed", starts_at=held, minutes_attended=60, note="First family session"))
    proposal = FamilySession(client_id=alex.id, therapist_id=therapists[0].id, duration_minutes=60, mode="video",
                             status="proposed", note="Talk about support at home after week 6")
    session.add(proposal)
    session.flush()
    # Evenings at 19:00: clear of the demo client's and therapist's groups and of
    # the therapist's individual sessions (15:00-17:50), whatever weekday today is.
    for offset in (3, 4):
        day = today + timedelta(days=offset)
        if day.isoweekday() in (6, 7):
            day += timedelta(days=2)
        session.add(SlotProposal(family_session_id=proposal.id,
                                 starts_at=program.to_utc(datetime.combine(day, time(19, 0)), tz)))


# --- Intake and assessment, orientation (issue #11) --------------------------------
SUBSTANCES = [
    # substance, route, frequency, amount, longest abstinence
    ("Alcohol", "oral", "daily", "8-10 drinks", "3 months"),
    ("Cannabis", "smoked", "most days", "2-3 joints", "1 year"),
    ("Opioids (oxycodone)", "oral", "daily", "60 mg", "6 weeks"),
    ("Methamphetamine", "smoked", "weekends", "0.5 g", "4 months"),
    ("Cocaine", "intranasal", "weekly", "1 g", "8 months"),
]
REFERRALS = ["Self-referred", "Primary care physician", "Court (DUI diversion)", "Employee assistance program",
             "Family member", "Detox unit discharge planner"]
ASAM_NOTES = {
    "d1": "No withdrawal signs at intake; last use {last} days ago; CIWA 2.",
    "d2": "Hypertension, controlled with medication; no acute medical needs.",
    "d3": "Depressed mood and anxiety; no psychosis; engaged in the interview.",
    "d4": "Wants to stop; ambivalent about meetings; came in on their own.",
    "d5": "Relapsed after prior treatment within weeks; cravings in the evenings.",
    "d6": "Lives with a supportive partner; a drinking friend group nearby.",
}


def _seed_intakes(session, clients: list[Client], director: User, today: date, tz) -> None:
    """Signed intakes (with the six ASAM ratings, substances and orientation) for
    every client past intake, one addendum; Morgan Ellis, still in intake, has a
    draft half done. A Random of its own keeps the rest of the demo unchanged."""
    if not sa_inspect(session.connection()).has_table("orientation_item"):
        return  # a database at a revision before the clinical record (migration tests seed those)
    rng = random.Random(11)
    items = session.exec(select(OrientationItem).order_by(col(OrientationItem.position))).all()
    for i, client in enumerate(clients):
        therapist_id = client.primary_therapist_id or director.id
        started = program.to_utc(datetime.combine(client.admission_date, time(10, 0)), tz)
        if client.status == ClientStatus.INTAKE:
            if i != 5:  # the others' intakes are still to be started
                continue
            intake = Intake(client_id=client.id, referral_source="Primary care physician",
                            presenting_problem="Drinking daily since a layoff last spring; two blackouts this month.",
                            medical_conditions="Elevated liver enzymes", medications="None", allergies="None known",
                            created_by=therapist_id, created_at=started, updated_at=started, updated_by=therapist_id)
            session.add(intake)
            session.flush()
            for dimension, risk in (("d1", 1), ("d2", 2)):
                session.add(AsamRating(intake_id=intake.id, dimension=dimension, risk=risk,
                                       narrative=ASAM_NOTES[dimension].format(last=2)))
            session.add(SubstanceUse(intake_id=intake.id, position=0, substance="Alcohol", first_use_age=17,
                                     route="oral", frequency="daily", amount="a pint of vodka",
                                     last_use=today - timedelta(days=2), longest_abstinence="2 months"))
            _seed_orientation(session, client, items[:2], therapist_id, started, client_too=False)
            continue
        substance = SUBSTANCES[i % len(SUBSTANCES)]
        last = rng.randint(2, 14)
        intake = Intake(
            client_id=client.id, status=RecordStatus.SIGNED, referral_source=REFERRALS[i % len(REFERRALS)],
            presenting_problem=f"{substance[0]} use {substance[2]} for several years; "
                               "wants help before losing work and family.",
            prior_treatment=rng.choice(["None", "Outpatient counselling in 2023", "Detox twice; 28-day residential"]),
            medical_conditions=rng.choice(["None", "Hypertension", "Type 2 diabetes", "Chronic back pain"]),
            medications=rng.choice(["None", "Lisinopril 10 mg", "Metformin 500 mg", "Sertraline 50 mg"]),
            allergies=rng.choice(["None known", "Penicillin", "Sulfa drugs"]),
            mental_health_history=rng.choice(["Depression treated in 2021", "Generalized anxiety", "None reported"]),
            current_symptoms=rng.choice(["Low mood, poor sleep", "Anxious, irritable", "Few symptoms"]),
            suicide_risk=RiskLevel.LOW if i % 7 == 3 else RiskLevel.NONE, homicide_risk=RiskLevel.NONE,
            risk_notes="Passive thoughts last year, none now; safety plan made." if i % 7 == 3 else "",
            trauma=rng.choice(["None reported", "Car accident in 2018", "Childhood neglect"]),
            legal=rng.choice(["None", "DUI pending", "On probation"]),
            employment=rng.choice(["Employed full time", "Unemployed since spring", "Part-time retail"]),
            housing=rng.choice(["Rents an apartment", "Lives with parents", "Owns a home with partner"]),
            family_social=rng.choice(["Partner supportive", "Sister estranged; friends who use", "Two children"]),
            strengths=rng.choice(["Motivated; steady job", "Supportive partner", "Came in on their own"]),
            recommended_level=LevelOfCare.INTENSIVE_OUTPATIENT,
            level_rationale="Needs more structure than weekly outpatient; no withdrawal or medical needs "
                            "that call for a residential or inpatient level.",
            created_by=therapist_id, created_at=started,
            signed_by=therapist_id, signed_at=started + timedelta(days=1, hours=4), version=3,
            updated_by=therapist_id, updated_at=started + timedelta(days=1, hours=4),
        )
        session.add(intake)
        session.flush()
        for n, dimension in enumerate(AsamDimension.values()):
            session.add(AsamRating(intake_id=intake.id, dimension=dimension, risk=(i + n) % 3 + (n == 4),
                                   narrative=ASAM_NOTES[dimension].format(last=last)))
        session.add(SubstanceUse(intake_id=intake.id, position=0, substance=substance[0],
                                 first_use_age=rng.randint(13, 25), route=substance[1], frequency=substance[2],
                                 amount=substance[3], last_use=client.admission_date - timedelta(days=last),
                                 longest_abstinence=substance[4]))
        if i % 3 == 0:
            session.add(SubstanceUse(intake_id=intake.id, position=1, substance="Nicotine", first_use_age=16,
                                     route="smoked", frequency="daily", amount="a pack", longest_abstinence="none"))
        if i == 1:
            session.add(Addendum(intake_id=intake.id, author_id=therapist_id,
                                 created_at=started + timedelta(days=6), reason="Information from the family",
                                 text="Sister reports an earlier detox in 2019 that the client did not mention."))
        # The demo client still has the last two items to initial from their phone.
        pending = 2 if i == 0 else 0
        _seed_orientation(session, client, items[:len(items) - pending], therapist_id, started, client_too=True)
        if pending:
            _seed_orientation(session, client, items[len(items) - pending:], therapist_id,
                              program.to_utc(datetime.combine(today - timedelta(days=1), time(11, 0)), tz),
                              client_too=False)


def _initials(session, user_id: int) -> str:
    return "".join(part[0] for part in session.get(User, user_id).full_name.split())[:8]


def _seed_orientation(session, client: Client, items, staff_id: int, at: datetime, *, client_too: bool) -> None:
    staff, own = _initials(session, staff_id), _initials(session, client.user_id)
    for n, item in enumerate(items):
        when = at + timedelta(minutes=5 * n)
        session.add(OrientationCheck(client_id=client.id, item_id=item.id, staff_id=staff_id, staff_initials=staff,
                                     staff_at=when, client_initials=own if client_too else "",
                                     client_at=when + timedelta(minutes=2) if client_too else None))
# Measures (issue #12). The story: most clients' PHQ-9 and GAD-7 fall over the weeks;
# Casey Nguyen (index 3) and Quinn Harper (index 7) do not improve, Casey's latest PHQ-9
# has item 9 above 0 and its alert is still open, Quinn has stopped completing them
# (overdue). The demo client completed the PHQ-9 12 days after admission, so the next
# one (every 14 days) is due today. The program's rules come from the migration.
NOT_IMPROVING = (3, 7)
OPEN_ITEM9 = 3
STOPPED = 7  # completed nothing in the last 3 weeks
MEASURE_OFFSETS = {0: (0, 12)}  # the demo client's PHQ-9 / GAD-7 days after admission
ACTIONS_TAKEN = ("Called the client the same day; safety plan reviewed.", "Discussed in individual session.",
                 "Reviewed with the client; no immediate risk; plan updated.")


def _answers_summing(rng: random.Random, instrument, total: int, fixed: dict[int, int]) -> dict[int, int]:
    """Answers to every item, within each item's values, adding up to `total` (as near as the items allow)."""
    answers = {item.number: 0 for item in instrument.items}
    answers.update(fixed)
    free = [item.number for item in instrument.items if item.number not in fixed]
    top = max(instrument.items[0].values)
    left = max(0, total - sum(fixed.values()))
    while left > 0 and any(answers[n] < top for n in free):
        number = rng.choice([n for n in free if answers[n] < top])
        answers[number] += 1
        left -= 1
    return answers


def _low_answers(rng: random.Random, instrument, used: bool) -> dict[int, int]:
    """Answers to any form, mostly toward the low end of each item; BAM use items 0 unless `used`."""
    answers = {}
    for item in instrument.items:
        values = item.values
        answers[item.number] = values[min(len(values) - 1, int(rng.random() ** 2 * len(values)))]
    if instrument.code == "bam":
        for number in (4, 5, 6):
            answers[number] = 1 if used and number == 4 else 0
    return answers


def _seed_measures(session: Session, clients: list[Client], today: date, tz, now: datetime) -> None:
    rng = random.Random(1212)  # its own stream: the rest of the demo stays as it was
    for i, client in enumerate(clients):
        if client.status != "intake":
            _seed_client_measures(session, rng, client, i, today, tz, now)


def _seed_client_measures(session: Session, rng: random.Random, client: Client, i: int, today: date, tz,
                          now: datetime) -> None:
    last_day = min(today, client.discharge_date or today)
    span = (last_day - client.admission_date).days
    if i == STOPPED:
        span -= 21
    start = rng.randint(14, 19)
    improving = i not in NOT_IMPROVING
    therapist = client.primary_therapist_id
    rows: list[tuple[MeasureResponse, list[tuple[str, str]]]] = []
    previous: dict[str, float] = {}

    def add(code: str, offset: int, answers: dict[int, int]) -> None:
        result = measures.score(code, answers)
        # Mid-morning, but never later than now: seeded before 10:30, one completed "today"
        # would otherwise be in the future.
        at = min(program.to_utc(datetime.combine(client.admission_date + timedelta(days=offset), time(10, 30)), tz),
                 now)
        row = MeasureResponse(client_id=client.id, code=code, status=MeasureResponseStatus.SUBMITTED,
                              answers={str(n): v for n, v in sorted(answers.items())}, total=result.total,
                              band=result.band, subscales=dict(result.subscales), positive=result.positive,
                              alerts=list(result.alerts), started_at=at - timedelta(minutes=6), updated_at=at,
                              completed_at=at, entered_by=client.user_id)
        kinds = measure_alerts.alert_kinds(code, answers, result.total, result.subscales, result.alerts,
                                           previous.get(code))
        if result.total is not None:
            previous[code] = result.total
        rows.append((row, kinds))

    for code in ("audit", "dast10", "urica"):
        add(code, 0, _low_answers(rng, measures.definition(code), used=False))
    offsets = MEASURE_OFFSETS.get(i) or tuple(range(0, span + 1, 14))
    for n, offset in enumerate(offsets):
        if offset > span:
            break
        weeks = offset / 7
        for code, scale in (("phq9", 1.0), ("gad7", 0.8)):
            # improving: down to about 4 by week 6; not improving: worse, if anything
            level = start - (start - 4) * min(1.0, weeks / 6) if improving else start + min(4, n)
            total = max(0, round(level * scale + rng.gauss(0, 1.2)))
            last = n == len(offsets) - 1 or offsets[n + 1] > span
            fixed = {9: 1} if code == "phq9" and i == OPEN_ITEM9 and last else {9: 0} if code == "phq9" else {}
            add(code, offset, _answers_summing(rng, measures.definition(code), total, fixed))
    for offset in (0, 7, 14, 19) if i == 0 else range(0, span + 1, 7):  # the demo client's BAM: due today
        add("bam", offset, _low_answers(rng, measures.definition("bam"),
                                        used=i in NOT_IMPROVING and offset == 7))
    for offset in range(30, span + 1, 30):
        add("urica", offset, _low_answers(rng, measures.definition("urica"), used=False))
    if client.discharge_date is not None:
        for code in ("audit", "dast10"):
            add(code, span, _low_answers(rng, measures.definition(code), used=False))

    for row, _ in rows:
        session.add(row)
    session.flush()
    for row, kinds in rows:
        for kind, text in kinds:
            alert = MeasureAlert(client_id=client.id, response_id=row.id, kind=kind, text=text[:500],
                                 created_at=row.completed_at)
            if not (i == OPEN_ITEM9 and kind == MeasureAlertKind.ITEM9):
                alert.acknowledged_by = therapist
                alert.acknowledged_at = min(row.completed_at + timedelta(hours=3), now)
                alert.action_note = ACTIONS_TAKEN[row.id % len(ACTIONS_TAKEN)]
            session.add(alert)


# --- Treatment plans (issue #11) ---------------------------------------------------
# (ASAM dimension, problem, client's need area, goal in the client's words, client
# goal area, [(objective, days to target, [(what, who, how often)])])
PLAN_TEMPLATE = [
    ("d5", "Returned to drinking within weeks after two earlier attempts to stop; cravings most evenings.",
     "sobriety", "I want to stay sober and be there for my kids.", "sobriety", [
         ("Attend at least 90% of scheduled IOP groups each week.", 30,
          [("Relapse prevention and process groups", "IOP group facilitators", "3 times a week")]),
         ("Name three personal triggers and a coping skill for each.", 21,
          [("Individual CBT for relapse prevention", "Primary therapist", "Weekly")]),
     ]),
    ("d3", "Anxiety and low mood in the evenings lead to use.", "mental_health",
     "I want to handle stress without drinking.", "mental_health", [
         ("Use a coping skill on 5 of 7 days, noted in the daily check-in.", 28,
          [("DBT skills group", "Group facilitator", "Twice a week"),
           ("Daily check-in review", "Primary therapist", "Weekly")]),
     ]),
    ("d6", "Alcohol kept at home; few people around who support recovery.", "relationships",
     "I want my home to be a safe place for my recovery.", "relationships", [
         ("Hold a family session and agree on an alcohol-free home.", 45,
          [("Family session", "Primary therapist", "Monthly")]),
     ]),
]
PROGRESS_NOTES = ["Steady progress; keep going.", "Some missed days; barriers discussed.",
                  "Met most weeks; building on it.", "Harder month; plan adjusted with the client."]


def _seed_plans(session: Session, clients: list[Client], director: User, today: date, tz) -> None:
    """For each client past intake: version 1 signed by the therapist and the client
    three days after admission, then a review every 30 days (38 for every fifth client,
    so some are overdue) while in the program. The second demo client has a review
    awaiting their signature, the third a review being written (a draft)."""
    review_days = program.whole_number(session, "plan_review_days")
    now = utcnow()
    names = {u.id: u.full_name for u in session.exec(select(User)).all()}
    for i, client in enumerate(clients):
        if client.status == "intake":
            continue
        last_day = min(today, client.discharge_date or today)
        therapist = client.primary_therapist_id or director.id
        needs = {n.area: n.id for n in session.exec(select(Need).where(Need.client_id == client.id)).all()}
        goals = {g.life_area: g.id for g in session.exec(select(Goal).where(Goal.client_id == client.id)).all()}
        day = client.admission_date + timedelta(days=3)
        previous = None
        carried: dict = {}
        number = 1
        while True:
            awaiting = False
            if day > last_day:
                if i != 1 or previous is None:
                    break
                # The second demo client: today's review waits for their signature.
                awaiting, day = True, last_day
            at = min(program.to_utc(datetime.combine(day, time(16, 0)), tz), now - timedelta(minutes=5))
            plan = TreatmentPlan(
                client_id=client.id, number=number, previous_id=previous.id if previous else None,
                status=PlanStatus.AWAITING_CLIENT if awaiting else PlanStatus.SIGNED,
                effective_on=None if awaiting else day,
                review_due_on=None if awaiting else day + timedelta(days=review_days),
                changes="" if number == 1 else "Reviewed with the client: progress noted on each objective; "
                "targets moved where needed.",
                created_by=therapist, created_at=at - timedelta(hours=2), therapist_signed_by=therapist,
                therapist_signed_at=at - timedelta(hours=1), therapist_signature=names[therapist],
                client_signed_at=None if awaiting else at, client_signature="" if awaiting else names[client.user_id],
                updated_at=at, updated_by=therapist)
            session.add(plan)
            session.flush()
            if previous is not None and not awaiting:
                previous.status = PlanStatus.SUPERSEDED
            carried = _seed_plan_content(session, plan, number, day, needs, goals, i, carried)
            if awaiting:
                break
            previous = plan
            number += 1
            day += timedelta(days=30 if i % 5 else 38)
        if i == 2 and previous is not None:  # the third demo client: a review being written
            draft = TreatmentPlan(client_id=client.id, number=number, previous_id=previous.id,
                                  status=PlanStatus.DRAFT, created_by=therapist,
                                  created_at=now - timedelta(minutes=30), updated_at=now - timedelta(minutes=30),
                                  updated_by=therapist)
            session.add(draft)
            session.flush()
            _seed_plan_content(session, draft, number, last_day, needs, goals, i, carried)


def _seed_plan_content(session: Session, plan: TreatmentPlan, number: int, day: date, needs: dict, goals: dict,
                       i: int, carried: dict) -> dict:
    """The template's content; returns {(problem, objective) position: objective id}
    for the next version's carried_from_id."""
    objective_ids = {}
    for p_pos, (dimension, statement, need_area, goal_text, goal_area, objectives) in enumerate(PLAN_TEMPLATE):
        problem = PlanProblem(plan_id=plan.id, position=p_pos, statement=statement, dimension=dimension,
                              from_assessment=True, need_id=needs.get(need_area))
        session.add(problem)
        session.flush()
        goal = PlanGoal(problem_id=problem.id, position=0, statement=goal_text, client_goal_id=goals.get(goal_area))
        session.add(goal)
        session.flush()
        for o_pos, (text, days, interventions) in enumerate(objectives):
            status = (ObjectiveStatus.NOT_STARTED if number == 1
                      else ObjectiveStatus.ACHIEVED if number > 2 and (o_pos + i) % 3 == 0
                      else ObjectiveStatus.IN_PROGRESS)
            objective = PlanObjective(
                goal_id=goal.id, position=o_pos, statement=text, target_date=day + timedelta(days=days),
                status=status, progress="" if number == 1 else PROGRESS_NOTES[(i + number + o_pos) % 4],
                carried_from_id=carried.get((p_pos, o_pos)))
            session.add(objective)
            session.flush()
            objective_ids[(p_pos, o_pos)] = objective.id
            for n_pos, (what, who, frequency) in enumerate(interventions):
                session.add(PlanIntervention(objective_id=objective.id, position=n_pos, what=what, who=who,
                                             frequency=frequency))
    return objective_ids
NOTE_TEXT = {
    "data": "Reported cravings after work on two evenings; described using a coping skill once.",
    "behavior": "Arrived on time, engaged, mood brighter than last week.",
    "subjective": "Said the week was hard but manageable.",
    "objective": "Alert, oriented, calm affect; no signs of intoxication.",
    "goal": "Work on the objective of using a coping skill when cravings hit.",
    "interventions": "Reviewed triggers; practised urge surfing; planned for the weekend.",
    "intervention": "Reviewed triggers; practised urge surfing; planned for the weekend.",
    "response": "Receptive; practised the skill and named two triggers.",
    "assessment": "Progressing toward the objective; relapse risk moderate.",
    "plan": "Practise urge surfing daily; review the craving log next session.",
}
GROUP_SHARED = "Psychoeducation and skills practice on the session topic; pair work and a closing check-in."


def seed_notes(session: Session, clients: list[Client], therapists: list[User], director: User, today: date,
               tz) -> None:
    """Weeks of signed group and individual notes, each addressing an objective of the
    client's plan in force (a minimal signed plan is made for a client without one);
    the last four days' notes are drafts (some overdue); one note has an addendum; a therapist who
    needs co-signature has one note awaiting it (issue #11 demo data)."""
    from sqlalchemy import inspect, select

    from .models import (
        Addendum,
        GroupNote,
        NoteObjective,
        PlanGoal,
        PlanObjective,
        PlanProblem,
        ProgressNote,
        Supervision,
        TreatmentPlan,
    )
    from .models.enums import ATTENDED, AsamDimension, PlanStatus
    from .services import notes as note_service
    from .services.note_formats import FORMATS

    inspector = inspect(session.connection())
    if not inspector.has_table("progress_note") or "minutes" not in {
            c["name"] for c in inspector.get_columns("progress_note")}:
        return  # a database of an older schema (tests seed one, then migrate it): before f11c0c0e0003
    senior, junior = therapists[0], therapists[2]
    session.add(Supervision(user_id=senior.id, is_supervisor=True))
    session.add(Supervision(user_id=junior.id, needs_cosign=True, supervisor_id=senior.id))
    session.add(Supervision(user_id=director.id, is_supervisor=True))

    objective_of: dict[int, int] = {}
    for client in clients:
        if client.status == "intake":
            continue
        options = note_service.objective_options(session, [client.id]).get(client.id)
        if not options:
            starts = client.admission_date + timedelta(days=3)
            signed = program.to_utc(datetime.combine(starts, time(16, 0)), tz)
            author = client.primary_therapist_id or director.id
            plan = TreatmentPlan(client_id=client.id, number=1, status=PlanStatus.SIGNED, effective_on=starts,
                                 review_due_on=starts + timedelta(days=30), created_by=author, created_at=signed,
                                 therapist_signed_by=author, therapist_signed_at=signed,
                                 therapist_signature=session.get(User, author).full_name, client_signed_at=signed,
                                 client_signature=session.get(User, client.user_id).full_name)
            session.add(plan)
            session.flush()
            problem = PlanProblem(plan_id=plan.id, statement="Cravings and use under stress",
                                  dimension=AsamDimension.RELAPSE)
            session.add(problem)
            session.flush()
            goal = PlanGoal(problem_id=problem.id, statement="I want to handle cravings without using")
            session.add(goal)
            session.flush()
            for pos, text in enumerate(("Use a coping skill when cravings reach 6 or more, 5 of 7 days",
                                        "Attend every scheduled group and individual session")):
                session.add(PlanObjective(goal_id=goal.id, position=pos, statement=text,
                                          target_date=starts + timedelta(days=30), status="in_progress"))
            session.flush()
            options = note_service.objective_options(session, [client.id])[client.id]
        objective_of[client.id] = options[0].id

    draft_after = today - timedelta(days=4)  # the last days' notes are still drafts (some overdue)
    fmt = "dap"
    keys = FORMATS[fmt].keys

    def sections(group: bool) -> dict:
        skip = FORMATS[fmt].interventions if group else None
        return {k: NOTE_TEXT[k] for k in keys if k != skip}

    made: list[tuple[ProgressNote, int]] = []
    group_rows = session.execute(
        select(GroupSession, TherapyGroup.facilitator_id).join(TherapyGroup, TherapyGroup.id == GroupSession.group_id)
        .where(GroupSession.cancelled.is_(False)).order_by(GroupSession.starts_at)).all()
    attendance: dict[int, list[Attendance]] = {}
    for row in session.execute(select(Attendance).where(Attendance.status.in_(ATTENDED))).scalars():
        attendance.setdefault(row.session_id, []).append(row)
    for meeting, facilitator in group_rows:
        rows = [a for a in attendance.get(meeting.id, []) if a.client_id in objective_of]
        if not rows:
            continue
        day = program.to_local(meeting.starts_at, tz).date()
        ends = meeting.starts_at + timedelta(minutes=meeting.duration_minutes)
        draft = day >= draft_after
        signed_at = None if draft else ends + timedelta(hours=2)
        shared = GroupNote(group_session_id=meeting.id, author_id=facilitator, note_format=fmt,
                           status="draft" if draft else "signed", topic=meeting.topic, shared=GROUP_SHARED,
                           created_at=ends, signed_by=None if draft else facilitator, signed_at=signed_at)
        session.add(shared)
        session.flush()
        for a in rows:
            note = ProgressNote(client_id=a.client_id, author_id=facilitator, service_type="group", note_format=fmt,
                                status=shared.status, service_date=day, starts_at=meeting.starts_at, ends_at=ends,
                                location="office", minutes=a.minutes, group_note_id=shared.id,
                                sections=sections(True), created_at=ends, signed_by=shared.signed_by,
                                signed_at=signed_at)
            made.append((note, a.client_id))

    for visit in session.execute(select(IndividualSession).where(IndividualSession.status == "attended")
                                 .order_by(IndividualSession.starts_at)).scalars():
        if visit.client_id not in objective_of:
            continue
        day = program.to_local(visit.starts_at, tz).date()
        ends = visit.starts_at + timedelta(minutes=visit.duration_minutes)
        draft = day >= draft_after
        note = ProgressNote(client_id=visit.client_id, author_id=visit.therapist_id, service_type="individual",
                            note_format=fmt, status="draft" if draft else "signed", service_date=day,
                            starts_at=visit.starts_at, ends_at=ends, location="office",
                            minutes=visit.minutes_attended, individual_session_id=visit.id,
                            sections=sections(False), created_at=ends,
                            signed_by=None if draft else visit.therapist_id,
                            signed_at=None if draft else ends + timedelta(hours=1))
        made.append((note, visit.client_id))

    for note, _ in made:
        if note.author_id == junior.id and note.status == "signed":
            note.cosign_required = True
            note.cosigned_by, note.cosigned_at = senior.id, note.signed_at + timedelta(hours=20)
    session.add_all([n for n, _ in made])
    session.flush()
    session.add_all([NoteObjective(note_id=n.id, objective_id=objective_of[cid], progress="Progressing")
                     for n, cid in made])
    # The junior therapist's latest signed note still awaits co-signature.
    theirs = [n for n, _ in made if n.author_id == junior.id and n.status == "signed"]
    if theirs:
        latest = max(theirs, key=lambda n: (n.signed_at, n.id))
        latest.cosigned_by = latest.cosigned_at = None
    # The demo client's latest signed individual note has a late entry.
    alex = [n for n, cid in made if cid == clients[0].id and n.service_type == "individual" and n.status == "signed"]
    if alex:
        note = max(alex, key=lambda n: n.starts_at)
        session.add(Addendum(note_id=note.id, author_id=note.author_id, created_at=note.signed_at + timedelta(days=1),
                             reason="Information received after signing",
                             text="Client called the next morning: used the coping plan over the weekend; no use."))




# --- Drug and alcohol screens (issue #13, section 1) --------------------------------
SCREEN_PANEL = ("amp", "bzo", "bup", "coc", "fen", "met", "opi", "oxy", "thc", "etg")  # the usual cup


def _seed_screens(session: Session, clients: list[Client], director: User, today: date, tz) -> None:
    """Weekly urine screens for every active client, nearly all negative; the first
    active client whose intake names opioids is on buprenorphine (expected positives);
    the first struggling active client has one unexpected methamphetamine positive,
    3 days ago, sent for confirmation (it flags the roster). Its own Random keeps the
    rest of the demo unchanged; skipped on a database before the screens migration."""
    if not sa_inspect(session.connection()).has_table("screen"):
        return
    from .models.screens import ExpectedMedication, Screen, ScreenAnalyte, ScreenResult

    rng = random.Random(1301)
    ids = {a.code: a.id for a in session.exec(select(ScreenAnalyte)).all()}
    active = [(i, c) for i, c in enumerate(clients) if c.status == ClientStatus.ACTIVE]
    on_bup = next((c.id for i, c in active if SUBSTANCES[i % len(SUBSTANCES)][0].startswith("Opioids")), None)
    slip = next((c.id for i, c in active if i in (3, 7, 13, 17) and c.id != on_bup), None)
    for _, client in active:
        staff = client.primary_therapist_id or director.id
        if client.id == on_bup:
            session.add(ExpectedMedication(
                client_id=client.id, medication="Buprenorphine/naloxone 8/2 mg daily", analyte_id=ids["bup"],
                started_on=client.admission_date - timedelta(days=10), prescriber="Dr. Imani Hale (MAT clinic)",
                recorded_by=staff, recorded_at=program.to_utc(datetime.combine(client.admission_date, time(9)), tz)))
        day = client.admission_date + timedelta(days=rng.randint(1, 4))
        days = []
        while day <= today - timedelta(days=1) and not (client.id == slip and day > today - timedelta(days=7)):
            days.append(day)
            day += timedelta(days=rng.randint(6, 8))
        if client.id == slip:
            days.append(today - timedelta(days=3))
        for day in days:
            slipped = client.id == slip and day == today - timedelta(days=3)
            at = program.to_utc(datetime.combine(day, time(10, rng.randint(0, 50))), tz)
            positive = {"bup"} if client.id == on_bup else set()
            if slipped:
                positive.add("met")
            screen = Screen(client_id=client.id, collected_at=at, specimen="urine", observed=rng.random() < 0.5,
                            method="poc", temperature="passed", adulterant="passed", recorded_by=staff,
                            confirmation="sent" if slipped else "unconfirmed" if positive else "not_needed",
                            confirmation_at=at if positive else None, confirmation_by=staff if positive else None,
                            note="Says it was a one-time use at a party." if slipped else "")
            session.add(screen)
            session.flush()
            for code in SCREEN_PANEL:
                result = "positive" if code in positive else "negative"
                session.add(ScreenResult(screen_id=screen.id, analyte_id=ids[code], result=result,
                                         expected=result == "positive" and code == "bup" and client.id == on_bup))




def _seed_recovery_tools(session: Session, clients: list[Client], today: date, tz) -> None:
    """The demo client's recovery tools (issue #13): stage placements over the weeks,
    two versions of a decisional balance, urges of the last two weeks (beside the
    diary), a relapse-prevention plan written with the therapist and a safety plan.
    A Random of its own keeps the rest of the demo unchanged."""
    from .models.recovery_tools import DecisionalBalance, RelapsePlan, SafetyPlan, StageRating, UrgeEntry

    if not sa_inspect(session.connection()).has_table("safety_plan"):
        return  # a database at a revision before the recovery tools
    rng = random.Random(13)
    client = clients[0]
    user_id, therapist_id = client.user_id, client.primary_therapist_id or client.user_id

    def at(days_ago: int, hour: int, minute: int = 0) -> datetime:
        return program.to_utc(datetime.combine(today - timedelta(days=days_ago), time(hour, minute)), tz)

    admitted = max(7, (today - client.admission_date).days)
    for days_ago, stage, importance, confidence in ((admitted, "contemplation", 7, 3),
                                                    (admitted * 2 // 3, "preparation", 8, 5),
                                                    (admitted // 3, "action", 9, 6), (2, "action", 9, 7)):
        session.add(StageRating(client_id=client.id, stage=stage, importance=importance, confidence=confidence,
                                note="", recorded_at=at(days_ago, 18), recorded_by=user_id))
    session.add(DecisionalBalance(
        client_id=client.id, number=1, written_at=at(admitted - 2, 19), written_by=user_id,
        pros_change="My kids would trust me again.\nI'd keep my job.",
        cons_change="I don't know how to relax without a drink.\nMy friends all drink.",
        pros_same="It's easy. It takes the edge off after work.",
        cons_same="Another DUI would mean jail.\nMy doctor says my liver is already damaged."))
    session.add(DecisionalBalance(
        client_id=client.id, number=2, written_at=at(5, 20), written_by=user_id,
        pros_change="My kids would trust me again.\nI'd keep my job.\nI'm sleeping better already.",
        cons_change="Some evenings are long and boring.\nI've had to step back from some friends.",
        pros_same="Honestly, less and less.",
        cons_same="Another DUI would mean jail.\nMy liver.\nLosing the progress I've made."))
    triggers = ("Payday", "Argument at home", "Passing the bar on the way home", "Bored on a Friday night",
                "Stress at work")
    places = ("Home", "Work", "Bus stop", "Friend's place", "Car")
    responses = ("Called my sponsor", "Went for a walk", "Played guitar", "Texted my sister", "Urge surfing")
    for days_ago in sorted(rng.sample(range(1, 14), 7), reverse=True):
        session.add(UrgeEntry(client_id=client.id, felt_at=at(days_ago, rng.choice((12, 17, 19, 21)),
                                                               rng.choice((5, 20, 40))),
                              intensity=8 if days_ago == 9 else rng.randint(3, 7), trigger=rng.choice(triggers),
                              place=rng.choice(places), response=rng.choice(responses), used=False,
                              logged_by=user_id))
    session.add(RelapsePlan(
        client_id=client.id, number=1, written_at=at(10, 15), written_by=therapist_id,
        warning_signs="Skipping meals and sleep.\nTelling myself one won't hurt.",
        high_risk="Friday paydays.\nDriving past the bar on 5th.", coping="Call my sponsor.\nGo to a meeting.",
        people="Sponsor (Jim): 555-0142", reasons="My kids."))
    session.add(RelapsePlan(
        client_id=client.id, number=2, written_at=at(3, 19), written_by=user_id,
        warning_signs="Skipping meals and sleep.\nTelling myself one won't hurt.\nAvoiding my sponsor's calls.",
        high_risk="Friday paydays.\nDriving past the bar on 5th.\nArguments with my ex.",
        coping="Call my sponsor.\nGo to a meeting.\nTake the long way home.\nUrge surfing for 20 minutes.",
        people="Sponsor (Jim): 555-0142\nMy sister Ana: 555-0177\nHarbor Light front desk: 555-0100",
        reasons="My kids.\nMy health.\nBeing someone people can count on."))
    session.add(SafetyPlan(
        client_id=client.id, number=1, written_at=at(12, 11), written_by=therapist_id,
        warning_signs="Not sleeping for days.\nFeeling like a burden.\nDrinking alone.",
        coping="Shower, then a walk round the block.\nPlay guitar.\nBreathing exercise from group.",
        distractions="Coffee with my sister.\nThe Tuesday evening meeting at St. Mark's.\nThe library.",
        helpers="My sister Ana: 555-0177\nSponsor (Jim): 555-0142",
        professionals="My therapist at Harbor Light: 555-0100\nDr. Patel (GP): 555-0133",
        safe_environment="No alcohol in the house.\nMy sister keeps my spare medication."))




# Discharge types of the demo's discharged clients, in order (most completed the program).
DEMO_DISCHARGE_TYPES = ("completed", "completed", "against_advice", "completed", "transferred", "completed")
DEMO_AFTERCARE = {
    "aftercare_services": "Level 1 outpatient at Harbor Light, weekly relapse-prevention group (Thursdays 6 pm).",
    "aftercare_referrals": "Bayview Community Clinic (primary care); county vocational rehabilitation.",
    "mutual_help": "SMART Recovery Tuesday evenings; a home AA group on Saturdays, with a sponsor.",
    "medications": "Naltrexone 50 mg daily (Dr. Kim); sertraline 100 mg daily.",
    "next_appointments": "Dr. Kim in 2 weeks; first aftercare group next Thursday.",
    "barriers": "Evening shifts clash with the group: switched to the Saturday group. Transport: bus pass.",
}


def _seed_discharges(session: Session, clients: list[Client], today: date, tz) -> None:
    """Discharge records for the demo's discharged clients: type, aftercare plan, goals
    judged, summaries signed (one still a draft), follow-ups done, one due, one missed.
    A Random of its own keeps the rest of the demo unchanged."""
    from .models import Discharge, DischargeGoal
    from .services import discharge as discharge_rules
    from .services import follow_ups as follow_up_rules

    if not sa_inspect(session.connection()).has_table("follow_up"):
        return  # a database at a revision before discharge summaries (migration tests seed those)
    rng = random.Random(13)
    session.flush()
    missed_left = False
    gone = [c for c in clients if c.status == ClientStatus.DISCHARGED and c.discharge_date is not None]
    for n, client in enumerate(sorted(gone, key=lambda c: c.discharge_date)):
        kind = DEMO_DISCHARGE_TYPES[n % len(DEMO_DISCHARGE_TYPES)]
        on = client.discharge_date
        signer = client.primary_therapist_id
        therapist = session.get(User, signer)
        draft = n == len(gone) - 1  # the most recent summary is still being written
        record = Discharge(
            client_id=client.id, discharge_type=kind, discharged_on=on, reason=client.discharge_note, alumni=True,
            summary_due_on=on + timedelta(days=7), created_by=signer,
            created_at=program.to_utc(datetime.combine(on, time(15)), tz),
            final_measures=discharge_rules.last_measures(session, client.id),
            course="Attended most groups; used the relapse-prevention plan through two high-risk weekends; "
                   "mood and sleep improved.", with_client=True, **DEMO_AFTERCARE)
        if not draft:
            record.signed_by, record.signature = signer, therapist.full_name
            record.signed_at = program.to_utc(datetime.combine(on + timedelta(days=rng.randint(1, 5)), time(17)), tz)
        session.add(record)
        session.flush()
        discharge_rules._copy_goals(session, record)
        session.flush()
        for goal in session.exec(select(DischargeGoal).where(DischargeGoal.discharge_id == record.id)).all():
            goal.outcome = "" if draft else rng.choice(("achieved", "achieved", "partly", "not_achieved"))
            session.add(goal)
        for contact in follow_up_rules.schedule(session, record):
            late = (today - contact.due_on).days
            missed = not missed_left and n >= 1 and late > follow_up_rules.MISSED_AFTER_DAYS
            if late < 0 or late <= follow_up_rules.MISSED_AFTER_DAYS or missed:
                missed_left = missed_left or missed
                continue  # still to come; due in the last week (to do); one missed
            reached = rng.random() < 0.75
            contact.contacted_at = program.to_utc(datetime.combine(contact.due_on, time(11)), tz)
            contact.recorded_by = signer
            contact.reached = reached
            if reached:
                contact.substance_use = "using" if rng.random() < 0.2 else "not_using"
                contact.in_services = rng.random() < 0.8
                contact.housing = rng.choice(("stable", "stable", "recovery_residence"))
                contact.employment = rng.choice(("employed", "employed", "in_school", "unemployed"))
            else:
                contact.note = "Left a voicemail."
            session.add(contact)




# name, category, address, phone, web, hours, languages, cost, notes
DIRECTORY = [
    ("Harborview Housing Navigation", "housing", "412 Pier Street, Bayport", "(555) 201-3300",
     "https://harborview-housing.example.org", "Mon–Fri 9:00–17:00", "English, Spanish", "Free",
     "Coordinated entry; bring ID if you have it."),
    ("Second Step Sober Living", "housing", "88 Alder Lane, Bayport", "(555) 201-4412",
     "https://secondstep.example.org", "Intake calls daily 10:00–18:00", "English", "$650/month, sliding",
     "Recovery residence, 12 beds; weekly house meetings."),
    ("Bayport Emergency Shelter", "housing", "15 Market Street, Bayport", "(555) 201-0909", "",
     "Open 24 hours", "English, Spanish, Vietnamese", "Free", "Beds assigned at 18:00."),
    ("New Leaf Transitional Housing", "housing", "230 Cedar Avenue, Eastfield", "(555) 318-7720",
     "https://newleaf-housing.example.org", "Mon–Fri 8:30–16:30", "English", "30% of income",
     "Up to 24 months; case management included."),
    ("Bayport Community Food Bank", "food", "600 Harbor Road, Bayport", "(555) 201-5566",
     "https://bayportfoodbank.example.org", "Tue, Thu 10:00–14:00; Sat 9:00–12:00", "English, Spanish", "Free",
     "No appointment; one visit a week."),
    ("St. Brendan's Community Meals", "food", "19 Chapel Street, Bayport", "(555) 201-7781", "",
     "Daily 11:30–13:00", "English", "Free", "Hot lunch, no questions asked."),
    ("CalFresh Enrollment Desk", "food", "County Services Center, 1 Civic Plaza, Bayport", "(555) 201-1200",
     "https://county-benefits.example.gov/calfresh", "Mon–Fri 8:00–17:00", "English, Spanish, Tagalog", "Free",
     "Help applying for food benefits."),
    ("Eastfield Mobile Pantry", "food", "Eastfield Library parking lot", "(555) 318-2040", "",
     "2nd and 4th Wednesday 15:00–17:00", "English, Spanish", "Free", "Fresh produce."),
    ("State Department of Rehabilitation, Bayport Office", "employment", "77 Commerce Way, Suite 200, Bayport",
     "(555) 201-6100", "https://rehab.example.gov", "Mon–Fri 8:00–17:00", "English, Spanish, ASL", "Free",
     "Vocational rehabilitation for people with disabilities, including substance use disorders."),
    ("Bayport America's Job Center", "employment", "500 Harbor Road, Bayport", "(555) 201-6200",
     "https://jobcenter.example.gov", "Mon–Fri 8:30–16:30", "English, Spanish", "Free",
     "Resume help, job listings, training vouchers."),
    ("Fresh Start Staffing", "employment", "210 Main Street, Bayport", "(555) 201-6650",
     "https://freshstartstaffing.example.com", "Mon–Fri 7:00–15:00", "English", "Free to job seekers",
     "Second-chance employer network."),
    ("Harbor Trades Pre-Apprenticeship", "employment", "9 Dock Road, Bayport", "(555) 201-6800",
     "https://harbortrades.example.org", "Info sessions Mondays 17:30", "English", "Free",
     "12-week construction trades course with stipend."),
    ("Medi-Cal Enrollment Assistance", "benefits", "County Services Center, 1 Civic Plaza, Bayport",
     "(555) 201-1300", "https://county-benefits.example.gov/medi-cal", "Mon–Fri 8:00–17:00",
     "English, Spanish, Tagalog, Vietnamese", "Free", "Same-day help with Medi-Cal applications and renewals."),
    ("Bayport Benefits Counseling", "benefits", "44 Elm Street, Bayport", "(555) 201-1450",
     "https://benefitshelp.example.org", "By appointment", "English, Spanish", "Free",
     "SSI/SSDI applications and appeals."),
    ("County General Assistance Office", "benefits", "1 Civic Plaza, Room 110, Bayport", "(555) 201-1500", "",
     "Mon–Fri 8:00–16:00", "English, Spanish", "Free", "Cash aid for adults without children."),
    ("Bayport Legal Aid", "legal", "300 Court Street, Suite 4, Bayport", "(555) 201-8800",
     "https://bayportlegalaid.example.org", "Mon–Thu 9:00–16:00", "English, Spanish", "Free (income limits)",
     "Housing, benefits and family law."),
    ("Clean Slate Clinic", "legal", "Bayport Public Library, 2nd floor", "(555) 201-8850",
     "https://cleanslate.example.org", "First Saturday 10:00–13:00", "English", "Free",
     "Record expungement help."),
    ("County Public Defender, Drug Court Unit", "legal", "300 Court Street, Bayport", "(555) 201-8900",
     "https://publicdefender.example.gov", "Mon–Fri 8:00–17:00", "English, Spanish", "Free",
     "Representation for collaborative court participants."),
    ("Bayport Community Health Center", "medical", "120 Bay Street, Bayport", "(555) 201-2200",
     "https://bayportchc.example.org", "Mon–Sat 8:00–19:00", "English, Spanish, Vietnamese",
     "Sliding scale; Medi-Cal accepted", "Primary care, hepatitis C testing and treatment."),
    ("Eastfield Free Clinic", "medical", "45 Oak Street, Eastfield", "(555) 318-2200", "",
     "Tue and Thu 17:00–20:00", "English, Spanish", "Free", "Walk-in; no insurance needed."),
    ("Harbor Dental Access", "medical", "122 Bay Street, Bayport", "(555) 201-2300",
     "https://harbordental.example.org", "Mon–Fri 8:00–17:00", "English, Spanish", "Medi-Cal Dental; sliding",
     ""),
    ("Syringe Services and Naloxone, Bayport", "medical", "18 Wharf Lane, Bayport", "(555) 201-2450", "",
     "Mon, Wed, Fri 12:00–16:00", "English, Spanish", "Free", "Naloxone kits and fentanyl test strips."),
    ("Bayport Bridge Clinic (MAT)", "psychiatry_mat", "County Hospital, 700 Hill Road, Bayport",
     "(555) 201-3900", "https://countyhospital.example.gov/bridge", "Daily 8:00–20:00", "English, Spanish",
     "Medi-Cal; sliding", "Same-day buprenorphine starts."),
    ("Harbor Opioid Treatment Program", "psychiatry_mat", "350 Industrial Way, Bayport", "(555) 201-3950",
     "https://harborotp.example.org", "Mon–Sat 5:30–13:00", "English, Spanish", "Medi-Cal accepted",
     "Methadone and buprenorphine; counseling included."),
    ("Bayport Behavioral Health Clinic", "psychiatry_mat", "90 Pine Street, Bayport", "(555) 201-4000",
     "https://bayportbh.example.gov", "Mon–Fri 8:00–17:00", "English, Spanish, Vietnamese",
     "Medi-Cal; sliding", "Psychiatric evaluation and medication management."),
    ("Eastfield Psychiatry Associates", "psychiatry_mat", "12 Center Street, Eastfield", "(555) 318-4100",
     "https://eastfieldpsych.example.com", "By appointment", "English", "Private insurance; self-pay",
     "Naltrexone and acamprosate for alcohol use disorder."),
    ("Alcoholics Anonymous, Bayport Intergroup", "mutual_help", "Meetings across Bayport", "(555) 201-7000",
     "https://bayport-aa.example.org", "Meetings daily; hotline 24 hours", "English, Spanish", "Free",
     "Meeting list online; newcomer meetings Monday 19:00."),
    ("Narcotics Anonymous, Harbor Area", "mutual_help", "Meetings across Bayport and Eastfield",
     "(555) 201-7100", "https://harbor-na.example.org", "Meetings daily", "English, Spanish", "Free", ""),
    ("SMART Recovery Bayport", "mutual_help", "Bayport Public Library, Room B", "(555) 201-7200",
     "https://smart-bayport.example.org", "Tue 18:30; online Thu 19:00", "English", "Free",
     "Science-based self-management; no higher power."),
    ("Refuge Recovery Sangha", "mutual_help", "Harbor Yoga Studio, 5 Beach Road, Bayport", "", "",
     "Sun 17:00", "English", "Free (donations)", "Buddhist-inspired recovery meeting."),
    ("Al-Anon Family Groups, Bayport", "mutual_help", "First Methodist, 200 Church Street, Bayport",
     "(555) 201-7300", "https://bayport-alanon.example.org", "Wed 19:00; Sat 10:00", "English", "Free",
     "For family and friends."),
    ("Celebrate Recovery Eastfield", "mutual_help", "Eastfield Community Church, 80 Ridge Road", "", "",
     "Fri 18:30", "English, Spanish", "Free", "Christ-centered 12-step program."),
    ("Bayport Transit Reduced Fare Program", "transport", "Transit Center, 1 Station Plaza, Bayport",
     "(555) 201-9100", "https://bayporttransit.example.gov/reduced", "Mon–Fri 7:00–18:00", "English, Spanish",
     "$20/month pass", "Half-price pass with Medi-Cal card."),
    ("Medi-Cal Non-Emergency Medical Transportation", "transport", "Call to book", "(555) 201-9200",
     "https://county-benefits.example.gov/nemt", "Book 2 business days ahead", "English, Spanish", "Free",
     "Rides to covered medical and treatment appointments."),
    ("Recovery Rides Volunteer Drivers", "transport", "Bayport and Eastfield", "(555) 201-9300", "",
     "Mon–Sat 7:00–19:00", "English", "Free", "Rides to treatment and meetings."),
    ("Bayport Child Care Resource Center", "childcare", "60 School Street, Bayport", "(555) 201-5100",
     "https://bayportchildcare.example.org", "Mon–Fri 8:00–17:00", "English, Spanish", "Free referrals",
     "Subsidized child care referrals."),
    ("Little Harbor Head Start", "childcare", "14 Cove Road, Bayport", "(555) 201-5150",
     "https://littleharbor.example.org", "Mon–Fri 7:30–17:30", "English, Spanish", "Free (income limits)",
     "Ages 0–5."),
    ("Eastfield Drop-In Child Care", "childcare", "Eastfield YMCA, 3 Park Avenue", "(555) 318-5200",
     "https://eastfieldymca.example.org", "Mon–Fri 8:00–20:00", "English", "$6/hour, sliding",
     "While parents attend appointments or groups."),
    ("Parents in Recovery Support Group", "childcare", "Harbor Family Center, 7 Bay Street, Bayport",
     "(555) 201-5300", "", "Thu 10:00 (child care provided)", "English, Spanish", "Free", ""),
    ("Veterans Resource Center", "benefits", "Veterans Hall, 25 Flag Street, Bayport", "(555) 201-1600",
     "https://vetcenter.example.gov", "Mon–Fri 8:00–16:30", "English", "Free",
     "VA benefits, housing vouchers and peer support for veterans."),
]

# (client index, directory name or None for free text, provider, reason, urgency, final status, days ago)
DEMO_REFERRALS = [
    (0, "SMART Recovery Bayport", "", "Peer support between sessions; prefers a non-12-step meeting.", "routine",
     "attended", 10),
    (0, "Fresh Start Staffing", "", "Looking for steady work; a second-chance employer.", "soon", "scheduled", 9),
    (0, "Medi-Cal Enrollment Assistance", "", "Coverage lapsed last month.", "soon", "sent", 3),
    (1, "Second Step Sober Living", "", "Needs a sober place to live after a breakup.", "soon", "declined", 15),
    (2, "Bayport Bridge Clinic (MAT)", "", "Evaluation for buprenorphine.", "urgent", "closed", 30),
    (3, "Bayport Legal Aid", "", "Eviction notice; needs advice this week.", "urgent", "accepted", 12),
    (4, None, "Dr. Helen Park, Internal Medicine", "Follow-up of elevated liver enzymes.", "routine",
     "not_attended", 18),
    (6, "Bayport Behavioral Health Clinic", "", "Psychiatric evaluation for low mood.", "soon", "sent", 2),
    (7, "Bayport Community Food Bank", "", "Food insecurity at home.", "routine", "closed", 40),
]

REFERRAL_PATHS = {
    "sent": ("sent",), "accepted": ("sent", "accepted"), "declined": ("sent", "declined"),
    "scheduled": ("sent", "accepted", "scheduled"), "attended": ("sent", "accepted", "scheduled", "attended"),
    "not_attended": ("sent", "accepted", "scheduled", "not_attended"),
    "closed": ("sent", "accepted", "scheduled", "attended", "closed"),
}


def _seed_referrals(session, clients: list[Client], today: date, tz) -> None:
    """The community resource directory (about 40 fictional entries) and referrals in
    every state of the loop, some sharing information under a consent, one step
    overdue (Casey Nguyen's legal aid appointment); two entries shared with the demo
    client. Skipped on a database before the referral tables."""
    from .models.referrals import CommunityResource, Referral, ReferralConsent, ReferralStep, ResourceShare
    from .services import referrals as referral_rules

    if not sa_inspect(session.connection()).has_table("referral"):
        return
    rng = random.Random(13)
    entries = {}
    for name, category, address, phone, web, hours, languages, cost, notes in DIRECTORY:
        entry = CommunityResource(name=name, category=category, address=address, phone=phone, web=web, hours=hours,
                                  languages=languages, cost=cost, notes=notes)
        session.add(entry)
        entries[name] = entry
    session.flush()
    for index, name, provider, reason, urgency, final, days_ago in DEMO_REFERRALS:
        client = clients[index]
        owner = client.primary_therapist_id
        resource = entries.get(name) if name else None
        sent_day = today - timedelta(days=days_ago)
        path = REFERRAL_PATHS[final]
        gap = max(1, days_ago // (len(path) + 1))
        consent = None
        if resource is not None and resource.category in ("psychiatry_mat", "legal"):
            # Shares the client's information: the client signed a consent naming the provider.
            consent = ReferralConsent(client_id=client.id, recipient=resource.name, resource_id=resource.id,
                                      information="Diagnosis, medications and attendance in the program",
                                      purpose="Coordinate care with the provider", signed_on=sent_day,
                                      expires_on=sent_day + timedelta(days=365),
                                      signature=session.get(User, client.user_id).full_name, recorded_by=owner,
                                      granted_at=program.to_utc(datetime.combine(sent_day, time(9, 30)), tz))
            session.add(consent)
            session.flush()
        referral = Referral(client_id=client.id, resource_id=resource.id if resource else None,
                            provider=resource.name if resource else provider,
                            contact=(resource.phone if resource else "(555) 201-2999"), reason=reason,
                            urgency=urgency, discloses=consent is not None,
                            consent_id=consent.id if consent else None, status=final, created_by=owner,
                            created_at=program.to_utc(datetime.combine(sent_day, time(10, 0)), tz))
        session.add(referral)
        session.flush()
        appointment = None
        for n, status in enumerate(path):
            day = min(today, sent_day + timedelta(days=gap * n))
            if status == "scheduled":
                appointment = (today + timedelta(days=rng.randint(2, 6)) if final == "scheduled"
                               else min(today, sent_day + timedelta(days=gap * (n + 1))))
            note = ("Waitlist is full until spring." if status == "declined" else
                    "Client says the first visit went well." if status == "attended" else "")
            session.add(ReferralStep(referral_id=referral.id, status=status, recorded_by=owner, note=note,
                                     appointment_on=appointment if status == "scheduled" else None,
                                     at=program.to_utc(datetime.combine(day, time(10 + n, 15)), tz)))
            if status == "declined":
                referral.decline_reason = note
            referral.due_on = referral_rules.due_on(status, day, urgency, appointment)
            referral.updated_at = program.to_utc(datetime.combine(day, time(10 + n, 15)), tz)
            referral.updated_by = owner
        referral.appointment_on = appointment
        referral.version = len(path)
        session.add(referral)
    demo = clients[0]
    for name, note in (("Bayport Community Food Bank", "Open Saturdays too."),
                       ("Bayport Transit Reduced Fare Program", "Half-price bus pass with your Medi-Cal card.")):
        session.add(ResourceShare(client_id=demo.id, resource_id=entries[name].id, note=note,
                                  shared_by=demo.primary_therapist_id,
                                  shared_at=program.to_utc(datetime.combine(today - timedelta(days=5), time(11)), tz)))
    session.flush()

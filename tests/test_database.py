"""The schema comes from the committed migrations; SQLite runs with safe settings;
the demo program is deterministic and has the promised sign-ins."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlmodel import SQLModel, func, select

import iop_app.models  # noqa: F401
from iop_app.db import get_engine
from iop_app.models import Client, Consent, FamilyLink, GroupSession, MoodEntry, TherapyGroup, User
from iop_app.seed import DEMO_PASSWORD, DEMO_SIGNINS, seed_demo_program
from iop_app.services import auth, permissions, program


def test_migrations_match_the_models(db_url):
    with get_engine(db_url).connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_sqlite_connection_settings(db_url):
    with get_engine(db_url).connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 5000


def test_demo_program(session):
    seed_demo_program(session)
    for email, _ in DEMO_SIGNINS:
        assert auth.sign_in(session, email, DEMO_PASSWORD).user.email == email
    roles = dict(session.exec(select(User.role, func.count()).group_by(User.role)).all())
    assert roles["director"] == 1 and roles["therapist"] == 3 and roles["client"] == 30
    statuses = dict(session.exec(select(Client.status, func.count()).group_by(Client.status)).all())
    assert statuses["intake"] > 0 and statuses["discharged"] > 0 and statuses["active"] >= 15
    assert session.exec(select(func.count()).select_from(TherapyGroup)).one() == 5
    assert len(set(session.exec(select(TherapyGroup.group_type)).all())) == 5
    first, last = session.exec(select(func.min(GroupSession.starts_at), func.max(GroupSession.starts_at))).one()
    assert (last - first).days >= 70

    therapist = session.exec(select(User).where(User.email == "therapist@iop.example")).one()
    today = program.local_today(session)
    caseload = session.exec(select(func.count()).select_from(Client).where(
        permissions.caseload_condition(therapist, today))).one()
    assert 8 <= caseload <= 14

    alex_user = session.exec(select(User).where(User.email == "client@iop.example")).one()
    alex = session.exec(select(Client).where(Client.user_id == alex_user.id)).one()
    assert alex.status == "active" and alex.primary_therapist_id == therapist.id
    assert (today - alex.admission_date).days // 7 + 1 == 4
    days = session.exec(select(MoodEntry.day).where(MoodEntry.client_id == alex.id)).all()
    assert 20 <= len(days) < 27 and today not in days  # a month with gaps, today still to do

    family = session.exec(select(User).where(User.email == "family@iop.example")).one()
    assert permissions.can(session, family, permissions.FAMILY_PROGRESS, alex.id)
    links = session.exec(select(FamilyLink).where(FamilyLink.family_user_id.is_not(None))).all()
    in_force = {link.family_user_id for link in links
                if permissions.consent_in_force(session, link.family_user_id, link.client_id)}
    assert family.id in in_force and len(in_force) < len(links)  # some family members have no consent in force
    assert session.exec(select(func.count()).select_from(Consent).where(Consent.revoked_at.is_not(None))).one() == 1


def test_demo_program_is_deterministic(session, db_url, tmp_path, migrated_template):
    import shutil

    from sqlmodel import Session

    other_path = tmp_path / "other.db"
    shutil.copy(migrated_template, other_path)
    day = program.local_today(session)
    seed_demo_program(session, today=day)
    with Session(get_engine(f"sqlite:///{other_path}")) as other:
        seed_demo_program(other, today=day)
        query = select(MoodEntry.client_id, MoodEntry.day, MoodEntry.mood, MoodEntry.craving).order_by(MoodEntry.id)
        assert session.exec(query).all() == other.exec(query).all()


@pytest.mark.parametrize("days_ahead", range(7))
def test_demo_family_proposal_times_are_all_free(session, days_ahead):
    """Every proposed time in the demo can be accepted, whatever weekday the demo is seeded on."""
    from datetime import timedelta

    from iop_app.models import FamilySession, SlotProposal
    from iop_app.services import timetable

    seed_demo_program(session, today=program.local_today(session) + timedelta(days=days_ahead))
    slots = session.exec(select(SlotProposal)).all()
    assert len(slots) == 2
    for slot in slots:
        proposal = session.get(FamilySession, slot.family_session_id)
        assert timetable.find_conflicts(
            session, therapist_id=proposal.therapist_id, client_id=proposal.client_id, start=slot.starts_at,
            minutes=proposal.duration_minutes, exclude_family_session_id=proposal.id) == []

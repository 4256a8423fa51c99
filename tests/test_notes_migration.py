"""Migration f11c0c0e0003 on a database seeded before it: every individual-session
note text becomes a signed progress note of that session (nothing lost), and the
way back restores the texts."""

from __future__ import annotations

from datetime import UTC, date, datetime

from alembic import command
from sqlalchemy import select

from iop_app.db import get_engine
from iop_app.manage import alembic_config
from tests.migration_helpers import database_at, inserter, tables

BEFORE = "f11b0c0e0002"
NOW = datetime(2026, 10, 29, 22, 0, tzinfo=UTC)


def test_individual_session_notes_become_progress_notes(tmp_path):
    url, engine = database_at(tmp_path, BEFORE)
    with engine.begin() as db:
        add = inserter(db, tables(engine))

        therapist = add("user", email="t@test.example", full_name="T", password_hash="x", role="therapist",
                        active=True, created_at=NOW)
        person = add("user", email="c@test.example", full_name="C", password_hash="x", role="client", active=True,
                     created_at=NOW)
        client = add("client", user_id=person, admission_date=date(2026, 10, 1), status="active",
                     level_of_care="2.1", stage_of_change="action", discharge_note="")
        with_text = add("individual_session", client_id=client, therapist_id=therapist, starts_at=NOW,
                        duration_minutes=50, status="attended", minutes_attended=45,
                        note="Talked about the weekend plan.\nAgreed on two coping skills.")
        add("individual_session", client_id=client, therapist_id=therapist, starts_at=NOW, duration_minutes=50,
            status="missed", minutes_attended=0, note="")
    engine.dispose()

    command.upgrade(alembic_config(url), "head")
    engine = get_engine(url)
    t = tables(engine)
    note, individual = t["progress_note"], t["individual_session"]
    with engine.connect() as db:
        rows = db.execute(select(note)).mappings().all()
        assert len(rows) == 1
        row = rows[0]
        assert row["sections"]["data"] == "Talked about the weekend plan.\nAgreed on two coping skills."
        assert "Carried over" in row["sections"]["carried_over"]
        assert (row["individual_session_id"], row["client_id"], row["author_id"]) == (with_text, client, therapist)
        assert (row["service_type"], row["status"], row["minutes"], row["signed_by"]) == (
            "individual", "signed", 45, therapist)
        assert row["service_date"] == date(2026, 10, 29)  # 22:00 UTC is the 29th in Los Angeles
        assert db.execute(select(individual.c.note)).scalars().all() == ["", ""]  # one place for the text
    engine.dispose()

    command.downgrade(alembic_config(url), BEFORE)
    engine = get_engine(url)
    with engine.connect() as db:
        texts = [r[0] for r in db.exec_driver_sql("SELECT note FROM individual_session ORDER BY id")]
        assert texts == ["Talked about the weekend plan.\nAgreed on two coping skills.", ""]
        assert db.exec_driver_sql("SELECT count(*) FROM progress_note").scalar() == 0
    engine.dispose()

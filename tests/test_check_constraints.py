"""Closed sets are enforced by the database: every CHECK constraint refuses a value
outside its enum, and the migration that adds them (d10c4ec50001) carries a seeded
database over with its rows, its audit chain and its audit triggers intact."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.exc import DatabaseError, IntegrityError
from sqlmodel import Session, SQLModel, select

from iop_app import seed
from iop_app.db import get_engine
from iop_app.manage import alembic_config
from iop_app.models import AuditEvent, Client, Consent, Goal, GoalUpdate, User
from iop_app.models.audit import seal_unsealed_rows
from iop_app.models.enums import Role, enum_check, enum_check_sql
from iop_app.seed import seed_demo_program
from iop_app.services.audit import verify_chain

BEFORE = "e12a0b5e0001"  # just before d10c4ec50001; the demo seed writes measures (e12a0b5e0001)

# (table, column) of every closed set the migration constrains, with the model
# attribute that holds it.
CONSTRAINED = {
    ("user", "role"), ("client", "status"), ("client", "stage_of_change"), ("goal", "life_area"),
    ("goal", "horizon"), ("goal", "status"), ("goal_update", "kind"), ("goal_update", "status"),
    ("need", "area"), ("therapy_group", "group_type"), ("attendance", "status"),
    ("individual_session", "status"), ("family_session", "mode"), ("family_session", "status"),
    ("slot_proposal", "status"), ("consent", "scope"), ("consent", "end_event"), ("audit_event", "outcome"),
    # drug and alcohol screens (j13a0c0e0001)
    ("screen", "outcome"), ("screen", "specimen"), ("screen", "method"), ("screen", "temperature"),
    ("screen", "adulterant"), ("screen", "confirmation"), ("screen_result", "result"),
}


def _database_checks(url: str) -> dict[str, str]:
    inspector = inspect(get_engine(url))
    return {check["name"]: check["sqltext"] for table in inspector.get_table_names()
            for check in inspector.get_check_constraints(table)}


def _model_checks() -> dict[str, str]:
    return {constraint.name: str(constraint.sqltext) for table in SQLModel.metadata.tables.values()
            for constraint in table.constraints if constraint.name and constraint.name.startswith("ck_")}


def test_the_migrated_database_has_the_models_check_constraints(db_url):
    # alembic's compare_metadata does not compare CHECK constraints: compare them here.
    assert _database_checks(db_url) == _model_checks()
    assert {f"ck_{table}_{column}" for table, column in CONSTRAINED} <= set(_model_checks())


def test_constraint_sql_comes_from_the_enum():
    assert enum_check_sql("role", Role) == "role IN ('client', 'therapist', 'family', 'director')"
    assert enum_check("user", "role", Role).name == "ck_user_role"


@pytest.mark.parametrize(("table", "column"), sorted(CONSTRAINED))
def test_a_value_outside_the_set_is_refused(db_url, table, column):
    engine = get_engine(db_url)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")  # only the CHECK is under test
        table_obj = SQLModel.metadata.tables[table]
        row = {c.name: _filler(c) for c in table_obj.columns if not c.primary_key}
        row[column] = "not-a-member"
        with pytest.raises(IntegrityError, match=f"ck_{table}_{column}|CHECK constraint failed"):
            connection.execute(table_obj.insert().values(**row))
        connection.rollback()
    engine.dispose()


def _filler(column):
    """A valid-enough value for a NOT NULL column (closed sets get their first member)."""
    import datetime as dt

    for constraint in column.table.constraints:
        if constraint.name == f"ck_{column.table.name}_{column.name}":
            return str(constraint.sqltext).split("'")[1]
    kind = type(column.type).__name__
    if "DateTime" in kind:
        return dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    if "String" in kind:
        return "x"
    python_type = column.type.python_type
    return {int: 1, bool: False, float: 1.0, dt.date: dt.date(2026, 1, 1), dt.time: dt.time(9, 0)}[python_type]


def test_the_app_writes_only_set_members(session, factory):
    """A bad value from the app itself is refused too (not only raw SQL)."""
    factory.client()
    client = session.exec(select(Client)).first()
    client.status = "paused"
    session.add(client)
    with pytest.raises(IntegrityError):
        session.commit()


def test_the_migration_carries_a_seeded_database(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'seeded.db'}"
    command.upgrade(alembic_config(url), BEFORE)
    engine = get_engine(url)
    # Treatment plans are tables of a later revision (f11a0c0e0001): none at BEFORE.
    monkeypatch.setattr(seed, "_seed_plans", lambda *args: None)
    with Session(engine) as session:
        seed_demo_program(session)
        session.add(GoalUpdate(goal_id=session.exec(select(Goal.id)).first(), by_user_id=1, kind="edited",
                               progress_pct=0, status="active"))  # services/goals.py writes "edited"
        session.commit()
    with engine.begin() as connection:  # audit rows, sealed as the app seals them
        for outcome in ("success", "denied"):
            connection.execute(text("INSERT INTO audit_event (at, actor_label, action, target, outcome, detail) "
                                    "VALUES ('2026-01-01 08:00:00.000000', 'a@example.org', 'signin', '', :o, '')"),
                               {"o": outcome})
        seal_unsealed_rows(connection)
    tables = [name for name in inspect(engine).get_table_names() if name != "alembic_version"]

    def counts():
        with engine.connect() as connection:
            return {name: connection.execute(text(f'SELECT count(*) FROM "{name}"')).scalar() for name in tables}

    before = counts()
    assert before["user"] > 30 and before["audit_event"] >= 2
    engine.dispose()

    command.upgrade(alembic_config(url), "head")
    engine = get_engine(url)
    # plan_review rows became treatment_plan versions (f11b0c0e0002, tests/test_plans_migration.py)
    tables.remove("plan_review")
    moved = before.pop("plan_review")
    assert counts() == before
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM treatment_plan")).scalar() == moved
    assert {f"ck_{table}_{column}" for table, column in CONSTRAINED} <= set(_database_checks(url))
    with Session(engine) as session:
        assert verify_chain(session).intact
        assert session.exec(select(User.role)).all()
        assert session.exec(select(Consent)).first() is not None
    with engine.connect() as connection:  # the audit trail is still append-only
        triggers = {row[0] for row in connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_event'")}
        assert triggers == {"audit_event_no_update", "audit_event_no_delete"}
    with pytest.raises(DatabaseError, match="append-only"), engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_event"))
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(AuditEvent.__table__.insert().values(action="x", outcome="maybe"))
    engine.dispose()

    # and down and up again
    command.downgrade(alembic_config(url), BEFORE)
    # left: the one CHECK from before, and those e12a0b5e0001 made with the measure tables
    assert {c for c in _database_checks(url) if not c.startswith("ck_measure_")} == {"ck_consent_end_event"}
    command.upgrade(alembic_config(url), "head")
    assert counts() == before
    engine = get_engine(url)
    with Session(engine) as session:
        assert verify_chain(session).intact
    engine.dispose()

"""The audit trail is tamper-evident: the database refuses UPDATE and DELETE of
audit rows, every row is hash-chained to the one before it, and
`python -m iop_app.manage verify-audit` names the first row that no longer fits."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError
from sqlmodel import Session, select

from iop_app.db import get_engine
from iop_app.manage import alembic_config, main
from iop_app.models import AuditEvent, chain_hash, seal_unsealed_rows
from iop_app.seed import DEMO_PASSWORD, seed_demo_program
from iop_app.services import audit, auth, permissions
from iop_app.services.errors import PermissionDenied

ROOT = Path(__file__).resolve().parents[1]


def _rows(session):
    return session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()


def _write_some(session, factory, count=3):
    """Events written both ways: in the caller's transaction and on their own connection."""
    actor = factory.user("director")
    for i in range(count):
        audit.record(session, actor, "test.record", detail=f"in the caller's transaction {i}")
        session.commit()
        audit.record_now(session, actor, "test.now", detail=f"on its own connection {i}")
    return actor


def _verify(monkeypatch, db_url, capsys) -> tuple[int, str]:
    """Run `manage verify-audit` in-process: (exit code, output)."""
    monkeypatch.setenv("REFLEX_DB_URL", db_url)
    try:
        main(["verify-audit"])
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, capsys.readouterr().out


def _drop_triggers(db_url):
    with get_engine(db_url).begin() as connection:
        connection.execute(text("DROP TRIGGER audit_event_no_update"))
        connection.execute(text("DROP TRIGGER audit_event_no_delete"))


def test_every_row_is_chained_to_the_one_before(session, factory):
    _write_some(session, factory)
    several = factory.user("therapist")
    for i in range(3):  # several events in one flush
        audit.record(session, several, "test.batch", detail=str(i))
    session.commit()
    rows = _rows(session)
    assert len(rows) == 9
    previous = None
    for row in rows:
        assert row.hash == chain_hash(previous, row)
        previous = row.hash
    assert audit.verify_chain(session).intact


def test_an_intact_trail_verifies_with_exit_0(session, factory, db_url, monkeypatch, capsys):
    _write_some(session, factory)
    code, out = _verify(monkeypatch, db_url, capsys)
    assert code == 0
    assert "audit trail intact: 6 rows" in out


def test_the_database_refuses_update_and_delete(session, factory, db_url):
    _write_some(session, factory, count=1)
    engine = get_engine(db_url)
    for statement in ("UPDATE audit_event SET detail = 'nothing happened' WHERE id = 1",
                      "UPDATE audit_event SET hash = NULL WHERE id = 1",
                      "UPDATE audit_event SET hash = 'f00d' WHERE id = 1",
                      "DELETE FROM audit_event WHERE id = 1",
                      "DELETE FROM audit_event"):
        with pytest.raises(DatabaseError, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))
    session.expire_all()
    assert [r.detail for r in _rows(session)][:1] == ["in the caller's transaction 0"]
    assert len(_rows(session)) == 2


def test_the_only_update_allowed_is_sealing_an_unsealed_row(session, db_url):
    engine = get_engine(db_url)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO audit_event (at, actor_label, action, target, outcome, detail) "
                                "VALUES ('2026-01-01 00:00:00.000000', '', 'raw', '', 'success', 'raw')"))
    # The hash together with another column: refused.
    with pytest.raises(DatabaseError, match="append-only"), engine.begin() as connection:
        connection.execute(text("UPDATE audit_event SET hash = 'abc', detail = 'changed' WHERE id = 1"))
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_event SET hash = 'abc' WHERE id = 1"))
    # Once set, never again.
    with pytest.raises(DatabaseError, match="append-only"), engine.begin() as connection:
        connection.execute(text("UPDATE audit_event SET hash = 'def' WHERE id = 1"))


@pytest.mark.parametrize(("tampering", "named"), [
    ("UPDATE audit_event SET detail = 'nothing to see' WHERE id = 4", ("row id 4", "edited")),
    ("DELETE FROM audit_event WHERE id = 2", ("row id 3", "2–2", "missing")),  # names the row after the gap
], ids=["an edited row", "the row after a deleted one"])
def test_verify_names_the_tampered_row(session, factory, db_url, monkeypatch, capsys, tampering, named):
    _write_some(session, factory)
    _drop_triggers(db_url)
    with get_engine(db_url).begin() as connection:
        connection.execute(text(tampering))
    code, out = _verify(monkeypatch, db_url, capsys)
    assert code == 1
    assert all(words in out for words in named), out


def test_verify_names_a_row_whose_hash_was_recomputed_after_an_edit(session, factory, db_url, monkeypatch, capsys):
    """Rewriting a row and its hash breaks the link to the next row."""
    _write_some(session, factory)
    _drop_triggers(db_url)
    row = session.get(AuditEvent, 3)
    previous = session.get(AuditEvent, 2).hash
    row.detail = "rewritten"
    forged = chain_hash(previous, row)
    with get_engine(db_url).begin() as connection:
        connection.execute(text("UPDATE audit_event SET detail = 'rewritten', hash = :h WHERE id = 3"), {"h": forged})
    code, out = _verify(monkeypatch, db_url, capsys)
    assert code == 1
    assert "row id 4" in out


def test_verify_audit_on_the_command_line(session, factory, db_url, tmp_path):
    _write_some(session, factory, count=2)
    env = {**os.environ, "REFLEX_DB_URL": db_url, "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-m", "iop_app.manage", "verify-audit"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120)
    assert (run.returncode, run.stdout.strip()) == (0, "audit trail intact: 4 rows")
    _drop_triggers(db_url)
    with get_engine(db_url).begin() as connection:
        connection.execute(text("UPDATE audit_event SET outcome = 'failure' WHERE id = 2"))
    run = subprocess.run([sys.executable, "-m", "iop_app.manage", "verify-audit"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    assert "row id 2" in run.stdout


def test_verify_walks_in_batches(session, factory):
    _write_some(session, factory, count=5)
    assert audit.verify_chain(session, batch=3) == audit.ChainReport(rows=10)


def test_concurrent_writers_keep_one_chain(session, factory, db_url):
    """Several sessions writing both ways at once still give one unbroken chain."""
    actor = factory.user("therapist")
    engine = get_engine(db_url)
    failures = []

    def writer(n: int) -> None:
        try:
            for i in range(15):
                with Session(engine) as own:
                    if i % 3:
                        audit.record_now(own, actor, "test.now", detail=f"{n}-{i}")
                    else:
                        audit.record(own, actor, "test.record", detail=f"{n}-{i}a")
                        audit.record(own, actor, "test.record", detail=f"{n}-{i}b")
                        own.commit()
        except Exception as exc:  # reported below: a thread's exception would vanish
            failures.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    report = audit.verify_chain(session)
    assert report == audit.ChainReport(rows=5 * (10 + 2 * 5))


def test_a_rolled_back_event_leaves_the_chain_intact(session, factory):
    actor = _write_some(session, factory, count=1)
    audit.record(session, actor, "test.rolled_back")
    session.flush()
    session.rollback()
    audit.record_now(session, actor, "test.after")
    assert audit.verify_chain(session) == audit.ChainReport(rows=3)


def test_the_demo_program_and_its_sign_ins_chain(session, db_url, monkeypatch, capsys):
    seed_demo_program(session)
    auth.sign_in(session, "director@iop.example", DEMO_PASSWORD)
    therapist = auth.sign_in(session, "therapist@iop.example", DEMO_PASSWORD).user
    for client_id in (1, 2, 3, 30):  # views and denials
        with contextlib.suppress(PermissionDenied):  # a denial is an audit row too
            permissions.require(session, therapist, permissions.READ, client_id, what="record.view")
    code, out = _verify(monkeypatch, db_url, capsys)
    assert code == 0 and "audit trail intact" in out
    assert session.exec(select(AuditEvent).where(AuditEvent.hash.is_(None))).first() is None


def test_the_migration_chains_rows_written_before_it(tmp_path, monkeypatch, capsys):
    path = tmp_path / "old.db"
    url = f"sqlite:///{path}"
    command.upgrade(alembic_config(url), "b00b51e906bd")
    with get_engine(url).begin() as connection:
        for i in range(5):
            connection.execute(text(
                "INSERT INTO audit_event (at, actor_label, action, target, outcome, detail) "
                "VALUES (:at, 'someone@example.org', 'signin', '', 'success', :detail)"),
                {"at": f"2026-01-0{i + 1} 08:00:00.000000", "detail": f"old row {i}"})
    command.upgrade(alembic_config(url), "head")
    code, out = _verify(monkeypatch, url, capsys)
    assert (code, out.strip()) == (0, "audit trail intact: 5 rows")
    with pytest.raises(DatabaseError, match="append-only"), get_engine(url).begin() as connection:
        connection.execute(text("DELETE FROM audit_event WHERE id = 1"))
    # and back down and up again
    command.downgrade(alembic_config(url), "b00b51e906bd")
    command.upgrade(alembic_config(url), "head")
    code, out = _verify(monkeypatch, url, capsys)
    assert (code, out.strip()) == (0, "audit trail intact: 5 rows")
    get_engine(url).dispose()


def test_rows_a_later_migration_writes_with_plain_sql_can_be_sealed(session, factory, db_url):
    _write_some(session, factory, count=1)
    with get_engine(db_url).begin() as connection:
        for i in range(3):
            connection.execute(text(
                "INSERT INTO audit_event (at, actor_label, action, target, outcome, detail) "
                "VALUES (CURRENT_TIMESTAMP, 'migration', 'data.fix', '', 'success', :d)"), {"d": str(i)})
    report = audit.verify_chain(session)
    assert (report.bad_id, "no hash" in report.problem) == (3, True)
    with get_engine(db_url).begin() as connection:
        assert seal_unsealed_rows(connection) == 3
        assert seal_unsealed_rows(connection) == 0
    audit.record_now(session, None, "test.after")
    assert audit.verify_chain(session) == audit.ChainReport(rows=6)

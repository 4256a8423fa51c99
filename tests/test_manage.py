"""Command line: `make run` seeds demo accounts only into a database it created;
backup while the app writes; restore refuses to overwrite accounts without --force."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlmodel import func, select

from iop_app import manage
from iop_app.db import get_engine, open_session
from iop_app.models import User
from iop_app.seed import DEMO_PASSWORD
from iop_app.services import auth


def _users(url: str) -> int:
    with open_session(url) as session:
        return session.exec(select(func.count()).select_from(User)).one()


def _path(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


@pytest.fixture
def configured(tmp_path, monkeypatch):
    """The configured database (REFLEX_DB_URL): a SQLite file that does not exist yet."""
    url = f"sqlite:///{tmp_path / 'iop.db'}"
    monkeypatch.setenv("REFLEX_DB_URL", url)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    yield url
    get_engine(url).dispose()


# ------------------------------------------------------------------ demo guard
def test_make_run_seeds_a_database_it_creates_and_marks_it_demo(configured):
    manage.main(["demo"])
    assert manage.database_kind(configured) == manage.DEMO
    with open_session(configured) as session:
        assert auth.sign_in(session, "director@iop.example", DEMO_PASSWORD).user.role == "director"
    count = _users(configured)

    # The next `make run`: migrated, nothing added twice.
    assert manage.demo(configured) == "kept"
    assert _users(configured) == count


def test_make_run_never_seeds_a_database_a_production_command_set_up(configured, capsys):
    manage.main(["migrate"])  # `make migrate`: the production path
    manage.main(["demo"])  # then someone runs `make run` on it
    assert _users(configured) == 0
    assert "added no demo accounts" in capsys.readouterr().err
    assert manage.database_kind(configured) is None
    manage.main(["seed-demo"])  # the old name has the same guard
    assert _users(configured) == 0


def test_make_run_never_seeds_a_production_database(configured, capsys):
    manage.main(["migrate"])
    manage.main(["create-director", "--email", "boss@program.example", "--name", "Pat Director",
                 "--password", "Director-Password-2026"])
    assert manage.database_kind(configured) == manage.PRODUCTION
    # Even after every account is gone, it stays production: no published passwords.
    with open_session(configured) as session:
        for user in session.exec(select(User)).all():
            user.email = "renamed@program.example"
        session.commit()
    assert manage.demo(configured) == "refused"
    assert "a production database" in capsys.readouterr().err
    assert _users(configured) == 1
    with open_session(configured) as session:
        assert session.exec(select(User).where(User.email.like("%@iop.example"))).first() is None


def test_create_director_refuses_the_demo_database(configured, capsys):
    manage.demo(configured)
    directors = _users(configured)
    with pytest.raises(SystemExit) as exit_:
        manage.main(["create-director", "--email", "boss@program.example", "--name", "Pat Director",
                     "--password", "Director-Password-2026"])
    assert exit_.value.code == 2
    assert "demo" in capsys.readouterr().err
    assert _users(configured) == directors
    assert manage.database_kind(configured) == manage.DEMO


# ------------------------------------------------------------------ backup / restore
def _counts(path: Path) -> dict[str, int]:
    connection = sqlite3.connect(path)
    try:
        return manage._table_counts(connection)
    finally:
        connection.close()


def _integrity(path: Path) -> str:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        connection.close()


@pytest.fixture
def live_db(db_url, factory):
    """A migrated database with a few accounts and records, as the running app has it."""
    therapist = factory.user("therapist")
    for _ in range(3):
        factory.family(factory.client(therapist))
    return db_url


def test_backup_while_a_writer_holds_an_open_transaction(live_db, tmp_path):
    path = _path(live_db)
    committed = _counts(path)
    holding, release = threading.Event(), threading.Event()

    def writer():
        connection = sqlite3.connect(path, timeout=5, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("INSERT INTO program_setting (key, value) VALUES ('uncommitted', 'x')")
        holding.set()
        release.wait(30)
        connection.execute("COMMIT")
        connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert holding.wait(10)
        started = time.monotonic()
        counts = manage.backup(str(tmp_path / "backup.db"), live_db)
        assert time.monotonic() - started < 5  # did not wait for the writer
    finally:
        release.set()
        thread.join()
    assert counts == committed  # the open transaction is not in the copy
    assert _counts(tmp_path / "backup.db") == committed
    assert _integrity(tmp_path / "backup.db") == "ok"
    assert _counts(path)["program_setting"] == committed["program_setting"] + 1


def test_backup_while_the_app_keeps_writing_then_restore(live_db, tmp_path, monkeypatch):
    path = _path(live_db)
    before = _counts(path)
    stop = threading.Event()
    written = []

    def writer():
        connection = sqlite3.connect(path, timeout=5, isolation_level=None)
        n = 0
        while not stop.is_set():
            connection.execute("BEGIN IMMEDIATE")
            connection.execute("INSERT INTO program_setting (key, value) VALUES (?, 'x')", (f"k{n}",))
            connection.execute("COMMIT")
            n += 1
            written.append(n)
        connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 20:
            time.sleep(0.01)
        backups = [manage.backup(str(tmp_path / f"backup{i}.db"), live_db) for i in range(3)]
    finally:
        stop.set()
        thread.join()
    after = _counts(path)
    for i, counts in enumerate(backups):
        assert _integrity(tmp_path / f"backup{i}.db") == "ok"
        assert before["program_setting"] + 20 <= counts["program_setting"] <= after["program_setting"]
        assert {k: v for k, v in counts.items() if k != "program_setting"} == {
            k: v for k, v in before.items() if k != "program_setting"}

    # Restore the last one into a new configured database.
    target = tmp_path / "restored" / "iop.db"
    monkeypatch.setenv("REFLEX_DB_URL", f"sqlite:///{target}")
    manage.main(["restore", str(tmp_path / "backup2.db")])
    assert _counts(target) == backups[2] == _counts(tmp_path / "backup2.db")
    assert _integrity(target) == "ok"
    connection = sqlite3.connect(target)
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    connection.close()
    get_engine(f"sqlite:///{target}").dispose()


def test_backup_is_readable_by_its_owner_only(live_db, tmp_path):
    manage.backup(str(tmp_path / "b.db"), live_db)
    assert (tmp_path / "b.db").stat().st_mode & 0o077 == 0
    assert not (tmp_path / "b.db.partial").exists()


def test_restore_refuses_a_database_with_accounts_without_force(live_db, tmp_path, configured, capsys):
    manage.backup(str(tmp_path / "backup.db"), live_db)
    manage.demo(configured)  # the configured database holds accounts
    demo_counts = _counts(_path(configured))
    with pytest.raises(SystemExit) as exit_:
        manage.main(["restore", str(tmp_path / "backup.db")])
    assert exit_.value.code == 2
    assert "--force" in capsys.readouterr().err
    assert _counts(_path(configured)) == demo_counts

    manage.main(["restore", "--force", str(tmp_path / "backup.db")])
    assert _counts(_path(configured)) == _counts(tmp_path / "backup.db")
    saved = list(_path(configured).parent.glob("iop.before-restore-*.db"))
    assert len(saved) == 1 and _counts(saved[0]) == demo_counts


def test_restore_into_a_migrated_empty_database_needs_no_force(live_db, tmp_path, configured):
    manage.backup(str(tmp_path / "backup.db"), live_db)
    manage.migrate(configured)
    manage.main(["restore", str(tmp_path / "backup.db")])
    assert _counts(_path(configured)) == _counts(tmp_path / "backup.db")


def test_restore_refuses_what_is_not_a_backup_of_this_app(tmp_path, configured, capsys):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    other = tmp_path / "other.db"
    connection = sqlite3.connect(other)
    connection.execute("CREATE TABLE t (x)")
    connection.close()
    for source, message in ((junk, "not a readable SQLite database"), (other, "no alembic_version"),
                            (tmp_path / "missing.db", "no backup")):
        with pytest.raises(SystemExit):
            manage.main(["restore", str(source)])
        assert message in capsys.readouterr().err
    assert not _path(configured).exists()


def test_postgresql_gets_pg_dump_guidance_without_the_password(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("REFLEX_DB_URL", "postgresql+psycopg://iop:s3cret@db.internal:5432/iop")
    with pytest.raises(SystemExit) as exit_:
        manage.main(["backup", str(tmp_path / "iop.dump")])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "pg_dump --format=custom" in err and "postgresql://iop@db.internal:5432/iop" in err
    assert "s3cret" not in err and not (tmp_path / "iop.dump").exists()
    with pytest.raises(SystemExit):
        manage.main(["restore", str(tmp_path / "iop.dump")])
    err = capsys.readouterr().err
    assert "pg_restore" in err and "s3cret" not in err

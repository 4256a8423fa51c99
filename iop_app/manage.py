"""Command line: `python -m iop_app.manage migrate | demo | create-director | backup | restore |
verify-audit`.

Demo data and production never mix: `demo` (what `make run` calls) seeds the
published demo accounts only into a database that had no tables before it
migrated it, and marks that database as a demo (program_setting
database_kind=demo); `create-director` marks a database as production and refuses
a demo one. See DATABASE_KIND.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import URL, make_url
from sqlmodel import func, select

from .db import PROJECT_DIR, database_url, get_engine, open_session


def alembic_config(url: str | None = None) -> Config:
    config = Config(str(PROJECT_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_DIR / "alembic"))
    config.attributes["url"] = url or database_url()
    config.attributes["configure_logging"] = False
    return config


def migrate(url: str | None = None) -> None:
    """Bring the database schema to the newest committed migration."""
    command.upgrade(alembic_config(url), "head")


# program_setting key telling what a database is for: "demo" (created by `make run`,
# holds the published demo accounts) or "production" (has had `create-director`).
# A database without the key was set up by hand (`make migrate`): never seeded.
DATABASE_KIND = "database_kind"
DEMO, PRODUCTION = "demo", "production"


def _has_tables(url: str | None = None) -> bool:
    return bool(inspect(get_engine(url)).get_table_names())


def database_kind(url: str | None = None) -> str | None:
    from .models import ProgramSetting

    with open_session(url) as session:
        row = session.get(ProgramSetting, DATABASE_KIND)
        return row.value if row else None


def _mark_database(url: str | None, kind: str) -> None:
    from .models import ProgramSetting

    with open_session(url) as session:
        session.merge(ProgramSetting(key=DATABASE_KIND, value=kind))
        session.commit()


def seed_demo(url: str | None = None) -> bool:
    """Seed the demo program when the database has no users; return whether it did.
    Callers check first that the database is a demo one (see `demo`)."""
    from .models import User
    from .seed import DEMO_PASSWORD, DEMO_SIGNINS, seed_demo_program

    with open_session(url) as session:
        if session.exec(select(func.count()).select_from(User)).one():
            return False
        seed_demo_program(session)
    print("Demo program created. Sign in with password", DEMO_PASSWORD)
    for email, what in DEMO_SIGNINS:
        print(f"  {email:28} {what}")
    return True


def demo(url: str | None = None) -> str:
    """What `make run` does to the database: migrate it; seed the demo program only
    into a database this command created. Returns "seeded", "kept" (a demo database
    from an earlier run: migrated only) or "refused" (any other database)."""
    fresh = not _has_tables(url)
    migrate(url)
    if fresh:
        _mark_database(url, DEMO)
    kind = database_kind(url)
    if kind != DEMO:
        print("This database was not created by `make run` for the demo"
              f" ({'a production database' if kind == PRODUCTION else 'it already had tables'}):"
              " migrated it, but added no demo accounts. For the demo, point REFLEX_DB_URL at a new"
              " database (or remove data/iop.db).", file=sys.stderr)
        return "refused"
    if seed_demo(url):
        return "seeded"
    print("Demo database already set up; migrated it, demo data unchanged.")
    return "kept"


def create_director(email: str, full_name: str, password: str | None) -> None:
    from .services.accounts import create_first_director
    from .services.errors import ValidationError

    if database_kind() == DEMO:
        print("This database is the demo made by `make run`: its demo accounts have a published password."
              " Create a new database for production (set REFLEX_DB_URL, run `make migrate`), then"
              " create the director there.", file=sys.stderr)
        raise SystemExit(2)
    if password is None:
        password = os.environ.get("IOP_DIRECTOR_PASSWORD") or getpass.getpass("Password (12+ characters): ")
    with open_session() as session:
        try:
            user = create_first_director(session, email=email, full_name=full_name, password=password)
        except ValidationError as exc:
            for field, message in exc.errors.items():
                print(f"{field}: {message}", file=sys.stderr)
            raise SystemExit(2) from None
    _mark_database(None, PRODUCTION)  # from now on `make run` never seeds it
    print(f"Created director {user.email}. Sign in at the app's /signin page.")


def verify_audit(url: str | None = None) -> int:
    """Check the audit trail's hash chain; print the result; 0 when intact, 1 otherwise."""
    from .services.audit import verify_chain

    with open_session(url) as session:
        report = verify_chain(session)
    if report.intact:
        print(f"audit trail intact: {report.rows} rows")
        return 0
    print(f"audit trail BROKEN at row id {report.bad_id}: {report.problem}")
    return 1


# ------------------------------------------------------------------ backup / restore
class CommandError(Exception):
    """A refusal with a message for the operator (exit status 2)."""


def _sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL; None for any other database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise CommandError("The configured SQLite database is in memory: nothing to back up or restore.")
    return Path(parsed.database)


def _libpq_url(url: str) -> str:
    # pg_dump/pg_restore take a libpq URL: no SQLAlchemy driver suffix, and no password
    # on a command line (use PGPASSWORD or ~/.pgpass).
    parsed = make_url(url)
    return URL.create("postgresql", username=parsed.username, host=parsed.host, port=parsed.port,
                      database=parsed.database, query=parsed.query).render_as_string(hide_password=False)


def _table_counts(connection: sqlite3.Connection) -> dict[str, int]:
    names = [row[0] for row in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
    return {name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}


def _check_copy(connection: sqlite3.Connection, what: str) -> str:
    """integrity_check must pass and the schema must be ours; returns the Alembic revision."""
    try:
        result = [row[0] for row in connection.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as exc:
        raise CommandError(f"{what} is not a readable SQLite database ({exc}).") from exc
    if result != ["ok"]:
        raise CommandError(f"{what} failed SQLite's integrity_check: {'; '.join(result[:5])}")
    try:
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        revision = None
    if not revision:
        raise CommandError(f"{what} has no alembic_version: it is not a database of this app.")
    return revision[0]


def _sqlite_copy(source: sqlite3.Connection, target: Path, journal_mode: str) -> None:
    """SQLite's online backup API. One step (pages=-1) copies one read snapshot of the
    source, so the copy is consistent while the app keeps writing (in WAL mode writers
    do not wait for it; an open write transaction is simply not in the copy)."""
    destination = sqlite3.connect(target)
    try:
        source.backup(destination)
        destination.execute(f"PRAGMA journal_mode={journal_mode}")
    finally:
        destination.close()


def backup(path: str, url: str | None = None) -> dict[str, int]:
    """Copy the configured database to `path` while the app runs; returns its row counts."""
    url = url or database_url()
    db_path = _sqlite_path(url)
    if db_path is None:
        raise CommandError(
            "The configured database is not SQLite. Back up PostgreSQL with pg_dump, which takes a"
            " consistent snapshot while the app runs (password from PGPASSWORD or ~/.pgpass):\n"
            f"  pg_dump --format=custom --file {path} '{_libpq_url(url)}'\n"
            "Nothing was written.")
    if not db_path.exists():
        raise CommandError(f"There is no database at {db_path}.")
    dest = Path(path)
    if dest.resolve() == db_path.resolve():
        raise CommandError("The backup must go to another file than the database itself.")
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(dest.name + ".partial")
    partial.unlink(missing_ok=True)
    # Health records: readable by the owner only, from the first byte on.
    os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    source = sqlite3.connect(db_path, timeout=30)
    try:
        # A single file with no -wal beside it: easy to move and to restore.
        _sqlite_copy(source, partial, "DELETE")
    finally:
        source.close()
    counts = _checked_counts(partial, "The backup")
    os.replace(partial, dest)  # a finished, checked copy or nothing under the final name
    return counts


def _checked_counts(db_path: Path, what: str) -> dict[str, int]:
    """The row counts of a copy just written, after checking it (`what` names it in errors)."""
    copy = sqlite3.connect(db_path)
    try:
        _check_copy(copy, what)
        return _table_counts(copy)
    finally:
        copy.close()


def _user_rows(db_path: Path) -> int:
    if not db_path.exists():
        return 0
    connection = sqlite3.connect(db_path, timeout=30)
    try:
        if not connection.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'user'").fetchone():
            return 0
        return connection.execute('SELECT count(*) FROM "user"').fetchone()[0]
    finally:
        connection.close()


def restore(path: str, *, force: bool = False, url: str | None = None) -> dict[str, int]:
    """Put a backup made by `backup` into the configured database (stop the app first).
    Refuses a database that holds any account unless `force`; then its current
    contents are first saved beside it. Returns the restored row counts."""
    url = url or database_url()
    db_path = _sqlite_path(url)
    if db_path is None:
        raise CommandError(
            "The configured database is not SQLite. Restore a pg_dump backup with pg_restore into the"
            " stopped app's database, then migrate:\n"
            f"  pg_restore --clean --if-exists --no-owner --dbname '{_libpq_url(url)}' {path}\n"
            "  python -m iop_app.manage migrate\n"
            "Nothing was changed.")
    source_path = Path(path)
    if not source_path.is_file():
        raise CommandError(f"There is no backup at {source_path}.")
    if db_path.exists() and source_path.resolve() == db_path.resolve():
        raise CommandError("That is the configured database itself.")
    source = sqlite3.connect(f"{source_path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        revision = _check_copy(source, "The backup")
        if ScriptDirectory.from_config(alembic_config(url)).get_revision(revision) is None:
            raise CommandError(f"The backup has schema revision {revision}, which this version of the app"
                               " does not know (made by a newer version?).")
        accounts = _user_rows(db_path)
        if accounts and not force:
            raise CommandError(f"The configured database {db_path} holds {accounts} accounts; restoring would"
                               " replace them. Add --force to replace it (its contents are saved beside it first).")
        if accounts:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            saved = db_path.with_name(f"{db_path.stem}.before-restore-{stamp}{db_path.suffix}")
            backup(str(saved), url)
            print(f"Saved the database's previous contents to {saved}")
        db_path.parent.mkdir(parents=True, exist_ok=True)
        get_engine(url).dispose()
        _sqlite_copy(source, db_path, "WAL")
        expected = _table_counts(source)
    finally:
        source.close()
    counts = _checked_counts(db_path, "The restored database")
    if counts != expected:
        raise CommandError(f"The restored database differs from the backup: {counts} != {expected}")
    migrate(url)  # a backup from an older version gets the newer migrations
    get_engine(url).dispose()
    return counts


def _summary(counts: dict[str, int]) -> str:
    return f"{len(counts)} tables, {counts.get('user', 0)} accounts, {sum(counts.values())} rows, integrity ok"


def backup_command(args: argparse.Namespace) -> None:
    counts = backup(args.path)
    print(f"Backed up to {args.path}: {_summary(counts)}.")


def restore_command(args: argparse.Namespace) -> None:
    counts = restore(args.path, force=args.force)
    print(f"Restored {args.path} into the configured database: {_summary(counts)}.")


def add_backup_commands(sub) -> None:
    backup_parser = sub.add_parser("backup", help="copy the database to PATH while the app runs (SQLite)")
    backup_parser.add_argument("path")
    backup_parser.set_defaults(run=backup_command)
    restore_parser = sub.add_parser("restore", help="put a backup back into the configured database")
    restore_parser.add_argument("path")
    restore_parser.add_argument("--force", action="store_true",
                                help="replace a database that already holds accounts (saved beside it first)")
    restore_parser.set_defaults(run=restore_command)


def demo_command(_args: argparse.Namespace) -> None:
    demo()
    get_engine().dispose()


def add_demo_commands(sub) -> None:
    for name in ("demo", "seed-demo"):  # seed-demo: the old name, same guard
        parser = sub.add_parser(name, help="migrate; seed the demo program only into a database this creates")
        parser.set_defaults(run=demo_command)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m iop_app.manage")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply the Alembic migrations")
    add_demo_commands(sub)
    add_backup_commands(sub)
    director = sub.add_parser("create-director", help="create the first director account (production)")
    director.add_argument("--email", required=True)
    director.add_argument("--name", required=True)
    director.add_argument("--password", help="default: IOP_DIRECTOR_PASSWORD or a prompt")
    sub.add_parser("verify-audit", help="check the audit trail's hash chain; exit 1 at the first bad row")
    args = parser.parse_args(argv)
    if run := getattr(args, "run", None):
        try:
            run(args)
        except CommandError as exc:
            print(exc, file=sys.stderr)
            raise SystemExit(2) from None
    elif args.command == "migrate":
        migrate()
        get_engine().dispose()
    elif args.command == "create-director":
        create_director(args.email, args.name, args.password)
    elif args.command == "verify-audit":
        code = verify_audit()
        get_engine().dispose()
        if code:
            raise SystemExit(code)


if __name__ == "__main__":
    main()

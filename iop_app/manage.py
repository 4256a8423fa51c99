"""Command line: `python -m iop_app.manage migrate | seed-demo | create-director | verify-audit`."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from alembic import command
from alembic.config import Config
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


def seed_demo(url: str | None = None) -> bool:
    """Seed the demo program when the database has no users; return whether it did."""
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


def create_director(email: str, full_name: str, password: str | None) -> None:
    from .services.accounts import create_first_director
    from .services.errors import ValidationError

    if password is None:
        password = os.environ.get("IOP_DIRECTOR_PASSWORD") or getpass.getpass("Password (12+ characters): ")
    with open_session() as session:
        try:
            user = create_first_director(session, email=email, full_name=full_name, password=password)
        except ValidationError as exc:
            for field, message in exc.errors.items():
                print(f"{field}: {message}", file=sys.stderr)
            raise SystemExit(2)
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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m iop_app.manage")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply the Alembic migrations")
    sub.add_parser("seed-demo", help="create the demo program if the database is empty")
    director = sub.add_parser("create-director", help="create the first director account (production)")
    director.add_argument("--email", required=True)
    director.add_argument("--name", required=True)
    director.add_argument("--password", help="default: IOP_DIRECTOR_PASSWORD or a prompt")
    sub.add_parser("verify-audit", help="check the audit trail's hash chain; exit 1 at the first bad row")
    args = parser.parse_args(argv)
    if args.command == "migrate":
        migrate()
        get_engine().dispose()
    elif args.command == "seed-demo":
        if not seed_demo():
            print("Database already has accounts; demo data not added.")
    elif args.command == "create-director":
        create_director(args.email, args.name, args.password)
    elif args.command == "verify-audit":
        code = verify_audit()
        get_engine().dispose()
        if code:
            raise SystemExit(code)


if __name__ == "__main__":
    main()

"""Helpers for tests of a migration's data moves: a SQLite database upgraded to a
revision, its tables as reflected from it, and plain inserts into them."""

from __future__ import annotations

from alembic import command
from sqlalchemy import Engine, MetaData, Table

from iop_app.db import get_engine
from iop_app.manage import alembic_config


def database_at(tmp_path, revision: str, name: str = "before.db") -> tuple[str, Engine]:
    """(url, engine) of a new database file upgraded to `revision`."""
    url = f"sqlite:///{tmp_path / name}"
    command.upgrade(alembic_config(url), revision)
    return url, get_engine(url)


def tables(engine: Engine) -> dict[str, Table]:
    """The tables as they are in the database (not as the models say)."""
    meta = MetaData()
    meta.reflect(engine)
    return dict(meta.tables)


def inserter(db, t: dict[str, Table]):
    """add(table, **values) inserting one row through connection `db`; returns its id."""
    def add(table: str, **values):
        return db.execute(t[table].insert().values(**values)).inserted_primary_key[0]
    return add

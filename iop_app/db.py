"""One database: engine, sessions and the SQLite connection settings.

The URL comes from REFLEX_DB_URL (what Reflex itself reads), else DATABASE_URL,
else a SQLite file under data/. Nothing else in the app depends on SQLite.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = PROJECT_DIR / "data" / "iop.db"


def database_url() -> str:
    url = os.environ.get("REFLEX_DB_URL") or os.environ.get("DATABASE_URL")
    if url:
        return url
    DEFAULT_SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # Durability and integrity for SQLite; other databases do this themselves.
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


_ENGINES: dict[str, Engine] = {}


def get_engine(url: str | None = None) -> Engine:
    url = url or database_url()
    if url not in _ENGINES:
        kwargs: dict = {}
        if url.startswith("sqlite"):
            # A file cannot drop a connection, so no ping before each use (it costs
            # a round trip on every request and every audit write).
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 5}
        else:
            kwargs["pool_pre_ping"] = True
        _ENGINES[url] = create_engine(url, **kwargs)
    return _ENGINES[url]


@contextmanager
def open_session(url: str | None = None) -> Iterator[Session]:
    """A session that rolls back on error; services commit what they change."""
    with Session(get_engine(url), expire_on_commit=False) as session:
        try:
            yield session
        except Exception:
            session.rollback()
            raise

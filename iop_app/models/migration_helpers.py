"""Building blocks the migrations in alembic/versions/ share: the column kinds
autogenerate writes (one call per column), and a table created or dropped
together with its indexes, so a migration declares each table once and its
downgrade drops what its upgrade created, in reverse.

Migrations are history: what a helper here emits must stay exactly what it emits
today (a fresh database and an old one must end up with the same schema, which
tests/test_database.py checks against the models). A new need gets a new helper
or a new argument whose default keeps the old behaviour.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString, UTCDateTime


# --------------------------------------------------------------------------- columns
def _column(name: str, kind: sa.types.TypeEngine, null: bool, **options) -> sa.Column:
    return sa.Column(name, kind, nullable=null, **options)


def integer(name: str, *, null: bool = False, **options) -> sa.Column:
    return _column(name, sa.Integer(), null, **options)


def text(name: str, length: int, *, null: bool = False, **options) -> sa.Column:
    """A string of at most `length` characters (sqlmodel's AutoString: VARCHAR(length))."""
    return _column(name, AutoString(length=length), null, **options)


def utc(name: str, *, null: bool = False, **options) -> sa.Column:
    """A moment, stored in UTC (sqlmodel's UTCDateTime)."""
    return _column(name, UTCDateTime(), null, **options)


def boolean(name: str, *, null: bool = False, **options) -> sa.Column:
    return _column(name, sa.Boolean(), null, **options)


def day(name: str, *, null: bool = False, **options) -> sa.Column:
    """A calendar date."""
    return _column(name, sa.Date(), null, **options)


def time_of_day(name: str, *, null: bool = False, **options) -> sa.Column:
    return _column(name, sa.Time(), null, **options)


def real(name: str, *, null: bool = False, **options) -> sa.Column:
    return _column(name, sa.Float(), null, **options)


def json(name: str, *, null: bool = False, **options) -> sa.Column:
    return _column(name, sa.JSON(), null, **options)


# Constraints are given to table() as makers: SQLAlchemy writes a table's constraints
# in the order they were constructed, so table() builds them in autogenerate's order
# (foreign keys, primary key, then these).
def unique(*columns: str, name: str | None = None):
    return lambda: sa.UniqueConstraint(*columns, name=name)


def check(condition: str, *, name: str):
    return lambda: sa.CheckConstraint(condition, name=name)


# --------------------------------------------------------------------------- tables
@dataclass(frozen=True)
class Index:
    columns: tuple[str, ...]
    name: str  # "" for autogenerate's own name, ix_<table>_<column>
    unique: bool


def index(*columns: str, name: str = "", unique: bool = False) -> Index:
    if not name and len(columns) != 1:
        raise ValueError("an index over several columns needs a name")
    return Index(columns, name, unique)


@dataclass(frozen=True)
class Table:
    """A table as op.create_table takes it (columns, then foreign keys, primary
    key and other constraints) and the indexes created right after it."""

    name: str
    items: tuple
    indexes: tuple[Index, ...]

    def index_name(self, ix: Index):
        return ix.name or op.f(f"ix_{self.name}_{ix.columns[0]}")


def table(name: str, *columns: sa.Column, fks: dict[str, str] | None = None, pk: tuple[str, ...] = ("id",),
          constraints: tuple = (), indexes: tuple[Index, ...] = ()) -> Table:
    """`fks` maps a column to the "table.column" it references; `constraints` are
    unique() and check() makers."""
    references = tuple(sa.ForeignKeyConstraint([column], [target]) for column, target in (fks or {}).items())
    primary_key = sa.PrimaryKeyConstraint(*pk)
    return Table(name, (*columns, *references, primary_key, *(make() for make in constraints)), indexes)


def create(*tables: Table) -> None:
    for t in tables:
        op.create_table(t.name, *t.items)
        if t.indexes:
            with op.batch_alter_table(t.name, schema=None) as batch_op:
                for ix in t.indexes:
                    batch_op.create_index(t.index_name(ix), list(ix.columns), unique=ix.unique)


def drop(*tables: Table) -> None:
    """Drop `tables` in reverse order, each after its indexes (also in reverse)."""
    for t in reversed(tables):
        if t.indexes:
            with op.batch_alter_table(t.name, schema=None) as batch_op:
                for ix in reversed(t.indexes):
                    batch_op.drop_index(t.index_name(ix))
        op.drop_table(t.name)

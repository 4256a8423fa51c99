"""Checks on values that name database rows, shared by every service."""

from __future__ import annotations

from sqlalchemy import bindparam

from ..models import GroupSession

# The column type of every stored moment (sqlmodel's UTCDateTime), for bound
# parameters of statements built once and reused.
MOMENT = GroupSession.__table__.c.starts_at.type


def is_id(value) -> bool:
    """Whether a value from outside can be a row id: an int (not a bool or a str)
    that a database integer column can hold."""
    return type(value) is int and 0 < value < 2**63


def moment_param(name: str):
    """A bound parameter for a UTC moment."""
    return bindparam(name, type_=MOMENT)

"""Failure counters with a growing delay, for sign-in and family activation.

Each failed attempt is counted under two keys: the account (the email typed,
whether or not it exists, so the throttle tells nobody which emails exist) and
the source (the client's IP address, from the server's side of the connection).
A key's first failures are free (`Rule.free`); from then on every failure holds
the key back for twice as long as the one before (`first_delay`, 2x, 4x ... up to
`max_delay`). While a key is held back, an attempt is refused before any
password work, with the same message as a wrong password. A counter starts over
when its key has had no failure for `forget_after`; a successful sign-in clears
the account's counter (not the source's: an attacker may have an account too).

There is no hard lock: a guesser can at most slow an account down, and the
source counter slows the guesser. Attempts on the same keys run one at a time
in this process (`one_at_a_time`), so parallel requests cannot slip several
guesses past the check before the first failure is counted. With several
backend processes each runs its own, so that bound is per process.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, tuple_
from sqlmodel import Session, col, select

from ..models import FailureCounter, utcnow
from . import audit


class Kind(StrEnum):
    SIGNIN_ACCOUNT = "signin.account"
    SIGNIN_SOURCE = "signin.source"
    ACTIVATE_ACCOUNT = "activate.account"
    ACTIVATE_SOURCE = "activate.source"


@dataclass(frozen=True)
class Rule:
    free: int  # failures before any delay
    first_delay: timedelta
    max_delay: timedelta
    forget_after: timedelta  # a quiet key starts over


RULES: dict[Kind, Rule] = {
    # An account: 3 free tries, then 2 s, 4 s, 8 s ... 15 minutes at most (from the 12th failure).
    Kind.SIGNIN_ACCOUNT: Rule(3, timedelta(seconds=2), timedelta(minutes=15), timedelta(days=1)),
    # A source may serve several people (a clinic's shared address): more free tries,
    # and it forgets sooner.
    Kind.SIGNIN_SOURCE: Rule(10, timedelta(seconds=2), timedelta(minutes=15), timedelta(hours=1)),
    Kind.ACTIVATE_ACCOUNT: Rule(3, timedelta(seconds=2), timedelta(minutes=15), timedelta(days=1)),
    Kind.ACTIVATE_SOURCE: Rule(10, timedelta(seconds=2), timedelta(minutes=15), timedelta(hours=1)),
}
KEY_LENGTH = 254

Key = tuple[Kind, str]


def account_key(kind: Kind, email: str) -> Key:
    return (kind, (email or "")[:KEY_LENGTH])


def source_key(kind: Kind, client_ip: str) -> Key | None:
    """None without an address (a caller outside a web request): nothing to count."""
    if not isinstance(client_ip, str) or not client_ip.strip():
        return None
    return (kind, client_ip.strip()[:KEY_LENGTH])


def delay_after(rule: Rule, failures: int) -> timedelta:
    """How long a key is held back after its `failures`-th failure."""
    if failures < rule.free:
        return timedelta(0)
    steps = min(failures - rule.free, 20)  # 2**20 times any first delay is past any cap
    return min(rule.first_delay * (2**steps), rule.max_delay)


def held_back(session: Session, keys: Iterable[Key | None], now: datetime | None = None) -> list[Key]:
    """Those of `keys` that are held back at `now` (in the order given)."""
    now = now or utcnow()
    wanted = [k for k in keys if k is not None]
    if not wanted:
        return []
    rows = session.exec(
        select(FailureCounter.kind, FailureCounter.key).where(
            tuple_(col(FailureCounter.kind), col(FailureCounter.key)).in_([(str(k), v) for k, v in wanted]),
            col(FailureCounter.delayed_until) > now,
        )
    ).all()
    found = {(kind, key) for kind, key in rows}
    return [k for k in wanted if (str(k[0]), k[1]) in found]


def record_failure(session: Session, key: Key | None, now: datetime | None = None, *,
                   audit_action: str = "", actor_label: str = "") -> timedelta:
    """Count one failure under `key` (in the caller's transaction) and return the
    delay it now carries. A new or longer delay is audited as `audit_action`."""
    if key is None:
        return timedelta(0)
    now = now or utcnow()
    kind, value = key
    rule = RULES[kind]
    _prune(session, kind, now)
    row = session.get(FailureCounter, (str(kind), value))
    if row is None:
        row = FailureCounter(kind=str(kind), key=value, failures=0, last_failure_at=now)
    elif now - row.last_failure_at > rule.forget_after:
        row.failures = 0
    row.failures += 1
    row.last_failure_at = now
    delay = delay_after(rule, row.failures)
    row.delayed_until = now + delay if delay else None
    session.add(row)
    if delay and audit_action:
        what = "account" if kind.endswith(".account") else "source"
        audit.record(session, None, audit_action, outcome="failure", actor_label=actor_label,
                     target=f"{what}:{value}", detail=f"{row.failures} failures; next attempt in {_words(delay)}")
    return delay


def clear(session: Session, key: Key | None) -> None:
    """Forget the failures under `key` (in the caller's transaction)."""
    if key is not None:
        session.exec(delete(FailureCounter).where(FailureCounter.kind == str(key[0]), FailureCounter.key == key[1]))


def _prune(session: Session, kind: Kind, now: datetime) -> None:
    """Drop this kind's counters that have been quiet past forgetting: the table
    stays as small as the recent failures."""
    session.exec(delete(FailureCounter).where(
        FailureCounter.kind == str(kind),
        col(FailureCounter.last_failure_at) < now - RULES[kind].forget_after,
    ))


def _words(delay: timedelta) -> str:
    seconds = int(delay.total_seconds())
    return f"{seconds // 60} min" if seconds >= 120 else f"{seconds} s"


# Striped locks: a bounded set, so memory does not grow with the keys seen.
_STRIPES = [threading.Lock() for _ in range(64)]


@contextmanager
def one_at_a_time(*keys: Key | None) -> Iterator[None]:
    """Hold the locks of `keys` (always in the same order, so two callers never
    wait on each other crosswise) for a check-try-count sequence."""
    stripes = sorted({zlib.crc32(f"{k[0]}\0{k[1]}".encode()) % len(_STRIPES) for k in keys if k is not None})
    with ExitStack() as stack:
        for index in stripes:
            stack.enter_context(_STRIPES[index])
        yield

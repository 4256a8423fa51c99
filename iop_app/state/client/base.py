"""What the client portal's page states share: the signed-in client's own record.

No client handler takes a client id from the browser: on every event the record is
looked up again from the server-side session (`ClientPage._require_role`, run by
the handler skeleton `PageState._run`). Ids of goals, steps and needs the browser
sends back are parsed with state/args.py and checked against the record again by
the services.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import ClassVar

from sqlmodel import Session

from ...models import User
from ...models.enums import Role
from ...services import permissions
from ...services.errors import ValidationError
from ..args import as_date, as_float, as_int
from ..base import PageState


class ClientPage(PageState, mixin=True):
    """A client portal page: clients only, on their own record (`_client_id`)."""

    _roles: ClassVar[tuple[Role, ...]] = (Role.CLIENT,)
    # Backend only: the signed-in client's own record, looked up again on every event.
    _client_id: int = 0

    def _require_role(self, session: Session, actor: User | None, *roles: Role):
        """The page's role check, then the client's own record: a client account
        without one is refused like a wrong role."""
        if refusal := super()._require_role(session, actor, *roles):
            return refusal
        client = permissions.client_for_user(session, actor)
        if client is None:
            return self._refuse(session, actor)
        self._client_id = client.id
        return None


def day_label(day: date, today: date) -> str:
    if day == today:
        return f"Today ({day.strftime('%a %b')} {day.day})"
    if day == today - timedelta(days=1):
        return f"Yesterday ({day.strftime('%a %b')} {day.day})"
    return f"{day.strftime('%A %b')} {day.day}"


def text_of(value) -> str:
    """What the browser sent as text, for showing it back (a draft): "" for anything else."""
    return value.strip() if isinstance(value, str) else ""


def whole_or_given(value):
    """A whole number from what the browser sent; None when nothing was given; what
    was sent when it is no number, for the service to refuse with its message."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = as_int(value, -(2**31), 2**31 - 1)
    return value if number is None else number


def number_or_given(value):
    """As whole_or_given, for a number with a fraction (NaN is no number)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number = as_float(value, float("-inf"), float("inf"))
    return value if number is None else number


def date_or_given(value):
    """A date from what the browser sent; None when nothing was given."""
    if value is None or value == "":
        return None
    day = as_date(value)
    return value if day is None else day


def renamed(exc: ValidationError, names: dict[str, str]) -> ValidationError:
    """The service's field messages under the page's own field names."""
    return ValidationError({names.get(field, field): message for field, message in exc.errors.items()})

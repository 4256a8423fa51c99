"""Addenda: late entries to a signed document (an intake or a progress note),
dated and attributed by the server; the document itself stays as it was signed.
The document's service checks who may add one and that the document is signed."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field
from sqlmodel import Session

from ..models import Addendum, User, utcnow
from . import audit, inputs
from .inputs import ServiceInput

ADDENDUM_MAX = 4000
REASON_MAX = 500


def _too_long(label: str, limit: int) -> str:
    return f"{label} can be up to {limit} characters (this one is {{length}})."


class AddendumInput(ServiceInput):
    blank_if_none = ("reason",)

    text: str = Field(min_length=1, max_length=ADDENDUM_MAX)
    reason: str = Field("", max_length=REASON_MAX)

    messages: ClassVar[dict[str, str]] = {
        "text": _too_long("The addendum", ADDENDUM_MAX),
        "text:missing": "Write the addendum.",
        "text:type": "The addendum must be text.",
        "reason": _too_long("The reason", REASON_MAX),
        "reason:type": "The reason must be text.",
    }


def add(session: Session, actor: User, *, text, reason, action: str, client_id: int, target: str,
        **document: int) -> Addendum:
    """Check `text` and `reason`, then save the addendum to `document` (note_id= or
    intake_id=) with its audit event `action` on `target` (the document)."""
    given = inputs.validate(AddendumInput, text=text, reason=reason)
    row = Addendum(author_id=actor.id, created_at=utcnow(), text=given.text, reason=given.reason, **document)
    session.add(row)
    session.flush()
    audit.record(session, actor, action, client_id=client_id, target=target, detail=f"addendum {row.id}")
    session.commit()
    return row

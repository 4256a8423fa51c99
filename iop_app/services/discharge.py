"""Discharge from the program (minimal: aftercare planning comes later).

- The client's primary therapist, a therapist facilitating one of their groups
  (their caseload) or the director discharges a client, on a day from admission
  to today, with a note.
- Status becomes discharged, with the date and the note; every consent that ends
  at discharge and is still in force ends on that day, so a family member's next
  action shows nothing (permissions.consent_in_force_condition).
- One transaction: the discharge, the ended consents and their audit events are
  saved together or not at all.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session

from ..models import Client, User
from ..models.enums import ClientStatus, ConsentEndEvent
from . import audit, consents, permissions, program
from .errors import ServiceError, ValidationError

NOTE_MAX = 2000  # client.discharge_note


def discharge_client(session: Session, actor: User, client_id: int, *, on: date, note: str) -> Client:
    client = permissions.require(session, actor, permissions.WRITE, client_id, what="client.discharge",
                                 roles=permissions.STAFF)
    if client.status == ClientStatus.DISCHARGED:
        raise ServiceError("This client has already been discharged.")
    today = program.local_today(session)
    errors = {}
    if not isinstance(on, date) or isinstance(on, datetime):
        errors["on"] = "Enter the date of discharge."
    elif on > today:
        errors["on"] = "The discharge date cannot be in the future."
    elif on < client.admission_date:
        errors["on"] = f"The discharge date cannot be before admission ({client.admission_date.isoformat()})."
    note = note.strip() if isinstance(note, str) else ""
    if not note:
        errors["note"] = "Write a short discharge note."
    elif len(note) > NOTE_MAX:
        errors["note"] = f"Keep the note under {NOTE_MAX} characters."
    if errors:
        raise ValidationError(errors)
    client.status = ClientStatus.DISCHARGED.value
    client.discharge_date = on
    client.discharge_note = note
    session.add(client)
    ended = consents.end_consents_at_event(session, actor, client.id, ConsentEndEvent.DISCHARGE, on)
    audit.record(session, actor, "client.discharge", client_id=client.id, target=f"client:{client.id}",
                 detail=f"on {on.isoformat()}; {len(ended)} consent(s) ended")
    session.commit()
    return client

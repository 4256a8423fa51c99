"""What the recovery-tools pages share (the client's /client/tools and
/client/safety-plan, the record's /staff/clients/[id]/tools): rows for the
browser, and the save of a versioned document (decisional balance,
relapse-prevention plan, safety plan).

A document's form on a page is named by a prefix ("balance", "relapse", "safety")
and has, on the page state, `<prefix>_values` (what the form shows), `_errors`,
`_message`, `_stale` (someone saved a newer version first), `_draft` (the refused
text, kept on screen after Reload), `_key` (a new version refills the form) and
`_history`. The version the page showed stays server-side (`_numbers`): it is what
the save builds on, so a save over someone else's newer version is refused.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

import reflex as rx
from sqlmodel import Session

from ..models import User
from ..services import recovery_tools
from ..services.errors import PermissionDenied, StaleEdit
from ..services.recovery_tools import Kind
from .args import form_dict
from .base import PageState
from .formatting import fmt_day


@dataclasses.dataclass
class PartText:
    name: str
    title: str
    text: str


@dataclasses.dataclass
class ContactRow:
    name: str
    phone: str
    tel: str  # "" when no number was given


@dataclasses.dataclass
class DocRow:
    number: str
    when: str
    by: str
    parts: list[PartText]


@dataclasses.dataclass
class StageRow:
    day: str
    stage: str
    importance: str
    confidence: str
    note: str


@dataclasses.dataclass
class UrgeRow:
    when: str
    intensity: str
    trigger: str
    place: str
    response: str
    used: str  # "Yes" / "No"


@dataclasses.dataclass
class DiaryRow:
    day: str
    checkin: str  # "Craving 7/10 · no use" or "No check-in"
    used: bool  # the check-in or an urge says they used
    urges: str  # "2 urges, strongest 8/10" or "None logged"


KINDS = {"balance": recovery_tools.BALANCE, "relapse": recovery_tools.RELAPSE_PLAN,
         "safety": recovery_tools.SAFETY_PLAN}


def doc_rows(kind: Kind, views: list[recovery_tools.DocumentView]) -> list[DocRow]:
    return [DocRow(str(v.number), v.written_local, v.written_by,
                   [PartText(p.name, p.title, v.parts[p.name]) for p in kind.parts if v.parts[p.name]])
            for v in views]


def contact_rows(text: str) -> list[ContactRow]:
    return [ContactRow(c.name, c.phone, c.tel) for c in recovery_tools.contacts(text)]


def stage_rows(views: list[recovery_tools.StageView]) -> list[StageRow]:
    return [StageRow(fmt_day(v.day), v.stage_label, str(v.importance), str(v.confidence), v.note) for v in views]


def urge_rows(views: list[recovery_tools.UrgeView]) -> list[UrgeRow]:
    return [UrgeRow(f"{fmt_day(u.day)} {u.time}", f"{u.intensity}/10", u.trigger, u.place, u.response,
                    "Yes" if u.used else "No") for u in views]


def diary_rows(days: list[recovery_tools.DiaryDay]) -> list[DiaryRow]:
    rows = []
    for d in days:
        checkin = (f"Craving {d.craving}/10 · " + ("used" if d.used else "no use")) if d.checked_in else "No check-in"
        count = len(d.urges)
        urges = (f"{count} urge{'s' if count != 1 else ''}, strongest {d.strongest}/10" if count else "None logged")
        rows.append(DiaryRow(fmt_day(d.day), checkin, bool(d.used) or any(u.used for u in d.urges), urges))
    return rows


def draft_text(kind: Kind, parts: dict) -> str:
    """The refused text, part by part, to copy back after Reload."""
    return "\n\n".join(f"{p.title}:\n{parts[p.name].strip()}" for p in kind.parts
                       if isinstance(parts.get(p.name), str) and parts[p.name].strip())


class DocumentForms(PageState, mixin=True):
    """Saving the versioned documents whose prefixes are in `_documents`."""

    _documents: ClassVar[tuple[str, ...]] = ()
    # prefix -> the version number the page shows (0: none yet); what a save builds on.
    _numbers: dict[str, int] = {}

    def _doc_client(self) -> int:
        """The client whose documents the page shows (from the session or the URL, never the form)."""
        raise NotImplementedError

    def _show_document(self, prefix: str, views: list[recovery_tools.DocumentView]) -> None:
        kind = KINDS[prefix]
        self._numbers = {**self._numbers, prefix: views[0].number if views else 0}
        latest = views[0].parts if views else {}
        setattr(self, f"{prefix}_values", {p.name: latest.get(p.name, "") for p in kind.parts})
        setattr(self, f"{prefix}_history", doc_rows(kind, views))
        setattr(self, f"{prefix}_key", f"{prefix}-{views[0].number if views else 0}")

    def _save_document(self, prefix: str, form):
        if prefix not in self._documents:  # not a form of this page
            return None
        kind = KINDS[prefix]
        form = form_dict(form)
        parts = {p.name: form.get(p.name) for p in kind.parts}

        def action(session: Session, actor: User):
            setattr(self, f"{prefix}_message", "")
            try:
                saved = recovery_tools.save_document(session, actor, self._doc_client(), kind,
                                                     expected_number=self._numbers.get(prefix, 0), **parts)
            except StaleEdit as exc:
                setattr(self, f"{prefix}_stale", exc.message)
                setattr(self, f"{prefix}_draft", draft_text(kind, parts))
                return
            setattr(self, f"{prefix}_stale", "")
            setattr(self, f"{prefix}_draft", "")
            setattr(self, f"{prefix}_message",
                    f"Saved as version {saved.number}." if saved is not None else "No changes to save.")
            self._reload(session, actor)

        # No reload after a refusal: the form keeps what was typed, the page its version.
        return self._run(action, reload=False, errors_var=f"{prefix}_errors")

    def _reload_document(self, prefix):
        """After a refused save: show the latest version; the refused text stays on screen."""
        def action(session: Session, actor: User):
            if prefix not in self._documents:
                raise PermissionDenied("That could not be reloaded. Please reload the page.")
            setattr(self, f"{prefix}_stale", "")
            setattr(self, f"{prefix}_errors", {})
            setattr(self, f"{prefix}_message", "Reloaded: you now see the latest version.")

        return self._run(action, errors_var=None)

    def _discard_draft(self, prefix):
        if prefix in self._documents:
            setattr(self, f"{prefix}_draft", "")

    @rx.event
    def reload_document(self, prefix: str):
        return self._reload_document(prefix)

    @rx.event
    def discard_draft(self, prefix: str):
        self._discard_draft(prefix)


# One mixin a document: its form's vars and its save. A page lists the ones it shows
# (and their prefixes in `_documents`).
class BalanceForm(DocumentForms, mixin=True):
    balance_values: dict[str, str] = {}
    balance_errors: dict[str, str] = {}
    balance_message: str = ""
    balance_stale: str = ""
    balance_draft: str = ""
    balance_key: str = ""
    balance_history: list[DocRow] = []

    @rx.event
    def save_balance(self, form: dict):
        return self._save_document("balance", form)


class RelapseForm(DocumentForms, mixin=True):
    relapse_values: dict[str, str] = {}
    relapse_errors: dict[str, str] = {}
    relapse_message: str = ""
    relapse_stale: str = ""
    relapse_draft: str = ""
    relapse_key: str = ""
    relapse_history: list[DocRow] = []
    relapse_people: list[ContactRow] = []

    @rx.event
    def save_relapse(self, form: dict):
        return self._save_document("relapse", form)


class SafetyForm(DocumentForms, mixin=True):
    safety_values: dict[str, str] = {}
    safety_errors: dict[str, str] = {}
    safety_message: str = ""
    safety_stale: str = ""
    safety_draft: str = ""
    safety_key: str = ""
    safety_history: list[DocRow] = []

    @rx.event
    def save_safety(self, form: dict):
        return self._save_document("safety", form)


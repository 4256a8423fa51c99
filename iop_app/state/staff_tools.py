"""The recovery tools of one client, as their care staff see them
(/staff/clients/[id]/tools): the stages of change the client placed themselves in,
beside URICA and the Readiness Ruler; the decisional balance's versions; the urge
log beside the diary; and the relapse-prevention and safety plans, which staff may
edit with the client (versions, optimistic concurrency).

The client id is the page's URL argument (kept server-side in `_record_id`); every
read goes through services/recovery_tools.py, which checks the record permission
again and audits the staff read."""

from __future__ import annotations

import dataclasses

import reflex as rx
from sqlmodel import Session

from ..models import Client, User
from ..services import recovery_tools
from .base import SessionState
from .formatting import fmt_day
from .recovery_tools import (
    DiaryRow,
    DocRow,
    RelapseForm,
    SafetyForm,
    StageRow,
    UrgeRow,
    contact_rows,
    diary_rows,
    doc_rows,
    stage_rows,
    urge_rows,
)
from .staff import STAFF_PAGE


@dataclasses.dataclass
class ReadinessRow:
    day: str
    name: str
    summary: str


class StaffToolsState(RelapseForm, SafetyForm, SessionState):
    _roles = STAFF_PAGE
    _documents = ("relapse", "safety")

    found: bool = False
    client_name: str = ""
    stage_rows: list[StageRow] = []
    readiness_rows: list[ReadinessRow] = []
    urge_rows: list[UrgeRow] = []
    diary_rows: list[DiaryRow] = []
    balance_history: list[DocRow] = []


    _record_id: int = 0

    def _doc_client(self) -> int:
        return self._record_id

    def _reload(self, session: Session, actor: User) -> None:
        if not self._record_id:
            return
        shown = recovery_tools.tools(session, actor, self._record_id)
        client = session.get(Client, self._record_id)
        self.client_name = session.get(User, client.user_id).full_name
        self.stage_rows = stage_rows(shown.stages)
        self.readiness_rows = [ReadinessRow(fmt_day(r.day), r.name, r.summary)
                               for r in recovery_tools.readiness_measures(session, actor, self._record_id)]
        self.urge_rows = urge_rows(shown.urges)
        self.diary_rows = diary_rows(shown.diary)
        self.balance_history = doc_rows(recovery_tools.BALANCE, shown.balances)
        self._show_document("relapse", shown.relapse_plans)
        self._show_document("safety", shown.safety_plans)
        self.relapse_people = contact_rows(self.relapse_values.get("people", ""))

    def _clear(self) -> None:
        self.found, self.client_name = False, ""
        self.stage_rows, self.readiness_rows, self.urge_rows, self.diary_rows = [], [], [], []
        self.balance_history, self.relapse_history, self.safety_history, self.relapse_people = [], [], [], []
        self.relapse_values, self.safety_values, self._numbers = {}, {}, {}
        self.relapse_errors, self.safety_errors = {}, {}
        self.relapse_message = self.relapse_stale = self.relapse_draft = ""
        self.safety_message = self.safety_stale = self.safety_draft = ""

    @rx.event
    def load(self):
        self._clear()
        return self._load_client_record()


"""The client's recovery tools (/client/tools), their safety plan
(/client/safety-plan), and the short versions of both plans shown on the home page
and in the crisis panel (`MyPlansState`).

Every handler works on the signed-in client's own record (ClientPage); the
services check each value and the version a save builds on."""

from __future__ import annotations

import reflex as rx
from sqlmodel import Session

from ...models import User
from ...models.enums import StageOfChange
from ...services import recovery_tools
from ..args import form_dict
from ..base import SessionState
from ..recovery_tools import (
    BalanceForm,
    ContactRow,
    DiaryRow,
    RelapseForm,
    SafetyForm,
    StageRow,
    UrgeRow,
    contact_rows,
    diary_rows,
    stage_rows,
    urge_rows,
)
from .base import ClientPage, whole_or_given

YES_NO = {"yes": True, "no": False}


class ClientToolsState(BalanceForm, RelapseForm, ClientPage, SessionState):
    _documents = ("balance", "relapse")

    stage_options: list[list[str]] = [[s.value, s.label, recovery_tools.STAGE_HINTS[s]] for s in StageOfChange]
    stage_rows: list[StageRow] = []
    stage_errors: dict[str, str] = {}
    stage_message: str = ""
    stage_key: int = 0
    urge_errors: dict[str, str] = {}
    urge_message: str = ""
    urge_key: int = 0
    urge_rows: list[UrgeRow] = []
    diary_rows: list[DiaryRow] = []

    def _doc_client(self) -> int:
        return self._client_id

    def _reload(self, session: Session, actor: User) -> None:
        shown = recovery_tools.tools(session, actor, self._client_id)
        self.stage_rows = stage_rows(shown.stages)
        self.urge_rows = urge_rows(shown.urges)
        self.diary_rows = diary_rows(shown.diary)
        self._show_document("balance", shown.balances)
        self._show_document("relapse", shown.relapse_plans)
        self.relapse_people = contact_rows(self.relapse_values.get("people", ""))

    @rx.event
    def load(self):
        def action(_session, _actor):
            self.stage_errors, self.urge_errors, self.balance_errors, self.relapse_errors = {}, {}, {}, {}
            self.stage_message = self.urge_message = self.balance_message = self.relapse_message = ""
            self.balance_stale = self.balance_draft = self.relapse_stale = self.relapse_draft = ""

        return self._run(action)

    @rx.event
    def place_stage(self, form: dict):
        form = form_dict(form)

        def action(session, actor):
            self.stage_message = ""
            recovery_tools.record_stage(session, actor, self._client_id, stage=form.get("stage"),
                                        importance=whole_or_given(form.get("importance")),
                                        confidence=whole_or_given(form.get("confidence")), note=form.get("note"))
            self.stage_message = "Saved. You can place yourself again any time."
            self.stage_key += 1
            self._reload(session, actor)

        return self._run(action, reload=False, errors_var="stage_errors")

    @rx.event
    def log_urge(self, form: dict):
        form = form_dict(form)
        used = form.get("used")

        def action(session, actor):
            self.urge_message = ""
            recovery_tools.log_urge(session, actor, self._client_id,
                                    intensity=whole_or_given(form.get("intensity")),
                                    used=YES_NO.get(used, used) if isinstance(used, str) else used,
                                    trigger=form.get("trigger"), place=form.get("place"),
                                    response=form.get("response"))
            self.urge_message = "Logged. Noticing an urge is a skill: well done."
            self.urge_key += 1
            self._reload(session, actor)

        return self._run(action, reload=False, errors_var="urge_errors")


class SafetyPlanState(SafetyForm, ClientPage, SessionState):
    _documents = ("safety",)

    helpers: list[ContactRow] = []
    professionals: list[ContactRow] = []

    def _doc_client(self) -> int:
        return self._client_id

    def _reload(self, session: Session, actor: User) -> None:
        versions = recovery_tools.document_versions(session, actor, self._client_id, recovery_tools.SAFETY_PLAN)
        self._show_document("safety", versions)
        self.helpers = contact_rows(self.safety_values.get("helpers", ""))
        self.professionals = contact_rows(self.safety_values.get("professionals", ""))

    @rx.event
    def load(self):
        def action(_session, _actor):
            self.safety_errors, self.safety_message, self.safety_stale, self.safety_draft = {}, "", "", ""

        return self._run(action)


class MyPlansState(ClientPage, SessionState):
    """The client's plans in short, on the home page and in the crisis panel: the
    safety plan's first steps and people to call, and who the relapse-prevention plan
    says to call."""

    has_safety_plan: bool = False
    safety_coping: str = ""
    safety_people: list[ContactRow] = []
    has_relapse_plan: bool = False
    relapse_people: list[ContactRow] = []
    relapse_signs: str = ""

    def _reload(self, session: Session, actor: User) -> None:
        safety = recovery_tools.current_safety_plan(session, actor, self._client_id)
        self.has_safety_plan = safety is not None
        self.safety_coping = safety.parts["coping"] if safety else ""
        self.safety_people = (contact_rows(safety.parts["helpers"]) + contact_rows(safety.parts["professionals"])
                              if safety else [])
        relapse = recovery_tools.current_relapse_plan(session, actor, self._client_id)
        self.has_relapse_plan = relapse is not None
        self.relapse_people = contact_rows(relapse.parts["people"]) if relapse else []
        self.relapse_signs = relapse.parts["warning_signs"] if relapse else ""

    @rx.event
    def load(self):
        return self._run()

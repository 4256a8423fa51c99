"""The therapist's (and director's) view of one client's record.

The client id comes from the URL, i.e. from the browser: it is parsed with
as_int and every read goes through services that call permissions.require,
so another therapist's client is refused and audited. The chart data sits in
backend vars; the figures are cached computed vars built from it.
"""

from __future__ import annotations

import pandas as pd
import reflex as rx

from ..components import charts
from ..models import User
from ..services import break_glass, discharge, family, goals, groups, needs, permissions, plan_reviews, program, progress
from ..services.errors import NotFound, PermissionDenied, ServiceError, StaleEdit, ValidationError
from .args import as_date, as_int, as_text, form_dict
from .base import SessionState

DAY_CHOICES = (30, 90, 365)
WEEKS = 12


def _d(day) -> str:
    return day.strftime("%b %d, %Y").replace(" 0", " ") if day else "—"


class ClientRecordState(SessionState):
    found: bool = False
    error: str = ""
    message: str = ""
    header: dict[str, str] = {}
    goals: list[dict[str, str]] = []
    needs: list[dict[str, str]] = []
    need_history: list[dict[str, str]] = []
    consents: list[dict[str, str]] = []
    attendance: list[dict[str, str]] = []
    reviews: list[dict[str, str]] = []
    review_status: dict[str, str] = {}
    review_errors: dict[str, str] = {}
    discharge_errors: dict[str, str] = {}
    today: str = ""
    # A review saved (or a new one recorded) after this page showed the reviews:
    review_stale: str = ""  # who and when; the page offers Reload
    review_draft: str = ""  # the refused text, shown after Reload until discarded
    review_form_key: int = 0  # a new key empties the "record a review" form after a save
    edited_review: str = ""  # the review whose edit form has the errors in review_errors
    days: int = 30
    averages: dict[str, str] = {}
    _record_id: int = 0
    # Break-glass: the form is offered to a therapist refused this record (or whose
    # emergency access ran out); the banner shows while the record is open through it.
    emergency_offer: bool = False
    emergency_minutes: str = ""
    emergency_until: str = ""  # program-local HH:MM the access ends
    emergency_errors: dict[str, str] = {}
    _emergency_client_id: int = 0
    _checkins: list[dict] = []
    _weekly: list[dict] = []  # progress.weekly_frame as records
    # What the reviews on the page are: only these server-side values go to the services.
    _review_versions: dict[str, int] = {}  # review id -> version shown
    _latest_review_id: int = 0  # the last review recorded when the page showed them

    # ------------------------------------------------------------ charts
    def _checkin_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(self._checkins)
        if not frame.empty:
            frame["day"] = pd.to_datetime(frame["day"])
        return frame

    @rx.var(cache=True)
    def trend_figure(self) -> charts.go.Figure:
        return charts.trend_figure(self._checkin_frame(), ("mood", "anxiety", "craving"),
                                   title="Mood, anxiety and craving (7-day averages; × = reported use)")

    @rx.var(cache=True)
    def sleep_figure(self) -> charts.go.Figure:
        return charts.trend_figure(self._checkin_frame(), ("sleep_hours",), title="Sleep (hours)")

    def _weekly_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(self._weekly)
        if not frame.empty:
            frame["week_start"] = pd.to_datetime(frame["week_start"])
        return frame

    @rx.var(cache=True)
    def hours_figure(self) -> charts.go.Figure:
        return charts.weekly_hours_figure(self._weekly_frame(), "Hours of services per week vs target")

    @rx.var(cache=True)
    def attendance_figure(self) -> charts.go.Figure:
        return charts.rate_figure(self._weekly_frame(), "week_start", "Group attendance by week")

    # ------------------------------------------------------------ loading
    def _record(self) -> int | None:
        return as_int(self.router.page.params.get("client_id"), 1)

    def _reload(self, session, actor) -> None:
        client_id = self._record_id
        today = program.local_today(session)
        client = permissions.require(session, actor, permissions.READ, client_id, what="record.view")
        self._emergency_status(session, actor)
        person = session.get(User, client.user_id)
        therapist = session.get(User, client.primary_therapist_id) if client.primary_therapist_id else None
        end = min(today, client.discharge_date) if client.discharge_date else today
        self.header = {
            "name": person.full_name, "status": client.status, "admitted": _d(client.admission_date),
            "week": str((end - client.admission_date).days // 7 + 1), "therapist": therapist.full_name if therapist else "—",
            "stage": client.stage_of_change, "level": client.level_of_care,
            "discharged": _d(client.discharge_date) if client.status == "discharged" else "",
        }
        self.today = today.isoformat()
        self.goals = [
            {"id": str(g.id), "title": g.title, "area": g.life_area_label, "horizon": g.horizon_label,
             "status": g.status_label, "progress": f"{g.progress_pct}%", "target": _d(g.target_date),
             "steps": "; ".join(("✓ " if s.done else "") + s.text for s in g.steps),
             "history": "\n".join(f"{_d(u.day)}: {u.kind} — {u.progress_pct}%"
                                  + (f" ({u.status})" if u.kind == "status" else "")
                                  + (f" — {u.note}" if u.note else "") for u in reversed(g.updates))}
            for g in goals.list_goals(session, actor, client_id)
        ]
        self.needs = [
            {"id": str(n.id), "rank": str(i), "label": n.label, "area": n.area_label,
             "focus": "yes" if n.in_focus else ""}
            for i, n in enumerate(needs.current_order(session, actor, client_id), start=1)
        ]
        self.need_history = [
            {"when": s.local_at.strftime("%b %d, %Y"), "order": " › ".join(s.labels)}
            for s in needs.history(session, actor, client_id, limit=10)
        ]
        self.consents = [
            {"person": c.person, "relationship": c.relationship, "scope": c.scope_label, "expires": c.expires,
             "status": c.status, "signed": _d(c.signed_on)}
            for c in family.consents_for_client(session, actor, client_id)
        ]
        self.attendance = [{k: str(v) for k, v in row.items()}
                           for row in groups.client_attendance(session, actor, client_id, limit=40)]
        status = plan_reviews.status(session, actor, client_id, today)
        self.review_status = {
            "last": _d(status.last_review), "next": _d(status.next_due),
            "overdue": f"OVERDUE by {status.days_overdue} days" if status.overdue else "",
        }
        every = plan_reviews.history(session, actor, client_id)
        shown = every[:10]
        self.reviews = [
            {"id": str(r["id"]), "on": _d(r["reviewed_on"]), "on_iso": r["reviewed_on"].isoformat(),
             "by": r["reviewer"], "summary": r["summary"], "version": str(r["version"]),
             "earlier_count": str(len(r["earlier"])),
             "earlier": "\n\n".join(f"Replaced {e.replaced_local} by {e.replaced_by}:\n{e.text}" for e in r["earlier"])}
            for r in shown
        ]
        self._review_versions = {str(r["id"]): r["version"] for r in shown}
        self._latest_review_id = max((r["id"] for r in every), default=0)  # the last one recorded
        self._load_charts(session, actor, today)

    def _load_charts(self, session, actor, today) -> None:
        frame, weekly = progress.client_charts(session, actor, self._record_id, self.days, WEEKS, today)
        self.averages = {k: ("—" if v is None else f"{v:.1f}") for k, v in progress.summary(frame).items()}
        frame["day"] = frame["day"].dt.strftime("%Y-%m-%d")
        self._checkins = frame.astype(object).where(frame.notna(), None).to_dict("records")
        weekly["week_start"] = weekly["week_start"].dt.strftime("%Y-%m-%d")
        self._weekly = weekly.astype(object).where(weekly.notna(), None).to_dict("records")
        this_week = weekly.iloc[-1]
        self.averages["hours"] = f"{this_week['hours']:g} of {this_week['target']:g} h"

    def _clear(self) -> None:
        self.found = False
        self.header, self.goals, self.needs, self.need_history, self.consents = {}, [], [], [], []
        self.attendance, self.reviews, self.review_status, self.averages = [], [], {}, {}
        self._checkins, self._weekly = [], []

    @rx.event
    def load(self):
        self._clear()
        self._clear_emergency()
        self.error = self.message = ""
        self.review_errors = {}
        self.discharge_errors = {}
        self.review_stale = self.review_draft = ""
        with self._db() as (session, actor):
            if refusal := self._require_role(session, actor, "therapist", "director"):
                return refusal
            client_id = self._record()
            if client_id is None:
                self.error = "No such client."
                return
            self._record_id = client_id
            try:
                self._reload(session, actor)
            except (PermissionDenied, NotFound) as exc:
                self._record_id = 0
                self._clear()
                self.error = exc.message
                self._offer_emergency_access(session, actor, client_id)
                return
            self.found = True

    @rx.event
    def set_days(self, value: str):
        days = as_int(value, 1, 400)
        with self._db() as (session, actor):
            if refusal := self._require_role(session, actor, "therapist", "director"):
                return refusal
            if days not in DAY_CHOICES or not self._record_id:
                self.error = "Choose 30, 90 or 365 days."
                return
            self.days = days
            try:
                self._load_charts(session, actor, program.local_today(session))
            except PermissionDenied as exc:
                self._clear()
                self.error = exc.message

    @rx.event
    def set_focus(self, need_id: str):
        nid = as_int(need_id, 1)
        with self._db() as (session, actor):
            if refusal := self._require_role(session, actor, "therapist", "director"):
                return refusal
            if nid is None or not self._record_id:
                self.error = "That need could not be found."
                return
            try:
                needs.set_focus(session, actor, self._record_id, nid)
                self._reload(session, actor)
            except (PermissionDenied, ValidationError, NotFound) as exc:
                self.error = exc.message
                return
            self.error = ""
            self.message = "Focus updated."

    @rx.event
    def record_review(self, form: dict):
        form = form_dict(form)
        self.review_errors = {}
        self.message = ""
        with self._db() as (session, actor):
            if refusal := self._require_role(session, actor, "therapist", "director"):
                return refusal
            day = as_date(form.get("reviewed_on"))
            summary = as_text(form.get("summary"), plan_reviews.SUMMARY_MAX)
            errors = {}
            if day is None:
                errors["reviewed_on"] = "Enter the date of the review."
            if summary is None:
                errors["summary"] = f"The summary must be at most {plan_reviews.SUMMARY_MAX} characters."
            if errors or not self._record_id:
                self.review_errors = errors or {"reviewed_on": "Open a client first."}
                return
            try:
                plan_reviews.record_review(session, actor, self._record_id, day, summary,
                                           expected_latest_id=self._latest_review_id)
                self._reload(session, actor)
            except StaleEdit as exc:
                self.review_stale = exc.message
                self.review_draft = f"Review of {day.isoformat()}:\n{summary}"
                return
            except ValidationError as exc:
                self.review_errors = exc.errors
                return
            except PermissionDenied as exc:
                self.error = exc.message
                return
            self.review_form_key += 1
            self.review_stale = self.review_draft = ""
            self.message = "Plan review recorded."

    @rx.event
    def discharge_client(self, form: dict):
        form = form_dict(form)
        self.discharge_errors = {}
        self.message = ""
        with self._db() as (session, actor):
            if refusal := self._require_role(session, actor, "therapist", "director"):
                return refusal
            on = as_date(form.get("on"))
            note = as_text(form.get("note"), discharge.NOTE_MAX)
            errors = {}
            if on is None:
                errors["on"] = "Enter the date of discharge."
            if note is None:
                errors["note"] = f"Keep the note under {discharge.NOTE_MAX} characters."
            if errors or not self._record_id:
                self.discharge_errors = errors or {"on": "Open a client first."}
                return
            try:
                discharge.discharge_client(session, actor, self._record_id, on=on, note=note)
                self._reload(session, actor)
            except ValidationError as exc:
                self.discharge_errors = exc.errors
                return
            except ServiceError as exc:  # refused (audited) or already discharged
                self.error = exc.message
                return
            self.error = ""
            self.message = "Client discharged. Consents that end at discharge have ended."

    @rx.event
    def edit_review(self, form: dict):
        """Correct a review's date or summary (refused when someone saved it since)."""
        form = form_dict(form)
        self.review_errors = {}
        self.message = ""
        with self._db() as (session, actor):
            if refusal := self._require_role(session, actor, "therapist", "director"):
                return refusal
            review_id = as_int(form.get("review_id"), 1)
            day = as_date(form.get("reviewed_on"))
            summary = as_text(form.get("summary"), plan_reviews.SUMMARY_MAX)
            if review_id is None or str(review_id) not in self._review_versions:
                self.error = "That review could not be found. Please reload the page."
                return
            self.edited_review = str(review_id)
            errors = {}
            if day is None:
                errors["edit_reviewed_on"] = "Enter the date of the review."
            if summary is None:
                errors["edit_summary"] = f"The summary must be at most {plan_reviews.SUMMARY_MAX} characters."
            if errors:
                self.review_errors = errors
                return
            try:
                plan_reviews.edit_review(session, actor, review_id, reviewed_on=day, summary=summary,
                                         expected_version=self._review_versions[str(review_id)])
                self._reload(session, actor)
            except StaleEdit as exc:
                self.review_stale = exc.message
                self.review_draft = f"Review of {day.isoformat()}:\n{summary}"
                return
            except ValidationError as exc:
                self.review_errors = {f"edit_{k}": v for k, v in exc.errors.items()}
                return
            except PermissionDenied as exc:
                self.error = exc.message
                return
            self.review_stale = self.review_draft = ""
            self.message = "Plan review updated."

    @rx.event
    def reload_reviews(self):
        """After a refused save: show the latest reviews; the refused text stays below."""
        with self._db() as (session, actor):
            if refusal := self._require_role(session, actor, "therapist", "director"):
                return refusal
            if not self._record_id:
                return
            try:
                self._reload(session, actor)
            except (PermissionDenied, NotFound) as exc:
                self._clear()
                self.error = exc.message
                return
            self.review_stale = ""
            self.message = "Reloaded: these are the latest reviews; your unsaved text is shown above them."

    @rx.event
    def discard_review_draft(self):
        self.review_draft = ""

    # ------------------------------------------------------------ break-glass
    def _clear_emergency(self) -> None:
        self.emergency_offer = False
        self.emergency_until = ""
        self.emergency_errors = {}
        self._emergency_client_id = 0

    def _offer_emergency_access(self, session, actor, client_id: int) -> None:
        """A therapist refused a record may open it in an emergency (not the director,
        who is never refused). Offered for any id: a refusal never says whether it exists."""
        if actor.role != "therapist":
            return
        self.emergency_offer = True
        self.emergency_minutes = str(program.break_glass_minutes(session))
        self._emergency_client_id = client_id

    def _emergency_status(self, session, actor) -> None:
        grant = break_glass.grant_in_use(session, actor, self._record_id)
        if grant is None:
            self.emergency_until = ""
            return
        self.emergency_until = program.to_local(grant.expires_at, program.program_tz(session)).strftime("%H:%M")
        # When it runs out, the next refused event shows the form again.
        self._offer_emergency_access(session, actor, self._record_id)

    @rx.event
    def open_emergency_access(self, form: dict):
        form = form_dict(form)
        self.emergency_errors = {}
        with self._db() as (session, actor):
            if refusal := self._require_role(session, actor, "therapist"):
                return refusal
            reason = as_text(form.get("reason"), break_glass.REASON_MAX)
            if reason is None:
                self.emergency_errors = {"reason": f"Explain the emergency in {break_glass.REASON_MIN} to "
                                                   f"{break_glass.REASON_MAX} characters."}
                return
            if not self._emergency_client_id:
                self.emergency_errors = {"reason": "Open a client's record first."}
                return
            try:
                break_glass.open_grant(session, actor, self._emergency_client_id, reason)
            except ValidationError as exc:
                self.emergency_errors = exc.errors
                return
            except PermissionDenied as exc:
                self.error = exc.message
                return
            self._record_id = self._emergency_client_id
            try:
                self._reload(session, actor)
            except (PermissionDenied, NotFound) as exc:
                self._record_id = 0
                self._clear()
                self.error = exc.message
                return
            self.error = ""
            self.found = True

"""The client's home page: today's check-in, this week's sessions, goals and charts."""

from __future__ import annotations

import dataclasses
from datetime import date

import pandas as pd
import plotly.graph_objects as go
import reflex as rx
from sqlmodel import Session

from ... import routes
from ...components import charts, measure_charts
from ...models import User
from ...models.enums import OPEN_GOAL_STATUSES
from ...services import checkins, goals, measure_forms, measure_trends, program, progress, schedule
from ..args import as_int
from ..base import SessionState
from .base import ClientPage, day_label

CHART_DAYS = (30, 90)


@dataclasses.dataclass
class ScheduleRow:
    when: str
    kind: str
    title: str
    where: str
    detail: str
    cancelled: bool


@dataclasses.dataclass
class MeasureDueRow:
    """A questionnaire to complete, as the home page lists it."""

    href: str
    name: str
    title: str
    when: str
    overdue: bool
    action: str  # "Start" or "Continue"


def measure_due_row(item: measure_forms.DueForm, today: date) -> MeasureDueRow:
    if item.due_on is None:
        when = "In progress"
    elif item.overdue:
        when = f"Overdue since {item.due_on.strftime('%b')} {item.due_on.day}"
    elif item.due_on >= today:
        when = "Due today"
    else:
        when = f"Due since {item.due_on.strftime('%b')} {item.due_on.day}"
    if item.answered:
        when += f" · {item.answered} of {item.items} answered"
    return MeasureDueRow(routes.client_measure(item.code), item.name, item.title, when, item.overdue,
                         "Continue" if item.answered else "Start")


@dataclasses.dataclass
class GoalSummaryRow:
    id: str
    title: str
    area: str
    horizon: str
    status: str
    progress_pct: int
    steps_label: str


class ClientHomeState(ClientPage, SessionState):
    today_label: str = ""
    done_today: bool = False
    streak: int = 0
    missed_days: list[str] = []
    sessions: list[ScheduleRow] = []
    goal_rows: list[GoalSummaryRow] = []
    measures_due: list[MeasureDueRow] = []
    chart_days: int = 30
    hours_label: str = ""
    chart_summary: str = ""
    # Backend only: the last 90 days of check-ins with 7-day averages, and this week's hours.
    _trend_rows: list[dict] = []
    _hours: float = 0.0
    _target: float = 9.0
    # Each measure's trend beside the diary (their own responses only: the record is the
    # signed-in client's, looked up from the session), and the charts in words.
    measure_summaries: list[str] = []
    _measure_points: dict[str, list[dict]] = {}  # code -> points, oldest first
    _measure_diary: list[dict] = []

    @rx.var(cache=True)
    def measure_figures(self) -> list[go.Figure]:
        return [measure_charts.trend_figure(code, points, self._measure_diary, height=300, short_title=True)
                for code, points in self._measure_points.items()]

    @rx.var(cache=True)
    def trend_chart(self) -> go.Figure:
        frame = pd.DataFrame(self._trend_rows)
        if frame.empty:
            return charts.empty_figure("No check-ins yet")
        frame["day"] = pd.to_datetime(frame["day"])
        frame = frame.tail(self.chart_days).reset_index(drop=True)
        return charts.trend_figure(frame, title=f"Mood, anxiety and craving: last {self.chart_days} days")

    @rx.var(cache=True)
    def hours_chart(self) -> go.Figure:
        return charts.hours_figure(self._hours, self._target, title="Hours of program this week")

    def _reload(self, session: Session, actor: User) -> None:
        client_id = self._client_id
        today = program.local_today(session)
        status = checkins.today_status(session, actor, client_id, today)
        self.today_label = f"{today.strftime('%A, %B')} {today.day}"
        self.done_today = status.done_today
        self.streak = status.streak
        self.missed_days = [day_label(d, today) for d in status.fillable_days]
        self.sessions = [
            ScheduleRow(schedule.describe_time(item), item.kind_label, item.title, item.where, item.detail,
                        item.cancelled)
            for item in schedule.upcoming_this_week(session, actor, client_id, today=today)
        ]
        self.goal_rows = [
            GoalSummaryRow(str(g.id), g.title, g.life_area_label, g.horizon_label, g.status_label,
                           g.progress_pct,
                           f"{sum(s.done for s in g.steps)} of {len(g.steps)} steps done" if g.steps else "")
            for g in goals.list_goals(session, actor, client_id, with_history=False)
            if g.status in OPEN_GOAL_STATUSES
        ]
        self.measures_due = [measure_due_row(item, today)
                             for item in measure_forms.due_forms(session, actor, client_id, today)]
        frame = progress.checkin_frame(session, actor, client_id, max(CHART_DAYS), today=today)
        self._trend_rows = self._rows_of(frame)
        self.chart_summary = self._summary(frame, today)
        week = progress.weekly_hours_frame(session, actor, client_id, 1, today=today)
        self._hours = float(week["hours"].iloc[-1])
        self._target = float(week["target"].iloc[-1])
        self.hours_label = f"{self._hours:g} of {self._target:g} hours this week"
        self._measure_points, self._measure_diary = measure_charts.chart_data(
            measure_trends.trends(session, actor, client_id, today))
        self.measure_summaries = [measure_charts.summary(code, points) for code, points in self._measure_points.items()]

    @rx.event
    def load(self):
        return self._run()

    @staticmethod
    def _rows_of(frame: pd.DataFrame) -> list[dict]:
        rows = []
        for record in frame.to_dict("records"):
            row = {"day": pd.Timestamp(record["day"]).strftime("%Y-%m-%d")}
            for key, value in record.items():
                if key == "day":
                    continue
                if key == "used_substance":
                    row[key] = bool(value)
                else:
                    row[key] = None if pd.isna(value) else float(value)
            rows.append(row)
        return rows

    @staticmethod
    def _summary(frame: pd.DataFrame, today: date) -> str:
        """A text version of the chart for screen readers and anyone who prefers words."""
        present = frame.dropna(subset=["mood"])
        if present.empty:
            return "No check-ins in the last 90 days yet."
        last = present.iloc[-1]
        day = pd.Timestamp(last["day"]).date()
        when = "today" if day == today else f"on {day.strftime('%b')} {day.day}"
        averages = progress.summary(frame)
        avg = ", ".join(f"{name} {averages[col]:g}" for name, col in
                        (("mood", "mood_avg7"), ("anxiety", "anxiety_avg7"), ("craving", "craving_avg7"))
                        if averages.get(col) is not None)
        used_days = int(frame.tail(30)["used_substance"].sum())
        text = (f"Latest check-in {when}: mood {int(last['mood'])}, anxiety {int(last['anxiety'])}, "
                f"craving {int(last['craving'])}. 7-day averages: {avg}.")
        if used_days:
            text += f" Days with reported use in the last 30 days: {used_days}."
        return text

    @rx.event
    def set_chart_days(self, days: str):
        value = as_int(days, 1, 1000)
        self.chart_days = value if value in CHART_DAYS else 30



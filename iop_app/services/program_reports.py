"""Program reports (issue #13, section 4): completion, length of stay, discharge
types and follow-up outcomes, by month of discharge and by primary therapist.

Definitions (over the discharges recorded with a type, models.Discharge, whose
discharge day falls in the chosen months, the current month included):
- completion rate = discharges of type "completed" / all discharges;
- length of stay = discharge day - admission day, in days (mean and median);
- follow-up reach at 30/90/180 days = contacts of that day, due by today, with the
  person reached / those contacts due (services/follow_ups.py); abstinence = reached
  contacts where the person reported not using / reached contacts.
Rates are percentages with one decimal, None when there is nothing to divide by.
`report_from_frames` is the pure computation (tests build the frames by hand);
`program_report` reads the database for the director. Figures are plain plotly dicts.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from ..models import Client, Discharge, FollowUp, User
from ..models.enums import DischargeType, FollowUpUse
from . import audit, permissions, program
from .errors import ValidationError
from .follow_ups import REPORT_DAYS

MONTH_CHOICES = (3, 6, 12, 24)
DISCHARGE_COLUMNS = ["discharge_id", "therapist", "discharge_type", "admitted", "discharged_on"]
FOLLOW_UP_COLUMNS = ["discharge_id", "day", "due_on", "recorded", "reached", "substance_use"]
NO_THERAPIST = "(no primary therapist)"


@dataclass
class ProgramReport:
    totals: dict = field(default_factory=dict)
    by_month: list[dict] = field(default_factory=list)
    by_therapist: list[dict] = field(default_factory=list)
    types: list[dict] = field(default_factory=list)  # {"type", "label", "count", "share"}
    follow_up: list[dict] = field(default_factory=list)  # one per REPORT_DAYS
    figures: dict[str, dict] = field(default_factory=dict)


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _follow_up_figures(fu: pd.DataFrame, today: date) -> dict:
    """{day: (due, reached, reach %, abstinent, abstinence %)} over these contacts."""
    out = {}
    for day in REPORT_DAYS:
        rows = fu[(fu["day"] == day) & (fu["due_on"] <= today)] if not fu.empty else fu
        due = len(rows)
        reached = int((rows["recorded"] & (rows["reached"] == True)).sum()) if due else 0  # noqa: E712
        abstinent = int((rows["recorded"] & (rows["reached"] == True)  # noqa: E712
                         & (rows["substance_use"] == FollowUpUse.NOT_USING)).sum()) if due else 0
        out[day] = (due, reached, _rate(reached, due), abstinent, _rate(abstinent, reached))
    return out


def _group_row(name: str, rows: pd.DataFrame, fu: pd.DataFrame, today: date) -> dict:
    stay = (pd.to_datetime(rows["discharged_on"]) - pd.to_datetime(rows["admitted"])).dt.days
    completed = int((rows["discharge_type"] == DischargeType.COMPLETED).sum())
    row = {"group": name, "discharges": len(rows), "completed": completed,
           "completion_rate": _rate(completed, len(rows)),
           "stay_mean": round(float(stay.mean()), 1) if len(rows) else None,
           "stay_median": round(float(stay.median()), 1) if len(rows) else None}
    mine = fu[fu["discharge_id"].isin(rows["discharge_id"])] if not fu.empty else fu
    for day, (due, reached, reach, abstinent, abstinence) in _follow_up_figures(mine, today).items():
        row |= {f"fu{day}_due": due, f"fu{day}_reached": reached, f"fu{day}_reach": reach,
                f"fu{day}_abstinent": abstinent, f"fu{day}_abstinence": abstinence}
    return row


def report_from_frames(discharges: pd.DataFrame, follow_ups: pd.DataFrame, today: date) -> ProgramReport:
    """The report over `discharges` (DISCHARGE_COLUMNS; days as dates) and their
    `follow_ups` (FOLLOW_UP_COLUMNS)."""
    discharges = discharges.reindex(columns=DISCHARGE_COLUMNS)
    follow_ups = follow_ups.reindex(columns=FOLLOW_UP_COLUMNS)
    report = ProgramReport()
    if discharges.empty:
        report.totals = {"discharges": 0, "completed": 0, "completion_rate": None, "stay_mean": None,
                         "stay_median": None}
        report.follow_up = [{"day": d, "due": 0, "reached": 0, "reach": None, "abstinent": 0, "abstinence": None}
                            for d in REPORT_DAYS]
        report.figures = _figures(report)
        return report
    discharges = discharges.copy()
    discharges["month"] = [f"{d.year:04d}-{d.month:02d}" for d in discharges["discharged_on"]]
    discharges["therapist"] = discharges["therapist"].fillna(NO_THERAPIST)
    total = _group_row("All", discharges, follow_ups, today)
    report.totals = {k: total[k] for k in ("discharges", "completed", "completion_rate", "stay_mean", "stay_median")}
    report.by_month = [_group_row(month, rows, follow_ups, today)
                       for month, rows in sorted(discharges.groupby("month"), key=lambda item: item[0])]
    report.by_therapist = [_group_row(name, rows, follow_ups, today)
                           for name, rows in sorted(discharges.groupby("therapist"), key=lambda item: item[0])]
    counts = discharges["discharge_type"].value_counts()
    report.types = [{"type": kind.value, "label": kind.label, "count": int(counts.get(kind.value, 0)),
                     "share": _rate(int(counts.get(kind.value, 0)), len(discharges))} for kind in DischargeType]
    report.follow_up = [{"day": day, "due": total[f"fu{day}_due"], "reached": total[f"fu{day}_reached"],
                         "reach": total[f"fu{day}_reach"], "abstinent": total[f"fu{day}_abstinent"],
                         "abstinence": total[f"fu{day}_abstinence"]} for day in REPORT_DAYS]
    month_types = discharges.groupby(["month", "discharge_type"]).size()
    report.figures = _figures(report, month_types)
    return report


def _layout(title: str, **more) -> dict:
    return {"title": {"text": title, "font": {"size": 14}}, "height": 300,
            "margin": {"l": 48, "r": 16, "t": 44, "b": 48}, "legend": {"orientation": "h", "y": -0.25}, **more}


def _figures(report: ProgramReport, month_types: pd.Series | None = None) -> dict[str, dict]:
    """Plain plotly figure dicts (the page wraps them without validation)."""
    months = [r["group"] for r in report.by_month]
    by_type = [{"type": "bar", "name": kind.label, "x": months,
                "y": [int(month_types.get((m, kind.value), 0)) if month_types is not None else 0 for m in months]}
               for kind in DischargeType]
    therapists = [r["group"] for r in report.by_therapist]
    contacts = [f"{r['day']} days" for r in report.follow_up]
    return {
        "types_by_month": {"data": by_type, "layout": _layout("Discharges by month and type", barmode="stack",
                                                              yaxis={"title": {"text": "discharges"}})},
        "completion_by_month": {"data": [{"type": "scatter", "mode": "lines+markers", "name": "Completion rate (%)",
                                          "x": months, "y": [r["completion_rate"] for r in report.by_month]}],
                                "layout": _layout("Completion rate by month (%)", yaxis={"range": [0, 100]})},
        "stay_by_therapist": {"data": [{"type": "bar", "name": "Median length of stay (days)", "x": therapists,
                                        "y": [r["stay_median"] for r in report.by_therapist]}],
                              "layout": _layout("Median length of stay by therapist (days)")},
        "follow_up": {"data": [{"type": "bar", "name": "Reached (%)", "x": contacts,
                                "y": [r["reach"] for r in report.follow_up]},
                               {"type": "bar", "name": "Not using, of those reached (%)",
                                "x": contacts,
                                "y": [r["abstinence"] for r in report.follow_up]}],
                      "layout": _layout("Follow-up reach and abstinence", barmode="group", yaxis={"range": [0, 100]})},
    }


def _since(today: date, months: int) -> date:
    """The first day of the month `months - 1` months before today's month."""
    index = today.year * 12 + today.month - 1 - (months - 1)
    return date(index // 12, index % 12 + 1, 1)


def frames(session: Session, since: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    therapist = aliased(User)
    rows = session.exec(
        select(Discharge.id, therapist.full_name, Discharge.discharge_type, Client.admission_date,
               Discharge.discharged_on)
        .join(Client, Client.id == Discharge.client_id)
        .outerjoin(therapist, therapist.id == Client.primary_therapist_id)
        .where(Discharge.discharged_on >= since)).all()
    discharges = pd.DataFrame([tuple(r) for r in rows], columns=DISCHARGE_COLUMNS)
    fu_rows = session.exec(
        select(FollowUp.discharge_id, FollowUp.day, FollowUp.due_on, col(FollowUp.contacted_at).is_not(None),
               FollowUp.reached, FollowUp.substance_use)
        .join(Discharge, Discharge.id == FollowUp.discharge_id)
        .where(Discharge.discharged_on >= since)).all()
    follow_ups = pd.DataFrame([tuple(r) for r in fu_rows], columns=FOLLOW_UP_COLUMNS)
    if not follow_ups.empty:
        follow_ups["recorded"] = follow_ups["recorded"].astype(bool)
    return discharges, follow_ups


def program_report(session: Session, actor: User, *, months: int = 12) -> ProgramReport:
    """The director's report over the last `months` months (MONTH_CHOICES)."""
    permissions.require_director(session, actor, "report.program")
    if type(months) is not int or months not in MONTH_CHOICES:
        raise ValidationError({"months": "Choose 3, 6, 12 or 24 months."})
    today = program.local_today(session)
    report = report_from_frames(*frames(session, _since(today, months)), today)
    audit.record_now(session, actor, "report.program", outcome="allowed", detail=f"{months} months")
    return report


CSV_COLUMNS = ["breakdown", "group", "discharges", "completed", "completion_rate", "stay_mean", "stay_median",
               *[f"fu{d}_{k}" for d in REPORT_DAYS for k in ("due", "reached", "reach", "abstinent", "abstinence")]]


def report_csv(report: ProgramReport) -> str:
    """The by-month and by-therapist tables as one CSV (a `breakdown` column says which)."""
    rows = ([{"breakdown": "month", **r} for r in report.by_month]
            + [{"breakdown": "therapist", **r} for r in report.by_therapist])
    buffer = io.StringIO()
    pd.DataFrame(rows, columns=CSV_COLUMNS).to_csv(buffer, index=False)
    return buffer.getvalue()


def _cell(value):
    """A text cell a spreadsheet would run as a formula is kept as text."""
    return "'" + value if isinstance(value, str) and value[:1] in ("=", "+", "-", "@") else value


def program_report_csv(session: Session, actor: User, *, months: int = 12) -> tuple[str, str]:
    """(file name, CSV text) of the report; the export is audited."""
    report = program_report(session, actor, months=months)
    for row in report.by_therapist:
        row["group"] = _cell(row["group"])
    audit.record_now(session, actor, "report.export", outcome="success", detail=f"CSV, {months} months")
    return f"program-report-{program.local_today(session).isoformat()}.csv", report_csv(report)

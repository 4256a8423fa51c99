"""The printable discharge summary (PDF, fpdf2), drawn like the treatment plan
(services/plan_pdf.py, whose page and text helpers it shares) from a
discharge.DischargeView the caller was allowed to read."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from .discharge import AFTERCARE
from .plan_pdf import _day, _Doc, _moment


def render(view, program_name: str, tz: ZoneInfo, follow_ups: list[tuple[int, date]], *,
           compress: bool = True) -> bytes:
    doc = _Doc(f"{program_name} - discharge summary of {view.client_name} - CONFIDENTIAL (42 CFR Part 2)")
    doc.alias_nb_pages()
    doc.set_compression(compress)
    doc.add_page()
    doc.line_of(program_name, size=10, style="B", gap=0)
    doc.line_of("Discharge summary" + ("" if view.signed else " - DRAFT, not signed"), size=16, style="B")
    doc.line_of(f"Client: {view.client_name}    Primary therapist: {view.therapist or '-'}", size=11)
    doc.line_of(f"Admitted: {_day(view.admitted)}    Discharged: {_day(view.discharged_on)}    "
                f"Length of stay: {view.length_of_stay} days", size=10)
    doc.line_of(f"Type of discharge: {view.type_label}", size=10)
    doc.line_of(f"Reason: {view.reason}", size=10)
    doc.line_of("Portal after discharge: " + ("kept (alumni)" if view.alumni else "closed"), size=9)
    doc.ln(2)
    doc.line_of("Course of treatment and condition at discharge", size=11, style="B")
    doc.line_of(view.texts.get("course") or "-")
    doc.line_of("Progress on the goals of the treatment plan", size=11, style="B")
    if not view.goals:
        doc.line_of("No treatment plan was in force at discharge.", size=9)
    for n, goal in enumerate(view.goals, start=1):
        doc.line_of(f"{n}. {goal.statement}", indent=4, gap=0)
        doc.line_of(f"Progress: {goal.outcome_label}" + (f" - {goal.note}" if goal.note else ""), size=9, indent=8)
    doc.line_of("Final measures", size=11, style="B")
    doc.line_of(view.texts.get("final_measures") or "None recorded.")
    doc.ln(2)
    doc.line_of("Aftercare plan" + (" (written with the client)" if view.with_client else ""), size=12, style="B")
    for name, title in AFTERCARE.items():
        doc.line_of(title, size=10, style="B", gap=0)
        doc.line_of(view.texts.get(name) or "-", indent=4)
    if follow_ups:
        doc.line_of("Follow-up contacts after discharge", size=10, style="B", gap=0)
        doc.line_of(", ".join(f"{_day(due)} ({day} days)" for day, due in follow_ups), size=9, indent=4)
    doc.ln(3)
    doc.line_of("Signature", size=11, style="B")
    doc.line_of(f"Staff: {view.signature} - signed electronically {_moment(view.signed_at, tz)}"
                if view.signed else f"Not signed yet (due {_day(view.summary_due_on)}).")
    doc.ln(2)
    doc.line_of("This record is protected by federal confidentiality rules (42 CFR Part 2). Any further "
                "disclosure is prohibited unless expressly permitted by the written consent of the person to "
                "whom it pertains or as otherwise permitted by 42 CFR Part 2.", size=8)
    return bytes(doc.output())

"""The printable treatment plan (PDF, fpdf2): for the chart and the client's copy.

Drawn from a plans.PlanView the caller was allowed to read, with both signatures
(typed name and the server's time, program-local) or what is still missing. The
built-in PDF fonts cover Latin-1 only, so other characters are replaced by their
nearest plain form (quotes, dashes) or "?" rather than failing the download.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from .program import to_local

_PLAIN = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
                        "\u2026": "...", "\u2022": "*", "\u00a0": " ", "\u2192": "->", "\u203a": ">"})


def _latin1(text: str) -> str:
    return text.translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


def _day(value) -> str:
    return f"{value:%b} {value.day}, {value.year}" if value else "-"


def _moment(value: datetime | None, tz: ZoneInfo) -> str:
    if value is None:
        return ""
    local = to_local(value, tz)
    return f"{local:%b} {local.day}, {local.year} {local:%H:%M} ({local.tzname()})"


class _Doc(FPDF):
    def __init__(self, footer_text: str):
        super().__init__(format="Letter")
        self.footer_text = footer_text
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(18, 16, 18)

    def footer(self):
        self.set_y(-14)
        self.set_font("Helvetica", size=8)
        self.cell(0, 6, _latin1(f"{self.footer_text} - page {self.page_no()}/{{nb}}"), align="C")

    def line_of(self, text: str, size: int = 10, style: str = "", indent: float = 0, gap: float = 1.0) -> None:
        self.set_font("Helvetica", style=style, size=size)
        self.set_x(self.l_margin + indent)
        self.multi_cell(self.w - self.r_margin - self.l_margin - indent, size * 0.5, _latin1(text),
                        new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(gap)


def render(view, program_name: str, tz: ZoneInfo, *, compress: bool = True) -> bytes:
    """The plan version `view` (plans.PlanView) as PDF bytes (`compress=False` keeps
    the text readable in the file, for tests)."""
    doc = _Doc(f"{program_name} - treatment plan of {view.client_name}, version {view.number} - CONFIDENTIAL "
               "(42 CFR Part 2)")
    doc.alias_nb_pages()
    doc.set_compression(compress)
    doc.add_page()
    doc.line_of(program_name, size=10, style="B", gap=0)
    doc.line_of("Treatment plan", size=16, style="B")
    doc.line_of(f"Client: {view.client_name}", size=11)
    doc.line_of(f"Version {view.number}" + (" (review)" if view.is_review else " (initial plan)")
                + f" - {view.status_label}", size=11)
    doc.line_of(f"In force from: {_day(view.effective_on)}    Next review due: {_day(view.review_due_on)}", size=10)
    if view.is_review and view.changes:
        doc.ln(2)
        doc.line_of("What changed at this review", size=11, style="B")
        doc.line_of(view.changes)
    if view.priorities:
        doc.ln(2)
        doc.line_of("The client's priorities (their ranking of needs)", size=11, style="B")
        for p in view.priorities:
            doc.line_of(f"{p.rank}. {p.label}" + (" - addressed on this plan" if p.on_plan else ""), indent=4, gap=0)
    for n, problem in enumerate(view.problems, start=1):
        doc.ln(3)
        doc.line_of(f"Problem {n}: {problem.statement}", size=11, style="B")
        doc.line_of(f"ASAM dimension {problem.dimension_label}"
                    + ("; from the assessment" if problem.from_assessment else "; added")
                    + (f"; the client's priority #{problem.need_rank}: {problem.need}" if problem.need_rank
                       else (f"; the client's need: {problem.need}" if problem.need else "")), size=9)
        for g, goal in enumerate(problem.goals, start=1):
            doc.line_of(f"Goal {n}.{g} (in the client's words): {goal.statement}", style="B", indent=4)
            if goal.client_goal:
                doc.line_of(f"The client's own goal: {goal.client_goal}", size=9, indent=4)
            for o, objective in enumerate(goal.objectives, start=1):
                doc.line_of(f"Objective {n}.{g}.{o}: {objective.statement}", indent=8, gap=0)
                doc.line_of(f"Target date: {_day(objective.target_date)}    Status: {objective.status_label}",
                            size=9, indent=12, gap=0)
                if objective.progress:
                    doc.line_of(f"Progress: {objective.progress}", size=9, indent=12, gap=0)
                for i in objective.interventions:
                    doc.line_of(f"- {i.what} (who: {i.who}; how often: {i.frequency})", size=9, indent=12, gap=0)
                doc.ln(1)
    doc.ln(4)
    doc.line_of("Signatures", size=11, style="B")
    staff = (f"Staff: {view.therapist_signature} - signed electronically {_moment(view.therapist_signed_at, tz)}"
             if view.therapist_signed_at else "Staff: not signed yet")
    client = (f"Client: {view.client_signature} - signed electronically {_moment(view.client_signed_at, tz)}"
              if view.client_signed_at else
              ("Client: not signed (recorded before client signatures were kept)"
               if view.status in ("signed", "superseded") else "Client: not signed yet"))
    doc.line_of(staff)
    doc.line_of(client)
    doc.ln(2)
    doc.line_of("This record is protected by federal confidentiality rules (42 CFR Part 2). Any further "
                "disclosure is prohibited unless expressly permitted by the written consent of the person to "
                "whom it pertains or as otherwise permitted by 42 CFR Part 2.", size=8)
    return bytes(doc.output())

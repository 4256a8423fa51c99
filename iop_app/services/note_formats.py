"""Progress-note formats as data: DAP, BIRP, SOAP and GIRP.

A note's text lives in `ProgressNote.sections` under the keys of its format. Every
note must also record the interventions used, the client's response and the plan
(issue #11): each format names the section that holds each of the three, and a
format that has no such section of its own (DAP and SOAP have no "response")
gets one appended. A note is signed only with every section of its format filled.

Group notes: the section that holds the interventions is the group's shared part
(GroupNote.shared, written once by the facilitator); each attendee's note holds
the other sections, their individual part.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..models.enums import NoteFormat

SECTION_LIMIT = 4000  # characters per section


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    prompt: str  # what goes here, shown under the label


@dataclass(frozen=True)
class NoteFormatDef:
    code: NoteFormat
    sections: tuple[Section, ...]
    interventions: str  # key of the section holding the interventions used
    response: str  # ... the client's response
    plan: str  # ... the plan

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.sections)

    def individual_sections(self) -> tuple[Section, ...]:
        """The sections of an attendee's own part of a group note (all but the
        interventions, which the group's shared part holds)."""
        return tuple(s for s in self.sections if s.key != self.interventions)

    def label_of(self, key: str) -> str:
        return next((s.label for s in self.sections if s.key == key), key)


_INTERVENTIONS = Section("interventions", "Interventions", "What you did: techniques, topics, skills practised.")
_RESPONSE = Section("response", "Response", "How the client responded to the interventions.")
_PLAN = Section("plan", "Plan", "Next steps, homework, the next session, referrals.")

FORMATS: dict[str, NoteFormatDef] = {
    NoteFormat.DAP: NoteFormatDef(
        NoteFormat.DAP,
        (Section("data", "Data", "What the client said and what you observed."),
         _INTERVENTIONS, _RESPONSE,
         Section("assessment", "Assessment", "Your clinical view: progress toward the objectives, risk."),
         _PLAN),
        interventions="interventions", response="response", plan="plan"),
    NoteFormat.BIRP: NoteFormatDef(
        NoteFormat.BIRP,
        (Section("behavior", "Behaviour", "What the client presented with: mood, statements, conduct."),
         Section("intervention", "Intervention", "What you did: techniques, topics, skills practised."),
         _RESPONSE, _PLAN),
        interventions="intervention", response="response", plan="plan"),
    NoteFormat.SOAP: NoteFormatDef(
        NoteFormat.SOAP,
        (Section("subjective", "Subjective", "What the client reported, in their words."),
         Section("objective", "Objective", "What you observed; screens and measures."),
         _INTERVENTIONS, _RESPONSE,
         Section("assessment", "Assessment", "Your clinical view: progress toward the objectives, risk."),
         _PLAN),
        interventions="interventions", response="response", plan="plan"),
    NoteFormat.GIRP: NoteFormatDef(
        NoteFormat.GIRP,
        (Section("goal", "Goal", "The plan goal or objective this session worked on."),
         Section("intervention", "Intervention", "What you did: techniques, topics, skills practised."),
         _RESPONSE, _PLAN),
        interventions="intervention", response="response", plan="plan"),
}


def get(code: str) -> NoteFormatDef:
    """The format of a note (a value of NoteFormat; KeyError for anything else)."""
    return FORMATS[code]


def missing_sections(code: str, sections: dict, *, skip: tuple[str, ...] = ()) -> list[str]:
    """Labels of the format's sections left empty (those in `skip` are filled elsewhere)."""
    fmt = get(code)
    return [s.label for s in fmt.sections
            if s.key not in skip and not str((sections or {}).get(s.key, "")).strip()]

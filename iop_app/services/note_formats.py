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


_SECTIONS = {section.key: section for section in (
    Section("data", "Data", "What the client said and what you observed."),
    Section("behavior", "Behaviour", "What the client presented with: mood, statements, conduct."),
    Section("subjective", "Subjective", "What the client reported, in their words."),
    Section("objective", "Objective", "What you observed; screens and measures."),
    Section("goal", "Goal", "The plan goal or objective this session worked on."),
    Section("intervention", "Intervention", "What you did: techniques, topics, skills practised."),
    Section("interventions", "Interventions", "What you did: techniques, topics, skills practised."),
    Section("response", "Response", "How the client responded to the interventions."),
    Section("assessment", "Assessment", "Your clinical view: progress toward the objectives, risk."),
    Section("plan", "Plan", "Next steps, homework, the next session, referrals."),
)}


def _format(code: NoteFormat, *keys: str) -> NoteFormatDef:
    """A format of the sections named `keys`, in order; its interventions are in its
    own "intervention" section (BIRP, GIRP) or else the appended "interventions"."""
    return NoteFormatDef(code, tuple(_SECTIONS[key] for key in keys),
                         interventions="intervention" if "intervention" in keys else "interventions",
                         response="response", plan="plan")


FORMATS: dict[str, NoteFormatDef] = {fmt.code: fmt for fmt in (
    _format(NoteFormat.DAP, "data", "interventions", "response", "assessment", "plan"),
    _format(NoteFormat.BIRP, "behavior", "intervention", "response", "plan"),
    _format(NoteFormat.SOAP, "subjective", "objective", "interventions", "response", "assessment", "plan"),
    _format(NoteFormat.GIRP, "goal", "intervention", "response", "plan"),
)}


def get(code: str) -> NoteFormatDef:
    """The format of a note (a value of NoteFormat; KeyError for anything else)."""
    return FORMATS[code]


def missing_sections(code: str, sections: dict, *, skip: tuple[str, ...] = ()) -> list[str]:
    """Labels of the format's sections left empty (those in `skip` are filled elsewhere)."""
    fmt = get(code)
    return [s.label for s in fmt.sections
            if s.key not in skip and not str((sections or {}).get(s.key, "")).strip()]

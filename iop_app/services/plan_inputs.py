"""Input of treatment-plan changes (services/plans.py), declared once with its limits
and messages (services/inputs.validate). Rules that need the database or today's date
(a target date in the past, a linked need or goal of another client) stay in the
service and report in the same answer."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from ..models.enums import AsamDimension, ObjectiveStatus
from .inputs import ServiceInput

STATEMENT_MAX = 1000
PROGRESS_MAX = 2000
WHAT_MAX = 500
WHO_MAX = 120
FREQUENCY_MAX = 120
CHANGES_MAX = 4000
SIGNATURE_MAX = 120


class _PlanInput(ServiceInput):
    blank_if_none = ("progress", "changes")

    messages: ClassVar[dict[str, str]] = {
        "statement": f"Keep it to {STATEMENT_MAX} characters (this is {{length}}).",
        "statement:missing": "Write it out.",
        "statement:type": "Write it out.",
        "dimension": "Choose the ASAM dimension this problem belongs to.",
        "status": "Choose a status.",
        "progress": f"Progress can be up to {PROGRESS_MAX} characters (this is {{length}}).",
        "progress:type": "Progress must be text.",
        "what": f"Keep it to {WHAT_MAX} characters (this is {{length}}).",
        "what:missing": "Say what the program will do.",
        "what:type": "Say what the program will do.",
        "who": f"Keep it to {WHO_MAX} characters (this is {{length}}).",
        "who:missing": "Say who provides it (a role or a name).",
        "who:type": "Say who provides it (a role or a name).",
        "frequency": f"Keep it to {FREQUENCY_MAX} characters (this is {{length}}).",
        "frequency:missing": "Say how often (e.g. weekly, 3 times a week).",
        "frequency:type": "Say how often (e.g. weekly, 3 times a week).",
        "changes": f"Keep it to {CHANGES_MAX} characters (this is {{length}}).",
        "changes:type": "Write what changed.",
        "signature": f"A signature is at most {SIGNATURE_MAX} characters.",
        "signature:missing": "Type your full name to sign.",
        "signature:type": "Type your full name to sign.",
    }


class ProblemInput(_PlanInput):
    statement: str = Field(min_length=1, max_length=STATEMENT_MAX)
    dimension: AsamDimension


class GoalInput(_PlanInput):
    """A goal in the client's own words."""

    statement: str = Field(min_length=1, max_length=STATEMENT_MAX)


class ObjectiveInput(_PlanInput):
    """A measurable objective; its target date is checked by the service (required,
    not in the past when set)."""

    statement: str = Field(min_length=1, max_length=STATEMENT_MAX)
    status: ObjectiveStatus = ObjectiveStatus.NOT_STARTED
    progress: str = Field("", max_length=PROGRESS_MAX)


class InterventionInput(_PlanInput):
    what: str = Field(min_length=1, max_length=WHAT_MAX)
    who: str = Field(min_length=1, max_length=WHO_MAX)
    frequency: str = Field(min_length=1, max_length=FREQUENCY_MAX)


class ChangesInput(_PlanInput):
    changes: str = Field("", max_length=CHANGES_MAX)


class SignatureInput(_PlanInput):
    signature: str = Field(min_length=1, max_length=SIGNATURE_MAX)

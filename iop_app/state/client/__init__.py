"""Client portal state, one module per page: home, daily check-in, goals, hierarchy
of needs. base.py holds what they share (the client's own record)."""

from .checkin import CheckinState
from .goals import GoalsState
from .home import ClientHomeState
from .measures import MeasureFormState
from .needs import NeedsState
from .notes import ClientNotesState
from .orientation import OrientationState
from .tools import ClientToolsState, MyPlansState, SafetyPlanState

__all__ = [
    "CheckinState",
    "ClientHomeState",
    "ClientNotesState",
    "ClientToolsState",
    "GoalsState",
    "MeasureFormState",
    "MyPlansState",
    "NeedsState",
    "OrientationState",
    "SafetyPlanState",
]

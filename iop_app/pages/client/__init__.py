"""Client portal pages, one module per page: home, daily check-in, goals,
hierarchy of needs (state in state/client/)."""

from __future__ import annotations

import reflex as rx

from ... import routes
from ...state.client import (
    CheckinState,
    ClientHomeState,
    ClientNotesState,
    ClientToolsState,
    GoalsState,
    MeasureFormState,
    MyPlansState,
    NeedsState,
    OrientationState,
    SafetyPlanState,
)
from .checkin import checkin_page
from .goals import goals_page
from .home import client_home
from .measures import measure_page
from .needs import needs_page
from .notes import client_notes_page
from .orientation import orientation_page
from .tools import safety_plan_page, tools_page

__all__ = [
    "checkin_page",
    "client_home",
    "client_notes_page",
    "goals_page",
    "measure_page",
    "needs_page",
    "orientation_page",
    "register",
    "safety_plan_page",
    "tools_page",
]


def register(app: rx.App) -> None:
    app.add_page(client_home, route=routes.CLIENT_HOME, title="My recovery · IOP",
                 on_load=[ClientHomeState.load, MyPlansState.load])
    app.add_page(checkin_page, route=routes.CLIENT_CHECKIN, title="Daily check-in · IOP", on_load=CheckinState.load)
    app.add_page(goals_page, route=routes.CLIENT_GOALS, title="My goals · IOP", on_load=GoalsState.load)
    app.add_page(needs_page, route=routes.CLIENT_NEEDS, title="My needs · IOP", on_load=NeedsState.load)
    app.add_page(orientation_page, route=routes.CLIENT_ORIENTATION, title="Orientation · IOP",
                 on_load=OrientationState.load)
    app.add_page(measure_page, route=routes.CLIENT_MEASURE, title="Questionnaire · IOP",
                 on_load=MeasureFormState.load)
    app.add_page(tools_page, route=routes.CLIENT_TOOLS, title="My recovery tools · IOP", on_load=ClientToolsState.load)
    app.add_page(client_notes_page, route=routes.CLIENT_NOTES, title="My progress notes · IOP",
                 on_load=ClientNotesState.load)
    app.add_page(safety_plan_page, route=routes.CLIENT_SAFETY_PLAN, title="My safety plan · IOP",
                 on_load=SafetyPlanState.load)

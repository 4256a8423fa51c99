"""Every URL in the app, in one place."""

from .models.enums import Role

SIGNIN = "/signin"
HOME = "/"  # sends each role to its own home page
DENIED = "/denied"

# Director
DIRECTOR_HOME = "/director"
DIRECTOR_ACCOUNTS = "/director/accounts"
DIRECTOR_AUDIT = "/director/audit"
DIRECTOR_BREAK_GLASS = "/director/break-glass"  # every use of emergency access, to review
DIRECTOR_ORIENTATION = "/director/orientation"  # the orientation checklist's items
DIRECTOR_SCREEN_PANEL = "/director/screen-panel"  # the analytes offered on drug and alcohol screens
DIRECTOR_SUPERVISION = "/director/supervision"  # supervisors, co-signature, who supervises whom

# Therapists and the director (staff)
STAFF_ROSTER = "/staff/roster"
STAFF_CLIENT = "/staff/clients/[client_id]"
# The client's clinical record, one page each (components/record_nav.py links them).
STAFF_CLIENT_INTAKE = "/staff/clients/[client_id]/intake"  # intake, ASAM assessment, orientation
STAFF_CLIENT_PLAN = "/staff/clients/[client_id]/plan"  # treatment plan versions
STAFF_CLIENT_NOTES = "/staff/clients/[client_id]/notes"  # notes and the timeline of services
STAFF_CLIENT_SCREENS = "/staff/clients/[client_id]/screens"  # drug and alcohol screens
STAFF_CLIENT_REFERRALS = "/staff/clients/[client_id]/referrals"  # referrals, closed loop
STAFF_CLIENT_TOOLS = "/staff/clients/[client_id]/tools"  # the client's recovery tools, as staff see them
STAFF_CLIENT_DISCHARGE = "/staff/clients/[client_id]/discharge"  # discharge, aftercare plan, follow-ups
STAFF_RESOURCES = "/staff/resources"  # the community resource directory
STAFF_FOLLOW_UPS = "/staff/follow-ups"  # follow-up contacts after discharge to work through
DIRECTOR_REPORTS = "/director/reports"  # completion, length of stay, follow-up outcomes
STAFF_NOTE = "/staff/notes/[note_id]"  # one progress note: write, sign, addenda, co-sign
STAFF_NOTES = "/staff/notes"  # my unsigned notes, notes awaiting my co-signature
STAFF_GROUPS = "/staff/groups"
STAFF_GROUP = "/staff/groups/[group_id]"
STAFF_SESSION = "/staff/sessions/[session_id]"  # roll call
STAFF_FAMILY_SESSIONS = "/staff/family-sessions"

# Clients
CLIENT_HOME = "/client"
CLIENT_CHECKIN = "/client/checkin"
CLIENT_GOALS = "/client/goals"
CLIENT_NEEDS = "/client/needs"
CLIENT_NOTES = "/client/notes"  # signed progress notes, when the program shows them (client_sees_notes)
CLIENT_PLAN = "/client/plan"  # the client's treatment plan: read it, sign it
CLIENT_ORIENTATION = "/client/orientation"  # orientation items to initial
CLIENT_MEASURE = "/client/measures/[code]"  # one questionnaire, one item per screen
CLIENT_TOOLS = "/client/tools"  # stage of change, decisional balance, urges, relapse prevention
CLIENT_SAFETY_PLAN = "/client/safety-plan"  # one tap from every client page
CLIENT_RESOURCES = "/client/resources"  # referrals and the community directory
CLIENT_SCREENS = "/client/screens"  # the client's own drug and alcohol screens (read only)
CLIENT_FAMILY = "/client/family"  # support people, consents, disclosures, family sessions

# Family members
FAMILY_HOME = "/family"
FAMILY_ACTIVATE = "/family/activate"

ROLE_HOME = {
    Role.CLIENT: CLIENT_HOME,
    Role.THERAPIST: STAFF_ROSTER,
    Role.DIRECTOR: DIRECTOR_HOME,
    Role.FAMILY: FAMILY_HOME,
}


def staff_client(client_id: int) -> str:
    return f"/staff/clients/{client_id}"


def staff_client_intake(client_id: int) -> str:
    return f"/staff/clients/{client_id}/intake"


def staff_client_plan(client_id: int) -> str:
    return f"/staff/clients/{client_id}/plan"


def staff_client_notes(client_id: int) -> str:
    return f"/staff/clients/{client_id}/notes"


def staff_client_screens(client_id: int) -> str:
    return f"/staff/clients/{client_id}/screens"


def staff_client_referrals(client_id: int) -> str:
    return f"/staff/clients/{client_id}/referrals"


def staff_note(note_id: int) -> str:
    return f"/staff/notes/{note_id}"


def staff_group(group_id: int) -> str:
    return f"/staff/groups/{group_id}"


def staff_session(session_id: int) -> str:
    return f"/staff/sessions/{session_id}"


def client_measure(code: str) -> str:
    return f"/client/measures/{code}"


def staff_client_tools(client_id: int) -> str:
    return f"/staff/clients/{client_id}/tools"


def staff_client_discharge(client_id: int) -> str:
    return f"/staff/clients/{client_id}/discharge"

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

# Therapists and the director (staff)
STAFF_ROSTER = "/staff/roster"
STAFF_CLIENT = "/staff/clients/[client_id]"
STAFF_GROUPS = "/staff/groups"
STAFF_GROUP = "/staff/groups/[group_id]"
STAFF_SESSION = "/staff/sessions/[session_id]"  # roll call
STAFF_FAMILY_SESSIONS = "/staff/family-sessions"

# Clients
CLIENT_HOME = "/client"
CLIENT_CHECKIN = "/client/checkin"
CLIENT_GOALS = "/client/goals"
CLIENT_NEEDS = "/client/needs"
CLIENT_MEASURE = "/client/measures/[code]"  # one questionnaire, one item per screen
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


def staff_group(group_id: int) -> str:
    return f"/staff/groups/{group_id}"


def staff_session(session_id: int) -> str:
    return f"/staff/sessions/{session_id}"


def client_measure(code: str) -> str:
    return f"/client/measures/{code}"

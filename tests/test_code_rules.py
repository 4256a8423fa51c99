"""Rules about the code itself (issue #10): role checks go through the User
predicates (actor.is_staff, is_director ...), permissions.require_staff /
require_director and the role tuples in services/permissions.py, not through
string comparisons scattered over the app."""

from __future__ import annotations

import re
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "iop_app"
# Where roles are defined and decided: comparisons belong there.
ALLOWED = (APP / "models", APP / "services" / "permissions.py")
MAX_ROLE_COMPARISONS = 5

ROLE_COMPARISON = re.compile(
    r"\.role\s*(?:==|!=|\bnot\s+in\b|\bin\b)"  # actor.role == "x", user.role in (...)
    r"|\broles\s*=\s*\(\s*[\"']"  # roles=("therapist", ...)
)


def role_comparisons() -> list[str]:
    found = []
    for path in sorted(APP.rglob("*.py")):
        if any(path == allowed or allowed in path.parents for allowed in ALLOWED):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if ROLE_COMPARISON.search(line.split("#", 1)[0]):
                found.append(f"{path.relative_to(APP.parent)}:{number}: {line.strip()}")
    return found


def test_the_pattern_finds_role_comparisons():
    for line in ('if actor.role == "director":', "if user.role != Role.FAMILY:", "ok = actor.role in roles",
                 "if u.role not in STAFF:", 'roles=("therapist", "director"))', "select(User).where(User.role == r)"):
        assert ROLE_COMPARISON.search(line), line
    for line in ("if actor.is_director:", "roles=permissions.STAFF)", 'new_role: str = "client"',
                 "for role in Role:"):
        assert not ROLE_COMPARISON.search(line), line


def test_few_role_comparisons_outside_models_and_permissions():
    found = role_comparisons()
    assert len(found) <= MAX_ROLE_COMPARISONS, "role comparisons outside models/ and services/permissions.py:\n" + (
        "\n".join(found))

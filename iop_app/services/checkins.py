"""The daily check-in (MoodEntry): one per client per program-local day.

Rules:
- the day is the program's local day, never the server's;
- a check-in can be changed on the day it was written; a missed day can be
  filled in up to LATE_DAYS days later and is marked late;
- saving again for a day already checked in edits that check-in (same day only);
- craving >= CRAVING_ALERT or reported use -> the result asks the page to show
  coping suggestions and crisis lines. The therapist-side flag is derived from
  MoodEntry by the roster, so nothing else is stored here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import ClassVar

from pydantic import Field
from sqlmodel import Session, col, select

from ..models import MoodEntry, User, utcnow
from . import audit, inputs, permissions, program, versions
from .errors import ValidationError
from .inputs import ServiceInput

LATE_DAYS = 3
CRAVING_ALERT = 8
MOOD_RANGE = (1, 10)
ANXIETY_RANGE = (0, 10)
CRAVING_RANGE = (0, 10)
SLEEP_RANGE = (0.0, 24.0)
SUBSTANCES_MAX = 200
OTHER_MAX = 200  # the free-text "other" trigger / coping skill
LIST_MAX = 500  # MoodEntry.triggers / .coping, "; "-joined
NOTE_MAX = 2000
SEPARATOR = "; "

COMMON_TRIGGERS: tuple[str, ...] = (
    "stress at work", "conflict at home", "loneliness", "boredom", "payday", "seeing old friends",
    "poor sleep", "pain or feeling unwell", "anger", "celebrations or parties",
)
COMMON_COPING: tuple[str, ...] = (
    "called sponsor", "talked to someone I trust", "went for a walk", "breathing exercise",
    "attended a meeting", "journaling", "urge surfing", "played the tape forward", "ate a meal or rested",
    "prayer or meditation",
)
COPING_SUGGESTIONS: tuple[str, ...] = (
    "Urge surfing: notice the craving rise, peak and pass, like a wave. Most urges fade within 20–30 minutes.",
    "Call or text someone on your support list, or your sponsor, right now.",
    "Change where you are: step outside, walk around the block, or go somewhere safe.",
    "Play the tape forward: picture how tonight and tomorrow go if you use, and if you don't.",
    "Slow breathing: in for 4, hold for 4, out for 6. Repeat for a few minutes.",
    "Eat something, drink water, and rest if you can; hunger and tiredness make cravings louder.",
)
CRISIS_LINES: tuple[tuple[str, str, str], ...] = (
    # name, how to reach it, tel: link
    ("988 Suicide & Crisis Lifeline", "Call or text 988", "tel:988"),
    ("SAMHSA National Helpline (free, confidential, 24/7)", "1-800-662-4357", "tel:18006624357"),
)


@dataclass(frozen=True)
class CheckinView:
    day: date
    mood: int
    anxiety: int
    craving: int
    sleep_hours: float
    used_substance: bool
    substances: str
    triggers: list[str]
    coping: list[str]
    note: str
    late: bool
    editable: bool


@dataclass(frozen=True)
class SaveResult:
    day: date
    created: bool  # False when an existing check-in for that day was edited
    late: bool
    show_support: bool  # craving >= CRAVING_ALERT or reported use


@dataclass(frozen=True)
class TodayStatus:
    today: date
    done_today: bool
    streak: int
    fillable_days: list[date]  # missed days that can still be filled in, newest first


class CheckinInput(ServiceInput, strict=True):
    """The check-in's own values (the day and the lists are checked in save_checkin:
    they depend on today, the admission date and the common lists). Strict: the
    page converts what the browser sent; a "7" or a True is not a mood."""

    blank_if_none = ("substances", "note")

    mood: int = Field(ge=MOOD_RANGE[0], le=MOOD_RANGE[1])
    anxiety: int = Field(ge=ANXIETY_RANGE[0], le=ANXIETY_RANGE[1])
    craving: int = Field(ge=CRAVING_RANGE[0], le=CRAVING_RANGE[1])
    sleep_hours: float = Field(ge=SLEEP_RANGE[0], le=SLEEP_RANGE[1], allow_inf_nan=False)
    used_substance: bool
    substances: str = Field("", max_length=SUBSTANCES_MAX)
    note: str = Field("", max_length=NOTE_MAX)

    messages: ClassVar[dict[str, str]] = {
        "mood": "Mood is a whole number from 1 to 10.",
        "mood:missing": "Please enter your mood, 1 to 10.",
        "anxiety": "Anxiety is a whole number from 0 to 10.",
        "anxiety:missing": "Please enter your anxiety, 0 to 10.",
        "craving": "Craving is a whole number from 0 to 10.",
        "craving:missing": "Please enter your craving, 0 to 10.",
        "sleep_hours": "Hours slept is a number from 0 to 24.",
        "sleep_hours:missing": "Please enter how many hours you slept, 0 to 24.",
        "used_substance": "Answer yes or no.",
        "substances": f"Up to {SUBSTANCES_MAX} characters, please (this is {{length}}).",
        "substances:type": "Write what you used as text.",
        "note": f"The note can be up to {NOTE_MAX} characters (this one is {{length}}).",
        "note:type": "The note must be text.",
    }


def split_list(text: str) -> list[str]:
    return [part.strip() for part in (text or "").split(";") if part.strip()]


def needs_support(craving: int, used_substance: bool) -> bool:
    return craving >= CRAVING_ALERT or bool(used_substance)


def _choices(values, other, common: tuple[str, ...], field_name: str, what: str, errors: dict) -> str:
    if values is None:
        values = []
    if not isinstance(values, (list, tuple)) or not all(isinstance(v, str) for v in values):
        errors[field_name] = f"Pick {what} from the list."
        return ""
    if any(v not in common for v in values):
        errors[field_name] = f"Pick {what} from the list, or write your own under Other."
        return ""
    if other is None:
        other = ""
    if not isinstance(other, str):
        errors[field_name] = "Other must be text."
        return ""
    other = other.strip().replace(";", ",")
    if len(other) > OTHER_MAX:
        errors[field_name] = f"Other can be up to {OTHER_MAX} characters (this is {len(other)})."
        return ""
    chosen = [v for v in common if v in values]  # list order, no duplicates
    if other:
        chosen.append(other)
    joined = SEPARATOR.join(chosen)
    if len(joined) > LIST_MAX:
        errors[field_name] = f"Together these can be up to {LIST_MAX} characters; please shorten Other."
        return ""
    return joined


def save_checkin(
    session: Session,
    actor: User,
    client_id: int,
    *,
    day: date,
    mood: int,
    anxiety: int,
    craving: int,
    sleep_hours: float,
    used_substance: bool = False,
    substances: str = "",
    triggers: list[str] | None = None,
    trigger_other: str = "",
    coping: list[str] | None = None,
    coping_other: str = "",
    note: str = "",
    today: date | None = None,
) -> SaveResult:
    """Create or (the same day) edit the check-in for `day`. Every field is checked;
    any error raises ValidationError with a message per field and saves nothing."""
    client = permissions.require(session, actor, permissions.WRITE, client_id, what="checkin.save")
    today = today or program.local_today(session)
    errors: dict[str, str] = {}

    if not isinstance(day, date) or isinstance(day, datetime):
        errors["day"] = "Choose the day this check-in is for."
    elif day > today:
        errors["day"] = "That day hasn't happened yet. You can check in for today or the last few days."
    elif day < today - timedelta(days=LATE_DAYS):
        errors["day"] = f"A missed day can be filled in up to {LATE_DAYS} days later."
    elif day < client.admission_date:
        errors["day"] = "That day is before you joined the program."

    try:
        given = inputs.validate(CheckinInput, mood=mood, anxiety=anxiety, craving=craving, sleep_hours=sleep_hours,
                                used_substance=used_substance, substances=substances, note=note)
    except ValidationError as exc:
        errors.update(exc.errors)
        given = None
    triggers_text = _choices(triggers, trigger_other, COMMON_TRIGGERS, "triggers", "triggers", errors)
    coping_text = _choices(coping, coping_other, COMMON_COPING, "coping", "coping skills", errors)

    existing = None
    if "day" not in errors:
        existing = session.exec(select(MoodEntry).where(MoodEntry.client_id == client_id,
                                                        MoodEntry.day == day)).first()
        if existing is not None and not _editable(session, existing, today):
            errors["day"] = ("You already checked in for that day. A check-in can be changed only on the "
                             "day it was written.")
    if errors or given is None:
        raise ValidationError(errors)
    mood, anxiety, craving, used_substance = given.mood, given.anxiety, given.craving, given.used_substance
    note = given.note
    sleep_hours = round(given.sleep_hours, 1)
    substances = given.substances if used_substance else ""

    now = utcnow()
    if existing is not None:  # a same-day edit: the note it replaces is kept
        versions.keep_earlier(session, actor, "mood_entry", existing.id, "note", existing.note, note, now)
    entry = existing or MoodEntry(client_id=client_id, day=day, mood=mood, anxiety=anxiety, craving=craving,
                                  sleep_hours=sleep_hours, late=day < today, created_at=now)
    entry.mood, entry.anxiety, entry.craving, entry.sleep_hours = mood, anxiety, craving, sleep_hours
    entry.used_substance = used_substance
    entry.substances = substances
    entry.triggers = triggers_text
    entry.coping = coping_text
    entry.note = note
    entry.updated_at = now
    session.add(entry)
    session.flush()
    support = needs_support(craving, used_substance)
    audit.record(session, actor, "checkin.update" if existing else "checkin.create", client_id=client_id,
                 target=f"mood_entry:{entry.id}",
                 detail=f"day {day.isoformat()}" + (" late" if entry.late else "")
                 + (" support shown" if support else ""))
    session.commit()
    return SaveResult(day=day, created=existing is None, late=entry.late, show_support=support)


def _editable(session: Session, entry: MoodEntry, today: date) -> bool:
    """A check-in can be changed on the program-local day it was written."""
    return program.to_local(entry.created_at, program.program_tz(session)).date() == today


def get_checkin(session: Session, actor: User, client_id: int, day: date,
                today: date | None = None) -> CheckinView | None:
    permissions.require(session, actor, permissions.READ, client_id, what="checkin.view")
    today = today or program.local_today(session)
    if not isinstance(day, date):
        return None
    entry = session.exec(select(MoodEntry).where(MoodEntry.client_id == client_id, MoodEntry.day == day)).first()
    if entry is None:
        return None
    return CheckinView(entry.day, entry.mood, entry.anxiety, entry.craving, entry.sleep_hours, entry.used_substance,
                       entry.substances, split_list(entry.triggers), split_list(entry.coping), entry.note,
                       entry.late, _editable(session, entry, today))


def _streak(days: set[date], today: date) -> int:
    """Consecutive days checked in, ending today (or yesterday while today is still open)."""
    cursor = today if today in days else today - timedelta(days=1)
    count = 0
    while cursor in days:
        count += 1
        cursor -= timedelta(days=1)
    return count


def today_status(session: Session, actor: User, client_id: int, today: date | None = None) -> TodayStatus:
    """Done today?, current streak, and the missed days that can still be filled in."""
    client = permissions.require(session, actor, permissions.READ, client_id, what="checkin.view")
    today = today or program.local_today(session)
    days = set(session.exec(select(MoodEntry.day).where(MoodEntry.client_id == client_id,
                                                        MoodEntry.day >= today - timedelta(days=400),
                                                        MoodEntry.day <= today)).all())
    # Streaks longer than the window are rare; extend the window only then.
    streak = _streak(days, today)
    if streak >= 399:
        days = set(session.exec(select(MoodEntry.day).where(MoodEntry.client_id == client_id,
                                                            MoodEntry.day <= today)).all())
        streak = _streak(days, today)
    fillable = [today - timedelta(days=n) for n in range(1, LATE_DAYS + 1)
                if today - timedelta(days=n) not in days and today - timedelta(days=n) >= client.admission_date]
    return TodayStatus(today=today, done_today=today in days, streak=streak, fillable_days=fillable)


def recent(session: Session, actor: User, client_id: int, days: int = 14,
           today: date | None = None) -> list[CheckinView]:
    """Check-ins of the last `days` days, newest first."""
    permissions.require(session, actor, permissions.READ, client_id, what="checkin.view")
    today = today or program.local_today(session)
    tz = program.program_tz(session)
    entries = session.exec(select(MoodEntry).where(MoodEntry.client_id == client_id,
                                                   MoodEntry.day > today - timedelta(days=max(1, min(days, 400))),
                                                   MoodEntry.day <= today)
                           .order_by(col(MoodEntry.day).desc())).all()
    return [CheckinView(e.day, e.mood, e.anxiety, e.craving, e.sleep_hours, e.used_substance, e.substances,
                        split_list(e.triggers), split_list(e.coping), e.note, e.late,
                        program.to_local(e.created_at, tz).date() == today)
            for e in entries]

"""Readiness to change: URICA and the Readiness Ruler."""

from __future__ import annotations

from .schema import Instrument, Item, Option, Subscale, Total, numbered, options

URICA = Instrument(
    code="urica",
    name="URICA",
    title="University of Rhode Island Change Assessment",
    instructions=(
        "Each statement describes how a person might feel when starting therapy or approaching problems in "
        "their lives. Please indicate the extent to which you tend to agree or disagree with each statement. "
        "In each case, make your choice in terms of how you feel right now, not what you have felt in the past "
        "or would like to feel. “Here” refers to the place of treatment or the program."
    ),
    items=numbered((
        "As far as I'm concerned, I don't have any problems that need changing.",
        "I think I might be ready for some self-improvement.",
        "I am doing something about the problems that had been bothering me.",
        "It might be worthwhile to work on my problem.",
        "I'm not the problem one. It doesn't make much sense for me to be here.",
        "It worries me that I might slip back on a problem I have already changed, so I am here to seek help.",
        "I am finally doing some work on my problem.",
        "I've been thinking that I might want to change something about myself.",
        "I have been successful in working on my problem but I'm not sure I can keep up the effort on my own.",
        "At times my problem is difficult, but I'm working on it.",
        "Being here is pretty much a waste of time for me because the problem doesn't have to do with me.",
        "I'm hoping this place will help me to better understand myself.",
        "I guess I have faults, but there's nothing that I really need to change.",
        "I am really working hard to change.",
        "I have a problem and I really think I should work at it.",
        "I'm not following through with what I had already changed as well as I had hoped, and I'm here to "
        "prevent a relapse of the problem.",
        "Even though I'm not always successful in changing, I am at least working on my problem.",
        "I thought once I had resolved my problem I would be free of it, but sometimes I still find myself "
        "struggling with it.",
        "I wish I had more ideas on how to solve the problem.",
        "I have started working on my problems but I would like help.",
        "Maybe this place will be able to help me.",
        "I may need a boost right now to help me maintain the changes I've already made.",
        "I may be part of the problem, but I don't really think I am.",
        "I hope that someone here will have some good advice for me.",
        "Anyone can talk about changing; I'm actually doing something about it.",
        "All this talk about psychology is boring. Why can't people just forget about their problems?",
        "I'm here to prevent myself from having a relapse of my problem.",
        "It is frustrating, but I feel I might be having a recurrence of a problem I thought I had resolved.",
        "I have worries but so does the next guy. Why spend time thinking about them?",
        "I am actively working on my problem.",
        "I would rather cope with my faults than try to change them.",
        "After all I had done to try to change my problem, every now and again it comes back to haunt me.",
    ), options("Strongly disagree", "Disagree", "Undecided", "Agree", "Strongly agree", start=1)),
    # Means of seven items per stage (the Project MATCH readiness scoring).
    subscales=(
        Subscale("precontemplation", "Precontemplation", (1, 5, 11, 13, 23, 26, 29), method="mean"),
        Subscale("contemplation", "Contemplation", (2, 8, 12, 15, 19, 21, 24), method="mean"),
        Subscale("action", "Action", (3, 7, 10, 14, 17, 25, 30), method="mean"),
        Subscale("maintenance", "Maintenance", (6, 16, 18, 22, 27, 28, 32), method="mean"),
    ),
    # Readiness = C + A + M − PC, from −2 (least ready) to 14.
    total=Total(
        -2, 14,
        subscale_weights=(("contemplation", 1), ("action", 1), ("maintenance", 1), ("precontemplation", -1)),
        label="Readiness to change",
    ),
    source=(
        "McConnaughy EA, Prochaska JO, Velicer WF. Stages of change in psychotherapy: measurement and sample "
        "profiles. Psychotherapy: Theory, Research and Practice. 1983;20(3):368-375. Readiness score: "
        "DiClemente CC, Schlundt D, Gemmell L. Am J Addict. 2004;13(2):103-119 (Project MATCH)."
    ),
    licence=(
        "Published in the research literature and distributed free of charge by its authors' laboratories "
        "(URI Cancer Prevention Research Center; UMBC Habits Lab) for clinical and research use, with credit "
        "to the authors."
    ),
    credit=(
        "URICA: E.A. McConnaughy, J.O. Prochaska, W.F. Velicer and C.C. DiClemente, "
        "University of Rhode Island Change Assessment."
    ),
    notes=(
        "Items 4, 9, 20 and 31 are unscored (the 28-item scoring) but are items of the form, so they must "
        "still be answered 1–5. Subscales are the unrounded means of their seven items; readiness is the "
        "unrounded C + A + M − PC."
    ),
)



def _scale(lowest: str, highest: str) -> tuple[Option, ...]:
    """0–10, the ends labelled."""
    return (Option(0, f"0 ({lowest})"),) + options(*map(str, range(1, 10)), start=1) + (Option(10, f"10 ({highest})"),)


RULER = Instrument(
    code="ruler",
    name="Readiness Ruler",
    title="Readiness Ruler (importance and confidence)",
    instructions="Think about the change you are working on, such as your use of alcohol or drugs.",
    items=(
        Item(1, "On a scale from 0 to 10, how important is it for you to make this change?",
             _scale("not at all important", "extremely important")),
        Item(2, "On a scale from 0 to 10, how confident are you that you could make this change?",
             _scale("not at all confident", "extremely confident")),
    ),
    source=(
        "Miller WR, Rollnick S. Motivational Interviewing: Helping People Change. 3rd ed. New York: Guilford "
        "Press; 2013 (importance and confidence rulers)."
    ),
    licence="A motivational-interviewing technique, not a copyrighted form; this wording is the program's own.",
    notes="Two answers, 0–10 each, read as given: no total, band or subscale.",
)

"""Depression, anxiety and posttraumatic stress: PHQ-9, GAD-7, PCL-5.

All three are free to reproduce, so their wording ships in full.
"""

from __future__ import annotations

from .schema import Instrument, ItemAlert, Loinc, Screen, Subscale, Total, bands, numbered, options

# The PHQ screeners' own footer, which asks to be kept with the items.
PHQ_CREDIT = (
    "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, "
    "with an educational grant from Pfizer Inc. No permission required to reproduce, translate, "
    "display or distribute."
)
PHQ_LICENCE = (
    "Free to use: Pfizer, the copyright holder, lets anyone reproduce, translate, display or "
    "distribute the PHQ screeners without permission or charge."
)

TWO_WEEKS = options("Not at all", "Several days", "More than half the days", "Nearly every day")


def phq_screener(*, items: tuple[str, ...], **fields) -> Instrument:
    """A PHQ screener (PHQ-9, GAD-7): every item (its text here) answered on the
    two-week scale, the total their sum, under the screeners' licence and credit line."""
    return Instrument(
        items=numbered(items, TWO_WEEKS),
        total=Total(0, len(items) * TWO_WEEKS[-1].value, items=tuple(range(1, len(items) + 1))),
        licence=PHQ_LICENCE,
        credit=PHQ_CREDIT,
        **fields,
    )


PHQ9 = phq_screener(
    code="phq9",
    name="PHQ-9",
    title="Patient Health Questionnaire-9 (depression)",
    instructions="Over the last 2 weeks, how often have you been bothered by any of the following problems?",
    items=(
        "Little interest or pleasure in doing things",
        "Feeling down, depressed, or hopeless",
        "Trouble falling or staying asleep, or sleeping too much",
        "Feeling tired or having little energy",
        "Poor appetite or overeating",
        "Feeling bad about yourself — or that you are a failure or have let yourself or your family down",
        "Trouble concentrating on things, such as reading the newspaper or watching television",
        "Moving or speaking so slowly that other people could have noticed? Or the opposite — being so "
        "fidgety or restless that you have been moving around a lot more than usual",
        "Thoughts that you would be better off dead or of hurting yourself in some way",
    ),
    bands=bands(27, (0, "minimal"), (5, "mild"), (10, "moderate"), (15, "moderately severe"), (20, "severe")),
    alerts=(
        ItemAlert(9, 0, "PHQ-9 item 9 (thoughts of being better off dead or of self-harm) answered above 0: "
                        "assess safety today."),
    ),
    source=(
        "Kroenke K, Spitzer RL, Williams JBW. The PHQ-9: validity of a brief depression severity measure. "
        "J Gen Intern Med. 2001;16(9):606-613."
    ),
    loinc=Loinc(panel="44249-1", total="44261-6"),
    notes=(
        "The form's closing question on how difficult the problems made life is not one of the nine "
        "scored items and is not asked here. Any answer above 0 to item 9 raises an alert, whatever the total."
    ),
)

GAD7 = phq_screener(
    code="gad7",
    name="GAD-7",
    title="Generalized Anxiety Disorder-7",
    instructions="Over the last 2 weeks, how often have you been bothered by the following problems?",
    items=(
        "Feeling nervous, anxious, or on edge",
        "Not being able to stop or control worrying",
        "Worrying too much about different things",
        "Trouble relaxing",
        "Being so restless that it is hard to sit still",
        "Becoming easily annoyed or irritable",
        "Feeling afraid, as if something awful might happen",
    ),
    bands=bands(21, (0, "minimal"), (5, "mild"), (10, "moderate"), (15, "severe")),
    source=(
        "Spitzer RL, Kroenke K, Williams JBW, Löwe B. A brief measure for assessing generalized anxiety "
        "disorder: the GAD-7. Arch Intern Med. 2006;166(10):1092-1097."
    ),
    loinc=Loinc(panel="69737-5", total="70274-6"),
)

PCL5 = Instrument(
    code="pcl5",
    name="PCL-5",
    title="PTSD Checklist for DSM-5",
    instructions=(
        "Below is a list of problems that people sometimes have in response to a very stressful experience. "
        "Please read each problem carefully and then select one of the options to indicate how much you have "
        "been bothered by that problem in the past month. In the past month, how much were you bothered by:"
    ),
    items=numbered((
        "Repeated, disturbing, and unwanted memories of the stressful experience?",
        "Repeated, disturbing dreams of the stressful experience?",
        "Suddenly feeling or acting as if the stressful experience were actually happening again "
        "(as if you were actually back there reliving it)?",
        "Feeling very upset when something reminded you of the stressful experience?",
        "Having strong physical reactions when something reminded you of the stressful experience "
        "(for example, heart pounding, trouble breathing, sweating)?",
        "Avoiding memories, thoughts, or feelings related to the stressful experience?",
        "Avoiding external reminders of the stressful experience (for example, people, places, conversations, "
        "activities, objects, or situations)?",
        "Trouble remembering important parts of the stressful experience?",
        "Having strong negative beliefs about yourself, other people, or the world (for example, having "
        "thoughts such as: I am bad, there is something seriously wrong with me, no one can be trusted, "
        "the world is completely dangerous)?",
        "Blaming yourself or someone else for the stressful experience or what happened after it?",
        "Having strong negative feelings such as fear, horror, anger, guilt, or shame?",
        "Loss of interest in activities that you used to enjoy?",
        "Feeling distant or cut off from other people?",
        "Trouble experiencing positive feelings (for example, being unable to feel happiness or have loving "
        "feelings for people close to you)?",
        "Irritable behavior, angry outbursts, or acting aggressively?",
        "Taking too many risks or doing things that could cause you harm?",
        'Being "superalert" or watchful or on guard?',
        "Feeling jumpy or easily startled?",
        "Having difficulty concentrating?",
        "Trouble falling or staying asleep?",
    ), options("Not at all", "A little bit", "Moderately", "Quite a bit", "Extremely")),
    total=Total(0, 80, items=tuple(range(1, 21))),
    screen=Screen(cutoff=33),
    # DSM-5 symptom clusters, each the sum of its items.
    subscales=(
        Subscale("B", "Intrusion (cluster B)", (1, 2, 3, 4, 5)),
        Subscale("C", "Avoidance (cluster C)", (6, 7)),
        Subscale("D", "Negative alterations in cognitions and mood (cluster D)", (8, 9, 10, 11, 12, 13, 14)),
        Subscale("E", "Alterations in arousal and reactivity (cluster E)", (15, 16, 17, 18, 19, 20)),
    ),
    source=(
        "Weathers FW, Litz BT, Keane TM, Palmieri PA, Marx BP, Schnurr PP. The PTSD Checklist for DSM-5 "
        "(PCL-5), standard version, 2013. National Center for PTSD, www.ptsd.va.gov."
    ),
    licence="Public domain: written by staff of the U.S. Department of Veterans Affairs National Center for PTSD.",
    notes="Positive (a provisional PTSD screen) at a total of 33 or more, the National Center for PTSD's cutoff.",
)

"""Alcohol and drugs: AUDIT, AUDIT-C, DAST-10, BAM."""

from __future__ import annotations

from .schema import Instrument, Item, Loinc, Option, Screen, Subscale, Total, bands, options

# --- AUDIT and AUDIT-C (WHO) ---------------------------------------------------

AUDIT_LICENCE = (
    "© World Health Organization 2001. WHO permits reproduction of the AUDIT for non-commercial "
    "purposes, such as this program's own care of its clients; commercial use needs WHO's permission."
)
HOW_OFTEN = options("Never", "Less than monthly", "Monthly", "Weekly", "Daily or almost daily")
# Items 9 and 10 have three answers worth 0, 2 and 4.
NO_BEFORE_RECENT = (
    Option(0, "No"),
    Option(2, "Yes, but not in the last year"),
    Option(4, "Yes, during the last year"),
)

AUDIT_CONSUMPTION = (
    Item(1, "How often do you have a drink containing alcohol?",
         options("Never", "Monthly or less", "2 to 4 times a month", "2 to 3 times a week", "4 or more times a week")),
    Item(2, "How many drinks containing alcohol do you have on a typical day when you are drinking?",
         options("1 or 2", "3 or 4", "5 or 6", "7, 8, or 9", "10 or more")),
    Item(3, "How often do you have six or more drinks on one occasion?", HOW_OFTEN),
)

AUDIT = Instrument(
    code="audit",
    name="AUDIT",
    title="Alcohol Use Disorders Identification Test",
    instructions=(
        "These questions are about your use of alcoholic beverages during the past year. "
        "A “drink” means one standard drink. Please choose the answer that is correct for you."
    ),
    items=AUDIT_CONSUMPTION + (
        Item(4, "How often during the last year have you found that you were not able to stop drinking once "
                "you had started?", HOW_OFTEN),
        Item(5, "How often during the last year have you failed to do what was normally expected from you "
                "because of drinking?", HOW_OFTEN),
        Item(6, "How often during the last year have you needed a first drink in the morning to get yourself "
                "going after a heavy drinking session?", HOW_OFTEN),
        Item(7, "How often during the last year have you had a feeling of guilt or remorse after drinking?",
             HOW_OFTEN),
        Item(8, "How often during the last year have you been unable to remember what happened the night before "
                "because you had been drinking?", HOW_OFTEN),
        Item(9, "Have you or someone else been injured as a result of your drinking?", NO_BEFORE_RECENT),
        Item(10, "Has a relative or friend or a doctor or another health worker been concerned about your "
                 "drinking or suggested you cut down?", NO_BEFORE_RECENT),
    ),
    total=Total(0, 40, items=tuple(range(1, 11))),
    # WHO's risk levels (zones) from the AUDIT manual.
    bands=bands(40, (0, "zone I"), (8, "zone II"), (16, "zone III"), (20, "zone IV")),
    source=(
        "Babor TF, Higgins-Biddle JC, Saunders JB, Monteiro MG. AUDIT: The Alcohol Use Disorders "
        "Identification Test. Guidelines for Use in Primary Care. 2nd ed. Geneva: World Health "
        "Organization; 2001 (WHO/MSD/MSB/01.6a)."
    ),
    licence=AUDIT_LICENCE,
    credit="AUDIT © World Health Organization 2001.",
    notes="Items 9 and 10 are answered 0, 2 or 4 only; any other value is refused.",
)

AUDITC = Instrument(
    code="auditc",
    name="AUDIT-C",
    title="AUDIT-Consumption (AUDIT items 1–3)",
    instructions=AUDIT.instructions,
    items=AUDIT_CONSUMPTION,
    total=Total(0, 12, items=(1, 2, 3)),
    screen=Screen(cutoff=4, cutoff_by_sex=(("female", 3),)),
    source=(
        "Bush K, Kivlahan DR, McDonell MB, Fihn SD, Bradley KA. The AUDIT alcohol consumption questions "
        "(AUDIT-C). Arch Intern Med. 1998;158(16):1789-1795. Items from the WHO AUDIT (Babor et al. 2001)."
    ),
    licence=AUDIT_LICENCE,
    credit=AUDIT.credit,
    loinc=Loinc(total="75626-2"),
    notes=(
        "Positive at a total of 3 or more when scored with sex=\"female\", otherwise (sex \"male\" or not "
        "given) at 4 or more."
    ),
)

# --- DAST-10 -----------------------------------------------------------------

DAST10 = Instrument(
    code="dast10",
    name="DAST-10",
    title="Drug Abuse Screening Test (10 items)",
    instructions=(
        "The following questions concern information about your possible involvement with drugs not "
        "including alcoholic beverages during the past 12 months. “Drug abuse” refers to (1) the use of "
        "prescribed or over-the-counter drugs in excess of the directions, and (2) any nonmedical use of "
        "drugs. The various classes of drugs may include cannabis (marijuana, hashish), solvents (e.g., paint "
        "thinner), tranquilizers (e.g., Valium), barbiturates, cocaine, stimulants (e.g., speed), "
        "hallucinogens (e.g., LSD) or narcotics (e.g., heroin). Remember that the questions do not include "
        "alcoholic beverages. Please answer every question. If you have difficulty with a statement, then "
        "choose the response that is mostly right."
    ),
    items=tuple(
        Item(number, text, (Option(0, "No"), Option(1, "Yes")), points=((0, 1), (1, 0)) if number == 3 else ())
        for number, text in enumerate((
            "Have you used drugs other than those required for medical reasons?",
            "Do you abuse more than one drug at a time?",
            "Are you always able to stop using drugs when you want to? (If you never use drugs, answer “Yes.”)",
            "Have you had “blackouts” or “flashbacks” as a result of drug use?",
            "Do you ever feel bad or guilty about your drug use? (If you never use drugs, choose “No.”)",
            "Does your spouse (or parents) ever complain about your involvement with drugs?",
            "Have you neglected your family because of your use of drugs?",
            "Have you engaged in illegal activities in order to obtain drugs?",
            "Have you ever experienced withdrawal symptoms (felt sick) when you stopped taking drugs?",
            "Have you had medical problems as a result of your drug use (e.g., memory loss, hepatitis, "
            "convulsions, bleeding, etc.)?",
        ), start=1)
    ),
    total=Total(0, 10, items=tuple(range(1, 11))),
    bands=bands(10, (0, "none"), (1, "low"), (3, "moderate"), (6, "substantial"), (9, "severe")),
    source="Skinner HA. The Drug Abuse Screening Test. Addict Behav. 1982;7(4):363-371.",
    licence=(
        "Copyright 1982 Harvey A. Skinner and the Centre for Addiction and Mental Health, Toronto. "
        "Reproduction for non-commercial clinical, research and training use is permitted provided the "
        "author is credited, so the credit line must be shown with the items."
    ),
    credit="DAST-10 © 1982 Harvey A. Skinner, PhD, and the Centre for Addiction and Mental Health, Toronto, Canada.",
    notes=(
        "Answers are stored as answered (1 = yes, 0 = no). Each yes scores 1, except item 3, which scores 1 "
        "when answered no."
    ),
)

# --- BAM (VA) ------------------------------------------------------------------

# The BAM's own answer wording; every item is stored 0–4 (item 14: 0 or 4).
HEALTH = options("Excellent", "Very good", "Good", "Fair", "Poor")
DAYS = options("0", "1–3", "4–8", "9–15", "16–30")
EXTENT = options("Not at all", "Slightly", "Moderately", "Considerably", "Extremely")

BAM = Instrument(
    code="bam",
    name="BAM",
    title="Brief Addiction Monitor",
    instructions=(
        "This is a standard set of questions about several areas of your life such as your health, alcohol "
        "and drug use, etc. The questions generally ask about the past 30 days. Please consider each question "
        "and answer as accurately as possible."
    ),
    items=(
        Item(1, "In the past 30 days, how would you say your physical health has been?", HEALTH),
        Item(2, "In the past 30 days, how many nights did you have trouble falling asleep or staying asleep?", DAYS),
        Item(3, "In the past 30 days, how many days have you felt depressed, anxious, angry or very upset "
                "throughout most of the day?", DAYS),
        Item(4, "In the past 30 days, how many days did you drink ANY alcohol?", DAYS),
        Item(5, "In the past 30 days, how many days did you have at least 5 drinks (if you are a man) or at least "
                "4 drinks (if you are a woman)? [One drink is considered one shot of hard liquor (1.5 oz.) or "
                "12-ounce can/bottle of beer or 5 ounce glass of wine.]", DAYS),
        Item(6, "In the past 30 days, how many days did you use any illegal/street drugs or abuse any prescription "
                "medications?", DAYS),
        Item(7, "In the past 30 days, how many days did you use any of the following drugs?", DAYS,
             optional=True,
             parts=(
                 "7A. Marijuana (cannabis, pot, weed)",
                 "7B. Sedatives/Tranquilizers (e.g., “benzos”, Valium, Xanax, Ativan, Ambien, “barbs”, "
                 "Phenobarbital, downers, etc.)",
                 "7C. Cocaine/Crack",
                 "7D. Other stimulants (e.g., amphetamine, methamphetamine, Dexedrine, Ritalin, Adderall, "
                 "“speed”, “crystal meth”, “ice”, etc.)",
                 "7E. Opiates (e.g., heroin, morphine, Dilaudid, Demerol, Oxycontin, oxy, codeine (Tylenol 2,3,4), "
                 "Percocet, Vicodin, fentanyl, etc.)",
                 "7F. Inhalants (glues, adhesives, nail polish remover, paint thinner, etc.)",
                 "7G. Other drugs (steroids, non-prescription sleep/diet pills, Benadryl, Ephedra, other "
                 "over-the-counter/unknown medications)",
             ),
             note=(
                 "Optional and unscored: it only elaborates item 6. The form asks 7A–7G one by one; with one "
                 "answer per item, item 7 holds the most days reported for any one of them."
             )),
        Item(8, "In the past 30 days, how much were you bothered by cravings or urges to drink alcohol or use "
                "drugs?", EXTENT),
        Item(9, "How confident are you in your ability to be completely abstinent (clean) from alcohol and drugs "
                "in the next 30 days?", EXTENT),
        Item(10, "In the past 30 days, how many days did you attend self-help meetings like AA or NA to support "
                 "your recovery?", DAYS),
        Item(11, "In the past 30 days, how many days were you in any situations or with any people that might put "
                 "you at an increased risk for using alcohol or drugs (i.e., around risky “people, places or "
                 "things”)?", DAYS),
        Item(12, "Does your religion or spirituality help support your recovery?", EXTENT),
        Item(13, "In the past 30 days, how many days did you spend much of the time at work, school, or doing "
                 "volunteer work?", DAYS),
        Item(14, "Do you have enough income (from legal sources) to pay for necessities such as housing, "
                 "transportation, food and clothing for yourself and your dependents?",
             (Option(0, "No"), Option(4, "Yes"))),
        Item(15, "In the past 30 days, how much have you been bothered by arguments or problems getting along "
                 "with any family members or friends?", EXTENT),
        Item(16, "In the past 30 days, how many days were you in contact or spent time with any family members "
                 "or friends who are supportive of your recovery?", DAYS),
        Item(17, "How satisfied are you with your progress toward achieving your recovery goals?", EXTENT,
             optional=True, note="Unscored: read on its own as the client's view of their progress."),
    ),
    subscales=(
        Subscale("use", "Use", (4, 5, 6)),
        Subscale("risk", "Risk factors", (1, 2, 3, 8, 11, 15)),
        Subscale("protective", "Protective factors", (9, 10, 12, 13, 14, 16)),
    ),
    source=(
        "Cacciola JS, Alterman AI, DePhilippis D, Drapkin ML, Valadez C Jr, Fala NC, Oslin D, McKay JR. "
        "Development and initial evaluation of the Brief Addiction Monitor (BAM). J Subst Abuse Treat. "
        "2013;44(3):256-263. U.S. Department of Veterans Affairs."
    ),
    licence="Public domain: developed by the U.S. Department of Veterans Affairs; free to reproduce.",
    notes=(
        "No total score: the BAM is read by item and by its three subscale sums (higher use and risk are "
        "worse, higher protective is better). Items 7 and 17 are unscored and may be left unanswered; if "
        "answered they must be one of their options. Item 14 is answered No (0) or Yes (4) only."
    ),
)

"""Interventions on real abstract sentences: names without dose or route, kind, role, one per intervention."""
import pytest

SEED_000_REGIMEN = (
    "The primary objective of this study (NCT01884571) was to assess the rate of clinical response to the "
    "same immunosuppressive regimen using basiliximab, tacrolimus, mycophenolate, and prednisone in people with ALS."
)
SEED_004 = (
    "We conducted a single-center open phase II clinical trial to evaluate the safety and clinical effects of "
    "repeated intravenous injections of an allogenic Muse cell-based product, CL2020, in patients with ALS. "
    "Five patients with ALS received CL2020 intravenously once a month for a total of six doses. "
    "The CL2020 treatment was highly tolerated without serious side effects."
)


def items(nlp, text):
    return [(i.name, i.kind, i.role) for i in nlp(text)._.interventions]


def test_regimen_list_gives_each_agent_once(nlp):
    assert items(nlp, SEED_000_REGIMEN) == [
        ("basiliximab", "biological", "experimental"),
        ("tacrolimus", "drug", "experimental"),
        ("mycophenolate", "drug", "experimental"),
        ("prednisone", "drug", "experimental"),
    ]


def test_code_name_joins_its_descriptor_as_one_cell_therapy(nlp):
    doc = nlp(SEED_004)
    assert items(nlp, SEED_004) == [("CL2020", "cell-therapy", "experimental")]
    span = doc._.interventions[0].span
    assert doc.text[span.start:span.end] == "CL2020"


def test_earlier_study_is_not_this_studys_intervention(nlp):
    text = ("Participants in the first-in-human trial of intra-spinal allogeneic stem cell therapy for ALS "
            "received immunosuppression, and one participant saw dramatic improvement across multiple outcome measures.")
    assert items(nlp, text) == []


def test_doses_and_routes_are_not_part_of_names_and_comparator_is_control(nlp):
    text = ("Patients were randomly allocated to receive either 0.2 mg/kg oral clonidine or 2 mg oral midazolam. "
            "Sedation was deeper in the clonidine group compared to the midazolam group (P = 0.042).")
    assert items(nlp, text) == [("clonidine", "drug", "experimental"), ("midazolam", "drug", "control")]


def test_placebo_saline_and_control_group_drug(nlp):
    text = ("Patients in the experiment group received β-asarone 10 mg/d, tenuigenin 10 mg/d, and memantine 5–20 mg/d. "
            "Patients in the control group only received memantine 5–20 mg/d.")
    assert items(nlp, text) == [
        ("β-asarone", "drug", "experimental"),
        ("tenuigenin", "drug", "experimental"),
        ("memantine", "drug", "control"),
    ]


@pytest.mark.parametrize("text, expected", [
    ("Fifty-four patients were randomly allocated to two groups of 27 patients who received hypertonic saline 5% "
     "(2.3 ml/kg) or received normal saline (13 ml/kg).",
     [("hypertonic saline", "drug", "experimental"), ("normal saline", "placebo", "control")]),
    ("A total of 282 patients were randomised to 10 cc NaCl 0.9%, 10 cc Bupivacaine 0.5% or 10 cc Ropivacaine "
     "0.75%, compared against placebo.",
     [("Bupivacaine", "drug", "experimental"), ("Ropivacaine", "drug", "experimental"),
      ("placebo", "placebo", "control")]),
])
def test_trial_arms(nlp, text, expected):
    assert items(nlp, text) == expected


def test_words_with_drug_endings_are_not_drugs(nlp):
    text = "Serum creatinine and routine laboratory values were determined at baseline in all patients who were randomized."
    assert items(nlp, text) == []


def test_words_ending_in_cept_are_not_drugs(nlp):
    # EBM-NLP training doc 17179098: "Except" carries the "-cept" stem of etanercept
    text = ("Except for neutropenia and leukopenia, there was no statistically significant excess of grade 3/4 "
            "adverse events compared with CAF.")
    assert items(nlp, text) == []


@pytest.mark.parametrize("text, expected", [
    # Evidence Inference training abstracts PMC1187893 and PMC4221863: the control arm has no other name
    ("They were randomized to a twice weekly supervised one hour exercise intervention for six weeks, or to a "
     "non-intervention control group.",
     [("one hour exercise", "behavioral", "experimental"), ("control group", "other", "control")]),
    ("Seven patients assigned to the study group received RJ, and 6 patients were assigned to the control group.",
     [("RJ", "other", "experimental"), ("control group", "other", "control")]),
])
def test_control_group_is_the_comparator_when_nothing_else_is(nlp, text, expected):
    assert items(nlp, text) == expected


def test_abbreviation_found_alone_is_named_by_its_long_form(nlp):
    # Evidence Inference training abstract PMC2770415: only "SDMI" follows the assignment cue
    text = ("The purpose of this study was to examine the effect of a shared decision-making intervention (SDMI) "
            "for substance-dependent patients on patients' and clinicians' perceptions of therapeutic alliance. "
            "Clinicians were randomly assigned to SDMI or usual procedures to reach a treatment agreement.")
    doc = nlp(text)
    assert items(nlp, text) == [("shared decision-making intervention", "other", "experimental")]
    span = doc._.interventions[0].span
    assert text[span.start:span.end] == "shared decision-making intervention"


def test_ner_name_with_modifiers_is_the_same_intervention():
    """PMC5055753 (gold/): the NER's "preemptive clonidine" is the clonidine arm the rules found."""
    from extract.pipeline import build_pipeline

    text = ("Preemptive Oral Clonidine Provides Better Sedation Than Intravenous Midazolam in Brachial Plexus Nerve "
            "Blocks\n\nOBJECTIVES: To compare the effect of preemptive clonidine with midazolam on intraoperative "
            "sedation, duration of block, and postoperative pain scores. PATIENTS AND METHODS: In a randomized "
            "clinical trial, 80 patients with orthopedic fractures of an upper extremity who underwent "
            "supraclavicular nerve block were randomly assigned to receive 0.2 mg oral clonidine or 2 mg oral "
            "midazolam. CONCLUSIONS: Preemptive clonidine has many marvelous advantages over midazolam.")
    nlp = build_pipeline("none")
    doc = nlp(text)
    start = text.index("preemptive clonidine")
    doc._.entities = [(start, start + len("preemptive clonidine"), "INTERVENTION")]
    names = [i.name for i in nlp.get_pipe("extract_interventions")(doc)._.interventions]
    assert sorted(n.lower() for n in names) == ["clonidine", "midazolam"]


def test_the_abbreviation_of_a_route_is_no_intervention():
    """PMC4861263 (gold/): the NER calls "IVAG" a chemical and an intervention; its long form is a route
    of administration ("intravaginal"), not a treatment."""
    from extract.pipeline import build_pipeline

    text = ("METHODS: In this randomized two center phase I clinical trial we evaluated the systemic and mucosal "
            "immune response to a candidate HIV-1 Clade C CN54gp140 envelope glycoprotein vaccine administered by "
            "intramuscular (IM), intranasal (IN) and intravaginal (IVAG) routes of administration in HIV negative "
            "female volunteers. IM immunizations were co-administered with Glucopyranosyl Lipid Adjuvant (GLA), IN "
            "immunizations with 0.5% chitosan and IVAG immunizations were administered in an aqueous gel.")
    nlp = build_pipeline("none")
    doc = nlp(text)
    starts = [i for i in range(len(text)) if text.startswith("IVAG", i)]
    doc._.entities = sorted((i, i + 4, label) for i in starts for label in ("CHEMICAL", "INTERVENTION"))
    names = [i.name for i in nlp.get_pipe("extract_interventions")(doc)._.interventions]
    assert len(starts) == 2 and "intravaginal" not in names and "IVAG" not in names

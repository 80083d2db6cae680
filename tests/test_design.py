"""Study design (extract_design) through the full pipeline, on real abstract text.

Texts are training material only: the seeds in corpus/, Evidence Inference train ids, BC5CDR
CDR_TrainingSet. Label lists are asserted exactly, in the schema's vocabulary order.
"""
from __future__ import annotations

import typing
from pathlib import Path

import pytest

from extract.schema import DesignLabel

SEEDS = Path(__file__).resolve().parent.parent / "corpus"
SEED_000_TYPES = ["JOURNAL ARTICLE", "MULTICENTER STUDY", "RESEARCH SUPPORT, NON-U.S. GOV'T"]


def design(nlp, text: str, publication_types: list[str] | None = None):
    doc = nlp.make_doc(text)
    doc._.publication_types = publication_types
    doc = nlp(doc)
    return doc._.design, doc


def seed_text(prefix: str) -> str:
    """Title and abstract of a seed web page: the abstract is the longest line, the title the line before."""
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    k = max(range(len(lines)), key=lambda i: len(lines[i]))
    return f"{lines[k - 1]}\n\n{lines[k]}"


# --------------------------------------------------------------------------- the seeds
def test_seed_000_open_label_multicenter_from_header(nlp):
    d, doc = design(nlp, seed_text("000"), SEED_000_TYPES)
    # "first-in-human" is the trial participants came from (another study), so it is not a label.
    assert d.labels == ["open-label", "multicenter"]
    assert d.phase is None
    assert d.registrations == ["NCT01884571"]
    texts = [e.text for e in d.evidence]
    assert "NCT01884571" in texts and any(t.lower().startswith("open") for t in texts)
    assert all(doc.text[e.start:e.end] == e.text for e in d.evidence)


def test_seed_000_without_header_has_no_multicenter(nlp):
    d, _ = design(nlp, seed_text("000"))
    assert d.labels == ["open-label"]


def test_seed_004_single_center_open_phase_2(nlp):
    d, _ = design(nlp, seed_text("004"))
    # "open phase II clinical trial" -> open-label; "a double-blind study ... should be conducted" is
    # future work and the "ALS mouse models" are background: neither gives a label.
    assert d.labels == ["open-label", "single-center"]
    assert d.phase == "2"
    assert d.registrations == []


def test_first_in_human_of_another_trial(nlp):
    d, _ = design(nlp, "Participants in the first-in-human trial of intra-spinal allogeneic stem cell therapy "
                       "for ALS received immunosuppression, and one participant saw dramatic improvement "
                       "across multiple outcome measures.")
    assert d.labels == []


def test_future_double_blind_study(nlp):
    d, _ = design(nlp, "In the near future, a double-blind study of a larger number of ALS patients should be "
                       "conducted to confirm the efficacy of ALS treatment with CL2020.")
    assert d.labels == []


def test_first_in_human_of_this_study(nlp):
    # PMC3775760
    d, _ = design(nlp, "A first-in-human, placebo-controlled, double-blind, dose escalation study was conducted. "
                       "Twenty-three patients with virus suppressed by antiretroviral therapy were enrolled in four "
                       "groups 12 mg (n = 6), 24 mg (n = 6), 48 mg (n = 2) or matching placebo (n = 8).")
    assert d.labels == ["controlled", "placebo-controlled", "double-blind", "first-in-human", "dose-escalation"]


# --------------------------------------------------------------------------- randomized, blinded, controlled
@pytest.mark.parametrize("text, labels", [
    # CDR 12452237
    ("One hundred and thirty-five patients were assigned to one of three groups in a prospective, double "
     "blind, randomized manner.",
     ["randomized", "controlled", "double-blind", "prospective"]),
    # PMC3262135: British spelling, "against placebo"
    ("PURPOSE: In this double-blinded, randomised clinical trial, the aim was to compare the analgesic effects "
     "of low doses of intra-articular Bupivacaine and Ropivacaine against placebo after knee arthroscopy "
     "performed under general anaesthesia.",
     ["randomized", "controlled", "placebo-controlled", "double-blind"]),
    # PMC3150240 (title)
    ("Stress-related psycho-physiological disorders: randomized single blind placebo controlled naturalistic "
     "study of psychometric evaluation using a radio electric asymmetric treatment",
     ["randomized", "controlled", "placebo-controlled", "single-blind"]),
    # PMC4335741
    ("One hundred American Society of Anesthesiologists (ASA) grade I patients scheduled for elective surgery "
     "were enrolled in this prospective, randomized, triple-blinded study.",
     ["randomized", "controlled", "triple-blind", "prospective"]),
    # PMC3263438
    ("A multicentre, randomised, double-blind, parallel-group, placebo-controlled study.",
     ["randomized", "controlled", "placebo-controlled", "double-blind", "parallel-group", "multicenter"]),
    # PMC5653840
    ("We sought to compare pattern recognition and direct control in eight transhumeral amputees who had TMR in "
     "a balanced randomized cross-over study.",
     ["randomized", "controlled", "crossover"]),
    # PMC3895597
    ("In this multicenter, randomized, non-inferiority trial, 287 patients with IBS (143 receiving tiropramide "
     "and 144 octylonium) were randomly allocated to either tiropramide 100 mg or octylonium 20 mg t.i.d "
     "(means 3 times a day) for 4 weeks.",
     ["randomized", "controlled", "multicenter", "non-inferiority"]),
    # PMC2806484 (title)
    ("Rates of virological failure in patients treated in a home-based versus a facility-based HIV-care model "
     "in Jinja, southeast Uganda: a cluster-randomised equivalence trial",
     ["randomized", "controlled", "cluster-randomized", "equivalence"]),
    # PMC2762969
    ("This investigation comprised a two-arm cluster randomized trial conducted in a primary care setting in "
     "Belgium. Primary care physicians (PCPs, n = 120) and their patients with type 2 diabetes mellitus "
     "(n = 2495) were included and subjects were randomly assigned to the intervention arms.",
     ["randomized", "controlled", "cluster-randomized"]),
    # PMC1874716: "were not blinded" -> open-label
    ("45 patients newly diagnosed with OSA were randomized to either telemonitored clinical care or usual "
     "clinical care and were followed for their first 2 months of treatment with CPAP therapy. CPAP therapists "
     "were not blinded to the participants' treatment group.",
     ["randomized", "controlled", "open-label"]),
    # PMC5588713: saline as control, "saline (placebo)"
    ("This was an investigator-initiated, randomized controlled, dose-escalation study in 26 healthy males. "
     "Participants received saline (control) in one lung segment and saline (placebo) or carbon nanoparticles "
     "10 μg, 50 μg, or 100 μg in the contra-lateral lung.",
     ["randomized", "controlled", "placebo-controlled", "dose-escalation"]),
    # PMC5842771: allocation not called random; control group -> controlled
    ("One hundred and fifty-two patients with moderate-to-severe AD were recruited and assigned to two groups. "
     "Patients in the experiment group received β-asarone 10 mg/d, tenuigenin 10 mg/d, and memantine 5–20 mg/d. "
     "Patients in the control group only received memantine 5–20 mg/d.",
     ["controlled"]),
])
def test_trial_labels(nlp, text, labels):
    d, _ = design(nlp, text)
    assert d.labels == labels


def test_open_label_multicentre_phase_2_3(nlp):
    # PMC5337626 (title)
    d, _ = design(nlp, "Peri-operative chemotherapy with or without bevacizumab in operable oesophagogastric "
                       "adenocarcinoma (UK Medical Research Council ST03): primary analysis results of a "
                       "multicentre, open-label, randomised phase 2–3 trial")
    assert d.labels == ["randomized", "controlled", "open-label", "multicenter"]
    assert d.phase == "2/3"


def test_phase_1_2_double_masked_crossover(nlp):
    # PMC1522015
    d, _ = design(nlp, "In a double-masked randomized placebo-controlled phase I/II clinical trial with a "
                       "cross-over design, 34 adult patients with RP were randomized to two groups.")
    assert d.labels == ["randomized", "controlled", "placebo-controlled", "double-blind", "crossover"]
    assert d.phase == "1/2"


@pytest.mark.parametrize("text, labels, phase, registrations", [
    # PMC4320624: the phase heads a long stack of design words
    ("This was a Phase II, randomized, double-blind, double-dummy, crossover, placebo-controlled, dose-ranging "
     "study (ClinicalTrials.gov NCT01425801) in 62 patients with mild-to-moderate asthma who were also receiving "
     "an ICS.", ["randomized", "controlled", "placebo-controlled", "double-blind", "crossover"], "2",
     ["NCT01425801"]),
    # PMC5264222
    ("This is a phase III, randomised, double-blind, parallel-group, multicentre study with a 24-week primary "
     "endpoint.", ["randomized", "controlled", "double-blind", "parallel-group", "multicenter"], "3", []),
])
def test_phase_before_a_stack_of_design_words(nlp, text, labels, phase, registrations):
    d, _ = design(nlp, text)
    assert (d.labels, d.phase, d.registrations) == (labels, phase, registrations)


def test_retrospective_analysis_of_a_randomized_phase_2_trial(nlp):
    # CDR 12627929
    d, _ = design(nlp, "DESIGN: Retrospective analysis of a randomized phase II trial. SETTING: National "
                       "Institutes of Health clinical research center.")
    assert d.labels == ["randomized", "controlled", "retrospective"]
    assert d.phase == "2"


def test_non_randomized_phase_2(nlp):
    # CDR 8305357
    d, _ = design(nlp, "Liposomal daunorubicin in advanced Kaposi's sarcoma: a phase II study.\n\nWe report a "
                       "non-randomized Phase II clinical trial to assess the efficacy and safety of liposomal "
                       "daunorubicin (DaunoXome) in the treatment of AIDS related Kaposi's sarcoma.")
    assert d.labels == ["non-randomized"]
    assert d.phase == "2"


def test_patients_not_randomised_is_not_a_design(nlp):
    # PMC3087029: excluded patients, not a non-randomized design
    d, _ = design(nlp, "In total, 310 patients were included. Sixty-nine patients were not randomised because of "
                       "non-visualisation (n = 6) or TEE risk factors (n = 63).")
    assert d.labels == []


def test_previous_study_is_not_this_study(nlp):
    # PMC4527103
    d, _ = design(nlp, "The effectiveness of a homeopathic syrup on cough has been demonstrated in an adult "
                       "population in a previous double-blind randomized study. The present prospective "
                       "observational study investigated children affected by wet acute cough caused by "
                       "non-complicated URTIs.")
    assert d.labels == ["prospective"]


def test_review_of_own_randomized_studies(nlp):
    # PMC5946268: a narrative review; its randomized phase III studies are the reviewed ones
    d, _ = design(nlp, "Introduction: Se measurement and supplementation in radiation oncology is a controversial "
                       "issue. The German Working Group Trace Elements and Electrolytes in Oncology (AKTE) has "
                       "conducted a number of studies on this issue, which are summarized in this review. Methods: "
                       "We analyzed blood and tissue Se-levels of different tumor patients (n = 512). Two "
                       "randomized phase III clinical studies were conducted for testing a potential radioprotective "
                       "effect of supplemental Se during radiation therapy in patients with uterine cancer (n = 81) "
                       "and head and neck tumor patients (n = 39).")
    assert d.labels == []
    assert d.phase is None


def test_in_vitro_fertilization_is_not_in_vitro(nlp):
    # PMC5471294
    d, _ = design(nlp, "OBJECTIVE: To explore whether the addition of a mid-luteal bolus of GnRH agonist (GnRHa) "
                       "improves the implantation rate (IR) in in vitro fertilization (IVF) cycles.")
    assert d.labels == []


# --------------------------------------------------------------------------- observational, reports, animals
def test_case_series_title_and_background_case_reports(nlp):
    # CDR 17639754: "small prospective studies" and "several case reports" are other work
    text = ("Interaction between warfarin and levofloxacin: case series.\n\nWarfarin is the most widely used oral "
            "anticoagulant and is indicated for many clinical conditions. While small prospective studies have not "
            "revealed any significant drug-drug interaction between warfarin and levofloxacin, several case "
            "reports have indicated that levofloxacin may significantly potentiate the anticoagulation effect of "
            "warfarin. We report 3 cases of serious bleeding complications that appear to be the result of the "
            "interaction between warfarin and levofloxacin.")
    assert design(nlp, text)[0].labels == ["case-series"]


@pytest.mark.parametrize("text", [
    # CDR 11573852
    "OBJECTIVE: To report a case of multiple episodes of seizure activity in an AIDS patent following "
    "amphotericin B infusion.",
    # CDR 18791946
    "A 30-year old Caucasian man reported with abdominal pain and jaundice after 3-day administration of oral "
    "ciprofloxacin for a suspect of urinary tract infection.",
])
def test_case_report(nlp, text):
    assert design(nlp, text)[0].labels == ["case-report"]


def test_animal_randomized_with_saline_control(nlp):
    # CDR 8665051: the "case reports" of the first sentence are other work
    text = ("Effects of acute steroid administration on ventilatory and peripheral muscles in rats.\n\nOccasional "
            "case reports have shown that acute myopathy may occur in patients treated with massive doses of "
            "corticosteroids. The mechanism of this myopathy is poorly understood. Therefore, 60 male rats were "
            "randomly assigned to receive daily injection of saline (C), methylprednisolone (M), or triamcinolone "
            "(T) 80 mg/kg/d for 5 d.")
    assert design(nlp, text)[0].labels == ["randomized", "controlled", "animal"]


@pytest.mark.parametrize("text, labels", [
    # CDR 9579567 (title)
    ("Iatrogenic risks of endometrial carcinoma after treatment for breast cancer in a large French case-control "
     "study.", ["case-control"]),
    # CDR 20331935
    ("A cross-sectional evaluation of the effect of risperidone and selective serotonin reuptake inhibitors on "
     "bone mineral density in boys.\n\nOBJECTIVE: The aim of the present study was to investigate the effect of "
     "risperidone-induced hyperprolactinemia on trabecular bone mineral density (BMD) in children and "
     "adolescents. METHOD: Medically healthy 7- to 17-year-old males chronically treated, in a naturalistic "
     "setting, with risperidone were recruited for this cross-sectional study through child psychiatry "
     "outpatient clinics between November 2005 and June 2007.", ["cross-sectional"]),
])
def test_observational_labels(nlp, text, labels):
    assert design(nlp, text)[0].labels == labels


# --------------------------------------------------------------------------- registrations
@pytest.mark.parametrize("text, registrations", [
    ("ABSTRACT.CLINICAL TRIALS REGISTRATION: EudraCT 2010-019103-27 and the UK Clinical Research Network "
     "(UKCRN) Number 11679", ["EudraCT2010-019103-27"]),                                        # PMC4861263
    ("TRIAL REGISTRATION: International Standard Randomized Controlled Trial Number (ISRCTN): 58808893; "
     "http://www.controlled-trials.com/ISRCTN58808893", ["ISRCTN58808893"]),                   # PMC5434251
    ("NCT: 02053779.", ["NCT02053779"]),                                                         # PMC5471294
    ("Australian New Zealand Clinical Trials Registry (ACTR number: ACTRN12610000035022).",
     ["ACTRN12610000035022"]),                                                                   # PMC3338089
    ("ChiCTR-INR-16009967, retrospectively registered on November 22, 2016", ["ChiCTR-INR-16009967"]),  # PMC5320759
    ("UMIN Clinical Trial Registry identifier: UMIN000008070.", ["UMIN000008070"]),             # PMC4812817
    ("German register of clinical studies: DRKS00000622. Retrospectively registered: 03.12.2010.",
     ["DRKS00000622"]),                                                                          # PMC4967511
    ("The trial was registered in the Dutch Trial Register as NTR 1173 at 08-03-2008.", ["NTR1173"]),  # PMC4537543
    ("CTRI/2013/06/003770", ["CTRI/2013/06/003770"]),                                            # PMC4627615
    ("The trial was registered at the Iranian Registry of Clinical Trials (http://www.irct.ir) with the IRCT "
     "ID: IRCT2015011217742N3.", ["IRCT2015011217742N3"]),                                      # PMC5498709
])
def test_registrations(nlp, text, registrations):
    d, doc = design(nlp, text)
    assert d.registrations == registrations
    assert d.labels == []   # registry names and "retrospectively registered" are not design cues
    assert all(doc.text[e.start:e.end] == e.text for e in d.evidence)


# --------------------------------------------------------------------------- publication types
SENTENCE = "Five patients with ALS received CL2020 intravenously once a month for a total of six doses."


@pytest.mark.parametrize("types, labels, phase", [
    (["Journal Article", "Randomized Controlled Trial", "Clinical Trial, Phase II"], ["randomized", "controlled"], "2"),
    (["JOURNAL ARTICLE", "CASE REPORTS"], ["case-report"], None),
    (["Meta-Analysis", "Systematic Review"], ["systematic-review", "meta-analysis"], None),
    (["Comparative Study", "Research Support, N.I.H., Extramural"], [], None),
    (None, [], None),
])
def test_publication_types(nlp, types, labels, phase):
    d, _ = design(nlp, SENTENCE, types)
    assert d.labels == labels
    assert d.phase == phase
    assert d.evidence == []   # header labels are not in the text


def test_text_phase_wins_over_header_phase(nlp):
    d, _ = design(nlp, seed_text("004"), ["Clinical Trial, Phase I"])
    assert d.phase == "2"


# --------------------------------------------------------------------------- contract
def test_labels_in_vocabulary_order_and_config(nlp):
    vocabulary = typing.get_args(DesignLabel)
    d, _ = design(nlp, "A multicentre, randomised, double-blind, parallel-group, placebo-controlled study.")
    assert d.labels == sorted(d.labels, key=vocabulary.index)
    assert len(set(d.labels)) == len(d.labels)
    assert nlp.config["components"]["extract_design"]["rules"] == "design.yml"


def test_empty_and_cue_free_text(nlp):
    assert design(nlp, "")[0].labels == []
    d, _ = design(nlp, "Clinical outcome measures and biospecimens were collected before, during, and after "
                       "the treatment regimen.")
    assert (d.labels, d.phase, d.registrations, d.evidence) == ([], None, [], [])

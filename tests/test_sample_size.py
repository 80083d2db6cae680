"""extract_sample_size through the full pipeline (`nlp` fixture), on real abstract text.

Text comes from the seeds (corpus/), the gold files' sources and training material only: BC5CDR
CDR_TrainingSet (PMID given), Evidence Inference train ids (PMC id given), EBM-NLP dev (PMID given).
"""
from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from conftest import gold_texts

SEEDS = Path(__file__).resolve().parent.parent / "corpus"
FIELDS = ("n", "enrolled", "randomized", "analyzed", "completed")


def sample_size(nlp, text):
    doc = nlp(text)
    ss = doc._.sample_size
    for span in ss.evidence:  # every evidence span indexes the text
        assert doc.text[span.start:span.end] == span.text
    return ss


def fields(nlp, text) -> dict:
    ss = sample_size(nlp, text)
    return {k: getattr(ss, k) for k in FIELDS if getattr(ss, k) is not None}


def seed(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


# -- seeds ---------------------------------------------------------------------------------------
def test_seed_000(nlp):
    ss = sample_size(nlp, seed("000"))
    assert (ss.n, ss.enrolled, ss.randomized, ss.analyzed, ss.completed) == (31, 31, None, None, 18)
    assert {e.text for e in ss.evidence} >= {"Thirty-one participants", "18 out of 31 patients"}


def test_seed_004(nlp):
    # "Five patients", "Among five patients", never "12 months", "six doses", "3 months"
    ss = sample_size(nlp, seed("004"))
    assert (ss.n, ss.enrolled, ss.randomized, ss.analyzed, ss.completed) == (5, None, None, None, None)
    assert ss.evidence[0].text == "Five patients"


def test_seed_000_sentences(nlp):
    text = ("Thirty-one participants were enrolled in this 15-month open label study and received an "
            "identical immunosuppression regimen. The regimen was generally safe in an ALS population, "
            "although only 18 out of 31 patients completed the full 6 months of immunosuppression.")
    assert fields(nlp, text) == {"n": 31, "enrolled": 31, "completed": 18}


# -- real abstracts ----------------------------------------------------------------------------------
CASES = [
    # CDR 12452237: number words, randomized by "in a ... randomized manner"; doses are not counts
    ("One hundred and thirty-five patients were assigned to one of three groups in a prospective, "
     "double blind, randomized manner. Group PS, the control group, received normal saline and "
     "succinylcholine 1.5 mg x kg(-1); Group LS, lidocaine 1.5 mg x kg(-1) and succinylcholine 1.5 mg "
     "x kg(-1). Twenty-four hours later, any myalgia experienced was assessed.",
     {"n": 135, "randomized": 135}),
    # CDR 17439425: animals
    ("3. Thirty male Sprague-Dawley rats were divided randomly into four treatment groups: saline, "
     "dexamethasone (dex), allopurinol plus saline, and allopurinol plus dex.",
     {"n": 30, "randomized": 30}),
    # CDR 19319147: "n=12 per group" with two alternatives -> 24
    ("Male CD-1 mice were treated with warfarin (2 mg/kg over 24 h), resulting in a mean (+/-s.d.) "
     "International Normalized Ratio of 3.5+/-0.9. Forty-five minutes later, the animals were randomly "
     "treated with PCC (100 U/kg) or saline i.v. (n=12 per group). In the saline group, 45% of the mice "
     "developed large hematomas (i.e., >15 microL).",
     {"n": 24, "randomized": 24}),
    # EI train PMC3984795: per-group size times the number of groups
    ("After initial screening the subjects were randomized into four groups with 15 per group.",
     {"n": 60, "randomized": 60}),
    # EI train PMC3281242: arm sizes only -> their sum
    ("Overall, 493 subjects were randomized to varenicline and 166 to placebo.",
     {"n": 659, "randomized": 659}),
    # EI train PMC3466131: eligible patients are not the sample; the arms sum to it
    ("Among 285 eligible patients, 143 were randomized to group A and 142 to group B.",
     {"n": 285, "randomized": 285}),
    # EI train PMC3488187: dates are not counts
    ("Between April 14, 2005, and April 1, 2009, we randomly assigned 350 patients to receive "
     "erlotinib and 320 to receive placebo.",
     {"n": 670, "randomized": 670}),
    # EI train PMC2630316: a total equal to the sum of its parts
    ("126 participants, 65 randomized to receive care in their homes, 61 to nurse-run clinics.",
     {"n": 126, "randomized": 126}),
    # PMC5003313: arm sizes in "(n = 17)" and "(n = 16)"
    ("This clinical trial study was conducted on 33 patients who had been identified using "
     "diagnostic criteria from the hemodialysis ward of Hasheminejad Hospital in Tehran. Participants "
     "were randomly divided into the intervention group (n = 17) and control group (n = 16).",
     {"n": 33, "randomized": 33}),
    # PMC5370326: "3 groups of 35 each"
    ("The study was conducted on 105 adult patients of either sex, of ASA grade I and II undergoing "
     "ophthalmic surgeries. Patients were randomly divided into 3 groups of 35 each. All the patients "
     "were given peribulbuar block with 5ml lignocaine 2% +3 ml bupivacaine 0.5% +1 ml hyaluronidase "
     "(250 IU).",
     {"n": 105, "randomized": 105}),
    # PMC4166055: ages and percentages are not counts
    ("Fifty-four patients who scheduled for elective surgery were randomly allocated to two groups of "
     "27 patients who received hypertonic saline 5% (2.3 ml/kg) or received normal saline (13 ml/kg). "
     "The mean age of patients was 36.68 ± 10.8 years. Forty percent of patients were male.",
     {"n": 54, "randomized": 54}),
    # PMC5434251: randomized without a noun, completed from "(35/41)"
    ("Of the 176 eligible inpatients invited to participate, 65.9% (116/176) attended the "
     "introductory mindfulness group at least once, 33.0% (58/176) were willing to participate in the "
     "study, and 41 were randomized. The majority 85% (35/41) of these participants completed the "
     "study. Among the participants allocated to the intervention group (n=21), 81% (17/21) used the "
     "text message support at least once.",
     {"n": 41, "randomized": 41, "completed": 35}),
    # PMC5805208: analyzed; ages in a parenthesis
    ("Sixty patients with lymphedema (age, 18–60 years; American Society of Anesthesiologists "
     "physical status, I–II) undergoing elective surgery with general anesthesia were randomly "
     "divided into two groups. Rocuronium was administered based on the fat-free mass in 30 patients "
     "and real body weight in 30 patients. Complete data were recorded for 59 patients, and there "
     "were no significant differences in the general condition.",
     {"n": 60, "randomized": 60, "analyzed": 59}),
    # PMC58836: recruited -> enrolled; randomized without a number is not a randomized count;
    # ages, "95%CI", "20 family practices", "12 month" are not counts
    ("We recruited 457 patients aged between 60 and 79 years with high blood pressure from 20 family "
     "practices in Avon, UK. Patients were randomized to cardiovascular risk presented either as 1) an "
     "absolute risk level (AR) or as 2) the number needed to treat to prevent an adverse event (NNT). "
     "Presenting cardiovascular risk as either an AR or NNT had no impact reducing cardiovascular risk "
     "at 12 month follow up, adjusted odds ratio 1.53 (95%CI 0.76 to 3.08).",
     {"n": 457, "enrolled": 457}),
    # CDR 20331935: "49% of 83 boys (n = 41)": 41 is a subgroup; years and ages are not counts
    ("METHOD: Medically healthy 7- to 17-year-old males chronically treated, in a naturalistic "
     "setting, with risperidone were recruited for this cross-sectional study through child "
     "psychiatry outpatient clinics between November 2005 and June 2007. RESULTS: Hyperprolactinemia "
     "was present in 49% of 83 boys (n = 41) treated with risperidone for a mean of 2.9 years. Of 13 "
     "documented fractures, 3 occurred after risperidone and SSRIs were started.",
     {"n": 83}),
    # CDR 9579567: cases and controls add up
    ("Cases of endometrial cancer diagnosed after breast cancer (n = 135) and 467 controls matched for "
     "age, year of diagnosis of breast cancer and hospital and survival time with an intact uterus "
     "were included.",
     {"n": 602}),
    # PMC3309311: a total and its three parts
    ("Sixty patients with back pain were divided into 3 groups consisting of 1) 23 adults with acute "
     "axial severe LBP who could not sit up or stand up for several days (group A), 2) 19 adults who "
     "had been involved in a minor traffic accident (group B), and 3) 18 adults with LBP with "
     "radicular pain (group C).",
     {"n": 60}),
    # PMC5653840: a number word before an unusual noun; "Seven of 8 subjects" is a subgroup
    ("We sought to compare pattern recognition and direct control in eight transhumeral amputees who "
     "had TMR in a balanced randomized cross-over study. Subjects performed a 6–8 week home trial. "
     "Seven of 8 subjects preferred pattern recognition control over direct control.",
     {"n": 8}),
    # PMC3875215: a count named by its verb
    ("Forty PLWH participated in this pilot study, using a randomized clinical trial design.",
     {"n": 40}),
    # CDR 12627929: ages, doses and subgroups with percentages are not the sample
    ("PATIENTS: Seventy men, aged 50-80 years, with advanced androgen-independent prostate cancer. "
     "INTERVENTION: Each patient received either intravenous docetaxel 30 mg/m2/week for 3 "
     "consecutive weeks, followed by 1 week off, or the combination of continuous oral thalidomide "
     "200 mg every evening plus the same docetaxel regimen. MEASUREMENTS AND MAIN RESULTS: None of 23 "
     "patients who received docetaxel alone developed VTE, whereas 9 of 47 patients (19%) who received "
     "docetaxel plus thalidomide developed VTE (p=0.025).",
     {"n": 70}),
    # CDR 8665051: later subsets (15 animals, 45 remaining, 18 rats) do not replace the randomized 60
    ("Therefore, 60 male rats were randomly assigned to receive daily injection of saline (C), "
     "methylprednisolone (M), or triamcinolone (T) 80 mg/kg/d for 5 d. Nutritional intake, measured "
     "daily in 15 animals, showed a significant reduction of food intake in the steroid-treated "
     "groups (-50 and -79% in M and T, respectively). In the 45 remaining animals, diaphragm "
     "contractility and histopathologic features of several muscles were studied. Finally, a "
     "pair-fed (PF) study, performed in 18 rats (C, T, and PF), showed that muscle atrophy was "
     "considerably less pronounced in PF animals than in T-treated animals.",
     {"n": 60, "randomized": 60}),
    # EBM-NLP dev 10832772: a bracketed breakdown between the count and its verb
    ("Fifty-six patients (49 boys, 7 girls, mean age = 6.4 years, SD = 2.7) enrolled in an "
     "open-label trial of secretin, during which they received one injection of the hormone "
     "(2 IU/kg).",
     {"n": 56, "enrolled": 56}),
    # EI train PMC4899895: two counts sharing one noun
    ("[METHODS]: Fourteen trained and 14 untrained males ingested one capsule containing either "
     "green tea or cellulose with breakfast, lunch, and dinner, 24 hours before two exercise sessions.",
     {"n": 28}),
    # EI train PMC3221331: the cue is a modifier; fractions of it are subgroups
    ("Of the 226 randomized participants, 47% (107/226) were female and 24% (54/226) were Maori "
     "(indigenous population of New Zealand).",
     {"n": 226, "randomized": 226}),
    # EI train PMC1876597: "417 (99%) completed" is the completed count, not the enrolled one
    ("RESULTS: Of 421 enrolled participants, 417 (99%) completed follow-up.",
     {"n": 421, "enrolled": 421, "completed": 417}),
    # EI train PMC5568359: an owner-less and a group "(n = X)" are both arm sizes
    ("Men and women were randomly assigned to intervention (n = 440) and control groups (n = 440).",
     {"n": 880, "randomized": 880}),
    # EI train PMC3432828: arm sizes joined by "or"; "5 diet groups" is not a count
    ("Nine-week-old male Sprague-Dawley rats were gastrectomized (n = 20) or sham operated, "
     "(control, n = 5) and then randomly assigned to 5 diet groups: sham-a purified diet control, "
     "gastrectomized-control, gastrectomized-isoflavone (0.2% isoflavone glycosides).",
     {"n": 25, "randomized": 25}),
    # EI train PMC5980459: livestock; a Unicode hyphen inside the modifiers
    ("ANIMALS: Four clinically healthy adult Angus‐cross steers previously fitted with duodenal "
     "cannulae placed orad to the biliary and pancreatic ducts.\nMETHODS: Randomized, 2‐way "
     "cross‐over clinical trial.",
     {"n": 4}),
    # CDR 18086064: "20 were included" counts studies, not participants
    ("Of 425 studies identified, 20 were included in the meta-analysis (840 patients).",
     {"n": 840}),
    # EBM-NLP dev 8852235: the count after "Subjects were"
    ("Subjects were 1,504 police trainees (85% male, 15% female) with an ethnic distribution of 82% "
     "white, 16% African American, and 2% other. Data were collected at 25 sites across the state.",
     {"n": 1504}),
]


@pytest.mark.parametrize("text, expected", CASES)
def test_real_abstracts(nlp, text, expected):
    assert fields(nlp, text) == expected


def test_n_per_group_times_three_groups(nlp):
    text = ("Rats were randomly assigned to three groups (n = 12 per group): vehicle, low dose and "
            "high dose.")
    ss = sample_size(nlp, text)
    assert (ss.n, ss.randomized) == (36, 36)
    assert [e.text for e in ss.evidence] == ["three groups", "n = 12 per group"]


def test_arm_sizes_to_a_and_b(nlp):
    assert fields(nlp, "Patients were randomized, 24 to A and 24 to B.") == {"n": 48, "randomized": 48}


# -- case reports and series ---------------------------------------------------------------------
@pytest.mark.parametrize("text, n", [
    # CDR 11573852: the "three cases" are earlier reports, the patient is one man
    ("OBJECTIVE: To report a case of multiple episodes of seizure activity in an AIDS patent following "
     "amphotericin B infusion. CASE SUMMARY: A 46-year-old African-American man experienced recurrent "
     "grand mal seizures during intravenous infusion of amphotericin B. CONCLUSIONS: To date, only "
     "three cases of seizures associated with amphotericin B have been reported in the literature.", 1),
    # CDR 18791946: "30-year old" with a space; "3-day", "17 hours" are not counts
    ("A 30-year old Caucasian man reported with abdominal pain and jaundice after 3-day administration "
     "of oral ciprofloxacin for a suspect of urinary tract infection. Despite pharmacological and "
     "supportive interventions, laboratory parameters worsened and the patient died 17 hours after "
     "admission.", 1),
    # CDR 3371379
    ("Verapamil-induced carbamazepine neurotoxicity. A report of two cases.\n\nTwo patients with signs "
     "of carbamazepine neurotoxicity after combined treatment with verapamil showed complete recovery "
     "after discontinuation of the calcium entry blocker.", 2),
    # CDR 17639754
    ("While small prospective studies have not revealed any significant drug-drug interaction between "
     "warfarin and levofloxacin, several case reports have indicated that levofloxacin may "
     "significantly potentiate the anticoagulation effect of warfarin. We report 3 cases of serious "
     "bleeding complications that appear to be the result of the interaction between warfarin and "
     "levofloxacin.", 3),
])
def test_case_reports_and_series(nlp, text, n):
    assert fields(nlp, text) == {"n": n}


# -- nothing stated ------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    # CDR 8800187: animals without a number; "Fifteen min", "5 min", "Two interventions"
    "METHODS: Two interventions were studied that have been shown previously to improve blood "
    "pressure with calcium channel blocker overdose. Anesthetized rats received the tricyclic "
    "antidepressant desipramine IP to produce hypotension, QRS prolongation, and bradycardia. Fifteen "
    "min later, animals received CaCl2, NaHCO3, or saline. RESULTS: NaHCO3 briefly (5 min) reversed "
    "hypotension and QRS prolongation.",
    # PMC4861263: doses, percentages and a registry number
    "Three IM immunizations of CN54 gp140 at either 20 or 100 μg elicited significantly greater "
    "systemic and mucosal antibodies than either IN or IVAG immunizations. IN immunizations with 0.5% "
    "chitosan. EudraCT 2010-019103-27 and the UK Clinical Research Network (UKCRN) Number 11679",
    # CDR 19319147: p-values, lab values, percentages
    "The mean hemorrhagic blood volume was reduced in PCC-treated animals (6.5+/-3.1 microL) compared "
    "with saline controls (15.3+/-11.2 microL, P=0.015).",
    # years, "95% CI", durations
    "Between 2019 and 2021 we followed the cohort for 12 months (95% CI 1.1-2.3).",
    # EI train PMC1190216: a range is not a count
    "Female alpacas were assigned randomly to 6 groups (n = 15 to 17 per group) in a 2 × 3 factorial "
    "design.",
])
def test_not_stated(nlp, text):
    assert fields(nlp, text) == {}


_PIECES = list("0123456789 ,.;()=%-nN") + [
    "patients ", "were ", "randomized ", "enrolled ", "of ", "and ", "to ", "groups ",
    "per group ", "Thirty-one ", "completed ", "2019 ", "aged ", "mg ", "95% CI "]


@given(st.lists(st.sampled_from(_PIECES), max_size=60).map("".join))
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_text_gives_a_valid_sample_size(nlp, text):
    ss = sample_size(nlp, text)  # validated by pydantic; spans checked in sample_size()
    assert all(v is None or 0 <= v for v in (ss.n, ss.enrolled, ss.randomized, ss.analyzed,
                                              ss.completed))


def test_no_catastrophic_backtracking(nlp):
    pipe = nlp.get_pipe("extract_sample_size")
    for text in ("5 patients, " * 3000, "group (n = 5) and " * 3000,
                 "3 of 5 patients completed, " * 2000, ("1 " * 20000) + "patients",
                 ("thirty one " * 5000) + "patients", "40 patients " + "were randomly " * 3000):
        started = time.perf_counter()
        pipe.extract(text)
        assert time.perf_counter() - started < 10


# -- gold ------------------------------------------------------------------------------------------
@pytest.mark.corpora
def test_gold_documents(nlp, corpora):
    """n on the hand-annotated gold documents stays at or above 90% (35 of 36 at the time of
    writing; PMC5946268, a review summing three cohorts, is the miss), the other fields too."""
    docs = gold_texts(corpora)
    right = {k: 0 for k in FIELDS}
    for doc, text in docs:
        ss = nlp(text)._.sample_size
        for k in FIELDS:
            right[k] += getattr(ss, k) == getattr(doc.sample_size, k)
    assert right["n"] / len(docs) >= 0.9
    assert all(right[k] / len(docs) >= 0.9 for k in FIELDS)


# -- text without full stops (EBM-NLP dev = training split; "." tokens were removed upstream) ----
NO_FULL_STOPS = [
    # EBM-NLP dev 12612897: "study Forty" is a sentence start, not the label "Study 40"
    ("METHODS This was a parallel-group , double-blind , placebo-controlled study Forty healthy "
     "subjects were randomly allocated to receive 7 days of treatment with NCX-4016 ( 400 and 800 mg "
     "twice daily ) , equimolar doses of aspirin ( 200 and 420 mg twice daily ) , or placebo Upper "
     "endoscopies were performed before and at the end of the treatment period",
     {"n": 40, "randomized": 40}),
    # EBM-NLP dev 19995250: a total and its two arms, then the completers in the next sentence
    # (not summed with the arms)
    ("We did a prospective randomised clinical trial to see how reduction mammaplasty affected "
     "macromastia patients ' depression , anxiety , and self-esteem Eighty-two patients were "
     "randomised , 40 to have the operation , and 42 patients to conservative treatment Both groups "
     "were followed for six months The patients completed the RBDI questionnaire ( Raitasalo 's "
     "modification of the short form of the Beck Depression Inventory ) Twenty-nine patients in the "
     "operated group and 35 patients in the conservative group completed the study",
     {"n": 82, "randomized": 82}),
    # EBM-NLP dev 10682031: the arm sizes add up to the total; a later count is not another arm
    ("PATIENTS AND METHODS This was a multicenter , randomized , double-blind , placebo controlled "
     "study Thirty-eight mechanically ventilated patients with documented nosocomial pneumonia were "
     "included Patients treated with intravenous betalactam and tobramycin were randomly allocated to "
     "receive aerosolized tobramycin ( 6 mg/kg/day , n = 21 ) or placebo ( n = 17 ) The aerosol was "
     "administered via a pneumatic nebulizer once a day for 5 days RESULTS Respiratory tolerance was "
     "good in all but two patients No acute renal failure occurred By day 10 , 7 patients in the "
     "tobramycin group ( 35 % ) had been extubated versus 3 in the placebo group",
     {"n": 38, "randomized": 38}),
    # EBM-NLP dev 11832869: "24 These subjects" crosses a sentence start: not a count of subjects
    ("METHODS This prospective , comparative study was conducted with healthy males and females "
     "between the ages of 19 and 24 These subjects were recruited from the University of Vermont "
     "population and surrounding community Following baseline measurements in VO2max , running time "
     "to exhaustion ( RTE ) , and anthropometry , 17 subjects ( 10 snowshoers and 7 runners ) "
     "participated in a six week conditioning program",
     {"n": 17}),
]


@pytest.mark.parametrize("text, expected", NO_FULL_STOPS)
def test_text_without_full_stops(nlp, text, expected):
    assert fields(nlp, text) == expected


@pytest.mark.parametrize("text, expected", [
    # EBM-NLP dev 22342106: a total with its breakdown (31 + 2) is not summed again with a later
    # arm count
    ("RESULTS Thirty-three subjects ( 31 male subjects , 2 female subjects ; aged 3.2-10.7 years ) "
     "were randomized in the study Follow-up data was available on 14 subjects in the NAC group and "
     "15 in the placebo group",
     {"n": 33, "randomized": 33}),
    # EBM-NLP dev 10719133: the same noun, qualified differently: two groups that add up
    ("METHODS Fifteen white-coat hypertensive out-patients and 23 essential hypertensive "
     "out-patients were randomly assigned to groups A or B",
     {"n": 38, "randomized": 38}),
])
def test_totals_and_groups(nlp, text, expected):
    assert fields(nlp, text) == expected


@pytest.mark.parametrize("text, expected", [
    # EBM-NLP dev 12384805: first called eligible, then enrolled
    ("Eighty-eight patients determined as eligible for treatment were enrolled in the study After a "
     "median follow-up of 46.9 months",
     {"n": 88, "enrolled": 88}),
    # EBM-NLP dev 16202291: recruited cases are the study's cases, not events
    ("METHODS Three hundred cases of VVC were recruited The Candidas were cultured A prospective and "
     "randomized study was performed to compare the treatment effect of 3 day miconazole",
     {"n": 300}),
    # EBM-NLP dev 2085344: a participant noun the lexicon lacked
    ("Five hundred and sixty-nine alcoholics were included in a double-blind placebo-controlled "
     "randomized multicenter study of the effects of Acamprosate",
     {"n": 569}),
    # EBM-NLP dev 11228756: "type 2" between the count and its noun
    ("A single-centre , double-blind , randomized , placebo-controlled study was performed in 48 type "
     "2 diabetic patients with late-term failure following at least 3 years of sulphonylurea therapy",
     {"n": 48}),
    # EBM-NLP dev 10757579: "ASA 1" between the count and its noun
    ("METHODS In a prospective , observer-blinded fashion , 40 ASA 1 paediatric patients undergoing "
     "subumbilical surgery were randomly allocated to receive a caudal injection",
     {"n": 40, "randomized": 40}),
    # EBM-NLP dev 17321529: "hospital 622" is no hospital label (a label is one digit)
    ("In a prospective , double-blind , randomized controlled trial conducted in a tertiary maternity "
     "hospital 622 women received either 400 mug of oral misoprostol or 5 U of intravenous oxytocin",
     {"n": 622}),
    # EBM-NLP dev 7799030: "(n = 16)" and "(n = 3)" are the parts of the nineteen; the treatment
    # arms are not added again
    ("Nineteen patients with extremity melanoma ( n = 16 ) or sarcoma ( n = 3 ) , underwent 90-minute "
     "ILP with TNF-alpha , interferon gamma ( 0.2 mg ) , and M ( 10 to 13 mg/L of limb volume ) "
     "( TNF/IFN/M ) ( n = 12 ) , or M alone ( n = 7 ) Continuous intraoperative monitoring",
     {"n": 19}),
    # EBM-NLP dev 25795413: two counts sharing one noun, a slash in the modifiers
    ("In 25 healthy lean and 23 overweight/obese participants , we performed magnetic resonance "
     "imaging to measure cerebral blood flow",
     {"n": 48}),
])
def test_training_split_causes(nlp, text, expected):
    assert fields(nlp, text) == expected


def test_spaced_bracket_owner(nlp):
    # EBM-NLP dev 24898318: "Children ( N = 131 )" with a spaced bracket is a count of children, not
    # an arm; the arm sizes after screening (53 + 60) are not added to it
    ss = sample_size(nlp, "Children ( N = 131 ) were recruited through referral by school counselors "
                          "and school-based recruitment and then screened for low social competence "
                          "Researchers randomly assigned children to an experimental ( n = 53 ) or "
                          "waitlisted control group ( n = 60 )")
    assert (ss.n, ss.enrolled) == (131, 131)


def test_participant_nouns_as_a_prefix_tree_match_what_the_word_list_matches():
    """The noun lists are compiled as prefix trees ("pat(?:ients?|...)"): at every position the tree
    matches what the longest-first list does, on texts made of the words, their prefixes and blanks."""
    import random

    import regex

    from extract import rules
    from extract.components.sample_size import _words

    data = rules.load("sample_size.yml")
    for key in ("participant_nouns", "secondary_nouns"):
        words = [w.lower() for w in data[key]]
        rnd = random.Random(3)
        pieces = words + [w[: rnd.randint(1, len(w))] for w in words] + ["  ", "\n", "-", "s", "X"]
        for end in (r"\b", ""):  # without a boundary after it, the first word that matches is taken
            tree = regex.compile(rf"\b(?:{_words(words)}){end}", regex.IGNORECASE)
            flat = regex.compile(rf"\b(?:{_words(words, tree=False)}){end}", regex.IGNORECASE)
            assert tree.pattern != flat.pattern
            for _ in range(300):
                text = " ".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 12)))
                found = [m.span() for m in tree.finditer(text, overlapped=True)]
                assert found == [m.span() for m in flat.finditer(text, overlapped=True)], text

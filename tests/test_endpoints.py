"""Endpoints on real abstract sentences: concise outcome phrases with their stated role."""

SEED_004_ENDPOINTS = (
    "The primary endpoints were safety and tolerability, and the secondary endpoint was the rate of change in "
    "the Revised Amyotrophic Lateral Sclerosis Functional Rating Scale (ALSFRS-R) score."
)


def items(nlp, text):
    return [(e.name, e.role) for e in nlp(text)._.endpoints]


def test_primary_and_secondary_endpoints(nlp):
    assert items(nlp, SEED_004_ENDPOINTS) == [
        ("safety and tolerability", "primary"),
        ("rate of change in the Revised Amyotrophic Lateral Sclerosis Functional Rating Scale (ALSFRS-R) score",
         "secondary"),
    ]


def test_primary_objective_stops_before_the_regimen(nlp):
    text = ("The primary objective of this study (NCT01884571) was to assess the rate of clinical response to the "
            "same immunosuppressive regimen using basiliximab, tacrolimus, mycophenolate, and prednisone.")
    assert items(nlp, text) == [("rate of clinical response", "primary")]


def test_list_before_assessment_verb_is_split(nlp):
    text = ("In addition, serum tumor necrosis factor-α (TNF-α), interleukin-6 (IL-6), sphingosine-1-phosphate (S1P), "
            "cerebrospinal fluid chitotriosidase-1 (CHIT-1), and neurofilament light chain (NfL) levels were evaluated.")
    assert items(nlp, text) == [
        ("serum tumor necrosis factor-α (TNF-α)", "other"),
        ("interleukin-6 (IL-6)", "other"),
        ("sphingosine-1-phosphate (S1P)", "other"),
        ("cerebrospinal fluid chitotriosidase-1 (CHIT-1)", "other"),
        ("neurofilament light chain (NfL) levels", "other"),
    ]


def test_difference_cue_and_generic_subjects_dropped(nlp):
    text = ("Clinical outcome measures and biospecimens were collected before, during, and after the treatment regimen. "
            "No difference in mean ALSFRS-R slope was seen in the treatment period compared to the pretreatment "
            "period (p = 0.200).")
    assert items(nlp, text) == [("ALSFRS-R slope", "other")]


def test_spans_index_the_text(nlp):
    doc = nlp(SEED_004_ENDPOINTS)
    for endpoint in doc._.endpoints:
        assert doc.text[endpoint.span.start:endpoint.span.end] == endpoint.span.text == endpoint.name


def test_shared_head_and_arm_phrase_and_baseline_variables(nlp):
    text = ("Age, sex, systolic and diastolic blood pressure and heart rate were assessed in all patients. "
            "The total effective rate in the observation group was increased and mortality was decreased.")
    assert items(nlp, text) == [
        ("systolic blood pressure", "other"),
        ("diastolic blood pressure", "other"),
        ("heart rate", "other"),
        ("total effective rate", "other"),
        ("mortality", "other"),
    ]


def test_outcomes_named_in_a_results_sentence():
    # EBM-NLP training doc 10741095: no outcome word, no p-value, each name once; "significant" cues
    # the NER's OUTCOME spans (given here, so the test does not depend on one model's spans)
    text = ("No significant difference was observed after 6 and 12 months of treatment in PEF variability, FEV1 "
            "or bronchial hyperreactivity in the NS group compared with baseline values, while a significant "
            "difference was observed in symptom score.")
    spans = ["PEF variability, FEV1 or bronchial hyperreactivity", "symptom score"]
    assert _with_outcome_spans(text, spans) == [
        ("PEF variability", "PEF variability"), ("bronchial hyperreactivity", "bronchial hyperreactivity"),
        ("symptom score", "symptom score")]


def _with_outcome_spans(text, phrases):
    """Run the endpoint component as if the NER had tagged `phrases` (each at its first occurrence)."""
    from extract.pipeline import build_pipeline

    nlp = build_pipeline("none")
    doc = nlp(text)
    doc._.entities = [(text.index(p), text.index(p) + len(p), "OUTCOME") for p in phrases]
    return [(e.name, text[e.span.start:e.span.end]) for e in nlp.get_pipe("extract_endpoints")(doc)._.endpoints]


def test_ner_outcome_fragments_and_leading_words_are_dropped():
    # 8665051 (gold/): the tagger tagged "intake" alone, and "food intake" in the same sentence.
    text = ("Steroid myopathy in rats.\n\nNutritional intake, measured daily in 15 animals, showed a significant "
            "reduction of food intake in the steroid-treated groups (-50 and -79% in M and T, respectively). "
            "Food intake recovered after the steroid was stopped.")
    assert _with_outcome_spans(text, ["intake", "food intake"]) == [("food intake", "food intake")]
    # PMC4166055 (gold/): a run that starts one word early is named without it; its span shows the text.
    text = ("Effect of hypertonic saline on hypotension following induction of general anesthesia.\n\n"
            "CONCLUSIONS: Infusion of hypertonic saline 5% (2.3 mg/kg) before the general anesthesia led to a useful "
            "reduction in MAP and reduced heart rate, with no episodes of severe hypotension.")
    assert _with_outcome_spans(text, []) == [("hypotension", "hypotension"), ("MAP", "MAP")]
    assert _with_outcome_spans(text, ["of severe hypotension"])[2:] == [("severe hypotension", "of severe hypotension")]

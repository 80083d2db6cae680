"""Scoring: hand-computed values for every metric, the name-matching rule, and error messages."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extract.gold import GoldDocument, load_gold
from extract.scoring import (
    ResultsError, greedy_match, render_table, score, score_files, similarity, tokens,
)
from extract.scoring.names import best_similarity, stopwords

ROOT = Path(__file__).resolve().parent.parent
SPAN = {"start": 0, "end": 0, "text": ""}


def result(id, labels=(), phase=None, regs=(), n=None, interventions=(), endpoints=(), p_values=()):
    return {
        "id": id, "source": "test",
        "design": {"labels": list(labels), "phase": phase, "registrations": list(regs)},
        "sample_size": {"n": n},
        "interventions": [{"name": a, "kind": k, "role": r, "span": SPAN} for a, k, r in interventions],
        "endpoints": [{"name": a, "role": r, "span": SPAN} for a, r in endpoints],
        "p_values": [{"text": t, "comparator": c, "value": v, "span": SPAN} for t, c, v in p_values],
    }


def gold(id, labels=(), phase=None, regs=(), n=None, interventions=(), endpoints=(), p_values=()):
    return GoldDocument.model_validate({
        "id": id, "source": "corpus/x.txt",
        "design": {"labels": list(labels), "phase": phase, "registrations": list(regs)},
        "sample_size": {"n": n},
        "interventions": [{"name": a, "aliases": list(al), "kind": k, "role": r} for a, al, k, r in interventions],
        "endpoints": [{"name": a, "aliases": list(al), "role": r} for a, al, r in endpoints],
        "p_values": [{"text": t, "comparator": c, "value": v} for t, c, v in p_values],
    })


def golds(*docs):
    return {d.id: d for d in docs}


# --- names -------------------------------------------------------------------------------------------

def test_stopwords_come_from_rules():
    assert stopwords() == {"of", "the", "in", "a", "an", "to", "for", "on", "with", "at", "by", "from",
                           "or", "as"}


def test_tokens_normalise():
    assert tokens("The Effect of Metformin-XR, on HbA1c") == {"effect", "metformin", "xr", "hba1c"}
    assert tokens("ﬁbrinogen ＬＥＶＥＬ") == {"fibrinogen", "level"}  # NFKC: ligature, full-width
    assert tokens("CQ+SP (n=3)") == {"cq", "sp", "n", "3"}
    assert tokens("of the") == frozenset()


@pytest.mark.parametrize("pred, gold_name, expected", [
    ("Placebo", "placebo", 1.0),                                        # equal
    ("pain intensity", "pain intensity on VAS at 24 hours", 0.4),       # subset, smaller has 2 tokens
    ("pain", "pain intensity VAS", None),                               # subset, smaller has 1 token
    ("pain intensity VAS", "pain", None),                               # ... either direction
    ("metformin", "metformin XR", 0.5),                                 # Jaccard exactly 0.5
    ("serum insulin level", "serum insulin concentration", 0.5),       # Jaccard 0.5, not a subset
    ("serum insulin level", "serum insulin peak concentration", None),  # Jaccard 0.4
    ("of the", "of the", None),                                         # empty after stopwords
])
def test_similarity_rule(pred, gold_name, expected):
    assert similarity(tokens(pred), tokens(gold_name)) == expected


def test_best_similarity_over_aliases():
    assert best_similarity("HbA1c", ["glycated haemoglobin change", "HbA1c"]) == 1.0
    assert best_similarity("HbA1c", ["glycated haemoglobin change"]) is None


def test_greedy_takes_best_pairs_first():
    golds_ = [["insulin glargine"], ["insulin detemir"]]
    # In input order "insulin" would take glargine (0.5); greedy gives glargine its exact match.
    assert greedy_match(["insulin", "insulin glargine"], golds_) == [(1, 0, 1.0), (0, 1, 0.5)]


def test_greedy_is_one_to_one_and_deterministic():
    assert greedy_match(["aspirin", "aspirin"], [["aspirin"], ["aspirin"]]) == [(0, 0, 1.0), (1, 1, 1.0)]
    assert greedy_match(["aspirin", "aspirin"], [["aspirin"]]) == [(0, 0, 1.0)]
    assert greedy_match([], [["aspirin"]]) == []


_names = st.lists(st.sampled_from(["insulin", "glargine", "placebo", "of", "pain", "score", "vas"]),
                  min_size=1, max_size=3).map(" ".join)


@given(st.lists(_names, max_size=5), st.lists(st.lists(_names, min_size=1, max_size=2), max_size=5))
def test_greedy_is_one_to_one_and_maximal(preds, gold_names):
    pairs = greedy_match(preds, gold_names)
    assert len({i for i, _, _ in pairs}) == len({j for _, j, _ in pairs}) == len(pairs)
    assert all(best_similarity(preds[i], gold_names[j]) == sim for i, j, sim in pairs)
    assert [sim for _, _, sim in pairs] == sorted((sim for _, _, sim in pairs), reverse=True)
    free_p = set(range(len(preds))) - {i for i, _, _ in pairs}
    free_g = set(range(len(gold_names))) - {j for _, j, _ in pairs}
    assert not any(best_similarity(preds[i], gold_names[j]) is not None for i in free_p for j in free_g)


# --- metrics -----------------------------------------------------------------------------------------

def test_design_labels_micro_prf():
    g = golds(gold("A", labels=["randomized", "double-blind"]), gold("B", labels=["cohort"]))
    r = score([result("A", labels=["randomized", "placebo-controlled", "randomized"]), result("B")], g)
    m = r.design_labels
    assert (m.tp, m.fp, m.fn) == (1, 1, 2)
    assert (m.precision, m.recall, m.f1) == (0.5, 1 / 3, 0.4)
    assert r.details[0].design_labels.missed == ["double-blind"]
    assert r.details[0].design_labels.spurious == ["placebo-controlled"]
    assert r.details[1].design_labels.missed == ["cohort"]


def test_registrations_ignore_case_and_spaces():
    g = golds(gold("A", regs=["NCT01234567"]), gold("B"))
    r = score([result("A", regs=["nct 01234567", "ISRCTN11111111"]), result("B")], g)
    m = r.registrations
    assert (m.tp, m.fp, m.fn) == (1, 1, 0)
    assert (m.precision, m.recall) == (0.5, 1.0)
    assert m.f1 == pytest.approx(2 / 3)
    assert r.details[0].registrations.spurious == ["ISRCTN11111111"]


def test_nothing_to_find_nothing_found_is_undefined():
    r = score([result("A")], golds(gold("A")))
    assert (r.registrations.precision, r.registrations.recall, r.registrations.f1) == (None, None, None)
    assert r.details[0].ok


def test_phase_accuracy_null_equals_null():
    g = golds(gold("A", phase="2"), gold("B"), gold("C", phase="3"), gold("D"), gold("E"))
    r = score([result("A", phase="2"), result("B"), result("C"), result("D", phase="1")], g)  # E missing
    assert (r.phase.correct, r.phase.total, r.phase.accuracy) == (2, 5, 0.4)
    assert r.details[2].phase.model_dump() == {"gold": "3", "predicted": None}
    assert r.details[0].phase is None


def test_n_accuracy_and_answered():
    g = golds(gold("A", n=60), gold("B"), gold("C", n=10), gold("D", n=5), gold("E"))
    r = score([result("A", n=60), result("B"), result("C", n=12), result("D")], g)  # E missing
    n = r.n
    assert (n.correct, n.total, n.accuracy) == (2, 5, 0.4)
    assert (n.answered, n.answered_correct, n.correct_of_answered) == (2, 1, 0.5)
    assert r.details[2].n.model_dump() == {"gold": 10, "predicted": 12}


def test_p_values_multiset_with_tolerance():
    g = golds(gold("A", p_values=[("P < 0.001", "<", 0.001), ("p<.001", "<", 0.001), ("P = 0.3", "=", 0.3)]))
    pred = [("P<0.001", "<", 0.001), ("P = 0.3", "=", 0.1 + 0.2), ("P > 0.3", ">", 0.3), ("P=0.30001", "=", 0.30001)]
    r = score([result("A", p_values=pred)], g)
    m = r.p_values
    assert (m.tp, m.fp, m.fn) == (2, 2, 1)
    assert (m.precision, m.recall, m.f1) == (0.5, 2 / 3, 4 / 7)
    assert r.details[0].p_values.missed == ["p<.001 (< 0.001)"]
    assert r.details[0].p_values.spurious == ["P > 0.3 (> 0.3)", "P=0.30001 (= 0.30001)"]


def test_interventions_matching_kind_and_role():
    g = golds(gold("A", interventions=[("metformin", ["Glucophage"], "drug", "experimental"),
                                       ("placebo", [], "placebo", "control")]))
    pred = [("Glucophage", "drug", "experimental"), ("placebo tablets", "drug", "control"),
            ("exercise", "behavioral", "experimental")]
    r = score([result("A", interventions=pred)], g)
    m = r.interventions
    assert (m.tp, m.fp, m.fn) == (2, 1, 0)
    assert (m.precision, m.recall, m.f1) == (2 / 3, 1.0, 0.8)
    assert (r.intervention_kind.correct, r.intervention_kind.total) == (1, 2)
    assert (r.intervention_role.correct, r.intervention_role.total) == (2, 2)
    d = r.details[0].interventions
    assert d.spurious == ["exercise"] and d.missed == []
    assert [(x.gold, x.predicted, x.similarity) for x in d.matched] == [
        ("metformin", "Glucophage", 1.0), ("placebo", "placebo tablets", 0.5)]
    assert d.matched[1].mismatches["kind"].model_dump() == {"gold": "placebo", "predicted": "drug"}
    assert not r.details[0].ok


def test_endpoints_and_role_shares():
    g = golds(gold("A", endpoints=[("HbA1c change", [], "primary"), ("body weight", [], "primary"),
                                   ("fasting glucose", [], "secondary"), ("adverse events", [], "other"),
                                   ("mortality", [], "primary")]))
    pred = [("change in HbA1c", "primary"), ("body weight", "secondary"), ("fasting glucose", "secondary"),
            ("quality of life", "other")]
    r = score([result("A", endpoints=pred)], g)
    m = r.endpoints
    assert (m.tp, m.fp, m.fn) == (3, 1, 2)
    assert (r.endpoint_role_primary.correct, r.endpoint_role_primary.total) == (1, 3)  # mortality unmatched
    assert (r.endpoint_role_secondary.correct, r.endpoint_role_secondary.total) == (1, 1)
    d = r.details[0].endpoints
    assert d.missed == ["adverse events", "mortality"] and d.spurious == ["quality of life"]


def test_missing_and_unscored_documents():
    g = golds(gold("A", labels=["randomized"]), gold("B", labels=["cohort"], n=5,
                                                     interventions=[("x y", [], "drug", "experimental")]))
    r = score([result("A", labels=["randomized"]), result("Z", labels=["cohort"])], g)
    assert r.documents == 2 and r.missing == ["B"] and r.unscored == 1
    assert (r.design_labels.tp, r.design_labels.fp, r.design_labels.fn) == (1, 0, 1)
    assert (r.interventions.tp, r.interventions.fn) == (0, 1)
    assert r.details[1].missing and not r.details[1].ok and r.details[0].ok


def test_duplicate_result_id_is_an_error():
    with pytest.raises(ResultsError, match=r"result #2: duplicate id 'A' \(first at result #1\)"):
        score([result("A"), result("A")], golds(gold("A")))


def test_invalid_result_names_field():
    bad = result("A", interventions=[("x", "pill", "experimental")])
    with pytest.raises(ResultsError, match=r"result #1 \(id 'A'\): field interventions\[0\]\.kind"):
        score([bad], golds(gold("A")))


def _gold_as_result(doc: GoldDocument) -> dict:
    return result(
        doc.id, doc.design.labels, doc.design.phase, doc.design.registrations, doc.sample_size.n,
        [(i.name, i.kind, i.role) for i in doc.interventions], [(e.name, e.role) for e in doc.endpoints],
        [(p.text, p.comparator, p.value) for p in doc.p_values],
    )


def test_gold_scored_against_itself_is_perfect():
    g = load_gold(ROOT / "gold")
    r = score([_gold_as_result(doc) for doc in g.values()], g)
    assert r.missing == [] and all(d.ok for d in r.details)
    for m in (r.design_labels, r.registrations, r.p_values, r.interventions, r.endpoints):
        assert m.fp == m.fn == 0
    assert r.phase.accuracy == r.n.accuracy == r.intervention_kind.accuracy == 1.0


# --- files and rendering -----------------------------------------------------------------------------

def _write_gold(directory: Path, *docs: GoldDocument) -> Path:
    directory.mkdir()
    for doc in docs:
        (directory / f"{doc.id}.json").write_text(doc.model_dump_json())
    return directory


def test_score_files(tmp_path):
    gold_dir = _write_gold(tmp_path / "gold", gold("A", n=3), gold("B"))
    results = tmp_path / "results.jsonl"
    results.write_text(json.dumps(result("A", n=3)) + "\n\n" + json.dumps(result("C")) + "\n")
    r = score_files(results, gold_dir)
    assert (r.documents, r.missing, r.unscored, r.n.correct) == (2, ["B"], 1, 1)
    assert json.loads(r.model_dump_json())["n"]["accuracy"] == 0.5


@pytest.mark.parametrize("lines, message", [
    (['{"id": "A", "source": "s"}', '{"id": "B",'], r"results\.jsonl, line 2: invalid JSON"),
    (['[1, 2]'], r"results\.jsonl, line 1: expected a JSON object"),
    (['{"id": "A", "source": "s"}', '', json.dumps(result("B", interventions=[("x", "pill", "control")]))],
     r"results\.jsonl, line 3 \(id 'B'\): field interventions\[0\]\.kind"),
    (['{"id": "A", "source": "s", "design": {"phase": "II"}}'], r"line 1 \(id 'A'\): field design\.phase"),
    (['{"id": "A", "source": "s"}', '{"id": "A", "source": "s"}'], r"line 2: duplicate id 'A'"),
])
def test_malformed_results_name_file_line_field(tmp_path, lines, message):
    gold_dir = _write_gold(tmp_path / "gold", gold("A"), gold("B"))
    results = tmp_path / "results.jsonl"
    results.write_text("\n".join(lines) + "\n")
    with pytest.raises(ResultsError, match=message):
        score_files(results, gold_dir)


def test_missing_results_file(tmp_path):
    gold_dir = _write_gold(tmp_path / "gold", gold("A"))
    with pytest.raises(ResultsError, match=r"nope\.jsonl: cannot read"):
        score_files(tmp_path / "nope.jsonl", gold_dir)


def test_render_table():
    g = golds(gold("A", labels=["randomized", "double-blind"], n=10), gold("B"))
    r = score([result("A", labels=["randomized"], n=10, phase="2")], g)
    text = render_table(r)
    summary, prf, acc = text.split("\n\n")
    assert summary == "2 gold documents scored; 1 missing from results: B"
    rows = prf.splitlines()
    assert len({len(row) for row in rows}) == 1  # right-aligned columns: equal widths
    assert rows[0].split() == ["field", "tp", "fp", "fn", "precision", "recall", "f1"]
    assert rows[1].split() == ["design", "labels", "1", "0", "1", "1.000", "0.500", "0.667"]
    assert rows[2].split() == ["registrations", "0", "0", "0", "-", "-", "-"]
    acc_rows = acc.splitlines()
    assert len({len(row) for row in acc_rows}) == 1
    assert acc_rows[2].split() == ["n", "1", "2", "0.500"]
    assert acc_rows[3].split() == ["n", "(when", "answered)", "1", "1", "1.000"]
    details = render_table(r, details=True).split("\n\n")[-1].splitlines()
    assert details == ["A: design_labels missed: double-blind", "A: phase gold None predicted 2",
                       "B: missing from results"]


def test_greedy_prefers_the_prediction_that_names_the_item_over_an_alias():
    from extract.scoring.names import greedy_match

    preds = ["immune markers", "peripheral regulatory T-cell populations"]
    golds = [["peripheral regulatory T-cell populations", "immune markers"]]
    assert greedy_match(preds, golds) == [(1, 0, 1.0)]

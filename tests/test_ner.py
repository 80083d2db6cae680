"""The statistical NER: corpus conversion, a smoke training, the shipped models in the pipeline,
`--model`, `extract models`, and the rule components without any NER."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from extract.cli import app
from extract.components.entities import EntitySpans
from extract.extractor import Extractor
from extract.ner import corpus as C
from extract.ner.models import read_scores, shipped_models
from extract.pipeline import build_pipeline

from conftest import SEEDS

SHIPPED = bool(shipped_models())
needs_models = pytest.mark.skipif(not SHIPPED, reason="shipped NER models not built")


# -- span cutting --------------------------------------------------------------------------------
@pytest.mark.parametrize("text, end, label, expected", [
    ("heparin-induced thrombocytopenia", 15, "CHEMICAL", [(0, 7, "CHEMICAL")]),
    ("doxorubicin-treated rats", 19, "CHEMICAL", [(0, 11, "CHEMICAL")]),
    ("ergotamine/caffeine", 19, "CHEMICAL", [(0, 10, "CHEMICAL"), (11, 19, "CHEMICAL")]),
    ("mg/kg", 5, "CHEMICAL", [(0, 5, "CHEMICAL")]),
    ("alpha-methyldopa", 16, "CHEMICAL", [(0, 16, "CHEMICAL")]),
    ("pain-related disability", 23, "OUTCOME", [(0, 23, "OUTCOME")]),
])
def test_entity_spans_cut_back_to_the_name(text, end, label, expected):
    assert EntitySpans().cut(text, 0, end, label) == expected


NALOXONE = ("Naloxone reverses the antihypertensive effect of clonidine.\n\nIn unanesthetized, spontaneously "
            "hypertensive rats the decrease in blood pressure and heart rate produced by intravenous clonidine, "
            "5 to 20 micrograms/kg, was inhibited or reversed by nalozone, 0.2 to 2 mg/kg. The hypotensive effect "
            "of 100 mg/kg alpha-methyldopa was also partially reversed by naloxone. Naloxone alone did not affect "
            "either blood pressure or heart rate.")  # BC5CDR training set, PMID 227508


def test_found_chemical_names_label_their_other_mentions():
    """Each name found once labels its other occurrences on token edges (case as written); a span
    already found is not overlapped, and PICO labels are not propagated."""
    from extract.tokenizer import scispacy_tokenizer
    import spacy

    nlp = spacy.blank("en")
    doc = scispacy_tokenizer(nlp)(NALOXONE)
    clonidine = NALOXONE.index("clonidine")
    found = {(0, 8, "CHEMICAL"), (clonidine, clonidine + 9, "CHEMICAL"), (0, 58, "OUTCOME")}
    added = EntitySpans().other_mentions(doc, NALOXONE, found)
    second = NALOXONE.index("clonidine", clonidine + 1)
    third = NALOXONE.index("Naloxone alone")
    assert sorted(added) == [(second, second + 9, "CHEMICAL"), (third, third + 8, "CHEMICAL")]


CAA = ("Based on clinical data, indicating that chloroacetaldehyde (CAA) is an important metabolite of "
       "oxazaphosphorine cytostatics, an experimental study was carried out in order to elucidate the role of "
       "CAA in the development of hemorrhagic cystitis. The data demonstrate that CAA after i.v. administration "
       "does not contribute to bladder damage.")  # BC5CDR training set, PMID 2505783


def test_the_abbreviation_of_a_found_long_form_is_labelled_too():
    import spacy

    from extract.tokenizer import scispacy_tokenizer

    nlp = spacy.blank("en")
    nlp.tokenizer = scispacy_tokenizer(nlp)
    nlp.add_pipe("extract_abbreviations")
    doc = nlp(CAA)
    long_form = CAA.index("chloroacetaldehyde")
    added = EntitySpans().other_mentions(doc, CAA, {(long_form, long_form + 18, "CHEMICAL")})
    starts = [i for i in range(len(CAA)) if CAA.startswith("CAA", i)]
    assert len(starts) == 3 and sorted(added) == [(i, i + 3, "CHEMICAL") for i in starts]


# -- corpus conversion ---------------------------------------------------------------------------
def test_keep_entities_moves_the_entity_layer_and_leaves_it_unset():
    """The next NER starts from an unset entity layer (what `set_ents([], default="missing")` gives)."""
    from spacy.tokens import Span

    from extract.components.entities import KeepEntities, ner_spans

    doc = build_pipeline("none").make_doc("Cisplatin-induced nephrotoxicity in rats given heparin.")
    doc.set_ents([Span(doc, 0, 1, label="CHEMICAL"), Span(doc, 1, 2, label="DISEASE")], default="outside")
    KeepEntities()(doc)
    assert [(doc[s:e].text, label) for s, e, label in ner_spans(doc)] == [("Cisplatin-induced", "CHEMICAL"),
                                                                         ("nephrotoxicity", "DISEASE")]
    assert doc.ents == () and {(t.ent_iob_, t.ent_type) for t in doc} == {("", 0)}
    doc.set_ents([Span(doc, 5, 6, label="CHEMICAL")], default="outside")  # the next NER's
    KeepEntities()(doc)
    assert [doc[s:e].text for s, e, _ in ner_spans(doc)] == ["Cisplatin-induced", "nephrotoxicity", "heparin"]


def test_entity_layer_reads_doc_ents_from_the_token_arrays():
    """Adjacent entities, one at each end, multi-token ones: the same as `doc.ents`."""
    from spacy.tokens import Span

    from extract.components.entities import entity_layer

    doc = build_pipeline("none").make_doc("Cisplatin nephrotoxicity in Sprague Dawley rats given low dose heparin")
    assert entity_layer(doc) == []
    doc.set_ents([Span(doc, 0, 1, label="CHEMICAL"), Span(doc, 1, 2, label="DISEASE"),
                  Span(doc, 3, 6, label="SPECIES"), Span(doc, 7, 10, label="CHEMICAL")], default="outside")
    expected = [(0, 1, "CHEMICAL"), (1, 2, "DISEASE"), (3, 6, "SPECIES"), (7, 10, "CHEMICAL")]
    assert entity_layer(doc) == [(e.start, e.end, e.label_) for e in doc.ents] == expected


def test_ebm_tag_runs_become_entities():
    assert C.tag_spans(["O", "I-INT", "I-INT", "O", "I-PAR", "I-OUT"]) == [
        (1, 3, "INTERVENTION"), (4, 5, "PARTICIPANTS"), (5, 6, "OUTCOME")]


def test_bc5cdr_conversion_aligns_mentions_with_our_tokenizer(corpora):
    nlp = C.tokenizer_nlp()
    train, stop = C.cdr_split(corpora)
    assert len(train) == 900 and len(stop) == 100 and not train & stop
    test_ids = set(C.pmids_of(corpora / C.CDR_TEST))
    assert not (train | stop) & test_ids
    stats = C.AlignmentStats()
    docs = list(C.pubtator_docs(nlp, corpora / C.CDR_TRAIN, C.CDR_LABELS, pmids=set(sorted(train)[:20]),
                                stats=stats))
    assert len(docs) == 20 and stats.mentions > 100
    assert stats.aligned + stats.expanded + stats.unalignable == stats.mentions
    assert stats.text_mismatch == 0
    assert all(ent.label_ in ("CHEMICAL", "DISEASE") for doc in docs for ent in doc.ents)
    assert "\n\n" in docs[0].text  # laid out as the pipeline sees it: title, blank line, abstract


def test_bc5cdr_iob_sentences_and_their_mentions(corpora):
    """bc5cdr/iob (hyphens split: the tokenization scispaCy's reported scores use), read as sentences
    with gold token spans; the training file's first sentence is the first BC5CDR training title."""
    sentences = list(C.read_iob(corpora / "bc5cdr/iob/train.tsv"))
    assert len(sentences) == 4560 and sum(len(spans) for _, spans in sentences) == 9385
    words, spans = sentences[0]
    assert words[:5] == ["Selegiline", "-", "induced", "postural", "hypotension"]
    assert spans == [(0, 1, "CHEMICAL"), (3, 5, "DISEASE"), (6, 10, "DISEASE")]


def test_ebm_and_difficulty_conversion(corpora):
    nlp = C.tokenizer_nlp()
    docs = list(C.ebm_docs(nlp, corpora / C.EBM_TRAIN, pmids={"10037531"}))
    assert len(docs) == 1 and {e.label_ for e in docs[0].ents} <= set(C.PICO_LABELS)
    extra = next(C.difficulty_docs(nlp, corpora))
    assert {e.label_ for e in extra.ents} == {"INTERVENTION"}
    assert any(t.ent_iob_ == "" for t in extra)  # P and O unannotated there: missing, not O


def test_smoke_training_builds_a_loadable_model(corpora, tmp_path):
    from extract.ner.train import train

    out = tmp_path / "model"
    info = train("chem-disease", corpora, out, work=tmp_path / "work", limit=4, max_steps=4, eval_frequency=2)
    assert (out / "config.cfg").is_file() and json.loads((out / "training.json").read_text())["task"]
    assert info["train"]["BC5CDR"]["documents"] == 4
    assert info["word_table"] == 0 and not (out / "word_embeddings.npz").exists()  # no static vectors, no table
    nlp = build_pipeline(str(out))  # a model we trained is sourced like the shipped ones
    assert "ner_model" in nlp.pipe_names and "ner_external" not in nlp.pipe_names
    nlp("Cisplatin-induced nephrotoxicity in rats.")
    (out / "training.json").unlink()  # now any spaCy pipeline directory: it runs beside ours
    nlp = build_pipeline(str(out))
    assert "ner_external" in nlp.pipe_names and "ner_model" not in nlp.pipe_names
    nlp("Cisplatin-induced nephrotoxicity in rats.")


def test_smoke_training_of_the_shared_encoder_model(corpora, tmp_path):
    """NER and PICO tagger on one tok2vec, each training doc with one of the two annotations; sourced
    into a pipeline, both heads listen to the one tok2vec (which runs once per document)."""
    from extract.ner.evaluate import ner_pipeline
    from extract.ner.train import train

    out = tmp_path / "model"
    info = train("joint", corpora, out, work=tmp_path / "work", limit=4, max_steps=4, eval_frequency=2,
                 overrides={"components.tok2vec.model.embed.include_static_vectors": False})
    assert info["train"]["BC5CDR"]["documents"] == 4
    assert info["train"]["EBM-NLP scibert_split/dev.txt"]["documents"] == 4
    nlp = ner_pipeline(out)
    assert nlp.pipe_names == ["extract_abbreviations", "ner_model_tok2vec", "ner_model_ner", "ner_model_ner_keep", "ner_model_tagger",
                              "ner_model_tagger_keep", "extract_entities"]
    tok2vec = dict(nlp.pipeline)["ner_model_tok2vec"].inner
    assert sorted(tok2vec.listener_map) == ["ner_model_ner", "ner_model_tagger"]
    from extract.ner.biluo import BiluoNER

    ner = dict(nlp.pipeline)["ner_model_ner"].inner
    assert isinstance(ner, BiluoNER) and ner.entity_labels == ("CHEMICAL", "DISEASE")
    doc = nlp("Cisplatin-induced nephrotoxicity in rats.")
    assert doc.tensor.shape == (len(doc), 64) and all(t.tag_ for t in doc)  # the encoder width
    # --model with the directory of a model we trained: sourced as the shipped one is, not external
    names = build_pipeline(str(out)).pipe_names
    assert "ner_model_ner" in names and "ner_model_tagger_keep" in names and "ner_external" not in names


# -- the tokenizer a model is trained on ----------------------------------------------------------
@pytest.mark.parametrize("config", ["ner_joint.cfg", "ner_chem_disease.cfg", "ner_pico.cfg", "pico_tagger.cfg"])
def test_training_configs_tokenize_like_the_pipeline(config):
    """spaCy's training corpus re-tokenizes each text with the config's tokenizer: it must be ours,
    or the model learns on tokens it never sees in `extract run` ("heparin-induced" is one token)."""
    import spacy
    from thinc.api import Config

    from extract.ner.train import config_path

    cfg = Config().from_disk(config_path(config), interpolate=False)
    nlp = spacy.blank("en", config={"nlp": {"tokenizer": cfg["nlp"]["tokenizer"]}})
    text = "Heparin-induced thrombocytopenia (HIT) developed in 3/40 patients given 5 mg/kg."
    assert [t.text for t in nlp(text)] == [t.text for t in build_pipeline("none").tokenizer(text)]
    assert [t.text for t in nlp(text)][:3] == ["Heparin-induced", "thrombocytopenia", "("]


# -- the BILUO tagger's decoding ----------------------------------------------------------------
TAGS = ["O", "B-CHEMICAL", "I-CHEMICAL", "L-CHEMICAL", "U-CHEMICAL",
        "B-DISEASE", "I-DISEASE", "L-DISEASE", "U-DISEASE"]


def _scores(*rows):
    """Tag probabilities, one dict {tag: p} per token (the rest shared out evenly)."""
    import numpy

    out = numpy.zeros((len(rows), len(TAGS)), dtype="float32")
    for i, row in enumerate(rows):
        rest = (1.0 - sum(row.values())) / (len(TAGS) - len(row))
        out[i] = [row.get(tag, rest) for tag in TAGS]
    return out


def test_biluo_decoder_keeps_valid_best_tags_and_repairs_invalid_runs():
    from extract.ner.biluo import BiluoDecoder, biluo_tags

    assert biluo_tags(["CHEMICAL", "DISEASE"]) == TAGS
    decode = BiluoDecoder(TAGS)
    # "acute kidney injury after cisplatin": B-I-L DISEASE, O, U-CHEMICAL, already valid
    valid = _scores({"B-DISEASE": .9}, {"I-DISEASE": .8}, {"L-DISEASE": .9}, {"O": .9}, {"U-CHEMICAL": .9})
    assert [TAGS[i] for i in decode(valid)] == ["B-DISEASE", "I-DISEASE", "L-DISEASE", "O", "U-CHEMICAL"]
    # the best tags open an entity that never closes (B, I, then O): the run is decoded again, and
    # B-I-L beats U-O-O and the other valid readings
    broken = _scores({"B-DISEASE": .6, "U-DISEASE": .3}, {"I-DISEASE": .5, "L-DISEASE": .4},
                     {"O": .5, "L-DISEASE": .45}, {"O": .9})
    assert [TAGS[i] for i in decode(broken)] == ["B-DISEASE", "I-DISEASE", "L-DISEASE", "O"]
    # an I- with no B- before it, labels that disagree: never an invalid sequence
    odd = _scores({"I-CHEMICAL": .5, "U-CHEMICAL": .4}, {"L-DISEASE": .5, "O": .4})
    assert [TAGS[i] for i in decode(odd)] == ["U-CHEMICAL", "O"]
    # logits (the Tagger.v2 softmax skips normalizing at inference) decode the same way
    import numpy
    assert decode(numpy.log(broken), logits=True).tolist() == decode(broken).tolist()


def test_biluo_tags_become_entity_spans():
    from spacy.tokens import Doc
    from spacy.vocab import Vocab

    from extract.ner.biluo import BiluoDecoder

    doc = Doc(Vocab(), words="Cisplatin induced acute kidney injury in rats".split())
    tags = [TAGS.index(t) for t in ["U-CHEMICAL", "O", "B-DISEASE", "I-DISEASE", "L-DISEASE", "O", "O"]]
    BiluoDecoder(TAGS).set_ents(doc, tags)
    assert [(s.text, s.label_) for s in doc.ents] == [("Cisplatin", "CHEMICAL"), ("acute kidney injury", "DISEASE")]
    assert [t.ent_iob_ for t in doc] == ["B", "O", "B", "I", "I", "O", "O"]  # as set_ents(default="outside")


# -- the pipeline --------------------------------------------------------------------------------
def test_rules_work_without_any_ner():
    nlp = build_pipeline("none")
    assert not [name for name in nlp.pipe_names if name.startswith("ner")]
    doc = nlp("Patients were randomized to receive metformin or placebo. The primary endpoint was HbA1c.")
    assert [i.name for i in doc._.interventions] == ["metformin", "placebo"]
    assert [e.name for e in doc._.endpoints] == ["HbA1c"]
    assert doc._.entities == [] and doc._.conditions == []


@needs_models
def test_shipped_models_are_sourced_before_the_field_components():
    names = build_pipeline().pipe_names
    statistical = [name for name in names if name.startswith("ner")]
    assert statistical and max(map(names.index, statistical)) < names.index("extract_entities")
    assert names.index("extract_entities") < names.index("extract_interventions")


@needs_models
def test_shipped_models_find_chemicals_diseases_and_conditions():
    record = Extractor().extract(
        "Cisplatin-induced nephrotoxicity in patients with ovarian cancer.\n\n"
        "Sixty patients with ovarian cancer were randomized to receive cisplatin or carboplatin. "
        "The primary outcome was acute kidney injury.", id="x")
    names = {c.name.lower() for c in record.conditions}
    assert "nephrotoxicity" in names and "ovarian cancer" in names
    assert {"cisplatin", "carboplatin"} <= {i.name.lower() for i in record.interventions}
    assert all(record.text[c.span.start:c.span.end] == c.name for c in record.conditions)


@needs_models
def test_shipped_model_was_trained_on_our_tokens():
    """A plain spacy.load of the shipped model builds our tokenizer (config + entry point), and the
    model tags a "<drug>-induced" token, which the entity step cuts back to the drug."""
    import spacy

    from extract.ner.evaluate import ner_pipeline
    from extract.ner.models import model_path

    text = "Heparin-induced thrombocytopenia (HIT) is an immune-mediated adverse drug reaction."
    doc = spacy.load(model_path("chem_disease_pico"))(text)
    assert [t.text for t in doc][:2] == ["Heparin-induced", "thrombocytopenia"]
    assert ("Heparin-induced", "CHEMICAL") in [(e.text, e.label_) for e in doc.ents]
    entities = ner_pipeline(model_path("chem_disease_pico"))(text)._.entities
    assert (0, 7, "CHEMICAL") in entities and (16, 32, "DISEASE") in entities


@needs_models
def test_models_command_lists_scores():
    result = CliRunner().invoke(app, ["models"])
    assert result.exit_code == 0
    for info in shipped_models():
        assert info.name in result.output
        if read_scores(info.name):
            assert "words/s" in result.output


def test_missing_model_is_a_usage_error_with_install_hint(tmp_path):
    result = CliRunner().invoke(app, ["run", str(SEEDS), "--model", "en_ner_bc5cdr_md", "--out",
                                      str(tmp_path / "o.jsonl"), "--quiet"])
    assert result.exit_code == 2
    assert "pip install" in result.output and "en_ner_bc5cdr_md" in result.output
    result = CliRunner().invoke(app, ["run", str(SEEDS), "--model", str(tmp_path / "nowhere"), "--quiet"])
    assert result.exit_code == 2 and "not found" in result.output


@needs_models
def test_shipped_models_fit_the_size_budget():
    from extract.ner.models import MODELS_DIR

    total = sum(f.stat().st_size for f in MODELS_DIR.rglob("*") if f.is_file())
    assert total <= 40 * 1024 * 1024


def test_tag_runs_become_spans_and_conditions_dedupe():
    import spacy

    from extract.components.entities import TagSpans, ner_spans

    nlp = spacy.blank("en")
    doc = nlp("Adults with type 2 diabetes received metformin daily")
    for token, tag in zip(doc, ["PAR", "PAR", "PAR", "PAR", "PAR", "O", "INT", "O"]):
        token.tag_ = tag
    TagSpans({"PAR": "PARTICIPANTS", "INT": "INTERVENTION"})(doc)
    assert [(doc[s:e].text, label) for s, e, label in ner_spans(doc)] == [
        ("Adults with type 2 diabetes", "PARTICIPANTS"), ("metformin", "INTERVENTION")]
    # a run at the very end; two tags of one label make one run
    doc = nlp("Metformin or placebo for 12 weeks")
    for token, tag in zip(doc, ["INT", "I-INT", "INT", "O", "OUT", "OUT"]):
        token.tag_ = tag
    TagSpans({"INT": "INTERVENTION", "I-INT": "INTERVENTION", "OUT": "OUTCOME"})(doc)
    assert [(doc[s:e].text, label) for s, e, label in ner_spans(doc)] == [
        ("Metformin or placebo", "INTERVENTION"), ("12 weeks", "OUTCOME")]


def test_conditions_from_participants_and_disease_spans():
    from extract.components.conditions import ConditionFinder

    nlp = build_pipeline("none")
    doc = nlp("Adults with type 2 diabetes and obesity were enrolled. Diabetes is common.")
    text = doc.text
    doc._.entities = [(0, text.index(" were"), "PARTICIPANTS"),
                      (text.index("Diabetes"), text.index("Diabetes") + 8, "DISEASE")]
    ConditionFinder()(doc)
    assert [c.name for c in doc._.conditions] == ["type 2 diabetes"]  # "Diabetes" is the same one


def test_fast_ops_gather_add_is_thincs_sum_bit_for_bit():
    """The hash-embedding lookups the NER runs on (`ops.FastOps`) give thinc's sums exactly."""
    import numpy
    from thinc.api import NumpyOps

    from extract.ner.ops import FastOps

    rng = numpy.random.default_rng(0)
    table = rng.standard_normal((5000, 64), dtype="float32")
    keys = NumpyOps().hash(rng.integers(0, 2**63, 3000, dtype="uint64"), 8) % 5000  # as HashEmbed does
    fast, reference = FastOps().gather_add(table, keys), NumpyOps().gather_add(table, keys)
    assert keys.shape == (3000, 4) and fast.dtype == reference.dtype
    assert numpy.array_equal(fast, reference)


def test_tag_writer_writes_the_tags_spacys_tagger_writes(nlp):
    from extract.ner.load import TagWriter

    tagger = nlp.get_pipe("ner_tagger")
    assert isinstance(tagger.set_annotations, TagWriter)
    texts = ["Sixty patients with chronic heart failure were randomized to ivabradine or placebo.",
             "The primary outcome was the change in 6-minute walk distance at 12 weeks.", ""]
    ours, theirs = [[nlp.make_doc(t) for t in texts] for _ in range(2)]
    with nlp.select_pipes(enable=["ner_tok2vec"]):
        ours, theirs = list(nlp.pipe(ours)), list(nlp.pipe(theirs))
    tagger.set_annotations(ours, tagger.inner.predict(ours))
    tagger.inner.set_annotations(theirs, tagger.inner.predict(theirs))
    assert [[t.tag_ for t in d] for d in ours] == [[t.tag_ for t in d] for d in theirs]
    assert {t.tag_ for t in ours[0]} >= {"PAR", "INT"} and {t.tag_ for t in ours[1]} >= {"OUT"}


def test_inference_forwards_give_thincs_numbers_bit_for_bit_and_training_keeps_thincs(nlp):
    """The maxout and layernorm layers of the shipped encoder (`ops.fast_inference`)."""
    import numpy
    from thinc.layers import layernorm, maxout

    tok2vec = nlp.get_pipe("ner_tok2vec").inner.model
    layers = [layer for layer in tok2vec.walk() if layer.name in ("maxout", "layernorm")]
    assert [layer.name for layer in layers] == ["maxout", "layernorm"] * 3
    rng = numpy.random.default_rng(0)
    for layer in layers:
        assert layer._func.__name__ == f"{layer.name}_forward"
        X = rng.standard_normal((500, layer.get_dim("nI")), dtype="float32") * 3
        thincs = {"maxout": maxout.forward, "layernorm": layernorm.forward}[layer.name]
        fast, reference = layer._func(layer, X, False)[0], thincs(layer, X, False)[0]
        assert fast.shape == reference.shape and fast.dtype == reference.dtype
        assert numpy.array_equal(fast, reference)
        trained, backprop = layer._func(layer, X, True)  # training: thinc's forward, with its backprop
        assert numpy.array_equal(trained, reference)
        assert backprop(numpy.ones_like(trained)).shape == X.shape

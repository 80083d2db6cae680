"""Gold files: every file loads; malformed files raise errors naming the file and the field or position."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from extract.gold import GoldDocument, GoldError, load_gold, read_gold_file

GOLD = Path(__file__).resolve().parent.parent / "gold"

MINIMAL = {"id": "X1", "source": "corpus/x.txt"}


def test_every_gold_file_loads_and_ids_equal_stems():
    gold = load_gold(GOLD)
    stems = sorted(p.stem for p in GOLD.glob("*.json"))
    assert stems and sorted(gold) == stems
    assert all(doc.id == doc_id for doc_id, doc in gold.items())


def test_minimal_gold_defaults():
    doc = GoldDocument.model_validate(MINIMAL)
    assert doc.design.labels == [] and doc.design.phase is None and doc.sample_size.n is None
    assert doc.interventions == doc.endpoints == doc.p_values == [] and doc.notes == ""
    assert doc.in_corpus


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_invalid_json_names_file_line_column(tmp_path):
    _write(tmp_path, "X1.json", '{\n  "id": "X1",\n  "source": "corpus/x.txt"\n  "notes": ""\n}')
    with pytest.raises(GoldError, match=r"X1\.json: invalid JSON at line 4, column 3: Expecting ','"):
        load_gold(tmp_path)


@pytest.mark.parametrize("change, field", [
    ({"design": {"labels": ["rct"]}}, r"field design\.labels\[0\]: Input should be 'randomized'"),
    ({"design": {"phase": "II"}}, r"field design\.phase"),
    ({"sample_size": {"n": -1}}, r"field sample_size\.n: Input should be greater than or equal to 0"),
    ({"interventions": [{"name": "x", "role": "control"}]}, r"field interventions\[0\]\.kind: Field required"),
    ({"endpoints": [{"name": "y", "role": "main"}]}, r"field endpoints\[0\]\.role"),
    ({"p_values": [{"text": "P = 2", "comparator": "=", "value": 2}]}, r"field p_values\[0\]\.value"),
    ({"notez": "typo"}, r"field notez: Extra inputs are not permitted"),
])
def test_invalid_field_names_file_and_field(tmp_path, change, field):
    _write(tmp_path, "X1.json", json.dumps({**MINIMAL, **change}))
    with pytest.raises(GoldError, match=r"X1\.json: .*" + field):
        load_gold(tmp_path)


def test_id_must_equal_file_stem(tmp_path):
    path = _write(tmp_path, "X2.json", json.dumps(MINIMAL))
    with pytest.raises(GoldError, match=r"X2\.json: line 1: field id: 'X1' does not match the file name 'X2\.json'"):
        read_gold_file(path)


def test_missing_directory(tmp_path):
    with pytest.raises(GoldError, match="gold directory not found"):
        load_gold(tmp_path / "nope")


def test_only_json_files_are_read(tmp_path):
    _write(tmp_path, "README.md", "# not gold")
    _write(tmp_path, "X1.json", json.dumps(MINIMAL))
    assert list(load_gold(tmp_path)) == ["X1"]

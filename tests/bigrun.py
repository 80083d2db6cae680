"""Inputs for the runner and distributed tests: small, built from the seeds (always there) and the
MEDLINE samples in ../shared/corpora/medline (when present)."""
from __future__ import annotations

from pathlib import Path

import orjson

from extract.readers import read_paths

from conftest import CORPORA, SEEDS

MEDLINE = CORPORA / "medline"
BROKEN_XML = "<PubmedArticleSet><PubmedArticle><MedlineCitation>"


def seeds_jsonl(path: Path, copies: int) -> Path:
    """The seed abstracts `copies` times over, each copy under its own id, as JSONL."""
    seeds = list(read_paths([SEEDS]))
    with open(path, "wb") as handle:
        for k in range(copies):
            for seed in seeds:
                handle.write(orjson.dumps({
                    "id": f"{seed.id}-{k:04d}", "title": seed.title, "abstract": seed.abstract,
                    "publication_types": seed.metadata.get("publication_types", []),
                }) + b"\n")
    return path


def build_inputs(directory: Path, copies: int, broken: bool = True) -> list[str]:
    """Input paths, in order: seed copies (JSONL), the MEDLINE samples when present, a broken file."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = [str(seeds_jsonl(directory / "a_seeds.jsonl", copies))]
    if MEDLINE.is_dir():
        paths.append(str(MEDLINE))
    if broken:
        (directory / "z_broken.xml").write_text(BROKEN_XML, encoding="utf-8")
        paths.append(str(directory / "z_broken.xml"))
    return paths


def ids_of(data: bytes) -> list[str]:
    return [orjson.loads(line)["id"] for line in data.splitlines()]


_reference: dict = {}


def reference_run(copies: int = 40) -> tuple[list[str], bytes]:
    """(inputs, output of a one-worker run in this process), built once per test session."""
    if copies not in _reference:
        import atexit
        import shutil
        import tempfile

        from extract.runner import RunOptions, run

        directory = Path(tempfile.mkdtemp(prefix="extract-bigrun-"))
        atexit.register(shutil.rmtree, directory, ignore_errors=True)  # (each test session made one)
        inputs = build_inputs(directory, copies)
        out = directory / "reference.jsonl"
        run(inputs, str(out), workers=1, options=RunOptions(batch_size=8), progress=False)
        _reference[copies] = (inputs, out.read_bytes())
    return _reference[copies]

"""The `extract` command line: run, score, schema, models, gold-inputs.

Exit codes: 0 all documents extracted, 1 some documents failed (their records carry `errors`),
2 usage error (bad option, missing path).
"""
from __future__ import annotations

from pathlib import Path
from typing import List

import orjson
import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


@app.command()
def run(
    paths: List[str] = typer.Argument(..., help="Files or directories (recursive); '-' reads stdin."),
    out: str = typer.Option("-", "--out", "-o", help="Output JSONL file ('.gz': gzip); '-' is stdout."),
    batch_size: int = typer.Option(64, "--batch-size", min=1, help="Documents per pipeline batch."),
    workers: int = typer.Option(None, "--workers", "-j", min=1, show_default="all cores",
                                help="Worker processes; the output is the same whatever the number."),
    resume: bool = typer.Option(False, "--resume", help="Continue a stopped run: skip the documents "
                                                         "already in --out, append the rest."),
    fail_fast: bool = typer.Option(False, "--fail-fast", help="Stop at the first failed document."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar, messages or summary on stderr."),
    model: str = typer.Option(None, "--model", metavar="NAME_OR_PATH",
                              help="NER to run instead of the shipped models: an installed spaCy/scispaCy "
                                   "pipeline (en_core_sci_sm, en_core_sci_md, en_ner_bc5cdr_md) or a "
                                   "pipeline directory; 'none' for rules only."),
    scheduler: str = typer.Option(None, "--scheduler", metavar="ADDRESS",
                                  help="Run on a Dask cluster (tcp://host:8786, or 'local[:N]' for a "
                                       "local one); needs extract[distributed]."),
    partition_size: int = typer.Option(10_000, "--partition-size", min=1,
                                       help="With --scheduler: documents per task (part file)."),
) -> None:
    """Extract design, sample size, interventions, endpoints and p-values: one JSON line per document.

    A bad file or record (empty, binary, undecodable, malformed, too large) becomes a record with `errors`; the run goes on.

    Exit codes: 0 every document extracted; 1 some documents failed (--fail-fast: stop at the first); 2 usage error.
    """
    from .ner.load import ModelNotFoundError, check_model
    from .runner import ResumeError, RunOptions, WorkerCrash

    missing = [p for p in paths if p != "-" and not Path(p).exists()]
    if missing:
        _usage(f"no such file or directory: {', '.join(missing)}")
    if resume and out == "-":
        _usage("--resume needs --out FILE (it reads what the stopped run wrote)")
    try:
        check_model(model)
    except ModelNotFoundError as exc:
        _usage(str(exc))
    options = RunOptions(batch_size=batch_size, model=model)
    log = None if quiet else (lambda message: typer.echo(message, err=True))
    try:
        if scheduler:
            from .distributed import run_distributed

            if out == "-" or "-" in paths:
                _usage("--scheduler needs input files and --out FILE (the workers write part files beside it)")
            summary = run_distributed(paths, out, scheduler, options=options, resume=resume,
                                      partition_size=partition_size, fail_fast=fail_fast,
                                      progress=False if quiet else None, log=log)
        else:
            from .runner import run as run_local

            summary = run_local(paths, out, workers=workers, options=options, resume=resume,
                                fail_fast=fail_fast, progress=False if quiet else None, log=log)
    except (ModelNotFoundError, ResumeError) as exc:
        _usage(str(exc))
    except WorkerCrash as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(EXIT_FAILED)
    if not quiet:
        typer.echo(summary.line(), err=True)
    raise typer.Exit(EXIT_FAILED if summary.errors else EXIT_OK)


@app.command()
def score(
    results: Path = typer.Argument(..., help="JSONL written by `extract run`."),
    gold: Path = typer.Option(..., "--gold", help="Directory of gold JSON files."),
    as_json: bool = typer.Option(False, "--json", help="Print the machine-readable report."),
) -> None:
    """Score results against hand-annotated gold."""
    from .scoring import render_table, score_files

    try:
        report = score_files(results, gold)
    except (OSError, ValueError) as exc:
        _usage(str(exc))
    typer.echo(report.model_dump_json(indent=2) if as_json else render_table(report))


@app.command()
def schema() -> None:
    """Print the JSON Schema of one output line."""
    from .schema import json_schema

    typer.echo(orjson.dumps(json_schema(), option=orjson.OPT_INDENT_2).decode())


@app.command()
def models() -> None:
    """List the NER models shipped with extract, their test-split scores and training corpora."""
    from .ner.models import read_scores, shipped_models

    infos = shipped_models()
    if not infos:
        typer.echo("no NER model shipped: the pipeline runs its rules only (python -m extract.ner.train builds one)")
    for info in infos:
        typer.echo(f"{info.name} (pipe {info.pipe_name}; labels {', '.join(info.labels)})")
        typer.echo(f"  trained on: {info.corpora}")
        scores = read_scores(info.name)
        if not scores:
            typer.echo("  scores: not measured (python -m extract.ner.evaluate)")
            continue
        for line in scores.get("summary", []):
            typer.echo(f"  {line}")


@app.command("gold-inputs")
def gold_inputs(
    gold: Path = typer.Option(Path("gold"), "--gold", help="Directory of gold JSON files."),
    corpora: Path = typer.Option(Path("../shared/corpora"), "--corpora", help="The public corpora."),
    out: str = typer.Option("-", "--out", "-o", help="Output JSONL file; '-' is stdout."),
) -> None:
    """Write the gold documents that live in the public corpora as JSONL input for `extract run`."""
    from .corpora import gold_documents
    from .output import open_output

    if not corpora.is_dir():
        _usage(f"corpora directory not found: {corpora}")
    with open_output(out) as stream:
        for doc in gold_documents(gold, corpora):
            line = {"id": doc.id, "title": doc.title, "abstract": doc.abstract, "source": doc.source}
            stream.write(orjson.dumps(line) + b"\n")


@app.command()
def bench(
    speed: bool = typer.Option(False, "--speed", help="docs/s, words/s and peak RSS, 1 and 2 workers, "
                                                       "next to the scispaCy tokenizer alone."),
    scaling: bool = typer.Option(False, "--scaling", help="Dask LocalCluster with 1, then 2 workers."),
    corpora: Path = typer.Option(Path("../shared/corpora"), "--corpora", help="The public corpora."),
    docs: int = typer.Option(2000, "--docs", min=1, help="Evidence Inference training abstracts."),
    workers: str = typer.Option("1,2", "--workers", help="Worker counts, comma-separated."),
    batch_size: int = typer.Option(64, "--batch-size", min=1),
    model: str = typer.Option(None, "--model", metavar="NAME_OR_PATH",
                              help="As for `extract run` (default: the shipped NER, then rules only)."),
    rounds: int = typer.Option(None, "--rounds", min=1, help="Speed: times each run is measured (medians "
                                                              "shown; default 3)."),
) -> None:
    """Measure speed (`--speed`) or Dask scaling (`--scaling`) on Evidence Inference training abstracts."""
    from . import bench as benchmarks

    if not corpora.is_dir():
        _usage(f"corpora directory not found: {corpora}")
    if not (speed or scaling):
        _usage("say --speed and/or --scaling")
    counts = tuple(int(n) for n in workers.split(","))
    if speed:
        benchmarks.speed(str(corpora), docs, counts, batch_size, (model,) if model else (None, "none"),
                         rounds or benchmarks.ROUNDS)
    if scaling:
        benchmarks.scaling(str(corpora), docs, counts, batch_size=batch_size, model=model)


def _usage(message: str) -> None:
    typer.echo(f"usage error: {message}", err=True)
    raise typer.Exit(EXIT_USAGE)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()

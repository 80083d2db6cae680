"""The `extract` command line: run, score, schema, gold-inputs.

Exit codes: 0 all documents extracted, 1 some documents failed (their records carry `errors`),
2 usage error (bad option, missing path).
"""
from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import List

import orjson
import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


@app.command()
def run(
    paths: List[str] = typer.Argument(..., help="Files or directories (recursive); '-' reads stdin."),
    out: str = typer.Option("-", "--out", "-o", help="Output JSONL file; '-' is stdout."),
    batch_size: int = typer.Option(64, "--batch-size", min=1, help="Documents per pipeline batch."),
    fail_fast: bool = typer.Option(False, "--fail-fast", help="Stop at the first failed document."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No summary on stderr."),
) -> None:
    """Extract design, sample size, interventions, endpoints and p-values: one JSON line per document."""
    from .extractor import Extractor
    from .output import dumps, open_output
    from .readers import read_paths

    missing = [p for p in paths if p != "-" and not Path(p).exists()]
    if missing:
        _usage(f"no such file or directory: {', '.join(missing)}")
    started, count, failed = time.monotonic(), 0, 0
    extractor = Extractor(batch_size=batch_size)
    with open_output(out) as stream:
        for record in extractor.extract_documents(read_paths(paths)):
            stream.write(dumps(record))
            count += 1
            if record.errors:
                failed += 1
                if not quiet:
                    typer.echo(f"error: {record.id} ({record.source}): {record.errors[0].message}", err=True)
                if fail_fast:
                    break
            if count % batch_size == 0:
                stream.flush()
    if not quiet:
        typer.echo(f"{count} documents, {failed} errors, {time.monotonic() - started:.1f} s", err=True)
    raise typer.Exit(EXIT_FAILED if failed else EXIT_OK)


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


def _usage(message: str) -> None:
    typer.echo(f"usage error: {message}", err=True)
    raise typer.Exit(EXIT_USAGE)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()

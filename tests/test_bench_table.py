"""The speed table's medians over rounds (extract/bench.py), on given measurements."""
from __future__ import annotations

from extract.bench import Measure, speed_table


def measure(kind, workers, seconds, round_, model=None, cpu=None):
    return Measure(kind, workers, 2000, 574433, seconds, cpu or seconds * workers, 1.0, 250.0, 40.0, model, round_)


def test_rows_give_medians_and_ranges_and_the_share_of_the_tokenizer_within_each_round():
    results = [
        measure("tokenizer", 2, 2.0, 0), measure("pipeline", 2, 10.0, 0),   # 1000/s, 200/s: 20.0%
        measure("tokenizer", 2, 2.5, 1), measure("pipeline", 2, 11.0, 1),   # 800/s, 181.8/s: 22.7%
        measure("tokenizer", 2, 2.2, 2), measure("pipeline", 2, 10.5, 2),   # 909.1/s, 190.5/s: 21.0%
    ]
    lines = speed_table(results).splitlines()
    assert "3 rounds: median (min-max) over them" in lines[0]
    tokenizer = next(line for line in lines if line.startswith("| scispaCy tokenizer alone"))
    pipeline = next(line for line in lines if line.startswith("| extract pipeline, shipped NER"))
    assert tokenizer.split(" | ")[2] == "909.1 (800.0-1,000.0)"
    assert pipeline.split(" | ")[2] == "190.5 (181.8-200.0)"
    assert pipeline.split(" | ")[-1] == "21.0% (20.0%-22.7%) |"  # not 190.5 / 909.1 = 20.95...


def test_one_round_gives_plain_values_and_the_speedup_of_the_medians():
    results = [measure("pipeline", 1, 20.0, 0, "none"), measure("pipeline", 2, 10.5, 0, "none")]
    text = speed_table(results)
    assert "1 round;" in text.splitlines()[0]
    assert "| extract pipeline, rules only (`--model none`) | 1 | 100.0 | " in text
    assert "rules only (`--model none`), 1 -> 2 workers: speed-up 1.90 (efficiency 0.95)" in text

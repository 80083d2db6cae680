"""Feed every compiled regular expression of extract adversarial strings; print one JSON line each.

Run as a script by tests/test_hostile_input.py (in a subprocess, so that a pattern that hangs in
`re`, which has no timeout, cannot hang the test run). Patterns are found generically: every
`re.Pattern` / `regex.Pattern` reachable from the pipeline's components and from the globals of the
`extract` modules (including the results of their cached rule loaders).
"""
from __future__ import annotations

import dataclasses
import importlib
import json
import pkgutil
import re
import sys
import time

import regex

N = 100_000
ADVERSARIAL = {
    "letters": "a" * N,
    "capitals": "P" * N,
    "digits": "1" * N,
    "nested parentheses": "(" * (N // 2) + ")" * (N // 2),
    "open parentheses": "(1 " * (N // 3),
    "p = repeated": "p = " * (N // 4),
    "p < 0.05 repeated": "P < 0.05, " * (N // 10),
    "n = repeated": "(n = 12) " * (N // 9),
    "spaces": "x" + " " * N + "y",
    "newlines": "\n" * N,
    "hyphens": "-" * N,
}
TIMEOUT = 5.0   # seconds, per pattern and string (regex patterns; `re` has no timeout)


def _walk(obj, path: str, found: dict, seen: set, depth: int = 0) -> None:
    if id(obj) in seen or depth > 8:
        return
    seen.add(id(obj))
    if isinstance(obj, (re.Pattern, regex.Pattern)):
        found.setdefault((type(obj).__module__, obj.pattern, obj.flags), (path, obj))
        return
    if isinstance(obj, (str, bytes, int, float, bool, type(None), type)):
        return
    if isinstance(obj, dict):
        for key, value in obj.items():
            _walk(value, f"{path}[{key!r}]", found, seen, depth + 1)
    elif isinstance(obj, (list, tuple, set, frozenset)):
        for index, value in enumerate(obj):
            _walk(value, f"{path}[{index}]", found, seen, depth + 1)
    elif type(obj).__module__.startswith("extract"):
        if dataclasses.is_dataclass(obj):
            for field in dataclasses.fields(obj):
                _walk(getattr(obj, field.name, None), f"{path}.{field.name}", found, seen, depth + 1)
        for key, value in getattr(obj, "__dict__", {}).items():
            _walk(value, f"{path}.{key}", found, seen, depth + 1)


def patterns() -> list:
    import extract
    from extract.pipeline import build_pipeline

    found: dict = {}
    seen: set = set()
    nlp = build_pipeline()
    for name, pipe in nlp.pipeline:
        _walk(pipe, name, found, seen)
    for info in pkgutil.walk_packages(extract.__path__, "extract."):
        if info.name.startswith(("extract.ner.train", "extract.bench")):
            continue
        try:
            importlib.import_module(info.name)
        except Exception:  # noqa: BLE001 - an optional module that needs what is not installed
            continue
    for name, module in sorted(sys.modules.items()):
        if not name.startswith("extract"):
            continue
        for key, value in list(vars(module).items()):
            if callable(getattr(value, "cache_info", None)):  # an lru_cache'd rule loader
                try:
                    value = value()
                except TypeError:
                    continue
            _walk(value, f"{name}.{key}", found, seen)
    return list(found.values())


def main() -> None:
    found = patterns()
    print(json.dumps({"patterns": len(found)}), flush=True)
    for path, pattern in found:
        for label, text in ADVERSARIAL.items():
            print(json.dumps({"start": path, "string": label}), flush=True)  # the culprit if we hang
            started = time.perf_counter()
            try:
                if isinstance(pattern, regex.Pattern):
                    for _ in pattern.finditer(text, timeout=TIMEOUT):
                        pass
                    pattern.match(text, timeout=TIMEOUT)
                else:
                    for _ in pattern.finditer(text):
                        pass
                    pattern.match(text)
                seconds = time.perf_counter() - started
            except TimeoutError:
                seconds = float("inf")
            print(json.dumps({"pattern": path, "string": label, "seconds": seconds,
                              "source": pattern.pattern[:120]}), flush=True)


if __name__ == "__main__":
    main()

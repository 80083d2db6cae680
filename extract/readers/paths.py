"""Expand the paths given on the command line into input files, in a deterministic order."""
from __future__ import annotations

import os
from typing import Iterator, Optional


def iter_inputs(path: str) -> Iterator[tuple[str, Optional[str]]]:
    """(file path, None) for each input under `path`, or (path, reason) for one that can't be listed.

    A directory is walked recursively in name order; hidden entries (".name") and non-regular
    files are skipped; directory symlinks are followed, but a directory is never entered twice.
    """
    if path == "-" or not os.path.isdir(path):
        yield path, None
        return
    yield from _walk(path, set())


def _walk(directory: str, seen: set) -> Iterator[tuple[str, Optional[str]]]:
    try:
        status = os.stat(directory)
        if (status.st_dev, status.st_ino) in seen:
            return
        seen.add((status.st_dev, status.st_ino))
        with os.scandir(directory) as scan:
            entries = sorted(scan, key=lambda entry: entry.name)
    except OSError as exc:
        yield directory, f"cannot list directory: {exc.strerror or exc}"
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = os.path.join(directory, entry.name)
        try:
            is_dir, is_file = entry.is_dir(), entry.is_file()
        except OSError:
            continue
        if is_dir:
            yield from _walk(path, seen)
        elif is_file:
            yield path, None

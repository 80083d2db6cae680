"""Expand the paths given on the command line into input files, in a deterministic order."""
from __future__ import annotations

import logging
import os
from typing import Iterator, Optional

log = logging.getLogger("extract.readers")


def iter_inputs(path: str) -> Iterator[tuple[str, Optional[str]]]:
    """(file path, None) for each input under `path`, or (path, reason) for one that can't be listed.

    A directory is walked recursively in name order; hidden entries (".name") are skipped silently;
    non-regular files (sockets, FIFOs, devices), broken symlinks and symlink loops are skipped with
    a warning on the "extract.readers" logger; directory symlinks are followed, but a directory is
    never entered twice (a symlink to a parent is a loop: skipped with a warning).
    """
    if path == "-" or not os.path.isdir(path):
        yield path, None
        return
    yield from _walk(path, set())


def _walk(directory: str, seen: set) -> Iterator[tuple[str, Optional[str]]]:
    try:
        status = os.stat(directory)
        if (status.st_dev, status.st_ino) in seen:
            log.warning("skipped %s: a directory already read (a symlink loop or a second link)", directory)
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
        except OSError as exc:  # e.g. a symlink pointing to itself
            log.warning("skipped %s: %s", path, exc.strerror or exc)
            continue
        if is_dir:
            yield from _walk(path, seen)
        elif is_file:
            yield path, None
        else:
            log.warning("skipped %s: %s", path, _not_a_file(path))


def _not_a_file(path: str) -> str:
    if os.path.islink(path) and not os.path.exists(path):
        return "broken symlink"
    return "not a regular file (socket, FIFO or device)"

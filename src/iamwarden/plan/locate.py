"""Source lines of Terraform resources: where ``resource "TYPE" "NAME"`` is written.

The plan's ``configuration`` names each resource's module (``module_calls[*].source``
for child modules); the ``.tf`` files of that module's folder are searched for the
block header. Pure: the caller reads the files (``files``: path relative to the
configuration directory → text) and the search is one bounded scan per line, no
regular expression built from input.
"""

from __future__ import annotations

import posixpath
from typing import Any, Mapping

from .terraform import configuration_resources


def _header(line: str) -> tuple[str, str] | None:
    """``resource "aws_iam_role" "admin" {`` → (type, name)."""
    s = line.strip()
    if not s.startswith("resource"):
        return None
    parts = s[len("resource"):].split('"')
    if len(parts) < 5 or parts[0].strip() or parts[2].strip():
        return None
    return parts[1], parts[3]


def block_lines(files: Mapping[str, str]) -> dict[tuple[str, str, str], tuple[str, int]]:
    """(folder, type, name) → (file, 1-based line) of every resource block header."""
    out: dict[tuple[str, str, str], tuple[str, int]] = {}
    for path in sorted(files):
        folder = posixpath.dirname(path)
        for i, line in enumerate(files[path].splitlines(), 1):
            h = _header(line)
            if h is not None:
                out.setdefault((folder, h[0], h[1]), (path, i))
    return out


def _module_folder(sources: tuple[str, ...]) -> str | None:
    """The folder of a module from its chain of ``source`` strings (local paths only)."""
    folder = ""
    for src in sources:
        if not (src.startswith("./") or src.startswith("../")):
            return None  # a registry or remote module: its files are not in the configuration directory
        folder = posixpath.normpath(posixpath.join(folder, src))
        if folder.startswith(".."):
            return None
    return "" if folder == "." else folder


def terraform_locations(plan: dict[str, Any], files: Mapping[str, str],
                        prefix: str = "") -> dict[str, tuple[str, int]]:
    """Config address → (``prefix`` + file, line) for every resource found in ``files``."""
    blocks = block_lines(files)
    out: dict[str, tuple[str, int]] = {}
    for address, conf in configuration_resources(plan).items():
        folder = _module_folder(conf["_sources"])
        if folder is None:
            continue
        hit = blocks.get((folder, str(conf.get("type")), str(conf.get("name"))))
        if hit:
            out[address] = (prefix + hit[0], hit[1])
    return out

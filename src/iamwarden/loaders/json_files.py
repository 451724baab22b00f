"""Reading a JSON input file with a size bound: the organization and resources files share it.

The size is checked before the file is read (a hostile file cannot make us hold
more than ``MAX_FILE_BYTES``), and the text is parsed strictly
(``policy.document.strict_json``: duplicate keys, NaN, depth). Every problem is
one ``LoadError`` naming the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..i18n import N_, Text
from ..policy.document import strict_json
from ..policy.errors import PolicySyntaxError
from .authz_details import LoadError

#: the largest organization or resources file read
MAX_FILE_BYTES = 64 * 1024 * 1024


def read_json_file(path: str | Path, what: str) -> Any:
    """The decoded JSON of ``path``; ``what`` ("an organization file") names it in the size error."""
    p = Path(path)
    raw = read_file_bytes(p, what)
    try:
        return strict_json(raw, str(p))
    except PolicySyntaxError as e:
        raise LoadError(f"{p}: {e.problems[0].message}") from None


def read_file_bytes(path: str | Path, what: str) -> bytes:
    """The bytes of ``path``, its size checked before it is read (``LoadError`` naming it)."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise LoadError(N_("{path}: {size} bytes is more than the {n} {what} may hold", path=p, size=size,
                               n=MAX_FILE_BYTES, what=Text(what)))
        return p.read_bytes()
    except OSError as e:
        raise LoadError(N_("{path}: cannot read: {error}", path=p, error=e.strerror)) from None

"""``--known-accounts FILE``: account ids that are not loaded but known (audit, validate).

A trust of an account that is neither loaded nor listed here is a third party
(IW003 without ExternalId, IW018 with it; ``analysis.trust_checks``). The file is
a JSON list of 12-digit ids (strings or numbers), a JSON object with an
``"accounts"`` list, or text with one id per line (``#`` starts a comment).
Bounded: at most ``MAX_BYTES`` read; a bad entry is exit 2 naming its place.
"""

from __future__ import annotations

import json
import re

from ..i18n import N_
from . import UsageError

MAX_BYTES = 1 << 20
_ACCOUNT = re.compile(r"[0-9]{12}")


def read_known_accounts(path: str | None) -> frozenset[str] | None:
    """The ids in ``path``, or None when no file is given."""
    if path is None:
        return None
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as e:
        raise UsageError(N_("--known-accounts {path}: cannot read: {error}", path=path,
                            error=e.strerror or str(e))) from None
    if len(data) > MAX_BYTES:
        raise UsageError(N_("--known-accounts {path}: larger than {n} bytes", path=path, n=MAX_BYTES))
    text = data.decode("utf-8", "replace")
    stripped = text.lstrip()
    ids: list[tuple[str, str]] = []  # (where, value)
    if stripped.startswith(("[", "{")):
        try:
            doc = json.loads(text)
        except ValueError as e:
            raise UsageError(N_("--known-accounts {path}: not valid JSON: {error}", path=path, error=str(e))) from None
        items = doc.get("accounts") if isinstance(doc, dict) else doc
        if not isinstance(items, list):
            raise UsageError(N_('--known-accounts {path}: expected a list of account ids or {{"accounts": [...]}}',
                                path=path))
        ids = [(f"[{i}]", str(v) if isinstance(v, (str, int)) and not isinstance(v, bool) else repr(v))
               for i, v in enumerate(items)]
    else:
        for n, line in enumerate(text.splitlines(), 1):
            value = line.split("#", 1)[0].strip()
            if value:
                ids.append((f"line {n}", value))
    out = set()
    for where, v in ids:
        if not _ACCOUNT.fullmatch(v):
            raise UsageError(N_("--known-accounts {path} {where}: {value!r} is not a 12-digit account id", path=path,
                                where=where, value=v[:40]))
        out.add(v)
    return frozenset(out)

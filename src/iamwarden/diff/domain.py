"""The request space the solver searches, and the limits of the encoding.

Why a fixed alphabet: request strings (action, resource, context values) are
drawn from printable ASCII. For policies whose own literals are ASCII this loses
nothing that AWS or the engine can tell apart, with one named exception: Unicode
characters that case-fold to ASCII (KELVIN SIGN folds to ``k``) under
``StringEqualsIgnoreCase``. A policy literal outside ASCII makes the answer
"unknown" instead (``Unsupported``), never a guess.
See ``docs/decisions/diff-request-space.md``.
"""

from __future__ import annotations

#: printable ASCII: the characters a request string is drawn from
FIRST_CHAR = " "
LAST_CHAR = "~"

#: Spec §1.3 step 0: ``sts:GetCallerIdentity`` needs no permission and cannot be
#: denied, so no policy change can grant or remove it: it is outside the space.
UNGRANTABLE_ACTIONS = ("sts:getcalleridentity",)

#: A multivalued key gets one slot per set-operator condition on it (never
#: fewer than two). By the subset argument in ``docs/decisions/diff-request-space.md``
#: that many values suffice for an exact answer; past this cap a "no new
#: access" answer would rest on an assumption, so it is reported as unknown.
MAX_SLOTS = 8

#: Numbers are searched on a grid one decimal place finer than the policy's
#: constants (exact: every open interval between two constants holds a grid
#: point); constants finer than this are not encoded.
MAX_DECIMAL_PLACES = 30

#: Dates are searched on a grid of 1/scale seconds; fractional constants
#: that need a finer grid than this are not encoded.
MAX_DATE_SCALE = 1 << 8
#: Dates (epoch seconds) are searched within ±2**40 s so every grid point is an
#: exact double, as ``parse_date`` returns floats.
DATE_LIMIT = 1 << 40

#: Default solver time budget per query, in milliseconds.
DEFAULT_BUDGET_MS = 10_000


class Unsupported(Exception):
    """A construct the encoding cannot represent exactly: the answer is "unknown" with this reason."""

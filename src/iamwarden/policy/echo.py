"""How much of a rejected value an error message quotes (issue 8).

Error messages name what was wrong and where, and quote the value so a person
can recognise it -- but only a short prefix: a message that echoes a whole
rejected value hands an attacker an amplifier (one request once produced a
209 KB answer) and floods logs. Every message that quotes client input goes
through :func:`echo` (policy parse problems, STS parameter checks, the wire
layer's validation and SigV4 errors), and :data:`MAX_MESSAGE` bounds any
message as a last line (``server.errors.AwsError``).

Lives in ``policy`` because that is the lowest layer that quotes input: sts and
server import it from here (design.md: imports point down).
"""

from __future__ import annotations

#: Characters of a rejected value a message quotes before cutting it off. Long
#: enough that a value just over a model limit (a 65-character session name, a
#: 129-character tag key) is still quoted whole, exactly as AWS quotes it; short
#: enough that no answer grows with the input.
ECHO_LIMIT = 256
#: The mark appended to a cut value.
ELLIPSIS = "…"
#: Longest message any error carries (a backstop: many short quotes add up).
MAX_MESSAGE = 16384
#: Most problems one message lists before saying how many more there were.
MAX_LISTED_PROBLEMS = 20


def echo(value: object, limit: int = ECHO_LIMIT) -> str:
    """``value`` as text, cut to ``limit`` characters plus ``…`` when longer."""
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[:limit] + ELLIPSIS


def echo_repr(value: object, limit: int = ECHO_LIMIT) -> str:
    """Like ``repr(value)`` for a string (quoted), cut as :func:`echo` cuts."""
    if isinstance(value, str) and len(value) > limit:
        quoted = repr(value[:limit])
        return quoted[:-1] + ELLIPSIS + quoted[-1]
    return echo(repr(value), limit + 2)


def bound_message(message: str, limit: int = MAX_MESSAGE) -> str:
    """A whole message cut to ``limit`` characters (the last line of defence)."""
    return message if len(message) <= limit else message[:limit] + ELLIPSIS


def join_listed(items: list[str], separator: str = "; ", limit: int = MAX_LISTED_PROBLEMS) -> str:
    """The first ``limit`` items joined, then ``(and N more)`` if there were more."""
    shown = separator.join(items[:limit])
    if len(items) > limit:
        shown += f"{separator}(and {len(items) - limit} more)"
    return shown

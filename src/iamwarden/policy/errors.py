"""Errors raised while reading policy documents.

A malformed document is reported with the JSON path of every problem and what
is accepted there, the way IAM's ``MalformedPolicyDocument`` and Access
Analyzer's ValidatePolicy ERROR findings do (spec §2.1).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..i18n import Text
from .echo import bound_message, echo, join_listed
from .iam_texts import INVALID_JSON, SYNTAX

#: Longest JSON path a problem names (a path holds the document's own keys).
MAX_PATH = 256
#: Longest message of one problem.
MAX_PROBLEM_MESSAGE = 1024


@dataclass(frozen=True, slots=True)
class Problem:
    """One structural problem: where (a JSON path such as ``$.Statement[0].Effect``) and what.

    ``iam`` is the sentence IAM's ``MalformedPolicyDocument`` gives for this
    family of problem (``policy.iam_texts``, spec §5.4): the endpoint answers
    with it; ``validate`` shows ``path`` and ``message``.
    """

    path: str
    message: str
    iam: str = SYNTAX
    #: the message before translation (``N_``), for a renderer in another language
    text: Text | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        # Paths and messages quote the document; keep them short (policy.echo).
        object.__setattr__(self, "path", echo(self.path, MAX_PATH))
        object.__setattr__(self, "message", bound_message(self.message, MAX_PROBLEM_MESSAGE))

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class PolicySyntaxError(ValueError):
    """The document is not a valid IAM policy; ``problems`` lists every reason found."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...], source: str | None = None):
        self.problems = tuple(problems)
        self.source = source
        where = f"{source}: " if source else ""
        super().__init__(where + join_listed([str(p) for p in self.problems]))


def iam_message(error: PolicySyntaxError) -> str:
    """The one sentence IAM gives for this document (spec §5.4): the first problem's, in document
    order, except that unparseable JSON always wins (nothing else can be read). Which problem IAM
    names when there are several is UNCONFIRMED (docs/decisions/server-iam-error-texts.md)."""
    texts = [p.iam for p in error.problems]
    if INVALID_JSON in texts:
        return INVALID_JSON
    return texts[0] if texts else SYNTAX

"""Errors raised while reading policy documents.

A malformed document is reported with the JSON path of every problem and what
is accepted there, the way IAM's ``MalformedPolicyDocument`` and Access
Analyzer's ValidatePolicy ERROR findings do (spec §2.1).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One structural problem: where (a JSON path such as ``$.Statement[0].Effect``) and what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


class PolicySyntaxError(ValueError):
    """The document is not a valid IAM policy; ``problems`` lists every reason found."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...], source: str | None = None):
        self.problems = tuple(problems)
        self.source = source
        where = f"{source}: " if source else ""
        super().__init__(where + "; ".join(str(p) for p in self.problems))

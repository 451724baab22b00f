"""Edges of the escalation graph: one principal acting as, or gaining the powers of, another."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from ..evaluation import Decision, Reason
from .mfa import MFA_PREFIX, NEEDS_MFA, NOTE


@dataclass(frozen=True, slots=True)
class Edge:
    """``source`` can gain the powers of ``target`` by ``technique`` (a catalog ID).

    ``grants_admin``: the step itself ends at administrator access, because it
    rewrites the target's permissions (self-escalation such as D07, or
    modify-then-assume such as D16); the target's boundary, Denies and SCPs
    were checked not to cap it. ``then`` holds the follow-up steps of a
    compound self-escalation (D13: join a group, then D07 with its powers).
    ``uncertain`` says what the step relies on that IAM data cannot show; a step whose
    reasons hold ``mfa.NEEDS_MFA`` (an allow found only with MFA) gets ``mfa.NOTE`` added
    here, whichever technique built it.
    """

    source: str
    target: str
    technique: str
    reason: str
    reasons: tuple[Reason, ...] = ()
    uncertain: str | None = None
    grants_admin: bool = False
    then: tuple[Edge, ...] = ()

    def __post_init__(self) -> None:
        for r in self.reasons:
            if r is NEEDS_MFA:
                if not self.uncertain or MFA_PREFIX not in self.uncertain:  # one MFA note is enough
                    object.__setattr__(self, "uncertain", merge_uncertain(self.uncertain, NOTE))
                break

    @property
    def certain(self) -> bool:
        return self.uncertain is None and all(e.certain for e in self.then)

    def steps(self) -> tuple[Edge, ...]:
        return (self,) + tuple(s for e in self.then for s in e.steps())

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "from": self.source,
            "to": self.target,
            "technique": self.technique,
            "technique_name": technique_name(self.technique),
            "reason": self.reason,
            "statements": [r.to_json() for r in self.reasons],
        }
        if self.uncertain:
            out["uncertain"] = self.uncertain
        if self.grants_admin:
            out["grants_admin"] = True
        return out


def technique_name(tid: str) -> str:
    names = _NAMES
    if not names:
        from .techniques.catalog import TECHNIQUES  # on first use: the techniques package imports this module

        names.update((k, v.title) for k, v in TECHNIQUES.items())
    return names.get(tid, tid)


_NAMES: dict[str, str] = {}  # catalog ID -> title, read once (every hop of every path asks)


def reasons_of(*decisions: Decision) -> tuple[Reason, ...]:
    """The deciding statements of several allowing decisions, without duplicates."""
    seen: dict[Reason, None] = {}
    for d in decisions:
        for r in d.reasons:
            seen.setdefault(r, None)
    return tuple(seen)


def merge_uncertain(*notes: str | None) -> str | None:
    parts = [n for n in notes if n]
    return "; ".join(dict.fromkeys(parts)) or None


Edges = Iterable[Edge]

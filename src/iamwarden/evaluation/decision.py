"""A decision and why: the statements that decided it, and any errors (spec §1.3)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from types import MappingProxyType
from typing import Any, Mapping


class Verdict(Enum):
    ALLOW = "Allow"
    EXPLICIT_DENY = "ExplicitDeny"
    IMPLICIT_DENY = "ImplicitDeny"

    @property
    def simulator_name(self) -> str:
        """The IAM policy simulator's spelling (``allowed``, ``explicitDeny``, ``implicitDeny``)."""
        return {"Allow": "allowed", "ExplicitDeny": "explicitDeny", "ImplicitDeny": "implicitDeny"}[
            self.value
        ]


@dataclass(frozen=True, slots=True)
class Reason:
    """One piece of the why.

    Either a statement that decided (``policy``, ``statement`` index, ``sid``,
    ``effect``) or a rule that did (``statement`` is None, e.g. "no
    permissions boundary statement allows this").
    """

    policy_type: str
    message: str
    policy: str | None = None
    statement: int | None = None
    sid: str | None = None
    effect: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"policy_type": self.policy_type}
        if self.policy is not None:
            out["policy"] = self.policy
        if self.statement is not None:
            out["statement"] = self.statement
        if self.sid is not None:
            out["sid"] = self.sid
        if self.effect is not None:
            out["effect"] = self.effect
        out["message"] = self.message
        return out


#: the ``details`` of a decision given none: one shared, read-only empty mapping
_NO_DETAILS: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Decision:
    """An immutable value: every field is frozen, and ``details`` is read-only.

    So one ``Decision`` may be handed out to many callers: the compiled plans
    (``plan``) keep the decisions they assemble and give the same object for
    the same statements' outcomes.
    """

    verdict: Verdict
    reasons: tuple[Reason, ...] = ()
    errors: tuple[str, ...] = ()
    #: which rule of spec §1.3/§1.5 applied, in a phrase (e.g. "same account, direct grant")
    rule: str = ""
    details: Mapping[str, Any] = field(default_factory=lambda: _NO_DETAILS, compare=False)

    def __init__(
        self,
        verdict: Verdict,
        reasons: tuple[Reason, ...] = (),
        errors: tuple[str, ...] = (),
        rule: str = "",
        details: Mapping[str, Any] | None = None,
    ) -> None:
        # Written out (``dataclass`` keeps a class's own ``__init__``): the generated
        # frozen one calls ``object.__setattr__`` per field, which costs about twice
        # as much, and one Decision is built per authorization.
        _set_verdict(self, verdict)
        _set_reasons(self, reasons)
        _set_errors(self, errors)
        _set_rule(self, rule)
        # a given mapping is kept read-only too (a view: copying it would cost every caller)
        _set_details(self, _NO_DETAILS if details is None else (
            details if type(details) is MappingProxyType else MappingProxyType(dict(details))))

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickled and deep-copied through ``__init__``, with ``details`` as a plain dict (a
        read-only mapping does not pickle); the copy's ``details`` is read-only again."""
        return (type(self), (self.verdict, self.reasons, self.errors, self.rule, dict(self.details)))

    @property
    def decision(self) -> str:
        return self.verdict.value

    @property
    def allowed(self) -> bool:
        return self.verdict is _ALLOW  # asked of nearly every decision; ``Verdict.ALLOW`` is a slow lookup

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "decision": self.verdict.value,
            "reasons": [r.to_json() for r in self.reasons],
            "errors": list(self.errors),
        }
        if self.rule:
            out["rule"] = self.rule
        return out


_ALLOW = Verdict.ALLOW

# the slot descriptors of the final (slotted) class, used by ``Decision.__init__``
_set_verdict = Decision.__dict__["verdict"].__set__
_set_reasons = Decision.__dict__["reasons"].__set__
_set_errors = Decision.__dict__["errors"].__set__
_set_rule = Decision.__dict__["rule"].__set__
_set_details = Decision.__dict__["details"].__set__

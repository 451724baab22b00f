"""``iamwarden who-can`` and ``iamwarden path`` as text, in the reader's language.

The answers (``analysis.queries.who_can``, ``find_path``) are language-free: the
engine's sentences and the techniques' hop reasons are English, and are read back
here the way the audit's text report reads them (``decision_text``, ``hop_text``).
ARNs, actions and technique ids stay as they are.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..analysis.edges import Edge
from ..analysis.hop_text import hop_text, note_text
from ..analysis.queries import Reach
from ..i18n import translator
from .text import statement_text


def _short(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def who_can_text(action: str, resource: str, reach: Sequence[Reach], lang: str = "en") -> str:
    """One line per principal: "directly" with the statements that allow it, or the steps of its path."""
    _ = translator(lang)
    lines = [_.ngettext("who can {action} on {resource}: {n} principal",
                        "who can {action} on {resource}: {n} principals", len(reach), action=action, resource=resource)]
    for r in reach:
        if r.direct:
            lines.append(_("  {principal}: directly", principal=r.arn))
            for why in r.decision.reasons if r.decision is not None else ():
                if why.policy and why.effect == "Allow" and why.policy_type not in ("scp", "rcp"):
                    lines.append(f"       - {statement_text(why.to_json(), _)}")
        else:
            steps = " → ".join(f"{e.technique}({_('itself') if e.source == e.target else _short(e.target)})"
                               for e in r.steps)
            lines.append(_("  {principal}: via {steps}", principal=r.arn, steps=steps))
    return "\n".join(lines) + "\n"


def path_text(source: str, target: str, steps: Sequence[Edge] | None, lang: str = "en") -> str:
    """The steps from ``source`` to ``target``, each with its reason and deciding statements, or that there is none."""
    _ = translator(lang)
    if steps is None:
        return _("no path from {source} to {target}", source=source, target=target) + "\n"
    lines = [_.ngettext("{source} → {target}: {n} step", "{source} → {target}: {n} steps", len(steps),
                        source=source, target=target)]
    for i, e in enumerate(steps, 1):
        note = _("  (uncertain: {why})", why=_.text(note_text(e.uncertain))) if e.uncertain else ""
        lines.append(f"  {i}. {e.technique}: {e.source} {_.text(hop_text(e.reason))} → {e.target}{note}")
        for r in e.reasons:
            if r.policy:
                lines.append(f"       - {statement_text(r.to_json(), _)}")
    return "\n".join(lines) + "\n"

"""The escalation hops' reasons (``Edge.reason``), marked for translation.

The techniques (``analysis/techniques/``) write each hop's reason in English as they
find it; this module lists every sentence they write, so a report in another language
can read one back (:func:`hop_text`) and translate it. A sentence not listed stays
English; tests/i18n/test_hop_text.py fails when the example accounts produce one.
The engine's rule inside a D15 reason (``can assume R (rule)``) is translated as the
engine's own sentence.
"""

from __future__ import annotations

from functools import lru_cache

from ..i18n import N_, Text, gettext_noop
from ..i18n.templates import match_template, split_template

#: every reason the techniques write, English as they write it (most specific first)
HOP_REASONS: tuple[Text, ...] = (
    N_("can use {action} on itself, overwriting its own inline policies and the Denies they hold"),
    N_("can use {action} on its group {group}"),
    N_("can use {action} on itself"),
    N_("can create a new default version of {policy}, which it holds"),
    N_("can make version {version} of {policy} the default, which grants *"),
    N_("can create role {role} trusting itself and give it admin"),
    N_("can create role {role} trusting itself and give it admin (its permissions boundary {boundary} caps nothing)"),
    N_("can add itself to group {group}, which holds * on *"),
    N_("can add itself to group {group}, then {technique}"),
    N_("can delete its own permissions boundary, and its policies grant *"),
    N_("can delete its own permissions boundary, then {technique}"),
    N_("can make {policy} its own permissions boundary, and its policies grant *"),
    N_("can make {policy} its own permissions boundary, then {technique}"),
    N_("can tag itself {tags}, and then its policies grant *"),
    N_("can tag itself {tags}, then {technique}"),
    N_("can tag {role} {tags}, then assume it"),
    N_("can create an access key for {name}"),
    N_("can delete and re-create an access key of {name}"),
    N_("can create a console password for {name}"),
    N_("can reset the console password of {name}"),
    N_("can rewrite the trust policy of {name}"),
    N_("can use {action} on {name}, then rewrite its trust and assume it"),
    N_("can use {action} on {name}, then assume it"),
    N_("can rewrite {policy} attached to {name}, then rewrite its trust and assume it"),
    N_("can rewrite {policy} attached to {name}, then assume it"),
    N_("can use {action} on {name}, then create its access key"),
    N_("can put {role} into a new instance profile and launch EC2 with it"),
    N_("can swap {holder} out of instance profile {profile} for {role} and launch EC2 with it"),
    N_("can pass {role} to {service} ({actions})"),
    N_("can take over an existing {service} resource running as {role} ({actions})"),
    N_("can {action} on Lambda function {function}, which runs as {role}"),
    N_("can assume {role} with {action} (trust statement {statement})"),
    N_("can assume {role} ({rule})"),
)


@lru_cache(maxsize=4096)
def hop_text(reason: str) -> Text:
    """``reason`` as a :class:`Text` to translate (its ``str()`` is ``reason`` itself).

    A reason that is none of :data:`HOP_REASONS` comes back as a Text without parameters,
    which a translator shows unchanged. Memoised (a ``Text`` is immutable): the findings
    read back the same hop of many principals' paths.
    """
    for t, head, tail in _HOP_ENDS:
        if not (reason.startswith(head) and reason.endswith(tail)):
            continue  # match_template would say None: the reasons of one audit rarely fit more than one
        values = match_template(t.msgid, reason)
        if values is not None:
            params: dict[str, object] = dict(values)
            if "rule" in params:
                params["rule"] = Text(str(params["rule"]))  # the engine's rule: a msgid of its own
            return Text(t.msgid, tuple(params.items()))
    return Text(reason)


#: every uncertainty note a technique writes (``Edge.uncertain``), English as it writes it
UNCERTAIN_NOTES: tuple[Text, ...] = (
    N_("needs an existing {resource} running with this role (not in IAM data)"),
    N_("needs an existing {resource} (not in IAM data)"),
    N_("needs an event source (stream or queue) that receives records"),
    N_("needs a CodeStar project (service discontinued in 2024)"),
    N_("CodeStar was discontinued in 2024"),
    N_("needs MFA: the trust or identity policy requires aws:MultiFactorAuthPresent, and MFA devices are not in "
       "IAM data"),
    N_("needs MFA: a policy in force requires aws:MultiFactorAuthPresent, and MFA devices are not in IAM data"),
)

#: the resources an uncertainty note names (``{resource}`` above), marked for translation
RESOURCE_WORDS = (
    gettext_noop("AgentCore code interpreter"), gettext_noop("App Runner service"),
    gettext_noop("CloudFormation stack"), gettext_noop("CodeBuild project"), gettext_noop("EC2 instance"),
    gettext_noop("ECS container instance"), gettext_noop("ECS task with exec enabled"),
    gettext_noop("Glue dev endpoint"), gettext_noop("Glue job"), gettext_noop("Lambda function"),
    gettext_noop("SSM-managed EC2 instance"), gettext_noop("SageMaker notebook"),
    gettext_noop("launch template in use"), gettext_noop("reachable EC2 instance"),
)


def _ends(texts: tuple[Text, ...]) -> tuple[tuple[Text, str, str], ...]:
    """Each msgid with its fixed text before the first and after the last placeholder: a
    sentence written from it starts and ends with them, so a cheap test skips the others
    (a report reads every hop's reason back, ~25 templates each)."""
    out = []
    for t in texts:
        literals, names = split_template(t.msgid)
        out.append((t, literals[0], literals[-1]) if names else (t, t.msgid, t.msgid))
    return tuple(out)


_HOP_ENDS = _ends(HOP_REASONS)
_NOTE_ENDS = _ends(UNCERTAIN_NOTES)


@lru_cache(maxsize=256)
def note_text(note: str) -> Text:
    """An uncertainty note (``Edge.uncertain``) as a :class:`Text` to translate; an unlisted one stays English.
    Memoised: the techniques write a few notes, IW007 reads one per principal that may escalate."""
    for t, head, tail in _NOTE_ENDS:
        if not (note.startswith(head) and note.endswith(tail)):
            continue
        values = match_template(t.msgid, note)
        if values is not None:
            return Text(t.msgid, tuple((k, Text(v)) for k, v in values.items()))
    return Text(note)


def notes_text(notes: list[str] | tuple[str, ...]) -> Text | str:
    """Several notes joined with ``; `` (as IW007 writes them), each translated."""
    if not notes:
        return ""
    out: Text = note_text(notes[-1])
    for n in reversed(notes[:-1]):
        out = N_("{first}; {rest}", first=note_text(n), rest=out)
    return out

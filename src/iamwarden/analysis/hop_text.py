"""The escalation hops' reasons (``Edge.reason``), marked for translation.

The techniques (``analysis/techniques/``) write each hop's reason in English as they
find it; this module lists every sentence they write, so a report in another language
can read one back (:func:`hop_text`) and translate it. A sentence not listed stays
English; tests/i18n/test_hop_text.py fails when the example accounts produce one.
The engine's rule inside a D15 reason (``can assume R (rule)``) is translated as the
engine's own sentence.
"""

from __future__ import annotations

from ..i18n import N_, Text
from ..i18n.templates import match_template

#: every reason the techniques write, English as they write it (most specific first)
HOP_REASONS: tuple[Text, ...] = (
    N_("can use {action} on itself, overwriting its own inline policies and the Denies they hold"),
    N_("can use {action} on its group {group}"),
    N_("can use {action} on itself"),
    N_("can create a new default version of {policy}, which it holds"),
    N_("can make version {version} of {policy} the default, which grants *"),
    N_("can create role {role} trusting itself and give it admin"),
    N_("can add itself to group {group}, which holds * on *"),
    N_("can add itself to group {group}, then {technique}"),
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


def hop_text(reason: str) -> Text:
    """``reason`` as a :class:`Text` to translate (its ``str()`` is ``reason`` itself).

    A reason that is none of :data:`HOP_REASONS` comes back as a Text without parameters,
    which a translator shows unchanged.
    """
    for t in HOP_REASONS:
        values = match_template(t.msgid, reason)
        if values is not None:
            params: dict[str, object] = dict(values)
            if "rule" in params:
                params["rule"] = Text(str(params["rule"]))  # the engine's rule: a msgid of its own
            return Text(t.msgid, tuple(params.items()))
    return Text(reason)

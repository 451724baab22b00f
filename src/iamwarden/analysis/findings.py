"""Risky-trust and escalation findings, each with a severity and a fix.

Rules (IDs are stable; ``rule`` names them for people):

- IW001 ``admin-role-open-to-account``: an admin (or escalating) role whose
  trust names a whole account or ``*``; the message names who can actually
  assume it, as decided by the engine (catalog D15).
- IW002 ``trust-everyone-no-condition``: a trust statement allowing ``*``
  without any condition.
- IW003 ``third-party-trust-without-external-id``: a trust naming an account
  that is not loaded (a third party) with no ``sts:ExternalId`` condition
  (the confused-deputy guard).
- IW004 ``admin-without-mfa``: an admin user whose ``*`` grant does not
  depend on ``aws:MultiFactorAuthPresent``.
- IW005 ``circular-access``: roles that can assume each other in a cycle.
- IW008–IW018, IW020: trust statements that let outsiders in (federated CI and EKS
  providers, Cognito, service principals, unknown accounts, conditions that
  bind nothing): ``trust_checks``; each names the statement, who gets in and
  the corrected statement.
- IW006 ``can-escalate``: a principal that can become admin (path given);
  IW007 ``may-escalate`` when only uncertain paths exist.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

from ..evaluation.world import rcp_levels
from ..i18n import N_, Text, Translator
from ..model.account import Role
from ..policy.document import Effect
from .graph import Escalation
from .hop_text import hop_text, notes_text
from .index import WorldIndex
from .subject import Subject
from .techniques.assume_role import (
    ASSUME,
    _account_blind,
    _named,
    _part_admitted,
    _tag_index,
    _trust_key,
    admitted,
    assume_decision,
    candidate_classes,
    open_admitted,
    part_classes,
    trust_admits,
)
from .trust_checks import TrustContext, TrustIssue, check_trust, raw_statement

#: finding severities, worst first (``audit --fail-on`` compares against this order)
SEVERITIES = ("critical", "high", "medium", "low")


@dataclass(frozen=True, slots=True)
class Finding:
    id: str
    rule: str
    severity: str  # one of SEVERITIES
    arn: str
    message: str
    fix: str
    related: tuple[str, ...] = field(default=())
    #: the trust statement it is about: {"policy", "statement" (index), "sid", "path", "document"}
    statement: dict[str, Any] | None = None
    #: who can actually get in, in words (trust findings)
    who: str | None = None
    #: the corrected statement (trust findings)
    corrected: dict[str, Any] | None = None
    #: the outside identity the finding is about (provider ARN, account, service principal)
    outsider: str | None = None
    #: ``message`` and ``fix`` before translation (English ``str()``), for a report in another language
    text: Text | None = field(default=None, compare=False)
    fix_text: Text | None = field(default=None, compare=False)
    who_text: Text | None = field(default=None, compare=False)

    @classmethod
    def of(cls, id: str, rule: str, severity: str, arn: str, message: Text, fix: Text,
           related: tuple[str, ...] | list[str] = ()) -> Finding:
        """A finding whose message and fix are marked for translation (``N_``)."""
        return cls(id, rule, severity, arn, str(message), str(fix), tuple(related), text=message, fix_text=fix)

    def to_json(self, translate: Translator | None = None) -> dict[str, Any]:
        """The finding; with ``translate``, ``message`` and ``fix`` in its language (ids stay English)."""
        message, fix = self.message, self.fix
        if translate is not None:
            message = translate.text(self.text if self.text is not None else self.message)
            fix = translate.text(self.fix_text if self.fix_text is not None else self.fix)
        out = {"id": self.id, "rule": self.rule, "severity": self.severity, "arn": self.arn,
               "message": message, "fix": fix, "related": list(self.related)}
        for k in ("statement", "who", "corrected", "outsider"):
            v = getattr(self, k)
            if v is not None:
                out[k] = v
        if translate is not None and self.who is not None:
            out["who"] = translate.text(self.who_text if self.who_text is not None else self.who)
        return out


def who_can_assume(ix: WorldIndex, role: Role, kind: str | None = None) -> list[str]:
    """Principals (of ``kind``, if given) the engine lets assume ``role`` (catalog D15)."""
    return list(_who_can_assume(ix, role, kind))


def _who_can_assume(ix: WorldIndex, role: Role, kind: str | None = None) -> tuple[str, ...]:
    """``who_can_assume`` as a tuple shared by every role the same blocks admit (roles of one
    team trusting the account: the same admin classes and ``role/team-*`` holders), so the
    union of those blocks is built and sorted once, not once per role."""
    key = ("who_can_assume", role.arn, kind)
    found = ix.cache.get(key)
    if found is None:
        blocks = sorted(assume_blocks(ix, role, kind), key=id)
        ck = ("who_union", tuple(map(id, blocks)))
        hit = ix.cache.get(ck)
        # the cached entry keeps its blocks alive, so equal ids are the same lists (two live
        # objects never share an id): no need to compare them one by one
        if hit is None:
            members = set().union(*blocks)
            hit = ix.cache[ck] = (blocks, tuple(sorted(members)), members)
        union = hit[1]
        if role.arn in hit[2]:  # the role itself is left out: one slice of the sorted union
            i = bisect_left(union, role.arn)
            union = union[:i] + union[i + 1:]
        found = ix.cache[key] = union
    return found


def assume_blocks(ix: WorldIndex, role: Role, kind: str | None = None) -> list[list[str]]:
    """Who can assume ``role``, as blocks of principals decided together (catalog D15).

    Each block is a class of principals with the same ``trust_sig`` (content), so one
    engine question decides it. Blocks of account-wide holders (``sts:AssumeRole`` on
    ``*`` or on a pattern) are the same list objects for every role they can assume:
    that is what lets ``_cycles`` keep a dense "everyone who holds role/*" relation as
    one node instead of enumerating every pair. Blocks may overlap and may contain the
    role itself (callers drop it).
    """
    t = ix.trust[role.arn]
    if not (t.named or t.accounts or t.everyone):
        return []  # a trust of services (or of nobody): no loaded principal is a candidate
    key = "sts:assumerole"
    groups: list[Iterable[tuple[object, list[str]]]]
    part_of: dict[int, dict[object, list[str]]] = {}  # group index -> its holder part's classes
    if ix._trust_specific(role.trust) or not (t.everyone or t.accounts):
        groups = [candidate_classes(ix, role, kind, content=True).items()]
    elif t.everyone:
        shared = _open_blocks(ix, role, kind)
        if shared is not None:
            return shared
        # the trust alone sees account, kind and the tags it tests: one pre-check per such group
        groups = [classes for (_, k, _), classes in open_admitted(ix, role, _admit_groups(ix, role))
                  if (kind is None or k == kind) and trust_admits(ix, ix.subjects[classes[0][1][0]], role)]
    else:
        named = sorted(_named(ix, role))
        groups = [ix.classes(key, named, trust=role.trust, content=True).items()] if named else []
        for part_key, part in ix.holder_parts(ASSUME, role.arn):
            for acct in sorted(t.accounts):
                classes_of_part = part_classes(ix, part_key, part, acct, role.trust, key, True)
                groups.append(classes_of_part.items())
                if role.arn not in part:  # else a class may be the role alone: decided as before
                    part_of[len(groups) - 1] = classes_of_part
    out: list[list[str]] = []
    verdict: dict[object, bool] = {}
    rpart: Any = _UNREAD  # the role's part of every verdict key, read once per role
    for gi, classes in enumerate(groups):
        pkey: tuple[object, ...] | None = None
        pc = part_of.get(gi)
        if pc is not None:
            if rpart is _UNREAD:
                rpart = _role_part(ix, role)
            pkey = _part_verdict_key(ix, pc, role, rpart, kind)
            if pkey is not None:
                hit = ix.cache.get(pkey)
                if hit is not None:
                    out.extend(hit[1])
                    continue
        start = len(out)
        for sig, members in classes:
            if kind is not None and ix.subjects[members[0]].kind != kind:
                continue
            ok = verdict.get(sig)
            if ok is None:
                rep = members[0] if members[0] != role.arn else (members[1] if len(members) > 1 else None)
                if rep is None:
                    continue
                if rpart is _UNREAD:
                    rpart = _role_part(ix, role)
                ok = verdict[sig] = _class_verdict(ix, ix.subjects[rep], role, sig, rpart)
            if ok:
                out.append(members)
        if pkey is not None:
            ix.cache[pkey] = (pc, out[start:])  # the entry keeps ``pc`` alive: its id stays its own
    return out


def _open_blocks(ix: WorldIndex, role: Role, kind: str | None) -> list[list[str]] | None:
    """``assume_blocks`` for a role open to ``*`` whose other accounts' verdicts can be shared
    by every role like it, or None (then decided per role as before).

    Each holder part's share of the other accounts (``_part_admitted``) is decided once per
    *family*: the roles with the same trust text, tags, RCP policies and bits (``_role_part``
    without the account), of the part's distinct Resource elements that could match their ARN
    (``_entry_elements``), and ``kind``. A class of account X gets one verdict for every role of
    the family outside X (``shared_verdict_key`` across accounts), so the family's list holds
    it once, decided by the first role of another account that meets it (pending until then:
    the role that built the list may be in X). Each role then keeps the list's decided
    entries of accounts other than its own, and decides its own account's groups itself.
    Roles open to ``*`` used to decide (or look up) every class of every other account's
    holders for each role: roles x accounts verdicts, the largest term left at 1,000,000
    principals. Needs a trust that cannot tell other accounts apart (``_account_blind``) and
    classes whose verdicts do not read the resource's account."""
    rpart = _role_part(ix, role)
    if rpart is None or rpart[2] is None or not _account_blind(ix, role):
        return None
    groups = _admit_groups(ix, role)
    if not groups:
        return []
    idx = _tag_index(ix, groups)
    own = ix.subjects[role.arn].account_id
    tkey = _trust_key(ix, role.trust)
    family = (rpart[0][0], rpart[2], rpart[0][2], rpart[1], kind)
    picked: list[tuple[int, int, list[str]]] = []
    for part_key, part in ix.holder_parts(ASSUME, role.arn):
        base = _part_admitted(ix, idx, role.trust, tkey, part_key, part)
        info = _entry_elements(ix, ("open", id(groups), tkey, part_key), base)
        if info is None:
            return None
        fk = ("D15-open-family", id(groups), tkey, part_key, family, _element_bits(info, role.arn))
        entries = ix.cache.get(fk)
        if entries is None:
            entries = ix.cache[fk] = [[pos, n, k, pair[0], pair[1], None] for pos, n, k, pair in base
                                      if kind is None or k[1] == kind]
        for e in entries:
            k = e[2]
            if k[0] == own:
                continue
            ok = e[5]
            if ok is None:  # decided by this role, of another account: the same for the family
                ok = e[5] = _class_verdict(ix, ix.subjects[e[4][0]], role, e[3], rpart)
            if ok:
                picked.append((e[0], e[1], e[4]))
    verdict: dict[object, bool] = {}
    for k, classes in admitted(ix, role.trust, groups, idx.own_keys(own)):
        if kind is not None and k[1] != kind:
            continue
        if not trust_admits(ix, ix.subjects[classes[0][1][0]], role):
            continue
        pos = idx.position[k]
        for n, (sig, members) in enumerate(classes):
            ok = verdict.get(sig)
            if ok is None:
                rep = members[0] if members[0] != role.arn else (members[1] if len(members) > 1 else None)
                if rep is None:
                    continue
                ok = verdict[sig] = _class_verdict(ix, ix.subjects[rep], role, sig, rpart)
            if ok:
                picked.append((pos, n, members))
    picked.sort(key=lambda p: (p[0], p[1]))
    out: list[list[str]] = []
    last: tuple[int, int] | None = None
    for pos, n, members in picked:
        if (pos, n) != last:  # the same class through two parts: once
            out.append(members)
            last = (pos, n)
    return out


def _class_verdict(ix: WorldIndex, s: Subject, role: Role, sig: object, rpart: Any) -> bool:
    """May ``s``'s class (content signature ``sig``) assume ``role``, without MFA? Looked up
    and kept under ``shared_verdict_key`` when there is one (``rpart``: ``_role_part``)."""
    vk = shared_verdict_key(ix, s, role, sig, rpart) if rpart is not None else None
    ok = ix.cache.get(vk) if vk is not None else None
    if ok is None:
        ok = trust_admits(ix, s, role) and assume_decision(ix, s, role, content=True)[1] is None
        if vk is not None:
            ix.cache[vk] = ok
    return bool(ok)


def _entry_elements(ix: WorldIndex, ck: object, base: list[Any]) -> Any:
    """``_part_elements`` for a part's entries (``_part_admitted``: their classes are
    (signature, members) pairs), or None when a class has no shared verdict key or its
    statements read the resource's account (``_reads_resource_account``): cached."""
    key = ("D15-entry-elements", ck)
    hit = ix.cache.get(key)
    if hit is not None and hit[0] is base:
        return hit[1]
    found = _elements(ix, (ix.subjects[pair[1][0]].policies for _, _, _, pair in base), account_free=True)
    ix.cache[key] = (base, found)
    return found


def _part_verdict_key(ix: WorldIndex, pc: dict[object, list[str]], role: Role, rpart: Any,
                      kind: str | None) -> tuple[object, ...] | None:
    """A key under which one holder part's accepted classes (``assume_blocks``' verdicts for
    them, in order) are the same for every role with the key, or None.

    Each class's verdict is keyed by ``shared_verdict_key``: its signature, the role's part
    (``rpart``) and whether each of the class's Resource statements matches the role's ARN.
    Those statements are few distinct Resource elements per part (one per team pattern,
    say), and most cannot match a given role: a static text matches only ARNs starting with
    its literal prefix (before the first ``*``, ``?`` or ``$``). So the key holds the part,
    ``rpart``, ``kind`` and the match of each element whose prefix the ARN starts with
    (asked with the statement's own ``matches_resource``); every other element matches
    nothing here, for every role alike. This turns roles x classes keys into roles x parts
    (the classes of a part grow with the accounts: 18 -> 27 per role from 10,000 to 30,000
    principals). None when the role's part or a class's statements give no shared key."""
    if rpart is None:
        return None
    info = _part_elements(ix, pc)
    if info is None:
        return None
    return ("D15-part-verdicts", id(pc), rpart, kind, _element_bits(info, role.arn))


def _element_bits(info: Any, arn: str) -> tuple[tuple[int, bool], ...]:
    """Whether each element of ``info`` (``_elements``) whose literal prefix ``arn`` starts
    with matches ``arn``, by element index: every other element matches no such ARN."""
    reps, by_len = info
    cand: set[int] = set()
    n = len(arn)
    for length, buckets in by_len:
        if length <= n:
            got = buckets.get(arn[:length])
            if got:
                cand.update(got)
    return tuple((i, reps[i].matches_resource(arn, None)) for i in sorted(cand))


def _part_elements(ix: WorldIndex, pc: dict[object, list[str]]) -> Any:
    """``_elements`` of a part's classes (each class's first member; cached per part)."""
    ck = ("D15-part-elements", id(pc))
    hit = ix.cache.get(ck)
    if hit is not None and hit[0] is pc:
        return hit[1]
    found = _elements(ix, (ix.subjects[members[0]].policies for members in pc.values()))
    ix.cache[ck] = (pc, found)
    return found


def _elements(ix: WorldIndex, policy_sets: Iterable[Any], account_free: bool = False) -> Any:
    """The distinct Resource elements of the statements of ``policy_sets``
    (``_resource_statements`` of each), one statement each, and their literal prefixes bucketed
    by length: ``(statements, ((length, {prefix: indexes}), ...))``, or None when a set has no
    shared key (or, with ``account_free``, reads the resource's account)."""
    reps: list[Any] = []
    seen: dict[object, int] = {}
    by_len: dict[int, dict[str, list[int]]] = {}
    for ps in policy_sets:
        sts = _resource_statements(ix, ps)
        if sts is None or (account_free and _reads_resource_account(ix, ps)):
            return None
        for st in sts:
            texts = None if st.resources is None else tuple(r.text for r in st.resources)
            rk = (texts, st.not_resource)
            if rk in seen:
                continue
            i = seen[rk] = len(reps)
            reps.append(st)
            for text in texts if texts is not None else ("",):
                cut = min((j for j in (text.find("*"), text.find("?"), text.find("$")) if j >= 0),
                          default=len(text))
                by_len.setdefault(cut, {}).setdefault(text[:cut], []).append(i)
    return tuple(reps), tuple(sorted(by_len.items()))


def shared_verdict_key(ix: WorldIndex, s: Subject, role: Role, sig: object,
                       part: Any = None) -> tuple[object, ...] | None:
    """A key under which the verdict "``s``'s class may assume ``role``" (verdict only: who,
    not why) is the same for every role of the account with the same key, or None.

    The engine reads the role in such a question only as: its trust policy (here by its
    text), its account (``aws:ResourceAccount``, same- or cross-account, its RCPs), its
    tags (``aws:ResourceTag``), and its ARN as the request's resource, which a statement
    sees only through its Resource element. So the key holds those, and for every
    statement of the question (identity, boundary, session, SCP, trust, RCP) whose
    Resource is not a bare ``*``, whether it matches this role's ARN. A statement whose
    Resource holds policy variables, or a trust with a Resource element, makes the
    verdict unshared (None): decided per role as before. ``sig`` is the class's
    content signature (``ix.classes(..., content=True)``), which fixes its statements'
    text and order, so equal bits mean equal statements matching equal resources.

    Roles trusting the account are many and alike (one text, the account root), and the
    classes that may try them are the holders of ``sts:AssumeRole`` on ``*`` or a
    pattern: this turns classes x roles engine questions into classes x patterns.

    ``part``: ``_role_part(ix, role)`` when the caller has it already.
    """
    if part is None:
        part = _role_part(ix, role)
    if part is None:
        return None
    sts = _resource_statements(ix, s.policies)
    if sts is None:
        return None
    bits = tuple(st.matches_resource(role.arn, None) for st in sts) + part[1]
    head = part[0]
    if part[2] is not None and s.account_id != head[1] and not _reads_resource_account(ix, s.policies):
        head = (head[0], part[2], head[2])  # across accounts: which account is the role's does not matter
    return ("D15-verdict", sig, *head, bits)


RolePart = tuple[tuple[object, ...], tuple[bool, ...], tuple[object, ...] | None]


def _role_part(ix: WorldIndex, role: Role) -> RolePart | None:
    """``shared_verdict_key``'s part that depends on the role alone (cached per role):
    (trust text, account, sorted tags), the bits of its RCP statements, and what stands
    for its account when the caller is of another account (or None), or None.

    Across accounts the engine reads the role's account in three places only: the RCPs of
    that account (spec §1.8), ``aws:ResourceAccount`` in the request, and "same account or
    not" (§1.3), which the caller's account (in its class signature) and this one settle.
    So when neither the trust nor an RCP statement for the action reads
    ``aws:ResourceAccount`` (or holds a policy variable), a caller of another account gets
    the same verdict from every role with the same text, tags, Resource bits and RCP
    policies, whichever account holds the role: the third part is then those RCP policies
    (``("cross", ids per level)``). The caller's own statements are checked for the key
    per caller (``_reads_resource_account``). Roles open to ``*`` were otherwise decided
    once per (class, account of the role): classes x accounts, which grows with the
    organization's square."""
    ck = ("D15-verdict-role", role.arn)
    hit = ix.cache.get(ck, _NONE)
    if hit is not _NONE:
        return hit
    found: RolePart | None = None
    target = ix.subjects.get(role.arn)
    trust_text = _trust_text(ix, role) if target is not None else None
    if target is not None and trust_text is not None:
        bits: list[bool] = []
        ok = True
        levels = rcp_levels(ix.world, target.account_id, ASSUME)
        reads = any(_reads_account(st) for st in role.trust.statements)
        for level in levels:
            for p in level:
                for st in p.statements:
                    if st.matches_action(ASSUME.lower()):
                        if not _resource_bit(st, role.arn, bits):
                            ok = False
                        reads = reads or _reads_account(st)
        if ok:
            cross = None if reads else ("cross", tuple(tuple(map(id, level)) for level in levels))
            found = ((trust_text, target.account_id, tuple(sorted(role.tags.items()))), tuple(bits), cross)
    ix.cache[ck] = found
    return found


def _reads_account(st: Any) -> bool:
    """Could this statement's verdict depend on which account the resource is in, beyond its
    Resource element: a condition on ``aws:ResourceAccount`` (or the resource's
    organization), or a policy variable, which may name one."""
    return any(c._has_variables or c.key_lower.startswith(("aws:resourceaccount", "aws:resourceorg"))
               for c in st.conditions)


def _reads_resource_account(ix: WorldIndex, ps: Any) -> bool:
    """``_reads_account`` of any statement of the caller's side matching ``sts:AssumeRole``
    (identity, boundary, session, SCPs; cached per policy set)."""
    ck = ("D15-reads-account", id(ps))
    hit = ix.cache.get(ck)
    if hit is not None and hit[0] is ps:
        return bool(hit[1])
    c = ps.candidates(ASSUME.lower())
    found = any(_reads_account(st) for picked in (c.identity, c.boundary, c.session, *c.scp) for _, st in picked)
    ix.cache[ck] = (ps, found)
    return found


def _resource_statements(ix: WorldIndex, ps: Any) -> tuple[Any, ...] | None:
    """The statements of the caller's side of the question (identity, boundary, session, SCP)
    matching ``sts:AssumeRole`` whose Resource is not a bare ``*``, in order (cached per
    policy set); None when one has policy variables (see ``_resource_bit``)."""
    ck = ("D15-verdict-statements", id(ps))
    hit = ix.cache.get(ck)
    if hit is not None and hit[0] is ps:
        return hit[1]
    c = ps.candidates(ASSUME.lower())
    found: list[Any] = []
    var_resources = False
    for picked in (c.identity, c.boundary, c.session, *c.scp):
        for _, st in picked:
            if st._any_resource:
                continue
            if st._var_resources:
                var_resources = True
                break
            found.append(st)
        if var_resources:
            break
    out = None if var_resources else tuple(found)
    ix.cache[ck] = (ps, out)
    return out


_NONE = object()
_UNREAD = object()


def _resource_bit(st: Any, arn: str, bits: list[bool]) -> bool:
    """Append whether ``st``'s Resource matches ``arn`` unless it matches every resource;
    False when that depends on more than the ARN (policy variables)."""
    if st._any_resource:
        return True
    if st._var_resources:
        return False
    bits.append(st.matches_resource(arn, None))
    return True


def _trust_text(ix: WorldIndex, role: Role) -> str | None:
    """The trust policy's text (version and statements), or None when a statement has a
    Resource element (then the role's ARN could matter through the trust itself)."""
    trust = role.trust
    return None if any(st.resources is not None for st in trust.statements) else _trust_key(ix, trust)


AdmitGroups = dict[tuple[str, str, tuple[object, ...]], list[tuple[object, list[str]]]]


def _admit_groups(ix: WorldIndex, role: Role) -> AdmitGroups:
    """Every principal's content classes for a trust open to ``*``, grouped by (account, kind,
    values of the tags the trust tests): cached per set of tested tags."""
    keys = ix.trust_tag_keys(role.trust)
    ck = ("findings_admit_groups", keys)
    hit = ix.cache.get(ck)
    if hit is None:
        hit = {}
        for sig, members in ix.classes("sts:assumerole", trust=role.trust, content=True).items():
            s = ix.subjects[members[0]]
            hit.setdefault((s.account_id, s.kind, ix.tag_values(s, keys)), []).append((sig, members))
        ix.cache[ck] = hit
    return hit


def _names(arns: Sequence[str], limit: int = 5) -> str | Text:
    if not arns:
        return N_("nobody in the loaded accounts")
    shown = ", ".join(arns[:limit])
    return N_("{names} and {n} more", names=shown, n=len(arns) - limit) if len(arns) > limit else shown


def issue_finding(role: Role, i: TrustIssue) -> Finding:
    """A trust-statement finding (``trust_checks``) as a report finding."""
    return Finding(i.id, i.rule, i.severity, role.arn, str(i.message), str(i.fix),
                   statement={**i.statement_ref(role.trust.name), "document": raw_statement(role.trust, i.index)},
                   who=str(i.who), corrected=dict(i.corrected) if i.corrected is not None else None,
                   outsider=i.outsider, text=_marked(i.message), fix_text=_marked(i.fix), who_text=_marked(i.who))


def _marked(value: str | Text) -> Text | None:
    return value if isinstance(value, Text) else None


def trust_issues(ix: WorldIndex, esc: Escalation, known: frozenset[str] | None = None) -> dict[str, list[TrustIssue]]:
    """The trust findings of every role, by role ARN. ``known``: account ids listed as known
    (``--known-accounts``); a trust of an account neither loaded nor known is a third party."""
    admins = set(esc.admins)
    loaded = frozenset(ix.world.accounts)
    out: dict[str, list[TrustIssue]] = {}
    for arn, s in ix.subjects.items():
        if isinstance(s.entity, Role):
            powerful = arn in admins or arn in esc.certain.dist
            found = check_trust(s.entity.trust, TrustContext(arn, powerful, loaded, known))
            if found:
                out[arn] = found
    return out


def findings(ix: WorldIndex, esc: Escalation, assume_lists: Mapping[str, tuple[str, ...]] | None = None,
             cycles: list[Finding] | None = None, *, known: frozenset[str] | None = None,
             issues: dict[str, list[TrustIssue]] | None = None) -> list[Finding]:
    """Every finding of the audit. ``assume_lists`` (role ARN -> who can assume it) and
    ``cycles`` (the IW005 findings) may come precomputed from shards (``analysis.shards``);
    they depend on the world only, not on the search. ``issues``: ``trust_issues`` if
    already computed; ``known``: the ``--known-accounts``."""
    if issues is None:
        issues = trust_issues(ix, esc, known)
    out: list[Finding] = []
    admins = set(esc.admins)
    for arn, s in ix.subjects.items():
        role = s.entity
        if not isinstance(role, Role):
            continue
        t = ix.trust[arn]
        powerful = arn in admins or arn in esc.certain.dist
        if powerful and (t.accounts or t.everyone):
            who = (assume_lists[arn] if assume_lists is not None and arn in assume_lists
                   else _who_can_assume(ix, role))
            scope = (N_("everyone (*)") if t.everyone
                     else N_("account {accounts}", accounts=", ".join(sorted(t.accounts))))
            if arn in admins:
                message = N_("role {role} is admin and its trust policy trusts {scope}; "
                             "who can actually assume it: {who}", role=role.name, scope=scope, who=_names(who))
            else:
                message = N_("role {role} can escalate to admin and its trust policy trusts {scope}; "
                             "who can actually assume it: {who}", role=role.name, scope=scope, who=_names(who))
            out.append(Finding.of(
                "IW001", "admin-role-open-to-account", "critical" if t.everyone else "high", arn, message,
                N_("Name the specific principals that need this role in the trust policy "
                   "(Principal: {\"AWS\": \"arn:aws:iam::ACCOUNT:role/NAME\"}) instead of the account root, "
                   "and require MFA or an aws:PrincipalArn condition."),
                who))
        for st in role.trust.statements:
            if st.effect is not Effect.ALLOW or st.principal is None:
                continue
            if st.principal.is_everyone and not st.conditions:
                out.append(Finding.of(
                    "IW002", "trust-everyone-no-condition", "critical", arn,
                    N_("role {role}: trust statement {statement} allows Principal \"*\" with no condition: "
                       "any AWS account can assume it", role=role.name, statement=st.sid or st.index),
                    N_("Replace \"*\" with the accounts or roles that need access, or add conditions such as "
                       "aws:PrincipalOrgID and sts:ExternalId.")))
        out += [issue_finding(role, i) for i in issues.get(arn, ())]
    for a in esc.admins:
        s = ix.subjects[a]
        if s.kind == "user" and not ix.admin(a).needs_mfa:
            out.append(Finding.of(
                "IW004", "admin-without-mfa", "medium", a,
                N_("user {user} is admin and its permissions do not require MFA", user=s.entity.name),
                N_("Add a Deny for all actions with Condition BoolIfExists aws:MultiFactorAuthPresent false, "
                   "or move admin rights to a role whose trust requires MFA.")))
    out += _cycles(ix) if cycles is None else cycles
    for arn, s in ix.subjects.items():
        if arn in admins:
            continue
        kind_word = _KINDS.get(s.kind, s.kind)
        if arn in esc.certain.dist:
            paths = esc.certain.paths(arn, 1)
            steps = paths[0] if paths else []
            techs = " → ".join(e.technique for e in steps)
            sev = "critical" if len(steps) <= 1 else "high"
            out.append(Finding.of(
                "IW006", "can-escalate", sev, arn,
                N_("{kind} {name} can become admin in {n} step(s): {techniques} ({reason})", kind=kind_word,
                   name=s.entity.name, n=len(steps), techniques=techs, reason=hop_text(steps[0].reason)) if steps
                else N_("{kind} {name} can become admin in {n} step(s): {techniques}", kind=kind_word,
                        name=s.entity.name, n=len(steps), techniques=techs),
                _fix(steps[0].technique if steps else ""), tuple(e.target for e in steps)))
        elif arn in esc.uncertain.dist:
            paths = esc.uncertain.paths(arn, 1)
            steps = paths[0] if paths else []
            notes = notes_text(list(dict.fromkeys(e.uncertain for e in steps if e.uncertain)))
            techs = " → ".join(e.technique for e in steps)
            out.append(Finding.of(
                "IW007", "may-escalate", "low", arn,
                N_("{kind} {name} may become admin: {techniques} ({notes})", kind=kind_word,
                   name=s.entity.name, techniques=techs, notes=notes) if notes
                else N_("{kind} {name} may become admin: {techniques}", kind=kind_word,
                        name=s.entity.name, techniques=techs),
                _fix(steps[0].technique if steps else ""), tuple(e.target for e in steps)))
    return out


#: the principal kinds in messages, marked for translation
_KINDS = {"user": N_("user"), "role": N_("role")}


def _fix(technique: str) -> Text:
    if technique == "D15":
        return N_("Narrow the role's trust policy or the caller's sts:AssumeRole permission to who really needs it.")
    if technique.startswith("P"):
        return N_("Limit iam:PassRole to the roles the principal must pass (Resource: role ARNs) and add "
                  "an iam:PassedToService condition.")
    if technique.startswith("E"):
        return N_("Restrict who may modify or exec into compute that runs with privileged roles.")
    return N_("Remove the IAM write permission (e.g. iam:Attach*/Put*/CreatePolicyVersion/CreateAccessKey) or scope "
              "its Resource, or cap the principal with a permissions boundary.")


def _cycles(ix: WorldIndex) -> list[Finding]:
    """IW005: strongly connected groups of roles that can assume each other (catalog D15).

    The "can assume" relation is dense where a whole class may assume many roles
    (admin roles holding ``sts:AssumeRole`` on ``*``, ``role/team-*`` grants): a class
    shared by several roles becomes one node ``block -> role`` with ``member -> block``
    edges, which has exactly the same strongly connected roles as the pair graph (a
    path through a block is an edge member -> role, or a loop back to the member) and
    grows linearly. Findings are ordered by their first role.
    """
    return cycles_of(assume_graph(ix, ix.subjects))


def assume_graph(ix: WorldIndex, roles: Iterable[str], part: object = None) -> dict[object, list[object]]:
    """The "can assume" graph into ``roles`` (``_cycles``' nodes: role ARNs and blocks).

    Graphs of disjoint sets of roles join by concatenating each node's list (``cycles_of``
    of the union = ``_cycles``): ``part`` names this graph's blocks apart from another's
    (a block repeated in two graphs is two nodes with the same edges: the same cycles)."""
    graph: dict[object, list[object]] = {}
    blocks: dict[int, tuple[list[str], object]] = {}  # id -> (block kept alive, node)
    for arn in roles:
        role = ix.subjects[arn].entity
        if not isinstance(role, Role):
            continue
        for members in assume_blocks(ix, role, kind="role"):
            if len(members) <= _BLOCK_MIN:
                for src in members:
                    if src != arn:
                        graph.setdefault(src, []).append(arn)
                continue
            hit = blocks.get(id(members))
            if hit is None:
                node = ("block", len(blocks)) if part is None else ("block", part, len(blocks))
                hit = blocks[id(members)] = (members, node)
                for src in members:
                    graph.setdefault(src, []).append(node)
            graph.setdefault(hit[1], []).append(arn)
    return graph


def cycles_of(graph: dict[object, list[object]]) -> list[Finding]:
    """IW005's findings from an ``assume_graph``."""
    comps = []
    for comp in _scc(graph):
        roles = sorted(x for x in comp if isinstance(x, str))
        if len(roles) >= 2:
            comps.append(roles)
    return [Finding.of(
        "IW005", "circular-access", "low", comp[0],
        N_("roles can assume each other in a cycle: {roles}", roles=", ".join(comp)),
        N_("Break the cycle: trust relationships between roles should run one way."), tuple(comp))
        for comp in sorted(comps)]


#: blocks of at most this many principals are written as pair edges
_BLOCK_MIN = 4


def _scc(graph: dict[Any, list[Any]]) -> list[list[Any]]:
    """Tarjan's algorithm, iterative."""
    index: dict[Any, int] = {}
    low: dict[Any, int] = {}
    on: set[Any] = set()
    stack: list[Any] = []
    out: list[list[Any]] = []
    counter = 0
    for root in list(graph):
        if root in index:
            continue
        work = [(root, iter(graph.get(root, ())))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(graph.get(w, ()))))
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    out.append(comp)
    return out

"""Document structure (spec §2.1), Action/NotAction (§2.3) and Resource/NotResource (§2.4)."""

from __future__ import annotations

import pytest

from iamwarden.policy import PolicyKind, PolicySyntaxError, parse_policy
from tests.evaluation.helpers import USER, A, allow, decide, deny, doc, grant, stmt


def allowed(req_action: str, req_resource: str = "*", *, action="*", resource="*") -> bool:
    """Does an identity Allow of (action, resource) patterns allow the request?"""
    return decide(USER, req_action, req_resource, identity=[doc(stmt("Allow", action, resource))]).allowed


# --- §2.3 actions -------------------------------------------------------------------


def test_action_matching_is_case_insensitive():
    """§2.3: iam:ListAccessKeys ≡ IAM:listaccesskeys."""
    assert allowed("IAM:listaccesskeys", action="iam:ListAccessKeys")
    assert allowed("iam:ListAccessKeys", action="IAM:LISTACCESSKEYS")


def test_action_wildcards_star_and_question_mark():
    """§2.3: * any run (incl. empty), ? exactly one character."""
    assert allowed("s3:GetObject", action="s3:Get*")
    assert allowed("s3:Get", action="s3:Get*")
    assert allowed("iam:CreateAccessKey", action="iam:*AccessKey*")
    assert allowed("s3:GetObject", action="s3:GetObjec?")
    assert not allowed("s3:GetObjects", action="s3:GetObjec?")
    assert not allowed("s3:PutObject", action="s3:Get*")


def test_action_wildcard_may_cover_the_service_prefix():
    """§2.3: the glob is over the whole string; "*" matches everything, "*:X" any service's X."""
    assert allowed("ec2:RunInstances", action="*")
    assert allowed("ec2:RunInstances", action="*:RunInstances")
    assert allowed("ec2:RunInstances", action="e?2:*")
    assert not allowed("ec2:RunInstances", action="*:Run")


def test_not_action_applies_to_every_other_action():
    """§2.3: NotAction: every action not matching a listed pattern."""
    st = {"NotAction": "iam:*", "Resource": "*"}
    assert decide(USER, "s3:GetObject", identity=[doc({"Effect": "Allow", **st})]).allowed
    assert not decide(USER, "iam:CreateUser", identity=[doc({"Effect": "Allow", **st})]).allowed


def test_deny_not_action_denies_everything_except():
    """§2.3: Deny + NotAction denies everything but the listed actions."""
    pol = doc(allow(), {"Effect": "Deny", "NotAction": ["sts:*", "iam:Get*"], "Resource": "*"})
    assert decide(USER, "s3:GetObject", identity=[pol]).decision == "ExplicitDeny"
    assert decide(USER, "iam:GetUser", identity=[pol]).allowed


# --- §2.4 resources -----------------------------------------------------------------


def test_resource_matching_is_case_sensitive():
    """§2.4: ARNs compare case-sensitively."""
    alice = f"arn:aws:iam::{A}:user/alice"
    assert not allowed("iam:GetUser", alice, resource=f"arn:aws:iam::{A}:user/Alice")


def test_resource_star_matches_everything_including_no_resource():
    """§2.4: "*" matches every resource, including the no-resource "*"."""
    assert allowed("sts:GetSessionToken", "*", action="*", resource="*")
    assert allowed("s3:GetObject", "arn:aws:s3:::b/k", action="*", resource="*")


def test_resource_wildcard_spans_slash_and_colon():
    """§2.4: a * in the resource part spans / and : (awsdocs #175)."""
    pat = "arn:aws:s3:::bucket/*/test/*"
    assert allowed("s3:GetObject", "arn:aws:s3:::bucket/1/2/test/3/x", action="*", resource=pat)
    assert allowed("logs:PutLogEvents", f"arn:aws:logs:us-east-1:{A}:log-group:g:log-stream:s",
                   action="*", resource=f"arn:aws:logs:us-east-1:{A}:log-group:*")


def test_resource_question_mark_is_one_character():
    """§2.4: ? = exactly one character."""
    assert allowed("s3:GetObject", "arn:aws:s3:::b/k1", action="*", resource="arn:aws:s3:::b/k?")
    assert not allowed("s3:GetObject", "arn:aws:s3:::b/k12", action="*", resource="arn:aws:s3:::b/k?")


def test_resource_star_in_first_segments_may_cross_colon():
    """§2.4, §9.3 (UNCONFIRMED): the resource pattern is a whole-string glob, so a mid-segment *
    can cross ':' in the first five segments."""
    assert allowed("sqs:SendMessage", f"arn:aws:sqs:us-east-1:{A}:q", action="*", resource="arn:aws:sqs:us-*:q")


def test_not_resource_applies_to_every_other_resource():
    """§2.4: NotResource: every resource matching none of the patterns."""
    st = {"Effect": "Allow", "Action": "*", "NotResource": ["arn:aws:s3:::secret/*", "arn:aws:s3:::secret"]}
    assert decide(USER, "s3:GetObject", "arn:aws:s3:::public/x", identity=[doc(st)]).allowed
    assert not decide(USER, "s3:GetObject", "arn:aws:s3:::secret/x", identity=[doc(st)]).allowed


def test_resource_absent_in_resource_policy_means_the_attached_resource():
    """§2.1: Resource is optional in resource policies and defaults to the resource itself."""
    assert decide(USER, "sqs:SendMessage", f"arn:aws:sqs:us-east-1:{A}:q",
                  resource_policy=doc(grant(USER, "sqs:*"))).allowed


def test_statement_without_matching_resource_does_not_apply():
    """§2.4: an identity statement whose Resource does not match simply does not apply."""
    pol = doc(allow(), deny("*", "arn:aws:s3:::other/*"))
    assert decide(USER, "s3:GetObject", "arn:aws:s3:::b/k", identity=[pol]).allowed


# --- §2.1 document structure -----------------------------------------------------


def test_statement_may_be_object_or_list():
    """§2.1: Statement is an object or a list of them."""
    single = {"Version": "2012-10-17", "Statement": allow("s3:*")}
    assert decide(USER, "s3:GetObject", identity=[single]).allowed


def test_scalar_equals_one_element_list():
    """§2.1: wherever a list is allowed a scalar is equivalent."""
    a = parse_policy(doc(allow("s3:GetObject", "arn:aws:s3:::b/*")))
    b = parse_policy(doc(allow(["s3:GetObject"], ["arn:aws:s3:::b/*"])))
    assert a.statements[0].actions == b.statements[0].actions
    assert [r.text for r in a.statements[0].resources] == [r.text for r in b.statements[0].resources]


def test_duplicate_keys_are_rejected():
    """§2.1: keys inside one object must be unique."""
    text = (
        '{"Version": "2012-10-17", "Statement": '
        '{"Effect": "Allow", "Effect": "Deny", "Action": "*", "Resource": "*"}}'
    )
    with pytest.raises(PolicySyntaxError):
        parse_policy(text)


def test_effect_is_case_sensitive():
    """§2.1: Effect is "Allow" or "Deny", case-sensitive; the error names the JSON path."""
    with pytest.raises(PolicySyntaxError) as e:
        parse_policy(doc(stmt("allow")))
    assert e.value.problems[0].path == "$.Statement[0].Effect"


def test_action_and_not_action_are_exclusive():
    """§2.1: exactly one of Action / NotAction."""
    with pytest.raises(PolicySyntaxError):
        parse_policy(doc({"Effect": "Allow", "Action": "*", "NotAction": "s3:*", "Resource": "*"}))
    with pytest.raises(PolicySyntaxError):
        parse_policy(doc({"Effect": "Allow", "Resource": "*"}))


def test_identity_policy_requires_resource():
    """§2.1: Resource is required in identity policies."""
    with pytest.raises(PolicySyntaxError):
        parse_policy(doc({"Effect": "Allow", "Action": "*"}))


def test_invalid_version_rejected():
    """§2.1: only the two dated versions are valid."""
    with pytest.raises(PolicySyntaxError):
        parse_policy(doc(allow(), version="2024-01-01"))


def test_principal_forbidden_in_identity_policy():
    """§1.4: identity policies must not specify a principal."""
    with pytest.raises(PolicySyntaxError) as e:
        parse_policy(doc(allow(Principal="*")))
    assert "principal" in str(e.value)


def test_not_principal_forbidden_in_trust_policy():
    """§1.4, §1.6: role trust policies cannot use NotPrincipal."""
    st = {"Effect": "Allow", "Action": "sts:AssumeRole", "NotPrincipal": {"AWS": USER}}
    with pytest.raises(PolicySyntaxError):
        parse_policy(doc(st), PolicyKind.TRUST)


def test_partial_wildcard_principal_rejected():
    """§1.4: no partial wildcards in principal ARNs."""
    with pytest.raises(PolicySyntaxError):
        parse_policy(doc(grant(f"arn:aws:iam::{A}:user/*", "s3:*")), PolicyKind.RESOURCE)


def test_resource_policy_requires_principal():
    """§1.4: resource and trust policies must name a principal."""
    with pytest.raises(PolicySyntaxError):
        parse_policy(doc(stmt("Allow", "s3:*", None)), PolicyKind.RESOURCE)


# --- the glob matcher itself (policy/patterns.py, issue 8) -------------------------
#
# A bounded matcher replaced the regular expressions built from patterns; these
# pin the semantics it must keep, then check it against a reference on generated
# patterns (hypothesis) — including the bit-parallel fallback, forced on.

import itertools  # noqa: E402
import re  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as hst  # noqa: E402

from iamwarden.policy import patterns  # noqa: E402
from iamwarden.policy.patterns import compile_glob, compile_glob_set, compile_pieces  # noqa: E402


def test_glob_star_matches_any_run_including_empty():
    """§2.3, §2.4: * is any run of characters, the empty run included, anywhere in the pattern."""
    m = compile_glob("a*b*c").match
    assert m("abc") and m("aXbYc") and m("a/b:c") and m("abbbc")
    assert not m("ab") and not m("abcX") and not m("Xabc")
    assert compile_glob("*").match("") and compile_glob("**").match("x")


def test_glob_question_mark_is_exactly_one_character():
    """§2.3, §2.4: ? is one character, never zero, never two."""
    m = compile_glob("a?c").match
    assert m("abc") and m("a:c") and m("a?c")
    assert not m("ac") and not m("abbc")
    assert compile_glob("*?").match("x") and not compile_glob("*?").match("")
    assert compile_glob("?*?").match("ab") and not compile_glob("?*?").match("a")


def test_glob_wildcards_match_newlines_and_any_character():
    """§2.4: wildcards match every character, a newline included (the old matcher ran with DOTALL)."""
    assert compile_glob("a*b").match("a\n\nb")
    assert compile_glob("a?b").match("a\nb")
    assert compile_glob("a*").match("a\U0001f600")


def test_glob_consecutive_stars_are_one_star():
    """§2.3: ``**`` matches what ``*`` matches."""
    for value in ("", "ab", "aXb", "a", "b"):
        assert compile_glob("a**b").match(value) == compile_glob("a*b").match(value)


def test_glob_regex_characters_are_literal():
    """§2.3, §2.4: only * and ? are special; ., [, (, + and backslash are themselves."""
    assert compile_glob("a.b").match("a.b") and not compile_glob("a.b").match("aXb")
    assert compile_glob("[ab]*").match("[ab]x") and not compile_glob("[ab]*").match("a")
    assert compile_glob("a+\\(*").match("a+\\(z")


def test_action_glob_ignores_case_as_before():
    """§2.3: actions compare case-insensitively, with re.IGNORECASE's character classes
    (the old matcher's), so "ſ" ~ "s" and "K" (Kelvin) ~ "k", and length is kept for ?."""
    m = compile_glob("s3:Get*", True).match
    assert m("S3:GETOBJECT") and m("s3:get") and not m("s3:Put")
    assert compile_glob("iam:?ist*", True).match("IAM:ſIST") is (re.match("iam:.ist", "IAM:ſIST", re.I) is not None)
    assert compile_glob("kms:*", True).match("\u212amS:Decrypt")
    assert compile_glob("s?", True).match("S\u0130")  # İ lower-cases to two characters; ? still counts one
    assert not compile_glob("s3:Get*").match("S3:GetObject")  # resources and conditions keep case


def test_inserted_variable_text_is_literal_in_a_pattern():
    """§2.8: text a policy variable inserts is literal: its * and ? are not wildcards."""
    m = compile_pieces((("arn:aws:s3:::b/", False), ("*", True), ("/*", False))).match
    assert m("arn:aws:s3:::b/*/x")
    assert not m("arn:aws:s3:::b/alice/x")
    q = compile_pieces((("home/", False), ("a?", True))).match
    assert q("home/a?") and not q("home/ab")


def test_inserted_variable_with_wildcard_does_not_widen_a_resource():
    """§2.8: ``${aws:PrincipalTag/team}`` holding "*" names the resource "team-*", nothing wider."""
    pol = doc(allow("s3:GetObject", "arn:aws:s3:::team-${aws:PrincipalTag/team}/*"))
    ctx = {"aws:PrincipalTag/team": "*"}
    assert not decide(USER, "s3:GetObject", "arn:aws:s3:::team-red/x", identity=[pol], context=ctx).allowed
    assert decide(USER, "s3:GetObject", "arn:aws:s3:::team-*/x", identity=[pol], context=ctx).allowed


def test_glob_set_matches_when_any_pattern_matches():
    """§2.3, §2.4: a list of patterns matches when one of them does (literal, prefix, suffix, other)."""
    s = compile_glob_set(("iam:GetUser", "s3:Get*", "*:Describe", "ec2:?un*s"), True).match
    assert s("IAM:getuser") and s("s3:GetObject") and s("rds:describe") and s("ec2:RunInstances")
    assert not s("iam:GetRole") and not s("sqs:Send") and not s("ec2:Run")
    assert compile_glob_set(("x", "*"), False).match("anything")
    assert not compile_glob_set((), False).match("")


def test_arn_like_star_stays_inside_its_segment():
    """§2.6: ArnLike matches segment by segment: a * in the service part does not swallow the
    region, though the same text as a Resource (a whole-string glob, §2.4) would."""
    pattern = f"arn:aws:s*:us-east-1:{A}:q"
    value = f"arn:aws:sqs:x:us-east-1:{A}:q"
    cond = {"ArnLike": {"aws:SourceArn": pattern}}
    pol = doc(allow("sqs:SendMessage", "*", Condition=cond))
    assert not decide(USER, "sqs:SendMessage", identity=[pol], context={"aws:SourceArn": value}).allowed
    as_resource = doc(allow("*", pattern))
    assert decide(USER, "sqs:SendMessage", value, identity=[as_resource], resource_account=A).allowed
    tail = {"ArnLike": {"aws:SourceArn": f"arn:aws:logs:*:{A}:log-group:*"}}
    pol = doc(allow("logs:PutLogEvents", "*", Condition=tail))
    ctx = {"aws:SourceArn": f"arn:aws:logs:us-east-1:{A}:log-group:g:log-stream:s"}
    assert decide(USER, "logs:PutLogEvents", identity=[pol], context=ctx).allowed  # the last part spans ':'


SEARCHES = ["anchor-search", "lanes", "shift-and"]


@contextmanager
def _search(mode: str) -> Iterator[None]:
    """Force how ``?``-segments between stars are searched: the anchor search alone, or
    the bit-parallel scan from the first failed candidate on (lanes or Shift-And)."""
    saved = patterns.ANCHOR_CHECKS, patterns.LANES
    if mode != "anchor-search":
        patterns.ANCHOR_CHECKS = -(10**9)
        patterns.LANES = mode == "lanes"
    try:
        yield
    finally:
        patterns.ANCHOR_CHECKS, patterns.LANES = saved


def _fresh(pattern: str):  # noqa: ANN202 - a Glob, compiled past the cache
    return patterns._glob(pattern, ((pattern, False),), False)


def _reference(pattern: list[tuple[str, bool]], value: str, same: object) -> bool:
    """Glob matching by dynamic programming over (pattern position, value position)."""
    toks: list[str | None] = []  # None: *, "" : ?, else a literal character
    for text, literal in pattern:
        for ch in text:
            toks.append(ch if literal or ch not in "*?" else (None if ch == "*" else ""))
    n = len(value)
    row = [False] * (n + 1)
    row[0] = True
    for t in toks:
        nxt = [False] * (n + 1)
        if t is None:
            seen = False
            for j in range(n + 1):
                seen = seen or row[j]
                nxt[j] = seen
        else:
            for j in range(n):
                if row[j] and (t == "" or same(t, value[j])):  # type: ignore[operator]
                    nxt[j + 1] = True
        row = nxt
    return row[n]


def _exact(a: str, b: str) -> bool:
    return a == b


def _ignore_case(a: str, b: str) -> bool:
    return re.fullmatch(re.escape(a), b, re.IGNORECASE) is not None


# A small alphabet makes near-misses (the cases a greedy matcher gets wrong) common.
PATTERN_CHARS = "ab*?:\nA"
VALUE_CHARS = "ab:\nA*?"
CASE_CHARS = "sSſkK\u212aiIı\u0130"
patterns_st = hst.lists(hst.sampled_from("aab**??:\nA"), max_size=12).map("".join)
values_st = hst.lists(hst.sampled_from("aaabb:\nA*?"), max_size=16).map("".join)
# Patterns built from segments, so that ``?`` between literals (the hard case) is common.
segment_st = hst.lists(hst.sampled_from("ab?"), min_size=1, max_size=4).map("".join)
shaped_st = hst.tuples(hst.booleans(), hst.lists(segment_st, max_size=4), hst.booleans()).map(
    lambda t: ("*" if t[0] else "") + "*".join(t[1]) + ("*" if t[2] else "")
)


@settings(max_examples=600, deadline=None)
@given(patterns_st | shaped_st, values_st)
def test_glob_agrees_with_reference_matcher(pattern: str, value: str):
    """Property: the bounded matcher answers as the dynamic-programming definition."""
    assert compile_glob(pattern).match(value) == _reference([(pattern, False)], value, _exact)


@settings(max_examples=400, deadline=None)
@given(hst.text(PATTERN_CHARS + CASE_CHARS, max_size=8), hst.text(VALUE_CHARS + CASE_CHARS, max_size=10))
def test_glob_ignoring_case_agrees_with_reference_matcher(pattern: str, value: str):
    """Property: case-insensitive matching equals re.IGNORECASE's, character by character."""
    assert compile_glob(pattern, True).match(value) == _reference([(pattern, False)], value, _ignore_case)


@settings(max_examples=400, deadline=None)
@given(hst.lists(hst.tuples(hst.text(PATTERN_CHARS, max_size=4), hst.booleans()), max_size=4), values_st)
def test_glob_with_literal_pieces_agrees_with_reference_matcher(pieces: list[tuple[str, bool]], value: str):
    """Property: resolved variables (literal pieces) match as the reference says."""
    assert compile_pieces(tuple(pieces)).match(value) == _reference(pieces, value, _exact)


@settings(max_examples=300, deadline=None)
@given(hst.lists(patterns_st, max_size=4), values_st, hst.booleans())
def test_glob_set_agrees_with_any_of_its_patterns(pats: list[str], value: str, ignore_case: bool):
    """Property: a compiled set matches exactly when one of its patterns does."""
    same = _ignore_case if ignore_case else _exact
    want = any(_reference([(p, False)], value, same) for p in pats)
    assert compile_glob_set(tuple(pats), ignore_case).match(value) == want


@pytest.mark.parametrize("mode", SEARCHES)
@settings(max_examples=300, deadline=None)
@given(pattern=shaped_st, value=hst.text("ab\u20ac", max_size=40))
def test_glob_bit_parallel_scan_agrees_with_reference_matcher(mode: str, pattern: str, value: str):
    """Property: with the anchor search's budget at zero, every ``?``-segment search after a
    failed candidate is a bit-parallel scan (a non-Latin-1 "€" sends lanes to Shift-And)."""
    with _search(mode):
        assert _fresh(pattern).match(value) == _reference([(pattern, False)], value, _exact)


@pytest.mark.parametrize("mode", SEARCHES)
def test_glob_agrees_with_reference_on_every_small_pattern(mode: str):
    """Every pattern over ``ab*?`` up to 5 characters against every value over ``ab`` up to 6:
    near-misses (a candidate that fails, the next that fits) are too rare for random search."""
    values = ["".join(v) for n in range(7) for v in itertools.product("ab", repeat=n)]
    wrong = []
    with _search(mode):
        for n in range(6):
            for chars in itertools.product("ab*?", repeat=n):
                pattern = "".join(chars)
                m = _fresh(pattern).match
                wrong += [(pattern, v) for v in values if m(v) != _reference([(pattern, False)], v, _exact)]
    assert wrong == []


@pytest.mark.parametrize("mode", SEARCHES)
@pytest.mark.parametrize(
    ("pattern", "value", "want"),
    [
        ("*a?b*b*", "aaab", False),
        ("*a?b*b*", "aaabb", True),
        ("*a?a*a?a*", "aaaaa", False),
        ("*a?a*a?a*", "aaaaaa", True),
        ("x*ab?*?ba*y", "xabbay", False),
        ("x*ab?*?ba*y", "xabbbay", False),
        ("x*ab?*?ba*y", "xabbbbay", True),
        ("*a?b?*", "aaaab", False),  # a fit must end inside the value: the trailing ? needs a character
        ("*a?b?*", "aaabb", True),
    ],
)
def test_glob_pieces_between_stars_never_overlap(mode: str, pattern: str, value: str, want: bool):
    """§2.3: each character of the value is matched by one pattern character: two pieces
    between stars may not share a character, whichever search placed them."""
    with _search(mode):
        assert _fresh(pattern).match(value) is want
        if pattern.startswith("*a"):  # a leading character that fits no piece changes nothing
            assert _fresh(pattern).match("\u20ac" + value) is want
    assert _reference([(pattern, False)], value, _exact) is want

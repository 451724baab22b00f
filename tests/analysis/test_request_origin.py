"""Every request the analysis asks about comes from somewhere the caller picks.

AWS sets ``aws:SourceIp`` (or, through a VPC endpoint, ``aws:SourceVpc`` / ``aws:SourceVpce`` /
``aws:VpcSourceIp``), ``aws:UserAgent`` and ``aws:ViaAWSService`` on every request (spec §3.2).
Asked with them absent, an administrator limited to the office network was no administrator,
and an organization with the common "deny outside our address range" SCP had no escalations
(analysis/origins.py, docs/decisions/analysis-request-origin.md).
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from iamwarden.analysis import index_world
from iamwarden.analysis.origins import SOURCE_IP, USER_AGENT, classes, origins
from iamwarden.analysis.techniques.passrole import PassRoleChecker
from iamwarden.evaluation import PolicySet, decide
from iamwarden.model.account import World
from iamwarden.policy.document import PolicyKind, parse_policy

from .builders import ACCT, ADMIN, Builder, allow, deny, doc, trust, world

CORP = ["10.0.0.0/8", "192.0.2.0/24"]
#: AWS's example: deny everything from outside the company's ranges, unless a service calls for it
IP_GUARDRAIL = {"Effect": "Deny", "Action": "*", "Resource": "*",
                "Condition": {"NotIpAddress": {"aws:SourceIp": CORP}, "Bool": {"aws:ViaAWSService": "false"}}}


def _scp_world(b: Builder, *scp_statements: dict) -> World:
    full = parse_policy(doc(allow("*")), PolicyKind.SCP, "full")
    scp = parse_policy(doc(*scp_statements), PolicyKind.SCP, "guardrail")
    return World(world(b).accounts, scps={ACCT: ((full, scp),)})


def _p04(b: Builder, w: World, dev: str, role: str) -> bool:
    ix = index_world(w)
    return any(e.source == dev and e.technique == "P04"
               for e in PassRoleChecker().edges_into(ix.subjects[role], ix, lambda s, u=False: True))


def _lambda_setup(*extra: dict) -> tuple[Builder, str, str]:
    b = Builder()
    role = b.role("fn", trust({"Service": "lambda.amazonaws.com"}), attached=(ADMIN,))
    dev = b.user("dev", doc(allow("iam:PassRole", role),
                            allow(["lambda:CreateFunction", "lambda:InvokeFunction"]), *extra))
    return b, dev, role


def test_source_ip_allow_makes_the_office_administrator_an_admin() -> None:
    """``Allow * if IpAddress 10.0.0.0/8``: from the office the user can do anything."""
    b = Builder()
    boss = b.user("boss", doc(allow("*", Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})))
    ix = index_world(world(b))
    assert ix.admin(boss).admin


def test_source_ip_guardrail_keeps_escalation_paths() -> None:
    """Under the "deny outside our ranges" SCP the developer still escalates from the office."""
    b, dev, role = _lambda_setup()
    assert _p04(b, _scp_world(b, IP_GUARDRAIL), dev, role)


def test_via_aws_service_is_false_for_the_principals_own_requests() -> None:
    """A Deny of every direct call (``Bool aws:ViaAWSService false``) leaves the principal
    nothing: its requests are its own, not a service's on its behalf."""
    b = Builder()
    boss = b.user("boss", attached=(ADMIN,))
    w = _scp_world(b, {"Effect": "Deny", "Action": "*", "Resource": "*",
                       "Condition": {"Bool": {"aws:ViaAWSService": "false"}}})
    assert not index_world(w).admin(boss).admin


def test_a_deny_of_every_address_and_of_every_endpoint_still_denies() -> None:
    """A request has an address (from the internet) or comes through a VPC endpoint (no
    ``aws:SourceIp``): denying both leaves no origin, so no path."""
    b, dev, role = _lambda_setup()
    every = deny("*", Condition={"IpAddress": {"aws:SourceIp": ["0.0.0.0/0", "::/0"]}})
    assert _p04(b, _scp_world(b, every), dev, role)  # through a VPC endpoint
    absent = deny("*", Condition={"Null": {"aws:SourceIp": "true"}})
    assert _p04(b, _scp_world(b, absent), dev, role)  # from the internet
    assert not _p04(b, _scp_world(b, every, absent), dev, role)


def test_vpc_endpoint_allow_is_an_origin() -> None:
    """An Allow only through one VPC endpoint is used through that endpoint."""
    b = Builder()
    role = b.role("fn", trust({"Service": "lambda.amazonaws.com"}), attached=(ADMIN,))
    dev = b.user("dev", doc(allow("iam:PassRole", role),
                            allow(["lambda:CreateFunction", "lambda:InvokeFunction"],
                                  Condition={"StringEquals": {"aws:SourceVpce": "vpce-1a2b3c4d"}})))
    assert _p04(b, world(b), dev, role)


def test_user_agent_is_the_callers_choice() -> None:
    """A Deny of every client but the console's: the attacker sends the console's header."""
    b, dev, role = _lambda_setup()
    w = _scp_world(b, deny("*", Condition={"StringNotLike": {"aws:UserAgent": "*console.amazonaws.com*"}}))
    assert _p04(b, w, dev, role)


def test_policies_that_test_no_origin_are_asked_once() -> None:
    ps = PolicySet(identity=(parse_policy(doc(allow("*")), PolicyKind.IDENTITY, "all"),))
    assert origins(ps.candidates("lambda:createfunction")) == ((),)


def test_origins_are_one_per_class_the_conditions_tell_apart() -> None:
    p = parse_policy(doc(allow("*", Condition={"IpAddress": {"aws:SourceIp": CORP}})), PolicyKind.IDENTITY, "ip")
    conds = [c for s in p.statements for c in s.conditions]
    assert classes(SOURCE_IP, conds) == ("203.0.113.10", "10.0.0.0")  # outside, inside
    ua = parse_policy(doc(deny("*", Condition={"StringNotLike": {"aws:UserAgent": "Boto3/*"}})),
                      PolicyKind.IDENTITY, "ua")
    assert classes(USER_AGENT, [c for s in ua.statements for c in s.conditions]) == ("aws-cli/2", "Boto3/")
    got = origins(PolicySet(identity=(p,)).candidates("s3:getobject"))
    assert ((SOURCE_IP, "10.0.0.0"),) in got and ((SOURCE_IP, "203.0.113.10"),) in got
    assert any(dict(o).get("aws:SourceVpce") for o in got)  # and through a VPC endpoint


# -- the law: an edge exactly when some origin allows each request of it ----------------------

NETS = ("10.0.0.0/8", "10.1.0.0/16", "192.0.2.0/24", "0.0.0.0/0", "2001:db8::/32", "203.0.113.0/25")
#: every address whose ranges among NETS differ from its neighbours', and a VPC endpoint origin
PROBES = ("9.255.255.255", "10.0.0.0", "10.1.0.5", "10.2.0.0", "11.0.0.0", "192.0.2.7", "203.0.113.200",
          "203.0.113.3", "255.255.255.255", "2001:db8::1", "2001:db9::1", "::1", None)


def _probe(ip: str | None) -> dict[str, str]:
    return {"aws:SourceIp": ip} if ip else {"aws:SourceVpc": "vpc-1", "aws:SourceVpce": "vpce-1"}


_cond = st.tuples(st.sampled_from(("IpAddress", "NotIpAddress", "IpAddressIfExists", "NotIpAddressIfExists")),
                  st.lists(st.sampled_from(NETS), min_size=1, max_size=3, unique=True))


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(("Allow", "Deny")), _cond), min_size=1, max_size=3), st.booleans())
def test_p04_edge_iff_some_origin_allows_each_request(stmts: list, as_scp: bool) -> None:
    b = Builder()
    role = b.role("fn", trust({"Service": "lambda.amazonaws.com"}), attached=(ADMIN,))
    lam = ["lambda:CreateFunction", "lambda:InvokeFunction"]
    conditional = [{"Effect": e, "Action": lam, "Resource": "*", "Condition": {op: {"aws:SourceIp": nets}}}
                   for e, (op, nets) in stmts]
    if as_scp:
        dev = b.user("dev", doc(allow("iam:PassRole", role), allow(lam)))
        full = parse_policy(doc(allow("*")), PolicyKind.SCP, "full")
        scp = parse_policy(doc(allow("iam:*"), *conditional), PolicyKind.SCP, "guardrail")
        w = World(world(b).accounts, scps={ACCT: ((full, scp),)})
    else:
        dev = b.user("dev", doc(allow("iam:PassRole", role), *conditional))
        w = world(b)
    got = _p04(b, w, dev, role)
    fn = f"arn:aws:lambda:us-east-1:{ACCT}:function:f"
    want = all(any(decide(w, dev, a, fn, {"aws:RequestedRegion": "us-east-1", **_probe(ip)}).allowed
                   for ip in PROBES) for a in lam)
    assert got == want, (stmts, as_scp)


def test_probes_cover_every_class_of_the_law() -> None:
    """The law's brute force is complete: its probes meet every class ``classes`` finds."""
    allp = parse_policy(doc(*[allow("*", Condition={"IpAddress": {"aws:SourceIp": n}}) for n in NETS]),
                        PolicyKind.IDENTITY, "all")
    conds = [c for s in allp.statements for c in s.conditions]
    found = {tuple(c._test(v) for c in conds) for v in classes(SOURCE_IP, conds)}
    probed = {tuple(c._test(v) for c in conds) for v in PROBES if v}
    assert found == probed
    assert len(found) >= 6


def test_a_step_says_which_origin_it_needed_in_the_readers_language() -> None:
    """The allow that needed an address says so among the step's reasons (translated)."""
    from iamwarden.analysis import audit
    from iamwarden.i18n import translator
    from iamwarden.report.decision_text import decision_message

    b, dev, role = _lambda_setup()
    b.users[-1]["UserPolicyList"][0]["PolicyDocument"]["Statement"][1]["Condition"] = {
        "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}
    row = next(p for p in audit(world(b)).to_json()["principals"] if p["arn"] == dev)
    said = [s["message"] for s in row["paths"][0]["steps"][0]["statements"] if s["policy_type"] == "request"]
    assert said == ["allowed for a request sent from aws:SourceIp 10.0.0.0"]
    ja = decision_message(said[0], translator("ja"))
    assert "aws:SourceIp 10.0.0.0" in ja and ja != said[0]

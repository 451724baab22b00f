"""The example organization (tests/organization/data) against its expected admins, paths and findings.

Four views of the same accounts: alone, with the organization file, with the
resources file, with both. What changes between them is what the issue asks for:
an SCP that removes a path (dev-intern), an RCP that blocks an outside assume
(vendor → vendor-access), a bucket policy that opens an entry point (prod-data,
prod-site), a KMS key policy granting the account (IW203).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iamwarden.analysis import audit
from iamwarden.loaders.authz_details import load_world
from iamwarden.loaders.organization import load_organization, with_organization
from iamwarden.loaders.resources import load_resources, with_resources
from iamwarden.model.account import World

DATA = Path(__file__).parent / "data"
EXPECTED = json.loads((DATA / "expected.json").read_text())


def view(name: str) -> World:
    w = load_world([DATA / "accounts"])
    if "resources" in name:
        w = with_resources(w, load_resources([DATA / "resources"]))
    if "org" in name:
        w = with_organization(w, load_organization(DATA / "organization.json"))
    return w


@pytest.mark.parametrize("name", [k for k in EXPECTED if not k.startswith("_")])
def test_example_organization_matches_expected(name: str) -> None:
    want = EXPECTED[name]
    r = audit(view(name))
    assert sorted(p.arn for p in r.principals if p.admin) == want["admins"]
    got = {p.arn: [e.technique for e in p.paths[0]] for p in r.principals if p.can_escalate}
    assert got == want["can_escalate"]
    assert sorted([f.id, f.arn] for f in r.findings if f.id.startswith("IW2")) == want["resource_findings"]


def test_the_four_views_differ_as_the_issue_says() -> None:
    plain, org = EXPECTED["accounts"]["can_escalate"], EXPECTED["accounts+org"]["can_escalate"]
    assert set(plain) - set(org) == {"arn:aws:iam::333333333333:user/dev-intern",
                                     "arn:aws:iam::999999999999:user/vendor"}
    both = EXPECTED["accounts+org+resources"]
    assert both["can_escalate"]["arn:aws:iam::999999999999:user/vendor"] == ["R01"]
    assert ["IW201", "arn:aws:s3:::prod-data"] in both["resource_findings"]

"""Text report with an organization and many accounts: per-account summary lines."""

from __future__ import annotations

from pathlib import Path

from iamwarden.analysis import audit
from iamwarden.loaders.authz_details import load_world
from iamwarden.loaders.organization import load_organization, with_organization
from iamwarden.model.account import World
from iamwarden.report.text import MAX_NAMED_ACCOUNTS, render
from tests.analysis.builders import Builder, allow, doc

DATA = Path(__file__).parent / "data"


def test_text_has_one_summary_line_per_account_at_100_accounts() -> None:
    builders = []
    for i in range(100):
        b = Builder(f"{100000000000 + i}")
        b.user("dev", doc(allow("s3:GetObject")))
        builders.append(b)
    w = World({b.account: b.account_obj() for b in builders})
    text = render(audit(w).to_json(), statements=False)
    head = text.splitlines()[0]
    assert head == "iamwarden audit: 100 accounts"
    section = text.split("Accounts:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert len(section) == 100 and all(len(line) < 120 for line in section)
    assert MAX_NAMED_ACCOUNTS < 100


def test_text_groups_accounts_by_ou_with_an_organization() -> None:
    w = with_organization(load_world([DATA / "accounts"]), load_organization(DATA / "organization.json"))
    text = render(audit(w).to_json(), statements=False)
    assert "333333333333  dev in Root/Workloads/Sandbox:" in text
    assert "111111111111  management in Root (management account):" in text
    assert "999999999999  outside the organization:" in text


def test_text_without_org_and_few_accounts_is_unchanged() -> None:
    text = render(audit(load_world([DATA / "accounts"])).to_json(), statements=False)
    assert "Accounts:" not in text


def test_html_has_the_organization_view() -> None:
    from iamwarden.loaders.resources import load_resources, with_resources
    from iamwarden.report.html import render as render_html

    w = with_organization(with_resources(load_world([DATA / "accounts"]), load_resources([DATA / "resources"])),
                          load_organization(DATA / "organization.json"))
    page = render_html(audit(w).to_json())
    section = page.split('<section id="organization">', 1)[1].split("</section>", 1)[0]
    assert "<h3>Root/Workloads/Sandbox</h3>" in section and "333333333333" in section
    assert "Cross-account edges" in section and "R01" in section
    assert "External entry points" in section and "arn:aws:s3:::prod-site" in section
    assert "S3 Block Public Access (RestrictPublicBuckets)" in section


def test_html_without_org_has_no_organization_view() -> None:
    from iamwarden.report.html import render as render_html

    assert 'id="organization"' not in render_html(audit(load_world([DATA / "accounts"])).to_json())


def test_html_organization_view_escapes_names() -> None:
    from iamwarden.report.html_org import organization_section

    out = organization_section({"organization": {"id": "o-1", "accounts": [
        {"id": "1", "name": "<script>x</script>", "ou_path": ["Root"]}]}})
    assert "<script>x" not in out and "&lt;script&gt;" in out

"""``--org FILE`` on audit, check --account, who-can and path (spec §1.8); without it nothing changes."""

from __future__ import annotations

import json
from pathlib import Path

from iamwarden.cli import main

DATA = Path(__file__).parent / "data"
ACCOUNTS = str(DATA / "accounts")
ORG = str(DATA / "organization.json")
INTERN = "arn:aws:iam::333333333333:user/dev-intern"
VENDOR = "arn:aws:iam::999999999999:user/vendor"
VENDOR_ROLE = "arn:aws:iam::222222222222:role/vendor-access"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def escalating(report: dict) -> set[str]:
    return {p["arn"] for p in report["principals"] if p.get("can_escalate")}


def test_audit_with_org_drops_capped_paths(capsys) -> None:
    rc, out, _ = run(capsys, "audit", ACCOUNTS, "--format", "json")
    plain = json.loads(out)
    rc2, out2, _ = run(capsys, "audit", ACCOUNTS, "--org", ORG, "--format", "json")
    capped = json.loads(out2)
    assert rc == rc2 == 0
    assert {INTERN, VENDOR} <= escalating(plain)
    assert not {INTERN, VENDOR} & escalating(capped)


def test_path_with_org_rcp_blocks_outside_assume(capsys) -> None:
    assert run(capsys, "path", VENDOR, VENDOR_ROLE, "--account", ACCOUNTS)[0] == 0
    rc, out, _ = run(capsys, "path", VENDOR, VENDOR_ROLE, "--account", ACCOUNTS, "--org", ORG)
    assert rc == 1 and "no path" in out


def test_who_can_with_org(capsys) -> None:
    argv = ("who-can", "--action", "iam:AttachUserPolicy", "--resource", INTERN, "--account", ACCOUNTS,
            "--format", "json")
    _, out, _ = run(capsys, *argv)
    assert INTERN in {p["arn"] for p in json.loads(out)["principals"]}
    _, out, _ = run(capsys, *argv, "--org", ORG)
    assert INTERN not in {p["arn"] for p in json.loads(out)["principals"]}


def test_check_account_with_org(capsys) -> None:
    argv = ("check", "--account", str(DATA / "accounts" / "dev.json"), "--principal", INTERN,
            "--action", "iam:AttachUserPolicy", "--resource", INTERN)
    assert run(capsys, *argv)[0] == 0
    rc, out, _ = run(capsys, *argv, "--org", ORG)
    assert rc == 1 and "ExplicitDeny" in out and "service control policy" in out


def test_bad_org_file_is_a_usage_error(capsys, tmp_path) -> None:
    bad = tmp_path / "org.json"
    bad.write_text('{"Organization": {"Id": "o-1"}}')
    rc, _, err = run(capsys, "audit", ACCOUNTS, "--org", str(bad))
    assert rc == 2 and "--org" in err and "missing Roots" in err
    rc, _, err = run(capsys, "audit", ACCOUNTS, "--org", str(tmp_path / "missing.json"))
    assert rc == 2 and "cannot read" in err


def test_check_org_needs_account(capsys, tmp_path) -> None:
    case = tmp_path / "c.json"
    case.write_text("{}")
    rc, _, err = run(capsys, "check", "--case", str(case), "--org", ORG)
    assert rc == 2 and "--org and --resources apply to --account" in err


def test_audit_parses_the_org_file_once(capsys, monkeypatch) -> None:
    """The command line checks the file before any account is parsed, and the world takes that parse."""
    from iamwarden.loaders import organization
    from iamwarden.scale import source

    calls: list[str] = []
    real = organization.organization_from_json

    def counted(data, name: str = "<organization>"):
        calls.append(name)
        return real(data, name)

    monkeypatch.setattr(source, "_ORG_CACHE", {})
    monkeypatch.setattr(organization, "organization_from_json", counted)
    rc, out, _ = run(capsys, "audit", ACCOUNTS, "--org", ORG, "--format", "json", "--jobs", "1")
    assert rc == 0 and not {INTERN, VENDOR} & escalating(json.loads(out))
    assert calls == [ORG]


def test_oversized_org_file_is_refused_before_reading(capsys, monkeypatch) -> None:
    from iamwarden.loaders import json_files

    monkeypatch.setattr(json_files, "MAX_FILE_BYTES", 100)
    rc, _, err = run(capsys, "audit", ACCOUNTS, "--org", ORG)
    assert rc == 2 and "--org" in err and "more than the 100" in err

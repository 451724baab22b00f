"""Trust findings and outside entry points in the reports (text, SARIF, HTML)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from iamwarden import load_world
from iamwarden.analysis import audit
from iamwarden.report import html, sarif, text

FED = Path(__file__).resolve().parents[2] / "examples" / "federated-account.json"
GH = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"


def result() -> dict:
    return audit(load_world([str(FED)])).to_json()


def test_sarif_trust_finding_carries_statement_and_corrected_statement() -> None:
    log = sarif.to_sarif(result())
    [res] = [r for r in log["runs"][0]["results"] if r["ruleId"] == "IW008"]
    props = res["properties"]
    assert props["statement"]["policy"] == "role/GitHubDeployAdmin:trust" and props["statement"]["sid"] == "GitHubOidc"
    assert props["outsideIdentity"] == GH and "GitHub Actions" in props["who"]
    assert "token.actions.githubusercontent.com:sub" in json.dumps(props["correctedStatement"])
    assert res["level"] == "error"


def test_sarif_outside_identity_finding_has_its_path_as_code_flow() -> None:
    log = sarif.to_sarif(result())
    flows = [r["codeFlows"] for r in log["runs"][0]["results"]
             if r["ruleId"] == "IW019" and r["properties"]["outsideIdentity"] == GH
             and r["properties"]["principal"].endswith("/GitHubDeployAdmin")]
    [flow] = flows
    [loc] = flow[0]["threadFlows"][0]["locations"]
    assert loc["properties"] == {"technique": "D15", "from": GH,
                                 "to": "arn:aws:iam::123456789012:role/GitHubDeployAdmin"}


def test_html_shows_outside_entry_points_and_escapes_them() -> None:
    r = result()
    page = html.render(r)
    assert "<h2>Outside entry points</h2>" in page and "open to strangers" in page
    assert "Corrected statement" in page and "Who gets in:" in page
    hostile = copy.deepcopy(r)
    hostile["external_entries"][0]["identity"] = '<script>alert("x")</script>'
    hostile["findings"][0]["who"] = "<img src=x onerror=alert(1)>"
    hostile["findings"][0]["corrected"] = {"Sid": "</pre><script>alert(2)</script>"}
    page = html.render(hostile)
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_text_report_without_trust_fields_is_unchanged() -> None:
    """Findings without the new fields (read back from older JSON) render as before."""
    r = result()
    for f in r["findings"]:
        for k in ("statement", "who", "corrected", "outsider"):
            f.pop(k, None)
    r.pop("external_entries")
    out = text.render(r)
    assert "statement:" not in out and "Outside identities" not in out

"""The playground's JSON API over real HTTP, without a browser (issue 14 item 1).

Every answer is the library's: the tests compare it with the engine and with
``audit`` rather than with stored answers; bad input is a 4xx naming the field.
"""

from __future__ import annotations

import http.client
import json
from datetime import UTC, datetime

import pytest

from iamwarden.analysis import audit
from iamwarden.evaluation import decide
from iamwarden.loaders.authz_details import load_world
from iamwarden.sts.explain import explain_assume_role
from iamwarden.web.api import MAX_BODY, Playground, text_cap
from iamwarden.web.cases import BY_KEY, CASES
from iamwarden.web.sandbox import Edits, build_world
from iamwarden.web.server import NotLoopback, bind, loopback_only

from .conftest import DEMO

pytestmark = pytest.mark.e2e


def _case(key: str, **changes: str) -> dict[str, str]:
    body = {k: v for k, v in BY_KEY[key].to_json().items() if k in ("caller", "role", "identity", "trust", "permissions")}
    return {**body, **changes, "lang": "en"}


# -- the classic cases, decided by the engine -------------------------------------------------------


#: what each case teaches (spec §1.6): (allowed, caller side, trust side)
TEACHES = {
    "both-allow": (True, "allow", "allow"),
    "only-caller": (False, "allow", "deny"),
    "trust-names-user": (True, "not-needed", "allow"),
    "trust-names-account": (False, "deny", "allow"),
    "cross-account": (False, "deny", "allow"),
    "admin-role": (True, "allow", "allow"),
}


def test_every_classic_case_is_listed(bare_playground):
    status, body = bare_playground.request("GET", "/api/cases")
    assert status == 200
    assert [c["key"] for c in body["cases"]] == list(TEACHES)


@pytest.mark.parametrize("key", list(TEACHES))
def test_classic_case_teaches_its_rule(bare_playground, key):
    status, body = bare_playground.post("/api/explain", _case(key))
    assert status == 200 and body["decided"]
    e = body["explanation"]
    allowed, caller_state, trust_state = TEACHES[key]
    assert (e["allowed"], e["sides"]["caller"]["state"], e["sides"]["trust"]["state"]) == TEACHES[key]
    assert e["outcome"] == ("Allowed" if allowed else "AccessDenied")
    assert body["svg"].lstrip().startswith(("<?xml", "<svg")) and BY_KEY[key].role.rsplit("/")[-1] in body["svg"]
    # the verdict is the engine's: the same world asked through `check`'s decide() agrees
    c = BY_KEY[key]
    world = build_world(Edits(c.caller, c.role, c.identity, c.trust, c.permissions))
    assert decide(world, c.caller, "sts:AssumeRole", c.role).allowed is allowed
    assert bool(e["what_would_change_the_answer"]) is not allowed


def test_admin_role_danger_is_flagged_only_for_admin_credentials(bare_playground):
    _, danger = bare_playground.post("/api/explain", _case("admin-role"))
    _, safe = bare_playground.post("/api/explain", _case("both-allow"))
    assert danger["role_is_admin"] is True and safe["role_is_admin"] is False


def test_editing_a_policy_changes_the_verdict(bare_playground):
    _, before = bare_playground.post("/api/explain", _case("trust-names-account"))
    fixed = _case("trust-names-account", identity=BY_KEY["both-allow"].identity)
    _, after = bare_playground.post("/api/explain", fixed)
    assert before["explanation"]["allowed"] is False and after["explanation"]["allowed"] is True
    assert before["svg"] != after["svg"]


def test_an_explicit_deny_in_the_identity_policy_wins(bare_playground):
    deny = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"}]})
    _, body = bare_playground.post("/api/explain", _case("trust-names-user", identity=deny))
    e = body["explanation"]
    assert e["allowed"] is False and e["sides"]["caller"]["explicit_deny"] is True
    assert "explicit Deny" in e["rule"]


def test_empty_identity_policy_means_none(bare_playground):
    _, body = bare_playground.post("/api/explain", _case("trust-names-account", identity=""))
    assert body["decided"] and body["explanation"]["allowed"] is False
    assert body["findings"]["identity"] == []


# -- validation findings with their positions ------------------------------------------------------------


def _line_col(text: str, needle: str) -> tuple[int, int]:
    i = text.index(needle)
    return text.count("\n", 0, i) + 1, i - (text.rfind("\n", 0, i) + 1) + 1


def test_a_finding_carries_the_line_and_column_of_its_value(bare_playground):
    doc = ('{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Allow",\n'
           '      "Action": "s3:GetObjekt",\n      "Resource": "*"\n    }\n  ]\n}\n')
    status, body = bare_playground.post("/api/validate", {"document": "identity", "text": doc})
    assert status == 200
    f = next(f for f in body["findings"] if f["path"] == "$.Statement[0].Action")
    assert (f["line"], f["column"]) == _line_col(doc, '"s3:GetObjekt"') == (6, 17)


def test_a_syntax_error_leaves_the_case_undecided_and_points_at_the_error(bare_playground):
    broken = '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow" "Action": "*"}\n  ]\n}\n'
    status, body = bare_playground.post("/api/explain", _case("both-allow", trust=broken))
    assert status == 200 and body["decided"] is False and body["undecided"]["documents"] == ["trust"]
    errors = [f for f in body["findings"]["trust"] if f["type"] == "ERROR"]
    assert errors and errors[0]["line"] == 4
    assert "explanation" not in body  # no verdict is made up for a document that does not parse


def test_a_misspelt_effect_is_an_error_at_the_effect(bare_playground):
    doc = _case("both-allow")["identity"].replace('"Effect": "Allow"', '"Effect": "Alow"')
    _, body = bare_playground.post("/api/explain", _case("both-allow", identity=doc))
    f = next(f for f in body["findings"]["identity"] if f["code"] == "INVALID_EFFECT")
    assert (f["line"], f["column"]) == _line_col(doc, '"Alow"')
    assert body["decided"] is False


# -- bad input is a 4xx with a clear message ------------------------------------------------------------


def test_body_that_is_not_json_is_400_with_its_position(bare_playground):
    status, body = bare_playground.request("POST", "/api/explain", raw=b'{"caller": ')
    assert status == 400 and body["error"]["field"] == "body"
    assert "not JSON" in body["error"]["message"] and "line 1 column" in body["error"]["message"]


def test_body_that_is_not_an_object_is_400(bare_playground):
    status, body = bare_playground.post("/api/explain", ["caller"])
    assert status == 400 and body["error"]["message"] == "expected a JSON object"


@pytest.mark.parametrize("field", ["caller", "role"])
def test_missing_arn_is_400_naming_the_field(bare_playground, field):
    body = _case("both-allow")
    del body[field]
    status, answer = bare_playground.post("/api/explain", body)
    assert status == 400 and answer["error"] == {"code": "ValidationError", "field": field, "message": "missing"}


def test_field_of_the_wrong_type_is_400(bare_playground):
    status, answer = bare_playground.post("/api/explain", _case("both-allow") | {"trust": {"Version": "x"}})
    assert status == 400 and answer["error"]["field"] == "trust" and "expected a string" in answer["error"]["message"]


@pytest.mark.parametrize(("field", "value", "words"), [
    ("caller", "alice", "not an ARN"),
    ("caller", "arn:aws:s3:::bucket", "12-digit account"),
    ("caller", "arn:aws:iam::111111111111:group/devs", "expected a user, role"),
    ("role", "arn:aws:iam::111111111111:user/bob", "expected a role ARN"),
    ("lang", "fr", "expected one of en, ja"),
    ("mode", "everything", "expected sandbox or account"),
    ("trust", "   ", "cannot be empty"),
])
def test_bad_value_is_400_naming_the_field(bare_playground, field, value, words):
    status, answer = bare_playground.post("/api/explain", _case("both-allow") | {field: value})
    assert status == 400, answer
    assert answer["error"]["field"] == field and words in answer["error"]["message"]


def test_account_mode_without_an_account_is_400(bare_playground):
    status, answer = bare_playground.post("/api/explain", _case("both-allow") | {"mode": "account"})
    assert status == 400 and "--account" in answer["error"]["message"]


def test_oversize_body_is_413_before_it_is_read(bare_playground):
    status, answer = bare_playground.request("POST", "/api/explain", raw=b" " * (MAX_BODY + 1))
    assert status == 413 and answer["error"]["code"] == "RequestTooLarge"


def test_oversize_streamed_body_is_413(bare_playground):
    conn = http.client.HTTPConnection("127.0.0.1", bare_playground.port, timeout=60)
    chunks = (b" " * 65536 for _ in range(MAX_BODY // 65536 + 2))  # chunked: no Content-Length
    conn.request("POST", "/api/explain", body=chunks, headers={"Content-Type": "application/json"},
                 encode_chunked=True)
    resp = conn.getresponse()
    assert resp.status == 413
    conn.close()


def test_document_over_its_cap_is_413_naming_it(bare_playground):
    big = " " * (text_cap("trust") + 1)
    status, answer = bare_playground.post("/api/explain", _case("both-allow") | {"trust": big})
    assert status == 413 and answer["error"]["field"] == "trust" and "ACLSizePerRole" in answer["error"]["message"]


def test_policy_over_its_quota_is_a_finding_not_a_refusal(bare_playground):
    # over the 2,048-character trust quota (white space not counted) but under the playground's cap
    statements = [{"Sid": f"S{i}", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:user/alice"},
                   "Action": "sts:AssumeRole"} for i in range(40)]
    trust = json.dumps({"Version": "2012-10-17", "Statement": statements}, indent=2)
    assert len(trust) < text_cap("trust")
    status, body = bare_playground.post("/api/explain", _case("trust-names-user", trust=trust))
    assert status == 200 and body["decided"] and body["explanation"]["allowed"] is True
    size = [f for f in body["findings"]["trust"] if f["code"] == "POLICY_SIZE_EXCEEDED"]
    assert size and "2,048" in size[0]["message"] and (size[0]["line"], size[0]["column"]) == (1, 1)


def test_post_must_be_json(bare_playground):
    status, answer = bare_playground.request("POST", "/api/explain", raw=b"caller=x",
                                             headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 415 and answer["error"]["field"] == "Content-Type"


def test_host_must_be_the_loopback_address(bare_playground):
    status, answer = bare_playground.request("GET", "/api/cases", headers={"Host": f"evil.example:{bare_playground.port}"})
    assert status == 421 and answer["error"]["field"] == "Host"
    status, _ = bare_playground.request("GET", "/api/cases", headers={"Host": f"localhost:{bare_playground.port}"})
    assert status == 200


def test_unknown_paths_and_methods(bare_playground):
    assert bare_playground.request("GET", "/assets/../api.py")[0] == 404
    assert bare_playground.request("GET", "/etc/passwd")[0] == 404
    assert bare_playground.request("GET", "/api/explain")[0] == 405
    assert bare_playground.request("DELETE", "/api/cases")[0] == 405


def test_answers_forbid_loading_anything_from_elsewhere(bare_playground):
    conn = http.client.HTTPConnection("127.0.0.1", bare_playground.port, timeout=30)
    conn.request("GET", "/")
    resp = conn.getresponse()
    page = resp.read().decode()
    assert resp.status == 200 and "<textarea" in page
    csp = resp.getheader("Content-Security-Policy") or ""
    assert "default-src 'none'" in csp and "connect-src 'self'" in csp
    assert resp.getheader("X-Content-Type-Options") == "nosniff"
    assert "http://" not in page and "https://" not in page  # everything bundled: no CDN


# -- loopback only -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.0.0.1", "192.168.1.2", "example.com", ""])
def test_non_loopback_bind_is_refused(host):
    with pytest.raises(NotLoopback):
        bind(0, host)


@pytest.mark.parametrize(("host", "address"), [("127.0.0.1", "127.0.0.1"), ("localhost", "127.0.0.1"),
                                               ("127.0.0.2", "127.0.0.2"), ("::1", "::1")])
def test_loopback_addresses_are_accepted(host, address):
    assert loopback_only(host) == address


# -- the loaded account -----------------------------------------------------------------------------------


def test_account_lists_its_callers_and_roles(playground):
    _, body = playground.request("GET", "/api/account")
    world = load_world([DEMO])
    assert body["loaded"] and body["callers"] == [p.arn for _, p in world.principals()]
    assert set(body["roles"]) == {r.arn for a in world.accounts.values() for r in a.roles.values()}


def test_picked_documents_decide_as_explain_does_on_the_account(playground):
    """Every caller × role of the demo account: picked into the editors, unchanged, the verdict is
    ``iamwarden explain``'s on the account itself (one merged identity document is the same union)."""
    world = load_world([DEMO])
    _, acct = playground.request("GET", "/api/account")
    now = datetime.now(UTC)
    for caller in acct["callers"]:
        for role in acct["roles"]:
            if caller == role:
                continue
            status, docs = playground.post("/api/pick", {"caller": caller, "role": role})
            assert status == 200
            _, got = playground.post("/api/explain", {**docs, "mode": "account", "lang": "en"})
            want = explain_assume_role(world, caller, {"RoleArn": role, "RoleSessionName": "s1"}, now)
            assert got["explanation"]["allowed"] is want.allowed, (caller, role)
            assert got["explanation"]["rule"] == want.rule, (caller, role)


def test_pick_of_an_unknown_entity_is_404(playground):
    status, answer = playground.post("/api/pick", {"caller": "arn:aws:iam::111122223333:user/nobody",
                                                   "role": "arn:aws:iam::111122223333:role/AdminRole"})
    assert status == 404 and answer["error"]["field"] == "caller"


def test_admin_view_is_the_audit(playground):
    _, body = playground.post("/api/admin", {"lang": "en"})
    result = audit(load_world([DEMO])).to_json()
    assert [a["arn"] for a in body["admins"]] == [p["arn"] for p in result["principals"] if p["admin"]]
    assert [e["arn"] for e in body["escalations"]] == [p["arn"] for p in result["principals"] if p["can_escalate"]]
    assert body["escalations"] and all(e["paths"] for e in body["escalations"])


def test_admin_view_without_an_account_says_so(bare_playground):
    _, body = bare_playground.post("/api/admin", {"lang": "en"})
    assert body == {"loaded": False, "admins": [], "escalations": []}


def test_an_assume_role_hop_is_explained_like_explain(playground):
    _, admin = playground.post("/api/admin", {"lang": "en"})
    step = next(s for e in admin["escalations"] for p in e["paths"] for s in p["steps"] if s["technique"] == "D15")
    status, hop = playground.post("/api/hop", {"from": step["from"], "to": step["to"], "technique": "D15"})
    assert status == 200 and hop["explained"] and hop["explanation"]["allowed"] is True
    assert hop["explanation"]["role"]["arn"] == step["to"] and "<svg" in hop["svg"]


def test_a_hop_not_on_any_path_is_404(playground):
    status, answer = playground.post("/api/hop", {"from": "arn:aws:iam::111122223333:user/bob",
                                                  "to": "arn:aws:iam::111122223333:role/Nope", "technique": "D15"})
    assert status == 404


# -- the language goes through to the library ----------------------------------------------------------------


def test_the_verdict_is_in_the_requested_language():
    """The library's sentences (rule, sides, text, picture) follow ``lang``, the decision does not."""
    api = Playground()
    en = api.explain(_case("trust-names-user"))
    ja = api.explain({**_case("trust-names-user"), "lang": "ja"})
    assert en["explanation"]["outcome"] == ja["explanation"]["outcome"] == "Allowed"
    assert en["explanation"]["rule"].startswith("same account")
    assert "同一アカウント" in ja["explanation"]["rule"]
    assert "信頼ポリシー" in ja["explanation"]["sides"]["trust"]["summary"]
    assert "適用されたルール" in ja["text"] and "信頼ポリシー" in (ja["svg"] or "")


def test_validation_findings_are_in_the_requested_language():
    bad = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "*"}]}'
    api = Playground()
    (en,) = api.validate({"document": "identity", "text": bad, "lang": "en"})["findings"]
    (ja,) = api.validate({"document": "identity", "text": bad, "lang": "ja"})["findings"]
    assert (en["code"], en["line"], en["column"]) == (ja["code"], ja["line"], ja["column"])
    assert "is not an action of s3" in en["message"] and "アクションではありません" in ja["message"]


def test_admin_paths_are_in_the_requested_language():
    api = Playground(load_world([DEMO]))
    step_en = api.admin({"lang": "en"})["escalations"][0]["paths"][0]["steps"][0]
    step_ja = api.admin({"lang": "ja"})["escalations"][0]["paths"][0]["steps"][0]
    assert {k: step_en[k] for k in ("from", "to", "technique")} == {k: step_ja[k] for k in ("from", "to", "technique")}
    assert step_en["reason"] != step_ja["reason"] and step_en["technique_name"] != step_ja["technique_name"]
    assert all(ord(ch) < 128 for ch in step_en["reason"])
    hop = api.hop({"from": step_ja["from"], "to": step_ja["to"], "technique": step_ja["technique"], "lang": "ja"})
    assert hop["step"] == step_ja


def test_playground_without_a_clock_argument_uses_now():
    before = datetime.now(UTC)
    assert before <= Playground().clock() <= datetime.now(UTC)


def test_every_case_builds_a_world_with_its_caller_and_role():
    for c in CASES:
        world = build_world(Edits(c.caller, c.role, c.identity, c.trust, c.permissions))
        assert world.entity(c.caller) is not None and world.entity(c.role) is not None


# -- without Graphviz ------------------------------------------------------------------------------


def test_without_graphviz_the_verdict_stands_and_the_picture_names_the_missing_program(bare_playground, monkeypatch):
    """No ``dot`` on PATH: the answer is still the engine's, with ``svg`` null and the reason, not a 500."""
    monkeypatch.setenv("PATH", "/nonexistent")  # the server thread runs in this process: graphviz finds no dot
    status, body = bare_playground.post("/api/explain", _case("both-allow"))
    assert status == 200 and body["decided"] and body["explanation"]["allowed"] is True
    assert body["svg"] is None
    assert "Graphviz" in body["picture_error"] and "dot" in body["picture_error"]


def test_with_graphviz_there_is_a_picture_and_no_error(bare_playground):
    status, body = bare_playground.post("/api/explain", _case("both-allow"))
    assert status == 200 and body["svg"].lstrip().startswith(("<?xml", "<svg"))
    assert body["picture_error"] is None

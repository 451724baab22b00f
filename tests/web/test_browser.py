"""The playground in a real headless Chromium (issue 14 item 1): load, cases, live edits, findings in
the editor, share links, the language switch, the admin view, and nothing fetched from elsewhere."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from iamwarden.web.cases import BY_KEY, CASES

from .browser import launch

pytestmark = pytest.mark.e2e

OUTCOME = {"both-allow": "Allowed", "only-caller": "AccessDenied", "trust-names-user": "Allowed",
           "trust-names-account": "AccessDenied", "cross-account": "AccessDenied", "admin-role": "Allowed"}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


@pytest.fixture
def page(browser, playground) -> Iterator[Page]:
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-US")
    pg = ctx.new_page()
    pg.set_default_timeout(30_000)
    pg.errors = []  # type: ignore[attr-defined]
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))  # type: ignore[attr-defined]
    pg.goto(playground.url)
    pg.wait_for_selector("body[data-ready=true]")
    yield pg
    assert not pg.errors  # type: ignore[attr-defined]
    ctx.close()


def outcome(page: Page, value: str) -> None:
    expect(page.locator("#verdict")).to_have_attribute("data-outcome", value)


def test_page_loads_with_the_first_case_decided(page):
    outcome(page, OUTCOME[CASES[0].key])
    expect(page.locator("#verdict")).to_have_attribute("aria-live", "polite")
    expect(page.locator(f'[data-case="{CASES[0].key}"]')).to_have_attribute("aria-pressed", "true")
    assert page.input_value("#doc-trust") == BY_KEY[CASES[0].key].trust


@pytest.mark.parametrize("key", list(OUTCOME))
def test_each_classic_case_shows_its_verdict(page, key):
    page.click(f'[data-case="{key}"]')
    outcome(page, OUTCOME[key])
    assert page.input_value("#doc-identity") == BY_KEY[key].identity
    word = "Allowed" if OUTCOME[key] == "Allowed" else "Denied"
    expect(page.locator("#verdict .word")).to_have_text(word)
    expect(page.locator("#picture")).to_have_attribute("src", re.compile(r"^blob:"))


def test_admin_role_case_warns_that_the_credentials_are_admin(page):
    page.click('[data-case="admin-role"]')
    outcome(page, "Allowed")
    expect(page.locator("#danger")).to_contain_text("administrator")
    page.click('[data-case="both-allow"]')
    outcome(page, "Allowed")
    expect(page.locator("#danger")).to_have_count(0)


def test_editing_a_policy_changes_the_verdict_and_the_picture(page):
    page.click('[data-case="trust-names-account"]')
    outcome(page, "AccessDenied")
    expect(page.locator("#side-caller")).to_have_attribute("data-state", "deny")
    picture_before = page.get_attribute("#picture", "src")
    alt_before = page.get_attribute("#picture", "alt") or ""
    assert "delegates to your own policies" in alt_before  # the picture's text alternative says the rule
    page.fill("#doc-identity", BY_KEY["both-allow"].identity)  # now alice's own policy allows it
    outcome(page, "Allowed")
    expect(page.locator("#side-caller")).to_have_attribute("data-state", "allow")
    assert page.get_attribute("#picture", "src") != picture_before
    expect(page.locator("#picture")).to_have_attribute("alt", re.compile("they allow it"))
    page.wait_for_function("document.getElementById('picture').complete")
    assert page.evaluate("document.getElementById('picture').naturalWidth") > 300  # the SVG was drawn


def test_typing_decides_live(page):
    page.click('[data-case="trust-names-user"]')
    outcome(page, "Allowed")
    page.locator("#doc-trust").focus()
    page.keyboard.press("Control+End")
    text = page.input_value("#doc-trust").replace("user/alice", "user/bob")
    page.fill("#doc-trust", "")
    page.keyboard.type(text, delay=0)
    outcome(page, "AccessDenied")
    expect(page.locator("#side-trust")).to_have_attribute("data-state", "deny")


def test_a_validation_finding_is_shown_at_its_position(page):
    page.click('[data-case="both-allow"]')
    outcome(page, "Allowed")
    doc = BY_KEY["both-allow"].identity.replace('"Effect": "Allow"', '"Effect": "Alow"')
    page.fill("#doc-identity", doc)
    outcome(page, "undecided")
    line = doc[: doc.index('"Alow"')].count("\n") + 1
    column = doc.index('"Alow"') - (doc.rfind("\n", 0, doc.index('"Alow"')) + 1) + 1
    finding = page.locator("#findings-identity li.type-ERROR button").filter(has_text="INVALID_EFFECT")
    expect(finding).to_have_attribute("data-line", str(line))
    expect(finding).to_have_attribute("data-column", str(column))
    expect(finding).to_contain_text(f"line {line}, column {column}")
    expect(page.locator('.editor[data-doc="identity"] .gutter .bad')).to_have_text(str(line))
    expect(page.locator("#doc-identity")).to_have_attribute("aria-invalid", "true")
    finding.click()  # puts the caret on the value
    assert page.evaluate("document.activeElement.id") == "doc-identity"
    assert page.evaluate("document.getElementById('doc-identity').selectionStart") == doc.index('"Alow"')


def test_the_share_link_round_trips(page, browser, playground):
    page.click('[data-case="trust-names-account"]')
    outcome(page, "AccessDenied")
    edited = BY_KEY["trust-names-account"].identity.replace("s3:ListAllMyBuckets", "sts:AssumeRole")
    page.fill("#doc-identity", edited)
    outcome(page, "Allowed")
    page.click("#share")
    link = page.input_value("#share-link")
    assert link.startswith(playground.url + "#case=")
    assert page.evaluate("location.hash") == link[len(playground.url):]
    other = browser.new_page()
    requests: list[str] = []
    other.on("request", lambda r: requests.append(r.url))
    other.goto(link)
    other.wait_for_selector("body[data-ready=true]")
    expect(other.locator("#verdict")).to_have_attribute("data-outcome", "Allowed", timeout=30_000)
    for field in ("#caller", "#role", "#doc-identity", "#doc-trust", "#doc-permissions"):
        assert other.input_value(field) == page.input_value(field), field
    assert not any("#" in r or "case=" in r for r in requests)  # the fragment never reaches the server
    other.close()


def test_switching_the_language_switches_the_labels(page):
    outcome(page, "Allowed")
    expect(page.locator('label[for="doc-trust"]')).to_have_text("Role's trust policy")
    page.select_option("#lang", "ja")
    expect(page.locator('label[for="doc-trust"]')).to_have_text("ロールの信頼ポリシー")
    expect(page.locator('label[for="doc-identity"]')).to_contain_text("アイデンティティベースのポリシー")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.locator("#verdict .word")).to_have_text("許可")
    expect(page.locator('[data-case="admin-role"] .title')).to_have_text("AdminRole の危険")
    # the library's sentences too, not only the page's labels: the rule, each side, the picture
    expect(page.locator("#verdict .rule")).to_contain_text("同一アカウント")
    expect(page.locator("#side-trust p").first).to_contain_text("信頼ポリシー")
    expect(page.locator("#picture")).to_have_attribute("alt", re.compile("同一アカウント"))
    page.select_option("#lang", "en")
    expect(page.locator('label[for="doc-trust"]')).to_have_text("Role's trust policy")


def test_the_admin_view_explains_each_hop_of_a_path(page):
    page.click("#tab-admin")
    expect(page.locator("#view-admin")).to_be_visible()
    expect(page.locator("#view-play")).to_be_hidden()
    path = page.locator('#admin-paths button.path[data-from="arn:aws:iam::111122223333:user/alice"]').first
    path.click()
    expect(path).to_have_attribute("aria-pressed", "true")
    hop = page.locator("#admin-hops .hop").first
    expect(hop).to_contain_text("AdminRole")
    expect(hop.locator("img")).to_have_attribute("src", re.compile(r"^blob:"))
    expect(hop.locator(".rule")).to_contain_text("same account")


def test_the_admin_view_follows_the_language_switch(page):
    page.click("#tab-admin")
    path = page.locator('#admin-paths button.path[data-from="arn:aws:iam::111122223333:user/alice"]').first
    expect(path).to_contain_text("Assume")
    page.select_option("#lang", "ja")
    path = page.locator('#admin-paths button.path[data-from="arn:aws:iam::111122223333:user/alice"]').first
    expect(path).to_contain_text("ロールを引き受ける")
    path.click()
    hop = page.locator("#admin-hops .hop").first
    expect(hop).to_contain_text("引き受けられます")
    expect(hop.locator(".rule")).to_contain_text("同一アカウント")


def test_pick_a_caller_and_a_role_from_the_account(page):
    page.select_option("#pick-caller", "arn:aws:iam::111122223333:user/alice")
    page.select_option("#pick-role", "arn:aws:iam::111122223333:role/AdminRole")
    page.click("#pick-load")
    expect(page.locator("#role")).to_have_value("arn:aws:iam::111122223333:role/AdminRole")
    outcome(page, "Allowed")
    expect(page.locator("#danger")).to_be_visible()


def test_every_control_has_a_label_and_the_keyboard_reaches_the_editors(page):
    for control in page.locator("textarea, input, select").all():
        cid = control.get_attribute("id")
        assert page.locator(f'label[for="{cid}"]').count() == 1, cid
    seen = []
    for _ in range(40):
        page.keyboard.press("Tab")
        seen.append(page.evaluate("document.activeElement.id || document.activeElement.dataset.case || ''"))
    order = [x for x in seen if x in ("lang", "caller", "role", "doc-identity", "doc-trust", "doc-permissions")]
    assert order[:6] == ["lang", "caller", "role", "doc-identity", "doc-trust", "doc-permissions"]


def test_the_editors_stack_on_a_narrow_screen(browser, playground):
    pg = browser.new_page(viewport={"width": 420, "height": 900})
    pg.goto(playground.url)
    pg.wait_for_selector("body[data-ready=true]")
    boxes = [pg.locator(f"#doc-{d}").bounding_box() for d in ("identity", "trust", "permissions")]
    assert boxes[0]["x"] == boxes[1]["x"] == boxes[2]["x"] and boxes[0]["y"] < boxes[1]["y"] < boxes[2]["y"]
    assert pg.evaluate("document.documentElement.scrollWidth") <= 420
    pg.close()


def test_nothing_is_fetched_from_anywhere_but_the_playground(browser, playground):
    pg = browser.new_page()
    urls: list[str] = []
    pg.on("request", lambda r: urls.append(r.url))
    pg.goto(playground.url)
    pg.wait_for_selector("body[data-ready=true]")
    pg.click('[data-case="admin-role"]')
    expect(pg.locator("#verdict")).to_have_attribute("data-outcome", "Allowed")
    assert urls and all(u.startswith((playground.url, "blob:", "data:")) for u in urls), urls
    pg.close()

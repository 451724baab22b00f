"""Regenerate the playground screenshots of docs/playground.md (docs/images/playground-*.png).

    .venv/bin/python scripts/screenshots.py [OUT_DIR]

Starts the playground with the bundled demo account on a free loopback port,
drives the system Chromium (/usr/bin/chromium) with Playwright — no browser
download — and writes one picture per view. Progress on a terminal, quiet
when piped.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

from iamwarden.loaders.authz_details import load_world
from iamwarden.web.api import Playground
from iamwarden.web.server import bind, make_server, url

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def say(text: str) -> None:
    if sys.stderr.isatty():
        print(text, file=sys.stderr)


def _ready(page: Page, outcome: str) -> None:
    expect(page.locator("#verdict")).to_have_attribute("data-outcome", outcome, timeout=30_000)
    page.wait_for_function("document.getElementById('picture').complete")


def shots(base: str, out: Path) -> list[Path]:
    written = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="en-US")
        page.goto(base)
        page.wait_for_selector("body[data-ready=true]")

        def snap(name: str, full: bool = True) -> None:
            path = out / f"playground-{name}.png"
            page.screenshot(path=str(path), full_page=full)
            written.append(path)
            say(f"wrote {path}")

        for key, outcome in (("trust-names-account", "AccessDenied"), ("admin-role", "Allowed")):
            page.click(f'[data-case="{key}"]')
            _ready(page, outcome)
            snap(key)
        page.click('[data-case="both-allow"]')
        _ready(page, "Allowed")
        doc = page.input_value("#doc-identity").replace('"Effect": "Allow"', '"Effect": "Alow"')
        page.fill("#doc-identity", doc)
        expect(page.locator("#verdict")).to_have_attribute("data-outcome", "undecided", timeout=30_000)
        page.locator(".editors").scroll_into_view_if_needed()
        snap("finding", full=False)
        page.click('[data-case="trust-names-user"]')
        _ready(page, "Allowed")
        page.select_option("#lang", "ja")
        expect(page.locator('label[for="doc-trust"]')).to_have_text("ロールの信頼ポリシー")
        expect(page.locator("#verdict .rule")).to_contain_text("同一アカウント", timeout=30_000)  # the answer, redrawn
        page.wait_for_function("document.getElementById('picture').complete")
        snap("ja")
        page.select_option("#lang", "en")
        page.click("#tab-admin")
        page.locator('#admin-paths button.path[data-from="arn:aws:iam::111122223333:user/alice"]').first.click()
        expect(page.locator("#admin-hops .hop img").first).to_be_visible(timeout=30_000)
        page.wait_for_function("[...document.querySelectorAll('#admin-hops img')].every(i => i.complete)")
        snap("admin")
        browser.close()
    return written


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else REPO / "docs" / "images"
    out.mkdir(parents=True, exist_ok=True)
    sock = bind(0)
    server = make_server(Playground(load_world([REPO / "examples" / "demo-account.json"]),
                                    ("examples/demo-account.json",)), sock)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    try:
        shots(url(sock), out)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

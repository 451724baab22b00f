"""Headless Chromium for the HTML report: find it, screenshot a page, dump its DOM.

Also a small command to regenerate the docs screenshot::

    .venv/bin/python -m tests.report.chromium docs/images/audit-report.png [report.html]

(without a report file it renders tests/report/sample_result.json).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars")


def find_chromium() -> str | None:
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def _run(extra: list[str], url: str, timeout: float = 90) -> subprocess.CompletedProcess[str]:
    exe = find_chromium()
    if exe is None:
        raise FileNotFoundError("chromium not found (Debian: apt-get install -y chromium)")
    with tempfile.TemporaryDirectory(prefix="iamwarden-chromium-") as profile:
        return subprocess.run(
            [exe, *FLAGS, f"--user-data-dir={profile}", *extra, url],
            capture_output=True, text=True, timeout=timeout, check=False,
            stdin=subprocess.DEVNULL,
        )


def screenshot(page: Path, out: Path, fragment: str = "", size: str = "1400,1000") -> None:
    proc = _run([f"--screenshot={out}", f"--window-size={size}", "--virtual-time-budget=3000"],
                page.resolve().as_uri() + fragment)
    if not out.is_file():
        raise RuntimeError(f"chromium wrote no screenshot (exit {proc.returncode}): "
                           f"{proc.stderr[-2000:]}")


def dump_dom(page: Path, fragment: str = "") -> str:
    proc = _run(["--dump-dom", "--virtual-time-budget=3000", "--window-size=1400,1000"],
                page.resolve().as_uri() + fragment)
    if proc.returncode != 0 or not proc.stdout:
        raise RuntimeError(f"chromium --dump-dom failed (exit {proc.returncode}): "
                           f"{proc.stderr[-2000:]}")
    return proc.stdout


def main(argv: list[str]) -> int:
    import json

    from iamwarden.report import html

    out = Path(argv[0]) if argv else Path("docs/images/audit-report.png")
    if len(argv) > 1:
        page = Path(argv[1])
    else:
        sample = json.loads(Path(__file__).with_name("sample_result.json").read_text("utf-8"))
        page = Path(tempfile.mkdtemp(prefix="iamwarden-report-")) / "report.html"
        page.write_text(html.render(sample), encoding="utf-8")
    out.parent.mkdir(parents=True, exist_ok=True)
    screenshot(page, out, fragment=argv[2] if len(argv) > 2 else "#selftest")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

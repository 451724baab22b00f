"""``iamwarden audit`` imports what an audit needs and nothing else.

Import time is part of every audit's wall time (a third of it for a 1,000-principal
account): the command line loads only the module of the command it runs, and reading
an account file without SAML providers does not load the STS package (JWT,
cryptography, XML signatures). Files with SAML providers: tests/loaders/test_saml_providers.py.
"""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import CONFORMANCE
from tests.conftest import REPO as ROOT

#: modules an audit of an account file never needs
HEAVY = ("iamwarden.sts", "iamwarden.server", "iamwarden.plan", "iamwarden.diff", "jwt", "lxml", "signxml",
         "cryptography", "graphviz", "jinja2", "z3")

PROBE = r"""
import json, sys
from iamwarden.cli import main
rc = main(sys.argv[1:])
print(json.dumps({"rc": rc, "loaded": sorted(m for m in %r if m in sys.modules)}), file=sys.stderr)
""" % (HEAVY,)


def _loaded(*argv: str) -> tuple[int, list[str]]:
    p = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, cwd=ROOT, timeout=120)
    last = json.loads(p.stderr.strip().splitlines()[-1])
    return last["rc"], last["loaded"]


def test_audit_json_imports_no_sts_server_or_renderers() -> None:
    rc, loaded = _loaded("audit", "--format", "json", "--output", "/dev/null",
                         str(ROOT / "examples" / "demo-account.json"))
    assert rc == 0 and loaded == []


def test_audit_text_of_a_conformance_account_imports_none_either() -> None:
    rc, loaded = _loaded("audit", "--output", "/dev/null",
                         str(CONFORMANCE / "accounts" / "chain-user-roleA-roleB-admin.json"))
    assert rc == 0 and loaded == []


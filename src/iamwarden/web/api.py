"""The playground's JSON actions: each reads a request body, asks the library, answers JSON.

Nothing here decides: the verdict and the picture are ``sts.explain`` and
``report.explain`` (what ``iamwarden explain`` prints), the findings are
``policy.validation`` (``iamwarden validate``), the admin view is
``analysis.audit`` (``iamwarden audit``). Bad input raises :class:`ApiError`
with the HTTP status and the field it is about; the app turns it into a 4xx.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Callable

from ..analysis import audit
from ..i18n import Translator, translator
from ..model.account import Account, Role, User, World
from ..policy import quotas
from ..policy.document import PolicyKind
from ..policy.errors import PolicySyntaxError
from ..policy.validation import ERROR, validate_policy
from ..report.explain import render_svg, render_text
from ..report.text import step_in
from ..sts.caller import UnknownCaller
from ..sts.errors import StsError
from ..sts.explain import explain_assume_role
from ..sts.params import default_session_name
from .cases import CASES
from .positions import locate, value_positions
from .sandbox import Edits, SandboxError, build_world, document_text, entity_of, merged_identity

#: the page's languages: every answer's sentences are in the one the request names
LANGS = ("en", "ja")
#: the three documents, with the kind ``validate`` checks them as and the quota that bounds them
DOCUMENTS: dict[str, tuple[PolicyKind, quotas.Quota]] = {
    "identity": (PolicyKind.IDENTITY, quotas.MANAGED_POLICY),
    "trust": (PolicyKind.TRUST, quotas.TRUST_POLICY),
    "permissions": (PolicyKind.IDENTITY, quotas.ROLE_INLINE),
}
#: characters of text accepted per document: its quota (white space not counted) with room for the
#: white space of a pretty-printed document; larger text is refused (413) before anything parses it
WHITESPACE_ALLOWANCE = 4
#: the assume-role technique of the catalogue (shared/spec/privesc-catalog.md), explained hop by hop
ASSUME_ROLE_TECHNIQUE = "D15"


def text_cap(field_name: str) -> int:
    return DOCUMENTS[field_name][1].limit * WHITESPACE_ALLOWANCE


#: the largest request body: three documents at their caps, plus ARNs and JSON quoting
MAX_BODY = 2 * sum(text_cap(k) for k in DOCUMENTS) + 16_384


class ApiError(Exception):
    """A request the API cannot answer: HTTP status, the field at fault, a message a person can act on."""

    def __init__(self, status: int, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.status = status
        self.field = field_name
        self.message = message

    def to_json(self) -> dict[str, Any]:
        code = {400: "ValidationError", 404: "NotFound", 405: "MethodNotAllowed", 413: "RequestTooLarge",
                415: "UnsupportedMediaType", 421: "MisdirectedRequest"}.get(self.status, "Error")
        return {"error": {"code": code, "field": self.field, "message": self.message}}


def _str(body: dict[str, Any], key: str, default: str | None = None) -> str:
    value = body.get(key, default)
    if value is None:
        raise ApiError(400, key, "missing")
    if not isinstance(value, str):
        raise ApiError(400, key, f"expected a string, got {type(value).__name__}")
    return value


def _lang(body: dict[str, Any]) -> str:
    lang = _str(body, "lang", "en")
    if lang not in LANGS:
        raise ApiError(400, "lang", f"{lang!r}: expected one of {', '.join(LANGS)}")
    return lang


GRAPHVIZ_MISSING = ("Graphviz's dot is not installed, so there is no picture: "
                    "install Graphviz (the graphviz package) and reload.")


def picture(e: Any) -> dict[str, str | None]:
    """``svg`` for the explanation's picture (in the explanation's language), or ``svg: None`` and
    ``picture_error`` saying why not.

    The picture needs Graphviz's ``dot`` program. Without it the verdict, the
    sides and the text are still right, so the answer keeps them and names
    the missing program instead of failing the whole request with a 500.
    """
    try:
        return {"svg": render_svg(e), "picture_error": None}
    except Exception as err:  # only a missing dot is named here; any other failure is a bug and stays a 500
        if type(err).__name__ == "ExecutableNotFound" or isinstance(err, FileNotFoundError):
            return {"svg": None, "picture_error": GRAPHVIZ_MISSING}
        raise


def _path_in(path: dict[str, Any], _: Translator | None) -> dict[str, Any]:
    """A path of ``audit``'s JSON with its steps in ``_``'s language, as the text report shows them
    (``report.text.step_in``); a step is still found by ``from``/``to``/``technique``."""
    if _ is None:
        return path
    return {**path, "steps": [step_in(s, _) for s in path["steps"]]}


@dataclass
class Playground:
    """The API's state: the loaded world (or none) and, computed once on first use, its audit."""

    world: World | None = None
    sources: tuple[str, ...] = ()
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    _audit: dict[str, Any] | None = None

    # -- documents -------------------------------------------------------------------------

    def _documents(self, body: dict[str, Any]) -> dict[str, str]:
        docs = {}
        for key in DOCUMENTS:
            text = _str(body, key, "")
            if len(text) > text_cap(key):
                raise ApiError(413, key, f"{len(text)} characters; the playground reads at most {text_cap(key)} "
                                         f"(the {DOCUMENTS[key][1].aws_name} quota is {DOCUMENTS[key][1].limit} "
                                         "characters, white space not counted)")
            docs[key] = text
        return docs

    def findings(self, key: str, text: str, lang: str = "en") -> list[dict[str, Any]]:
        """``validate``'s findings for one document, each with the line and column it points at,
        its message in ``lang`` (``validate --lang``)."""
        if not text.strip():
            return []
        kind, quota = DOCUMENTS[key]
        positions = value_positions(text)
        out = []
        translate = translator(lang) if lang != "en" else None
        for f in validate_policy(text, kind, size_limit=quota.limit):
            line, column = locate(f.path, positions, f.message)  # the English message names the element
            out.append({**f.to_json(translate), "line": line, "column": column})
        return out

    def validate(self, body: dict[str, Any]) -> dict[str, Any]:
        lang = _lang(body)
        key = _str(body, "document", "identity")
        if key not in DOCUMENTS:
            raise ApiError(400, "document", f"{key!r}: expected one of {', '.join(DOCUMENTS)}")
        text = self._documents({key: _str(body, "text", "")})[key]
        return {"document": key, "findings": self.findings(key, text, lang)}

    # -- the verdict -------------------------------------------------------------------------

    def explain(self, body: dict[str, Any]) -> dict[str, Any]:
        """Verdict, picture, rule, changes and findings for the edited caller and role."""
        lang = _lang(body)
        docs = self._documents(body)
        mode = _str(body, "mode", "sandbox")
        if mode not in ("sandbox", "account"):
            raise ApiError(400, "mode", f"{mode!r}: expected sandbox or account")
        if mode == "account" and self.world is None:
            raise ApiError(400, "mode", "no account is loaded (start the playground with --account FILE)")
        edits = Edits(_str(body, "caller"), _str(body, "role"), docs["identity"], docs["trust"], docs["permissions"])
        findings = {k: self.findings(k, v, lang) for k, v in docs.items()}
        out: dict[str, Any] = {"lang": lang, "findings": findings, "decided": False}
        try:
            world = build_world(edits, self.world if mode == "account" else None)
        except SandboxError as err:
            raise ApiError(400, err.field, err.message) from None
        except PolicySyntaxError:
            bad = [k for k, fs in findings.items() if any(f["type"] == ERROR for f in fs)]
            out["undecided"] = {"documents": bad}
            return out
        session = _str(body, "session_name", default_session_name(edits.caller))
        try:
            e = explain_assume_role(world, edits.caller, {"RoleArn": edits.role, "RoleSessionName": session},
                                    self.clock(), lang=lang)
        except UnknownCaller as err:
            raise ApiError(400, "caller", str(err)) from None
        except StsError as err:
            raise ApiError(400, "session_name", f"{err.code}: {err.message}") from None
        out.update(decided=True, explanation=e.to_json(), text=render_text(e), **picture(e),
                   role_is_admin=self._role_is_admin(world, edits.role) if e.allowed else None)
        return out

    @staticmethod
    def _role_is_admin(world: World, role: str) -> bool:
        """Whether the credentials the caller gets are admin's (``audit``'s admin rule, catalog rule 2)."""
        acct, _, name = entity_of(role, "role")
        a = world.accounts[acct]
        small = World({acct: Account(acct, {}, {}, {name: a.roles[name]}, a.policies, a.source)},
                      {acct: world.scps[acct]} if acct in world.scps else {})
        return any(p["admin"] for p in audit(small).to_json()["principals"])

    # -- the loaded account ------------------------------------------------------------------

    def account(self) -> dict[str, Any]:
        if self.world is None:
            return {"loaded": False, "sources": [], "callers": [], "roles": []}
        callers = [p.arn for _, p in self.world.principals()]
        roles = [p.arn for _, p in self.world.principals() if isinstance(p, Role)]
        return {"loaded": True, "sources": list(self.sources), "accounts": sorted(self.world.accounts),
                "callers": callers, "roles": roles}

    def pick(self, body: dict[str, Any]) -> dict[str, Any]:
        """The documents of a loaded caller and role, ready for the editors."""
        if self.world is None:
            raise ApiError(400, "caller", "no account is loaded (start the playground with --account FILE)")
        caller, role = _str(body, "caller"), _str(body, "role")
        c = self.world.entity(caller)
        if not isinstance(c, (User, Role)):
            raise ApiError(404, "caller", f"{caller}: no such user or role in the loaded accounts")
        r = self.world.entity(role)
        if not isinstance(r, Role):
            raise ApiError(404, "role", f"{role}: no such role in the loaded accounts")
        ca = self.world.accounts[c.arn.split(":")[4]]
        ra = self.world.accounts[r.arn.split(":")[4]]
        perms = merged_identity(ra, r)
        return {"caller": c.arn, "role": r.arn, "identity": merged_identity(ca, c),
                "trust": document_text(r.trust), "permissions": perms}

    def admin(self, body: dict[str, Any]) -> dict[str, Any]:
        """Who can become admin in the loaded account, each with its paths (``audit``); the steps'
        technique names, reasons and deciding statements in the request's language."""
        lang = _lang(body)
        if self.world is None:
            return {"loaded": False, "admins": [], "escalations": []}
        if self._audit is None:
            self._audit = audit(self.world, now=self.clock()).to_json()
        ps = self._audit["principals"]
        _ = translator(lang) if lang != "en" else None
        return {"loaded": True, "summary": self._audit["summary"],
                "admins": [{"arn": p["arn"], "kind": p["admin_kind"]} for p in ps if p["admin"]],
                "escalations": [{"arn": p["arn"], "paths": [_path_in(path, _) for path in p["paths"]]}
                                for p in ps if p["can_escalate"]]}

    def hop(self, body: dict[str, Any]) -> dict[str, Any]:
        """One step of a path explained: an AssumeRole hop as ``explain`` draws it, any other as ``path`` says it."""
        lang = _lang(body)
        source, target, technique = _str(body, "from"), _str(body, "to"), _str(body, "technique")
        steps = [s for p in self.admin({"lang": lang})["escalations"] for path in p["paths"] for s in path["steps"]]
        step = next((s for s in steps if (s["from"], s["to"], s["technique"]) == (source, target, technique)), None)
        if step is None or self.world is None:
            raise ApiError(404, "from", f"no step {technique} from {source} to {target} in the loaded account's paths")
        out: dict[str, Any] = {"step": step, "explained": False}
        if technique == ASSUME_ROLE_TECHNIQUE:
            e = explain_assume_role(self.world, source,
                                    {"RoleArn": target, "RoleSessionName": default_session_name(source)},
                                    self.clock(), lang=lang)
            out.update(explained=True, explanation=e.to_json(), text=render_text(e), **picture(e))
        return out

    def cases(self) -> dict[str, Any]:
        return {"cases": [c.to_json() for c in CASES]}

"""Read resources files (one per account; what ``iamwarden collect --resources`` writes).

Shape: ``schema/resources.schema.json`` (docs/organization.md), checked before
anything is built, so every error names the file and the JSON path. Policies are
the JSON text AWS returns (or objects) and are parsed as resource policies.

Two choices, written in docs/decisions/resources-kms-grants.md:
- a KMS grant is read as one more key-policy statement allowing its grantee its
  operations (``kms:<Operation>``) on the key, with Sid ``Grant:<GrantId>``;
- S3 Block Public Access is the account's and the bucket's settings OR-ed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterable

from ..i18n import N_, gettext_noop
from ..model.account import World
from ..model.arn import Arn
from ..model.resources import BPA_FIELDS, BlockPublicAccess, HeldResource, ResourceInventory
from ..policy.document import PolicyKind, parse_policy, strict_json
from ..policy.errors import PolicySyntaxError
from .account_schema import check_shape
from .authz_details import LoadError, _doc
from .json_files import read_json_file

SCHEMA_FILE = "resources.schema.json"
#: the largest resources file read (bytes)
_ACCOUNT_ID = re.compile(r"[0-9]{12}")

#: (section, list key, ARN field, policy field, kind) per service
_SIMPLE = (
    ("SQS", "Queues", "QueueArn", "Policy", "sqs-queue"),
    ("SNS", "Topics", "TopicArn", "Policy", "sns-topic"),
    ("SecretsManager", "Secrets", "ARN", "ResourcePolicy", "secret"),
    ("ECR", "Repositories", "repositoryArn", "policyText", "ecr-repository"),
)


def load_resources_file(path: str | Path) -> list[HeldResource]:
    return resources_from_json(read_json_file(path, gettext_noop("a resources file")), str(Path(path)))


def _text_doc(raw: Any, where: str, source: str) -> Any:
    """A policy as an object (grants are appended to key policies)."""
    raw = _doc(raw)
    if isinstance(raw, str):
        try:
            return strict_json(raw.encode("utf-8"), source)
        except PolicySyntaxError as e:
            raise LoadError(f"{source}: {where}: {e.problems[0].message}") from None
    return raw


def _bare_principals(doc: Any) -> Any:
    """``"Principal": "123456789012"`` (or an ARN string) read as ``{"AWS": ...}``.

    Lambda's AddPermission takes a bare account ID or ARN and AWS stores it as
    ``{"AWS": "arn:aws:iam::ID:root"}``; emulators (moto) return the bare string. Both
    mean the same principal (spec §1.4 table: an account entry), so the loader reads
    them the same; any other string still goes to the strict parser and is refused."""
    if not isinstance(doc, dict) or not isinstance(doc.get("Statement"), list):
        return doc
    out = dict(doc)
    stmts = []
    for st in doc["Statement"]:
        p = st.get("Principal") if isinstance(st, dict) else None
        if isinstance(p, str) and p != "*" and (_ACCOUNT_ID.fullmatch(p) or p.startswith("arn:")):
            st = {**st, "Principal": {"AWS": p}}
        stmts.append(st)
    out["Statement"] = stmts
    return out


def _policy(raw: Any, name: str, where: str, source: str) -> Any:
    if raw is None:
        return None
    try:
        return parse_policy(_bare_principals(_text_doc(raw, where, source)), PolicyKind.RESOURCE, name)
    except PolicySyntaxError as e:
        details = "; ".join(f"{where}{pr.path[1:]}: {pr.message}" for pr in e.problems)
        raise LoadError(f"{source}: {details}") from None


def _bpa(raw: Any) -> BlockPublicAccess | None:
    if not isinstance(raw, dict):
        return None
    return BlockPublicAccess(*(bool(raw.get(f, False)) for f in BPA_FIELDS))


def _owned(arn: str, account: str, where: str, source: str) -> None:
    a = Arn.parse(arn)
    if a is None:
        raise LoadError(N_("{source}: {where}: {arn!r} is not an ARN", source=source, where=where, arn=arn))
    if a.account != account:
        raise LoadError(N_("{source}: {where}: {arn} is in account {in_account}, but this file is account "
                           "{account}'s", source=source, where=where, arn=arn, in_account=a.account or "(none)",
                           account=account))


def _grantee(principal: str) -> dict[str, str]:
    if principal.startswith("arn:") or _ACCOUNT_ID.fullmatch(principal):
        return {"AWS": principal}
    return {"Service": principal}


def resources_from_json(data: Any, source: str = "<resources>") -> list[HeldResource]:
    problems = check_shape(data, schema_file=SCHEMA_FILE)
    if problems:
        raise LoadError(f"{source}: " + "; ".join(str(pr) for pr in problems))
    account = data["AccountId"]
    if not _ACCOUNT_ID.fullmatch(account):
        raise LoadError(N_("{source}: $.AccountId: expected a 12-digit account ID, got {value!r}", source=source,
                           value=account))
    out: list[HeldResource] = []
    s3 = data.get("S3") or {}
    account_bpa = _bpa(s3.get("AccountPublicAccessBlock")) or BlockPublicAccess()
    for i, b in enumerate(s3.get("Buckets") or []):
        where = f"$.S3.Buckets[{i}]"
        name = b["Name"]
        out.append(HeldResource(f"arn:aws:s3:::{name}", account, "s3-bucket",
                                _policy(b.get("Policy"), f"s3:{name}", f"{where}.Policy", source), name,
                                public_access_block=account_bpa.union(_bpa(b.get("PublicAccessBlock")))))
    for i, k in enumerate((data.get("KMS") or {}).get("Keys") or []):
        where = f"$.KMS.Keys[{i}]"
        _owned(k["Arn"], account, f"{where}.Arn", source)
        doc = _text_doc(k.get("Policy"), f"{where}.Policy", source) if k.get("Policy") is not None else None
        grants = k.get("Grants") or []
        if grants:
            doc = dict(doc) if isinstance(doc, dict) else {"Version": "2012-10-17", "Statement": []}
            stmts = doc.get("Statement")
            stmts = list(stmts) if isinstance(stmts, list) else ([stmts] if stmts else [])
            for j, g in enumerate(grants):
                ops = [f"kms:{op}" for op in g["Operations"]]
                if ops:
                    stmts.append({"Sid": f"Grant:{g.get('GrantId', j)}", "Effect": "Allow",
                                  "Principal": _grantee(g["GranteePrincipal"]), "Action": ops, "Resource": "*"})
            doc["Statement"] = stmts
        out.append(HeldResource(k["Arn"], account, "kms-key",
                                _policy(doc, f"kms:{k['Arn'].rsplit('/', 1)[-1]}", f"{where}.Policy", source),
                                k["Arn"].rsplit("/", 1)[-1], managed=k.get("KeyManager") == "AWS"))
    for i, f in enumerate((data.get("Lambda") or {}).get("Functions") or []):
        where = f"$.Lambda.Functions[{i}]"
        _owned(f["FunctionArn"], account, f"{where}.FunctionArn", source)
        name = f["FunctionArn"].split(":function:", 1)[-1]
        out.append(HeldResource(f["FunctionArn"], account, "lambda-function",
                                _policy(f.get("Policy"), f"lambda:{name}", f"{where}.Policy", source), name,
                                role=f.get("Role") or ""))
        for j, al in enumerate(f.get("Aliases") or []):
            w2 = f"{where}.Aliases[{j}]"
            _owned(al["AliasArn"], account, f"{w2}.AliasArn", source)
            aname = al["AliasArn"].split(":function:", 1)[-1]
            out.append(HeldResource(al["AliasArn"], account, "lambda-alias",
                                    _policy(al.get("Policy"), f"lambda:{aname}", f"{w2}.Policy", source), aname,
                                    role=f.get("Role") or ""))
    for section, key, arn_field, pol_field, kind in _SIMPLE:
        for i, r in enumerate((data.get(section) or {}).get(key) or []):
            where = f"$.{section}.{key}[{i}]"
            arn = r[arn_field]
            _owned(arn, account, f"{where}.{arn_field}", source)
            name = arn.rsplit(":", 1)[-1]
            out.append(HeldResource(arn, account, kind,
                                    _policy(r.get(pol_field), f"{kind}:{name}", f"{where}.{pol_field}", source),
                                    name))
    return out


def load_resources(paths: Iterable[str | Path]) -> ResourceInventory:
    """Several resources files (or folders of ``*.json``) into one inventory; an ARN twice is an error."""
    held: dict[str, HeldResource] = {}
    where: dict[str, str] = {}
    for path in paths:
        p = Path(path)
        files = sorted(p.glob("*.json")) if p.is_dir() else [p]
        for f in files:
            for r in load_resources_file(f):
                if r.arn in held:
                    raise LoadError(N_("{path}: {arn} is already loaded from {source}", path=f, arn=r.arn,
                                       source=where[r.arn]))
                held[r.arn] = r
                where[r.arn] = str(f)
    return ResourceInventory(held)


def with_resources(world: World, inventory: ResourceInventory) -> World:
    """The same world, with resource policies to decide with."""
    return World(world.accounts, world.scps, world.rcps, world.organization, inventory)


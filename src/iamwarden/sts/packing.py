"""PackedPolicySize: our deterministic stand-in for AWS's secret packing (spec §4.1, §9.12 UNCONFIRMED).

AWS compresses session policies and session tags into a binary blob with a
fixed allowance and reports the use as a percentage. Its algorithm is not
published, so we count plaintext: minified JSON of every session policy
against ``rules.SESSION_POLICY_BUDGET`` and Σ(len(key)+len(value)) of the
session tags (inherited transitive tags included) against
``rules.SESSION_TAG_BUDGET``. The percentage reported is the larger one,
rounded up; above 100 the request fails with ``PackedPolicyTooLarge``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, Iterable

from . import rules
from .errors import StsError
from .session import SessionTag


def minified(doc: Any) -> str:
    if isinstance(doc, str):
        try:
            doc = json.loads(doc)
        except ValueError:
            return doc
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class PackedSize:
    policy_percent: int
    tag_percent: int

    @property
    def percent(self) -> int:
        return max(self.policy_percent, self.tag_percent)


def packed_size(policy_documents: Iterable[Any], tags: Iterable[SessionTag]) -> PackedSize:
    plen = sum(len(minified(d)) for d in policy_documents)
    tlen = sum(len(t.key) + len(t.value) for t in tags)
    return PackedSize(
        math.ceil(100 * plen / rules.SESSION_POLICY_BUDGET),
        math.ceil(100 * tlen / rules.SESSION_TAG_BUDGET),
    )


def check_packed_size(size: PackedSize) -> None:
    """``PackedPolicyTooLarge`` (400) above 100 %, naming the part that overflowed."""
    if size.percent <= 100:
        return
    if size.tag_percent >= size.policy_percent:
        msg = rules.PACKED_TOO_LARGE_TAGS.format(pct=size.tag_percent)
    else:
        msg = rules.PACKED_TOO_LARGE_POLICY.format(pct=size.policy_percent)
    raise StsError("PackedPolicyTooLarge", msg, 400)

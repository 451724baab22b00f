"""The name the analysis picks for a resource a caller creates (``index.picked_name``).

A caller creates resources in its own account: where a Resource pattern's account field is a
pattern matching that account, the picked name is in that account; the rest of the pattern's
wildcards are filled in. The picked name always matches the pattern it came from, so a
decision on it is a decision the statement can allow.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from iamwarden.analysis.index import picked_name
from iamwarden.policy.patterns import compile_glob

ACCT = "111122223333"


def test_picked_name_takes_the_callers_account_where_the_pattern_allows_it() -> None:
    assert picked_name("arn:aws:lambda:*:*:function:*", ACCT) == f"arn:aws:lambda:iamwarden:{ACCT}:function:iamwarden"
    assert picked_name("arn:aws:iam::*:user/ad?in", ACCT) == f"arn:aws:iam::{ACCT}:user/adxin"
    assert picked_name("arn:aws:iam::1111*:role/x-*", ACCT) == f"arn:aws:iam::{ACCT}:role/x-iamwarden"


def test_picked_name_leaves_another_accounts_pattern_and_non_arns() -> None:
    assert picked_name("arn:aws:iam::4444*:role/x", ACCT) == "arn:aws:iam::4444iamwarden:role/x"
    assert picked_name("arn:aws:s3:::bucket-*", ACCT) == "arn:aws:s3:::bucket-iamwarden"
    assert picked_name("res-*", ACCT) == "res-iamwarden"


_FIELD = st.sampled_from(["*", "?", "1111*", "*3333", "11112222333?", ACCT, "", "us-east-1", "x*y"])
_NAME = st.text(alphabet="ab/-*?", max_size=8)


@given(_FIELD, _FIELD, _NAME)
def test_picked_name_matches_its_pattern(region: str, account: str, name: str) -> None:
    pattern = f"arn:aws:lambda:{region}:{account}:function:{name}"
    got = picked_name(pattern, ACCT)
    assert compile_glob(pattern).match(got)
    if compile_glob(account).match(ACCT):
        assert got.split(":")[4] == ACCT

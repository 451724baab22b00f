"""Policy documents: parsing, validation and the compiled matchers behind them."""

from .document import (
    Effect,
    Policy,
    PolicyKind,
    PrincipalSpec,
    Statement,
    load_json,
    parse_policies,
    parse_policy,
)
from .errors import PolicySyntaxError, Problem

__all__ = [
    "Effect",
    "Policy",
    "PolicyKind",
    "PolicySyntaxError",
    "PrincipalSpec",
    "Problem",
    "Statement",
    "load_json",
    "parse_policies",
    "parse_policy",
]

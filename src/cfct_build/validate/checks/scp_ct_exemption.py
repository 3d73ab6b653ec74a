"""CFCT-S104: every Deny of an SCP exempts Control Tower's execution role."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from typing import Any

from cfct_build import naming
from cfct_build.validate.check import Check
from cfct_build.validate.context import Context
from cfct_build.validate.findings import Finding
from cfct_build.validate.policy_statements import policy_statements

EXEMPTING_OPERATORS = ("ArnNotLike", "ArnNotEquals", "StringNotLike", "StringNotEquals")
PARTITIONS = ("aws", "aws-us-gov", "aws-cn")


def _values(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def exempted_roles(condition: Any) -> list[str]:
    """The aws:PrincipalArn patterns a Deny's condition leaves out."""
    if not isinstance(condition, dict):
        return []
    out: list[str] = []
    for operator in EXEMPTING_OPERATORS:
        for op in (operator, f"{operator}IfExists"):
            keys = condition.get(op)
            if isinstance(keys, dict):
                for key, value in keys.items():
                    if key.lower() == "aws:principalarn":
                        out += _values(value)
    return out


def exempts(patterns: list[str], role: str) -> bool:
    """Whether one pattern matches the role in every account (of some partition)."""
    accounts = ("123456789012", "210987654321")
    return any(
        all(fnmatch.fnmatchcase(f"arn:{p}:iam::{a}:role/{role}", pattern) for a in accounts)
        for pattern in patterns
        for p in PARTITIONS
    )


class ScpCtExemption(Check):
    id = "CFCT-S104"
    shortdesc = "every SCP Deny exempts AWSControlTowerExecution"
    description = (
        "Control Tower and CfCT act through AWSControlTowerExecution in every member account: a "
        "Deny that does not exempt it (ArnNotLike aws:PrincipalArn "
        "arn:<partition>:iam::*:role/AWSControlTowerExecution) can lock them out of the accounts "
        "the SCP is attached to."
    )

    def validate(self, ctx: Context) -> Iterator[Finding]:
        role = naming.CT_EXECUTION_ROLE
        for st in policy_statements(ctx):
            if st.method != "scp" or st.data.get("Effect") != "Deny":
                continue
            patterns = exempted_roles(st.data.get("Condition"))
            if not exempts(patterns, role):
                yield self.finding(
                    "error",
                    st.rel,
                    st.line("Effect"),
                    st.path(),
                    f"Deny {st.sid} does not exempt {role}: add ArnNotLike aws:PrincipalArn "
                    f"arn:<partition>:iam::*:role/{role}",
                )
            elif not exempts(patterns, "stacksets-exec-0123456789abcdef"):
                yield self.finding(
                    "warning",
                    st.rel,
                    st.line("Effect"),
                    st.path(),
                    f"Deny {st.sid} does not exempt stacksets-exec-*: service-managed StackSets "
                    "in the attached accounts may be locked out",
                )

"""CFCT-S104: every Deny of an SCP exempts Control Tower's execution role.

A Deny exempts a principal when one of its negated conditions on `aws:PrincipalArn` is false
for it, i.e. when the principal's ARN matches a value of that condition as IAM compares it:
- `ArnNotLike`, `ArnNotEquals` (the two behave the same): `*` and `?` are wildcards, and the ARN
  is compared field by field (partition, service, Region, account, resource), so a wildcard
  never crosses a `:`;
- `StringNotLike`: `*` and `?` are wildcards over the whole string;
- `StringNotEquals` (`…IgnoreCase`): literal comparison, `*` and `?` are plain characters, so
  `arn:aws:iam::*:role/AWSControlTowerExecution` there exempts nobody (a lockout).
Each also with `IfExists` (aws:PrincipalArn is always present). `${aws:PrincipalAccount}` in a
value is IAM's policy variable and stands for the caller's account. The role is exempt when
one value matches it in every account: in practice a `*Like`/`ArnNotEquals` value with `*` in
the account field.

`stacksets-exec-*` not exempt is a warning, except in a Deny that only changes IAM roles (every
action `iam:…`, every resource a role ARN): such a statement protects role names (the
exemptions themselves, see `scps.protect_exempt_roles`) and cannot lock a StackSet out of
anything but those roles, and StackSets creates its own `stacksets-exec-*` roles through a
service-linked role, which no SCP restricts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from cfct_build import naming
from cfct_build.validate.check import Check
from cfct_build.validate.context import Context
from cfct_build.validate.findings import Finding
from cfct_build.validate.policy_statements import policy_statements

ARN_OPERATORS = ("ArnNotLike", "ArnNotEquals")
STRING_LIKE_OPERATORS = ("StringNotLike",)
LITERAL_OPERATORS = ("StringNotEquals", "StringNotEqualsIgnoreCase")
EXEMPTING_OPERATORS = (*ARN_OPERATORS, *STRING_LIKE_OPERATORS, *LITERAL_OPERATORS)
PARTITIONS = ("aws", "aws-us-gov", "aws-cn")
SAMPLE_ACCOUNTS = ("123456789012", "210987654321")
PRINCIPAL_ACCOUNT = re.compile(r"\$\{aws:PrincipalAccount\}", re.IGNORECASE)
STACKSETS_EXEC_SAMPLE = "stacksets-exec-0123456789abcdef"


@dataclass(frozen=True)
class Exemption:
    operator: str  # as written, e.g. "ArnNotLikeIfExists"
    value: str

    @property
    def base(self) -> str:
        return self.operator.removesuffix("IfExists")

    def matches(self, arn: str) -> bool:
        """Whether IAM finds `arn` equal to (or like) this value, which then exempts it."""
        value = PRINCIPAL_ACCOUNT.sub(arn.split(":")[4] if arn.count(":") >= 5 else "", self.value)
        if self.base == "StringNotEquals":
            return value == arn
        if self.base == "StringNotEqualsIgnoreCase":
            return value.lower() == arn.lower()
        if self.base in STRING_LIKE_OPERATORS:
            return _wildcard(value).fullmatch(arn) is not None
        fields, arn_fields = value.split(":", 5), arn.split(":", 5)
        return len(fields) == len(arn_fields) == 6 and all(
            _wildcard(f).fullmatch(a) is not None for f, a in zip(fields, arn_fields, strict=True)
        )


@cache
def _wildcard(pattern: str) -> re.Pattern[str]:
    """IAM's wildcards: `*` any run of characters, `?` one character, all else literal."""
    parts = {"*": ".*", "?": "."}
    return re.compile("".join(parts.get(c, re.escape(c)) for c in pattern), re.DOTALL)


def _values(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def exemptions(condition: Any) -> list[Exemption]:
    """The aws:PrincipalArn values a Deny's negated conditions leave out, with their operator."""
    if not isinstance(condition, dict):
        return []
    out: list[Exemption] = []
    for op, keys in condition.items():
        if op.removesuffix("IfExists") not in EXEMPTING_OPERATORS or not isinstance(keys, dict):
            continue
        for key, value in keys.items():
            if key.lower() == "aws:principalarn":
                out += [Exemption(op, v) for v in _values(value)]
    return out


def _arns(role: str, partition: str) -> list[str]:
    return [f"arn:{partition}:iam::{a}:role/{role}" for a in SAMPLE_ACCOUNTS]


def exempts(found: list[Exemption], role: str) -> bool:
    """Whether one value exempts the role in every account (of some partition)."""
    return any(all(e.matches(arn) for arn in _arns(role, p)) for e in found for p in PARTITIONS)


def _mistake(found: list[Exemption], role: str) -> str:
    """Why values that look like the role's exemption do not exempt it ('' if none does)."""
    for e in found:
        fields = e.value.split(":")
        own = [fields[4]] if len(fields) > 5 and fields[4].isdigit() else []
        arns = [
            f"arn:{p}:iam::{a}:role/{role}" for p in PARTITIONS for a in (*SAMPLE_ACCOUNTS, *own)
        ]
        as_string_like = _wildcard(PRINCIPAL_ACCOUNT.sub("*", e.value))
        if not any(as_string_like.fullmatch(arn) for arn in arns):
            continue  # names another role
        if e.base in LITERAL_OPERATORS and ("*" in e.value or "?" in e.value):
            return (
                f"{e.operator} compares literally, so {e.value!r} (its * and ? are not "
                "wildcards there) exempts no role"
            )
        if e.base in ARN_OPERATORS and not any(e.matches(arn) for arn in arns):
            return (
                f"{e.operator} compares an ARN field by field and a wildcard never crosses "
                f"':', so {e.value!r} matches no role ARN"
            )
        if any(e.matches(arn) for arn in arns):
            return f"{e.value!r} exempts it in one account only"
    return ""


def _roles_only(data: dict[str, Any]) -> bool:
    """Whether a statement only acts on IAM roles (its actions and resources say so)."""
    actions, resources = _values(data.get("Action")), _values(data.get("Resource"))
    return (
        bool(actions)
        and bool(resources)
        and all(a.lower().startswith("iam:") for a in actions)
        and all(":iam::" in r and r.split(":", 5)[-1].startswith("role/") for r in resources)
    )


class ScpCtExemption(Check):
    id = "CFCT-S104"
    shortdesc = "every SCP Deny exempts AWSControlTowerExecution"
    description = (
        "Control Tower and CfCT act through AWSControlTowerExecution in every member account: a "
        "Deny that does not exempt it (ArnNotLike aws:PrincipalArn "
        "arn:<partition>:iam::*:role/AWSControlTowerExecution) can lock them out of the accounts "
        "the SCP is attached to. StringNotEquals compares literally: a wildcard there exempts "
        "nobody."
    )

    def validate(self, ctx: Context) -> Iterator[Finding]:
        role = naming.CT_EXECUTION_ROLE
        for st in policy_statements(ctx):
            if st.method != "scp" or st.data.get("Effect") != "Deny":
                continue
            found = exemptions(st.data.get("Condition"))
            if not exempts(found, role):
                why = _mistake(found, role)
                yield self.finding(
                    "error",
                    st.rel,
                    st.line("Effect"),
                    st.path(),
                    f"Deny {st.sid} does not exempt {role}: {why + '; ' if why else ''}add "
                    f"ArnNotLike aws:PrincipalArn arn:<partition>:iam::*:role/{role}",
                )
            elif not exempts(found, STACKSETS_EXEC_SAMPLE) and not _roles_only(st.data):
                why = _mistake(found, STACKSETS_EXEC_SAMPLE)
                yield self.finding(
                    "warning",
                    st.rel,
                    st.line("Effect"),
                    st.path(),
                    f"Deny {st.sid} does not exempt stacksets-exec-*: "
                    f"{why + '; ' if why else ''}service-managed StackSets in the attached "
                    "accounts may be locked out",
                )

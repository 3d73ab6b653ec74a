"""TEST-ONLY: a small evaluator of the resource-policy statements cfct-build generates.

It answers one question for one request against one resource policy (bucket or key policy):
does an explicit Deny match, else does an Allow match? It knows exactly the operators our
generators emit (String*/Arn* equality and wildcards, their negations, Bool, Null) and raises on
anything else, so a new operator cannot be silently ignored. It is not an IAM evaluator: no
identity policies, SCPs, sessions or ForAnyValue/ForAllValues. Policy variables (`${aws:...}`)
in Resource, NotResource and condition values take their value from the request context (a key
that is absent leaves the variable as written, so it matches nothing). Condition keys are
matched case-insensitively; values case-sensitively; a negated operator on a missing key is
true, a positive one false (IAM semantics).

CloudFormation intrinsics in the rendered template (Fn::Sub, Ref) are resolved first with the
pseudo parameters and parameter values of the deployment being modelled (`${!x}` in Fn::Sub is
the literal `${x}`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Verdict = Literal["Deny", "Allow", "NotAllowed"]

_NEGATED = {"StringNotEquals", "StringNotLike", "ArnNotEquals", "ArnNotLike"}
_KNOWN = {
    "StringEquals",
    "StringNotEquals",
    "StringLike",
    "StringNotLike",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Bool",
    "Null",
}
_SUB = re.compile(r"\$\{([^}]+)\}")


@dataclass(frozen=True)
class Request:
    """One API request: who (a service principal or an IAM role ARN), what, on which ARN."""

    action: str
    resource: str
    context: Mapping[str, str] = field(default_factory=dict)
    service: str | None = None
    principal_arn: str | None = None


def resolve(value: Any, names: Mapping[str, str]) -> Any:
    """Resolve Fn::Sub and Ref (pseudo parameters and template parameters) in plain JSON."""
    if isinstance(value, dict):
        if set(value) == {"Fn::Sub"} and isinstance(value["Fn::Sub"], str):
            return _SUB.sub(
                lambda m: (
                    "${" + m.group(1)[1:] + "}" if m.group(1).startswith("!") else names[m.group(1)]
                ),
                value["Fn::Sub"],
            )
        if set(value) == {"Ref"}:
            return names[value["Ref"]]
        return {k: resolve(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, names) for v in value]
    return value


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _wildcard(pattern: str, text: str) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, text, flags=re.DOTALL) is not None


def _principal_matches(principal: Any, request: Request) -> bool:
    if principal == "*":
        return True
    for kind, values in principal.items():
        for v in _as_list(values):
            if kind == "Service" and request.service == v:
                return True
            if kind == "AWS" and request.principal_arn is not None:
                if v == "*" or v == request.principal_arn:
                    return True
                root = re.fullmatch(r"arn:[^:]+:iam::(\d{12}):root", v)
                if root and request.principal_arn.split(":")[4] == root.group(1):
                    return True
    return False


def _variables(text: str, context: Mapping[str, str]) -> str:
    """Policy variables replaced from the request context (absent keys stay as written)."""
    lowered = {k.lower(): v for k, v in context.items()}
    return _SUB.sub(lambda m: lowered.get(m.group(1).lower(), m.group(0)), text)


def _operator_holds(operator: str, key: str, expected: Any, context: Mapping[str, str]) -> bool:
    if operator not in _KNOWN:
        raise ValueError(f"test evaluator does not know condition operator {operator}")
    lowered = {k.lower(): v for k, v in context.items()}
    present = key.lower() in lowered
    values = [_variables(str(v), context) for v in _as_list(expected)]
    if operator == "Null":
        return (not present) == (values == ["true"])
    if not present:
        return operator in _NEGATED
    actual = lowered[key.lower()]
    if operator == "Bool":
        return actual.lower() in [v.lower() for v in values]
    wildcard = operator.endswith("Like")
    hit = any(_wildcard(v, actual) if wildcard else v == actual for v in values)
    return not hit if operator in _NEGATED else hit


def _statement_matches(statement: Mapping[str, Any], request: Request) -> bool:
    if not _principal_matches(statement["Principal"], request):
        return False
    if not any(_wildcard(a.lower(), request.action.lower()) for a in _as_list(statement["Action"])):
        return False
    if "NotResource" in statement:
        excluded = _as_list(statement["NotResource"])
        if any(_wildcard(_variables(r, request.context), request.resource) for r in excluded):
            return False
    elif not any(
        _wildcard(_variables(r, request.context), request.resource)
        for r in _as_list(statement["Resource"])
    ):
        return False
    for operator, block in statement.get("Condition", {}).items():
        for key, expected in block.items():
            if not _operator_holds(operator, key, expected, request.context):
                return False
    return True


def evaluate(policy: Mapping[str, Any], request: Request) -> Verdict:
    """Explicit Deny beats Allow; no matching Allow means not allowed by this policy."""
    statements = policy["Statement"]
    if any(s["Effect"] == "Deny" and _statement_matches(s, request) for s in statements):
        return "Deny"
    if any(s["Effect"] == "Allow" and _statement_matches(s, request) for s in statements):
        return "Allow"
    return "NotAllowed"


def matching_sids(policy: Mapping[str, Any], request: Request) -> list[str]:
    """The Sids of every statement that matches the request (for readable assertions)."""
    return [s["Sid"] for s in policy["Statement"] if _statement_matches(s, request)]

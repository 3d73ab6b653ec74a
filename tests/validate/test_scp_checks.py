"""The SCP content checks (CFCT-S101..S105): a bad input per rule, with the exact findings."""

from __future__ import annotations

import json
from typing import Any

from cfct_build.config import Settings
from cfct_build.package import build_package
from cfct_build.validate import Finding, validate_files

IDS = {"CFCT-S101", "CFCT-S102", "CFCT-S103", "CFCT-S104", "CFCT-S105"}
POLICY = "policies/guardrails.json"
EXEMPT = {"ArnNotLike": {"aws:PrincipalArn": ["arn:aws:iam::*:role/AWSControlTowerExecution",
                                              "arn:aws:iam::*:role/stacksets-exec-*"]}}  # fmt: skip


def manifest(n: int = 1, method: str = "scp", targets: tuple[str, ...] = ("Workloads",)) -> str:
    lines = ["---", "region: us-east-1", "version: 2021-03-15", "", "resources:"]
    for i in range(1, n + 1):
        lines += [
            f"  - name: guardrails-{i}",
            f"    resource_file: {POLICY}",
            f"    deploy_method: {method}",
            "    deployment_targets:",
            "      organizational_units:",
            *(f"        - {t}" for t in targets),
        ]
    return "\n".join(lines) + "\n"


def findings(*statements: dict[str, Any], manifest_text: str | None = None) -> list[Finding]:
    policy = {"Version": "2012-10-17", "Statement": list(statements)}
    files = {
        "manifest.yaml": (manifest_text or manifest()).encode(),
        POLICY: (json.dumps(policy, indent=1) + "\n").encode(),
    }
    return [f for f in validate_files(files, lint=False) if f.id in IDS and f.severity != "info"]


def deny(**fields: Any) -> dict[str, Any]:
    return {"Sid": "G", "Effect": "Deny", "Resource": "*", "Condition": EXEMPT, **fields}


def test_unknown_actions_are_errors() -> None:
    st = deny(Action=["s3:DeleteObjekt", "foo:Bar", "s3:Zz*", "S3:getobject", "s3:Get*", "*"])
    assert findings(st) == [
        Finding(POLICY, 17, "CFCT-S101", "error", "Statement.0.Action.0",
                "'s3:DeleteObjekt' in statement 'G': s3 has no action 'DeleteObjekt'"),
        Finding(POLICY, 18, "CFCT-S101", "error", "Statement.0.Action.1",
                "'foo:Bar' in statement 'G': unknown service prefix 'foo'"),
        Finding(POLICY, 19, "CFCT-S101", "error", "Statement.0.Action.2",
                "'s3:Zz*' in statement 'G': the pattern matches no s3 action"),
    ]  # fmt: skip


def test_not_action_is_checked_too() -> None:
    st = deny(NotAction="iam:GetRoll")
    assert findings(st) == [
        Finding(POLICY, 16, "CFCT-S101", "error", "Statement.0.NotAction",
                "'iam:GetRoll' in statement 'G': iam has no action 'GetRoll'"),
    ]  # fmt: skip


def test_condition_operators_must_exist() -> None:
    st = deny(
        Action="s3:DeleteObject",
        Condition={
            **EXEMPT,
            "ArnNotLIke": {"aws:PrincipalArn": "x"},
            "StringEquals": {},
            "ForAnyValue:StringEqualsIfExists": {"aws:TagKeys": ["a"]},
            "Null": {"aws:ResourceTag/a": "false"},
            "BoolIfExists": {"aws:SecureTransport": "false"},
        },
    )
    assert findings(st) == [
        Finding(POLICY, 15, "CFCT-S102", "error", "Statement.0.Condition.ArnNotLIke",
                "'ArnNotLIke' in statement 'G' is not an IAM condition operator"),
        Finding(POLICY, 18, "CFCT-S102", "error", "Statement.0.Condition.StringEquals",
                "StringEquals in statement 'G' must map condition keys to values"),
    ]  # fmt: skip


def test_condition_must_be_an_object() -> None:
    st = {"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": []}
    assert findings(st) == [
        Finding(POLICY, 9, "CFCT-S102", "error", "Statement.0.Condition",
                "Condition of statement 'A' must be an object of operators"),
    ]  # fmt: skip


def test_no_principal_in_an_scp_but_allowed_in_an_rcp() -> None:
    st = deny(Action="s3:DeleteObject", Principal="*", NotPrincipal={"AWS": "x"})
    assert findings(st) == [
        Finding(POLICY, 17, "CFCT-S103", "error", "Statement.0.Principal",
                "statement 'G' has Principal: SCPs cannot name principals; use a condition on "
                "aws:PrincipalArn instead"),
        Finding(POLICY, 18, "CFCT-S103", "error", "Statement.0.NotPrincipal",
                "statement 'G' has NotPrincipal: SCPs cannot name principals; use a condition on "
                "aws:PrincipalArn instead"),
    ]  # fmt: skip
    assert findings(st, manifest_text=manifest(method="rcp")) == []


def test_every_deny_must_exempt_control_tower() -> None:
    missing = {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}
    one_account = deny(
        Sid="One",
        Action="s3:DeleteObject",
        Condition={
            "ArnNotLike": {
                "aws:PrincipalArn": "arn:aws:iam::111111111111:role/AWSControlTowerExecution"
            }
        },
    )
    ct_only = deny(
        Sid="CtOnly",
        Action="s3:DeleteObject",
        Condition={
            "StringNotLike": {"aws:PrincipalARN": "arn:aws:iam::*:role/AWSControlTowerExecution"}
        },
    )
    allow = {"Sid": "Ok", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    message = (
        "does not exempt AWSControlTowerExecution: add ArnNotLike aws:PrincipalArn "
        "arn:<partition>:iam::*:role/AWSControlTowerExecution"
    )
    assert findings(missing, one_account, ct_only, allow, deny(Action="s3:PutObject")) == [
        Finding(POLICY, 5, "CFCT-S104", "error", "Statement.0",
                f"Deny statement Statement.0 {message}"),
        Finding(POLICY, 11, "CFCT-S104", "error", "Statement.1",
                "Deny statement 'One' does not exempt AWSControlTowerExecution: "
                "'arn:aws:iam::111111111111:role/AWSControlTowerExecution' exempts it in one "
                "account only; add ArnNotLike aws:PrincipalArn "
                "arn:<partition>:iam::*:role/AWSControlTowerExecution"),
        Finding(POLICY, 22, "CFCT-S104", "warning", "Statement.2",
                "Deny statement 'CtOnly' does not exempt stacksets-exec-*: service-managed "
                "StackSets in the attached accounts may be locked out"),
    ]  # fmt: skip


CT = "arn:aws:iam::*:role/AWSControlTowerExecution"
SSE = "arn:aws:iam::*:role/stacksets-exec-*"
ADD = "add ArnNotLike aws:PrincipalArn arn:<partition>:iam::*:role/AWSControlTowerExecution"


def exempting(sid: str, condition: dict[str, Any]) -> dict[str, Any]:
    return deny(Sid=sid, Action="s3:DeleteObject", Condition=condition)


def test_string_not_equals_compares_literally_so_a_wildcard_exempts_nobody() -> None:
    literal = exempting("Literal", {"StringNotEquals": {"aws:PrincipalArn": [CT, SSE]}})
    ignore_case = exempting(
        "IgnoreCase", {"StringNotEqualsIgnoreCaseIfExists": {"aws:PrincipalARN": CT}}
    )
    # Mixed: CT's role under the right operator, stacksets-exec-* under the literal one.
    mixed = exempting(
        "Mixed",
        {"ArnNotLike": {"aws:PrincipalArn": CT}, "StringNotEquals": {"aws:PrincipalArn": SSE}},
    )
    assert findings(literal, ignore_case, mixed) == [
        Finding(POLICY, 6, "CFCT-S104", "error", "Statement.0",
                "Deny statement 'Literal' does not exempt AWSControlTowerExecution: "
                "StringNotEquals compares literally, so "
                "'arn:aws:iam::*:role/AWSControlTowerExecution' (its * and ? are not wildcards "
                f"there) exempts no role; {ADD}"),
        Finding(POLICY, 20, "CFCT-S104", "error", "Statement.1",
                "Deny statement 'IgnoreCase' does not exempt AWSControlTowerExecution: "
                "StringNotEqualsIgnoreCaseIfExists compares literally, so "
                "'arn:aws:iam::*:role/AWSControlTowerExecution' (its * and ? are not wildcards "
                f"there) exempts no role; {ADD}"),
        Finding(POLICY, 31, "CFCT-S104", "warning", "Statement.2",
                "Deny statement 'Mixed' does not exempt stacksets-exec-*: StringNotEquals "
                "compares literally, so 'arn:aws:iam::*:role/stacksets-exec-*' (its * and ? are "
                "not wildcards there) exempts no role; service-managed StackSets in the attached "
                "accounts may be locked out"),
    ]  # fmt: skip


def test_arn_operators_compare_field_by_field_and_brackets_are_literal() -> None:
    spans = exempting(
        "Spans", {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*AWSControlTowerExecution"}}
    )
    # fnmatch would read [0-9] as a character class; IAM reads it literally.
    brackets = exempting(
        "Brackets",
        {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::[0-9]*:role/AWSControlTowerExecution"}},
    )
    # StringNotLike's wildcard does cross ':', so the same value exempts there.
    string_like = exempting(
        "StringLike",
        {"StringNotLike": {"aws:PrincipalArn": ["arn:aws:iam::*AWSControlTowerExecution", SSE]}},
    )
    assert findings(spans, brackets, string_like) == [
        Finding(POLICY, 6, "CFCT-S104", "error", "Statement.0",
                "Deny statement 'Spans' does not exempt AWSControlTowerExecution: ArnNotLike "
                "compares an ARN field by field and a wildcard never crosses ':', so "
                f"'arn:aws:iam::*AWSControlTowerExecution' matches no role ARN; {ADD}"),
        Finding(POLICY, 17, "CFCT-S104", "error", "Statement.1",
                f"Deny statement 'Brackets' does not exempt AWSControlTowerExecution: {ADD}"),
    ]  # fmt: skip


def test_arn_not_equals_and_the_principal_account_variable_exempt_in_every_account() -> None:
    arn_not_equals = exempting(
        "ArnNotEquals", {"ArnNotEqualsIfExists": {"aws:PrincipalArn": [CT, SSE]}}
    )
    variable = exempting(
        "Variable",
        {
            "StringNotEquals": {
                "aws:PrincipalArn": "arn:aws:iam::${aws:PrincipalAccount}:role/AWSControlTowerExecution"
            },
            "StringNotLike": {
                "aws:PrincipalArn": "arn:aws:iam::${aws:PrincipalAccount}:role/stacksets-exec-*"
            },
        },
    )
    # Set operators on the single-valued aws:PrincipalArn are not counted (AWS advises against
    # them): the documented form is asked for.
    set_operator = exempting("SetOperator", {"ForAnyValue:ArnNotLike": {"aws:PrincipalArn": CT}})
    assert findings(arn_not_equals, variable, set_operator) == [
        Finding(POLICY, 34, "CFCT-S104", "error", "Statement.2",
                f"Deny statement 'SetOperator' does not exempt AWSControlTowerExecution: {ADD}"),
    ]  # fmt: skip


def test_a_deny_on_iam_roles_only_need_not_exempt_stacksets_exec() -> None:
    ct_only = {"ArnNotLike": {"aws:PrincipalArn": CT}}
    roles = deny(
        Sid="Roles",
        Action=["iam:CreateRole", "iam:UpdateAssumeRolePolicy"],
        Resource=["arn:aws:iam::*:role/stacksets-exec-*", "arn:aws:iam::*:role/BreakGlass"],
        Condition=ct_only,
    )
    not_only_roles = deny(
        Sid="RolesAndUsers",
        Action=["iam:CreateRole", "iam:CreateUser"],
        Resource=["arn:aws:iam::*:role/stacksets-exec-*", "arn:aws:iam::*:user/*"],
        Condition=ct_only,
    )
    not_only_iam = deny(
        Sid="RolesAndBuckets",
        Action=["iam:CreateRole", "s3:DeleteBucket"],
        Resource="arn:aws:iam::*:role/stacksets-exec-*",
        Condition=ct_only,
    )
    assert findings(roles, not_only_roles, not_only_iam) == [
        Finding(POLICY, 23, "CFCT-S104", "warning", "Statement.1",
                "Deny statement 'RolesAndUsers' does not exempt stacksets-exec-*: service-managed "
                "StackSets in the attached accounts may be locked out"),
        Finding(POLICY, 40, "CFCT-S104", "warning", "Statement.2",
                "Deny statement 'RolesAndBuckets' does not exempt stacksets-exec-*: "
                "service-managed StackSets in the attached accounts may be locked out"),
    ]  # fmt: skip


def test_scp_budget_per_target() -> None:
    st = deny(Action="s3:DeleteObject")
    assert findings(st, manifest_text=manifest(4, targets=("Workloads", "Sandbox"))) == [
        Finding("manifest.yaml", 10, "CFCT-S105", "warning", "resources.0.deployment_targets",
                f"target {t!r} gets 4 SCP(s) from this package (guardrails-1, guardrails-2, "
                "guardrails-3, guardrails-4); with FullAWSAccess and Control Tower's guardrail "
                "policy that makes 6, over the limit of 5 unless one is detached")
        for t in ("Sandbox", "Workloads")
    ]  # fmt: skip
    assert findings(st, manifest_text=manifest(6)) == [
        Finding("manifest.yaml", 10, "CFCT-S105", "error", "resources.0.deployment_targets",
                "target 'Workloads' gets 6 SCP(s) from this package (guardrails-1, guardrails-2, "
                "guardrails-3, guardrails-4, guardrails-5, guardrails-6); AWS Organizations "
                "allows 5"),
    ]  # fmt: skip


def test_generated_package_passes_and_reports_size_and_budget(settings: Settings) -> None:
    files = build_package(settings).as_bytes()
    got = [
        (f.id, f.severity, f.message)
        for f in validate_files(files, lint=False)
        if f.id in IDS | {"CFCT-S002"}
    ]
    budget = [
        ("CFCT-S105", "info", f"target {ou!r} gets 1 SCP(s) from this package "
         "(cfct-build-log-archive-guardrails-1); 2 of the 3-SCP budget left")
        for ou in ("Infrastructure", "Sandbox", "Security", "Workloads", "Workloads:NonProd",
                   "Workloads:Prod")
    ]  # fmt: skip
    assert got == [*budget, ("CFCT-S002", "info", "4,960 of 5,120 characters as CfCT sends it")]

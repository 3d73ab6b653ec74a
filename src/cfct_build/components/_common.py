"""Helpers shared by the component builders (pure functions, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from awacs.aws import Action
from troposphere import AWSObject, Sub, Tags

from cfct_build import naming

TEMPLATE_FORMAT_VERSION = "2010-09-09"


def tags(component: str) -> Tags:
    return Tags({naming.TAG_KEY: component})


def retain(resource: AWSObject) -> AWSObject:
    """Stateful resources survive stack deletion and replacement."""
    resource.DeletionPolicy = "Retain"
    resource.UpdateReplacePolicy = "Retain"
    return resource


def kms_actions(*names: str) -> list[Action]:
    return [Action("kms", n) for n in names]


def ct_execution_role_arn(account: str = "${AWS::AccountId}") -> Sub:
    return Sub(f"arn:${{AWS::Partition}}:iam::{account}:role/{naming.CT_EXECUTION_ROLE}")


def account_root(account: str) -> Sub:
    return Sub(f"arn:${{AWS::Partition}}:iam::{account}:root")


def role_arns(arns: list[str] | tuple[str, ...]) -> list[Sub]:
    """Settings role ARNs (or ARN patterns) rendered with ${AWS::Partition}."""
    return [Sub(naming.role_arn_sub(a)) for a in arns]


# cfn_nag rule id -> the AWS Guard rules registry's rule for it (mappings/rule_set_cfn_nag.json;
# tests/test_guard.py checks each pair against the registry where ../shared has it).
# CFN_NO_EXPLICIT_RESOURCE_NAMES (W28) is the registry's name; its rule file is not in the
# snapshot the tests read.
GUARD_RULE_FOR_CFN_NAG: dict[str, str] = {
    "F2": "IAM_ROLE_NO_FULL_ACCESS_ON_TRUST_POLICY",
    "F3": "IAM_ROLE_NO_WILDCARD_ACTIONS_ON_PERMISSIONS",
    "F4": "IAM_POLICY_NO_STATEMENTS_WITH_FULL_ACCESS",
    "F5": "IAM_MANAGEDPOLICY_NO_STATEMENTS_WITH_FULL_ACCESS",
    "F6": "IAM_ROLE_NO_ALLOW_PLUS_NOT_PRINCIPAL",
    "F8": "SNS_TOPICPOLICY_NO_ALLOW_PLUS_NOTPRINCIPAL",
    "F9": "S3_BUCKETPOLICY_NO_ALLOW_PLUS_NOTPRINCIPAL",
    "F10": "IAM_NO_INLINE_POLICY_CHECK",
    "F11": "IAM_NO_POLICY_ON_USER",
    "F12": "IAM_NO_POLICY_ON_USER",
    "F14": "S3_BUCKET_NO_PUBLIC_RW_ACL",
    "F15": "S3_BUCKET_POLICY_NO_WILDCARD_ACTION",
    "F16": "S3_BUCKET_POLICY_NO_WILDCARD_PRINCIPAL",
    "F18": "SNS_TOPICPOLICY_NO_WILDCARD_PRINCIPAL",
    "F19": "CMK_BACKING_KEY_ROTATION_ENABLED",
    "F38": "IAM_ROLE_NO_WILDCARD_RESOURCE_ON_PASSROLE",
    "F39": "IAM_POLICY_NO_WILDCARD_RESOURCE_ON_PASSROLE",
    "F76": "KMS_NO_WILDCARD_PRINCIPAL",
    "F2000": "IAM_USER_MISSING_GROUP_RULE",
    "W11": "IAM_POLICYDOCUMENT_NO_WILDCARD_RESOURCE",
    "W12": "IAM_POLICYDOCUMENT_NO_WILDCARD_RESOURCE",
    "W13": "IAM_POLICYDOCUMENT_NO_WILDCARD_RESOURCE",
    "W14": "IAM_ROLE_NO_ALLOW_PLUS_NOT_ACTION_ON_TRUST_POLICY",
    "W15": "IAM_ROLE_OR_POLICY_NO_ALLOW_PLUS_NOT_ACTION",
    "W16": "IAM_ROLE_OR_POLICY_NO_ALLOW_PLUS_NOT_ACTION",
    "W17": "IAM_ROLE_OR_POLICY_NO_ALLOW_PLUS_NOT_ACTION",
    "W19": "SNS_TOPICPOLICY_NO_ALLOW_PLUS_NOT_ACTION",
    "W20": "S3_BUCKET_POLICY_NO_ALLOW_PLUS_NOT_ACTION",
    "W21": "IAM_ROLE_OR_POLICY_NO_ALLOW_PLUS_NOT_RESOURCE",
    "W22": "IAM_ROLE_OR_POLICY_NO_ALLOW_PLUS_NOT_RESOURCE",
    "W23": "IAM_ROLE_OR_POLICY_NO_ALLOW_PLUS_NOT_RESOURCE",
    "W28": "CFN_NO_EXPLICIT_RESOURCE_NAMES",
    "W31": "S3_BUCKET_PUBLIC_READ_ACL",
    "W35": "S3_BUCKET_LOGGING_ENABLED",
    "W41": "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED",
    "W43": "IAM_ROLE_ADMINISTRATOR_ACCESS_POLICY_RULE",
    "W44": "IAM_ROLE_ELEVATED_MANAGED_POLICY_RULE",
    "W47": "SNS_ENCRYPTED_KMS",
    "W50": "IAM_USER_LOGIN_PROFILE_PASSWORD_RESET_RULE",
    "W84": "CLOUDWATCH_LOG_GROUP_ENCRYPTED",
    "W86": "CW_LOGGROUP_RETENTION_PERIOD_CHECK",
}


@dataclass(frozen=True)
class Suppression:
    """One checker rule that does not apply to a resource, and the written reason why.

    `guard` is the AWS Guard rules registry's rule name, `cfn_nag` the cfn_nag rule id; a rule
    may have only one of them (the registry's CIS-only rules have no cfn_nag id)."""

    guard: str | None
    cfn_nag: str | None
    reason: str


def suppress(*items: Suppression) -> dict[str, Any]:
    """Resource metadata suppressing rules in both forms, each with its reason:
    `cfn_nag.rules_to_suppress` (what CfCT's cfn_nag stage reads) and `guard.SuppressedRules`
    (what cfn-guard's registry rules read). Guard has no reason field: the reasons sit beside
    the list in `guard.Reasons`, keyed by rule name."""
    metadata: dict[str, Any] = {}
    nag = [{"id": x.cfn_nag, "reason": x.reason} for x in items if x.cfn_nag]
    if nag:
        metadata["cfn_nag"] = {"rules_to_suppress": nag}
    reasons: dict[str, list[str]] = {}
    for x in items:
        if x.guard and x.reason not in reasons.setdefault(x.guard, []):
            reasons[x.guard].append(x.reason)
    if reasons:
        metadata["guard"] = {
            "SuppressedRules": list(reasons),
            "Reasons": {rule: " ".join(why) for rule, why in reasons.items()},
        }
    return metadata


def nag(rule_id: str, reason: str) -> Suppression:
    """A cfn_nag rule and, where the registry has one, its Guard rule: one reason for both."""
    return Suppression(GUARD_RULE_FOR_CFN_NAG.get(rule_id), rule_id, reason)


def cfn_nag_suppress(*rules: tuple[str, str]) -> dict[str, Any]:
    """Resource metadata in the form CfCT's cfn_nag stage reads: (rule id, written reason).
    The package adds the Guard form of each (`_suppressions.annotate`)."""
    return {"cfn_nag": {"rules_to_suppress": [{"id": rid, "reason": why} for rid, why in rules]}}

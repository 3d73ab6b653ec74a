"""Helpers shared by the component builders (pure functions, no I/O)."""

from __future__ import annotations

from typing import Any

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


def ct_execution_role_arn(account: str = "${AWS::AccountId}") -> Sub:
    return Sub(f"arn:${{AWS::Partition}}:iam::{account}:role/{naming.CT_EXECUTION_ROLE}")


def account_root(account: str) -> Sub:
    return Sub(f"arn:${{AWS::Partition}}:iam::{account}:root")


def role_arns(arns: list[str] | tuple[str, ...]) -> list[Sub]:
    """Settings role ARNs (or ARN patterns) rendered with ${AWS::Partition}."""
    return [Sub(naming.role_arn_sub(a)) for a in arns]


def cfn_nag_suppress(*rules: tuple[str, str]) -> dict[str, Any]:
    """Resource metadata in the form CfCT's cfn_nag stage reads: (rule id, written reason)."""
    return {"cfn_nag": {"rules_to_suppress": [{"id": rid, "reason": why} for rid, why in rules]}}

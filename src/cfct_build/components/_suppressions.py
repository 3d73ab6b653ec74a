"""Checker rules that do not apply to generated resources: suppressed on the resource, with why.

CfCT's build stage runs cfn_nag on every template and fails on its failing rules; cfct-build
also runs the AWS Guard rules registry's cfn_nag and CIS AWS Foundations rule sets
(`cfct-build guard`). A few of their rules fail on resources that meet the rule's intent in a
way the rule cannot see. `annotate` suppresses exactly those, on the resource, in both forms
(`Metadata.cfn_nag` and `Metadata.guard`, see `_common.suppress`), and only after checking in
the template the fact its written reason states — a resource that lacks the fact is left
alone, so the rule fails and someone has to look. Suppressions whose reason is specific to one
resource stay where that resource is built (`cfn_nag_suppress` in the component); `annotate`
adds their Guard form (same rule in the registry, same reason).

`validate` lists every suppression with its reason (CFCT-T004).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from troposphere import Template

from cfct_build import render
from cfct_build.components._common import GUARD_RULE_FOR_CFN_NAG, Suppression, nag, suppress

S3_OBJECT = "AWS::S3::Object"


def _acl_disabled(props: dict[str, Any]) -> list[Suppression]:
    rules = (props.get("OwnershipControls") or {}).get("Rules") or []
    enforced = any(r.get("ObjectOwnership") == "BucketOwnerEnforced" for r in rules)
    if "AccessControl" in props or not enforced:
        return []
    return [
        nag(
            "F14",
            "ACLs are disabled on this bucket (ObjectOwnership BucketOwnerEnforced) and "
            "AccessControl is not set: a legacy property cfn-lint warns about (W3045). cfn_nag's "
            "F14 fails only on AccessControl PublicReadWrite; the registry's Guard port of it "
            "also fails when the property is absent.",
        )
    ]


def _tls_deny_as_string(props: dict[str, Any]) -> list[Suppression]:
    statements = (props.get("PolicyDocument") or {}).get("Statement") or []
    for st in statements:
        secure = ((st.get("Condition") or {}).get("Bool") or {}).get("aws:SecureTransport")
        if st.get("Effect") == "Deny" and st.get("Principal") == "*" and secure == "false":
            return [
                Suppression(
                    "S3_BUCKET_SSL_REQUESTS_ONLY",
                    None,
                    f"Statement {st.get('Sid', '')!s} denies every request made without TLS "
                    '(Bool aws:SecureTransport "false", the string form IAM documents); the '
                    "registry rule matches only the JSON boolean false. cfct-build's own rule "
                    "CFCT_BUCKET_TLS_ONLY checks this statement.",
                )
            ]
    return []


def _service_role_inline_policy(props: dict[str, Any]) -> list[Suppression]:
    if not props.get("Policies"):
        return []
    trust = (props.get("AssumeRolePolicyDocument") or {}).get("Statement") or []
    services: list[str] = []
    for st in trust:
        principal = st.get("Principal")
        if not isinstance(principal, dict) or set(principal) != {"Service"}:
            return []  # not a service role: the rule stands
        named = principal["Service"]
        services += named if isinstance(named, list) else [named]
    if not services:
        return []
    return [
        nag(
            "F10",
            "A service role assumed only by "
            + ", ".join(sorted(set(map(str, services))))
            + ": its inline policy belongs to it one-to-one, is deleted with it and cannot be "
            "attached to any other principal (IAM's guidance for single-purpose roles). CIS "
            "1.15 asks that IAM users get permissions through groups; this role is no user.",
        )
    ]


def _trail_key_parameter(props: dict[str, Any], template: dict[str, Any]) -> list[Suppression]:
    key = props.get("KMSKeyId")
    name = key.get("Ref") if isinstance(key, dict) else None
    declared = (template.get("Parameters") or {}).get(name) if isinstance(name, str) else None
    if not isinstance(declared, dict) or "AllowedPattern" not in declared:
        return []
    return [
        Suppression(
            "CLOUD_TRAIL_ENCRYPTION_ENABLED",
            None,
            f"The trail encrypts its logs with the KMS key of parameter {name}, whose "
            "AllowedPattern admits only a key ARN of the key's account and Region; the "
            "registry rule accepts only a literal string and cannot see through Ref.",
        )
    ]


def _trail_advanced_selectors(props: dict[str, Any]) -> list[Suppression]:
    selectors = props.get("AdvancedEventSelectors")
    if not selectors or props.get("EventSelectors"):
        return []
    logs_s3 = any(
        fs.get("Field") == "resources.type" and S3_OBJECT in (fs.get("Equals") or [])
        for sel in selectors
        for fs in sel.get("FieldSelectors") or []
    )
    what = (
        "S3 object data events are selected by AdvancedEventSelectors, which leave out the "
        "trail's own log buckets (logging them would log every delivery)"
        if logs_s3
        else "The settings (trail.data_events) select no S3 object data events for this trail"
    )
    return [
        Suppression(
            "CLOUDTRAIL_S3_DATAEVENTS_ENABLED",
            None,
            f"{what}. CloudTrail takes EventSelectors or AdvancedEventSelectors, not both; the "
            "registry rule reads EventSelectors only. Management events are recorded by Control "
            "Tower's organization trail.",
        )
    ]


def _trail_without_cloudwatch_logs(props: dict[str, Any]) -> list[Suppression]:
    if props.get("CloudWatchLogsLogGroupArn"):
        return []
    return [
        Suppression(
            "CLOUD_TRAIL_CLOUD_WATCH_LOGS_ENABLED",
            None,
            "Off in the settings (trail.cloudwatch_logs.enabled: false): the integrity-validated "
            "record is the Object Lock bucket, and Control Tower's own trail already delivers "
            "management events to CloudWatch Logs. Turn it on to meet CIS 3.4 for data events.",
        )
    ]


Rule = Callable[[dict[str, Any], dict[str, Any]], list[Suppression]]

RULES: dict[str, tuple[Rule, ...]] = {
    "AWS::S3::Bucket": (lambda p, _t: _acl_disabled(p),),
    "AWS::S3::BucketPolicy": (lambda p, _t: _tls_deny_as_string(p),),
    "AWS::IAM::Role": (lambda p, _t: _service_role_inline_policy(p),),
    "AWS::CloudTrail::Trail": (
        _trail_key_parameter,
        lambda p, _t: _trail_advanced_selectors(p),
        lambda p, _t: _trail_without_cloudwatch_logs(p),
    ),
}


def _merge(metadata: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = json.loads(json.dumps(metadata))
    for rule in extra.get("cfn_nag", {}).get("rules_to_suppress", []):
        nag_rules = merged.setdefault("cfn_nag", {}).setdefault("rules_to_suppress", [])
        if rule["id"] not in [r.get("id") for r in nag_rules]:
            nag_rules.append(rule)
    guard = extra.get("guard")
    if guard:
        mine = merged.setdefault("guard", {})
        names = mine.setdefault("SuppressedRules", [])
        reasons = mine.setdefault("Reasons", {})
        for name in guard["SuppressedRules"]:
            if name not in names:
                names.append(name)
                reasons[name] = guard["Reasons"][name]
    return merged


def _guard_form_of_cfn_nag(metadata: dict[str, Any]) -> list[Suppression]:
    """The Guard form of the component's own cfn_nag suppressions (same rule, same reason)."""
    rules = (metadata.get("cfn_nag") or {}).get("rules_to_suppress") or []
    return [
        nag(str(r["id"]), str(r["reason"]))
        for r in rules
        if isinstance(r, dict) and r.get("id") in GUARD_RULE_FOR_CFN_NAG and r.get("reason")
    ]


def annotate(t: Template) -> Template:
    """Add the suppressions whose facts hold to the template's resources (in place), and the
    Guard form of the cfn_nag suppressions the components wrote."""
    doc = json.loads(render.template_json(t))
    for name, res in doc.get("Resources", {}).items():
        props = res.get("Properties") or {}
        found = _guard_form_of_cfn_nag(res.get("Metadata") or {})
        found += [x for rule in RULES.get(res.get("Type", ""), ()) for x in rule(props, doc)]
        if found:
            obj = t.resources[name]
            current = res.get("Metadata") or {}
            obj.Metadata = _merge(current, suppress(*found))
    return t

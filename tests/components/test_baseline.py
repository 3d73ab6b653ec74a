"""The account baseline: exact roles, policies, rules and event patterns; what the patterns catch.

Event patterns are evaluated with moto's EventBridge pattern matcher against CloudTrail events
shaped like the "AWS API Call via CloudTrail" events EventBridge receives, both successful
calls and calls denied with an errorCode.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint
from moto.events.models import EventPattern, EventPatternParser

from cfct_build import naming, render
from cfct_build.components import baseline
from cfct_build.config import Settings, parse_settings
from cfct_build.manifest import Resource
from e2e.intrinsics import StackContext, resolve

EXAMPLE_TEXT = (Path(__file__).resolve().parents[2] / "cfct-build.yaml").read_text()

ARCHIVE = "cfct-build-cloudtrail-222222222222-us-east-1"
ACCESS_LOGS = "cfct-build-cloudtrail-access-logs-222222222222-us-east-1"
REPLICA = "cfct-build-cloudtrail-replica-222222222222-us-west-2"
TRAIL = "cfct-build-org-data-events"
TRAIL_ARN = f"arn:${{AWS::Partition}}:cloudtrail:us-east-1:111111111111:trail/{TRAIL}"
BUS_ARN = "arn:${AWS::Partition}:events:us-east-1:333333333333:event-bus/cfct-build-tamper-alerts"
KEY_ID = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
REPLICA_KEY_ID = "11111111-2222-3333-4444-555555555555"
KEY_ARN = f"arn:aws:kms:us-east-1:333333333333:key/{KEY_ID}"
REPLICA_KEY_ARN = f"arn:aws:kms:us-west-2:222222222222:key/{REPLICA_KEY_ID}"
ALIAS = "alias/cfct-build/cloudtrail"
REPLICA_ALIAS = "alias/cfct-build/cloudtrail-replica"
UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
TAGS = [{"Key": "cfct-build:component", "Value": "account-baseline"}]
WORKLOAD = "444455556666"


def sub(text: str) -> dict[str, str]:
    return {"Fn::Sub": text}


def key_id(parameter: str) -> dict[str, Any]:
    return {"Fn::Select": [1, {"Fn::Split": ["/", {"Ref": parameter}]}]}


def template(s: Settings) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(render.template_json(baseline.build(s)))
    return result


def variant(s: Settings, **changes: Any) -> Settings:
    """The settings with `baseline.<section>.<field>` (written section__field) changed."""
    b = s.baseline
    for dotted, value in changes.items():
        section, field = dotted.split("__")
        part = getattr(b, section).model_copy(update={field: value})
        b = b.model_copy(update={section: part})
    return s.model_copy(update={"baseline": b})


def strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [x for k, v in node.items() for x in [k, *strings(v)]]
    if isinstance(node, list):
        return [x for v in node for x in strings(v)]
    return []


# --------------------------------------------------------------------------- where it goes


def test_resource(settings: Settings) -> None:
    assert baseline.resource(settings) == Resource(
        name="cfct-build-account-baseline",
        description="cfct-build: account baseline (own-logs reader, tamper alerts) for every "
        "governed account and the management account",
        resource_file="templates/account-baseline.template",
        deploy_method="stack_set",
        accounts=("111111111111",),
        organizational_units=(
            "Security",
            "Infrastructure",
            "Workloads",
            "Workloads:Prod",
            "Workloads:NonProd",
            "Sandbox",
        ),
        regions=("us-east-1", "us-west-2"),
        parameters=(
            ("KeyArn", "$[alfred_ssm_/cfct-build/log-archive/key-arn]"),
            ("ReplicaKeyArn", "$[alfred_ssm_/cfct-build/log-archive/replica-key-arn]"),
        ),
    )


def test_without_replica_or_alerts_the_home_region_only(settings: Settings) -> None:
    no_replica = settings.model_copy(
        update={"bucket": settings.bucket.model_copy(update={"replica_region": None})}
    )
    no_alerts = variant(settings, tamper_alerts__enabled=False)
    for s in (no_replica, no_alerts):
        r = baseline.resource(s)
        assert (r.regions, r.parameters) == (
            ("us-east-1",),
            (("KeyArn", "$[alfred_ssm_/cfct-build/log-archive/key-arn]"),),
        )
        t = template(s)
        assert (sorted(t["Parameters"]), "Conditions" in t) == (["KeyArn"], False)
        assert "Condition" not in t["Resources"].get("OwnLogsReaderRole", {})
    assert sorted(template(no_alerts)["Resources"]) == ["OwnLogsReaderRole"]


def test_no_ous_still_reaches_the_management_account(settings: Settings) -> None:
    s = settings.model_copy(
        update={
            "organization": settings.organization.model_copy(update={"organizational_units": []})
        }
    )
    r = baseline.resource(s)
    assert (r.accounts, r.organizational_units) == (("111111111111",), ())


def test_both_parts_off_means_no_baseline(settings: Settings) -> None:
    off = variant(settings, own_logs_reader__enabled=False, tamper_alerts__enabled=False)
    assert baseline.enabled(off) is False
    with pytest.raises(ValueError, match="both disabled"):
        baseline.build(off)


def test_parameters_and_condition(settings: Settings) -> None:
    t = template(settings)
    assert t["Parameters"] == {
        "KeyArn": {
            "Type": "String",
            "Description": "ARN of the log-archive KMS key (from SSM /cfct-build/log-archive/key-arn).",
            "AllowedPattern": f"^arn:aws[a-z-]*:kms:us-east-1:333333333333:key/{UUID}$",
            "ConstraintDescription": "must be the ARN of a KMS key in account 333333333333, "
            "Region us-east-1",
        },
        "ReplicaKeyArn": {
            "Type": "String",
            "Description": "ARN of the replica KMS key (from SSM "
            "/cfct-build/log-archive/replica-key-arn).",
            "AllowedPattern": f"^arn:aws[a-z-]*:kms:us-west-2:222222222222:key/{UUID}$",
            "ConstraintDescription": "must be the ARN of a KMS key in account 222222222222, "
            "Region us-west-2",
        },
    }
    assert t["Conditions"] == {
        "InHomeRegion": {"Fn::Equals": [{"Ref": "AWS::Region"}, "us-east-1"]}
    }
    assert sorted(t["Resources"]) == [
        "LogBucketTamperRule",
        "LogKeyTamperRule",
        "OwnLogsReaderRole",
        "TamperAlertForwarderRole",
        "TrailTamperRule",
    ]
    assert "Outputs" not in t


# --------------------------------------------------------------------------- own-logs reader

OWN = "cloudtrail/AWSLogs/o-a1b2c3d4e5/${AWS::AccountId}/"


def test_own_logs_reader_role(settings: Settings) -> None:
    assert template(settings)["Resources"]["OwnLogsReaderRole"] == {
        "Type": "AWS::IAM::Role",
        "Condition": "InHomeRegion",
        "Metadata": {
            "cfn_nag": {
                "rules_to_suppress": [
                    {
                        "id": "W28",
                        "reason": "Fixed name: the archive bucket policy and the log-archive key "
                        "policy grant this role name in every account of the organization.",
                    },
                    {
                        "id": "F10",
                        "reason": "cfn_nag's F10 is about inline policies of IAM users; this is "
                        "a role, and its inline policy belongs to it one-to-one, is deleted with "
                        "it and cannot be attached to any other principal.",
                    },
                ]
            }
        },
        "Properties": {
            "RoleName": "cfct-build-own-logs-reader",
            "Path": "/",
            "Description": "cfct-build: reads this account's own CloudTrail logs in the log archive",
            "MaxSessionDuration": 3600,
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "ThisAccountsPeopleAssumeReader",
                        "Effect": "Allow",
                        "Principal": {
                            "AWS": [sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")]
                        },
                        "Action": ["sts:AssumeRole"],
                        "Condition": {
                            "ArnLike": {
                                "aws:PrincipalArn": [
                                    sub(
                                        "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/"
                                        "aws-reserved/sso.amazonaws.com/*"
                                    )
                                ]
                            }
                        },
                    }
                ],
            },
            "Policies": [
                {
                    "PolicyName": "read-own-cloudtrail-logs",
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Sid": "ListOwnLogs",
                                "Effect": "Allow",
                                "Action": ["s3:ListBucket"],
                                "Resource": [sub(f"arn:${{AWS::Partition}}:s3:::{ARCHIVE}")],
                                "Condition": {"StringLike": {"s3:prefix": [sub(f"{OWN}*")]}},
                            },
                            {
                                "Sid": "ReadOwnLogs",
                                "Effect": "Allow",
                                "Action": ["s3:GetObject", "s3:GetObjectVersion"],
                                "Resource": [sub(f"arn:${{AWS::Partition}}:s3:::{ARCHIVE}/{OWN}*")],
                            },
                            {
                                "Sid": "DecryptOwnLogsThroughS3",
                                "Effect": "Allow",
                                "Action": ["kms:Decrypt"],
                                "Resource": [{"Ref": "KeyArn"}],
                                "Condition": {
                                    "StringEquals": {
                                        "kms:ViaService": "s3.us-east-1.amazonaws.com",
                                        "kms:EncryptionContext:aws:cloudtrail:arn": sub(TRAIL_ARN),
                                    }
                                },
                            },
                        ],
                    },
                }
            ],
            "Tags": TAGS,
        },
    }


def test_reader_trust_follows_the_settings(settings: Settings) -> None:
    s = variant(
        settings,
        own_logs_reader__role_name="AuditOwnLogs",
        own_logs_reader__assumable_by=["team/*", "Auditor"],
    )
    props = template(s)["Resources"]["OwnLogsReaderRole"]["Properties"]
    assert props["RoleName"] == "AuditOwnLogs"
    assert props["AssumeRolePolicyDocument"]["Statement"][0]["Condition"] == {
        "ArnLike": {
            "aws:PrincipalArn": [
                sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/team/*"),
                sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/Auditor"),
            ]
        }
    }


def test_reader_off_leaves_only_the_alerts(settings: Settings) -> None:
    t = template(variant(settings, own_logs_reader__enabled=False))
    assert sorted(t["Resources"]) == [
        "LogBucketTamperRule",
        "LogKeyTamperRule",
        "TamperAlertForwarderRole",
        "TrailTamperRule",
    ]
    assert "Conditions" not in t


# --------------------------------------------------------------------------- tamper alerts

RULE_ARN = "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/"


def test_forwarder_role(settings: Settings) -> None:
    assert template(settings)["Resources"]["TamperAlertForwarderRole"] == {
        "Type": "AWS::IAM::Role",
        "Metadata": {
            "cfn_nag": {
                "rules_to_suppress": [
                    {
                        "id": "W28",
                        "reason": "Fixed name per Region: the central bus policy accepts only "
                        "roles of this name from accounts of the organization.",
                    }
                ]
            }
        },
        "Properties": {
            "RoleName": sub("cfct-build-tamper-forwarder-${AWS::Region}"),
            "Path": "/",
            "Description": "cfct-build: forwards tamper alerts to the central bus in the audit "
            "account",
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "TamperRulesAssumeForwarder",
                        "Effect": "Allow",
                        "Principal": {"Service": ["events.amazonaws.com"]},
                        "Action": ["sts:AssumeRole"],
                        "Condition": {
                            "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}},
                            "ArnLike": {
                                "aws:SourceArn": [
                                    sub(f"{RULE_ARN}cfct-build-tamper-trail"),
                                    sub(f"{RULE_ARN}cfct-build-tamper-log-buckets"),
                                    sub(f"{RULE_ARN}cfct-build-tamper-log-keys"),
                                ]
                            },
                        },
                    }
                ],
            },
            "Policies": [
                {
                    "PolicyName": "put-events-on-central-bus",
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Sid": "PutEventsOnCentralBusOnly",
                                "Effect": "Allow",
                                "Action": ["events:PutEvents"],
                                "Resource": [sub(BUS_ARN)],
                            }
                        ],
                    },
                }
            ],
            "Tags": TAGS,
        },
    }


def rule(name: str, what: str, pattern: dict[str, Any]) -> dict[str, Any]:
    return {
        "Type": "AWS::Events::Rule",
        "Properties": {
            "Name": name,
            "Description": f"cfct-build: attempts to change or destroy {what}, successful or "
            "denied, forwarded to the central tamper-alert bus",
            "EventBusName": "default",
            "State": "ENABLED",
            "EventPattern": pattern,
            "Targets": [
                {
                    "Id": "CentralTamperAlertBus",
                    "Arn": sub(BUS_ARN),
                    "RoleArn": {"Fn::GetAtt": ["TamperAlertForwarderRole", "Arn"]},
                }
            ],
            "Tags": TAGS,
        },
    }


def api_call(source: str, detail: dict[str, Any]) -> dict[str, Any]:
    return {"source": [source], "detail-type": ["AWS API Call via CloudTrail"], "detail": detail}


def test_tamper_rules(settings: Settings) -> None:
    resources = template(settings)["Resources"]
    trail_names = [TRAIL, sub(TRAIL_ARN)]
    assert {k: v for k, v in resources.items() if v["Type"] == "AWS::Events::Rule"} == {
        "TrailTamperRule": rule(
            "cfct-build-tamper-trail",
            "the organization trail",
            api_call(
                "aws.cloudtrail",
                {
                    "eventSource": ["cloudtrail.amazonaws.com"],
                    "eventName": [
                        "DeleteTrail",
                        "PutEventSelectors",
                        "PutInsightSelectors",
                        "StopLogging",
                        "UpdateTrail",
                    ],
                    "$or": [
                        {"requestParameters": {"name": trail_names}},
                        {"requestParameters": {"trailName": trail_names}},
                    ],
                },
            ),
        ),
        "LogBucketTamperRule": rule(
            "cfct-build-tamper-log-buckets",
            "the log-archive buckets",
            api_call(
                "aws.s3",
                {
                    "eventSource": ["s3.amazonaws.com"],
                    "eventName": [
                        "DeleteBucket",
                        "DeleteBucketEncryption",
                        "DeleteBucketLifecycle",
                        "DeleteBucketOwnershipControls",
                        "DeleteBucketPolicy",
                        "DeleteBucketPublicAccessBlock",
                        "DeleteBucketReplication",
                        "PutBucketEncryption",
                        "PutBucketLifecycle",
                        "PutBucketLifecycleConfiguration",
                        "PutBucketLogging",
                        "PutBucketOwnershipControls",
                        "PutBucketPolicy",
                        "PutBucketPublicAccessBlock",
                        "PutBucketReplication",
                        "PutBucketVersioning",
                        "PutObjectLockConfiguration",
                    ],
                    "requestParameters": {"bucketName": [ARCHIVE, ACCESS_LOGS, REPLICA]},
                },
            ),
        ),
        "LogKeyTamperRule": rule(
            "cfct-build-tamper-log-keys",
            "the log-archive keys",
            api_call(
                "aws.kms",
                {
                    "eventSource": ["kms.amazonaws.com"],
                    "eventName": [
                        "CreateGrant",
                        "DeleteAlias",
                        "DisableKey",
                        "DisableKeyRotation",
                        "PutKeyPolicy",
                        "ScheduleKeyDeletion",
                        "UpdateAlias",
                    ],
                    "$or": [
                        {
                            "requestParameters": {
                                "keyId": [
                                    {"Ref": "KeyArn"},
                                    key_id("KeyArn"),
                                    {"Ref": "ReplicaKeyArn"},
                                    key_id("ReplicaKeyArn"),
                                ]
                            }
                        },
                        {
                            "recipientAccountId": ["333333333333"],
                            "awsRegion": ["us-east-1"],
                            "requestParameters": {"aliasName": [ALIAS]},
                        },
                        {
                            "recipientAccountId": ["222222222222"],
                            "awsRegion": ["us-west-2"],
                            "requestParameters": {"aliasName": [REPLICA_ALIAS]},
                        },
                    ],
                },
            ),
        ),
    }


# --------------------------------------------------------------------------- what the rules catch


def deployed_patterns(s: Settings, region: str = "us-east-1") -> dict[str, EventPattern]:
    """Each rule's pattern as the stack in a workload account deploys it (moto's matcher)."""
    t = template(s)
    params = {"KeyArn": KEY_ARN, "ReplicaKeyArn": REPLICA_KEY_ARN}
    ctx = StackContext(account=WORKLOAD, region=region, parameters=params)
    patterns = {}
    for res in t["Resources"].values():
        if res["Type"] == "AWS::Events::Rule":
            text = json.dumps(resolve(res["Properties"]["EventPattern"], ctx))
            patterns[res["Properties"]["Name"]] = EventPattern(
                text, EventPatternParser(text).parse()
            )
    return patterns


def cloudtrail_event(
    source: str,
    name: str,
    request: dict[str, Any],
    error: str | None = None,
    account: str = WORKLOAD,
    region: str = "us-east-1",
) -> dict[str, Any]:
    """An "AWS API Call via CloudTrail" event as EventBridge delivers it."""
    detail: dict[str, Any] = {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "AssumedRole",
            "arn": f"arn:aws:sts::{WORKLOAD}:assumed-role/Admin/someone",
            "accountId": WORKLOAD,
        },
        "eventTime": "2026-11-21T10:00:00Z",
        "eventSource": f"{source.removeprefix('aws.')}.amazonaws.com",
        "eventName": name,
        "awsRegion": region,
        "recipientAccountId": account,
        "requestParameters": request,
        "responseElements": None,
        "eventType": "AwsApiCall",
        "managementEvent": True,
    }
    if error:
        detail["errorCode"] = error
        detail["errorMessage"] = "User is not authorized to perform this operation"
    return {
        "version": "0",
        "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
        "detail-type": "AWS API Call via CloudTrail",
        "source": source,
        "account": account,
        "time": "2026-11-21T10:00:00Z",
        "region": region,
        "resources": [],
        "detail": detail,
    }


DENIED = "AccessDenied"
TRAIL_ARN_AWS = f"arn:aws:cloudtrail:us-east-1:111111111111:trail/{TRAIL}"
EVENTS: dict[str, tuple[dict[str, Any], str | None]] = {
    # (event, the rule that must catch it, or None)
    "stop-logging": (
        cloudtrail_event("aws.cloudtrail", "StopLogging", {"name": TRAIL}),
        "cfct-build-tamper-trail",
    ),
    "stop-logging-by-arn-denied": (
        cloudtrail_event("aws.cloudtrail", "StopLogging", {"name": TRAIL_ARN_AWS}, DENIED),
        "cfct-build-tamper-trail",
    ),
    "delete-trail-denied": (
        cloudtrail_event("aws.cloudtrail", "DeleteTrail", {"name": TRAIL_ARN_AWS}, DENIED),
        "cfct-build-tamper-trail",
    ),
    "update-trail": (
        cloudtrail_event("aws.cloudtrail", "UpdateTrail", {"name": TRAIL, "s3BucketName": "x"}),
        "cfct-build-tamper-trail",
    ),
    "put-event-selectors-denied": (
        cloudtrail_event(
            "aws.cloudtrail", "PutEventSelectors", {"trailName": TRAIL_ARN_AWS}, DENIED
        ),
        "cfct-build-tamper-trail",
    ),
    "another-trail-stopped": (
        cloudtrail_event("aws.cloudtrail", "StopLogging", {"name": "team-trail"}),
        None,
    ),
    "our-trail-started": (
        cloudtrail_event("aws.cloudtrail", "StartLogging", {"name": TRAIL}),
        None,
    ),
    "bucket-policy-put-denied": (
        cloudtrail_event("aws.s3", "PutBucketPolicy", {"bucketName": ARCHIVE}, DENIED),
        "cfct-build-tamper-log-buckets",
    ),
    "bucket-policy-deleted": (
        cloudtrail_event("aws.s3", "DeleteBucketPolicy", {"bucketName": ARCHIVE}),
        "cfct-build-tamper-log-buckets",
    ),
    "lifecycle-put": (
        cloudtrail_event("aws.s3", "PutBucketLifecycle", {"bucketName": ACCESS_LOGS}),
        "cfct-build-tamper-log-buckets",
    ),
    "lifecycle-configuration-put": (
        cloudtrail_event("aws.s3", "PutBucketLifecycleConfiguration", {"bucketName": ARCHIVE}),
        "cfct-build-tamper-log-buckets",
    ),
    "ownership-controls-deleted": (
        cloudtrail_event("aws.s3", "DeleteBucketOwnershipControls", {"bucketName": REPLICA}),
        "cfct-build-tamper-log-buckets",
    ),
    "object-lock-put-denied": (
        cloudtrail_event("aws.s3", "PutObjectLockConfiguration", {"bucketName": ARCHIVE}, DENIED),
        "cfct-build-tamper-log-buckets",
    ),
    "replica-versioning-suspended": (
        cloudtrail_event("aws.s3", "PutBucketVersioning", {"bucketName": REPLICA}),
        "cfct-build-tamper-log-buckets",
    ),
    "other-bucket-policy": (
        cloudtrail_event("aws.s3", "PutBucketPolicy", {"bucketName": "team-data"}),
        None,
    ),
    "our-bucket-policy-read": (
        cloudtrail_event("aws.s3", "GetBucketPolicy", {"bucketName": ARCHIVE}),
        None,
    ),
    "key-deletion-by-id": (
        cloudtrail_event("aws.kms", "ScheduleKeyDeletion", {"keyId": KEY_ID}),
        "cfct-build-tamper-log-keys",
    ),
    "key-disable-by-arn-denied": (
        cloudtrail_event("aws.kms", "DisableKey", {"keyId": KEY_ARN}, DENIED),
        "cfct-build-tamper-log-keys",
    ),
    "key-policy-put": (
        cloudtrail_event("aws.kms", "PutKeyPolicy", {"keyId": KEY_ID, "policyName": "default"}),
        "cfct-build-tamper-log-keys",
    ),
    "replica-key-rotation-off": (
        cloudtrail_event("aws.kms", "DisableKeyRotation", {"keyId": REPLICA_KEY_ARN}),
        "cfct-build-tamper-log-keys",
    ),
    "key-grant-created": (
        cloudtrail_event("aws.kms", "CreateGrant", {"keyId": KEY_ARN, "operations": ["Decrypt"]}),
        "cfct-build-tamper-log-keys",
    ),
    "alias-deleted-denied": (
        cloudtrail_event(
            "aws.kms", "DeleteAlias", {"aliasName": ALIAS}, DENIED, account="333333333333"
        ),
        "cfct-build-tamper-log-keys",
    ),
    "replica-alias-repointed": (
        cloudtrail_event(
            "aws.kms",
            "UpdateAlias",
            {"aliasName": REPLICA_ALIAS, "targetKeyId": "00000000-0000-0000-0000-000000000000"},
            account="222222222222",
            region="us-west-2",
        ),
        "cfct-build-tamper-log-keys",
    ),
    "same-named-alias-of-another-account-deleted": (
        cloudtrail_event("aws.kms", "DeleteAlias", {"aliasName": ALIAS}),
        None,
    ),
    "replica-alias-name-in-the-home-region-deleted": (
        cloudtrail_event(
            "aws.kms", "DeleteAlias", {"aliasName": REPLICA_ALIAS}, account="222222222222"
        ),
        None,
    ),
    "another-alias-pointed-at-our-key": (
        cloudtrail_event(
            "aws.kms",
            "UpdateAlias",
            {"aliasName": "alias/team", "targetKeyId": KEY_ID},
            account="333333333333",
        ),
        None,
    ),
    "other-key-deletion": (
        cloudtrail_event(
            "aws.kms", "ScheduleKeyDeletion", {"keyId": "00000000-0000-0000-0000-000000000000"}
        ),
        None,
    ),
    "our-key-described": (
        cloudtrail_event("aws.kms", "DescribeKey", {"keyId": KEY_ID}),
        None,
    ),
}


@pytest.mark.parametrize("name", list(EVENTS))
def test_rules_catch_attempts_successful_or_denied(settings: Settings, name: str) -> None:
    event, expected = EVENTS[name]
    patterns = deployed_patterns(settings)
    assert [n for n, p in patterns.items() if p.matches_event(event)] == (
        [expected] if expected else []
    )


def test_the_replica_region_stack_catches_the_same(settings: Settings) -> None:
    """The template is the same in both Regions: the patterns do not depend on the Region."""
    home = {n: p.get_pattern() for n, p in deployed_patterns(settings).items()}
    replica = {n: p.get_pattern() for n, p in deployed_patterns(settings, "us-west-2").items()}
    assert home == replica


# --------------------------------------------------------------------------- whole template


@pytest.mark.parametrize(
    "changes",
    [{}, {"own_logs_reader__enabled": False}, {"tamper_alerts__enabled": False}],
    ids=["example", "no-reader", "no-alerts"],
)
def test_cfn_lint_clean(settings: Settings, changes: dict[str, Any]) -> None:
    text = render.template_json(baseline.build(variant(settings, **changes)))
    matches = lint(text, config=ManualArgs(include_checks=["I"], regions=["us-east-1"]))
    assert [(m.rule.id, m.message) for m in matches] == []


def test_no_literal_partition(settings: Settings) -> None:
    assert [x for x in strings(template(settings)) if "arn:aws:" in x] == []


def test_deterministic(settings: Settings) -> None:
    assert render.template_json(baseline.build(settings)) == render.template_json(
        baseline.build(settings)
    )


def test_names_come_from_naming(settings: Settings) -> None:
    resources = template(settings)["Resources"]
    assert [
        resources[r]["Properties"]["Name"]
        for r in ("TrailTamperRule", "LogBucketTamperRule", "LogKeyTamperRule")
    ] == [naming.TAMPER_RULE_TRAIL, naming.TAMPER_RULE_BUCKETS, naming.TAMPER_RULE_KEYS]
    assert naming.tamper_forwarder_role("us-west-2") == "cfct-build-tamper-forwarder-us-west-2"


def test_other_partition_keeps_partition_free_arns() -> None:
    text = (
        EXAMPLE_TEXT.replace("partition: aws", "partition: aws-us-gov")
        .replace("us-east-1", "us-gov-west-1")
        .replace("us-west-2", "us-gov-east-1")
        .replace("    - eu-west-1\n", "")
        .replace("arn:aws:", "arn:aws-us-gov:")
    )
    s = parse_settings(text)
    t = template(s)
    assert [x for x in strings(t) if "arn:aws:" in x or "arn:aws-us-gov:" in x] == []
    assert t["Parameters"]["KeyArn"]["AllowedPattern"] == (
        f"^arn:aws[a-z-]*:kms:us-gov-west-1:333333333333:key/{UUID}$"
    )

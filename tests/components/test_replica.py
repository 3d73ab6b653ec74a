"""The replica component: key and Object Lock bucket in the replica Region."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint
from key_expected import ADMIN_ACTIONS
from log_bucket_expected import expected_guards, sub
from s3_policy_eval import Request, evaluate, resolve

from cfct_build import render
from cfct_build.components import replica
from cfct_build.config import Settings, parse_settings
from cfct_build.manifest import Resource

EXAMPLE_TEXT = (Path(__file__).resolve().parents[2] / "cfct-build.yaml").read_text()
REPLICA = "cfct-build-cloudtrail-replica-222222222222-us-west-2"
TAGS = [{"Key": "cfct-build:component", "Value": "log-archive-replica"}]
CT_EXEC = sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/AWSControlTowerExecution")
PROTECTED_ACTIONS = [
    "kms:DeleteAlias",
    "kms:DisableKey",
    "kms:DisableKeyRotation",
    "kms:PutKeyPolicy",
    "kms:ScheduleKeyDeletion",
]
REPLICATION_ROLE = sub(
    "arn:${AWS::Partition}:iam::222222222222:role/cfct-build-cloudtrail-replication"
)


def template(s: Settings) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(render.template_json(replica.build(s)))
    return result


def key_statements(s: Settings) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = template(s)["Resources"]["ReplicaKey"]["Properties"][
        "KeyPolicy"
    ]["Statement"]
    return result


def test_replica_bucket_resource(settings: Settings) -> None:
    assert template(settings)["Resources"]["ReplicaBucket"] == {
        "Type": "AWS::S3::Bucket",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Metadata": {
            "cfn_nag": {
                "rules_to_suppress": [
                    {
                        "id": "W35",
                        "reason": "Replica written only by S3 replication from the archive "
                        "bucket, whose access is logged; S3 cannot log across Regions and a "
                        "second access-log bucket per Region adds cost without a new signal. "
                        "Management API calls are recorded by Control Tower's trail.",
                    }
                ]
            }
        },
        "Properties": {
            "BucketName": REPLICA,
            "ObjectLockEnabled": True,
            "ObjectLockConfiguration": {
                "ObjectLockEnabled": "Enabled",
                "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 365}},
            },
            "VersioningConfiguration": {"Status": "Enabled"},
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    {
                        "ServerSideEncryptionByDefault": {
                            "SSEAlgorithm": "aws:kms",
                            "KMSMasterKeyID": {"Fn::GetAtt": ["ReplicaKey", "Arn"]},
                        },
                        "BucketKeyEnabled": True,
                    }
                ]
            },
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
            "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
            "LifecycleConfiguration": {
                "Rules": [
                    {
                        "Id": "TransitionAndExpireLogs",
                        "Status": "Enabled",
                        "Transitions": [
                            {"StorageClass": "GLACIER_IR", "TransitionInDays": 90},
                            {"StorageClass": "DEEP_ARCHIVE", "TransitionInDays": 400},
                        ],
                        "ExpirationInDays": 2557,
                        "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
                        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
                    }
                ],
                "TransitionDefaultMinimumObjectSize": "all_storage_classes_128K",
            },
            "Tags": TAGS,
        },
    }


def test_replica_bucket_policy(settings: Settings) -> None:
    assert template(settings)["Resources"]["ReplicaBucketPolicy"] == {
        "Type": "AWS::S3::BucketPolicy",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": {
            "Bucket": {"Ref": "ReplicaBucket"},
            "PolicyDocument": {"Version": "2012-10-17", "Statement": expected_guards(REPLICA)},
        },
    }


def test_replica_key_resource(settings: Settings) -> None:
    key = template(settings)["Resources"]["ReplicaKey"]
    del key["Properties"]["KeyPolicy"]  # asserted statement by statement below
    assert key == {
        "Type": "AWS::KMS::Key",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": {
            "Description": "cfct-build: encrypts the replica of CloudTrail logs of "
            "cfct-build-org-data-events",
            "Enabled": True,
            "EnableKeyRotation": True,
            "RotationPeriodInDays": 365,
            "KeySpec": "SYMMETRIC_DEFAULT",
            "KeyUsage": "ENCRYPT_DECRYPT",
            "MultiRegion": False,
            "PendingWindowInDays": 30,
            "Tags": TAGS,
        },
    }
    assert template(settings)["Resources"]["ReplicaKeyAlias"] == {
        "Type": "AWS::KMS::Alias",
        "Properties": {
            "AliasName": "alias/cfct-build/cloudtrail-replica",
            "TargetKeyId": {"Ref": "ReplicaKey"},
        },
    }


def test_replica_key_policy(settings: Settings) -> None:
    assert key_statements(settings) == [
        {
            "Sid": "CloudFormationExecutionRoleAdministersKey",
            "Effect": "Allow",
            "Principal": {"AWS": [CT_EXEC]},
            "Action": ADMIN_ACTIONS,
            "Resource": ["*"],
        },
        {
            "Sid": "ReplicationRoleEncryptsReplicas",
            "Effect": "Allow",
            "Principal": {"AWS": [sub("arn:${AWS::Partition}:iam::222222222222:root")]},
            "Action": ["kms:Encrypt", "kms:GenerateDataKey"],
            "Resource": ["*"],
            "Condition": {
                "ArnEquals": {"aws:PrincipalArn": [REPLICATION_ROLE]},
                "StringEquals": {"kms:ViaService": "s3.us-west-2.amazonaws.com"},
            },
        },
        {
            "Sid": "ReadersDecryptReplicasThroughS3",
            "Effect": "Allow",
            "Principal": {
                "AWS": [
                    sub("arn:${AWS::Partition}:iam::222222222222:root"),
                    sub("arn:${AWS::Partition}:iam::333333333333:root"),
                ]
            },
            "Action": ["kms:Decrypt"],
            "Resource": ["*"],
            "Condition": {
                "ArnEquals": {
                    "aws:PrincipalArn": [
                        sub("arn:${AWS::Partition}:iam::333333333333:role/SecurityLogReader"),
                        sub("arn:${AWS::Partition}:iam::222222222222:role/LogArchiveReader"),
                    ]
                },
                "StringEquals": {
                    "aws:PrincipalOrgID": "o-a1b2c3d4e5",
                    "kms:ViaService": "s3.us-west-2.amazonaws.com",
                },
            },
        },
        {
            "Sid": "DenyKeyDestructionExceptAdministrators",
            "Effect": "Deny",
            "Principal": {"AWS": ["*"]},
            "Action": PROTECTED_ACTIONS,
            "Resource": ["*"],
            "Condition": {"ArnNotLike": {"aws:PrincipalArn": [CT_EXEC]}},
        },
    ]


def test_admin_roles_in_log_archive_account_administer_replica_key() -> None:
    text = EXAMPLE_TEXT.replace("  account: audit\n", "  account: log_archive\n").replace(
        "arn:aws:iam::333333333333:role/SecurityKeyAdmin",
        "arn:aws:iam::222222222222:role/SecurityKeyAdmin",
    )
    s = parse_settings(text)
    admin = sub("arn:${AWS::Partition}:iam::222222222222:role/SecurityKeyAdmin")
    by_sid = {st["Sid"]: st for st in key_statements(s)}
    assert list(by_sid) == [
        "CloudFormationExecutionRoleAdministersKey",
        "KeyAdministrators",
        "ReplicationRoleEncryptsReplicas",
        "ReadersDecryptReplicasThroughS3",
        "DenyKeyDestructionExceptAdministrators",
    ]
    assert by_sid["KeyAdministrators"] == {
        "Sid": "KeyAdministrators",
        "Effect": "Allow",
        "Principal": {"AWS": [sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")]},
        "Action": ADMIN_ACTIONS,
        "Resource": ["*"],
        "Condition": {"ArnEquals": {"aws:PrincipalArn": [admin]}},
    }
    assert by_sid["DenyKeyDestructionExceptAdministrators"]["Condition"] == {
        "ArnNotLike": {"aws:PrincipalArn": [CT_EXEC, admin]}
    }


def test_without_readers_no_reader_statement(settings: Settings) -> None:
    s = settings.model_copy(update={"key": settings.key.model_copy(update={"reader_roles": []})})
    assert [st["Sid"] for st in key_statements(s)] == [
        "CloudFormationExecutionRoleAdministersKey",
        "ReplicationRoleEncryptsReplicas",
        "DenyKeyDestructionExceptAdministrators",
    ]


def test_outputs(settings: Settings) -> None:
    assert template(settings)["Outputs"] == {
        "ReplicaBucketArn": {
            "Description": "Replica bucket ARN",
            "Value": {"Fn::GetAtt": ["ReplicaBucket", "Arn"]},
        },
        "ReplicaKeyArn": {
            "Description": "ARN of the replica key",
            "Value": {"Fn::GetAtt": ["ReplicaKey", "Arn"]},
        },
    }
    assert "Parameters" not in template(settings)


def test_resource(settings: Settings) -> None:
    assert replica.resource(settings) == Resource(
        name="cfct-build-log-archive-replica",
        description="cfct-build: Object Lock replica bucket and key in a second Region",
        resource_file="templates/log-archive-replica.template",
        deploy_method="stack_set",
        accounts=("222222222222",),
        regions=("us-west-2",),
        export_outputs=(("/cfct-build/log-archive/replica-key-arn", "$[output_ReplicaKeyArn]"),),
    )


def test_without_replica_region_nothing_is_built(settings: Settings) -> None:
    s = settings.model_copy(
        update={"bucket": settings.bucket.model_copy(update={"replica_region": None})}
    )
    with pytest.raises(ValueError, match=r"bucket\.replica_region is not set"):
        replica.build(s)
    with pytest.raises(ValueError, match=r"bucket\.replica_region is not set"):
        replica.resource(s)


def test_compliance_mode_carries_over() -> None:
    text = EXAMPLE_TEXT.replace("mode: GOVERNANCE", "mode: COMPLIANCE").replace(
        "acknowledge_compliance_mode: false", "acknowledge_compliance_mode: true"
    )
    props = template(parse_settings(text))["Resources"]["ReplicaBucket"]["Properties"]
    assert props["ObjectLockConfiguration"] == {
        "ObjectLockEnabled": "Enabled",
        "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 365}},
    }


def test_no_literal_partition_and_deterministic(settings: Settings) -> None:
    text = render.template_json(replica.build(settings))
    assert "arn:aws:" not in text
    assert text == render.template_json(replica.build(settings))


def test_cfn_lint_clean(settings: Settings) -> None:
    text = render.template_json(replica.build(settings))
    matches = lint(text, config=ManualArgs(include_checks=["I"], regions=["us-west-2"]))
    assert [(m.rule.id, m.message) for m in matches] == []


# --------------------------------------------------------------------------- evaluation

NAMES = {"AWS::Partition": "aws", "AWS::AccountId": "222222222222", "AWS::Region": "us-west-2"}
OBJECT = f"arn:aws:s3:::{REPLICA}/cloudtrail/AWSLogs/o-a1b2c3d4e5/x.json.gz"
ROLE = "arn:aws:iam::222222222222:role/cfct-build-cloudtrail-replication"
ADMIN = "arn:aws:iam::222222222222:role/AWSReservedSSO_AdministratorAccess_0123456789abcdef"


def request(arn: str, action: str, org: str = "o-a1b2c3d4e5", tls: str = "true") -> Request:
    return Request(
        action=action,
        resource=OBJECT,
        principal_arn=arn,
        context={
            "aws:SecureTransport": tls,
            "aws:PrincipalIsAWSService": "false",
            "aws:PrincipalArn": arn,
            "aws:PrincipalOrgID": org,
        },
    )


def test_replica_policy_verdicts(settings: Settings) -> None:
    """Replication passes every guard; tampering, forged writes and outsiders do not."""
    policy = resolve(
        template(settings)["Resources"]["ReplicaBucketPolicy"]["Properties"]["PolicyDocument"],
        NAMES,
    )
    assert {
        "replication-writes-replica": evaluate(policy, request(ROLE, "s3:ReplicateObject")),
        "replication-writes-tags": evaluate(policy, request(ROLE, "s3:ReplicateTags")),
        "admin-deletes-version": evaluate(policy, request(ADMIN, "s3:DeleteObjectVersion")),
        "admin-shortens-retention": evaluate(policy, request(ADMIN, "s3:PutObjectRetention")),
        "admin-writes-forged-log": evaluate(policy, request(ADMIN, "s3:PutObject")),
        "replication-role-deletes": evaluate(policy, request(ROLE, "s3:DeleteObjectVersion")),
        "outsider-reads": evaluate(
            policy, request("arn:aws:iam::999999999999:role/X", "s3:GetObject", org="o-other0000")
        ),
        "replication-without-tls": evaluate(
            policy, request(ROLE, "s3:ReplicateObject", tls="false")
        ),
    } == {
        "replication-writes-replica": "NotAllowed",
        "replication-writes-tags": "NotAllowed",
        "admin-deletes-version": "Deny",
        "admin-shortens-retention": "Deny",
        "admin-writes-forged-log": "Deny",
        "replication-role-deletes": "Deny",
        "outsider-reads": "Deny",
        "replication-without-tls": "Deny",
    }


def test_replica_key_policy_verdicts(settings: Settings) -> None:
    policy = resolve(
        template(settings)["Resources"]["ReplicaKey"]["Properties"]["KeyPolicy"], NAMES
    )
    key = "arn:aws:kms:us-west-2:222222222222:key/11111111-2222-3333-4444-555555555555"
    reader = "arn:aws:iam::333333333333:role/SecurityLogReader"

    def kms(arn: str, action: str, via: str | None) -> Request:
        ctx = {"aws:PrincipalArn": arn, "aws:PrincipalOrgID": "o-a1b2c3d4e5"}
        if via:
            ctx["kms:ViaService"] = via
        return Request(action=action, resource=key, principal_arn=arn, context=ctx)

    s3_west, s3_east = "s3.us-west-2.amazonaws.com", "s3.us-east-1.amazonaws.com"
    assert [
        evaluate(policy, kms(ROLE, "kms:Encrypt", s3_west)),
        evaluate(policy, kms(ROLE, "kms:Encrypt", s3_east)),
        evaluate(policy, kms(ROLE, "kms:Encrypt", None)),
        evaluate(policy, kms(ROLE, "kms:Decrypt", s3_west)),
        evaluate(policy, kms(reader, "kms:Decrypt", s3_west)),
        evaluate(policy, kms(reader, "kms:Decrypt", None)),
        evaluate(policy, kms(ADMIN, "kms:ScheduleKeyDeletion", None)),
        evaluate(
            policy,
            kms(
                "arn:aws:iam::222222222222:role/AWSControlTowerExecution", "kms:PutKeyPolicy", None
            ),
        ),
    ] == ["Allow", "NotAllowed", "NotAllowed", "NotAllowed", "Allow", "NotAllowed", "Deny", "Allow"]

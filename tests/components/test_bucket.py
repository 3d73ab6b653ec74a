"""The log-archive bucket component: exact properties, exact policies, lint, evaluation."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint
from log_bucket_expected import EXEMPT, expected_guards, s3_arn, sub
from s3_policy_eval import Request, evaluate, matching_sids, resolve

from cfct_build import render
from cfct_build.components import bucket, key
from cfct_build.config import Settings, parse_settings
from cfct_build.manifest import Resource

EXAMPLE_TEXT = (Path(__file__).resolve().parents[2] / "cfct-build.yaml").read_text()

ARCHIVE = "cfct-build-cloudtrail-222222222222-us-east-1"
ACCESS_LOGS = "cfct-build-cloudtrail-access-logs-222222222222-us-east-1"
REPLICA = "cfct-build-cloudtrail-replica-222222222222-us-west-2"
TRAIL_ARN = (
    "arn:${AWS::Partition}:cloudtrail:us-east-1:111111111111:trail/cfct-build-org-data-events"
)
KEY_ARN = "arn:aws:kms:us-east-1:333333333333:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
REPLICA_KEY_ARN = "arn:aws:kms:us-west-2:222222222222:key/11111111-2222-3333-4444-555555555555"
UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
TAGS = [{"Key": "cfct-build:component", "Value": "log-archive-bucket"}]


CLOUDTRAIL_STATEMENTS = [
    {
        "Sid": "CloudTrailAclCheck",
        "Effect": "Allow",
        "Principal": {"Service": ["cloudtrail.amazonaws.com"]},
        "Action": ["s3:GetBucketAcl"],
        "Resource": [s3_arn(ARCHIVE)],
        "Condition": {"StringEquals": {"aws:SourceArn": sub(TRAIL_ARN)}},
    },
    {
        "Sid": "CloudTrailWriteOrganizationLogs",
        "Effect": "Allow",
        "Principal": {"Service": ["cloudtrail.amazonaws.com"]},
        "Action": ["s3:PutObject"],
        "Resource": [
            s3_arn(f"{ARCHIVE}/cloudtrail/AWSLogs/o-a1b2c3d4e5/*"),
            s3_arn(f"{ARCHIVE}/cloudtrail/AWSLogs/111111111111/*"),
        ],
        "Condition": {
            "StringEquals": {
                "aws:SourceArn": sub(TRAIL_ARN),
                "s3:x-amz-acl": "bucket-owner-full-control",
            }
        },
    },
]
READER_STATEMENT = {
    "Sid": "ReadersReadLogs",
    "Effect": "Allow",
    "Principal": {
        "AWS": [
            sub("arn:${AWS::Partition}:iam::222222222222:root"),
            sub("arn:${AWS::Partition}:iam::333333333333:root"),
        ]
    },
    "Action": ["s3:GetBucketLocation", "s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket"],
    "Resource": [s3_arn(ARCHIVE), s3_arn(f"{ARCHIVE}/cloudtrail/*")],
    "Condition": {
        "ArnEquals": {
            "aws:PrincipalArn": [
                sub("arn:${AWS::Partition}:iam::333333333333:role/SecurityLogReader"),
                sub("arn:${AWS::Partition}:iam::222222222222:role/LogArchiveReader"),
            ]
        },
        "StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"},
    },
}
OWN_READER = sub("arn:${AWS::Partition}:iam::*:role/cfct-build-own-logs-reader")
OWN_PREFIX = "cloudtrail/AWSLogs/o-a1b2c3d4e5/${aws:PrincipalAccount}/*"
# The account baseline's own-logs readers: ${aws:PrincipalAccount} is IAM's, never Fn::Sub's
# (written ${!...} inside Fn::Sub, as is in a plain string).
OWN_LOGS_STATEMENTS = [
    {
        "Sid": "OwnLogsReadersListOwnPrefix",
        "Effect": "Allow",
        "Principal": {"AWS": ["*"]},
        "Action": ["s3:ListBucket"],
        "Resource": [s3_arn(ARCHIVE)],
        "Condition": {
            "StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"},
            "ArnLike": {"aws:PrincipalArn": [OWN_READER]},
            "StringLike": {"s3:prefix": [OWN_PREFIX]},
        },
    },
    {
        "Sid": "OwnLogsReadersReadOwnPrefix",
        "Effect": "Allow",
        "Principal": {"AWS": ["*"]},
        "Action": ["s3:GetObject", "s3:GetObjectVersion"],
        "Resource": [
            s3_arn(f"{ARCHIVE}/cloudtrail/AWSLogs/o-a1b2c3d4e5/${{!aws:PrincipalAccount}}/*")
        ],
        "Condition": {
            "StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"},
            "ArnLike": {"aws:PrincipalArn": [OWN_READER]},
        },
    },
    {
        "Sid": "DenyOwnLogsReadersListingOtherPrefixes",
        "Effect": "Deny",
        "Principal": {"AWS": ["*"]},
        "Action": ["s3:ListBucket"],
        "Resource": [s3_arn(ARCHIVE)],
        "Condition": {
            "ArnLike": {"aws:PrincipalArn": [OWN_READER]},
            "StringNotLike": {"s3:prefix": [OWN_PREFIX]},
        },
    },
    {
        "Sid": "DenyOwnLogsReadersReadingOtherPrefixes",
        "Effect": "Deny",
        "Principal": {"AWS": ["*"]},
        "Action": ["s3:GetObject", "s3:GetObjectVersion"],
        "NotResource": [
            s3_arn(f"{ARCHIVE}/cloudtrail/AWSLogs/o-a1b2c3d4e5/${{!aws:PrincipalAccount}}/*")
        ],
        "Condition": {"ArnLike": {"aws:PrincipalArn": [OWN_READER]}},
    },
]
KMS_UPLOAD_STATEMENTS = [
    {
        "Sid": "DenyUploadsWithoutSseKms",
        "Effect": "Deny",
        "Principal": "*",
        "Action": ["s3:PutObject"],
        "Resource": [s3_arn(f"{ARCHIVE}/*")],
        "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}},
    },
    {
        "Sid": "DenyUploadsWithOtherKmsKey",
        "Effect": "Deny",
        "Principal": "*",
        "Action": ["s3:PutObject"],
        "Resource": [s3_arn(f"{ARCHIVE}/*")],
        "Condition": {
            "StringNotEquals": {"s3:x-amz-server-side-encryption-aws-kms-key-id": {"Ref": "KeyArn"}}
        },
    },
]


def template(s: Settings) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(render.template_json(bucket.build(s)))
    return result


def statements(t: dict[str, Any], policy: str) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = t["Resources"][policy]["Properties"]["PolicyDocument"][
        "Statement"
    ]
    return result


def with_bucket(s: Settings, **changes: Any) -> Settings:
    return s.model_copy(update={"bucket": s.bucket.model_copy(update=changes)})


def strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for k, v in node.items():
            yield k
            yield from strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from strings(v)


# --------------------------------------------------------------------------- resources


def test_archive_bucket_resource(settings: Settings) -> None:
    assert template(settings)["Resources"]["ArchiveBucket"] == {
        "Type": "AWS::S3::Bucket",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "DependsOn": ["AccessLogBucketPolicy"],
        "Properties": {
            "BucketName": ARCHIVE,
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
                            "KMSMasterKeyID": {"Ref": "KeyArn"},
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
            "LoggingConfiguration": {
                "DestinationBucketName": {"Ref": "AccessLogBucket"},
                "LogFilePrefix": f"{ARCHIVE}/",
                "TargetObjectKeyFormat": {
                    "PartitionedPrefix": {"PartitionDateSource": "EventTime"}
                },
            },
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
            "ReplicationConfiguration": {
                "Role": {"Fn::GetAtt": ["ReplicationRole", "Arn"]},
                "Rules": [
                    {
                        "Id": "ReplicateLogsToReplicaRegion",
                        "Status": "Enabled",
                        "Priority": 1,
                        "Filter": {"Prefix": "cloudtrail/"},
                        "DeleteMarkerReplication": {"Status": "Disabled"},
                        "SourceSelectionCriteria": {
                            "SseKmsEncryptedObjects": {"Status": "Enabled"}
                        },
                        "Destination": {
                            "Bucket": s3_arn(REPLICA),
                            "EncryptionConfiguration": {
                                "ReplicaKmsKeyID": {"Ref": "ReplicaKeyArn"}
                            },
                        },
                    }
                ],
            },
            "Tags": TAGS,
        },
    }


def test_access_log_bucket_resource(settings: Settings) -> None:
    assert template(settings)["Resources"]["AccessLogBucket"] == {
        "Type": "AWS::S3::Bucket",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Metadata": {
            "cfn_nag": {
                "rules_to_suppress": [
                    {
                        "id": "W35",
                        "reason": "This bucket is the server access log destination of the "
                        "archive bucket; logging it as well would only log log deliveries. "
                        "Management API calls on it are recorded by Control Tower's "
                        "organization trail.",
                    }
                ]
            }
        },
        "Properties": {
            "BucketName": ACCESS_LOGS,
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
                ]
            },
            "VersioningConfiguration": {"Status": "Enabled"},
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
                        "Id": "ExpireAccessLogs",
                        "Status": "Enabled",
                        "ExpirationInDays": 3653,
                        "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
                        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
                    }
                ]
            },
            "Tags": TAGS,
        },
    }


def test_bucket_policies_are_retained_and_attached(settings: Settings) -> None:
    resources = template(settings)["Resources"]
    attached = {
        name: (r["Properties"]["Bucket"], r["DeletionPolicy"], r["UpdateReplacePolicy"])
        for name, r in resources.items()
        if r["Type"] == "AWS::S3::BucketPolicy"
    }
    assert attached == {
        "ArchiveBucketPolicy": ({"Ref": "ArchiveBucket"}, "Retain", "Retain"),
        "AccessLogBucketPolicy": ({"Ref": "AccessLogBucket"}, "Retain", "Retain"),
    }


def test_archive_bucket_policy_statements(settings: Settings) -> None:
    assert statements(template(settings), "ArchiveBucketPolicy") == [
        *expected_guards(ARCHIVE),
        *CLOUDTRAIL_STATEMENTS,
        READER_STATEMENT,
        *OWN_LOGS_STATEMENTS,
    ]


def test_own_logs_grants_follow_the_settings(settings: Settings) -> None:
    """Off without the baseline's reader; the role name is the settings' (any account)."""
    off = settings.model_copy(
        update={
            "baseline": settings.baseline.model_copy(
                update={
                    "own_logs_reader": settings.baseline.own_logs_reader.model_copy(
                        update={"enabled": False}
                    )
                }
            )
        }
    )
    t = template(off)
    assert statements(t, "ArchiveBucketPolicy") == [
        *expected_guards(ARCHIVE),
        *CLOUDTRAIL_STATEMENTS,
        READER_STATEMENT,
    ]
    assert "Metadata" not in t["Resources"]["ArchiveBucketPolicy"]
    renamed = settings.model_copy(
        update={
            "baseline": settings.baseline.model_copy(
                update={
                    "own_logs_reader": settings.baseline.own_logs_reader.model_copy(
                        update={"role_name": "TeamLogReader"}
                    )
                }
            )
        }
    )
    (grant, *_) = [
        st
        for st in statements(template(renamed), "ArchiveBucketPolicy")
        if st["Sid"].startswith("OwnLogs")
    ]
    assert grant["Condition"]["ArnLike"] == {
        "aws:PrincipalArn": [sub("arn:${AWS::Partition}:iam::*:role/TeamLogReader")]
    }


def test_own_logs_grants_carry_a_written_f16_suppression(settings: Settings) -> None:
    assert template(settings)["Resources"]["ArchiveBucketPolicy"]["Metadata"] == {
        "cfn_nag": {
            "rules_to_suppress": [
                {
                    "id": "F16",
                    "reason": "The own-logs reader grants (OwnLogsReaders*) name every principal "
                    "but hold only under aws:PrincipalOrgID of this organization, "
                    "aws:PrincipalArn of the reader role name, and a resource or s3:prefix "
                    "limited to the caller's own account (${aws:PrincipalAccount}); listing the "
                    "accounts instead would need a policy change for every vended account.",
                }
            ]
        }
    }


def test_access_log_bucket_policy_statements(settings: Settings) -> None:
    assert statements(template(settings), "AccessLogBucketPolicy") == [
        *expected_guards(ACCESS_LOGS),
        {
            "Sid": "S3ServerAccessLogsDelivery",
            "Effect": "Allow",
            "Principal": {"Service": ["logging.s3.amazonaws.com"]},
            "Action": ["s3:PutObject"],
            "Resource": [s3_arn(f"{ACCESS_LOGS}/{ARCHIVE}/*")],
            "Condition": {
                "ArnLike": {"aws:SourceArn": s3_arn(ARCHIVE)},
                "StringEquals": {"aws:SourceAccount": "222222222222"},
            },
        },
    ]


def test_replication_role(settings: Settings) -> None:
    assert template(settings)["Resources"]["ReplicationRole"] == {
        "Type": "AWS::IAM::Role",
        "Metadata": {
            "cfn_nag": {
                "rules_to_suppress": [
                    {
                        "id": "W28",
                        "reason": "Fixed name: the key policies of the log-archive key and the "
                        "replica key grant this role by ARN before it exists.",
                    }
                ]
            }
        },
        "Properties": {
            "RoleName": "cfct-build-cloudtrail-replication",
            "Path": "/",
            "Description": "cfct-build: S3 replication of the log archive to the replica Region",
            "AssumeRolePolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "S3AssumesRoleForReplication",
                        "Effect": "Allow",
                        "Principal": {"Service": ["s3.amazonaws.com"]},
                        "Action": ["sts:AssumeRole"],
                        "Condition": {"StringEquals": {"aws:SourceAccount": "222222222222"}},
                    }
                ],
            },
            "Policies": [
                {
                    "PolicyName": "s3-replication",
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Sid": "ReadReplicationConfiguration",
                                "Effect": "Allow",
                                "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"],
                                "Resource": [s3_arn(ARCHIVE)],
                            },
                            {
                                "Sid": "ReadObjectVersionsForReplication",
                                "Effect": "Allow",
                                "Action": [
                                    "s3:GetObjectLegalHold",
                                    "s3:GetObjectRetention",
                                    "s3:GetObjectVersionAcl",
                                    "s3:GetObjectVersionForReplication",
                                    "s3:GetObjectVersionTagging",
                                ],
                                "Resource": [s3_arn(f"{ARCHIVE}/*")],
                            },
                            {
                                "Sid": "WriteReplicas",
                                "Effect": "Allow",
                                "Action": ["s3:ReplicateObject", "s3:ReplicateTags"],
                                "Resource": [s3_arn(f"{REPLICA}/*")],
                            },
                            {
                                "Sid": "DecryptSourceObjects",
                                "Effect": "Allow",
                                "Action": ["kms:Decrypt"],
                                "Resource": [{"Ref": "KeyArn"}],
                                "Condition": {
                                    "StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}
                                },
                            },
                            {
                                "Sid": "EncryptReplicas",
                                "Effect": "Allow",
                                "Action": ["kms:Encrypt", "kms:GenerateDataKey"],
                                "Resource": [{"Ref": "ReplicaKeyArn"}],
                                "Condition": {
                                    "StringEquals": {"kms:ViaService": "s3.us-west-2.amazonaws.com"}
                                },
                            },
                        ],
                    },
                }
            ],
            "Tags": TAGS,
        },
    }


def test_replication_role_is_the_one_the_key_policy_names(settings: Settings) -> None:
    """key.py grants kms:Decrypt to the replication role by ARN: the names must agree."""
    doc = json.loads(render.data_json(key.key_policy(settings)))
    (grant,) = [
        s for s in doc["Statement"] if s["Sid"] == "ReplicationRoleDecryptsForS3Replication"
    ]
    role = template(settings)["Resources"]["ReplicationRole"]["Properties"]
    assert grant["Condition"]["ArnEquals"]["aws:PrincipalArn"] == [
        sub(f"arn:${{AWS::Partition}}:iam::222222222222:role/{role['RoleName']}")
    ]


def test_parameters(settings: Settings) -> None:
    assert template(settings)["Parameters"] == {
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


def test_parameter_patterns_accept_real_arns_only(settings: Settings) -> None:

    pattern = template(settings)["Parameters"]["KeyArn"]["AllowedPattern"]
    candidates = [
        KEY_ARN,
        "arn:aws-us-gov:kms:us-east-1:333333333333:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
        "arn:aws:kms:us-east-1:333333333333:alias/cfct-build/cloudtrail",
        "arn:aws:kms:us-west-2:333333333333:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
        "arn:aws:kms:us-east-1:222222222222:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
        "",
    ]
    assert [bool(re.fullmatch(pattern, c)) for c in candidates] == [
        True,
        True,
        False,
        False,
        False,
        False,
    ]


def test_outputs(settings: Settings) -> None:
    assert template(settings)["Outputs"] == {
        "BucketName": {"Description": "Archive bucket name", "Value": {"Ref": "ArchiveBucket"}},
        "BucketArn": {
            "Description": "Archive bucket ARN",
            "Value": {"Fn::GetAtt": ["ArchiveBucket", "Arn"]},
        },
        "AccessLogBucketName": {
            "Description": "Access-log bucket name",
            "Value": {"Ref": "AccessLogBucket"},
        },
    }


def test_resource(settings: Settings) -> None:
    assert bucket.resource(settings) == Resource(
        name="cfct-build-log-archive-bucket",
        description="cfct-build: Object Lock log-archive bucket for the organization trail",
        resource_file="templates/log-archive-bucket.template",
        deploy_method="stack_set",
        accounts=("222222222222",),
        regions=("us-east-1",),
        parameters=(
            ("KeyArn", "$[alfred_ssm_/cfct-build/log-archive/key-arn]"),
            ("ReplicaKeyArn", "$[alfred_ssm_/cfct-build/log-archive/replica-key-arn]"),
        ),
        export_outputs=(
            ("/cfct-build/log-archive/bucket-name", "$[output_BucketName]"),
            ("/cfct-build/log-archive/bucket-arn", "$[output_BucketArn]"),
            ("/cfct-build/log-archive/access-log-bucket-name", "$[output_AccessLogBucketName]"),
        ),
    )


def test_no_literal_partition(settings: Settings) -> None:
    for s in (settings, with_bucket(settings, deny_uploads_without_kms=True)):
        assert [x for x in strings(template(s)) if "arn:aws:" in x] == []


def test_deterministic(settings: Settings) -> None:
    assert render.template_json(bucket.build(settings)) == render.template_json(
        bucket.build(settings)
    )


# --------------------------------------------------------------------------- variants


def test_without_replica(settings: Settings) -> None:
    s = with_bucket(settings, replica_region=None)
    t = template(s)
    assert sorted(t["Parameters"]) == ["KeyArn"]
    assert sorted(t["Resources"]) == [
        "AccessLogBucket",
        "AccessLogBucketPolicy",
        "ArchiveBucket",
        "ArchiveBucketPolicy",
    ]
    assert sorted(t["Resources"]["ArchiveBucket"]["Properties"]) == [
        "BucketEncryption",
        "BucketName",
        "LifecycleConfiguration",
        "LoggingConfiguration",
        "ObjectLockConfiguration",
        "ObjectLockEnabled",
        "OwnershipControls",
        "PublicAccessBlockConfiguration",
        "Tags",
        "VersioningConfiguration",
    ]
    assert bucket.resource(s).parameters == (
        ("KeyArn", "$[alfred_ssm_/cfct-build/log-archive/key-arn]"),
    )
    with pytest.raises(ValueError, match=r"bucket\.replica_region is not set"):
        bucket.replication_role_policy(s)


def test_deny_uploads_without_kms_adds_two_statements(settings: Settings) -> None:
    s = with_bucket(settings, deny_uploads_without_kms=True)
    assert statements(template(s), "ArchiveBucketPolicy") == [
        *expected_guards(ARCHIVE),
        *CLOUDTRAIL_STATEMENTS,
        READER_STATEMENT,
        *OWN_LOGS_STATEMENTS,
        *KMS_UPLOAD_STATEMENTS,
    ]


def test_compliance_mode_with_acknowledgement() -> None:
    text = EXAMPLE_TEXT.replace("mode: GOVERNANCE", "mode: COMPLIANCE").replace(
        "acknowledge_compliance_mode: false", "acknowledge_compliance_mode: true"
    )
    s = parse_settings(text)
    props = template(s)["Resources"]["ArchiveBucket"]["Properties"]
    assert props["ObjectLockConfiguration"] == {
        "ObjectLockEnabled": "Enabled",
        "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": 365}},
    }


def test_lifecycle_without_transitions_follows_settings() -> None:
    text = EXAMPLE_TEXT.replace(
        "    transitions:\n"
        "      - days: 90\n"
        "        storage_class: GLACIER_IR\n"
        "      - days: 400\n"
        "        storage_class: DEEP_ARCHIVE\n",
        "    transitions: []\n",
    ).replace("retention_days: 365", "retention_days: 400")
    # a noncurrent expiry shorter than the retention: Object Lock still keeps each version
    text = text.replace("noncurrent_expiration_days: 30", "noncurrent_expiration_days: 1")
    text = text.replace("all_storage_classes_128K", "varies_by_storage_class")
    s = parse_settings(text)
    props = template(s)["Resources"]["ArchiveBucket"]["Properties"]
    assert props["LifecycleConfiguration"] == {
        "Rules": [
            {
                "Id": "TransitionAndExpireLogs",
                "Status": "Enabled",
                "ExpirationInDays": 2557,
                "NoncurrentVersionExpiration": {"NoncurrentDays": 1},
                "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
            }
        ],
        "TransitionDefaultMinimumObjectSize": "varies_by_storage_class",
    }
    assert props["ObjectLockConfiguration"]["Rule"] == {
        "DefaultRetention": {"Mode": "GOVERNANCE", "Days": 400}
    }


def test_exempt_principals_follow_settings(settings: Settings) -> None:
    s = settings.model_copy(update={"exempt_principals": []})
    (tamper,) = [
        st
        for st in statements(template(s), "ArchiveBucketPolicy")
        if st["Sid"] == "DenyDeletionAndConfigChangesExceptExemptPrincipals"
    ]
    assert tamper["Condition"] == {"ArnNotLike": {"aws:PrincipalArn": EXEMPT[:1]}}


# --------------------------------------------------------------------------- cfn-lint


@pytest.mark.parametrize(
    "changes",
    [{}, {"replica_region": None}, {"deny_uploads_without_kms": True}],
    ids=["example", "no-replica", "deny-uploads-without-kms"],
)
def test_cfn_lint_clean(settings: Settings, changes: dict[str, Any]) -> None:
    text = render.template_json(bucket.build(with_bucket(settings, **changes)))
    matches = lint(text, config=ManualArgs(include_checks=["I"], regions=["us-east-1"]))
    assert [(m.rule.id, m.message) for m in matches] == []


# --------------------------------------------------------------------------- evaluation

NAMES = {
    "AWS::Partition": "aws",
    "AWS::AccountId": "222222222222",
    "AWS::Region": "us-east-1",
    "KeyArn": KEY_ARN,
    "ReplicaKeyArn": REPLICA_KEY_ARN,
}
LOG_OBJECT = (
    f"arn:aws:s3:::{ARCHIVE}/cloudtrail/AWSLogs/o-a1b2c3d4e5/444444444444/CloudTrail/"
    "us-east-1/2026/11/21/444444444444_CloudTrail_us-east-1_20261121T0000Z_abc.json.gz"
)
TRAIL = "arn:aws:cloudtrail:us-east-1:111111111111:trail/cfct-build-org-data-events"
CLOUDTRAIL_CONTEXT = {
    "aws:SecureTransport": "true",
    "aws:PrincipalIsAWSService": "true",
    "aws:PrincipalServiceName": "cloudtrail.amazonaws.com",
    "aws:SourceArn": TRAIL,
    "aws:SourceAccount": "111111111111",
    "s3:x-amz-acl": "bucket-owner-full-control",
    "s3:x-amz-server-side-encryption": "aws:kms",
    "s3:x-amz-server-side-encryption-aws-kms-key-id": KEY_ARN,
}


def delivery(resource: str = LOG_OBJECT, **context: str | None) -> Request:
    ctx = {**CLOUDTRAIL_CONTEXT, **context}
    return Request(
        action="s3:PutObject",
        resource=resource,
        service="cloudtrail.amazonaws.com",
        context={k: v for k, v in ctx.items() if v is not None},
    )


def role(
    arn: str, action: str, resource: str, org: str = "o-a1b2c3d4e5", tls: str = "true"
) -> Request:
    return Request(
        action=action,
        resource=resource,
        principal_arn=arn,
        context={
            "aws:SecureTransport": tls,
            "aws:PrincipalIsAWSService": "false",
            "aws:PrincipalArn": arn,
            "aws:PrincipalOrgID": org,
            "aws:PrincipalAccount": arn.split(":")[4],
        },
    )


def policy(s: Settings, name: str = "ArchiveBucketPolicy") -> dict[str, Any]:
    resolved: dict[str, Any] = resolve(
        template(s)["Resources"][name]["Properties"]["PolicyDocument"], NAMES
    )
    return resolved


CT_EXEC = "arn:aws:iam::222222222222:role/AWSControlTowerExecution"
STACKSETS_EXEC = "arn:aws:iam::222222222222:role/stacksets-exec-0123456789abcdef"
BREAK_GLASS = "arn:aws:iam::222222222222:role/BreakGlassAdmin"
ADMIN = "arn:aws:iam::222222222222:role/AWSReservedSSO_AdministratorAccess_0123456789abcdef"
OUTSIDER = "arn:aws:iam::999999999999:role/Attacker"
OBJECT = f"arn:aws:s3:::{ARCHIVE}/cloudtrail/AWSLogs/o-a1b2c3d4e5/x.json.gz"
BUCKET = f"arn:aws:s3:::{ARCHIVE}"

OWN_X = "arn:aws:iam::444455556666:role/cfct-build-own-logs-reader"
OWN_LA = "arn:aws:iam::222222222222:role/cfct-build-own-logs-reader"


def own_log(account: str) -> str:
    return (
        f"arn:aws:s3:::{ARCHIVE}/cloudtrail/AWSLogs/o-a1b2c3d4e5/{account}/CloudTrail/"
        f"us-east-1/2026/11/21/{account}_CloudTrail_us-east-1_20261121T0000Z_abc.json.gz"
    )


def listing(arn: str, prefix: str | None) -> Request:
    request = role(arn, "s3:ListBucket", BUCKET)
    if prefix is None:
        return request
    return Request(
        action=request.action,
        resource=request.resource,
        principal_arn=arn,
        context={**request.context, "s3:prefix": prefix},
    )


# (request, verdict with deny_uploads_without_kms off, verdict with it on)
SCENARIOS: dict[str, tuple[Request, str, str]] = {
    "cloudtrail-org-delivery": (delivery(), "Allow", "Allow"),
    "cloudtrail-management-account-delivery": (
        delivery(f"arn:aws:s3:::{ARCHIVE}/cloudtrail/AWSLogs/111111111111/CloudTrail/x.json.gz"),
        "Allow",
        "Allow",
    ),
    "cloudtrail-digest-delivery": (
        delivery(
            f"arn:aws:s3:::{ARCHIVE}/cloudtrail/AWSLogs/o-a1b2c3d4e5/444444444444/"
            "CloudTrail-Digest/us-east-1/2026/11/21/x.json.gz"
        ),
        "Allow",
        "Allow",
    ),
    "cloudtrail-without-sse-headers": (
        delivery(
            **{
                "s3:x-amz-server-side-encryption": None,
                "s3:x-amz-server-side-encryption-aws-kms-key-id": None,
            }
        ),
        "Allow",
        "Deny",
    ),
    "cloudtrail-sse-s3": (
        delivery(
            **{
                "s3:x-amz-server-side-encryption": "AES256",
                "s3:x-amz-server-side-encryption-aws-kms-key-id": None,
            }
        ),
        "Allow",
        "Deny",
    ),
    "cloudtrail-other-kms-key": (
        delivery(
            **{
                "s3:x-amz-server-side-encryption-aws-kms-key-id": KEY_ARN.replace(
                    "0f1e2d3c", "deadbeef"
                )
            }
        ),
        "Allow",
        "Deny",
    ),
    "cloudtrail-other-trail": (
        delivery(**{"aws:SourceArn": TRAIL.replace("111111111111", "999999999999")}),
        "NotAllowed",
        "NotAllowed",
    ),
    "cloudtrail-without-acl": (
        delivery(**{"s3:x-amz-acl": None}),
        "NotAllowed",
        "NotAllowed",
    ),
    "cloudtrail-other-account-prefix": (
        delivery(f"arn:aws:s3:::{ARCHIVE}/cloudtrail/AWSLogs/999999999999/CloudTrail/x.json.gz"),
        "NotAllowed",
        "NotAllowed",
    ),
    "cloudtrail-outside-key-prefix": (
        delivery(f"arn:aws:s3:::{ARCHIVE}/AWSLogs/o-a1b2c3d4e5/444444444444/x.json.gz"),
        "NotAllowed",
        "NotAllowed",
    ),
    "cloudtrail-without-tls": (
        delivery(**{"aws:SecureTransport": "false"}),
        "Deny",
        "Deny",
    ),
    "cloudtrail-acl-check": (
        Request(
            action="s3:GetBucketAcl",
            resource=BUCKET,
            service="cloudtrail.amazonaws.com",
            context={**CLOUDTRAIL_CONTEXT, "aws:SourceArn": TRAIL},
        ),
        "Allow",
        "Allow",
    ),
    "admin-deletes-version": (
        role(ADMIN, "s3:DeleteObjectVersion", OBJECT),
        "Deny",
        "Deny",
    ),
    "admin-bypasses-governance": (
        role(ADMIN, "s3:BypassGovernanceRetention", OBJECT),
        "Deny",
        "Deny",
    ),
    "admin-shortens-retention": (
        role(ADMIN, "s3:PutObjectRetention", OBJECT),
        "Deny",
        "Deny",
    ),
    "admin-changes-policy": (role(ADMIN, "s3:PutBucketPolicy", BUCKET), "Deny", "Deny"),
    "admin-changes-lifecycle": (
        role(ADMIN, "s3:PutLifecycleConfiguration", BUCKET),
        "Deny",
        "Deny",
    ),
    "admin-writes-forged-log": (role(ADMIN, "s3:PutObject", OBJECT), "Deny", "Deny"),
    "admin-reads-log": (role(ADMIN, "s3:GetObject", OBJECT), "NotAllowed", "NotAllowed"),
    "ct-execution-updates-policy": (
        role(CT_EXEC, "s3:PutBucketPolicy", BUCKET),
        "NotAllowed",
        "NotAllowed",
    ),
    "ct-execution-updates-replication": (
        role(CT_EXEC, "s3:PutReplicationConfiguration", BUCKET),
        "NotAllowed",
        "NotAllowed",
    ),
    # Service-managed StackSets never deploy this stack: the role name is not trusted.
    "stacksets-exec-updates-lifecycle": (
        role(STACKSETS_EXEC, "s3:PutLifecycleConfiguration", BUCKET),
        "Deny",
        "Deny",
    ),
    "break-glass-deletes-version": (
        role(BREAK_GLASS, "s3:DeleteObjectVersion", OBJECT),
        "NotAllowed",
        "NotAllowed",
    ),
    "ct-execution-without-tls": (
        role(CT_EXEC, "s3:PutBucketPolicy", BUCKET, tls="false"),
        "Deny",
        "Deny",
    ),
    "outsider-reads-log": (
        role(OUTSIDER, "s3:GetObject", OBJECT, org="o-zzzzzzzzzz"),
        "Deny",
        "Deny",
    ),
    "anonymous-reads-log": (
        Request(
            action="s3:GetObject",
            resource=OBJECT,
            context={"aws:SecureTransport": "true", "aws:PrincipalIsAWSService": "false"},
        ),
        "Deny",
        "Deny",
    ),
    "own-reader-reads-own-log": (
        role(OWN_X, "s3:GetObject", own_log("444455556666")),
        "Allow",
        "Allow",
    ),
    "own-reader-reads-own-log-version": (
        role(OWN_X, "s3:GetObjectVersion", own_log("444455556666")),
        "Allow",
        "Allow",
    ),
    "own-reader-reads-other-account-log": (
        role(OWN_X, "s3:GetObject", own_log("777788889999")),
        "Deny",
        "Deny",
    ),
    "own-reader-reads-management-log": (
        role(OWN_X, "s3:GetObject", own_log("111111111111")),
        "Deny",
        "Deny",
    ),
    "own-reader-lists-own-prefix": (
        listing(OWN_X, "cloudtrail/AWSLogs/o-a1b2c3d4e5/444455556666/CloudTrail/"),
        "Allow",
        "Allow",
    ),
    "own-reader-lists-other-prefix": (
        listing(OWN_X, "cloudtrail/AWSLogs/o-a1b2c3d4e5/777788889999/"),
        "Deny",
        "Deny",
    ),
    "own-reader-lists-every-account": (
        listing(OWN_X, "cloudtrail/AWSLogs/o-a1b2c3d4e5/"),
        "Deny",
        "Deny",
    ),
    "own-reader-lists-without-prefix": (
        listing(OWN_X, None),
        "Deny",
        "Deny",
    ),
    "own-reader-in-log-archive-reads-other-account-log": (
        role(OWN_LA, "s3:GetObject", own_log("444455556666")),
        "Deny",
        "Deny",
    ),
    "other-role-reads-own-log": (
        role("arn:aws:iam::444455556666:role/Admin", "s3:GetObject", own_log("444455556666")),
        "NotAllowed",
        "NotAllowed",
    ),
    "outsider-named-reader-reads-own-prefix": (
        role(
            "arn:aws:iam::999999999999:role/cfct-build-own-logs-reader",
            "s3:GetObject",
            own_log("999999999999"),
            org="o-zzzzzzzzzz",
        ),
        "Deny",
        "Deny",
    ),
    "replication-role-reads-source-version": (
        role(
            "arn:aws:iam::222222222222:role/cfct-build-cloudtrail-replication",
            "s3:GetObjectVersionForReplication",
            OBJECT,
        ),
        "NotAllowed",
        "NotAllowed",
    ),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_archive_policy_verdicts(settings: Settings, name: str) -> None:
    """What the generated policy decides (NotAllowed = left to the caller's IAM policies)."""
    request, off, on = SCENARIOS[name]
    assert evaluate(policy(settings), request) == off
    assert evaluate(policy(with_bucket(settings, deny_uploads_without_kms=True)), request) == on


def test_delivery_writes_pass_with_deny_uploads_without_kms(settings: Settings) -> None:
    """CloudTrail's delivery (SSE-KMS headers with the key ARN) matches no Deny, one Allow."""
    doc = policy(with_bucket(settings, deny_uploads_without_kms=True))
    assert matching_sids(doc, delivery()) == ["CloudTrailWriteOrganizationLogs"]


def test_each_kms_upload_guard_is_needed(settings: Settings) -> None:
    """Removing either statement lets the request it exists for through (the evaluator bites)."""
    doc = policy(with_bucket(settings, deny_uploads_without_kms=True))
    wrong_key = SCENARIOS["cloudtrail-other-kms-key"][0]
    sse_s3 = SCENARIOS["cloudtrail-sse-s3"][0]
    assert matching_sids(doc, wrong_key) == [
        "CloudTrailWriteOrganizationLogs",
        "DenyUploadsWithOtherKmsKey",
    ]
    assert matching_sids(doc, sse_s3) == [
        "CloudTrailWriteOrganizationLogs",
        "DenyUploadsWithoutSseKms",
        "DenyUploadsWithOtherKmsKey",
    ]
    without = {**doc, "Statement": doc["Statement"][:-1]}
    assert evaluate(without, wrong_key) == "Allow"


def test_access_log_delivery_verdicts(settings: Settings) -> None:
    doc = policy(settings, "AccessLogBucketPolicy")
    log = f"arn:aws:s3:::{ACCESS_LOGS}/{ARCHIVE}/222222222222/us-east-1/{ARCHIVE}/2026/11/21/x"

    def s3_logging(source_bucket: str, resource: str = log) -> Request:
        return Request(
            action="s3:PutObject",
            resource=resource,
            service="logging.s3.amazonaws.com",
            context={
                "aws:SecureTransport": "true",
                "aws:PrincipalIsAWSService": "true",
                "aws:SourceArn": f"arn:aws:s3:::{source_bucket}",
                "aws:SourceAccount": "222222222222",
            },
        )

    assert [
        evaluate(doc, s3_logging(ARCHIVE)),
        evaluate(doc, s3_logging("some-other-bucket")),
        evaluate(doc, s3_logging(ARCHIVE, f"arn:aws:s3:::{ACCESS_LOGS}/elsewhere/x")),
        evaluate(doc, role(ADMIN, "s3:PutObject", log)),
        evaluate(doc, role(ADMIN, "s3:DeleteObjectVersion", log)),
        evaluate(doc, role(CT_EXEC, "s3:PutBucketPolicy", f"arn:aws:s3:::{ACCESS_LOGS}")),
    ] == ["Allow", "NotAllowed", "NotAllowed", "Deny", "Deny", "NotAllowed"]


def test_evaluator_refuses_unknown_operators() -> None:
    doc = {
        "Statement": [
            {
                "Sid": "X",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": "*",
                "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}},
            }
        ]
    }
    with pytest.raises(ValueError, match="DateGreaterThan"):
        evaluate(doc, Request(action="s3:GetObject", resource="arn:aws:s3:::b/k"))

"""The emulator extension itself: what moto drops, and that the extension reads it back."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.cloudformation import parsing
from moto.kms.models import Key as MotoKmsKey
from moto.s3.models import FakeBucket

from emulator import moto_cfn_extension

pytestmark = pytest.mark.slow

ACCOUNT = "123456789012"  # moto's default account
REGION = "us-east-1"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/11111111-2222-3333-4444-555555555555"
REPLICA_KEY_ARN = f"arn:aws:kms:us-west-2:{ACCOUNT}:key/66666666-7777-8888-9999-000000000000"

ARCHIVE = "ext-archive-bucket"
LOGS = "ext-access-logs-bucket"

ENFORCED = {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
PAB_ALL = {
    "BlockPublicAcls": True,
    "BlockPublicPolicy": True,
    "IgnorePublicAcls": True,
    "RestrictPublicBuckets": True,
}
SELECTORS = [
    {
        "Name": "S3 object writes",
        "FieldSelectors": [
            {"Field": "eventCategory", "Equals": ["Data"]},
            {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
            {"Field": "readOnly", "Equals": ["false"]},
            {"Field": "resources.ARN", "NotStartsWith": [f"arn:aws:s3:::{ARCHIVE}/"]},
        ],
    }
]
POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": [
                {"Fn::Sub": "arn:${AWS::Partition}:s3:::${Archive}"},
                {"Fn::Sub": "arn:${AWS::Partition}:s3:::${Archive}/*"},
            ],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    ],
}

TEMPLATE: dict[str, Any] = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Resources": {
        "AccessLogs": {
            "Type": "AWS::S3::Bucket",
            "Properties": {
                "BucketName": LOGS,
                "OwnershipControls": ENFORCED,
                "BucketEncryption": {
                    "ServerSideEncryptionConfiguration": [
                        {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
                    ]
                },
            },
        },
        "Archive": {
            "Type": "AWS::S3::Bucket",
            "Properties": {
                "BucketName": ARCHIVE,
                "ObjectLockEnabled": True,
                "ObjectLockConfiguration": {
                    "ObjectLockEnabled": "Enabled",
                    "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 30}},
                },
                "VersioningConfiguration": {"Status": "Enabled"},
                "PublicAccessBlockConfiguration": PAB_ALL,
                "OwnershipControls": ENFORCED,
                "BucketEncryption": {
                    "ServerSideEncryptionConfiguration": [
                        {
                            "ServerSideEncryptionByDefault": {
                                "SSEAlgorithm": "aws:kms",
                                "KMSMasterKeyID": KEY_ARN,
                            },
                            "BucketKeyEnabled": True,
                        }
                    ]
                },
                "LifecycleConfiguration": {
                    "Rules": [
                        {
                            "Id": "archive",
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
                    # not S3's default: moto alone would answer all_storage_classes_128K
                    "TransitionDefaultMinimumObjectSize": "varies_by_storage_class",
                },
                "LoggingConfiguration": {
                    "DestinationBucketName": {"Ref": "AccessLogs"},
                    "LogFilePrefix": "archive/",
                },
                "ReplicationConfiguration": {
                    "Role": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/repl"},
                    "Rules": [
                        {
                            "Id": "replica",
                            "Status": "Enabled",
                            "Priority": 1,
                            "Filter": {"Prefix": ""},
                            "DeleteMarkerReplication": {"Status": "Disabled"},
                            "SourceSelectionCriteria": {
                                "SseKmsEncryptedObjects": {"Status": "Enabled"}
                            },
                            "Destination": {
                                "Bucket": "arn:aws:s3:::ext-replica-bucket",
                                "StorageClass": "STANDARD",
                                "EncryptionConfiguration": {"ReplicaKmsKeyID": REPLICA_KEY_ARN},
                            },
                        }
                    ],
                },
            },
        },
        "ArchivePolicy": {
            "Type": "AWS::S3::BucketPolicy",
            "Properties": {"Bucket": {"Ref": "Archive"}, "PolicyDocument": POLICY},
        },
        "Trail": {
            "Type": "AWS::CloudTrail::Trail",
            "DependsOn": ["ArchivePolicy"],
            "Properties": {
                "TrailName": "ext-trail",
                "IsLogging": True,
                "S3BucketName": {"Ref": "Archive"},
                "S3KeyPrefix": "cloudtrail",
                "IsMultiRegionTrail": True,
                "IncludeGlobalServiceEvents": True,
                "EnableLogFileValidation": True,
                "IsOrganizationTrail": True,
                "KMSKeyId": KEY_ARN,
                "AdvancedEventSelectors": SELECTORS,
                "InsightSelectors": [{"InsightType": "ApiCallRateInsight"}],
            },
        },
        "Key": {
            "Type": "AWS::KMS::Key",
            "Properties": {
                "Description": "emulator test key",
                "EnableKeyRotation": True,
                "RotationPeriodInDays": 180,
                "KeyPolicy": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "Admin",
                            "Effect": "Allow",
                            "Principal": {
                                "AWS": {
                                    "Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"
                                }
                            },
                            "Action": "kms:*",
                            "Resource": "*",
                        }
                    ],
                },
                "Tags": [{"Key": "component", "Value": "test"}],
            },
        },
    },
    "Outputs": {
        "TrailArn": {"Value": {"Fn::GetAtt": ["Trail", "Arn"]}},
        "KeyId": {"Value": {"Ref": "Key"}},
    },
}


def _deploy(template: dict[str, Any], name: str = "emulator-extension") -> dict[str, str]:
    cfn = boto3.client("cloudformation", region_name=REGION)
    cfn.create_stack(StackName=name, TemplateBody=json.dumps(template))
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def _strip(response: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


@pytest.mark.filterwarnings("ignore:Tried to parse AWS.+(CloudTrail.+Trail|S3.+BucketPolicy) but")
def test_moto_alone_drops_what_the_extension_restores(aws_credentials: None) -> None:
    """Documents the gaps: without the extension these settings never reach the backends."""
    key = TEMPLATE["Resources"]["Key"]
    others = {k: v for k, v in TEMPLATE["Resources"].items() if k != "Key"}
    untagged_key = {
        **key,
        "Properties": {k: v for k, v in key["Properties"].items() if k != "Tags"},
    }
    with mock_aws():
        with pytest.raises(KeyError, match="TagKey"):  # KMS key Tags in the CloudFormation shape
            _deploy({"Resources": {"Key": key}}, "tagged-key")
        with pytest.raises(AttributeError, match="has_cfn_attr"):  # GetAtt on a Trail
            _deploy({"Resources": others, "Outputs": TEMPLATE["Outputs"]}, "trail-output")
        _deploy({"Resources": others}, "without-outputs")
        key_id = _deploy(
            {"Resources": {"Key": untagged_key}, "Outputs": {"K": {"Value": {"Ref": "Key"}}}}, "key"
        )["K"]

        s3 = boto3.client("s3", region_name=REGION)
        assert _strip(s3.get_bucket_versioning(Bucket=ARCHIVE)) == {}
        with pytest.raises(ClientError, match="ObjectLockConfigurationNotFoundError"):
            s3.get_object_lock_configuration(Bucket=ARCHIVE)
        with pytest.raises(ClientError, match="NoSuchBucketPolicy"):
            s3.get_bucket_policy(Bucket=ARCHIVE)
        assert (
            s3.get_bucket_encryption(Bucket=ARCHIVE)["ServerSideEncryptionConfiguration"]["Rules"][
                0
            ]["BucketKeyEnabled"]
            is False
        )
        assert boto3.client("cloudtrail", region_name=REGION).list_trails()["Trails"] == []
        with pytest.raises(TypeError, match="JSON object must be str"):  # policy kept as a dict
            boto3.client("kms", region_name=REGION).describe_key(KeyId=key_id)


def test_bucket_properties_are_read_back(emulated_aws: None) -> None:
    _deploy(TEMPLATE)
    s3 = boto3.client("s3", region_name=REGION)
    assert _strip(s3.get_object_lock_configuration(Bucket=ARCHIVE)) == {
        "ObjectLockConfiguration": {
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 30}},
        }
    }
    assert _strip(s3.get_bucket_versioning(Bucket=ARCHIVE)) == {"Status": "Enabled"}
    assert _strip(s3.get_bucket_encryption(Bucket=ARCHIVE)) == {
        "ServerSideEncryptionConfiguration": {
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": KEY_ARN,
                    },
                    "BucketKeyEnabled": True,
                }
            ]
        }
    }
    assert _strip(s3.get_public_access_block(Bucket=ARCHIVE)) == {
        "PublicAccessBlockConfiguration": PAB_ALL
    }
    assert _strip(s3.get_bucket_ownership_controls(Bucket=ARCHIVE)) == {
        "OwnershipControls": ENFORCED
    }
    assert _strip(s3.get_bucket_lifecycle_configuration(Bucket=ARCHIVE)) == {
        "Rules": [
            {
                "ID": "archive",
                "Status": "Enabled",
                "Filter": {"Prefix": ""},
                "Transitions": [
                    {"Days": 90, "StorageClass": "GLACIER_IR"},
                    {"Days": 400, "StorageClass": "DEEP_ARCHIVE"},
                ],
                "Expiration": {"Days": 2557},
                "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
                "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
            }
        ],
        "TransitionDefaultMinimumObjectSize": "varies_by_storage_class",
    }
    assert _strip(s3.get_bucket_logging(Bucket=ARCHIVE)) == {
        "LoggingEnabled": {"TargetBucket": LOGS, "TargetPrefix": "archive/"}
    }
    assert _strip(s3.get_bucket_replication(Bucket=ARCHIVE)) == {
        "ReplicationConfiguration": {
            "Role": f"arn:aws:iam::{ACCOUNT}:role/repl",
            "Rules": [
                {
                    "ID": "replica",
                    "Priority": 1,
                    "Status": "Enabled",
                    "Filter": {"Prefix": ""},
                    "DeleteMarkerReplication": {"Status": "Disabled"},
                    "SourceSelectionCriteria": {"SseKmsEncryptedObjects": {"Status": "Enabled"}},
                    "Destination": {
                        "Bucket": "arn:aws:s3:::ext-replica-bucket",
                        "StorageClass": "STANDARD",
                        "EncryptionConfiguration": {"ReplicaKmsKeyID": REPLICA_KEY_ARN},
                    },
                }
            ],
        }
    }
    assert json.loads(s3.get_bucket_policy(Bucket=ARCHIVE)["Policy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [f"arn:aws:s3:::{ARCHIVE}", f"arn:aws:s3:::{ARCHIVE}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }
    # The access-log bucket: SSE-S3, no Object Lock, no versioning (none was configured).
    assert s3.get_bucket_encryption(Bucket=LOGS)["ServerSideEncryptionConfiguration"] == {
        "Rules": [
            {
                "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
                "BucketKeyEnabled": False,
            }
        ]
    }
    with pytest.raises(ClientError, match="ObjectLockConfigurationNotFoundError"):
        s3.get_object_lock_configuration(Bucket=LOGS)


def test_trail_is_created_and_getatt_arn_resolves(emulated_aws: None) -> None:
    outputs = _deploy(TEMPLATE)
    trail_arn = f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/ext-trail"
    assert outputs["TrailArn"] == trail_arn
    ct = boto3.client("cloudtrail", region_name=REGION)
    assert ct.get_trail(Name="ext-trail")["Trail"] == {
        "Name": "ext-trail",
        "S3BucketName": ARCHIVE,
        "S3KeyPrefix": "cloudtrail",
        "IncludeGlobalServiceEvents": True,
        "IsMultiRegionTrail": True,
        "TrailARN": trail_arn,
        "LogFileValidationEnabled": True,
        "KmsKeyId": KEY_ARN,
        "HasCustomEventSelectors": True,
        "HasInsightSelectors": True,
        "IsOrganizationTrail": True,
    }
    assert _strip(ct.get_event_selectors(TrailName="ext-trail")) == {
        "TrailARN": trail_arn,
        "EventSelectors": [],
        "AdvancedEventSelectors": SELECTORS,
    }
    assert ct.get_insight_selectors(TrailName="ext-trail")["InsightSelectors"] == [
        {"InsightType": "ApiCallRateInsight"}
    ]
    assert ct.get_trail_status(Name="ext-trail")["IsLogging"] is True


def test_kms_key_policy_is_stored_as_text_with_rotation_period(emulated_aws: None) -> None:
    key_id = _deploy(TEMPLATE)["KeyId"]
    kms = boto3.client("kms", region_name=REGION)
    meta = kms.describe_key(KeyId=key_id)["KeyMetadata"]  # fails on moto alone
    assert (meta["Enabled"], meta["KeyState"], meta["Description"]) == (
        True,
        "Enabled",
        "emulator test key",
    )
    assert json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Admin",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ],
    }
    rotation = kms.get_key_rotation_status(KeyId=key_id)
    assert (rotation["KeyRotationEnabled"], rotation["RotationPeriodInDays"]) == (True, 180)
    assert kms.list_resource_tags(KeyId=key_id)["Tags"] == [
        {"TagKey": "component", "TagValue": "test"}
    ]


def _lifecycle_bucket(minimum: str | None) -> dict[str, Any]:
    lifecycle: dict[str, Any] = {
        "Rules": [{"Id": "expire", "Status": "Enabled", "ExpirationInDays": 30}]
    }
    if minimum is not None:
        lifecycle["TransitionDefaultMinimumObjectSize"] = minimum
    return {
        "Resources": {
            "Bucket": {
                "Type": "AWS::S3::Bucket",
                "Properties": {"BucketName": LOGS, "LifecycleConfiguration": lifecycle},
            }
        }
    }


EXPIRE_30 = [
    {"ID": "expire", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 30}}
]


@pytest.mark.parametrize(
    ("minimum", "read_back"),
    [
        (None, "all_storage_classes_128K"),  # S3's default when the header is absent
        ("all_storage_classes_128K", "all_storage_classes_128K"),
        ("varies_by_storage_class", "varies_by_storage_class"),
    ],
)
def test_lifecycle_minimum_object_size_is_read_back(
    emulated_aws: None, minimum: str | None, read_back: str
) -> None:
    _deploy(_lifecycle_bucket(minimum))
    s3 = boto3.client("s3", region_name=REGION)
    assert _strip(s3.get_bucket_lifecycle_configuration(Bucket=LOGS)) == {
        "Rules": EXPIRE_30,
        "TransitionDefaultMinimumObjectSize": read_back,
    }
    # A later put without the header means S3's default, as on AWS: the value the stack put is
    # not shown for rules put since (moto's own handler, which ignores the header, stored them).
    rules = [{**EXPIRE_30[0], "Expiration": {"Days": 60}}]
    s3.put_bucket_lifecycle_configuration(Bucket=LOGS, LifecycleConfiguration={"Rules": rules})
    assert _strip(s3.get_bucket_lifecycle_configuration(Bucket=LOGS)) == {
        "Rules": rules,
        "TransitionDefaultMinimumObjectSize": "all_storage_classes_128K",
    }


def test_lifecycle_minimum_object_size_outside_s3s_values_fails_the_stack(
    emulated_aws: None,
) -> None:
    cfn = boto3.client("cloudformation", region_name=REGION)
    with pytest.raises(ClientError, match="InvalidArgument"):
        cfn.create_stack(StackName="bad", TemplateBody=json.dumps(_lifecycle_bucket("128K")))


@pytest.mark.filterwarnings("ignore:Exception\\(InvalidTargetBucketForLogging\\)")
def test_logging_to_a_bucket_that_still_uses_acls_keeps_moto_check(emulated_aws: None) -> None:
    """The relaxed logging check applies only to BucketOwnerEnforced targets."""
    template = {
        "Resources": {
            "Target": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": LOGS}},
            "Source": {
                "Type": "AWS::S3::Bucket",
                "Properties": {
                    "BucketName": ARCHIVE,
                    "LoggingConfiguration": {"DestinationBucketName": {"Ref": "Target"}},
                },
            },
        }
    }
    cfn = boto3.client("cloudformation", region_name=REGION)
    with pytest.raises(ClientError, match="InvalidTargetBucketForLogging"):
        cfn.create_stack(StackName="acl-logging", TemplateBody=json.dumps(template))


def test_extension_is_active_only_inside_activate(aws_credentials: None) -> None:
    # Make the block below moto's first use of its (cached) model registry.
    for cached in (parsing.get_model_map, parsing.get_model_list, parsing.get_name_type_map):
        cached.cache_clear()
    with moto_cfn_extension.activate():
        assert parsing.resource_class_from_type("AWS::S3::Bucket") is (
            moto_cfn_extension.EmulatedBucket
        )
        trail_model: object = parsing.resource_class_from_type("AWS::CloudTrail::Trail")
        assert trail_model is moto_cfn_extension.EmulatedTrail
        assert parsing.resource_name_property_from_type("AWS::CloudTrail::Trail") == "TrailName"
    assert parsing.resource_class_from_type("AWS::S3::Bucket") is FakeBucket
    assert parsing.resource_class_from_type("AWS::KMS::Key") is MotoKmsKey
    assert parsing.resource_class_from_type("AWS::CloudTrail::Trail") is None


PINNED = {
    "Parameters": {
        "Name": {"Type": "String", "AllowedPattern": "^pinned-[a-z]+$"},
        "Mode": {"Type": "String", "AllowedValues": ["GOVERNANCE", "COMPLIANCE"]},
    },
    "Resources": {
        "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": {"Ref": "Name"}}}
    },
}


@pytest.mark.parametrize(
    ("name", "mode", "error"),
    [
        ("pinned-bucket", "GOVERNANCE", None),
        ("other-bucket", "GOVERNANCE", "Parameter 'Name' must match pattern ^pinned-[a-z]+$"),
        ("pinned-bucket", "NONE", "Parameter 'Mode' must be one of AllowedValues"),
    ],
)
def test_parameter_constraints_are_enforced(
    emulated_aws: None, name: str, mode: str, error: str | None
) -> None:
    cfn = boto3.client("cloudformation", region_name=REGION)
    parameters = [
        {"ParameterKey": "Name", "ParameterValue": name},
        {"ParameterKey": "Mode", "ParameterValue": mode},
    ]
    if error is None:
        cfn.create_stack(StackName="pinned", TemplateBody=json.dumps(PINNED), Parameters=parameters)
        assert boto3.client("s3", region_name=REGION).list_buckets()["Buckets"][0]["Name"] == name
        return
    with pytest.raises(ClientError) as raised:
        cfn.create_stack(StackName="pinned", TemplateBody=json.dumps(PINNED), Parameters=parameters)
    assert raised.value.response["Error"] == {
        "Code": "ValidationError",
        "Message": error,
        "Type": "Sender",
    }
    assert boto3.client("s3", region_name=REGION).list_buckets()["Buckets"] == []


BUS_TEMPLATE = {
    "Resources": {
        "Bus": {
            "Type": "AWS::Events::EventBus",
            "Properties": {
                "Name": "ext-bus",
                "Description": "alerts",
                "Policy": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "Org",
                            "Effect": "Allow",
                            "Principal": "*",
                            "Action": "events:PutEvents",
                            "Resource": {
                                "Fn::Sub": "arn:${AWS::Partition}:events:${AWS::Region}:"
                                "${AWS::AccountId}:event-bus/ext-bus"
                            },
                            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
                        }
                    ],
                },
                "Tags": [{"Key": "k", "Value": "v"}],
            },
        },
        "Topic": {
            "Type": "AWS::SNS::Topic",
            "Properties": {"TopicName": "ext-topic", "Tags": [{"Key": "k", "Value": "v"}]},
        },
        "ToTopic": {
            "Type": "AWS::Events::Rule",
            "Properties": {
                "Name": "ext-to-topic",
                "EventBusName": {"Ref": "Bus"},
                "EventPattern": {"source": ["aws.s3"]},
                "Targets": [{"Id": "T", "Arn": {"Ref": "Topic"}}],
            },
        },
        "Forward": {
            "Type": "AWS::Events::Rule",
            "Properties": {
                "Name": "ext-forward",
                "EventPattern": {"source": ["aws.s3"]},
                "Targets": [{"Id": "B", "Arn": {"Fn::GetAtt": ["Bus", "Arn"]}}],
            },
        },
    },
    "Outputs": {"Topic": {"Value": {"Ref": "Topic"}}},
}


def test_event_bus_topic_and_delivery(aws_credentials: None) -> None:
    """moto alone hands its bus object to `Ref` (the rule on the bus fails) and drops the
    policy; with the extension the bus, its policy and tags, the topic's tags and the delivery
    default bus -> bus -> topic are read back."""
    with mock_aws(), pytest.raises(AttributeError, match="split"):
        _deploy(BUS_TEMPLATE, "bus-alone")
    with mock_aws(), moto_cfn_extension.activate():
        topic = _deploy(BUS_TEMPLATE, "bus")["Topic"]
        events = boto3.client("events", region_name=REGION)
        bus = events.describe_event_bus(Name="ext-bus")
        policy = json.loads(bus["Policy"])["Statement"][0]
        assert (bus["Description"], policy["Resource"], policy["Condition"]) == (
            "alerts",
            f"arn:aws:events:{REGION}:{ACCOUNT}:event-bus/ext-bus",
            {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
        )
        assert events.list_tags_for_resource(ResourceARN=bus["Arn"])["Tags"] == [
            {"Key": "k", "Value": "v"}
        ]
        sns = boto3.client("sns", region_name=REGION)
        assert sns.list_tags_for_resource(ResourceArn=topic)["Tags"] == [{"Key": "k", "Value": "v"}]
        sqs = boto3.client("sqs", region_name=REGION)
        queue = sqs.create_queue(QueueName="inbox")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn["Attributes"]["QueueArn"])
        events.put_events(
            Entries=[
                {"Source": "aws.s3", "DetailType": "d", "Detail": json.dumps({"n": 1})},
                {"Source": "aws.ec2", "DetailType": "d", "Detail": json.dumps({"n": 2})},
            ]
        )
        messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
        bodies = [json.loads(json.loads(m["Body"])["Message"]) for m in messages]
        assert [(b["source"], b["detail"]) for b in bodies] == [("aws.s3", {"n": 1})]

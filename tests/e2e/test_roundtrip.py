"""Deployment round trip: the generated package, deployed the CfCT way on moto, read back.

Each settings variant is built with `build_package`, deployed by the product's CfCT pipeline
emulation (`cfct_build.simulate`: an organization shaped from the settings, SCPs first, then
StackSets in manifest order, each stack in its target account and Region, `$[alfred_ssm_...]`
parameters from management-account SSM written by `export_outputs`), and every hardening
setting is then
read back through the S3, KMS, CloudTrail (and IAM, CloudWatch Logs, SNS) APIs. Settings values
are asserted from the settings; policies and event selectors are asserted equal to the
template's own documents with their intrinsic functions resolved for the deployed stack.
moto's CloudFormation needs the test-only extension in tests/emulator to keep these properties.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from botocore.exceptions import ClientError

from cfct_build import naming
from cfct_build.components import bucket as bucket_component
from cfct_build.components import key as key_component
from cfct_build.components import replica as replica_component
from cfct_build.components import trail as trail_component
from cfct_build.config import Settings, parse_settings
from cfct_build.package import Package, build_package
from cfct_build.simulate.organization import default_org
from cfct_build.simulate.pipeline import PipelineRun, StackInstance, stack_name
from cfct_build.simulate.run import Emulation
from e2e.intrinsics import StackContext, resolve
from emulator.fixtures import emulated_aws_context

pytestmark = pytest.mark.slow

EXAMPLE_SETTINGS = Path(__file__).resolve().parents[2] / "cfct-build.yaml"

PAB_ALL = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}
OWNER_ENFORCED = {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}


def _variant() -> Settings:
    """The example settings with every optional branch flipped."""
    data = yaml.safe_load(EXAMPLE_SETTINGS.read_text(encoding="utf-8"))
    data["bucket"].pop("replica_region")
    data["bucket"]["object_lock"] = {
        "mode": "COMPLIANCE",
        "retention_days": 30,
        "acknowledge_compliance_mode": True,
    }
    data["bucket"]["lifecycle"] = {
        "transitions": [{"days": 200, "storage_class": "DEEP_ARCHIVE"}],
        "expiration_days": 400,
        "noncurrent_expiration_days": 1,  # shorter than the retention: Object Lock still holds
        "transition_default_minimum_object_size": "varies_by_storage_class",
    }
    data["bucket"]["key_prefix"] = "org/trail"
    data["bucket"]["deny_uploads_without_kms"] = True
    data["key"] = {
        "account": "log_archive",
        "alias": "variant/trail-logs",
        "rotation_period_days": 180,
        "admin_roles": ["arn:aws:iam::222222222222:role/LogArchiveKeyAdmin"],
        "reader_roles": [],
    }
    data["trail"] = {
        "name": "variant-org-trail",
        "data_events": [{"type": "AWS::S3::Object", "read_write": "all"}],
        "exclude_control_tower_buckets": False,
        "management_events": {"enabled": True, "read_write": "all", "exclude_kms": False},
        "insights": ["ApiCallRateInsight", "ApiErrorRateInsight"],
        "cloudwatch_logs": {"enabled": False},
        "sns": {"enabled": True},
    }
    return parse_settings(yaml.safe_dump(data), "variant.yaml")


@dataclass(frozen=True)
class Deployment:
    settings: Settings
    package: Package
    emulation: Emulation
    run: PipelineRun

    def instance(self, resource_name: str) -> StackInstance:
        """The single stack instance of a resource."""
        return self.emulation.pipeline.instance(resource_name)

    def template(self, resource_name: str) -> dict[str, Any]:
        resource_file = self.instance(resource_name).resource.resource_file
        document: dict[str, Any] = json.loads(self.package.files[resource_file])
        return document

    def client(self, resource_name: str, service: str) -> Any:
        instance = self.instance(resource_name)
        return self.emulation.accounts.client(instance.account, instance.region, service)

    def context(self, resource_name: str, **attributes: str) -> StackContext:
        instance = self.instance(resource_name)
        cfn = self.client(resource_name, "cloudformation")
        summaries = cfn.list_stack_resources(StackName=stack_name(instance.resource))[
            "StackResourceSummaries"
        ]
        return StackContext(
            account=instance.account,
            region=instance.region,
            parameters=instance.parameters,
            refs={r["LogicalResourceId"]: r["PhysicalResourceId"] for r in summaries},
            attributes=attributes,
        )

    def resolved(self, resource_name: str, logical_id: str, prop: str, **attrs: str) -> Any:
        """A property of a template resource, resolved for the deployed stack."""
        node = self.template(resource_name)["Resources"][logical_id]["Properties"][prop]
        return resolve(node, self.context(resource_name, **attrs))

    def output(self, resource_name: str, key: str) -> str:
        return self.instance(resource_name).outputs[key]


@pytest.fixture(scope="module", params=["example", "variant"])
def deployed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    settings = parse_settings(EXAMPLE_SETTINGS.read_text(encoding="utf-8"))
    if request.param == "variant":
        settings = _variant()
    package = build_package(settings)
    with (
        pytest.MonkeyPatch.context() as monkeypatch,
        emulated_aws_context(monkeypatch, tmp_path_factory.mktemp("aws")),
    ):
        emulation = Emulation(settings, default_org(settings), package)
        emulation.start()
        _org, _resolution, run = emulation.run_pipeline()
        assert run.failure is None
        yield Deployment(settings, package, emulation, run)


def _strip(response: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def _policy(text: str) -> Any:
    return json.loads(text)


# --------------------------------------------------------------------------- the CfCT flow


def test_resources_deploy_in_manifest_order_to_their_accounts(deployed: Deployment) -> None:
    s = deployed.settings
    org = s.organization
    expected = [(naming.RES_KEY, s.key_account_id, org.home_region)]
    if s.bucket.replica_region:
        expected.append((naming.RES_REPLICA, org.log_archive_account, s.bucket.replica_region))
    expected += [
        (naming.RES_BUCKET, org.log_archive_account, org.home_region),
        (naming.RES_TRAIL, org.management_account, org.home_region),
    ]
    log_archive = {naming.RES_KEY, naming.RES_REPLICA, naming.RES_BUCKET, naming.RES_TRAIL}
    deployed_instances = [
        (i.resource.name, i.account, i.region)
        for r in deployed.run.stack_sets
        if r.resource.name in log_archive
        for i in r.added
    ]
    assert deployed_instances == expected
    policies = [r for r in deployed.package.manifest.resources if r.deploy_method != "stack_set"]
    assert [p.resource for p in deployed.run.policies] == policies  # all before any StackSet
    assert {r.deploy_method for r in policies} == {"scp"}


def test_outputs_flow_through_management_account_ssm(deployed: Deployment) -> None:
    s = deployed.settings
    archive = naming.archive_bucket(s)
    key_arn = deployed.output(naming.RES_KEY, "KeyArn")
    expected_ssm = {
        naming.SSM_KEY_ARN: key_arn,
        naming.SSM_BUCKET_NAME: archive,
        naming.SSM_BUCKET_ARN: f"arn:aws:s3:::{archive}",
        naming.SSM_ACCESS_LOG_BUCKET_NAME: naming.access_log_bucket(s),
    }
    expected_bucket_parameters = {"KeyArn": key_arn}
    if s.bucket.replica_region:
        replica_key_arn = deployed.output(naming.RES_REPLICA, "ReplicaKeyArn")
        expected_ssm[naming.SSM_REPLICA_KEY_ARN] = replica_key_arn
        expected_bucket_parameters["ReplicaKeyArn"] = replica_key_arn
    assert deployed.emulation.pipeline.ssm_parameters() == expected_ssm
    assert key_arn.startswith(f"arn:aws:kms:{s.organization.home_region}:{s.key_account_id}:key/")
    assert deployed.instance(naming.RES_BUCKET).parameters == expected_bucket_parameters
    trail_parameters = deployed.instance(naming.RES_TRAIL).parameters
    assert trail_parameters == {"BucketName": archive, "KeyArn": key_arn}


# --------------------------------------------------------------------------- KMS


_KEY_FIELDS = (
    "AWSAccountId",
    "Arn",
    "Description",
    "Enabled",
    "KeyState",
    "KeyManager",
    "KeySpec",
    "KeyUsage",
    "MultiRegion",
    "Origin",
)


def _assert_key(
    deployed: Deployment,
    resource_name: str,
    logical_id: str,
    arn: str,
    alias: str,
    description: str,
    component: str,
) -> None:
    s = deployed.settings
    instance = deployed.instance(resource_name)
    kms = deployed.client(resource_name, "kms")
    meta = kms.describe_key(KeyId=arn)["KeyMetadata"]
    key_id = meta["KeyId"]
    assert arn == f"arn:aws:kms:{instance.region}:{instance.account}:key/{key_id}"
    assert {k: meta[k] for k in _KEY_FIELDS} == {
        "AWSAccountId": instance.account,
        "Arn": arn,
        "Description": description,
        "Enabled": True,
        "KeyState": "Enabled",
        "KeyManager": "CUSTOMER",
        "KeySpec": "SYMMETRIC_DEFAULT",
        "KeyUsage": "ENCRYPT_DECRYPT",
        "MultiRegion": False,
        "Origin": "AWS_KMS",
    }
    rotation = _strip(kms.get_key_rotation_status(KeyId=key_id))
    assert rotation == {
        "KeyRotationEnabled": True,
        "RotationPeriodInDays": s.key.rotation_period_days,
    }
    policy = _policy(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
    assert policy == deployed.resolved(resource_name, logical_id, "KeyPolicy")
    assert kms.list_aliases(KeyId=key_id)["Aliases"] == [
        {
            "AliasName": f"alias/{alias}",
            "AliasArn": f"arn:aws:kms:{instance.region}:{instance.account}:alias/{alias}",
            "TargetKeyId": key_id,
        }
    ]
    assert kms.list_resource_tags(KeyId=key_id)["Tags"] == [
        {"TagKey": naming.TAG_KEY, "TagValue": component}
    ]


def test_log_archive_key(deployed: Deployment) -> None:
    s = deployed.settings
    _assert_key(
        deployed,
        naming.RES_KEY,
        key_component.KEY,
        deployed.output(naming.RES_KEY, "KeyArn"),
        s.key.alias,
        f"cfct-build: encrypts CloudTrail logs of trail {s.trail.name}",
        key_component.COMPONENT,
    )


def test_key_policy_is_the_intended_one(deployed: Deployment) -> None:
    """Spot-check the resolved policy against the settings, not only against the template."""
    s = deployed.settings
    kms = deployed.client(naming.RES_KEY, "kms")
    key_arn = deployed.output(naming.RES_KEY, "KeyArn")
    policy = _policy(kms.get_key_policy(KeyId=key_arn, PolicyName="default")["Policy"])
    by_sid = {st["Sid"]: st for st in policy["Statement"]}
    trail_arn = (
        f"arn:aws:cloudtrail:{s.organization.home_region}:{s.organization.management_account}"
        f":trail/{s.trail.name}"
    )
    assert by_sid["CloudTrailEncryptLogs"]["Condition"] == {
        "StringEquals": {"aws:SourceArn": trail_arn},
        "StringLike": {
            "kms:EncryptionContext:aws:cloudtrail:arn": (
                f"arn:aws:cloudtrail:*:{s.organization.management_account}:trail/*"
            )
        },
    }
    assert by_sid["CloudFormationExecutionRoleAdministersKey"]["Principal"] == {
        "AWS": [f"arn:aws:iam::{s.key_account_id}:role/{naming.CT_EXECUTION_ROLE}"]
    }


# --------------------------------------------------------------------------- S3


def _lifecycle_rule(rule_id: str, expiration: int, noncurrent: int, transitions: Any) -> Any:
    rule: dict[str, Any] = {
        "ID": rule_id,
        "Status": "Enabled",
        "Filter": {"Prefix": ""},
        "Expiration": {"Days": expiration},
        "NoncurrentVersionExpiration": {"NoncurrentDays": noncurrent},
        "AbortIncompleteMultipartUpload": {
            "DaysAfterInitiation": bucket_component.ABORT_INCOMPLETE_UPLOAD_DAYS
        },
    }
    if transitions:
        rule["Transitions"] = [
            {"Days": t.days, "StorageClass": t.storage_class} for t in transitions
        ]
    return rule


def _archive_lifecycle(s: Settings) -> Any:
    lc = s.bucket.lifecycle
    return {
        "Rules": [
            _lifecycle_rule(
                "TransitionAndExpireLogs",
                lc.expiration_days,
                lc.noncurrent_expiration_days,
                lc.transitions,
            )
        ],
        "TransitionDefaultMinimumObjectSize": lc.transition_default_minimum_object_size,
    }


def _assert_object_lock_bucket(s3: Any, name: str, s: Settings, key_arn: str) -> None:
    """What the archive and the replica share: Object Lock, versioning, SSE-KMS, PAB, owner."""
    lock = s.bucket.object_lock
    assert _strip(s3.get_object_lock_configuration(Bucket=name)) == {
        "ObjectLockConfiguration": {
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": lock.mode, "Days": lock.retention_days}},
        }
    }
    assert _strip(s3.get_bucket_versioning(Bucket=name)) == {"Status": "Enabled"}
    assert s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"] == {
        "Rules": [
            {
                "ApplyServerSideEncryptionByDefault": {
                    "SSEAlgorithm": "aws:kms",
                    "KMSMasterKeyID": key_arn,
                },
                "BucketKeyEnabled": True,
            }
        ]
    }
    assert s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"] == PAB_ALL
    assert s3.get_bucket_ownership_controls(Bucket=name)["OwnershipControls"] == OWNER_ENFORCED
    assert _strip(s3.get_bucket_lifecycle_configuration(Bucket=name)) == _archive_lifecycle(s)


def test_archive_bucket(deployed: Deployment) -> None:
    s = deployed.settings
    name = naming.archive_bucket(s)
    s3 = deployed.client(naming.RES_BUCKET, "s3")
    _assert_object_lock_bucket(s3, name, s, deployed.output(naming.RES_KEY, "KeyArn"))
    assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] is None  # us-east-1
    assert _strip(s3.get_bucket_logging(Bucket=name)) == {
        "LoggingEnabled": {
            "TargetBucket": naming.access_log_bucket(s),
            "TargetPrefix": f"{name}/",
            "TargetObjectKeyFormat": {"PartitionedPrefix": {"PartitionDateSource": "EventTime"}},
        }
    }
    policy = _policy(s3.get_bucket_policy(Bucket=name)["Policy"])
    assert policy == deployed.resolved(
        naming.RES_BUCKET, bucket_component.ARCHIVE_POLICY, "PolicyDocument"
    )
    assert s3.get_bucket_tagging(Bucket=name)["TagSet"] == [
        {"Key": naming.TAG_KEY, "Value": bucket_component.COMPONENT}
    ]


def test_archive_bucket_policy_names_the_trail_and_prefixes(deployed: Deployment) -> None:
    """Spot-check the resolved policy against the settings, not only against the template."""
    s = deployed.settings
    org = s.organization
    name = naming.archive_bucket(s)
    s3 = deployed.client(naming.RES_BUCKET, "s3")
    by_sid = {
        st["Sid"]: st for st in _policy(s3.get_bucket_policy(Bucket=name)["Policy"])["Statement"]
    }
    trail_arn = (
        f"arn:aws:cloudtrail:{org.home_region}:{org.management_account}:trail/{s.trail.name}"
    )
    prefix = s.bucket.key_prefix
    assert by_sid["CloudTrailWriteOrganizationLogs"]["Resource"] == [
        f"arn:aws:s3:::{name}/{prefix}/AWSLogs/{org.id}/*",
        f"arn:aws:s3:::{name}/{prefix}/AWSLogs/{org.management_account}/*",
    ]
    assert (
        by_sid["CloudTrailWriteOrganizationLogs"]["Condition"]["StringEquals"]["aws:SourceArn"]
        == trail_arn
    )
    kms_statements = {"DenyUploadsWithoutSseKms", "DenyUploadsWithOtherKmsKey"}
    assert (kms_statements <= by_sid.keys()) is s.bucket.deny_uploads_without_kms
    if s.bucket.deny_uploads_without_kms:
        assert by_sid["DenyUploadsWithOtherKmsKey"]["Condition"] == {
            "StringNotEquals": {
                "s3:x-amz-server-side-encryption-aws-kms-key-id": deployed.output(
                    naming.RES_KEY, "KeyArn"
                )
            }
        }


def test_access_log_bucket(deployed: Deployment) -> None:
    s = deployed.settings
    name = naming.access_log_bucket(s)
    s3 = deployed.client(naming.RES_BUCKET, "s3")
    assert s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"] == {
        "Rules": [
            {
                "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
                "BucketKeyEnabled": False,
            }
        ]
    }
    assert _strip(s3.get_bucket_versioning(Bucket=name)) == {"Status": "Enabled"}
    with pytest.raises(ClientError, match="ObjectLockConfigurationNotFoundError"):
        s3.get_object_lock_configuration(Bucket=name)
    assert s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"] == PAB_ALL
    assert s3.get_bucket_ownership_controls(Bucket=name)["OwnershipControls"] == OWNER_ENFORCED
    assert s3.get_bucket_lifecycle_configuration(Bucket=name)["Rules"] == [
        _lifecycle_rule(
            "ExpireAccessLogs",
            s.bucket.access_logs.expiration_days,
            bucket_component.ACCESS_LOG_NONCURRENT_DAYS,
            [],
        )
    ]
    assert _strip(s3.get_bucket_logging(Bucket=name)) == {}
    policy = _policy(s3.get_bucket_policy(Bucket=name)["Policy"])
    assert policy == deployed.resolved(
        naming.RES_BUCKET, bucket_component.ACCESS_LOG_POLICY, "PolicyDocument"
    )
    delivery = {st["Sid"]: st for st in policy["Statement"]}["S3ServerAccessLogsDelivery"]
    assert (delivery["Principal"], delivery["Resource"]) == (
        {"Service": ["logging.s3.amazonaws.com"]},
        [f"arn:aws:s3:::{name}/{naming.archive_bucket(s)}/*"],
    )


# --------------------------------------------------------------------------- replica


def test_replication_to_the_replica_region(deployed: Deployment) -> None:
    s = deployed.settings
    s3 = deployed.client(naming.RES_BUCKET, "s3")
    archive = naming.archive_bucket(s)
    if not s.bucket.replica_region:
        with pytest.raises(ClientError, match="ReplicationConfigurationNotFoundError"):
            s3.get_bucket_replication(Bucket=archive)
        return
    log_archive = s.organization.log_archive_account
    replica_key_arn = deployed.output(naming.RES_REPLICA, "ReplicaKeyArn")
    assert s3.get_bucket_replication(Bucket=archive)["ReplicationConfiguration"] == {
        "Role": f"arn:aws:iam::{log_archive}:role/{naming.replication_role(s)}",
        "Rules": [
            {
                "ID": bucket_component.REPLICATION_RULE,
                "Priority": 1,
                "Status": "Enabled",
                "Filter": {"Prefix": f"{s.bucket.key_prefix}/"},
                "DeleteMarkerReplication": {"Status": "Disabled"},
                "SourceSelectionCriteria": {"SseKmsEncryptedObjects": {"Status": "Enabled"}},
                "Destination": {
                    "Bucket": f"arn:aws:s3:::{naming.replica_bucket(s)}",
                    "EncryptionConfiguration": {"ReplicaKmsKeyID": replica_key_arn},
                },
            }
        ],
    }
    role = deployed.client(naming.RES_BUCKET, "iam").get_role(RoleName=naming.replication_role(s))[
        "Role"
    ]
    assert role["AssumeRolePolicyDocument"] == deployed.resolved(
        naming.RES_BUCKET, bucket_component.REPLICATION_ROLE, "AssumeRolePolicyDocument"
    )
    inline = deployed.client(naming.RES_BUCKET, "iam").get_role_policy(
        RoleName=naming.replication_role(s), PolicyName="s3-replication"
    )["PolicyDocument"]
    assert (
        inline
        == deployed.resolved(naming.RES_BUCKET, bucket_component.REPLICATION_ROLE, "Policies")[0][
            "PolicyDocument"
        ]
    )


def test_replica_key_and_bucket(deployed: Deployment) -> None:
    s = deployed.settings
    if not s.bucket.replica_region:
        assert naming.RES_REPLICA not in [r.resource.name for r in deployed.run.stack_sets]
        return
    replica_key_arn = deployed.output(naming.RES_REPLICA, "ReplicaKeyArn")
    _assert_key(
        deployed,
        naming.RES_REPLICA,
        replica_component.KEY,
        replica_key_arn,
        naming.replica_key_alias(s),
        f"cfct-build: encrypts the replica of CloudTrail logs of {s.trail.name}",
        replica_component.COMPONENT,
    )
    name = naming.replica_bucket(s)
    s3 = deployed.client(naming.RES_REPLICA, "s3")
    _assert_object_lock_bucket(s3, name, s, replica_key_arn)
    assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] == s.bucket.replica_region
    assert _strip(s3.get_bucket_logging(Bucket=name)) == {}
    policy = _policy(s3.get_bucket_policy(Bucket=name)["Policy"])
    assert policy == deployed.resolved(
        naming.RES_REPLICA, replica_component.BUCKET_POLICY, "PolicyDocument"
    )
    assert deployed.output(naming.RES_REPLICA, "ReplicaBucketArn") == f"arn:aws:s3:::{name}"


# --------------------------------------------------------------------------- CloudTrail


def test_organization_trail(deployed: Deployment) -> None:
    s = deployed.settings
    org = s.organization
    ct = deployed.client(naming.RES_TRAIL, "cloudtrail")
    trail_arn = (
        f"arn:aws:cloudtrail:{org.home_region}:{org.management_account}:trail/{s.trail.name}"
    )
    assert deployed.output(naming.RES_TRAIL, "TrailArn") == trail_arn
    expected: dict[str, Any] = {
        "Name": s.trail.name,
        "S3BucketName": naming.archive_bucket(s),
        "S3KeyPrefix": s.bucket.key_prefix,
        "IncludeGlobalServiceEvents": True,
        "IsMultiRegionTrail": True,
        "TrailARN": trail_arn,
        "LogFileValidationEnabled": True,
        "KmsKeyId": deployed.output(naming.RES_KEY, "KeyArn"),
        "HasCustomEventSelectors": True,
        "HasInsightSelectors": bool(s.trail.insights),
        "IsOrganizationTrail": True,
    }
    if s.trail.cloudwatch_logs.enabled:
        expected["CloudWatchLogsLogGroupArn"] = deployed.output(naming.RES_TRAIL, "LogGroupArn")
        expected["CloudWatchLogsRoleArn"] = (
            f"arn:aws:iam::{org.management_account}:role/{naming.cloudtrail_to_logs_role(s)}"
        )
    if s.trail.sns.enabled:
        expected["SnsTopicName"] = naming.sns_topic(s)
        expected["SnsTopicARN"] = (
            f"arn:aws:sns:{org.home_region}:{org.management_account}:{naming.sns_topic(s)}"
        )
    assert ct.get_trail(Name=s.trail.name)["Trail"] == expected
    assert ct.get_trail_status(Name=s.trail.name)["IsLogging"] is True
    assert ct.list_tags(ResourceIdList=[trail_arn])["ResourceTagList"] == [
        {
            "ResourceId": trail_arn,
            "TagsList": [{"Key": naming.TAG_KEY, "Value": trail_component.COMPONENT}],
        }
    ]


def test_trail_event_selectors(deployed: Deployment) -> None:
    s = deployed.settings
    ct = deployed.client(naming.RES_TRAIL, "cloudtrail")
    selectors = ct.get_event_selectors(TrailName=s.trail.name)
    assert selectors["EventSelectors"] == []
    assert selectors["AdvancedEventSelectors"] == deployed.resolved(
        naming.RES_TRAIL, trail_component.TRAIL, "AdvancedEventSelectors"
    )
    # The trail never logs its own deliveries: the S3 selector excludes every log bucket.
    (s3_selector,) = [
        sel
        for sel in selectors["AdvancedEventSelectors"]
        if {"Field": "resources.type", "Equals": ["AWS::S3::Object"]} in sel["FieldSelectors"]
    ]
    excluded = [naming.archive_bucket(s), naming.access_log_bucket(s)]
    if s.bucket.replica_region:
        excluded.append(naming.replica_bucket(s))
    if s.trail.exclude_control_tower_buckets:
        excluded += naming.control_tower_buckets(s)
    assert s3_selector["FieldSelectors"][-1] == {
        "Field": "resources.ARN",
        "NotStartsWith": [f"arn:aws:s3:::{b}/" for b in excluded],
    }
    management = [
        sel
        for sel in selectors["AdvancedEventSelectors"]
        if {"Field": "eventCategory", "Equals": ["Management"]} in sel["FieldSelectors"]
    ]
    assert len(management) == int(s.trail.management_events.enabled)


def test_trail_insights(deployed: Deployment) -> None:
    s = deployed.settings
    ct = deployed.client(naming.RES_TRAIL, "cloudtrail")
    insights = _strip(ct.get_insight_selectors(TrailName=s.trail.name))
    trail_arn = deployed.output(naming.RES_TRAIL, "TrailArn")
    if s.trail.insights:
        assert insights == {
            "TrailARN": trail_arn,
            "InsightSelectors": [{"InsightType": i} for i in s.trail.insights],
        }
    else:
        assert insights == {"TrailARN": trail_arn}


def test_trail_cloudwatch_logs_and_sns(deployed: Deployment) -> None:
    s = deployed.settings
    logs = deployed.client(naming.RES_TRAIL, "logs")
    groups = logs.describe_log_groups(logGroupNamePrefix=naming.cloudwatch_log_group(s))
    if s.trail.cloudwatch_logs.enabled:
        (group,) = groups["logGroups"]
        assert (group["logGroupName"], group["retentionInDays"]) == (
            naming.cloudwatch_log_group(s),
            s.trail.cloudwatch_logs.retention_days,
        )
        iam = deployed.client(naming.RES_TRAIL, "iam")
        role_name = naming.cloudtrail_to_logs_role(s)
        role = iam.get_role(RoleName=role_name)["Role"]
        assert role["AssumeRolePolicyDocument"] == deployed.resolved(
            naming.RES_TRAIL, trail_component.LOG_ROLE, "AssumeRolePolicyDocument"
        )
        inline = iam.get_role_policy(RoleName=role_name, PolicyName="deliver-to-trail-log-group")
        assert (
            inline["PolicyDocument"]
            == deployed.resolved(naming.RES_TRAIL, trail_component.LOG_ROLE, "Policies")[0][
                "PolicyDocument"
            ]
        )
    else:
        assert groups["logGroups"] == []
    sns = deployed.client(naming.RES_TRAIL, "sns")
    topics = [t["TopicArn"] for t in sns.list_topics()["Topics"]]
    if s.trail.sns.enabled:
        org = s.organization
        topic_arn = f"arn:aws:sns:{org.home_region}:{org.management_account}:{naming.sns_topic(s)}"
        assert topics == [topic_arn]
        attributes = sns.get_topic_attributes(TopicArn=topic_arn)["Attributes"]
        assert _policy(attributes["Policy"]) == deployed.resolved(
            naming.RES_TRAIL, trail_component.TOPIC_POLICY, "PolicyDocument"
        )
    else:
        assert topics == []

"""Every name cfct-build gives anything: manifest resources, files, buckets, SSM keys, tags.

Manifest resource names are a compatibility promise: CfCT matches StackSets and SCPs by name,
so a rename creates a new StackSet and orphans the old one. Never change an existing value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cfct_build.config import Settings

# Manifest resource names (StackSets are named CustomControlTower-<name>).
RES_KEY = "cfct-build-log-archive-key"
RES_BUCKET = "cfct-build-log-archive-bucket"
RES_REPLICA = "cfct-build-log-archive-replica"
RES_TRAIL = "cfct-build-org-trail"

# Template files inside the package.
TEMPLATE_KEY = "templates/log-archive-key.template"
TEMPLATE_BUCKET = "templates/log-archive-bucket.template"
TEMPLATE_REPLICA = "templates/log-archive-replica.template"
TEMPLATE_TRAIL = "templates/org-trail.template"
TEMPLATE_BOOTSTRAP = "management-execution-role.template"  # not part of the CfCT package

# SSM parameters (management account, home Region) written by CfCT from export_outputs.
SSM_PREFIX = "/cfct-build/log-archive"
SSM_KEY_ARN = f"{SSM_PREFIX}/key-arn"
SSM_BUCKET_NAME = f"{SSM_PREFIX}/bucket-name"
SSM_BUCKET_ARN = f"{SSM_PREFIX}/bucket-arn"
SSM_ACCESS_LOG_BUCKET_NAME = f"{SSM_PREFIX}/access-log-bucket-name"
SSM_REPLICA_KEY_ARN = f"{SSM_PREFIX}/replica-key-arn"

# Control Tower's roles: always exempt from every guard we add.
CT_EXECUTION_ROLE = "AWSControlTowerExecution"
CT_STACKSET_ROLE_PATH = "service-role/AWSControlTowerStackSetRole"
STACKSETS_EXEC_ROLE_PATTERN = "stacksets-exec-*"

# Tag applied to every taggable resource.
TAG_KEY = "cfct-build:component"

# Bootstrap stack in the management account.
BOOTSTRAP_STACK = "cfct-build-management-execution-role"

# Package zip that CfCT's S3 source expects.
PACKAGE_ZIP = "custom-control-tower-configuration.zip"


def alfred_ssm(parameter: str) -> str:
    """CfCT's helper that reads an SSM parameter in the management account."""
    return f"$[alfred_ssm_{parameter}]"


def archive_bucket(s: Settings) -> str:
    return (
        f"{s.bucket.name_prefix}-{s.organization.log_archive_account}-{s.organization.home_region}"
    )


def access_log_bucket(s: Settings) -> str:
    org = s.organization
    return f"{s.bucket.name_prefix}-access-logs-{org.log_archive_account}-{org.home_region}"


def replica_bucket(s: Settings) -> str:
    assert s.bucket.replica_region is not None
    return f"{s.bucket.name_prefix}-replica-{s.organization.log_archive_account}-{s.bucket.replica_region}"


def control_tower_buckets(s: Settings) -> list[str]:
    """Control Tower's own log buckets (landing zone 3.x naming), for self-exclusion only."""
    org = s.organization
    return [
        f"aws-controltower-logs-{org.log_archive_account}-{org.home_region}",
        f"aws-controltower-s3-access-logs-{org.log_archive_account}-{org.home_region}",
    ]


def trail_arn_sub(s: Settings) -> str:
    """The organization trail's ARN as an Fn::Sub string (partition resolved at deploy time)."""
    org = s.organization
    return f"arn:${{AWS::Partition}}:cloudtrail:{org.home_region}:{org.management_account}:trail/{s.trail.name}"


def role_arn_sub(arn: str) -> str:
    """A settings role ARN (literal partition) as an Fn::Sub string with ${AWS::Partition}."""
    _arn, _partition, rest = arn.split(":", 2)
    return "arn:${AWS::Partition}:" + rest


def replication_role(s: Settings) -> str:
    return f"{s.bucket.name_prefix}-replication"


def cloudwatch_log_group(s: Settings) -> str:
    return f"/cfct-build/cloudtrail/{s.trail.name}"


def cloudtrail_to_logs_role(s: Settings) -> str:
    return f"{s.trail.name}-to-cloudwatch-logs"[:64]


def sns_topic(s: Settings) -> str:
    return f"{s.trail.name}-notifications"


# Guardrail SCPs (deploy_method: scp). Numbered in packing order, starting at 1; CfCT matches
# SCPs by name and never detaches one dropped from the manifest.
RES_GUARDRAILS_PREFIX = "cfct-build-log-archive-guardrails"


def guardrail_scp(n: int) -> str:
    """Manifest name of the n-th guardrail SCP (1-based)."""
    return f"{RES_GUARDRAILS_PREFIX}-{n}"


def guardrail_policy_file(n: int) -> str:
    return f"policies/{guardrail_scp(n)}.json"


def trail_arn(s: Settings) -> str:
    """The organization trail's ARN with the literal partition (for static JSON such as SCPs)."""
    return trail_arn_sub(s).replace("${AWS::Partition}", s.partition)


def replica_key_alias(s: Settings) -> str:
    """Alias name (without alias/) of the replica key; KMS caps the full alias at 256 chars."""
    return f"{s.key.alias[:242]}-replica"


# Control Tower's baseline StackSet: CfCT v2.8.4 treats every account with an instance of it
# (in the home Region) as enrolled; `Root` targets exactly those accounts.
CT_BASELINE_STACKSET = "AWSControlTowerBP-BASELINE-CONFIG"

# CfCT names the StackSet of manifest resource <name> CustomControlTower-<name>.
CFCT_STACKSET_PREFIX = "CustomControlTower-"


# CfCT's own names (customizations-for-aws-control-tower.template): the source bucket of its
# pipeline (Amazon S3 source), in the management account and home Region, and its KMS key.
CFCT_SOURCE_BUCKET_PREFIX = "custom-control-tower-configuration"
CFCT_KMS_KEY = "CustomControlTowerKMSKey"
CFCT_KMS_KEY_ALIAS = f"alias/{CFCT_KMS_KEY}"


def cfct_source_bucket(account: str, region: str) -> str:
    return f"{CFCT_SOURCE_BUCKET_PREFIX}-{account}-{region}"


# Account baseline (StackSet to every account of the listed OUs and to the management account)
# and the central tamper-alert bus it forwards to (StackSet to the audit account).
RES_TAMPER_ALERTS = "cfct-build-tamper-alerts"
RES_BASELINE = "cfct-build-account-baseline"
TEMPLATE_TAMPER_ALERTS = "templates/tamper-alerts.template"
TEMPLATE_BASELINE = "templates/account-baseline.template"
TAMPER_TOPIC = "cfct-build-tamper-alerts"
TAMPER_TOPIC_RULE = "cfct-build-tamper-alerts-to-topic"
TAMPER_RULE_TRAIL = "cfct-build-tamper-trail"
TAMPER_RULE_BUCKETS = "cfct-build-tamper-log-buckets"
TAMPER_RULE_KEYS = "cfct-build-tamper-log-keys"
# One forwarder role per Region (IAM is global: the baseline's stacks in two Regions of one
# account must not create the same role name).
TAMPER_FORWARDER_ROLE_PREFIX = "cfct-build-tamper-forwarder-"


def own_logs_reader_role(s: Settings) -> str:
    return s.baseline.own_logs_reader.role_name


def own_logs_prefix(s: Settings, account: str) -> str:
    """The archive's key prefix holding one account's organization-trail logs (ends with /)."""
    return f"{s.bucket.key_prefix}/AWSLogs/{s.organization.id}/{account}/"


def tamper_forwarder_role(region: str) -> str:
    return f"{TAMPER_FORWARDER_ROLE_PREFIX}{region}"


def tamper_bus_arn_sub(s: Settings) -> str:
    """The central alert bus's ARN as an Fn::Sub string: deterministic, so no SSM is needed."""
    org = s.organization
    bus = s.baseline.tamper_alerts.bus_name
    return f"arn:${{AWS::Partition}}:events:{org.home_region}:{org.audit_account}:event-bus/{bus}"


# Query path (StackSet to the audit account, home Region): Athena over the archive.
RES_QUERY = "cfct-build-log-archive-query"
TEMPLATE_QUERY = "templates/log-archive-query.template"
QUERY_DATABASE = "cfct_build_log_archive"  # Glue names: lowercase, digits, underscores
QUERY_TABLE = "cloudtrail"
QUERY_READER_POLICY = "cfct-build-log-archive-query-reader"
QUERY_RESULTS_PREFIX = "results"


def query_results_bucket(s: Settings) -> str:
    org = s.organization
    return f"{s.bucket.name_prefix}-query-results-{org.audit_account}-{org.home_region}"


def archive_logs_location(s: Settings) -> str:
    """Where the organization trail writes: s3://<archive>/<key_prefix>/AWSLogs/<org-id>/."""
    return f"s3://{archive_bucket(s)}/{s.bucket.key_prefix}/AWSLogs/{s.organization.id}/"

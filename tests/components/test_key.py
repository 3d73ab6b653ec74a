"""The log-archive key: the whole template (key, alias, outputs), every key-policy statement and
the manifest resource, exactly, for the example settings and for variants (key in the
log-archive or management account, no admin roles, no reader roles, replica on and off)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from key_expected import ADMIN_ACTIONS

from cfct_build import render
from cfct_build.components import key
from cfct_build.config import Settings
from cfct_build.manifest import Resource

P = "arn:${AWS::Partition}"
ORG = "o-a1b2c3d4e5"
MGMT, LA, AUDIT = "111111111111", "222222222222", "333333333333"


def sub(text: str) -> dict[str, str]:
    return {"Fn::Sub": text}


def template(s: Settings) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(render.template_json(key.build(s)))
    return result


def variant(s: Settings, **changes: Any) -> Settings:
    """The settings with dotted keys (`key__account`) replaced, validated again."""
    data = s.model_dump()
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        target = data
        for part in parents:
            target = target[part]
        target[last] = value
    return Settings.model_validate(data)


def without_reader(s: Settings) -> Settings:
    return variant(s, baseline__own_logs_reader__enabled=False)


# --------------------------------------------------------------------------- key policy

CT_EXECUTION = sub(f"{P}:iam::${{AWS::AccountId}}:role/AWSControlTowerExecution")
OUR_TRAIL = sub(f"{P}:cloudtrail:us-east-1:{MGMT}:trail/cfct-build-org-data-events")
MANAGEMENT_TRAILS = sub(f"{P}:cloudtrail:*:{MGMT}:trail/*")

# The stack's own execution role keeps administration: KMS's lockout safety check passes and
# the stack can put this policy again on its next update.
CLOUDFORMATION_ADMINISTERS = {
    "Sid": "CloudFormationExecutionRoleAdministersKey",
    "Effect": "Allow",
    "Principal": {"AWS": [CT_EXECUTION]},
    "Action": ADMIN_ACTIONS,
    "Resource": ["*"],
}


def key_administrators(*roles: str) -> dict[str, Any]:
    """The settings' admin roles (of the key's account), by exact ARN."""
    return {
        "Sid": "KeyAdministrators",
        "Effect": "Allow",
        "Principal": {"AWS": [sub(f"{P}:iam::${{AWS::AccountId}}:root")]},
        "Action": ADMIN_ACTIONS,
        "Resource": ["*"],
        "Condition": {"ArnEquals": {"aws:PrincipalArn": [sub(f"{P}:iam::{r}") for r in roles]}},
    }


# CloudTrail generates data keys only for our trail and only with a management-account trail's
# encryption context (confused deputy).
CLOUDTRAIL_ENCRYPTS = {
    "Sid": "CloudTrailEncryptLogs",
    "Effect": "Allow",
    "Principal": {"Service": ["cloudtrail.amazonaws.com"]},
    "Action": ["kms:GenerateDataKey*"],
    "Resource": ["*"],
    "Condition": {
        "StringEquals": {"aws:SourceArn": OUR_TRAIL},
        "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": MANAGEMENT_TRAILS},
    },
}
# Decrypt for CloudTrail: S3 Bucket Keys need it (a deliberate exception to "Decrypt only for
# the reader roles"), again only for our trail.
CLOUDTRAIL_DESCRIBES_AND_DECRYPTS = {
    "Sid": "CloudTrailDescribeKeyAndUseBucketKey",
    "Effect": "Allow",
    "Principal": {"Service": ["cloudtrail.amazonaws.com"]},
    "Action": ["kms:Decrypt", "kms:DescribeKey"],
    "Resource": ["*"],
    "Condition": {"StringEquals": {"aws:SourceArn": OUR_TRAIL}},
}


def readers_decrypt(*roles: str) -> dict[str, Any]:
    """Reader roles (exact ARNs), their accounts' roots as principals (sorted), CloudTrail
    encryption context required (present and a management-account trail), inside the org."""
    accounts = sorted({r.split(":")[0] for r in roles})
    return {
        "Sid": "ReadersDecryptCloudTrailLogs",
        "Effect": "Allow",
        "Principal": {"AWS": [sub(f"{P}:iam::{a}:root") for a in accounts]},
        "Action": ["kms:Decrypt"],
        "Resource": ["*"],
        "Condition": {
            "ArnEquals": {"aws:PrincipalArn": [sub(f"{P}:iam::{r}") for r in roles]},
            "StringEquals": {"aws:PrincipalOrgID": ORG},
            "StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": MANAGEMENT_TRAILS},
            "Null": {"kms:EncryptionContext:aws:cloudtrail:arn": "false"},
        },
    }


OWN_LOGS_GRANT = {
    "Sid": "OwnLogsReadersDecryptThroughS3",
    "Effect": "Allow",
    "Principal": {"AWS": ["*"]},
    "Action": ["kms:Decrypt"],
    "Resource": ["*"],
    "Condition": {
        "StringEquals": {
            "aws:PrincipalOrgID": ORG,
            "kms:ViaService": "s3.us-east-1.amazonaws.com",
            "kms:EncryptionContext:aws:cloudtrail:arn": OUR_TRAIL,
        },
        "ArnLike": {"aws:PrincipalArn": [sub(f"{P}:iam::*:role/cfct-build-own-logs-reader")]},
    },
}


def query_results(*audit_roles: str) -> dict[str, Any]:
    """The audit account's reader roles encrypt and read Athena results, through S3, in the
    results bucket only."""
    results = f"{P}:s3:::cfct-build-cloudtrail-query-results-{AUDIT}-us-east-1"
    return {
        "Sid": "ReadersEncryptQueryResults",
        "Effect": "Allow",
        "Principal": {"AWS": [sub(f"{P}:iam::{AUDIT}:root")]},
        "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
        "Resource": ["*"],
        "Condition": {
            "ArnEquals": {"aws:PrincipalArn": [sub(f"{P}:iam::{r}") for r in audit_roles]},
            "StringEquals": {
                "aws:PrincipalOrgID": ORG,
                "kms:ViaService": "s3.us-east-1.amazonaws.com",
            },
            "StringLike": {"kms:EncryptionContext:aws:s3:arn": [sub(results), sub(f"{results}/*")]},
        },
    }


REPLICATION_DECRYPTS = {
    "Sid": "ReplicationRoleDecryptsForS3Replication",
    "Effect": "Allow",
    "Principal": {"AWS": [sub(f"{P}:iam::{LA}:root")]},
    "Action": ["kms:Decrypt"],
    "Resource": ["*"],
    "Condition": {
        "ArnEquals": {
            "aws:PrincipalArn": [sub(f"{P}:iam::{LA}:role/cfct-build-cloudtrail-replication")]
        },
        "StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"},
    },
}


def deny_destruction(*admin_roles: str) -> dict[str, Any]:
    """Everyone but the execution role and the admin roles: no deletion, disabling,
    rotation-off, policy change or alias deletion."""
    return {
        "Sid": "DenyKeyDestructionExceptAdministrators",
        "Effect": "Deny",
        "Principal": {"AWS": ["*"]},
        "Action": [
            "kms:DeleteAlias",
            "kms:DisableKey",
            "kms:DisableKeyRotation",
            "kms:PutKeyPolicy",
            "kms:ScheduleKeyDeletion",
        ],
        "Resource": ["*"],
        "Condition": {
            "ArnNotLike": {
                "aws:PrincipalArn": [CT_EXECUTION, *(sub(f"{P}:iam::{r}") for r in admin_roles)]
            }
        },
    }


# --------------------------------------------------------------------------- the template

F76_REASON = (
    "OwnLogsReadersDecryptThroughS3 names every principal but holds only under "
    "aws:PrincipalOrgID of this organization, aws:PrincipalArn of the own-logs reader role "
    "name, kms:ViaService S3 in the home Region and the organization trail's encryption "
    "context; the bucket policy limits each reader to its account's logs."
)
ALIAS = {
    "Type": "AWS::KMS::Alias",
    "Properties": {
        "AliasName": "alias/cfct-build/cloudtrail",
        "TargetKeyId": {"Ref": "LogArchiveKey"},
    },
}
OUTPUTS = {
    "KeyArn": {
        "Description": "ARN of the log-archive key",
        "Value": {"Fn::GetAtt": ["LogArchiveKey", "Arn"]},
    },
    "KeyId": {"Description": "ID of the log-archive key", "Value": {"Ref": "LogArchiveKey"}},
}


def expected_template(
    statements: list[dict[str, Any]], *, rotation_days: int = 365, f76: bool = True
) -> dict[str, Any]:
    key_resource: dict[str, Any] = {
        "Type": "AWS::KMS::Key",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": {
            "Description": "cfct-build: encrypts CloudTrail logs of trail "
            "cfct-build-org-data-events",
            "Enabled": True,
            "EnableKeyRotation": True,
            "RotationPeriodInDays": rotation_days,
            "KeySpec": "SYMMETRIC_DEFAULT",
            "KeyUsage": "ENCRYPT_DECRYPT",
            "MultiRegion": False,
            "PendingWindowInDays": 30,
            "KeyPolicy": {"Version": "2012-10-17", "Statement": statements},
            "Tags": [{"Key": "cfct-build:component", "Value": "log-archive-key"}],
        },
    }
    if f76:
        key_resource["Metadata"] = {
            "cfn_nag": {"rules_to_suppress": [{"id": "F76", "reason": F76_REASON}]}
        }
    return {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "cfct-build: customer-managed KMS key for the organization data-events "
        "trail (log-archive component; additive to Control Tower's own logging).",
        "Resources": {"LogArchiveKey": key_resource, "LogArchiveKeyAlias": ALIAS},
        "Outputs": OUTPUTS,
    }


SECURITY_KEY_ADMIN = f"{AUDIT}:role/SecurityKeyAdmin"
SECURITY_READER = f"{AUDIT}:role/SecurityLogReader"
LOG_ARCHIVE_READER = f"{LA}:role/LogArchiveReader"


def test_example_template_is_exactly_this(settings: Settings) -> None:
    assert template(settings) == expected_template(
        [
            CLOUDFORMATION_ADMINISTERS,
            key_administrators(SECURITY_KEY_ADMIN),
            CLOUDTRAIL_ENCRYPTS,
            CLOUDTRAIL_DESCRIBES_AND_DECRYPTS,
            readers_decrypt(SECURITY_READER, LOG_ARCHIVE_READER),
            OWN_LOGS_GRANT,
            query_results(SECURITY_READER),
            REPLICATION_DECRYPTS,
            deny_destruction(SECURITY_KEY_ADMIN),
        ]
    )


def test_key_in_the_log_archive_account(settings: Settings) -> None:
    s = variant(
        settings,
        key__account="log_archive",
        key__admin_roles=[f"arn:aws:iam::{LA}:role/KeyAdmin"],
        key__rotation_period_days=90,
    )
    # The same grants: principals are ARNs, wherever the key lives; only the admins change.
    assert template(s) == expected_template(
        [
            CLOUDFORMATION_ADMINISTERS,
            key_administrators(f"{LA}:role/KeyAdmin"),
            CLOUDTRAIL_ENCRYPTS,
            CLOUDTRAIL_DESCRIBES_AND_DECRYPTS,
            readers_decrypt(SECURITY_READER, LOG_ARCHIVE_READER),
            OWN_LOGS_GRANT,
            query_results(SECURITY_READER),
            REPLICATION_DECRYPTS,
            deny_destruction(f"{LA}:role/KeyAdmin"),
        ],
        rotation_days=90,
    )


def test_key_in_the_management_account_without_admin_roles_readers_or_replica(
    settings: Settings,
) -> None:
    s = variant(
        settings,
        key__account="management",
        key__admin_roles=[],
        key__reader_roles=[],
        bucket__replica_region=None,
    )
    # Only the execution role administers, and is the only one exempt from the Deny.
    assert template(s) == expected_template(
        [
            CLOUDFORMATION_ADMINISTERS,
            CLOUDTRAIL_ENCRYPTS,
            CLOUDTRAIL_DESCRIBES_AND_DECRYPTS,
            OWN_LOGS_GRANT,
            deny_destruction(),
        ]
    )


def test_no_admin_roles(settings: Settings) -> None:
    statements = template(variant(settings, key__admin_roles=[]))["Resources"]["LogArchiveKey"][
        "Properties"
    ]["KeyPolicy"]["Statement"]
    assert statements == [
        CLOUDFORMATION_ADMINISTERS,
        CLOUDTRAIL_ENCRYPTS,
        CLOUDTRAIL_DESCRIBES_AND_DECRYPTS,
        readers_decrypt(SECURITY_READER, LOG_ARCHIVE_READER),
        OWN_LOGS_GRANT,
        query_results(SECURITY_READER),
        REPLICATION_DECRYPTS,
        deny_destruction(),
    ]


@pytest.mark.parametrize(
    ("readers", "reader_statements"),
    [
        pytest.param([], [], id="no-readers"),
        # A reader outside the audit account decrypts logs but runs no queries there.
        pytest.param(
            [f"arn:aws:iam::{LA}:role/LogArchiveReader"],
            [readers_decrypt(LOG_ARCHIVE_READER)],
            id="log-archive-reader-only",
        ),
    ],
)
def test_reader_roles(
    settings: Settings, readers: list[str], reader_statements: list[dict[str, Any]]
) -> None:
    statements = template(variant(settings, key__reader_roles=readers))["Resources"][
        "LogArchiveKey"
    ]["Properties"]["KeyPolicy"]["Statement"]
    assert statements == [
        CLOUDFORMATION_ADMINISTERS,
        key_administrators(SECURITY_KEY_ADMIN),
        CLOUDTRAIL_ENCRYPTS,
        CLOUDTRAIL_DESCRIBES_AND_DECRYPTS,
        *reader_statements,
        OWN_LOGS_GRANT,
        REPLICATION_DECRYPTS,
        deny_destruction(SECURITY_KEY_ADMIN),
    ]


def test_replica_off_drops_the_replication_grant(settings: Settings) -> None:
    statements = template(variant(settings, bucket__replica_region=None))["Resources"][
        "LogArchiveKey"
    ]["Properties"]["KeyPolicy"]["Statement"]
    assert statements == [
        CLOUDFORMATION_ADMINISTERS,
        key_administrators(SECURITY_KEY_ADMIN),
        CLOUDTRAIL_ENCRYPTS,
        CLOUDTRAIL_DESCRIBES_AND_DECRYPTS,
        readers_decrypt(SECURITY_READER, LOG_ARCHIVE_READER),
        OWN_LOGS_GRANT,
        query_results(SECURITY_READER),
        deny_destruction(SECURITY_KEY_ADMIN),
    ]


def test_no_grant_and_no_suppression_without_the_own_logs_reader(settings: Settings) -> None:
    assert template(without_reader(settings)) == expected_template(
        [
            CLOUDFORMATION_ADMINISTERS,
            key_administrators(SECURITY_KEY_ADMIN),
            CLOUDTRAIL_ENCRYPTS,
            CLOUDTRAIL_DESCRIBES_AND_DECRYPTS,
            readers_decrypt(SECURITY_READER, LOG_ARCHIVE_READER),
            query_results(SECURITY_READER),
            REPLICATION_DECRYPTS,
            deny_destruction(SECURITY_KEY_ADMIN),
        ],
        f76=False,
    )


# --------------------------------------------------------------------------- manifest


@pytest.mark.parametrize(
    ("changes", "account"),
    [
        pytest.param({}, AUDIT, id="audit"),
        pytest.param({"key__account": "log_archive", "key__admin_roles": []}, LA, id="log-archive"),
        pytest.param({"key__account": "management", "key__admin_roles": []}, MGMT, id="management"),
    ],
)
def test_manifest_resource(settings: Settings, changes: dict[str, Any], account: str) -> None:
    assert key.resource(variant(settings, **changes)) == Resource(
        name="cfct-build-log-archive-key",
        description="cfct-build: KMS key for the organization data-events trail",
        resource_file="templates/log-archive-key.template",
        deploy_method="stack_set",
        accounts=(account,),
        regions=("us-east-1",),
        parameters=(),
        export_outputs=(("/cfct-build/log-archive/key-arn", "$[output_KeyArn]"),),
    )

"""TEST-ONLY expectations shared by test_bucket and test_replica: the guard statements every
log bucket carries, written out in rendered (CloudFormation JSON) form for the example settings."""

from __future__ import annotations

from typing import Any


def sub(text: str) -> dict[str, str]:
    return {"Fn::Sub": text}


def s3_arn(path: str) -> dict[str, str]:
    return sub(f"arn:${{AWS::Partition}}:s3:::{path}")


EXEMPT = [
    sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/AWSControlTowerExecution"),
    sub("arn:${AWS::Partition}:iam::111111111111:role/BreakGlassAdmin"),
    sub("arn:${AWS::Partition}:iam::222222222222:role/BreakGlassAdmin"),
    sub("arn:${AWS::Partition}:iam::111111111111:role/cfct-build-pipeline"),
]
TAMPER_ACTIONS = [
    "s3:BypassGovernanceRetention",
    "s3:DeleteBucket",
    "s3:DeleteBucketPolicy",
    "s3:DeleteObject",
    "s3:DeleteObjectVersion",
    "s3:PutBucketLogging",
    "s3:PutBucketObjectLockConfiguration",
    "s3:PutBucketOwnershipControls",
    "s3:PutBucketPolicy",
    "s3:PutBucketPublicAccessBlock",
    "s3:PutBucketVersioning",
    "s3:PutEncryptionConfiguration",
    "s3:PutLifecycleConfiguration",
    "s3:PutObjectLegalHold",
    "s3:PutObjectRetention",
    "s3:PutReplicationConfiguration",
]


def expected_guards(name: str, exempt: list[dict[str, str]] = EXEMPT) -> list[dict[str, Any]]:
    """The four deny statements every log bucket carries (also used by test_replica)."""
    both = [s3_arn(name), s3_arn(f"{name}/*")]
    return [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": ["s3:*"],
            "Resource": both,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
        {
            "Sid": "DenyPrincipalsOutsideOrganization",
            "Effect": "Deny",
            "Principal": "*",
            "Action": ["s3:*"],
            "Resource": both,
            "Condition": {
                "StringNotEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"},
                "Bool": {"aws:PrincipalIsAWSService": "false"},
            },
        },
        {
            "Sid": "DenyObjectWritesExceptAwsServices",
            "Effect": "Deny",
            "Principal": "*",
            "Action": ["s3:PutObject"],
            "Resource": [s3_arn(f"{name}/*")],
            "Condition": {
                "Bool": {"aws:PrincipalIsAWSService": "false"},
                "ArnNotLike": {"aws:PrincipalArn": exempt},
            },
        },
        {
            "Sid": "DenyDeletionAndConfigChangesExceptExemptPrincipals",
            "Effect": "Deny",
            "Principal": "*",
            "Action": TAMPER_ACTIONS,
            "Resource": both,
            "Condition": {"ArnNotLike": {"aws:PrincipalArn": exempt}},
        },
    ]

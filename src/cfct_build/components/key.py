"""Log-archive KMS key: a customer-managed key for the organization trail's log files.

Deployed by StackSet to the key's account (the audit account by default), home Region.
The key policy is least-privilege and lockout-safe:
- CloudTrail may generate data keys only for our trail (aws:SourceArn) and only with an
  encryption context naming a trail of the management account; it may describe the key and
  decrypt (needed with S3 Bucket Keys), again only for our trail.
- Readers (settings) may decrypt only CloudTrail-encrypted objects, only from inside the org.
- The query path's readers (audit account) encrypt and read Athena results with the key,
  only through S3 and only in the query results bucket.
- The account baseline's own-logs readers may decrypt our trail's logs only through S3 in the
  home Region (the bucket policy limits each to its own account's prefix).
- Administration belongs to AWSControlTowerExecution (the CloudFormation execution role, so
  the KMS lockout safety check passes and the stack can update this policy later) and the
  admin roles of the settings; no administrator may use the key for data.
- Deletion, disabling, rotation-off and policy changes are denied to everyone else.
There is deliberately no "account root may do kms:*" statement: IAM policies in the key's
account cannot widen access to this key.
"""

from __future__ import annotations

from awacs.aws import (
    Allow,
    ArnEquals,
    ArnLike,
    ArnNotLike,
    Condition,
    ConditionElement,
    Deny,
    Null,
    PolicyDocument,
    Principal,
    Statement,
    StringEquals,
    StringLike,
)
from troposphere import GetAtt, Output, Ref, Sub, Template
from troposphere.kms import Alias, Key

from cfct_build import naming
from cfct_build.components._common import (
    TEMPLATE_FORMAT_VERSION,
    account_root,
    cfn_nag_suppress,
    ct_execution_role_arn,
    kms_actions,
    retain,
    role_arns,
    tags,
)
from cfct_build.components.bucket import replication_role_arn, service_region
from cfct_build.config import Settings
from cfct_build.manifest import Resource
from cfct_build.queries import query_reader_roles

COMPONENT = "log-archive-key"
KEY = "LogArchiveKey"
ALIAS = "LogArchiveKeyAlias"

ADMIN_ACTIONS = [
    "CancelKeyDeletion",
    "CreateAlias",
    "DeleteAlias",
    "DescribeKey",
    "DisableKey",
    "DisableKeyRotation",
    "EnableKey",
    "EnableKeyRotation",
    "GetKeyPolicy",
    "GetKeyRotationStatus",
    "ListAliases",
    "ListGrants",
    "ListKeyPolicies",
    "ListKeyRotations",
    "ListResourceTags",
    "PutKeyPolicy",
    "RevokeGrant",
    "RotateKeyOnDemand",
    "ScheduleKeyDeletion",
    "TagResource",
    "UntagResource",
    "UpdateAlias",
    "UpdateKeyDescription",
]
PROTECTED_ACTIONS = [
    "DeleteAlias",
    "DisableKey",
    "DisableKeyRotation",
    "PutKeyPolicy",
    "ScheduleKeyDeletion",
]


def customer_managed_key(
    title: str, s: Settings, description: str, policy: PolicyDocument, component: str
) -> Key:
    """A retained single-Region symmetric key with rotation on (the log-archive and replica keys)."""
    return retain(
        Key(
            title,
            Description=description,
            Enabled=True,
            EnableKeyRotation=True,
            RotationPeriodInDays=s.key.rotation_period_days,
            KeySpec="SYMMETRIC_DEFAULT",
            KeyUsage="ENCRYPT_DECRYPT",
            MultiRegion=False,
            PendingWindowInDays=30,
            KeyPolicy=policy,
            Tags=tags(component),
        )
    )


def execution_role_administers_key() -> Statement:
    """AWSControlTowerExecution (CloudFormation's execution role) administers the key."""
    return Statement(
        Sid="CloudFormationExecutionRoleAdministersKey",
        Effect=Allow,
        Principal=Principal("AWS", [ct_execution_role_arn()]),
        Action=kms_actions(*ADMIN_ACTIONS),
        Resource=["*"],
    )


def key_administrators(admin_roles: list[str] | tuple[str, ...]) -> Statement:
    """The key admin roles of the key's account (granted to the account, named by ARN)."""
    return Statement(
        Sid="KeyAdministrators",
        Effect=Allow,
        Principal=Principal("AWS", [account_root("${AWS::AccountId}")]),
        Action=kms_actions(*ADMIN_ACTIONS),
        Resource=["*"],
        Condition=Condition(ArnEquals("aws:PrincipalArn", role_arns(admin_roles))),
    )


def readers_decrypt(s: Settings, sid: str, *conditions: ConditionElement) -> Statement:
    """The key's reader roles (settings) decrypt: granted to their accounts, named by ARN, and
    limited further by `conditions`."""
    reader_accounts = sorted({arn.split(":")[4] for arn in s.key.reader_roles})
    return Statement(
        Sid=sid,
        Effect=Allow,
        Principal=Principal("AWS", [account_root(a) for a in reader_accounts]),
        Action=kms_actions("Decrypt"),
        Resource=["*"],
        Condition=Condition(
            [ArnEquals("aws:PrincipalArn", role_arns(s.key.reader_roles)), *conditions]
        ),
    )


def deny_key_destruction(admin_roles: list[str] | tuple[str, ...]) -> Statement:
    """Nobody but AWSControlTowerExecution and `admin_roles` deletes, disables or re-policies."""
    return Statement(
        Sid="DenyKeyDestructionExceptAdministrators",
        Effect=Deny,
        Principal=Principal("AWS", ["*"]),
        Action=kms_actions(*PROTECTED_ACTIONS),
        Resource=["*"],
        Condition=Condition(
            ArnNotLike("aws:PrincipalArn", [ct_execution_role_arn(), *role_arns(admin_roles)])
        ),
    )


def management_trails_pattern(s: Settings) -> Sub:
    """Encryption-context pattern: any trail of the management account."""
    return Sub(f"arn:${{AWS::Partition}}:cloudtrail:*:{s.organization.management_account}:trail/*")


def own_logs_readers_decrypt(s: Settings) -> Statement:
    """Every account's own-logs reader (account baseline) decrypts CloudTrail logs through S3.

    Organization-wide, by role name, never a list of accounts. The key policy cannot tell one
    account's log files from another's (with S3 Bucket Keys the encryption context names the
    bucket, not the object), so the account scoping is the bucket policy's: `kms:ViaService`
    limits this grant to S3 in the home Region, and S3 decrypts only objects the caller may
    GetObject there, i.e. its own account's prefix.
    """
    reader = Sub(f"arn:${{AWS::Partition}}:iam::*:role/{naming.own_logs_reader_role(s)}")
    return Statement(
        Sid="OwnLogsReadersDecryptThroughS3",
        Effect=Allow,
        Principal=Principal("AWS", ["*"]),
        Action=kms_actions("Decrypt"),
        Resource=["*"],
        Condition=Condition(
            [
                StringEquals(
                    {
                        "aws:PrincipalOrgID": s.organization.id,
                        "kms:ViaService": service_region("s3", s.organization.home_region),
                        "kms:EncryptionContext:aws:cloudtrail:arn": Sub(naming.trail_arn_sub(s)),
                    }
                ),
                ArnLike("aws:PrincipalArn", [reader]),
            ]
        ),
    )


def readers_encrypt_query_results(s: Settings) -> Statement:
    """The query path's reader roles (audit account) encrypt and read Athena results with the key.

    Only through S3 in the home Region and only for the query results bucket (its ARN is the
    encryption context S3 gives KMS: the bucket's with an S3 Bucket Key, else the object's).
    """
    org = s.organization
    results = f"arn:${{AWS::Partition}}:s3:::{naming.query_results_bucket(s)}"
    return Statement(
        Sid="ReadersEncryptQueryResults",
        Effect=Allow,
        Principal=Principal("AWS", [account_root(org.audit_account)]),
        Action=kms_actions("Decrypt", "GenerateDataKey"),
        Resource=["*"],
        Condition=Condition(
            [
                ArnEquals("aws:PrincipalArn", role_arns(query_reader_roles(s))),
                StringEquals(
                    {
                        "aws:PrincipalOrgID": org.id,
                        "kms:ViaService": service_region("s3", org.home_region),
                    }
                ),
                StringLike(
                    {"kms:EncryptionContext:aws:s3:arn": [Sub(results), Sub(f"{results}/*")]}
                ),
            ]
        ),
    )


def key_policy(s: Settings) -> PolicyDocument:
    trail_arn = Sub(naming.trail_arn_sub(s))
    statements = [execution_role_administers_key()]
    if s.key.admin_roles:
        statements.append(key_administrators(s.key.admin_roles))
    statements += [
        Statement(
            Sid="CloudTrailEncryptLogs",
            Effect=Allow,
            Principal=Principal("Service", ["cloudtrail.amazonaws.com"]),
            Action=kms_actions("GenerateDataKey*"),
            Resource=["*"],
            Condition=Condition(
                [
                    StringEquals({"aws:SourceArn": trail_arn}),
                    StringLike(
                        {"kms:EncryptionContext:aws:cloudtrail:arn": management_trails_pattern(s)}
                    ),
                ]
            ),
        ),
        Statement(
            Sid="CloudTrailDescribeKeyAndUseBucketKey",
            Effect=Allow,
            Principal=Principal("Service", ["cloudtrail.amazonaws.com"]),
            Action=kms_actions("Decrypt", "DescribeKey"),
            Resource=["*"],
            Condition=Condition(StringEquals({"aws:SourceArn": trail_arn})),
        ),
    ]
    if s.key.reader_roles:
        statements.append(
            readers_decrypt(
                s,
                "ReadersDecryptCloudTrailLogs",
                StringEquals({"aws:PrincipalOrgID": s.organization.id}),
                StringLike(
                    {"kms:EncryptionContext:aws:cloudtrail:arn": management_trails_pattern(s)}
                ),
                Null({"kms:EncryptionContext:aws:cloudtrail:arn": "false"}),
            )
        )
    if s.baseline.own_logs_reader.enabled:
        statements.append(own_logs_readers_decrypt(s))
    if s.query.enabled and query_reader_roles(s):
        statements.append(readers_encrypt_query_results(s))
    if s.bucket.replica_region:
        statements.append(
            Statement(
                Sid="ReplicationRoleDecryptsForS3Replication",
                Effect=Allow,
                Principal=Principal("AWS", [account_root(s.organization.log_archive_account)]),
                Action=kms_actions("Decrypt"),
                Resource=["*"],
                Condition=Condition(
                    [
                        ArnEquals("aws:PrincipalArn", [replication_role_arn(s)]),
                        StringEquals(
                            {"kms:ViaService": service_region("s3", s.organization.home_region)}
                        ),
                    ]
                ),
            )
        )
    statements.append(deny_key_destruction(s.key.admin_roles))
    return PolicyDocument(Version="2012-10-17", Statement=statements)


def build(s: Settings) -> Template:
    t = Template(
        Description=(
            "cfct-build: customer-managed KMS key for the organization data-events trail "
            "(log-archive component; additive to Control Tower's own logging)."
        )
    )
    t.set_version(TEMPLATE_FORMAT_VERSION)
    key = t.add_resource(
        customer_managed_key(
            KEY,
            s,
            f"cfct-build: encrypts CloudTrail logs of trail {s.trail.name}",
            key_policy(s),
            COMPONENT,
        )
    )
    if s.baseline.own_logs_reader.enabled:
        key.Metadata = cfn_nag_suppress(
            (
                "F76",
                "OwnLogsReadersDecryptThroughS3 names every principal but holds only under "
                "aws:PrincipalOrgID of this organization, aws:PrincipalArn of the own-logs reader "
                "role name, kms:ViaService S3 in the home Region and the organization trail's "
                "encryption context; the bucket policy limits each reader to its account's logs.",
            )
        )
    t.add_resource(Alias(ALIAS, AliasName=f"alias/{s.key.alias}", TargetKeyId=Ref(key)))
    t.add_output(
        Output("KeyArn", Description="ARN of the log-archive key", Value=GetAtt(key, "Arn"))
    )
    t.add_output(Output("KeyId", Description="ID of the log-archive key", Value=Ref(key)))
    return t


def resource(s: Settings) -> Resource:
    return Resource(
        name=naming.RES_KEY,
        description="cfct-build: KMS key for the organization data-events trail",
        resource_file=naming.TEMPLATE_KEY,
        deploy_method="stack_set",
        accounts=(s.key_account_id,),
        regions=(s.organization.home_region,),
        export_outputs=((naming.SSM_KEY_ARN, "$[output_KeyArn]"),),
    )

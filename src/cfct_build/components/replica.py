"""Replica of the log archive in a second Region (optional: `bucket.replica_region`).

Deployed by StackSet to the log-archive account in the replica Region, after the key stack and
before the bucket stack, whose replication rule writes here and whose replication role
(`naming.replication_role`, a global IAM role created by the bucket stack) this stack's key
policy already names by ARN (granted through the account principal plus an `aws:PrincipalArn`
condition, so the policy is valid before the role exists).

- Replica key: a customer-managed key in the replica Region, administered like the log-archive
  key (`AWSControlTowerExecution`, plus the key admin roles when they live in the log-archive
  account); the replication role may encrypt only through S3 in the replica Region; reader roles
  may decrypt only through S3 in the replica Region and only from inside the organization;
  deletion, disabling, rotation-off and policy changes are denied to everyone else.
- Replica bucket: Object Lock with the archive's mode and retention (S3 replicates each
  version's retention too), versioning, SSE-KMS with the replica key and an S3 Bucket Key, all
  four Public Access Block flags, `BucketOwnerEnforced`, the archive's lifecycle, and the same
  deny statements as the archive bucket (see `bucket.guard_statements`).
"""

from __future__ import annotations

from awacs.aws import (
    Allow,
    ArnEquals,
    Condition,
    PolicyDocument,
    Principal,
    Statement,
    StringEquals,
)
from troposphere import GetAtt, Output, Ref, Template, kms, s3

from cfct_build import naming
from cfct_build.components._common import (
    TEMPLATE_FORMAT_VERSION,
    account_root,
    cfn_nag_suppress,
    kms_actions,
    retain,
    tags,
)
from cfct_build.components.bucket import (
    archive_lifecycle,
    block_public_access,
    guard_statements,
    kms_encryption,
    object_lock,
    owner_enforced,
    replication_role_arn,
    service_region,
    versioned,
)
from cfct_build.components.key import (
    customer_managed_key,
    deny_key_destruction,
    execution_role_administers_key,
    key_administrators,
    readers_decrypt,
)
from cfct_build.config import Settings
from cfct_build.manifest import Resource

COMPONENT = "log-archive-replica"
KEY = "ReplicaKey"
ALIAS = "ReplicaKeyAlias"
BUCKET = "ReplicaBucket"
BUCKET_POLICY = "ReplicaBucketPolicy"


def replica_region(s: Settings) -> str:
    if not s.bucket.replica_region:
        raise ValueError("bucket.replica_region is not set: the replica component is not built")
    return s.bucket.replica_region


def _local_admin_roles(s: Settings) -> list[str]:
    """Key admin roles that live in the log-archive account (the replica key's account)."""
    account = s.organization.log_archive_account
    return [arn for arn in s.key.admin_roles if arn.split(":")[4] == account]


def replica_key_policy(s: Settings) -> PolicyDocument:
    region = replica_region(s)
    log_archive = s.organization.log_archive_account
    local_admins = _local_admin_roles(s)
    via_s3 = service_region("s3", region)
    statements = [execution_role_administers_key()]
    if local_admins:
        statements.append(key_administrators(local_admins))
    statements.append(
        Statement(
            Sid="ReplicationRoleEncryptsReplicas",
            Effect=Allow,
            Principal=Principal("AWS", [account_root(log_archive)]),
            Action=kms_actions("Encrypt", "GenerateDataKey"),
            Resource=["*"],
            Condition=Condition(
                [
                    ArnEquals("aws:PrincipalArn", [replication_role_arn(s)]),
                    StringEquals({"kms:ViaService": via_s3}),
                ]
            ),
        )
    )
    if s.key.reader_roles:
        statements.append(
            readers_decrypt(
                s,
                "ReadersDecryptReplicasThroughS3",
                StringEquals({"aws:PrincipalOrgID": s.organization.id, "kms:ViaService": via_s3}),
            )
        )
    statements.append(deny_key_destruction(local_admins))
    return PolicyDocument(Version="2012-10-17", Statement=statements)


def replica_bucket_policy(s: Settings) -> PolicyDocument:
    return PolicyDocument(
        Version="2012-10-17", Statement=guard_statements(s, naming.replica_bucket(s))
    )


def build(s: Settings) -> Template:
    region = replica_region(s)
    t = Template(
        Description=(
            f"cfct-build: Object Lock replica of the log archive in {region} and its KMS key "
            "(log-archive component; additive to Control Tower's own logging)."
        )
    )
    t.set_version(TEMPLATE_FORMAT_VERSION)
    key = t.add_resource(
        customer_managed_key(
            KEY,
            s,
            f"cfct-build: encrypts the replica of CloudTrail logs of {s.trail.name}",
            replica_key_policy(s),
            COMPONENT,
        )
    )
    t.add_resource(
        kms.Alias(ALIAS, AliasName=f"alias/{naming.replica_key_alias(s)}", TargetKeyId=Ref(key))
    )
    bucket = t.add_resource(
        retain(
            s3.Bucket(
                BUCKET,
                BucketName=naming.replica_bucket(s),
                ObjectLockEnabled=True,
                ObjectLockConfiguration=object_lock(s),
                VersioningConfiguration=versioned(),
                BucketEncryption=kms_encryption(GetAtt(key, "Arn")),
                PublicAccessBlockConfiguration=block_public_access(),
                OwnershipControls=owner_enforced(),
                LifecycleConfiguration=archive_lifecycle(s),
                Tags=tags(COMPONENT),
                Metadata=cfn_nag_suppress(
                    (
                        "W35",
                        "Replica written only by S3 replication from the archive bucket, "
                        "whose access is logged; S3 cannot log across Regions and a second "
                        "access-log bucket per Region adds cost without a new signal. "
                        "Management API calls are recorded by Control Tower's trail.",
                    )
                ),
            )
        )
    )
    t.add_resource(
        retain(
            s3.BucketPolicy(
                BUCKET_POLICY, Bucket=Ref(bucket), PolicyDocument=replica_bucket_policy(s)
            )
        )
    )
    t.add_output(
        Output("ReplicaBucketArn", Description="Replica bucket ARN", Value=GetAtt(bucket, "Arn"))
    )
    t.add_output(
        Output("ReplicaKeyArn", Description="ARN of the replica key", Value=GetAtt(key, "Arn"))
    )
    return t


def resource(s: Settings) -> Resource:
    return Resource(
        name=naming.RES_REPLICA,
        description="cfct-build: Object Lock replica bucket and key in a second Region",
        resource_file=naming.TEMPLATE_REPLICA,
        deploy_method="stack_set",
        accounts=(s.organization.log_archive_account,),
        regions=(replica_region(s),),
        export_outputs=((naming.SSM_REPLICA_KEY_ARN, "$[output_ReplicaKeyArn]"),),
    )

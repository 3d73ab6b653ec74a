"""Log-archive bucket: the Object Lock bucket the organization data-events trail writes to.

Deployed by StackSet to the log-archive account, home Region, after the key (and the optional
replica) and before the trail. The stack holds:

- the archive bucket: created with Object Lock and a default retention, versioned, SSE-KMS with
  the log-archive key (template parameter `KeyArn`, read from management-account SSM) and an
  S3 Bucket Key, all four Public Access Block flags, `BucketOwnerEnforced`, server access logs
  to the access-log bucket, and a lifecycle that never expires an object before its retention;
- the access-log bucket: SSE-S3 (server access logs cannot be delivered with SSE-KMS), versioned,
  deliberately without Object Lock (S3 refuses Object Lock on a log destination), its own expiry;
- with a replica Region: the replication role and rule (the replica bucket and its key come from
  the replica stack, which deploys first and exports `ReplicaKeyArn`).

Bucket policies (statement builders shared with the replica stack):
- deny requests without TLS; deny principals outside the organization (AWS service principals
  excepted: CloudTrail and S3 log delivery act as services); deny object writes by anything
  that is neither an AWS service nor an exempt principal, so forged log files cannot be added
  (only CloudTrail, or S3 log delivery, writes; S3 replication writes replicas with
  `s3:ReplicateObject`, not `s3:PutObject`);
- deny deletion, retention bypass and every configuration change (policy, lifecycle, versioning,
  Object Lock, replication, encryption, logging, public access block, ownership, the bucket
  itself) to all but the exempt principals: `AWSControlTowerExecution` (the StackSet execution
  role: the policy applies as soon as it is created, and this stack must still be able to update
  the bucket and its policy) and the settings' `exempt_principals`. Not `stacksets-exec-*` (the
  SCPs exempt it): see `exempt_principals`.
  S3 replication needs no exemption: its role reads with `s3:GetObjectVersionForReplication`
  and writes with `s3:ReplicateObject`/`s3:ReplicateTags`, none of which is denied.
- CloudTrail may call `s3:GetBucketAcl` and `s3:PutObject` only for our trail (`aws:SourceArn`)
  and only under `<key_prefix>/AWSLogs/<org-id>/` and `<key_prefix>/AWSLogs/<management-id>/`.
- With the account baseline's own-logs reader (`baseline.own_logs_reader`), that role name in
  any account of the organization may list and read `<key_prefix>/AWSLogs/<org-id>/<its own
  account>/` only (`${aws:PrincipalAccount}`, see `own_logs_readers`).

`bucket.deny_uploads_without_kms` (off by default) adds two statements that deny `s3:PutObject`
unless the request asks for SSE-KMS (`s3:x-amz-server-side-encryption` = `aws:kms`) with this
key (`s3:x-amz-server-side-encryption-aws-kms-key-id` = `KeyArn`). CloudTrail's log deliveries
carry both headers, but its bucket check when a trail is created or updated is reported to fail
under these statements (AWS SRA ships them commented out for that reason). Roll out in two steps:
1. deploy with the setting off and let the pipeline create the trail (first delivery visible in
   the bucket under `<key_prefix>/AWSLogs/`);
2. set `bucket.deny_uploads_without_kms: true`, rebuild, commit. Only this stack changes. If you
   later change the trail's bucket or key, turn it off first, then on again afterwards.
"""

from __future__ import annotations

from awacs.aws import (
    Action,
    Allow,
    ArnEquals,
    ArnLike,
    ArnNotLike,
    Bool,
    Condition,
    Deny,
    PolicyDocument,
    Principal,
    Statement,
    StringEquals,
    StringLike,
    StringNotEquals,
    StringNotLike,
)
from troposphere import GetAtt, Output, Parameter, Ref, Sub, Template, iam, s3

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
from cfct_build.config import Lifecycle, Settings
from cfct_build.manifest import Resource

COMPONENT = "log-archive-bucket"
ARCHIVE = "ArchiveBucket"
ARCHIVE_POLICY = "ArchiveBucketPolicy"
ACCESS_LOG = "AccessLogBucket"
ACCESS_LOG_POLICY = "AccessLogBucketPolicy"
REPLICATION_ROLE = "ReplicationRole"
KEY_ARN = "KeyArn"
REPLICA_KEY_ARN = "ReplicaKeyArn"
REPLICATION_RULE = "ReplicateLogsToReplicaRegion"

ABORT_INCOMPLETE_UPLOAD_DAYS = 7
# A deleted access log (only exempt principals may delete) stays recoverable this long.
ACCESS_LOG_NONCURRENT_DAYS = 30

TAMPER_ACTIONS = [
    "BypassGovernanceRetention",
    "DeleteBucket",
    "DeleteBucketPolicy",
    "DeleteObject",
    "DeleteObjectVersion",
    "PutBucketLogging",
    "PutBucketObjectLockConfiguration",
    "PutBucketOwnershipControls",
    "PutBucketPolicy",
    "PutBucketPublicAccessBlock",
    "PutBucketVersioning",
    "PutEncryptionConfiguration",
    "PutLifecycleConfiguration",
    "PutObjectLegalHold",
    "PutObjectRetention",
    "PutReplicationConfiguration",
]


def _s3(*names: str) -> list[Action]:
    return [Action("s3", n) for n in names]


def bucket_arn(name: str) -> Sub:
    return Sub(f"arn:${{AWS::Partition}}:s3:::{name}")


def objects_arn(name: str, key: str = "*") -> Sub:
    return Sub(f"arn:${{AWS::Partition}}:s3:::{name}/{key}")


def replication_role_arn(s: Settings) -> Sub:
    account = s.organization.log_archive_account
    return Sub(f"arn:${{AWS::Partition}}:iam::{account}:role/{naming.replication_role(s)}")


def key_arn_pattern(region: str, account: str) -> str:
    """AllowedPattern for the ARN of a single-Region KMS key in one account and Region."""
    uuid = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    return f"^arn:aws[a-z-]*:kms:{region}:{account}:key/{uuid}$"


def key_arn_parameter(s: Settings) -> Parameter:
    """The `KeyArn` parameter: the log-archive key, pinned to its account and the home Region."""
    return _kms_key_parameter(
        KEY_ARN, "log-archive", naming.SSM_KEY_ARN, s.organization.home_region, s.key_account_id
    )


def replica_key_arn_parameter(s: Settings, replica_region: str) -> Parameter:
    """The `ReplicaKeyArn` parameter: the replica key, in the log-archive account."""
    return _kms_key_parameter(
        REPLICA_KEY_ARN,
        "replica",
        naming.SSM_REPLICA_KEY_ARN,
        replica_region,
        s.organization.log_archive_account,
    )


def _kms_key_parameter(title: str, key: str, ssm_name: str, region: str, account: str) -> Parameter:
    return Parameter(
        title,
        Type="String",
        Description=f"ARN of the {key} KMS key (from SSM {ssm_name}).",
        AllowedPattern=key_arn_pattern(region, account),
        ConstraintDescription=f"must be the ARN of a KMS key in account {account}, Region {region}",
    )


def service_region(service: str, region: str) -> str:
    """The kms:ViaService value of a service endpoint in a Region."""
    return f"{service}.{region}.amazonaws.com"


# --------------------------------------------------------------------------- shared guards


def exempt_principals(s: Settings) -> list[Sub]:
    """Principals that may still change and delete: the pipeline, then the settings' roles.

    `stacksets-exec-*` is deliberately not exempt here, unlike in the guardrail SCPs. CfCT
    deploys these stacks as self-managed StackSets through `AWSControlTowerExecution`; a
    `stacksets-exec-*` role belongs to service-managed StackSets, which never deploy them, so
    exempting it would lock nothing out and only trust a role name: wherever the log-archive
    account is outside the guardrail SCPs (its OU not listed), its admin could create
    `role/stacksets-exec-x` and delete logs or change this policy.
    """
    return [ct_execution_role_arn(), *role_arns(s.exempt_principals)]


def deny_insecure_transport(name: str) -> Statement:
    return Statement(
        Sid="DenyInsecureTransport",
        Effect=Deny,
        Principal=Principal("*"),
        Action=_s3("*"),
        Resource=[bucket_arn(name), objects_arn(name)],
        Condition=Condition(Bool({"aws:SecureTransport": "false"})),
    )


def deny_outside_organization(s: Settings, name: str) -> Statement:
    return Statement(
        Sid="DenyPrincipalsOutsideOrganization",
        Effect=Deny,
        Principal=Principal("*"),
        Action=_s3("*"),
        Resource=[bucket_arn(name), objects_arn(name)],
        Condition=Condition(
            [
                StringNotEquals({"aws:PrincipalOrgID": s.organization.id}),
                Bool({"aws:PrincipalIsAWSService": "false"}),
            ]
        ),
    )


def deny_writes_except_services(s: Settings, name: str) -> Statement:
    """Only AWS services (CloudTrail, S3 log delivery) add objects; replication is not a write."""
    return Statement(
        Sid="DenyObjectWritesExceptAwsServices",
        Effect=Deny,
        Principal=Principal("*"),
        Action=_s3("PutObject"),
        Resource=[objects_arn(name)],
        Condition=Condition(
            [
                Bool({"aws:PrincipalIsAWSService": "false"}),
                ArnNotLike("aws:PrincipalArn", exempt_principals(s)),
            ]
        ),
    )


def deny_tampering(s: Settings, name: str) -> Statement:
    return Statement(
        Sid="DenyDeletionAndConfigChangesExceptExemptPrincipals",
        Effect=Deny,
        Principal=Principal("*"),
        Action=_s3(*TAMPER_ACTIONS),
        Resource=[bucket_arn(name), objects_arn(name)],
        Condition=Condition(ArnNotLike("aws:PrincipalArn", exempt_principals(s))),
    )


def guard_statements(s: Settings, name: str) -> list[Statement]:
    """The deny statements every log bucket of this package carries."""
    return [
        deny_insecure_transport(name),
        deny_outside_organization(s, name),
        deny_writes_except_services(s, name),
        deny_tampering(s, name),
    ]


# --------------------------------------------------------------------------- shared properties


def object_lock(s: Settings) -> s3.ObjectLockConfiguration:
    ol = s.bucket.object_lock
    return s3.ObjectLockConfiguration(
        ObjectLockEnabled="Enabled",
        Rule=s3.ObjectLockRule(
            DefaultRetention=s3.DefaultRetention(Mode=ol.mode, Days=ol.retention_days)
        ),
    )


def kms_encryption(key_arn: Ref | GetAtt) -> s3.BucketEncryption:
    return s3.BucketEncryption(
        ServerSideEncryptionConfiguration=[
            s3.ServerSideEncryptionRule(
                ServerSideEncryptionByDefault=s3.ServerSideEncryptionByDefault(
                    SSEAlgorithm="aws:kms", KMSMasterKeyID=key_arn
                ),
                BucketKeyEnabled=True,
            )
        ]
    )


def block_public_access() -> s3.PublicAccessBlockConfiguration:
    return s3.PublicAccessBlockConfiguration(
        BlockPublicAcls=True,
        BlockPublicPolicy=True,
        IgnorePublicAcls=True,
        RestrictPublicBuckets=True,
    )


def owner_enforced() -> s3.OwnershipControls:
    return s3.OwnershipControls(
        Rules=[s3.OwnershipControlsRule(ObjectOwnership="BucketOwnerEnforced")]
    )


def versioned() -> s3.VersioningConfiguration:
    return s3.VersioningConfiguration(Status="Enabled")


def archive_lifecycle(s: Settings) -> s3.LifecycleConfiguration:
    """Transitions and expiry of the settings; settings guarantee expiry >= retention."""
    return lifecycle_configuration(s.bucket.lifecycle)


def lifecycle_configuration(lc: Lifecycle) -> s3.LifecycleConfiguration:
    """The archive's (and replica's) lifecycle for `lc`, also as `cfct-build cost` models it.

    A log file lives `expiration_days` (then S3 makes it noncurrent) plus
    `noncurrent_expiration_days` (then S3 deletes it). `TransitionDefaultMinimumObjectSize` is
    always written, even with S3's default, so the template states what happens to objects
    under 128 KB instead of depending on the default of the day the rule was put.
    """
    rule = s3.LifecycleRule(
        Id="TransitionAndExpireLogs",
        Status="Enabled",
        ExpirationInDays=lc.expiration_days,
        NoncurrentVersionExpiration=s3.NoncurrentVersionExpiration(
            NoncurrentDays=lc.noncurrent_expiration_days
        ),
        AbortIncompleteMultipartUpload=s3.AbortIncompleteMultipartUpload(
            DaysAfterInitiation=ABORT_INCOMPLETE_UPLOAD_DAYS
        ),
    )
    if lc.transitions:
        rule.Transitions = [
            s3.LifecycleRuleTransition(StorageClass=t.storage_class, TransitionInDays=t.days)
            for t in lc.transitions
        ]
    return s3.LifecycleConfiguration(
        Rules=[rule], TransitionDefaultMinimumObjectSize=lc.transition_default_minimum_object_size
    )


# --------------------------------------------------------------------------- policies


def readers_read_logs(s: Settings, name: str) -> Statement:
    """`key.reader_roles` (any account of the organization) list and read the trail's logs.

    Readers in the log-archive account need the grant only in IAM; readers elsewhere (the audit
    account's, typically) need it here too. Decrypting is granted by the key policy.
    """
    reader_accounts = sorted({arn.split(":")[4] for arn in s.key.reader_roles})
    return Statement(
        Sid="ReadersReadLogs",
        Effect=Allow,
        Principal=Principal("AWS", [account_root(a) for a in reader_accounts]),
        Action=_s3("GetBucketLocation", "GetObject", "GetObjectVersion", "ListBucket"),
        Resource=[bucket_arn(name), objects_arn(name, f"{s.bucket.key_prefix}/*")],
        Condition=Condition(
            [
                ArnEquals("aws:PrincipalArn", role_arns(s.key.reader_roles)),
                StringEquals({"aws:PrincipalOrgID": s.organization.id}),
            ]
        ),
    )


def own_logs_readers(s: Settings, name: str) -> list[Statement]:
    """Every account's own-logs reader (account baseline) lists and reads its account's prefix.

    One grant for the whole organization, scoped by the policy variable `${aws:PrincipalAccount}`
    (inside Fn::Sub written `${!aws:PrincipalAccount}`, which Fn::Sub turns into the variable;
    a plain string passes it through as is), never by a list of accounts: a newly vended
    account's reader works without a change to this policy, and an account admin who widens
    the reader's own IAM policy still gets only the account's prefix.
    None of the other Deny statements touches ListBucket or GetObject(Version) over TLS from
    inside the organization. Two Deny statements hold the reader to its own prefix even in the
    bucket's own account, where an identity policy alone would grant S3 access (and the key
    policy lets the reader name decrypt through S3): an admin of the log-archive account who
    widens that account's reader must still not read the other accounts' logs.
    """
    own = naming.own_logs_prefix(s, "${aws:PrincipalAccount}")  # a plain string: left to IAM
    own_sub = naming.own_logs_prefix(s, "${!aws:PrincipalAccount}")  # in Fn::Sub: ${! is ${
    reader = Sub(f"arn:${{AWS::Partition}}:iam::*:role/{naming.own_logs_reader_role(s)}")
    who = [
        StringEquals({"aws:PrincipalOrgID": s.organization.id}),
        ArnLike("aws:PrincipalArn", [reader]),
    ]
    return [
        Statement(
            Sid="OwnLogsReadersListOwnPrefix",
            Effect=Allow,
            Principal=Principal("AWS", ["*"]),
            Action=_s3("ListBucket"),
            Resource=[bucket_arn(name)],
            Condition=Condition([*who, StringLike({"s3:prefix": [f"{own}*"]})]),
        ),
        Statement(
            Sid="OwnLogsReadersReadOwnPrefix",
            Effect=Allow,
            Principal=Principal("AWS", ["*"]),
            Action=_s3("GetObject", "GetObjectVersion"),
            Resource=[objects_arn(name, f"{own_sub}*")],
            Condition=Condition(who),
        ),
        Statement(
            Sid="DenyOwnLogsReadersListingOtherPrefixes",
            Effect=Deny,
            Principal=Principal("AWS", ["*"]),
            Action=_s3("ListBucket"),
            Resource=[bucket_arn(name)],
            Condition=Condition(
                [ArnLike("aws:PrincipalArn", [reader]), StringNotLike({"s3:prefix": [f"{own}*"]})]
            ),
        ),
        Statement(
            Sid="DenyOwnLogsReadersReadingOtherPrefixes",
            Effect=Deny,
            Principal=Principal("AWS", ["*"]),
            Action=_s3("GetObject", "GetObjectVersion"),
            NotResource=[objects_arn(name, f"{own_sub}*")],
            Condition=Condition(ArnLike("aws:PrincipalArn", [reader])),
        ),
    ]


def archive_bucket_policy(s: Settings) -> PolicyDocument:
    name = naming.archive_bucket(s)
    org = s.organization
    trail_arn = Sub(naming.trail_arn_sub(s))
    prefix = s.bucket.key_prefix
    statements = [
        *guard_statements(s, name),
        Statement(
            Sid="CloudTrailAclCheck",
            Effect=Allow,
            Principal=Principal("Service", ["cloudtrail.amazonaws.com"]),
            Action=_s3("GetBucketAcl"),
            Resource=[bucket_arn(name)],
            Condition=Condition(StringEquals({"aws:SourceArn": trail_arn})),
        ),
        Statement(
            Sid="CloudTrailWriteOrganizationLogs",
            Effect=Allow,
            Principal=Principal("Service", ["cloudtrail.amazonaws.com"]),
            Action=_s3("PutObject"),
            Resource=[
                objects_arn(name, f"{prefix}/AWSLogs/{org.id}/*"),
                objects_arn(name, f"{prefix}/AWSLogs/{org.management_account}/*"),
            ],
            Condition=Condition(
                StringEquals(
                    {"aws:SourceArn": trail_arn, "s3:x-amz-acl": "bucket-owner-full-control"}
                )
            ),
        ),
    ]
    if s.key.reader_roles:
        statements.append(readers_read_logs(s, name))
    if s.baseline.own_logs_reader.enabled:
        statements += own_logs_readers(s, name)
    if s.bucket.deny_uploads_without_kms:
        statements += [
            Statement(
                Sid="DenyUploadsWithoutSseKms",
                Effect=Deny,
                Principal=Principal("*"),
                Action=_s3("PutObject"),
                Resource=[objects_arn(name)],
                Condition=Condition(
                    StringNotEquals({"s3:x-amz-server-side-encryption": "aws:kms"})
                ),
            ),
            Statement(
                Sid="DenyUploadsWithOtherKmsKey",
                Effect=Deny,
                Principal=Principal("*"),
                Action=_s3("PutObject"),
                Resource=[objects_arn(name)],
                Condition=Condition(
                    StringNotEquals(
                        {"s3:x-amz-server-side-encryption-aws-kms-key-id": Ref(KEY_ARN)}
                    )
                ),
            ),
        ]
    return PolicyDocument(Version="2012-10-17", Statement=statements)


def access_log_bucket_policy(s: Settings) -> PolicyDocument:
    name = naming.access_log_bucket(s)
    archive = naming.archive_bucket(s)
    return PolicyDocument(
        Version="2012-10-17",
        Statement=[
            *guard_statements(s, name),
            Statement(
                Sid="S3ServerAccessLogsDelivery",
                Effect=Allow,
                Principal=Principal("Service", ["logging.s3.amazonaws.com"]),
                Action=_s3("PutObject"),
                Resource=[objects_arn(name, f"{archive}/*")],
                Condition=Condition(
                    [
                        ArnLike({"aws:SourceArn": bucket_arn(archive)}),
                        StringEquals({"aws:SourceAccount": s.organization.log_archive_account}),
                    ]
                ),
            ),
        ],
    )


def replication_trust_policy(s: Settings) -> PolicyDocument:
    return PolicyDocument(
        Version="2012-10-17",
        Statement=[
            Statement(
                Sid="S3AssumesRoleForReplication",
                Effect=Allow,
                Principal=Principal("Service", ["s3.amazonaws.com"]),
                Action=[Action("sts", "AssumeRole")],
                Condition=Condition(
                    StringEquals({"aws:SourceAccount": s.organization.log_archive_account})
                ),
            )
        ],
    )


def replication_role_policy(s: Settings) -> PolicyDocument:
    """Least privilege for S3 replication of SSE-KMS objects between Object Lock buckets."""
    replica_region = _replica_region(s)
    source = naming.archive_bucket(s)
    destination = naming.replica_bucket(s)
    return PolicyDocument(
        Version="2012-10-17",
        Statement=[
            Statement(
                Sid="ReadReplicationConfiguration",
                Effect=Allow,
                Action=_s3("GetReplicationConfiguration", "ListBucket"),
                Resource=[bucket_arn(source)],
            ),
            Statement(
                Sid="ReadObjectVersionsForReplication",
                Effect=Allow,
                Action=_s3(
                    "GetObjectLegalHold",
                    "GetObjectRetention",
                    "GetObjectVersionAcl",
                    "GetObjectVersionForReplication",
                    "GetObjectVersionTagging",
                ),
                Resource=[objects_arn(source)],
            ),
            Statement(
                Sid="WriteReplicas",
                Effect=Allow,
                Action=_s3("ReplicateObject", "ReplicateTags"),
                Resource=[objects_arn(destination)],
            ),
            Statement(
                Sid="DecryptSourceObjects",
                Effect=Allow,
                Action=kms_actions("Decrypt"),
                Resource=[Ref(KEY_ARN)],
                Condition=Condition(
                    StringEquals(
                        {"kms:ViaService": service_region("s3", s.organization.home_region)}
                    )
                ),
            ),
            Statement(
                Sid="EncryptReplicas",
                Effect=Allow,
                Action=kms_actions("Encrypt", "GenerateDataKey"),
                Resource=[Ref(REPLICA_KEY_ARN)],
                Condition=Condition(
                    StringEquals({"kms:ViaService": service_region("s3", replica_region)})
                ),
            ),
        ],
    )


def _replica_region(s: Settings) -> str:
    if not s.bucket.replica_region:
        raise ValueError("bucket.replica_region is not set")
    return s.bucket.replica_region


# --------------------------------------------------------------------------- template


def replication_configuration(s: Settings) -> s3.ReplicationConfiguration:
    return s3.ReplicationConfiguration(
        Role=GetAtt(REPLICATION_ROLE, "Arn"),
        Rules=[
            s3.ReplicationConfigurationRules(
                Id=REPLICATION_RULE,
                Status="Enabled",
                Priority=1,
                Filter=s3.ReplicationRuleFilter(Prefix=f"{s.bucket.key_prefix}/"),
                DeleteMarkerReplication=s3.DeleteMarkerReplication(Status="Disabled"),
                SourceSelectionCriteria=s3.SourceSelectionCriteria(
                    SseKmsEncryptedObjects=s3.SseKmsEncryptedObjects(Status="Enabled")
                ),
                Destination=s3.ReplicationConfigurationRulesDestination(
                    Bucket=bucket_arn(naming.replica_bucket(s)),
                    EncryptionConfiguration=s3.EncryptionConfiguration(
                        ReplicaKmsKeyID=Ref(REPLICA_KEY_ARN)
                    ),
                ),
            )
        ],
    )


def build(s: Settings) -> Template:
    t = Template(
        Description=(
            "cfct-build: Object Lock log-archive bucket and its access-log bucket for the "
            "organization data-events trail (additive to Control Tower's own logging)."
        )
    )
    t.set_version(TEMPLATE_FORMAT_VERSION)
    t.add_parameter(key_arn_parameter(s))
    replica_region = s.bucket.replica_region
    if replica_region:
        t.add_parameter(replica_key_arn_parameter(s, replica_region))

    access_log = t.add_resource(
        retain(
            s3.Bucket(
                ACCESS_LOG,
                BucketName=naming.access_log_bucket(s),
                BucketEncryption=s3.BucketEncryption(
                    ServerSideEncryptionConfiguration=[
                        s3.ServerSideEncryptionRule(
                            ServerSideEncryptionByDefault=s3.ServerSideEncryptionByDefault(
                                SSEAlgorithm="AES256"
                            )
                        )
                    ]
                ),
                VersioningConfiguration=versioned(),
                PublicAccessBlockConfiguration=block_public_access(),
                OwnershipControls=owner_enforced(),
                LifecycleConfiguration=s3.LifecycleConfiguration(
                    Rules=[
                        s3.LifecycleRule(
                            Id="ExpireAccessLogs",
                            Status="Enabled",
                            ExpirationInDays=s.bucket.access_logs.expiration_days,
                            NoncurrentVersionExpiration=s3.NoncurrentVersionExpiration(
                                NoncurrentDays=ACCESS_LOG_NONCURRENT_DAYS
                            ),
                            AbortIncompleteMultipartUpload=s3.AbortIncompleteMultipartUpload(
                                DaysAfterInitiation=ABORT_INCOMPLETE_UPLOAD_DAYS
                            ),
                        )
                    ]
                ),
                Tags=tags(COMPONENT),
                Metadata=cfn_nag_suppress(
                    (
                        "W35",
                        "This bucket is the server access log destination of the archive "
                        "bucket; logging it as well would only log log deliveries. Management "
                        "API calls on it are recorded by Control Tower's organization trail.",
                    )
                ),
            )
        )
    )
    access_log_policy = t.add_resource(
        retain(
            s3.BucketPolicy(
                ACCESS_LOG_POLICY,
                Bucket=Ref(access_log),
                PolicyDocument=access_log_bucket_policy(s),
            )
        )
    )

    archive = s3.Bucket(
        ARCHIVE,
        BucketName=naming.archive_bucket(s),
        ObjectLockEnabled=True,
        ObjectLockConfiguration=object_lock(s),
        VersioningConfiguration=versioned(),
        BucketEncryption=kms_encryption(Ref(KEY_ARN)),
        PublicAccessBlockConfiguration=block_public_access(),
        OwnershipControls=owner_enforced(),
        LoggingConfiguration=s3.LoggingConfiguration(
            DestinationBucketName=Ref(access_log),
            LogFilePrefix=f"{naming.archive_bucket(s)}/",
            TargetObjectKeyFormat=s3.TargetObjectKeyFormat(
                PartitionedPrefix=s3.PartitionedPrefix(PartitionDateSource="EventTime")
            ),
        ),
        LifecycleConfiguration=archive_lifecycle(s),
        Tags=tags(COMPONENT),
        # Log delivery needs the access-log bucket's policy before the first request is logged.
        DependsOn=[access_log_policy.title],
    )
    if replica_region:
        t.add_resource(
            iam.Role(
                REPLICATION_ROLE,
                RoleName=naming.replication_role(s),
                Path="/",
                Description="cfct-build: S3 replication of the log archive to the replica Region",
                AssumeRolePolicyDocument=replication_trust_policy(s),
                Policies=[
                    iam.Policy(
                        PolicyName="s3-replication",
                        PolicyDocument=replication_role_policy(s),
                    )
                ],
                Tags=tags(COMPONENT),
                Metadata=cfn_nag_suppress(
                    (
                        "W28",
                        "Fixed name: the key policies of the log-archive key and the replica "
                        "key grant this role by ARN before it exists.",
                    )
                ),
            )
        )
        archive.ReplicationConfiguration = replication_configuration(s)
    t.add_resource(retain(archive))
    archive_policy = s3.BucketPolicy(
        ARCHIVE_POLICY, Bucket=Ref(archive), PolicyDocument=archive_bucket_policy(s)
    )
    if s.baseline.own_logs_reader.enabled:
        archive_policy.Metadata = cfn_nag_suppress(
            (
                "F16",
                "The own-logs reader grants (OwnLogsReaders*) name every principal but hold only "
                "under aws:PrincipalOrgID of this organization, aws:PrincipalArn of the reader "
                "role name, and a resource or s3:prefix limited to the caller's own account "
                "(${aws:PrincipalAccount}); listing the accounts instead would need a policy "
                "change for every vended account.",
            )
        )
    t.add_resource(retain(archive_policy))

    t.add_output(Output("BucketName", Description="Archive bucket name", Value=Ref(archive)))
    t.add_output(
        Output("BucketArn", Description="Archive bucket ARN", Value=GetAtt(archive, "Arn"))
    )
    t.add_output(
        Output("AccessLogBucketName", Description="Access-log bucket name", Value=Ref(access_log))
    )
    return t


def resource(s: Settings) -> Resource:
    parameters = [(KEY_ARN, naming.alfred_ssm(naming.SSM_KEY_ARN))]
    if s.bucket.replica_region:
        parameters.append((REPLICA_KEY_ARN, naming.alfred_ssm(naming.SSM_REPLICA_KEY_ARN)))
    return Resource(
        name=naming.RES_BUCKET,
        description="cfct-build: Object Lock log-archive bucket for the organization trail",
        resource_file=naming.TEMPLATE_BUCKET,
        deploy_method="stack_set",
        accounts=(s.organization.log_archive_account,),
        regions=(s.organization.home_region,),
        parameters=tuple(parameters),
        export_outputs=(
            (naming.SSM_BUCKET_NAME, "$[output_BucketName]"),
            (naming.SSM_BUCKET_ARN, "$[output_BucketArn]"),
            (naming.SSM_ACCESS_LOG_BUCKET_NAME, "$[output_AccessLogBucketName]"),
        ),
    )

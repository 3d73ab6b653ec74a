"""Query path: Athena over the log archive, in the audit account (home Region).

Deployed by StackSet to the audit account, home Region, last in the manifest: it reads the
archive, it does not feed it, so a failure here never holds up the trail. The stack holds:

- a Glue database and a CloudTrail table over `s3://<archive>/<key_prefix>/AWSLogs/<org-id>/`
  with partition projection that mirrors the organization trail's key layout
  `<key_prefix>/AWSLogs/<org-id>/<account>/CloudTrail/<region>/<yyyy>/<MM>/<dd>/`:
  - `account`: `enum` of the management, log-archive and audit accounts plus `query.accounts`.
    An `injected` account would take any account but refuses every query that does not name
    its accounts with equality conditions, so "root activity anywhere in the organization"
    could not be one query; the price of `enum` is that a new account must be added to
    `query.accounts` before its logs can be queried (README, Query path). That gap is made
    loud where the accounts are known: `cfct-build plan` warns (`query-account-missing`) for
    every ACTIVE account of the organization the enum leaves out, and `plan --new-account` and
    `simulate` say it of a vended account;
  - `region`: `enum` of the governed Regions plus the Region CloudTrail files global-service
    events under (us-east-1 in the aws partition), where IAM and sign-in events land;
  - `timestamp`: `date`, `yyyy/MM/dd`, from `query.projection_start` to `NOW`, one day apart.
  Only `.../CloudTrail/...` is read: digest files (`CloudTrail-Digest/`) and Insights events
  (`CloudTrail-Insight/`) sit beside it. The SerDe is the Hive JSON SerDe with CloudTrail's
  input format, which AWS's Athena guide documents for CloudTrail logs.
- an Athena workgroup (engine version 3) whose configuration is enforced on every query:
  results in the results bucket, SSE-KMS with the log-archive key, a bytes-scanned cutoff per
  query, CloudWatch metrics;
- the results bucket: SSE-KMS with the log-archive key and an S3 Bucket Key, all four Public
  Access Block flags, `BucketOwnerEnforced`, versioning (an overwritten or deleted result stays
  recoverable as long as results are kept), a TLS-only and organization-only policy, expiry of
  current and noncurrent versions after `query.results_retention_days`. Results are copies of log records, so they are
  encrypted with the key that guards the logs: whoever cannot decrypt the logs cannot read
  the results either (the audit account's administrators included), and no second key needs
  administering. The key policy lets the reader roles of the audit account use the key for
  this bucket only, through S3 (`components/key.py`, `ReadersEncryptQueryResults`).
- the named queries of `queries.py`;
- a customer-managed policy holding exactly what a reader needs to run them: the workgroup's
  query calls, the table's definition, reading the archive's organization prefix, writing and
  reading results, and the key through S3. With `query.attach_reader_policy` (the default) the
  stack attaches it (`Roles`, by role name: the ARN's last segment, without its path) to the
  `key.reader_roles` of the audit account. The roles are the customer's and must exist before
  the stack deploys (CloudFormation fails the attachment otherwise); the stack never creates
  or changes them, and detaches the policy when it is deleted. Without the setting it is
  attached to no role and users attach it themselves. The resource side already lets those
  roles read the archive (`ReadersReadLogs`, bucket policy) and decrypt the logs
  (`ReadersDecryptCloudTrailLogs`, key policy).
Athena workgroups and the Glue catalog are per account: reader roles of other accounts cannot
use this workgroup (they can assume a reader role of the audit account).
"""

from __future__ import annotations

from awacs.aws import Action, Allow, Condition, PolicyDocument, Statement, StringEquals
from troposphere import AccountId, Output, Ref, Sub, Template, athena, glue, iam, s3

from cfct_build import naming
from cfct_build.components._common import TEMPLATE_FORMAT_VERSION, cfn_nag_suppress, retain, tags
from cfct_build.components.bucket import KEY_ARN as KEY_ARN
from cfct_build.components.bucket import (
    block_public_access,
    bucket_arn,
    deny_insecure_transport,
    deny_outside_organization,
    key_arn_parameter,
    kms_encryption,
    objects_arn,
    owner_enforced,
    service_region,
    versioned,
)
from cfct_build.config import Settings
from cfct_build.manifest import Resource
from cfct_build.queries import (
    named_queries,
    projected_accounts,
    projected_regions,
    query_reader_roles,
)

COMPONENT = "log-archive-query"
DATABASE = "LogArchiveDatabase"
TABLE = "CloudTrailTable"
WORKGROUP = "QueryWorkGroup"
RESULTS = "QueryResultsBucket"
RESULTS_POLICY = "QueryResultsBucketPolicy"
READER_POLICY = "QueryReaderPolicy"

ENGINE_VERSION = "Athena engine version 3"
GIB = 1024**3
ABORT_INCOMPLETE_UPLOAD_DAYS = 1

INPUT_FORMAT = "com.amazon.emr.cloudtrail.CloudTrailInputFormat"
OUTPUT_FORMAT = "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat"
SERDE = "org.apache.hive.hcatalog.data.JsonSerDe"
DATE_FORMAT = "yyyy/MM/dd"  # Java DateTimeFormatter pattern: the trail's <yyyy>/<MM>/<dd>

# The CloudTrail record, as Hive types (field names lowercase: the SerDe matches them
# case-insensitively against CloudTrail's camelCase keys).
COLUMNS: tuple[tuple[str, str], ...] = (
    ("eventversion", "string"),
    (
        "useridentity",
        "struct<type:string,principalid:string,arn:string,accountid:string,invokedby:string,"
        "accesskeyid:string,username:string,onbehalfof:struct<userid:string,"
        "identitystorearn:string>,sessioncontext:struct<attributes:struct<"
        "mfaauthenticated:string,creationdate:string>,sessionissuer:struct<type:string,"
        "principalid:string,arn:string,accountid:string,username:string>,"
        "ec2roledelivery:string,webidfederationdata:struct<federatedprovider:string,"
        "attributes:map<string,string>>>>",
    ),
    ("eventtime", "string"),
    ("eventsource", "string"),
    ("eventname", "string"),
    ("awsregion", "string"),
    ("sourceipaddress", "string"),
    ("useragent", "string"),
    ("errorcode", "string"),
    ("errormessage", "string"),
    ("requestparameters", "string"),
    ("responseelements", "string"),
    ("additionaleventdata", "string"),
    ("requestid", "string"),
    ("eventid", "string"),
    ("readonly", "string"),
    ("resources", "array<struct<arn:string,accountid:string,type:string>>"),
    ("eventtype", "string"),
    ("apiversion", "string"),
    ("recipientaccountid", "string"),
    ("serviceeventdetails", "string"),
    ("sharedeventid", "string"),
    ("vpcendpointid", "string"),
    ("vpcendpointaccountid", "string"),
    ("eventcategory", "string"),
    (
        "addendum",
        "struct<reason:string,updatedfields:string,originalrequestid:string,"
        "originaleventid:string>",
    ),
    ("sessioncredentialfromconsole", "string"),
    ("edgedevicedetails", "string"),
    ("tlsdetails", "struct<tlsversion:string,ciphersuite:string,clientprovidedhostheader:string>"),
)
PARTITION_KEYS = ("account", "region", "timestamp")

ATHENA_ACTIONS = (
    "BatchGetNamedQuery",
    "BatchGetQueryExecution",
    "GetNamedQuery",
    "GetQueryExecution",
    "GetQueryResults",
    "GetQueryResultsStream",
    "GetWorkGroup",
    "ListNamedQueries",
    "ListQueryExecutions",
    "StartQueryExecution",
    "StopQueryExecution",
)
# GetPartitions: Athena's planner may ask for the table's partitions even where projection
# makes the answer irrelevant; it reads nothing but this table's (empty) partition list.
GLUE_ACTIONS = ("GetDatabase", "GetPartitions", "GetTable")
ARCHIVE_ACTIONS = ("GetBucketLocation", "GetObject", "ListBucket")
RESULTS_ACTIONS = (
    "AbortMultipartUpload",
    "GetBucketLocation",
    "GetObject",
    "ListBucket",
    "ListBucketMultipartUploads",
    "ListMultipartUploadParts",
    "PutObject",
)
KMS_ACTIONS = ("Decrypt", "GenerateDataKey")


def enabled(s: Settings) -> bool:
    return s.query.enabled


def location_template(s: Settings) -> str:
    """The projection's location: exactly the organization trail's key layout, as a prefix."""
    return naming.archive_logs_location(s) + "${account}/CloudTrail/${region}/${timestamp}/"


def table_parameters(s: Settings) -> dict[str, str]:
    start = s.query.projection_start.strftime("%Y/%m/%d")
    return {
        "EXTERNAL": "TRUE",
        "classification": "cloudtrail",
        "projection.enabled": "true",
        "projection.account.type": "enum",
        "projection.account.values": ",".join(projected_accounts(s)),
        "projection.region.type": "enum",
        "projection.region.values": ",".join(projected_regions(s)),
        "projection.timestamp.type": "date",
        "projection.timestamp.format": DATE_FORMAT,
        "projection.timestamp.range": f"{start},NOW",
        "projection.timestamp.interval": "1",
        "projection.timestamp.interval.unit": "DAYS",
        "storage.location.template": location_template(s),
    }


def results_location(s: Settings) -> str:
    return f"s3://{naming.query_results_bucket(s)}/{naming.QUERY_RESULTS_PREFIX}/"


def workgroup_arn(s: Settings) -> Sub:
    return Sub(
        "arn:${AWS::Partition}:athena:${AWS::Region}:${AWS::AccountId}:"
        f"workgroup/{s.query.workgroup}"
    )


def glue_arn(resource: str) -> Sub:
    return Sub(f"arn:${{AWS::Partition}}:glue:${{AWS::Region}}:${{AWS::AccountId}}:{resource}")


def reader_policy(s: Settings) -> PolicyDocument:
    """What a reader role of the audit account needs to run the named queries, and no more."""
    archive = naming.archive_bucket(s)
    results = naming.query_results_bucket(s)
    org_prefix = f"{s.bucket.key_prefix}/AWSLogs/{s.organization.id}/*"
    db, table = naming.QUERY_DATABASE, naming.QUERY_TABLE
    return PolicyDocument(
        Version="2012-10-17",
        Statement=[
            Statement(
                Sid="QueryRunInWorkgroup",
                Effect=Allow,
                Action=[Action("athena", a) for a in ATHENA_ACTIONS],
                Resource=[workgroup_arn(s)],
            ),
            Statement(
                Sid="QueryReadTableDefinition",
                Effect=Allow,
                Action=[Action("glue", a) for a in GLUE_ACTIONS],
                Resource=[
                    glue_arn("catalog"),
                    glue_arn(f"database/{db}"),
                    glue_arn(f"table/{db}/{table}"),
                ],
            ),
            Statement(
                Sid="QueryReadArchivedLogs",
                Effect=Allow,
                Action=[Action("s3", a) for a in ARCHIVE_ACTIONS],
                Resource=[bucket_arn(archive), objects_arn(archive, org_prefix)],
            ),
            Statement(
                Sid="QueryWriteAndReadResults",
                Effect=Allow,
                Action=[Action("s3", a) for a in RESULTS_ACTIONS],
                Resource=[
                    bucket_arn(results),
                    objects_arn(results, f"{naming.QUERY_RESULTS_PREFIX}/*"),
                ],
            ),
            Statement(
                Sid="QueryUseLogKeyThroughS3",
                Effect=Allow,
                Action=[Action("kms", a) for a in KMS_ACTIONS],
                Resource=[Ref(KEY_ARN)],
                Condition=Condition(
                    StringEquals(
                        {"kms:ViaService": service_region("s3", s.organization.home_region)}
                    )
                ),
            ),
        ],
    )


def role_name(arn: str) -> str:
    """An IAM role's name (what `Roles` and AttachRolePolicy take) from its ARN: the last
    segment, without the path (`arn:aws:iam::111122223333:role/team/Reader` -> `Reader`)."""
    return arn.rsplit("/", 1)[-1]


def attached_roles(s: Settings) -> list[str]:
    """Names of the roles the stack attaches the reader policy to (settings order)."""
    if not s.query.attach_reader_policy:
        return []
    return [role_name(arn) for arn in query_reader_roles(s)]


def results_bucket_policy(s: Settings) -> PolicyDocument:
    name = naming.query_results_bucket(s)
    return PolicyDocument(
        Version="2012-10-17",
        Statement=[deny_insecure_transport(name), deny_outside_organization(s, name)],
    )


def _table(s: Settings) -> glue.Table:
    return glue.Table(
        TABLE,
        CatalogId=AccountId,
        DatabaseName=naming.QUERY_DATABASE,
        TableInput=glue.TableInput(
            Name=naming.QUERY_TABLE,
            Description=(
                f"CloudTrail records of trail {s.trail.name}, organization {s.organization.id} "
                "(partition projection: account, region, timestamp)"
            ),
            TableType="EXTERNAL_TABLE",
            Parameters=table_parameters(s),
            PartitionKeys=[glue.Column(Name=k, Type="string") for k in PARTITION_KEYS],
            StorageDescriptor=glue.StorageDescriptor(
                Columns=[glue.Column(Name=n, Type=t) for n, t in COLUMNS],
                Location=naming.archive_logs_location(s),
                InputFormat=INPUT_FORMAT,
                OutputFormat=OUTPUT_FORMAT,
                SerdeInfo=glue.SerdeInfo(SerializationLibrary=SERDE),
            ),
        ),
        DependsOn=[DATABASE],
    )


def build(s: Settings) -> Template:
    q = s.query
    t = Template(
        Description=(
            "cfct-build: Athena over the organization trail's log archive (Glue table with "
            "partition projection, enforced workgroup, named investigation queries)."
        )
    )
    t.set_version(TEMPLATE_FORMAT_VERSION)
    t.add_parameter(key_arn_parameter(s))
    results = t.add_resource(
        retain(
            s3.Bucket(
                RESULTS,
                BucketName=naming.query_results_bucket(s),
                BucketEncryption=kms_encryption(Ref(KEY_ARN)),
                PublicAccessBlockConfiguration=block_public_access(),
                OwnershipControls=owner_enforced(),
                VersioningConfiguration=versioned(),
                LifecycleConfiguration=s3.LifecycleConfiguration(
                    Rules=[
                        s3.LifecycleRule(
                            Id="ExpireQueryResults",
                            Status="Enabled",
                            ExpirationInDays=q.results_retention_days,
                            NoncurrentVersionExpiration=s3.NoncurrentVersionExpiration(
                                NoncurrentDays=q.results_retention_days
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
                        "Athena query results only, expiring after "
                        f"{q.results_retention_days} days; every query that writes here is "
                        "recorded by Athena's query history and CloudTrail.",
                    )
                ),
            )
        )
    )
    t.add_resource(
        retain(
            s3.BucketPolicy(
                RESULTS_POLICY, Bucket=Ref(results), PolicyDocument=results_bucket_policy(s)
            )
        )
    )
    t.add_resource(
        glue.Database(
            DATABASE,
            CatalogId=AccountId,
            DatabaseInput=glue.DatabaseInput(
                Name=naming.QUERY_DATABASE,
                Description="cfct-build: the organization trail's log archive",
            ),
        )
    )
    t.add_resource(_table(s))
    t.add_resource(
        athena.WorkGroup(
            WORKGROUP,
            Name=q.workgroup,
            Description="cfct-build: investigations over the log archive (settings enforced)",
            State="ENABLED",
            WorkGroupConfiguration=athena.WorkGroupConfiguration(
                EnforceWorkGroupConfiguration=True,
                PublishCloudWatchMetricsEnabled=True,
                BytesScannedCutoffPerQuery=q.bytes_scanned_cutoff_gib * GIB,
                RequesterPaysEnabled=False,
                EngineVersion=athena.EngineVersion(SelectedEngineVersion=ENGINE_VERSION),
                ResultConfiguration=athena.ResultConfiguration(
                    OutputLocation=results_location(s),
                    ExpectedBucketOwner=AccountId,
                    EncryptionConfiguration=athena.EncryptionConfiguration(
                        EncryptionOption="SSE_KMS", KmsKey=Ref(KEY_ARN)
                    ),
                ),
            ),
            Tags=tags(COMPONENT),
            DependsOn=[RESULTS_POLICY],
        )
    )
    for nq in named_queries(s):
        t.add_resource(
            athena.NamedQuery(
                nq.logical_id,
                Name=nq.name,
                Description=nq.description,
                Database=naming.QUERY_DATABASE,
                WorkGroup=q.workgroup,
                QueryString=nq.sql,
                DependsOn=[WORKGROUP, TABLE],
            )
        )
    roles = attached_roles(s)
    reader = iam.ManagedPolicy(
        READER_POLICY,
        ManagedPolicyName=naming.QUERY_READER_POLICY,
        # Unchanged since the first release: IAM cannot change a policy's description, so
        # CloudFormation would replace the policy, and a replacement with a fixed name fails.
        Description=(
            "cfct-build: run the log archive's named queries (attach to the reader roles "
            "of key.reader_roles in this account)"
        ),
        Path="/",
        PolicyDocument=reader_policy(s),
        Metadata=cfn_nag_suppress(
            (
                "W28",
                "Fixed name: users find this policy by name to attach it to reader roles "
                "the stack does not attach it to.",
            )
        ),
    )
    if roles:
        reader.Roles = roles
    t.add_resource(reader)
    t.add_output(Output("WorkGroup", Description="Athena workgroup", Value=q.workgroup))
    t.add_output(
        Output(
            "Table", Description="Glue table", Value=f"{naming.QUERY_DATABASE}.{naming.QUERY_TABLE}"
        )
    )
    t.add_output(
        Output("ResultsBucketName", Description="Query results bucket", Value=Ref(results))
    )
    t.add_output(
        Output(
            "ReaderPolicyArn",
            Description=(
                f"Attached to the reader roles {', '.join(roles)}"
                if roles
                else "Attach to the reader roles of this account"
            ),
            Value=Ref(READER_POLICY),
        )
    )
    return t


def resource(s: Settings) -> Resource:
    return Resource(
        name=naming.RES_QUERY,
        description="cfct-build: Athena workgroup, table and named queries over the log archive",
        resource_file=naming.TEMPLATE_QUERY,
        deploy_method="stack_set",
        accounts=(s.organization.audit_account,),
        regions=(s.organization.home_region,),
        parameters=((KEY_ARN, naming.alfred_ssm(naming.SSM_KEY_ARN)),),
    )

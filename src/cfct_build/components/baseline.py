"""Account baseline: what every governed account receives, including one vended tomorrow.

Deployed by StackSet to every account of `organization.organizational_units` (CfCT resolves the
OUs at each pipeline run, so a newly vended account in a listed OU gets it) and, by account ID,
to the management account: an OU target never reaches the management account, yet its admins
are the only ones who can stop or change the organization trail. The management account has
the `AWSControlTowerExecution` role the trail's StackSet needs already (`cfct-build bootstrap`).
It deploys after the trail and after the central alert bus (`alerts.py`), which its rules
target.

Regions: the home Region, plus `bucket.replica_region` when set and the tamper alerts are on
(only their rules are Regional). The tamper alerts watch CloudTrail management events, recorded
in every account and Region by Control Tower's organization trail and delivered to EventBridge
in the Region where the call was made. The calls they watch reach our resources only in the
Region the resource lives in: CloudTrail
answers `InvalidHomeRegionException` to StopLogging/DeleteTrail/UpdateTrail/PutEventSelectors
sent anywhere but the trail's home Region, S3 redirects bucket calls to the bucket's Region, and
a KMS key ARN names its Region. So rules in the Regions of the trail, the buckets and the keys
see every attempt that can touch them; the other governed Regions need none.

Own-logs reader (`baseline.own_logs_reader`), home Region only (IAM is global, so the stack in
the replica Region skips it through the `InHomeRegion` condition):
- trust: this account's root, restricted by `aws:PrincipalArn` to the settings' role patterns
  of this account (default: IAM Identity Center permission sets), so people can assume it and
  workload roles that may assume any role cannot;
- permissions: `s3:ListBucket` on the archive only with `s3:prefix` under
  `<key_prefix>/AWSLogs/<org-id>/<this account>/`, `s3:GetObject(Version)` only under it, and
  `kms:Decrypt` on the log-archive key only through S3 in the home Region and only with our
  trail's CloudTrail encryption context. The matching grants in the bucket and key policies
  (bucket.py, key.py) use `${aws:PrincipalAccount}`, so an account admin who widens this role's
  own policy still reads nothing but the account's own logs.

Tamper alerts (`baseline.tamper_alerts`), in each Region of the stack: three EventBridge rules
on the default bus, matching "AWS API Call via CloudTrail" events whether they succeeded or
were denied (the patterns never look at `errorCode`). The event names are `tamper.py`'s, which
the Athena tampering query uses too:
- the trail: DeleteTrail, PutEventSelectors, PutInsightSelectors, StopLogging, UpdateTrail
  naming our trail (`requestParameters.name` or `.trailName`, as its name or ARN);
- the log buckets (archive, access logs, replica): policy, lifecycle, Object Lock, versioning,
  replication, encryption, logging, public access block and ownership changes, and deletion;
- the log-archive key (and the replica key): CreateGrant, DisableKey, DisableKeyRotation,
  PutKeyPolicy, ScheduleKeyDeletion naming the key by ID or ARN (the only forms these calls
  accept), and DeleteAlias, UpdateAlias naming the key's alias in the key's account and Region
  (those calls name only the alias). The ARNs come from the key stacks through
  management-account SSM, pinned by `AllowedPattern`: an exact match has no false positives
  from the key account's other keys, which a resource-ARN prefix would have, and CloudTrail's
  KMS events carry no alias or tag to match on.
Each rule forwards to the central bus with a role of this account that may only
`events:PutEvents` on that bus; the bus ARN is deterministic, so no SSM value is needed.
"""

from __future__ import annotations

import json
from typing import Any

from awacs.aws import (
    Action,
    Allow,
    ArnLike,
    Condition,
    PolicyDocument,
    Principal,
    Statement,
    StringEquals,
    StringLike,
)
from troposphere import Equals, GetAtt, Ref, Select, Split, Sub, Template, events, iam

from cfct_build import naming, render
from cfct_build.components._common import (
    TEMPLATE_FORMAT_VERSION,
    account_root,
    cfn_nag_suppress,
    tags,
)
from cfct_build.components.bucket import KEY_ARN as KEY_ARN
from cfct_build.components.bucket import REPLICA_KEY_ARN as REPLICA_KEY_ARN
from cfct_build.components.bucket import (
    bucket_arn,
    key_arn_parameter,
    objects_arn,
    replica_key_arn_parameter,
    service_region,
)
from cfct_build.config import Settings
from cfct_build.manifest import Resource
from cfct_build.tamper import BUCKET_EVENTS, KEY_EVENTS, TRAIL_EVENTS

COMPONENT = "account-baseline"
READER = "OwnLogsReaderRole"
FORWARDER = "TamperAlertForwarderRole"
TRAIL_RULE = "TrailTamperRule"
BUCKET_RULE = "LogBucketTamperRule"
KEY_RULE = "LogKeyTamperRule"
IN_HOME_REGION = "InHomeRegion"
BUS_TARGET_ID = "CentralTamperAlertBus"

API_CALL = "AWS API Call via CloudTrail"


def enabled(s: Settings) -> bool:
    b = s.baseline
    return b.own_logs_reader.enabled or b.tamper_alerts.enabled


def _uses_replica_key(s: Settings) -> bool:
    return bool(s.bucket.replica_region) and s.baseline.tamper_alerts.enabled


def regions(s: Settings) -> tuple[str, ...]:
    """The home Region, plus the replica Region where the replica bucket and key need rules."""
    home, replica = s.organization.home_region, s.bucket.replica_region
    return (home, replica) if replica and _uses_replica_key(s) else (home,)


def _two_regions(s: Settings) -> bool:
    return len(regions(s)) > 1


# --------------------------------------------------------------------------- own-logs reader


def reader_trust_policy(s: Settings) -> PolicyDocument:
    patterns = s.baseline.own_logs_reader.assumable_by
    return PolicyDocument(
        Version="2012-10-17",
        Statement=[
            Statement(
                Sid="ThisAccountsPeopleAssumeReader",
                Effect=Allow,
                Principal=Principal("AWS", [account_root("${AWS::AccountId}")]),
                Action=[Action("sts", "AssumeRole")],
                Condition=Condition(
                    ArnLike(
                        "aws:PrincipalArn",
                        [
                            Sub(f"arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:role/{p}")
                            for p in patterns
                        ],
                    )
                ),
            )
        ],
    )


def reader_policy(s: Settings) -> PolicyDocument:
    """This account's prefix of the archive, and the key only to decrypt our trail's logs."""
    archive = naming.archive_bucket(s)
    own = naming.own_logs_prefix(s, "${AWS::AccountId}")
    return PolicyDocument(
        Version="2012-10-17",
        Statement=[
            Statement(
                Sid="ListOwnLogs",
                Effect=Allow,
                Action=[Action("s3", "ListBucket")],
                Resource=[bucket_arn(archive)],
                Condition=Condition(StringLike({"s3:prefix": [Sub(f"{own}*")]})),
            ),
            Statement(
                Sid="ReadOwnLogs",
                Effect=Allow,
                Action=[Action("s3", "GetObject"), Action("s3", "GetObjectVersion")],
                Resource=[objects_arn(archive, f"{own}*")],
            ),
            Statement(
                Sid="DecryptOwnLogsThroughS3",
                Effect=Allow,
                Action=[Action("kms", "Decrypt")],
                Resource=[Ref(KEY_ARN)],
                Condition=Condition(
                    StringEquals(
                        {
                            "kms:ViaService": service_region("s3", s.organization.home_region),
                            "kms:EncryptionContext:aws:cloudtrail:arn": Sub(
                                naming.trail_arn_sub(s)
                            ),
                        }
                    )
                ),
            ),
        ],
    )


def _reader(s: Settings) -> iam.Role:
    role = iam.Role(
        READER,
        RoleName=naming.own_logs_reader_role(s),
        Path="/",
        Description="cfct-build: reads this account's own CloudTrail logs in the log archive",
        MaxSessionDuration=3600,
        AssumeRolePolicyDocument=reader_trust_policy(s),
        Policies=[
            iam.Policy(PolicyName="read-own-cloudtrail-logs", PolicyDocument=reader_policy(s))
        ],
        Tags=tags(COMPONENT),
        Metadata=cfn_nag_suppress(
            (
                "W28",
                "Fixed name: the archive bucket policy and the log-archive key policy grant "
                "this role name in every account of the organization.",
            ),
            (
                "F10",
                "cfn_nag's F10 is about inline policies of IAM users; this is a role, and its "
                "inline policy belongs to it one-to-one, is deleted with it and cannot be "
                "attached to any other principal.",
            ),
        ),
    )
    if _two_regions(s):
        role.Condition = IN_HOME_REGION
    return role


# --------------------------------------------------------------------------- tamper alerts


def _api_call(source: str, detail: dict[str, Any]) -> dict[str, Any]:
    return {"source": [source], "detail-type": [API_CALL], "detail": detail}


def trail_pattern(s: Settings) -> dict[str, Any]:
    names = [s.trail.name, Sub(naming.trail_arn_sub(s))]
    return _api_call(
        "aws.cloudtrail",
        {
            "eventSource": ["cloudtrail.amazonaws.com"],
            "eventName": list(TRAIL_EVENTS),
            "$or": [
                {"requestParameters": {"name": names}},
                {"requestParameters": {"trailName": names}},
            ],
        },
    )


def bucket_pattern(s: Settings) -> dict[str, Any]:
    return _api_call(
        "aws.s3",
        {
            "eventSource": ["s3.amazonaws.com"],
            "eventName": list(BUCKET_EVENTS),
            "requestParameters": {"bucketName": s.bucket_names},
        },
    )


def _key_id(parameter: str) -> Select:
    """The key ID (last part of the key ARN `arn:...:key/<id>`)."""
    return Select(1, Split("/", Ref(parameter)))


def _alias(account: str, region: str, alias: str) -> dict[str, Any]:
    """The alias calls name only the alias (`alias/<name>`), unique per account and Region."""
    return {
        "recipientAccountId": [account],
        "awsRegion": [region],
        "requestParameters": {"aliasName": [f"alias/{alias}"]},
    }


def key_pattern(s: Settings) -> dict[str, Any]:
    org, replica = s.organization, s.bucket.replica_region
    keys: list[Any] = [Ref(KEY_ARN), _key_id(KEY_ARN)]
    aliases = [_alias(s.key_account_id, org.home_region, s.key.alias)]
    if replica and _uses_replica_key(s):
        keys += [Ref(REPLICA_KEY_ARN), _key_id(REPLICA_KEY_ARN)]
        aliases.append(_alias(org.log_archive_account, replica, naming.replica_key_alias(s)))
    return _api_call(
        "aws.kms",
        {
            "eventSource": ["kms.amazonaws.com"],
            "eventName": list(KEY_EVENTS),
            "$or": [{"requestParameters": {"keyId": keys}}, *aliases],
        },
    )


RULES = (
    (TRAIL_RULE, naming.TAMPER_RULE_TRAIL, "the organization trail", trail_pattern),
    (BUCKET_RULE, naming.TAMPER_RULE_BUCKETS, "the log-archive buckets", bucket_pattern),
    (KEY_RULE, naming.TAMPER_RULE_KEYS, "the log-archive keys", key_pattern),
)


def forwarder_trust_policy() -> PolicyDocument:
    rule_arns = [
        Sub(f"arn:${{AWS::Partition}}:events:${{AWS::Region}}:${{AWS::AccountId}}:rule/{name}")
        for _, name, _, _ in RULES
    ]
    return PolicyDocument(
        Version="2012-10-17",
        Statement=[
            Statement(
                Sid="TamperRulesAssumeForwarder",
                Effect=Allow,
                Principal=Principal("Service", ["events.amazonaws.com"]),
                Action=[Action("sts", "AssumeRole")],
                Condition=Condition(
                    [
                        StringEquals({"aws:SourceAccount": Ref("AWS::AccountId")}),
                        ArnLike("aws:SourceArn", rule_arns),
                    ]
                ),
            )
        ],
    )


def forwarder_policy(s: Settings) -> PolicyDocument:
    return PolicyDocument(
        Version="2012-10-17",
        Statement=[
            Statement(
                Sid="PutEventsOnCentralBusOnly",
                Effect=Allow,
                Action=[Action("events", "PutEvents")],
                Resource=[Sub(naming.tamper_bus_arn_sub(s))],
            )
        ],
    )


def _forwarder(s: Settings) -> iam.Role:
    return iam.Role(
        FORWARDER,
        RoleName=Sub(f"{naming.TAMPER_FORWARDER_ROLE_PREFIX}${{AWS::Region}}"),
        Path="/",
        Description="cfct-build: forwards tamper alerts to the central bus in the audit account",
        AssumeRolePolicyDocument=forwarder_trust_policy(),
        Policies=[
            iam.Policy(PolicyName="put-events-on-central-bus", PolicyDocument=forwarder_policy(s))
        ],
        Tags=tags(COMPONENT),
        Metadata=cfn_nag_suppress(
            (
                "W28",
                "Fixed name per Region: the central bus policy accepts only roles of this name "
                "from accounts of the organization.",
            )
        ),
    )


def _rules(s: Settings, t: Template) -> None:
    # Template JSON values are plain data; the patterns hold intrinsics (Sub, Ref, Select).
    for logical_id, name, what, pattern in RULES:
        t.add_resource(
            events.Rule(
                logical_id,
                Name=name,
                Description=f"cfct-build: attempts to change or destroy {what}, successful or "
                "denied, forwarded to the central tamper-alert bus",
                EventBusName="default",
                State="ENABLED",
                EventPattern=json.loads(render.data_json(pattern(s))),
                Targets=[
                    events.Target(
                        Id=BUS_TARGET_ID,
                        Arn=Sub(naming.tamper_bus_arn_sub(s)),
                        RoleArn=GetAtt(FORWARDER, "Arn"),
                    )
                ],
                Tags=tags(COMPONENT),
            )
        )


# --------------------------------------------------------------------------- template


def build(s: Settings) -> Template:
    if not enabled(s):
        raise ValueError("baseline.own_logs_reader and baseline.tamper_alerts are both disabled")
    org = s.organization
    t = Template(
        Description=(
            "cfct-build: account baseline (own-logs reader role, tamper-alert rules) deployed to "
            "every governed account and the management account."
        )
    )
    t.set_version(TEMPLATE_FORMAT_VERSION)
    t.add_parameter(key_arn_parameter(s))
    replica = s.bucket.replica_region
    if replica and _uses_replica_key(s):
        t.add_parameter(replica_key_arn_parameter(s, replica))
    if _two_regions(s) and s.baseline.own_logs_reader.enabled:
        t.add_condition(IN_HOME_REGION, Equals(Ref("AWS::Region"), org.home_region))
    if s.baseline.own_logs_reader.enabled:
        t.add_resource(_reader(s))
    if s.baseline.tamper_alerts.enabled:
        t.add_resource(_forwarder(s))
        _rules(s, t)
    return t


def resource(s: Settings) -> Resource:
    parameters = [(KEY_ARN, naming.alfred_ssm(naming.SSM_KEY_ARN))]
    if _uses_replica_key(s):
        parameters.append((REPLICA_KEY_ARN, naming.alfred_ssm(naming.SSM_REPLICA_KEY_ARN)))
    return Resource(
        name=naming.RES_BASELINE,
        description="cfct-build: account baseline (own-logs reader, tamper alerts) for every "
        "governed account and the management account",
        resource_file=naming.TEMPLATE_BASELINE,
        deploy_method="stack_set",
        accounts=(s.organization.management_account,),
        organizational_units=tuple(s.organization.organizational_units),
        regions=regions(s),
        parameters=tuple(parameters),
    )

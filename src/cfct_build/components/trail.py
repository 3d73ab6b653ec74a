"""Organization data-events trail: CloudTrail beside Control Tower's own trail, never instead of it.

Deployed by StackSet to the management account, home Region (an organization trail can only
live there). It records the configured data events of every account and Region into the
log-archive bucket, encrypted with the log-archive key:
- Management events are off by default (Control Tower's trail records them already): with
  advanced event selectors, a trail logs only what a selector names.
- S3 object data events never include the log buckets themselves (archive, access logs,
  replica, and Control Tower's buckets unless told otherwise): each delivery is a PutObject,
  and logging it would make the trail log its own deliveries, for ever.
- The bucket and key arrive as parameters from management-account SSM (`$[alfred_ssm_...]`,
  written by the key and bucket stacks), each pinned by `AllowedPattern` to the one value it
  can have, so a tampered SSM parameter fails the deployment instead of redirecting the logs.
- Advanced event selectors are checked against CloudTrail's limits (`selector_problems`) both
  when the settings are loaded (a located settings error) and here (never an over-limit
  template).
Optional: Insights, a CloudWatch Logs copy (log group + delivery role), an SNS topic.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from awacs.aws import Action, Allow, Condition, PolicyDocument, Principal, Statement, StringEquals
from troposphere import GetAtt, Output, Parameter, Ref, Sub, Template
from troposphere.cloudtrail import (
    AdvancedEventSelector,
    AdvancedFieldSelector,
    InsightSelector,
    Trail,
)
from troposphere.iam import Policy, Role
from troposphere.logs import LogGroup
from troposphere.sns import Topic, TopicPolicy

from cfct_build import naming
from cfct_build.components._common import (
    TEMPLATE_FORMAT_VERSION,
    cfn_nag_suppress,
    retain,
    tags,
)
from cfct_build.config import Settings
from cfct_build.manifest import Resource

COMPONENT = "org-trail"
TRAIL = "OrganizationTrail"
LOG_GROUP = "TrailLogGroup"
LOG_ROLE = "TrailToCloudWatchLogsRole"
TOPIC = "TrailTopic"
TOPIC_POLICY = "TrailTopicPolicy"
PARAM_BUCKET = "BucketName"
PARAM_KEY = "KeyArn"

# CloudTrail's rules for the advanced event selectors of a trail (not an event data store).
MAX_SELECTOR_VALUES = 500  # values of all conditions of all selectors of one trail
MAX_VALUE_LENGTH = 2048
MAX_NAME_LENGTH = 1000
OPERATORS = ("Equals", "NotEquals", "StartsWith", "NotStartsWith", "EndsWith", "NotEndsWith")
TRAIL_FIELDS = {
    "Management": ("eventCategory", "eventSource", "readOnly"),
    "Data": (
        "eventCategory",
        "eventName",
        "eventSource",
        "eventType",
        "readOnly",
        "resources.ARN",
        "resources.type",
        "sessionCredentialFromConsole",
        "userIdentity.arn",
    ),
}
EQUALS_ONLY_FIELDS = ("eventCategory", "readOnly", "resources.type")
MANAGEMENT_EVENT_SOURCES = ("kms.amazonaws.com", "rdsdata.amazonaws.com")

READ_ONLY = {"read_only": "true", "write_only": "false"}
READ_WRITE_TEXT = {"all": "read and write", "read_only": "read-only", "write_only": "write-only"}
S3_OBJECT = "AWS::S3::Object"


# --------------------------------------------------------------------------- selectors


def excluded_buckets(s: Settings) -> list[str]:
    """Buckets whose object-level events the trail never logs (its own destinations first)."""
    names = [naming.archive_bucket(s), naming.access_log_bucket(s)]
    if s.bucket.replica_region:
        names.append(naming.replica_bucket(s))
    if s.trail.exclude_control_tower_buckets:
        names += naming.control_tower_buckets(s)
    return names


def _data_selector(s: Settings, index: int) -> AdvancedEventSelector:
    event = s.trail.data_events[index]
    fields = [
        AdvancedFieldSelector(Field="eventCategory", Equals=["Data"]),
        AdvancedFieldSelector(Field="resources.type", Equals=[event.type]),
    ]
    if event.read_write in READ_ONLY:
        fields.append(AdvancedFieldSelector(Field="readOnly", Equals=[READ_ONLY[event.read_write]]))
    name = f"{event.type}: {READ_WRITE_TEXT[event.read_write]} data events"
    if event.type == S3_OBJECT:
        fields.append(
            AdvancedFieldSelector(
                Field="resources.ARN",
                NotStartsWith=[
                    Sub(f"arn:${{AWS::Partition}}:s3:::{b}/") for b in excluded_buckets(s)
                ],
            )
        )
        name += ", except objects in the log buckets"
    return AdvancedEventSelector(Name=name, FieldSelectors=fields)


def _management_selector(s: Settings) -> AdvancedEventSelector:
    me = s.trail.management_events
    fields = [AdvancedFieldSelector(Field="eventCategory", Equals=["Management"])]
    if me.read_write in READ_ONLY:
        fields.append(AdvancedFieldSelector(Field="readOnly", Equals=[READ_ONLY[me.read_write]]))
    name = f"Management events: {READ_WRITE_TEXT[me.read_write]}"
    if me.exclude_kms:
        fields.append(AdvancedFieldSelector(Field="eventSource", NotEquals=["kms.amazonaws.com"]))
        name += ", except AWS KMS"
    return AdvancedEventSelector(Name=name, FieldSelectors=fields)


def event_selectors(s: Settings) -> list[tuple[str, AdvancedEventSelector]]:
    """The trail's advanced event selectors, each with the settings key path it comes from."""
    selectors: list[tuple[str, AdvancedEventSelector]] = []
    if s.trail.management_events.enabled:
        selectors.append(("trail.management_events", _management_selector(s)))
    for i in range(len(s.trail.data_events)):
        selectors.append((f"trail.data_events.{i}", _data_selector(s, i)))
    return selectors


def _values(fs: Mapping[str, Any]) -> list[Any]:
    return [v for op in OPERATORS if op in fs for v in (fs[op] or [])]


def _field_problems(fields: Sequence[Mapping[str, Any]]) -> list[str]:
    """Shape of each field selector: one per field, an operator, values within limits."""
    problems: list[str] = []
    for field, count in Counter(str(f.get("Field")) for f in fields).items():
        if count > 1:
            problems.append(
                f"field {field!r} appears {count} times; expected it once per selector "
                "(put several operators in one field selector)"
            )
    for fs in fields:
        field = str(fs.get("Field"))
        ops = [op for op in OPERATORS if op in fs]
        if not ops:
            problems.append(
                f"field {field!r} has no operator; expected one of {', '.join(OPERATORS)}"
            )
        elif field in EQUALS_ONLY_FIELDS and ops != ["Equals"]:
            problems.append(f"field {field!r} takes only the Equals operator; got {', '.join(ops)}")
        problems += [
            f"field {field!r}: {op} has no values; expected at least one"
            for op in ops
            if not fs[op]
        ]
        problems += [
            f"field {field!r}: a value has {len(v)} characters; expected at most {MAX_VALUE_LENGTH}"
            for v in _values(fs)
            if isinstance(v, str) and len(v) > MAX_VALUE_LENGTH
        ]
    return problems


def _category_problems(by_field: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """What a management- or data-event selector of a trail may contain."""
    category = by_field.get("eventCategory", {}).get("Equals")
    if category not in (["Data"], ["Management"]):
        return ['expected an eventCategory field with Equals ["Data"] or ["Management"]']
    kind = category[0]
    allowed = TRAIL_FIELDS[kind]
    problems = [
        f"field {field!r} is not allowed in a {kind.lower()}-event selector of a trail; "
        f"expected one of {', '.join(allowed)}"
        for field in by_field
        if field not in allowed
    ]
    read_only = by_field.get("readOnly")
    if read_only is not None and read_only.get("Equals") not in (["true"], ["false"]):
        problems.append('expected readOnly Equals ["true"] or ["false"]')
    types = by_field.get("resources.type", {}).get("Equals")
    if kind == "Data" and not (isinstance(types, list) and len(types) == 1):
        problems.append(
            "a data-event selector needs a resources.type field with Equals and one type"
        )
    source = by_field.get("eventSource")
    if kind == "Management" and source is not None:
        ops = [op for op in OPERATORS if op in source]
        if ops != ["NotEquals"] or not all(v in MANAGEMENT_EVENT_SOURCES for v in _values(source)):
            problems.append(
                "eventSource in a management-event selector takes only NotEquals with "
                + " or ".join(MANAGEMENT_EVENT_SOURCES)
            )
    return problems


def selector_problems(selectors: Sequence[Mapping[str, Any]]) -> list[tuple[int | None, str]]:
    """Check advanced event selectors (CloudFormation JSON shape) against CloudTrail's rules
    for trails. Returns (index of the selector, or None for the whole trail; message)."""
    problems: list[tuple[int | None, str]] = []
    if not selectors:
        problems.append(
            (
                None,
                "expected at least one advanced event selector (a trail without one logs all "
                "management events)",
            )
        )
    for i, selector in enumerate(selectors):
        name = selector.get("Name")
        label = f"selector {name!r}" if name else f"selector {i}"
        found: list[str] = []
        if isinstance(name, str) and len(name) > MAX_NAME_LENGTH:
            found.append(f"name has {len(name)} characters; expected at most {MAX_NAME_LENGTH}")
        fields: list[Mapping[str, Any]] = list(selector.get("FieldSelectors") or [])
        if fields:
            found += _field_problems(fields)
            by_field: dict[str, Mapping[str, Any]] = {}
            for fs in fields:
                by_field.setdefault(str(fs.get("Field")), fs)
            found += _category_problems(by_field)
        else:
            found.append("expected at least one field selector")
        problems += [(i, f"{label}: {message}") for message in found]
    total = sum(len(_values(fs)) for sel in selectors for fs in sel.get("FieldSelectors") or [])
    if total > MAX_SELECTOR_VALUES:
        problems.append(
            (
                None,
                f"the advanced event selectors hold {total} values; CloudTrail allows at most "
                f"{MAX_SELECTOR_VALUES} across all selectors of a trail",
            )
        )
    return problems


def settings_problems(s: Settings) -> list[tuple[str, str]]:
    """`selector_problems` of the selectors these settings produce, located at settings keys."""
    selectors = event_selectors(s)
    plain = [sel.to_dict() for _, sel in selectors]
    return [
        ("trail" if index is None else selectors[index][0], message)
        for index, message in selector_problems(plain)
    ]


# --------------------------------------------------------------------------- template


def _logs_policy(s: Settings) -> PolicyDocument:
    """CloudTrail may create streams in and write to this log group only. An organization
    trail writes the management account's events to `<account>_CloudTrail_<region>` streams
    and member accounts' events to `<org-id>_<account>_CloudTrail_<region>` streams."""
    org = s.organization
    group = (
        f"arn:${{AWS::Partition}}:logs:{org.home_region}:{org.management_account}:log-group:"
        f"{naming.cloudwatch_log_group(s)}:log-stream:"
    )
    streams = [Sub(f"{group}{org.management_account}_CloudTrail_*"), Sub(f"{group}{org.id}_*")]
    return PolicyDocument(
        Version="2012-10-17",
        Statement=[
            Statement(
                Sid="CreateTrailLogStreams",
                Effect=Allow,
                Action=[Action("logs", "CreateLogStream")],
                Resource=streams,
            ),
            Statement(
                Sid="PutTrailLogEvents",
                Effect=Allow,
                Action=[Action("logs", "PutLogEvents")],
                Resource=streams,
            ),
        ],
    )


def _logs_trust() -> PolicyDocument:
    # No aws:SourceArn/aws:SourceAccount condition: CloudTrail documents that confused-deputy
    # condition keys are not supported for its CloudWatch Logs role (with one, the trail cannot
    # assume the role and the stack fails). A role cannot be passed across accounts, so only
    # this account's trails could use it, and it may only write to this one log group.
    return PolicyDocument(
        Version="2012-10-17",
        Statement=[
            Statement(
                Sid="CloudTrailDeliversToCloudWatchLogs",
                Effect=Allow,
                Principal=Principal("Service", ["cloudtrail.amazonaws.com"]),
                Action=[Action("sts", "AssumeRole")],
            )
        ],
    )


def _topic_policy(s: Settings, topic: Topic) -> PolicyDocument:
    return PolicyDocument(
        Version="2012-10-17",
        Statement=[
            Statement(
                Sid="OnlyThisTrailPublishes",
                Effect=Allow,
                Principal=Principal("Service", ["cloudtrail.amazonaws.com"]),
                Action=[Action("sns", "Publish")],
                Resource=[Ref(topic)],
                Condition=Condition(StringEquals({"aws:SourceArn": Sub(naming.trail_arn_sub(s))})),
            )
        ],
    )


def _parameters(t: Template, s: Settings) -> tuple[Parameter, Parameter]:
    bucket = naming.archive_bucket(s)
    bucket_param = t.add_parameter(
        Parameter(
            PARAM_BUCKET,
            Type="String",
            Description=f"Log-archive bucket (CfCT reads it from SSM {naming.SSM_BUCKET_NAME}).",
            AllowedPattern=f"^{bucket}$",
            ConstraintDescription=f"must be the log-archive bucket {bucket}; the value comes from "
            f"SSM {naming.SSM_BUCKET_NAME}, written by {naming.RES_BUCKET}",
        )
    )
    key_param = t.add_parameter(
        Parameter(
            PARAM_KEY,
            Type="String",
            Description=f"Log-archive KMS key ARN (CfCT reads it from SSM {naming.SSM_KEY_ARN}).",
            AllowedPattern=(
                f"^arn:(aws|aws-us-gov|aws-cn):kms:{s.organization.home_region}:{s.key_account_id}:"
                "key/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
            ),
            ConstraintDescription=f"must be the ARN of a KMS key of account {s.key_account_id} in "
            f"{s.organization.home_region}; the value comes from SSM {naming.SSM_KEY_ARN}, written "
            f"by {naming.RES_KEY}",
        )
    )
    return bucket_param, key_param


def build(s: Settings) -> Template:
    problems = settings_problems(s)
    if problems:  # load_settings reports these first; only unvalidated settings get here
        raise ValueError("; ".join(f"{path}: {message}" for path, message in problems))
    t = Template(
        Description=(
            "cfct-build: organization data-events trail into the log-archive bucket "
            "(additive to Control Tower's own trail)."
        )
    )
    t.set_version(TEMPLATE_FORMAT_VERSION)
    bucket_param, key_param = _parameters(t, s)
    trail_props: dict[str, Any] = {
        "TrailName": s.trail.name,
        "IsOrganizationTrail": True,
        "IsMultiRegionTrail": True,
        "IncludeGlobalServiceEvents": True,
        "EnableLogFileValidation": True,
        "IsLogging": True,
        "S3BucketName": Ref(bucket_param),
        "S3KeyPrefix": s.bucket.key_prefix,
        "KMSKeyId": Ref(key_param),
        "AdvancedEventSelectors": [sel for _, sel in event_selectors(s)],
        "Tags": tags(COMPONENT),
    }
    if s.trail.insights:
        trail_props["InsightSelectors"] = [InsightSelector(InsightType=i) for i in s.trail.insights]
    depends_on: list[str] = []
    if s.trail.cloudwatch_logs.enabled:
        group = t.add_resource(
            retain(
                LogGroup(
                    LOG_GROUP,
                    LogGroupName=naming.cloudwatch_log_group(s),
                    RetentionInDays=s.trail.cloudwatch_logs.retention_days,
                    DeletionProtectionEnabled=True,
                    Tags=tags(COMPONENT),
                    Metadata=cfn_nag_suppress(
                        (
                            "W84",
                            "A searchable copy of the trail's events; CloudWatch Logs encrypts it at "
                            "rest with a service key. The authoritative, integrity-validated record "
                            "is the SSE-KMS log-archive bucket. The log-archive key lives in another "
                            "account and grants nothing to CloudWatch Logs.",
                        )
                    ),
                )
            )
        )
        role = t.add_resource(
            Role(
                LOG_ROLE,
                RoleName=naming.cloudtrail_to_logs_role(s),
                Description=f"CloudTrail delivers trail {s.trail.name} to log group "
                f"{naming.cloudwatch_log_group(s)}",
                AssumeRolePolicyDocument=_logs_trust(),
                Policies=[
                    Policy(PolicyName="deliver-to-trail-log-group", PolicyDocument=_logs_policy(s))
                ],
                Tags=tags(COMPONENT),
                Metadata=cfn_nag_suppress(
                    (
                        "W28",
                        "A fixed, documented name from cfct-build's naming module, so exemptions "
                        "and audits can refer to it; the role is never replaced in place.",
                    )
                ),
            )
        )
        trail_props["CloudWatchLogsLogGroupArn"] = GetAtt(group, "Arn")
        trail_props["CloudWatchLogsRoleArn"] = GetAtt(role, "Arn")
        t.add_output(
            Output(
                "LogGroupArn",
                Description="Log group with a copy of the trail's events",
                Value=GetAtt(group, "Arn"),
            )
        )
    if s.trail.sns.enabled:
        topic = t.add_resource(
            Topic(
                TOPIC,
                TopicName=naming.sns_topic(s),
                Tags=tags(COMPONENT),
                Metadata=cfn_nag_suppress(
                    (
                        "W47",
                        "Messages carry only the S3 key of each delivered log file, no event data. "
                        "CloudTrail cannot publish to a topic encrypted with the AWS managed SNS key, "
                        "and the log-archive key lives in another account.",
                    )
                ),
            )
        )
        policy = t.add_resource(
            TopicPolicy(TOPIC_POLICY, Topics=[Ref(topic)], PolicyDocument=_topic_policy(s, topic))
        )
        trail_props["SnsTopicName"] = GetAtt(topic, "TopicName")
        depends_on.append(
            policy.title
        )  # CloudTrail checks the topic policy when it creates the trail
        t.add_output(
            Output(
                "TopicArn", Description="Topic notified of each log-file delivery", Value=Ref(topic)
            )
        )
    trail = Trail(TRAIL, **trail_props)
    if depends_on:
        trail.DependsOn = depends_on
    t.add_resource(trail)
    t.add_output(
        Output("TrailArn", Description="ARN of the organization trail", Value=GetAtt(trail, "Arn"))
    )
    t.add_output(
        Output("TrailName", Description="Name of the organization trail", Value=Ref(trail))
    )
    return t


def resource(s: Settings) -> Resource:
    return Resource(
        name=naming.RES_TRAIL,
        description="cfct-build: organization data-events trail into the log-archive bucket",
        resource_file=naming.TEMPLATE_TRAIL,
        deploy_method="stack_set",
        accounts=(s.organization.management_account,),
        regions=(s.organization.home_region,),
        parameters=(
            (PARAM_BUCKET, naming.alfred_ssm(naming.SSM_BUCKET_NAME)),
            (PARAM_KEY, naming.alfred_ssm(naming.SSM_KEY_ARN)),
        ),
    )

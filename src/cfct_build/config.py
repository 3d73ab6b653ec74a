"""Typed settings: the one place a settings file is read, validated and given meaning.

`load_settings(path)` returns a frozen `Settings` or raises `SettingsError`. Each of its
problems names the file, line and column, the dotted key path, the bad value and what was
expected: `cfct-build.yaml:11:23: organization.management_account: got 111111111111 (a number);
expected a 12-digit AWS account ID in quotes, ...`. Nothing else escapes: any YAML text yields
either settings or located problems (tests/test_config_properties.py holds us to that).

Loading happens in four steps, each of which can stop with located problems:
1. YAML is composed into a node tree (syntax errors, bad characters, several documents).
2. The node tree is indexed by key path; keys that are not text and duplicate keys are refused
   (PyYAML would silently keep the last of two equal keys).
3. The nodes are constructed into Python data (bad explicit tags, impossible dates).
4. The data is validated by the pydantic models below; their errors are located through the
   index from step 2 and phrased as `got <value>; expected <what>`.
Validation is staged as pydantic stages it: a section's own checks run once its fields are
valid, and the checks across sections (`Settings._cross`, the trail's selector limits, the
guardrail SCPs' size and budget) once every section is valid. The last two ask the generators
(components/trail.py, scps.py), so whatever the build would refuse is refused here, located.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
    model_validator,
)

from cfct_build.errors import Problem, SettingsError

# --------------------------------------------------------------------------- primitives
# Patterns use [0-9] and explicit ASCII classes: Python's \d and \w also match other scripts'
# digits and letters, which AWS does not accept. They are written so that they mean the same
# in Python and in ECMA-262 (the JSON Schema dialect editors use).

PARTITION_REGION = {
    "aws": re.compile(r"^(?!us-gov-|cn-)[a-z]{2}(-[a-z]+)+-[0-9]$"),
    "aws-us-gov": re.compile(r"^us-gov-[a-z]+-[0-9]$"),
    "aws-cn": re.compile(r"^cn-[a-z]+-[0-9]$"),
}
ANY_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]$")
ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
ORG_ID = re.compile(r"^o-[a-z0-9]{10,32}$")
ROLE_ARN = re.compile(
    r"^arn:(aws|aws-us-gov|aws-cn):iam::([0-9]{12}|\*):role/[A-Za-z0-9_+=,.@/*?-]{1,512}$"
)
EXACT_ROLE_ARN = re.compile(
    r"^arn:(aws|aws-us-gov|aws-cn):iam::[0-9]{12}:role/[A-Za-z0-9_+=,.@/-]{1,512}$"
)
ROLE_NAME = re.compile(r"[A-Za-z0-9_+=,.@-]{1,64}")  # IAM RoleName
TRAIL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]$")
BUCKET_PREFIX = re.compile(r"^[a-z0-9][a-z0-9-]{1,40}[a-z0-9]$")
KEY_PREFIX = re.compile(r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*$")
ALIAS = re.compile(r"^[A-Za-z0-9/_-]{1,250}$")
SNS_TOPIC = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
OU_PATH = r"^(Root|[^:\s]([^:]*[^:\s])?(:[^:\s]([^:]*[^:\s])?){0,4})$"  # JSON Schema only
WORKGROUP = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
MAX_KNOWN_IP_RANGES = 1000
# Where CloudTrail delivers events of global services (IAM, STS's global endpoint, sign-in).
GLOBAL_EVENTS_REGION = {"aws": "us-east-1", "aws-us-gov": "us-gov-west-1", "aws-cn": "cn-north-1"}
IAM_ROLE_NAME = re.compile(r"^[A-Za-z0-9_+=,.@-]{1,64}$")
ROLE_PATH_PATTERN = re.compile(r"^[A-Za-z0-9_+=,.@*?-]+(/[A-Za-z0-9_+=,.@*?-]+)*$")
EVENT_BUS_NAME = re.compile(r"^[A-Za-z0-9._-]{1,256}$")
EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
RESERVED_ROLE_PREFIXES = (
    "AWSControlTower",
    "AWSReservedSSO",
    "stacksets-exec-",
    "cfct-build-tamper-",
)

DataEventType = Literal[
    "AWS::S3::Object",
    "AWS::Lambda::Function",
    "AWS::DynamoDB::Table",
    "AWS::DynamoDB::Stream",
    "AWS::S3Outposts::Object",
    "AWS::S3ObjectLambda::AccessPoint",
    "AWS::S3Express::Object",
    "AWS::SNS::Topic",
    "AWS::SQS::Queue",
    "AWS::SecretsManager::Secret",
    "AWS::KMS::Key",
    "AWS::Bedrock::AgentAlias",
    "AWS::Bedrock::KnowledgeBase",
    "AWS::Glue::Table",
    "AWS::CloudTrail::Channel",
    "AWS::EC2::Snapshot",
    "AWS::StepFunctions::StateMachine",
]
# CloudTrail data-event resource types offered as settings (resources.type values).
DATA_EVENT_TYPES: tuple[str, ...] = get_args(DataEventType)

StorageClass = Literal[
    "STANDARD_IA", "INTELLIGENT_TIERING", "ONEZONE_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"
]
# S3's lifecycle "waterfall": a rule may only move objects down this list.
STORAGE_CLASS_ORDER: tuple[str, ...] = get_args(StorageClass)
# S3 refuses transitions to the infrequent-access classes before 30 days, and a transition
# out of them less than 30 days after the transition into them.
STORAGE_CLASSES_MIN_DAYS = {
    "STANDARD_IA": 30,
    "ONEZONE_IA": 30,
    "INTELLIGENT_TIERING": 0,
    "GLACIER_IR": 0,
    "GLACIER": 0,
    "DEEP_ARCHIVE": 0,
}
IA_CLASSES = ("STANDARD_IA", "ONEZONE_IA")
# S3 lifecycle's `TransitionDefaultMinimumObjectSize`: by default objects under 128 KB transition
# to no class; with varies_by_storage_class they may move to ARCHIVE_CLASSES (never to the
# others, which keep the 128 KB minimum).
TransitionMinimumObjectSize = Literal["all_storage_classes_128K", "varies_by_storage_class"]
ARCHIVE_CLASSES = ("GLACIER", "DEEP_ARCHIVE")
SMALL_OBJECT_BYTES = 128 * 1024
MAX_RETENTION_DAYS = 36500
MAX_OU_DEPTH = 5  # AWS Organizations: at most five levels of OUs below the root
LOG_RETENTION_DAYS = Literal[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
]  # fmt: skip
ReadWrite = Literal["all", "read_only", "write_only"]

EXPECT_ACCOUNT = 'a 12-digit AWS account ID in quotes, e.g. "123456789012"'
EXPECT_REGION = "an AWS Region code such as us-east-1"
EXPECT_ORG_ID = "an organization ID such as o-a1b2c3d4e5 (o- and 10-32 lowercase letters/digits)"
EXPECT_ROLE_PATTERN = (
    "an IAM role ARN such as arn:aws:iam::123456789012:role/BreakGlass "
    "(the account may be * and the name may use * and ? wildcards)"
)
EXPECT_EXACT_ROLE = (
    "an IAM role ARN with a 12-digit account and no wildcards, "
    "e.g. arn:aws:iam::123456789012:role/LogReader"
)


def _match(pattern: re.Pattern[str], expected: str) -> AfterValidator:
    def check(value: str) -> str:
        if not pattern.fullmatch(value):
            raise ValueError(f"expected {expected}")
        return value

    return AfterValidator(check)


def _schema(pattern: re.Pattern[str] | str, description: str) -> WithJsonSchema:
    text = pattern if isinstance(pattern, str) else pattern.pattern
    return WithJsonSchema({"type": "string", "pattern": text, "description": description})


def _quoted_account(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError(
            f"expected {EXPECT_ACCOUNT} (unquoted, YAML reads it as a number, and as an octal "
            "number if it starts with 0)"
        )
    return value


AccountId = Annotated[
    str,
    BeforeValidator(_quoted_account),
    _match(ACCOUNT_ID, EXPECT_ACCOUNT),
    _schema(ACCOUNT_ID, "12-digit AWS account ID, quoted"),
]
Region = Annotated[str, _match(ANY_REGION, EXPECT_REGION), _schema(ANY_REGION, EXPECT_REGION)]
OrgId = Annotated[str, _match(ORG_ID, EXPECT_ORG_ID), _schema(ORG_ID, EXPECT_ORG_ID)]
RoleArn = Annotated[
    str, _match(ROLE_ARN, EXPECT_ROLE_PATTERN), _schema(ROLE_ARN, EXPECT_ROLE_PATTERN)
]
ExactRoleArn = Annotated[
    str, _match(EXACT_ROLE_ARN, EXPECT_EXACT_ROLE), _schema(EXACT_ROLE_ARN, EXPECT_EXACT_ROLE)
]
OrganizationalUnit = Annotated[
    str, WithJsonSchema({"type": "string", "pattern": OU_PATH, "description": "Root, A or A:B"})
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def _again(value: str, what: str) -> str:
    return f"got {value!r} again; expected each {what} once"


# --------------------------------------------------------------------------- sections


class Organization(_Model):
    id: OrgId = Field(description="AWS Organizations ID (o-...).")
    management_account: AccountId = Field(
        description="Management (payer) account; holds the organization trail."
    )
    log_archive_account: AccountId = Field(description="Control Tower Log Archive account.")
    audit_account: AccountId = Field(description="Control Tower Audit (security tooling) account.")
    home_region: Region = Field(description="Control Tower home Region; CfCT runs here.")
    governed_regions: list[Region] = Field(
        min_length=1, description="Regions Control Tower governs; must include the home Region."
    )
    organizational_units: list[OrganizationalUnit] = Field(
        default_factory=list,
        description=(
            "OUs that receive account-scoped resources and SCPs: `Root`, a top-level OU name, "
            "or a nested path `Parent:Child`. CfCT does not recurse into child OUs: list each."
        ),
    )

    @model_validator(mode="after")
    def _consistent(self) -> Organization:
        problems: list[tuple[str | tuple[str, ...], str]] = []
        seen: dict[str, str] = {}
        for key in ("management_account", "log_archive_account", "audit_account"):
            value = getattr(self, key)
            if value in seen:
                problems.append(
                    (
                        key,
                        f"got {value!r}; expected an account other than organization."
                        f"{seen[value]} (Control Tower gives each role its own account)",
                    )
                )
            seen.setdefault(value, key)
        if self.home_region not in self.governed_regions:
            problems.append(
                (
                    "home_region",
                    f"got {self.home_region!r}; expected one of the governed Regions "
                    f"({', '.join(self.governed_regions)})",
                )
            )
        for i, region in enumerate(self.governed_regions):
            if region in self.governed_regions[:i]:
                problems.append((f"governed_regions.{i}", _again(region, "Region")))
        for i, ou in enumerate(self.organizational_units):
            if not _valid_ou(ou):
                problems.append(
                    (
                        f"organizational_units.{i}",
                        f"got {ou!r}; expected Root, a top-level OU name or a nested path "
                        f"Parent:Child (at most {MAX_OU_DEPTH} names of 1-128 printable "
                        "characters, without ':' or surrounding spaces)",
                    )
                )
            elif ou in self.organizational_units[:i]:
                problems.append((f"organizational_units.{i}", _again(ou, "OU")))
        _raise_located(problems)
        return self


def _valid_ou(ou: str) -> bool:
    if ou == "Root":
        return True
    parts = ou.split(":")
    return len(parts) <= MAX_OU_DEPTH and all(
        1 <= len(p) <= 128 and p == p.strip() and p.isprintable() and p != "Root" for p in parts
    )


class ObjectLock(_Model):
    mode: Literal["GOVERNANCE", "COMPLIANCE"] = Field(
        default="GOVERNANCE",
        description=(
            "GOVERNANCE lets principals with s3:BypassGovernanceRetention (denied to all but the "
            "exempt principals) remove a locked version; COMPLIANCE can never be shortened or "
            "removed by anyone, including the root user."
        ),
    )
    retention_days: int = Field(
        default=365, ge=1, le=MAX_RETENTION_DAYS, description="Default retention of each object."
    )
    acknowledge_compliance_mode: bool = Field(
        default=False,
        description="Must be true to use COMPLIANCE mode: its retention is irreversible.",
    )

    @model_validator(mode="after")
    def _ack(self) -> ObjectLock:
        if self.mode == "COMPLIANCE" and not self.acknowledge_compliance_mode:
            _raise_located(
                [
                    (
                        "mode",
                        "got 'COMPLIANCE' without acknowledge_compliance_mode: true; expected "
                        "GOVERNANCE, or COMPLIANCE with bucket.object_lock."
                        "acknowledge_compliance_mode: true (COMPLIANCE retention can never be "
                        "shortened or removed, not even by the root user)",
                    )
                ]
            )
        return self


class Transition(_Model):
    days: int = Field(ge=1, le=MAX_RETENTION_DAYS, description="Days after object creation.")
    storage_class: StorageClass


class Lifecycle(_Model):
    transitions: list[Transition] = Field(
        default_factory=list,
        description="Storage-class transitions, in increasing days and S3's class order "
        "(STANDARD_IA, INTELLIGENT_TIERING, ONEZONE_IA, GLACIER_IR, GLACIER, DEEP_ARCHIVE). "
        "Objects under 128 KB (most CloudTrail log files, every digest file) move only as "
        "`transition_default_minimum_object_size` allows.",
    )
    expiration_days: int = Field(
        default=2557,
        ge=1,
        le=MAX_RETENTION_DAYS + 1,
        description="Days after delivery when a log file expires: on this versioned bucket S3 "
        "then makes it noncurrent (a delete marker) and deletes it `noncurrent_expiration_days` "
        "later. Total lifetime of a log file = `expiration_days` + "
        "`noncurrent_expiration_days`. At least `bucket.object_lock.retention_days`.",
    )
    noncurrent_expiration_days: int = Field(
        default=30,
        ge=1,
        le=MAX_RETENTION_DAYS + 1,
        description="Days S3 keeps a log file once it is noncurrent, then deletes it. Total "
        "lifetime of a log file = `expiration_days` + `noncurrent_expiration_days` (by default "
        "2557 + 30 days: 7 years and a month). Object Lock keeps each version at least "
        "`bucket.object_lock.retention_days` regardless: S3 lifecycle never deletes a locked "
        "version, and only the exempt principals may place the delete marker that would make "
        "one noncurrent early.",
    )
    transition_default_minimum_object_size: TransitionMinimumObjectSize = Field(
        default="all_storage_classes_128K",
        description="What the transitions do with objects under 128 KB. "
        "`all_storage_classes_128K` (S3's default, written into the template): they stay in "
        "STANDARD. `varies_by_storage_class`: they also move to GLACIER and DEEP_ARCHIVE (never "
        "to the IA classes, INTELLIGENT_TIERING or GLACIER_IR). Each of them then costs a "
        "transition request and 40 KB of billed metadata (8 KB of it at the STANDARD price), "
        "which for small log files can exceed the storage saved: compare with `cfct-build cost`.",
    )

    @model_validator(mode="after")
    def _ordered(self) -> Lifecycle:
        problems: list[tuple[str | tuple[str, ...], str]] = []
        previous: Transition | None = None
        for i, t in enumerate(self.transitions):
            minimum = STORAGE_CLASSES_MIN_DAYS[t.storage_class]
            if t.days < minimum:
                problems.append(
                    (
                        f"transitions.{i}.days",
                        f"got {t.days}; expected at least {minimum} days for {t.storage_class} "
                        "(an S3 minimum)",
                    )
                )
            if previous is not None:
                order = STORAGE_CLASS_ORDER
                if order.index(t.storage_class) <= order.index(previous.storage_class):
                    problems.append(
                        (
                            f"transitions.{i}.storage_class",
                            f"got {t.storage_class!r} after {previous.storage_class!r}; expected "
                            f"a class further down S3's transition order ({', '.join(order)})",
                        )
                    )
                gap = 30 if previous.storage_class in IA_CLASSES else 1
                if t.days < previous.days + gap:
                    problems.append(
                        (
                            f"transitions.{i}.days",
                            f"got {t.days}; expected at least {previous.days + gap} (S3 needs "
                            + (
                                f"30 days in {previous.storage_class} before the next transition)"
                                if gap == 30
                                else "each transition later than the previous one)"
                            ),
                        )
                    )
            previous = t
        if previous is not None and self.expiration_days <= previous.days:
            problems.append(
                (
                    "expiration_days",
                    f"got {self.expiration_days}; expected more than the last transition "
                    f"({previous.days} days)",
                )
            )
        _raise_located(problems)
        return self


class AccessLogs(_Model):
    expiration_days: int = Field(
        default=3653, ge=1, le=MAX_RETENTION_DAYS, description="Expire S3 server access logs."
    )


class Bucket(_Model):
    name_prefix: str = Field(
        default="cfct-build-cloudtrail",
        description="Bucket names are <prefix>-<log-archive-account>-<home-region> (and "
        "<prefix>-access-logs-…, <prefix>-replica-…). Lowercase letters, digits, hyphens.",
        json_schema_extra={"pattern": BUCKET_PREFIX.pattern},
    )
    key_prefix: str = Field(
        default="cloudtrail",
        description="S3 key prefix the trail writes under (<prefix>/AWSLogs/<org-id>/...).",
        json_schema_extra={"pattern": KEY_PREFIX.pattern},
    )
    object_lock: ObjectLock = Field(default_factory=ObjectLock)
    lifecycle: Lifecycle = Field(default_factory=Lifecycle)
    access_logs: AccessLogs = Field(default_factory=AccessLogs)
    replica_region: Region | None = Field(
        default=None,
        description="Optional second (governed) Region for an Object Lock replica bucket.",
    )
    deny_uploads_without_kms: bool = Field(
        default=False,
        description="Deny PutObject unless SSE-KMS with the log-archive key. Off by default: "
        "CloudTrail's trail-creation check fails under it. Turn on after the trail exists.",
    )

    @model_validator(mode="after")
    def _names(self) -> Bucket:
        problems: list[tuple[str | tuple[str, ...], str]] = []
        prefix = self.name_prefix
        if not BUCKET_PREFIX.fullmatch(prefix) or "--" in prefix:
            problems.append(
                (
                    "name_prefix",
                    f"got {prefix!r}; expected 3-42 lowercase letters, digits "
                    "and single hyphens, starting and ending with a letter or digit",
                )
            )
        elif prefix.startswith(("aws-controltower", "xn--", "sthree-", "amzn-s3-demo-")):
            problems.append(
                (
                    "name_prefix",
                    f"got {prefix!r}; expected a prefix not starting with aws-controltower "
                    "(Control Tower's own buckets), xn--, sthree- or amzn-s3-demo- (reserved)",
                )
            )
        if (
            not KEY_PREFIX.fullmatch(self.key_prefix)
            or len(self.key_prefix) > 200
            or any(part in (".", "..") for part in self.key_prefix.split("/"))
        ):
            problems.append(
                (
                    "key_prefix",
                    f"got {self.key_prefix!r}; expected segments of letters, digits, '_', '.' "
                    "and '-' separated by '/' (no leading or trailing '/', no '.' or '..' "
                    "segment), at most 200 characters",
                )
            )
        # Only the expiry must outlast the retention (a log file never expires before it). The
        # noncurrent expiry may be shorter: S3 lifecycle never deletes a locked version.
        retention, days = self.object_lock.retention_days, self.lifecycle.expiration_days
        if days < retention:
            problems.append(
                (
                    "lifecycle.expiration_days",
                    f"got {days}; expected at least the Object Lock retention "
                    f"(bucket.object_lock.retention_days: {retention})",
                )
            )
        _raise_located(problems)
        return self


class Key(_Model):
    account: Literal["audit", "log_archive", "management"] = Field(
        default="audit", description="Which account holds the customer-managed KMS key."
    )
    alias: str = Field(
        default="cfct-build/cloudtrail",
        description="Alias name, without alias/.",
        json_schema_extra={"pattern": ALIAS.pattern},
    )
    rotation_period_days: int = Field(
        default=365, ge=90, le=2560, description="Automatic rotation period (90-2560 days)."
    )
    admin_roles: list[ExactRoleArn] = Field(
        default_factory=list,
        description="Roles (in the key's account) that administer the key, besides "
        "AWSControlTowerExecution. They may not use it to decrypt.",
    )
    reader_roles: list[ExactRoleArn] = Field(
        default_factory=list,
        description="Roles (any account of the organization) that may decrypt CloudTrail logs.",
    )

    @model_validator(mode="after")
    def _alias(self) -> Key:
        alias = self.alias
        if (
            not ALIAS.fullmatch(alias)
            or alias.lower().startswith(("alias/", "aws/"))
            or alias.lower() == "aws"
        ):
            _raise_located(
                [
                    (
                        "alias",
                        f"got {alias!r}; expected 1-250 letters, digits, '/', '_' or '-', "
                        "without the alias/ prefix and not under aws/ (reserved for AWS)",
                    )
                ]
            )
        return self


class DataEvent(_Model):
    type: DataEventType = Field(description="CloudTrail resources.type, e.g. AWS::S3::Object.")
    read_write: ReadWrite = "all"


class ManagementEvents(_Model):
    enabled: bool = Field(
        default=False,
        description="Off by default: Control Tower's own trail already records management events.",
    )
    read_write: ReadWrite = "all"
    exclude_kms: bool = Field(default=True, description="Leave out high-volume KMS events.")


class CloudWatchLogs(_Model):
    enabled: bool = False
    retention_days: LOG_RETENTION_DAYS = 365


class Sns(_Model):
    enabled: bool = False


class Trail(_Model):
    name: str = Field(
        default="cfct-build-org-data-events",
        json_schema_extra={"pattern": TRAIL_NAME.pattern},
    )
    data_events: list[DataEvent] = Field(
        default_factory=lambda: [
            DataEvent(type="AWS::S3::Object", read_write="write_only"),
            DataEvent(type="AWS::Lambda::Function", read_write="all"),
            DataEvent(type="AWS::DynamoDB::Table", read_write="write_only"),
        ],
        description="Data-event resource types to log, each once, with a read/write filter.",
    )
    exclude_control_tower_buckets: bool = Field(
        default=True,
        description="Also leave out S3 data events on Control Tower's own log buckets.",
    )
    management_events: ManagementEvents = Field(default_factory=ManagementEvents)
    insights: list[Literal["ApiCallRateInsight", "ApiErrorRateInsight"]] = Field(
        default_factory=list,
        description="CloudTrail Insights types; need management events (ApiCallRateInsight: "
        "write management events).",
    )
    cloudwatch_logs: CloudWatchLogs = Field(default_factory=CloudWatchLogs)
    sns: Sns = Field(default_factory=Sns)

    @model_validator(mode="after")
    def _trail(self) -> Trail:
        problems: list[tuple[str | tuple[str, ...], str]] = []
        if not TRAIL_NAME.fullmatch(self.name) or re.search(r"[._-]{2}", self.name):
            problems.append(
                (
                    "name",
                    f"got {self.name!r}; expected 3-128 letters, digits, '.', '_' or '-', "
                    "starting and ending with a letter or digit, no adjacent punctuation",
                )
            )
        elif _is_ip_address(self.name):
            problems.append(("name", f"got {self.name!r}; expected a name, not an IP address"))
        types = [d.type for d in self.data_events]
        for i, t in enumerate(types):
            if t in types[:i]:
                problems.append((f"data_events.{i}.type", _again(t, "data-event type")))
        if not self.data_events and not self.management_events.enabled:
            problems.append(
                (
                    "data_events",
                    "got an empty list and management_events.enabled: false; expected at least "
                    "one data-event type, or management events",
                )
            )
        me = self.management_events
        for i, insight in enumerate(self.insights):
            if insight in self.insights[:i]:
                problems.append((f"insights.{i}", _again(insight, "Insights type")))
            elif not me.enabled:
                problems.append(
                    (
                        f"insights.{i}",
                        f"got {insight!r} with management_events.enabled: false; expected "
                        "management events on (Insights analyses management events)",
                    )
                )
            elif insight == "ApiCallRateInsight" and me.read_write == "read_only":
                problems.append(
                    (
                        f"insights.{i}",
                        "got 'ApiCallRateInsight' with management_events.read_write: read_only; "
                        "expected write management events (read_write: all or write_only)",
                    )
                )
        _raise_located(problems)
        return self


def _is_ip_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class Guardrails(_Model):
    scp_budget: int = Field(
        default=3,
        ge=1,
        le=5,
        description="How many SCPs cfct-build may attach to each target OU: 5 per target, minus "
        "FullAWSAccess, minus Control Tower's aws-guardrails-* policy.",
    )
    scp_budget_by_target: dict[str, Annotated[int, Field(ge=0, le=5)]] = Field(
        default_factory=dict,
        description="Per-OU budget where other SCPs are attached too, e.g. {Sandbox: 1}. Keys are "
        "entries of organization.organizational_units; values 0-5.",
    )


class OwnLogsReader(_Model):
    enabled: bool = Field(
        default=True,
        description="A role in every baseline account that lists and reads only that account's "
        "prefix of the archive (<key_prefix>/AWSLogs/<org-id>/<account>/) and decrypts only "
        "CloudTrail log files, only through S3. The bucket and key policies grant the role name "
        "organization-wide with ${aws:PrincipalAccount} scoping, never a list of accounts.",
    )
    role_name: str = Field(
        default="cfct-build-own-logs-reader",
        description="Name of that role in every account.",
        json_schema_extra={"pattern": IAM_ROLE_NAME.pattern},
    )
    assumable_by: list[str] = Field(
        default_factory=lambda: ["aws-reserved/sso.amazonaws.com/*"],
        min_length=1,
        description="Roles of the same account (path/name patterns, * and ? wildcards) whose "
        "sessions may assume the reader. Default: IAM Identity Center permission sets, so "
        "people read their account's logs and workload roles cannot.",
    )

    @model_validator(mode="after")
    def _names(self) -> OwnLogsReader:
        problems: list[tuple[str | tuple[str, ...], str]] = []
        name = self.role_name
        if not IAM_ROLE_NAME.fullmatch(name):
            problems.append(
                (
                    "role_name",
                    f"got {name!r}; expected an IAM role name: 1-64 letters, digits or "
                    "_+=,.@- (no path)",
                )
            )
        elif name.startswith(RESERVED_ROLE_PREFIXES):
            problems.append(
                (
                    "role_name",
                    f"got {name!r}; expected a name of your own, not starting with "
                    f"{', '.join(RESERVED_ROLE_PREFIXES)} (roles of Control Tower, IAM Identity "
                    "Center, StackSets and cfct-build's alert forwarders)",
                )
            )
        for i, pattern in enumerate(self.assumable_by):
            if not ROLE_PATH_PATTERN.fullmatch(pattern) or len(pattern) > 512:
                problems.append(
                    (
                        f"assumable_by.{i}",
                        f"got {pattern!r}; expected a role name or path/name pattern of this "
                        "account, e.g. aws-reserved/sso.amazonaws.com/* (letters, digits, "
                        "_+=,.@-, * and ?, segments separated by single '/', no leading '/')",
                    )
                )
            elif pattern in self.assumable_by[:i]:
                problems.append((f"assumable_by.{i}", _again(pattern, "pattern")))
        _raise_located(problems)
        return self


class TamperAlerts(_Model):
    enabled: bool = Field(
        default=True,
        description="EventBridge rules in every baseline account (home and replica Region) that "
        "catch attempts, successful or denied, to stop or change the trail, change the log "
        "buckets' policy, lifecycle, versioning or Object Lock, or disable or delete the keys; "
        "forwarded to a central bus in the audit account and from there to an SNS topic.",
    )
    bus_name: str = Field(
        default="cfct-build-tamper-alerts",
        description="Name of the central event bus in the audit account (home Region).",
        json_schema_extra={"pattern": EVENT_BUS_NAME.pattern},
    )
    email_subscriptions: list[str] = Field(
        default_factory=list,
        description="Email addresses subscribed to the alert topic (each must confirm the "
        "subscription once). Without any, subscribe your own tooling to the topic.",
    )

    @model_validator(mode="after")
    def _names(self) -> TamperAlerts:
        problems: list[tuple[str | tuple[str, ...], str]] = []
        bus = self.bus_name
        if not EVENT_BUS_NAME.fullmatch(bus) or bus == "default" or bus.startswith("aws."):
            problems.append(
                (
                    "bus_name",
                    f"got {bus!r}; expected 1-256 letters, digits, '.', '_' or '-', neither "
                    "'default' nor starting with 'aws.' (reserved by EventBridge)",
                )
            )
        for i, address in enumerate(self.email_subscriptions):
            if not EMAIL.fullmatch(address) or len(address) > 254:
                problems.append(
                    (
                        f"email_subscriptions.{i}",
                        f"got {address!r}; expected an email address such as security@example.com",
                    )
                )
            elif address.lower() in [a.lower() for a in self.email_subscriptions[:i]]:
                problems.append((f"email_subscriptions.{i}", _again(address, "address")))
        _raise_located(problems)
        return self


class Baseline(_Model):
    own_logs_reader: OwnLogsReader = Field(default_factory=OwnLogsReader)
    tamper_alerts: TamperAlerts = Field(default_factory=TamperAlerts)


def _iso_date(value: Any) -> dt.date:
    """A date as YAML reads it: unquoted (a date) or quoted (yyyy-mm-dd text)."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError("expected a calendar date yyyy-mm-dd, e.g. 2026-01-01") from None
    raise ValueError("expected a date yyyy-mm-dd (without a time), e.g. 2026-01-01")


class Query(_Model):
    enabled: bool = Field(
        default=True,
        description="Deploy the query path to the audit account (home Region): a Glue table over "
        "the archive with partition projection, an Athena workgroup, its results bucket, the "
        "named investigation queries and the reader policy for key.reader_roles there.",
    )
    workgroup: str = Field(
        default="cfct-build-log-archive",
        description="Athena workgroup name (its settings are enforced on every query).",
        json_schema_extra={"pattern": WORKGROUP.pattern},
    )
    bytes_scanned_cutoff_gib: int = Field(
        default=100,
        ge=1,
        le=102400,
        description="Athena cancels a query of the workgroup once it has scanned this many GiB.",
    )
    results_retention_days: int = Field(
        default=30, ge=1, le=3653, description="Query results expire after this many days."
    )
    projection_start: Annotated[
        dt.date,
        BeforeValidator(_iso_date),
        WithJsonSchema({"type": "string", "format": "date"}),
    ] = Field(
        default=dt.date(2026, 1, 1),
        description="First day (yyyy-mm-dd, UTC) the table projects; set it to the day the trail "
        "first delivered. Earlier days only add empty partitions.",
    )
    accounts: list[AccountId] = Field(
        default_factory=list,
        description="Accounts to project besides the management, log-archive and audit accounts "
        "(always projected). Logs of an account not listed cannot be queried: add each account "
        "as it is vended.",
    )
    known_ip_ranges: list[str] = Field(
        default_factory=list,
        description="The organization's own networks (CIDRs, IPv4 or IPv6). When set, a named "
        "query lists calls from any other address.",
    )
    attach_reader_policy: bool = Field(
        default=True,
        description="Attach the reader policy to the key.reader_roles of the audit account "
        "(by role name). The roles must exist before the query stack deploys, else "
        "CloudFormation fails it; false: the stack attaches it to no role and you attach it "
        "yourself (e.g. through an IAM Identity Center permission set).",
    )

    @model_validator(mode="after")
    def _query(self) -> Query:
        problems: list[tuple[str | tuple[str, ...], str]] = []
        if not WORKGROUP.fullmatch(self.workgroup) or self.workgroup == "primary":
            problems.append(
                (
                    "workgroup",
                    f"got {self.workgroup!r}; expected 1-128 letters, digits, '.', '_' or '-', "
                    "not 'primary' (every account's default workgroup)",
                )
            )
        for i, account in enumerate(self.accounts):
            if account in self.accounts[:i]:
                problems.append((f"accounts.{i}", _again(account, "account")))
        if len(self.known_ip_ranges) > MAX_KNOWN_IP_RANGES:
            problems.append(
                (
                    "known_ip_ranges",
                    f"got {len(self.known_ip_ranges)} networks; expected at most "
                    f"{MAX_KNOWN_IP_RANGES} (one condition each in a named query, whose text "
                    "Athena caps at 256 KB): summarize them into larger networks",
                )
            )
        networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        for i, cidr in enumerate(self.known_ip_ranges):
            try:
                network = ipaddress.ip_network(cidr, strict=True)
            except ValueError:
                problems.append(
                    (
                        f"known_ip_ranges.{i}",
                        f"got {cidr!r}; expected a network in CIDR notation without host bits, "
                        "e.g. 203.0.113.0/24 or 2001:db8::/32",
                    )
                )
                continue
            if network in networks:
                problems.append((f"known_ip_ranges.{i}", _again(cidr, "network")))
            networks.append(network)
        _raise_located(problems)
        return self


class Settings(_Model):
    """The whole settings file (cfct-build.yaml)."""

    partition: Literal["aws", "aws-us-gov", "aws-cn"] = Field(
        default="aws", description="AWS partition; used where a policy cannot resolve it itself."
    )
    organization: Organization
    exempt_principals: list[RoleArn] = Field(
        default_factory=list,
        description="Break-glass and pipeline roles exempt from the guardrail SCPs and the "
        "bucket policies (ARN patterns); in member accounts only AWSControlTowerExecution may "
        "create or change them. Control Tower's AWSControlTowerExecution is always exempt, "
        "stacksets-exec-* from the SCPs only.",
    )
    bucket: Bucket = Field(default_factory=Bucket)
    key: Key = Field(default_factory=Key)
    trail: Trail = Field(default_factory=Trail)
    guardrails: Guardrails = Field(default_factory=Guardrails)
    baseline: Baseline = Field(
        default_factory=Baseline,
        description="The account baseline: deployed by StackSet to every account of "
        "organization.organizational_units and to the management account (home Region, plus "
        "bucket.replica_region).",
    )
    query: Query = Field(
        default_factory=Query,
        description="Athena over the archive, deployed by StackSet to the audit account (home "
        "Region): see README, Query path.",
    )

    @model_validator(mode="after")
    def _cross(self) -> Settings:
        from cfct_build import naming

        problems: list[tuple[str | tuple[str, ...], str]] = []
        region_re = PARTITION_REGION[self.partition]
        org = self.organization
        regions = [("organization.home_region", org.home_region)]
        regions += [
            (f"organization.governed_regions.{i}", r) for i, r in enumerate(org.governed_regions)
        ]
        replica = self.bucket.replica_region
        if replica is not None:
            regions.append(("bucket.replica_region", replica))
        for key, value in regions:
            if not region_re.fullmatch(value):
                problems.append(
                    (key, f"got {value!r}; expected a Region of partition {self.partition}")
                )
        if replica is not None and region_re.fullmatch(replica):
            if replica == org.home_region:
                problems.append(
                    (
                        "bucket.replica_region",
                        f"got {replica!r}; expected a Region other than the home Region",
                    )
                )
            elif replica not in org.governed_regions:
                problems.append(
                    (
                        "bucket.replica_region",
                        f"got {replica!r}; expected one of the governed Regions "
                        f"({', '.join(org.governed_regions)})",
                    )
                )
        for section, arns in (
            ("exempt_principals", self.exempt_principals),
            ("key.admin_roles", self.key.admin_roles),
            ("key.reader_roles", self.key.reader_roles),
        ):
            for i, arn in enumerate(arns):
                if arn.split(":")[1] != self.partition:
                    problems.append(
                        (f"{section}.{i}", f"got {arn!r}; expected partition {self.partition}")
                    )
                elif arn in arns[:i]:
                    problems.append((f"{section}.{i}", _again(arn, "role")))
        for i, arn in enumerate(self.exempt_principals):
            name = arn.split(":role/", 1)[1]
            if not name.strip("*?/"):
                problems.append(
                    (
                        f"exempt_principals.{i}",
                        f"got {arn!r}; expected a pattern naming specific roles (this one "
                        "matches every role and would void the guardrails)",
                    )
                )
        key_account = self.key_account_id
        for i, arn in enumerate(self.key.admin_roles):
            if arn.split(":")[4] != key_account:
                problems.append(
                    (
                        f"key.admin_roles.{i}",
                        f"got {arn!r}; expected a role in the key's account {key_account} "
                        f"(key.account: {self.key.account})",
                    )
                )
        reader_name = self.baseline.own_logs_reader.role_name
        for i, arn in enumerate(self.key.reader_roles):
            if self.baseline.own_logs_reader.enabled and arn.split(":role/", 1)[1] == reader_name:
                problems.append(
                    (
                        f"key.reader_roles.{i}",
                        f"got {arn!r}, named like baseline.own_logs_reader.role_name; expected "
                        "another name (the own-logs reader is held to its own account's logs)",
                    )
                )
            if arn in self.key.admin_roles:
                problems.append(
                    (
                        f"key.reader_roles.{i}",
                        f"got {arn!r}, also in key.admin_roles; expected readers distinct from "
                        "administrators (administrators may not decrypt)",
                    )
                )
        for name in self.bucket_names:
            if len(name) > 63:
                problems.append(
                    (
                        "bucket.name_prefix",
                        f"got {self.bucket.name_prefix!r}, making bucket name {name!r} "
                        f"{len(name)} characters long; expected a prefix short enough for "
                        "names of at most 63 characters",
                    )
                )
                break
        targets = org.organizational_units
        for ou in self.guardrails.scp_budget_by_target:
            if ou not in targets:
                problems.append(
                    (
                        ("guardrails", "scp_budget_by_target", ou),
                        f"got {ou!r}; expected an entry of organization.organizational_units "
                        f"({', '.join(targets) or 'none listed'})",
                    )
                )
        if self.trail.sns.enabled and not SNS_TOPIC.fullmatch(naming.sns_topic(self)):
            problems.append(
                (
                    "trail.name",
                    f"got {self.trail.name!r} with sns.enabled: true; expected a name without "
                    f"'.' (the SNS topic {naming.sns_topic(self)!r} may use only letters, "
                    "digits, '-' and '_')",
                )
            )
        _raise_located(problems)
        return self

    @model_validator(mode="after")
    def _query_names(self) -> Settings:
        """The query results bucket's name must fit S3's 63 characters (located error)."""
        from cfct_build import naming

        name = naming.query_results_bucket(self)
        if self.query.enabled and len(name) > 63:
            _raise_located(
                [
                    (
                        "bucket.name_prefix",
                        f"got {self.bucket.name_prefix!r}, making the query results bucket "
                        f"name {name!r} {len(name)} characters long; expected a prefix short "
                        "enough for names of at most 63 characters (or query.enabled: false)",
                    )
                ]
            )
        return self

    @model_validator(mode="after")
    def _query_reader_attachment(self) -> Settings:
        """Reader roles the query stack attaches its policy to must be attachable by name."""
        q = self.query
        if not (q.enabled and q.attach_reader_policy):
            return self
        problems: list[tuple[str | tuple[str, ...], str]] = []
        for i, arn in enumerate(self.key.reader_roles):
            if arn.split(":")[4] != self.organization.audit_account:
                continue
            path_and_name = arn.split(":role/", 1)[1]
            if path_and_name.startswith(("aws-reserved/", "aws-service-role/")):
                problems.append(
                    (
                        f"key.reader_roles.{i}",
                        f"got {arn!r}, a role AWS manages (IAM refuses to attach policies to "
                        "it); expected a role of your own, or query.attach_reader_policy: false "
                        "and the policy referenced where that role is defined (e.g. an IAM "
                        "Identity Center permission set)",
                    )
                )
            elif not ROLE_NAME.fullmatch(path_and_name.rsplit("/", 1)[-1]):
                problems.append(
                    (
                        f"key.reader_roles.{i}",
                        f"got {arn!r}; expected a role name (after the last '/') of 1-64 "
                        "letters, digits and '+=,.@_-' (the query stack attaches its reader "
                        "policy by name)",
                    )
                )
        _raise_located(problems)
        return self

    @model_validator(mode="after")
    def _trail_selectors(self) -> Settings:
        """The trail's advanced event selectors must fit CloudTrail's limits (located errors)."""
        from cfct_build.components.trail import settings_problems

        _raise_located(settings_problems(self))
        return self

    @model_validator(mode="after")
    def _guardrails_fit(self) -> Settings:
        """The guardrail SCPs must fit an SCP and each target OU's SCP budget: found here, so
        the problems are located in the settings file rather than at build time."""
        from cfct_build import scps

        if not self.organization.organizational_units:
            return self  # no targets: no SCPs
        try:
            count = len(scps.pack(scps.statements(self)))
        except scps.GuardrailError as exc:
            n = len(self.exempt_principals)
            _raise_located(
                [(p.path, f"got {n} entries; expected fewer: {p.message}") for p in exc.problems]
            )
            raise  # pragma: no cover - _raise_located raised
        overrides = self.guardrails.scp_budget_by_target
        short: dict[tuple[str, ...], tuple[int, list[str]]] = {}
        for ou, budget in scps.budgets(self).items():
            if budget < count:
                key = ("scp_budget_by_target", ou) if ou in overrides else ("scp_budget",)
                short.setdefault(("guardrails", *key), (budget, []))[1].append(ou)
        _raise_located(
            [
                (
                    path,
                    f"got {budget}; expected at least {count}: the guardrails need {count} "
                    f"SCP{'s' if count > 1 else ''} on {', '.join(ous)} (free SCP slots there "
                    "or raise the budget)",
                )
                for path, (budget, ous) in short.items()
            ]
        )
        return self

    # Derived values: naming.py turns these into resource names.
    @property
    def key_account_id(self) -> str:
        org = self.organization
        return {
            "audit": org.audit_account,
            "log_archive": org.log_archive_account,
            "management": org.management_account,
        }[self.key.account]

    @property
    def bucket_names(self) -> list[str]:
        from cfct_build import naming

        names = [naming.archive_bucket(self), naming.access_log_bucket(self)]
        if self.bucket.replica_region:
            names.append(naming.replica_bucket(self))
        return names


# What a required setting holds, for "missing; expected ..." messages (keyed by field name).
REQUIRED_EXPECT = {
    "organization": "the organization section (id, accounts and Regions)",
    "id": EXPECT_ORG_ID,
    "management_account": EXPECT_ACCOUNT,
    "log_archive_account": EXPECT_ACCOUNT,
    "audit_account": EXPECT_ACCOUNT,
    "home_region": EXPECT_REGION,
    "governed_regions": "a list of AWS Region codes, including the home Region",
    "days": "a number of days",
    "storage_class": f"one of {', '.join(STORAGE_CLASS_ORDER)}",
    "type": "a CloudTrail data-event resource type such as AWS::S3::Object",
}


# --------------------------------------------------------------------------- loading


class _Located(ValueError):
    """Raised inside validators: (path relative to the model, complete message) pairs.

    A path is dotted text, or a tuple where a part (e.g. a user's mapping key) may hold dots.
    """

    def __init__(self, problems: Sequence[tuple[str | tuple[str, ...], str]]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(f"{p}: {m}" for p, m in problems))


def _raise_located(problems: Sequence[tuple[str | tuple[str, ...], str]]) -> None:
    if problems:
        raise _Located(problems)


Path_ = tuple[str, ...]
STR_TAG = "tag:yaml.org,2002:str"
MERGE_TAG = "tag:yaml.org,2002:merge"
_TAG_KIND = {
    "tag:yaml.org,2002:int": "a number",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:bool": "true/false",
    "tag:yaml.org,2002:null": "null",
    "tag:yaml.org,2002:timestamp": "a date",
}


class _BadScalar(yaml.constructor.ConstructorError):
    def __init__(self, node: yaml.Node, problem: str) -> None:
        super().__init__(None, None, problem, node.start_mark)
        self.node = node


class _Loader(yaml.SafeLoader):
    """SafeLoader whose value errors (`!!int abc`, `2021-13-45`) are located YAML errors."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, KeyError, OverflowError) as exc:
            kind = _TAG_KIND.get(node.tag, node.tag.rsplit(":", 1)[-1])
            raw = node.value if isinstance(node, yaml.ScalarNode) else "this node"
            raise _BadScalar(node, f"cannot read {raw} as {kind} ({exc})") from None


class _Index:
    """Where each key path's key and value are in the file, plus key problems found there."""

    def __init__(self, root: yaml.Node) -> None:
        self.values: dict[Path_, yaml.Node] = {}
        self.keys: dict[Path_, yaml.Node] = {}
        self.paths: dict[int, Path_] = {}
        self.problems: list[tuple[Path_, yaml.Mark, str]] = []
        seen: set[int] = set()
        stack: list[tuple[Path_, yaml.Node]] = [((), root)]
        while stack:  # iterative, each node once: aliases may form cycles or fan out
            path, node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            self.values.setdefault(path, node)
            self.paths.setdefault(id(node), path)
            if isinstance(node, yaml.MappingNode):
                stack.extend(reversed(self._mapping(path, node)))
            elif isinstance(node, yaml.SequenceNode):
                stack.extend(
                    ((*path, str(i)), item) for i, item in reversed(list(enumerate(node.value)))
                )

    def _mapping(self, path: Path_, node: yaml.MappingNode) -> list[tuple[Path_, yaml.Node]]:
        children: list[tuple[Path_, yaml.Node]] = []
        first: dict[str, yaml.Node] = {}
        for k, v in node.value:
            if k.tag == MERGE_TAG:  # `<<: *base` merges base's keys into this mapping
                merged = v.value if isinstance(v, yaml.SequenceNode) else [v]
                children.extend((path, m) for m in merged)
                continue
            if not (isinstance(k, yaml.ScalarNode) and k.tag == STR_TAG):
                self.problems.append(
                    (path, k.start_mark, f"got {_show_node(k)} as a key; expected a setting name")
                )
                continue
            name = k.value
            if name in first:
                self.problems.append(
                    (
                        (*path, name),
                        k.start_mark,
                        f"got key {name!r} again; expected each key once (first on line "
                        f"{first[name].start_mark.line + 1})",
                    )
                )
                continue
            first[name] = k
            self.keys[(*path, name)] = k
            children.append(((*path, name), v))
        return children

    def path_at(self, mark: yaml.Mark) -> Path_:
        """The deepest key path whose value starts at `mark` (else the document)."""
        at = [p for p, n in self.values.items() if n.start_mark.index == mark.index]
        return max(at, key=len, default=())

    def mark(self, path: Path_, *, key: bool = False) -> yaml.Mark | None:
        """The key (or value) at `path`, else the key or value of its nearest ancestor."""
        if key and path in self.keys:
            return self.keys[path].start_mark
        if path in self.values:
            return self.values[path].start_mark
        for n in range(len(path) - 1, -1, -1):
            ancestor = path[:n]
            if ancestor in self.keys:
                return self.keys[ancestor].start_mark
            if ancestor in self.values:
                return self.values[ancestor].start_mark
        return None


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _one_line(text: str) -> str:
    """Escape what would break a one-line message (control characters, line separators)."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)


def _show_node(node: yaml.Node, kind: bool = True) -> str:
    """A value as the user wrote it (with what YAML made of it, if `kind` and not text)."""
    if isinstance(node, yaml.MappingNode):
        return "a mapping" if node.value else "an empty mapping {}"
    if isinstance(node, yaml.SequenceNode):
        return "a list" if node.value else "an empty list []"
    if node.tag == STR_TAG:
        return _clip(repr(node.value))
    if node.tag == "tag:yaml.org,2002:null" and node.value in ("", "~"):
        return "nothing (an empty value)" if node.value == "" else "~ (null)"
    what = _TAG_KIND.get(node.tag) if kind else None
    return _clip(str(node.value)) + (f" ({what})" if what else "")


def _show_value(value: Any) -> str:
    """A value constructed from YAML, where its node is unknown (e.g. merged in)."""
    if isinstance(value, str):
        return _clip(repr(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dt.date):
        return f"{value.isoformat()} (a date)"
    return _clip(repr(value))


def _segment(part: str) -> str:
    return part if re.fullmatch(r"[A-Za-z0-9_-]+", part) else _clip(repr(part), 40)


def _dotted(path: Path_) -> str:
    return ".".join(_segment(p) for p in path)


def _lookup(data: Any, path: Path_) -> tuple[bool, Any]:
    cur = data
    for part in path:
        if isinstance(cur, dict) and part in cur:
            cur = cur[part]
        elif isinstance(cur, list) and part.isdigit() and int(part) < len(cur):
            cur = cur[int(part)]
        else:
            return False, None
    return True, cur


# What each pydantic error type expects; {mapping} names the mapping the file holds.
_EXPECT = {
    "string_type": "expected text",
    "int_type": "expected a whole number",
    "bool_type": "expected true or false",
    "list_type": "expected a list",
    "model_type": "expected {mapping} (key: value lines)",
    "model_attributes_type": "expected {mapping} (key: value lines)",
    "dict_type": "expected {mapping} (key: value lines)",
}


def _message(
    err: Any,
    loc: Path_,
    data: Any,
    index: _Index,
    *,
    required: Mapping[str, str],
    known_keys: Callable[[Path_], list[str]],
    mapping: str,
    is_key: bool = False,
) -> str:
    """A pydantic error as 'got X; expected Y' (settings, workload and price files alike).

    `required` describes missing keys by name, `known_keys` lists the keys allowed at a path,
    `mapping` names what a mapping holds, and `is_key` reports a mapping key, not its value."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return f"missing; expected {required.get(loc[-1], 'a value (required)')}"
    if kind == "extra_forbidden":
        known = known_keys(loc[:-1])
        return f"got unknown key {_clip(repr(loc[-1]), 60)}; expected " + (
            f"one of: {', '.join(known)}" if known else "no other keys"
        )
    if kind in _EXPECT:
        expected = _EXPECT[kind].format(mapping=mapping)
    elif kind == "value_error":
        expected = str(ctx.get("error", err["msg"]))
    elif kind == "literal_error":
        expected = "expected " + ctx.get("expected", "")
    elif kind == "greater_than_equal":
        expected = f"expected a number >= {ctx['ge']}"
    elif kind == "less_than_equal":
        expected = f"expected a number <= {ctx['le']}"
    elif kind == "too_short":
        expected = f"expected at least {ctx['min_length']} item(s)"
    elif kind == "string_pattern_mismatch":
        expected = f"expected text matching {ctx['pattern']}"
    else:  # pragma: no cover - every error type the models can raise is handled above
        expected = "expected " + str(err["msg"]).removeprefix("Input should be ")
    if is_key:
        return f"got key {_clip(repr(loc[-1]), 60)}; {expected}"
    node = index.values.get(loc)
    if node is not None:
        shown = _show_node(node, kind=kind in _EXPECT or kind == "value_error")
        if kind == "string_type" and isinstance(node, yaml.ScalarNode) and node.tag != STR_TAG:
            expected += ": put it in quotes"
    else:
        found, value = _lookup(data, loc)
        shown = _show_value(value) if found else "nothing"
    return f"got {shown}; {expected}"


def _problems_from(exc: ValidationError, data: Any, index: _Index, file: str) -> list[Problem]:
    problems: list[Problem] = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = tuple(str(p) for p in err["loc"])
        ctx_err = (err.get("ctx") or {}).get("error")
        items: list[tuple[Path_, str, bool]]
        if isinstance(ctx_err, _Located):
            items = [
                ((*loc, *(sub.split(".") if isinstance(sub, str) else sub)), msg, False)
                for sub, msg in ctx_err.problems
            ]
        elif err["type"] == "missing":
            # Point at the key of the section that lacks the setting.
            items = [(loc, _settings_message(err, loc, data, index), True)]
        else:
            items = [
                (loc, _settings_message(err, loc, data, index), err["type"] == "extra_forbidden")
            ]
        for path, msg, at_key in items:
            where = path[:-1] if err["type"] == "missing" else path
            problems.append(_problem(file, path, msg, index.mark(where, key=at_key)))
    return _sorted(problems)


def _settings_message(err: Any, loc: Path_, data: Any, index: _Index) -> str:
    return _message(
        err,
        loc,
        data,
        index,
        required=REQUIRED_EXPECT,
        known_keys=_fields_at,
        mapping="a mapping of settings",
    )


def _problem(file: str, path: Path_, message: str, mark: yaml.Mark | None) -> Problem:
    return Problem(
        file=file,
        path=_dotted(path),
        message=_one_line(message),
        line=mark.line + 1 if mark else 1,
        column=mark.column + 1 if mark else 1,
    )


def _sorted(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.line or 0, p.column or 0, p.path, p.message))


def _fields_at(loc: Path_) -> list[str]:
    """The setting names allowed at a key path (for 'unknown key' messages)."""
    model: Any = Settings
    for part in loc:
        if part.isdigit():
            continue
        field = model.model_fields.get(part)
        if field is None:
            return []
        model = field.annotation
        for arg in getattr(model, "__args__", ()):  # list[Model] / Model | None
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                model = arg
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return []
    return list(model.model_fields)


def _yaml_problem(
    file: str, text: str, exc: yaml.YAMLError, index: _Index | None, expected: str
) -> Problem:
    path: Path_ = ()
    if isinstance(exc, _BadScalar) and index is not None:
        path = index.paths.get(id(exc.node), ())
    elif isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark and index is not None:
        path = index.path_at(exc.problem_mark)
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or "unreadable YAML"
        if exc.context and not exc.context.startswith("while"):
            what = f"{exc.context}, {what}"
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    elif isinstance(exc, yaml.reader.ReaderError):
        what = f"character U+{exc.character:04X} ({exc.reason})"
        before = text[: exc.position]
        line = before.count("\n") + 1
        column = exc.position - (before.rfind("\n") + 1) + 1
    else:  # pragma: no cover - PyYAML raises only the two kinds above
        what, line, column = str(exc), 1, 1
    return Problem(
        file=file,
        path=_dotted(path),
        message=_one_line(f"got invalid YAML: {what}; expected {expected}"),
        line=line,
        column=column,
    )


def _read_mapping(text: str, file: str, what: str, yaml_what: str) -> tuple[dict[str, Any], _Index]:
    """YAML text -> (data, index of where each key path is); located problems unless the text
    is one YAML mapping. `what` names that mapping, `yaml_what` it when the YAML is unreadable."""
    index: _Index | None = None
    loader: _Loader | None = None
    try:
        loader = _Loader(text)
        root = loader.get_single_node()
        if root is None:
            raise SettingsError(
                [Problem(file, "", f"got an empty document; expected {what}", line=1, column=1)]
            )
        index = _Index(root)
        if index.problems:
            raise SettingsError(
                _sorted([_problem(file, p, msg, mark) for p, mark, msg in index.problems])
            )
        data = loader.construct_document(root)
    except yaml.YAMLError as exc:
        raise SettingsError([_yaml_problem(file, text, exc, index, yaml_what)]) from None
    except RecursionError:
        raise SettingsError(
            [
                Problem(
                    file,
                    "",
                    f"got YAML nested too deeply to read; expected {what}",
                    line=1,
                    column=1,
                )
            ]
        ) from None
    finally:
        if loader is not None:
            loader.dispose()
    if not isinstance(data, dict):
        mark = root.start_mark
        raise SettingsError(
            [
                Problem(
                    file,
                    "",
                    f"got {_show_node(root)}; expected {what} (key: value lines)",
                    line=mark.line + 1,
                    column=mark.column + 1,
                )
            ]
        )
    return data, index


def parse_settings(text: str, file: str = "cfct-build.yaml") -> Settings:
    """Parse and validate settings text. Raises SettingsError with located problems."""
    data, index = _read_mapping(text, file, "a mapping of settings", "a YAML mapping of settings")
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise SettingsError(_problems_from(exc, data, index, file)) from None


def _read_text(p: Path, what: str) -> str:
    """A UTF-8 text file's text; a located SettingsError naming `what` otherwise."""
    try:
        raw = p.read_bytes()
    except OSError as exc:
        reason = (exc.strerror or str(exc)).lower()
        raise SettingsError(
            [Problem(str(p), "", f"got {reason}; expected a readable {what}")]
        ) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        raise SettingsError(
            [
                Problem(
                    str(p),
                    "",
                    f"got byte 0x{raw[exc.start]:02x}, which is not UTF-8 ({exc.reason}); "
                    "expected a UTF-8 text file",
                    line=before.count(b"\n") + 1,
                    column=len(before) - (before.rfind(b"\n") + 1) + 1,
                )
            ]
        ) from None


def load_settings(path: str | Path) -> Settings:
    """Read and validate a settings file."""
    p = Path(path)
    return parse_settings(_read_text(p, "settings file"), str(p))


def json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of the settings file, for editors (`cfct-build schema`)."""
    schema = Settings.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "cfct-build settings"
    return schema

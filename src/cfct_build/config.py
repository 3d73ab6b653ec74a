"""Typed settings: the one place a settings file is read, validated and given meaning.

`load_settings(path)` returns a frozen `Settings` or raises `SettingsError` whose problems each
name the file, line, dotted key path, the bad value and what was expected.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BeforeValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)

from cfct_build.errors import Problem, SettingsError

# --------------------------------------------------------------------------- primitives

PARTITION_REGION = {
    "aws": re.compile(r"^(?!us-gov-|cn-)[a-z]{2}(-[a-z]+)+-\d$"),
    "aws-us-gov": re.compile(r"^us-gov-[a-z]+-\d$"),
    "aws-cn": re.compile(r"^cn-[a-z]+-\d$"),
}
ANY_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")
ACCOUNT_ID = re.compile(r"^\d{12}$")
ORG_ID = re.compile(r"^o-[a-z0-9]{10,32}$")
OU_NAME = re.compile(r"^[^:\s][^:]{0,127}$")
ROLE_ARN = re.compile(
    r"^arn:(?P<partition>aws|aws-us-gov|aws-cn):iam::(?P<account>\d{12}|\*):role/"
    r"(?P<name>[\w+=,.@\-/*?]{1,512})$"
)
TRAIL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]$")
BUCKET_PREFIX = re.compile(r"^[a-z0-9][a-z0-9-]{1,40}[a-z0-9]$")
KEY_PREFIX = re.compile(r"^[A-Za-z0-9!_.*'()-]+(/[A-Za-z0-9!_.*'()-]+)*$")
ALIAS = re.compile(r"^(?!aws/)[A-Za-z0-9/_-]{1,250}$")

# CloudTrail data-event resource types offered as settings (resources.type values).
DATA_EVENT_TYPES = (
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
)
# CfCT's RFC-style limit on resource names, minus the "CustomControlTower-" StackSet prefix.
STORAGE_CLASSES_MIN_DAYS = {
    "STANDARD_IA": 30,
    "ONEZONE_IA": 30,
    "INTELLIGENT_TIERING": 0,
    "GLACIER_IR": 0,
    "GLACIER": 0,
    "DEEP_ARCHIVE": 0,
}
MAX_RETENTION_DAYS = 36500


def _match(pattern: re.Pattern[str], expected: str) -> AfterValidator:
    def check(value: str) -> str:
        if not pattern.fullmatch(value):
            raise ValueError(f"expected {expected}")
        return value

    return AfterValidator(check)


def _quoted_account(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError(
            'expected a 12-digit account ID in quotes, e.g. "123456789012" (unquoted, YAML reads '
            "a number and drops leading zeros)"
        )
    return value


AccountId = Annotated[
    str,
    BeforeValidator(_quoted_account),
    _match(ACCOUNT_ID, 'a 12-digit AWS account ID written in quotes, e.g. "123456789012"'),
]
Region = Annotated[str, _match(ANY_REGION, "an AWS Region code such as us-east-1")]
OrgId = Annotated[str, _match(ORG_ID, "an organization ID such as o-a1b2c3d4e5")]
RoleArn = Annotated[
    str,
    _match(
        ROLE_ARN,
        "an IAM role ARN such as arn:aws:iam::123456789012:role/BreakGlass "
        "(account may be * and the name may use * and ? wildcards)",
    ),
]
ExactRoleArn = Annotated[
    str,
    _match(
        re.compile(r"^arn:(aws|aws-us-gov|aws-cn):iam::\d{12}:role/[\w+=,.@\-/]{1,512}$"),
        "an exact IAM role ARN with a 12-digit account and no wildcards, "
        "e.g. arn:aws:iam::123456789012:role/LogReader",
    ),
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


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
    organizational_units: list[str] = Field(
        default_factory=list,
        description=(
            "OUs that receive account-scoped resources and SCPs: `Root`, a top-level OU name, "
            "or a nested path `Parent:Child`. CfCT does not recurse into child OUs: list each."
        ),
    )

    @model_validator(mode="after")
    def _consistent(self) -> Organization:
        problems: list[tuple[str, str]] = []
        ids = {
            "management_account": self.management_account,
            "log_archive_account": self.log_archive_account,
            "audit_account": self.audit_account,
        }
        seen: dict[str, str] = {}
        for key, value in ids.items():
            if value in seen:
                problems.append((key, f"must differ from {seen[value]} ({value})"))
            seen.setdefault(value, key)
        if len(set(self.governed_regions)) != len(self.governed_regions):
            problems.append(("governed_regions", "expected each Region once"))
        if self.home_region not in self.governed_regions:
            problems.append(
                ("governed_regions", f"expected it to include the home Region {self.home_region}")
            )
        for i, ou in enumerate(self.organizational_units):
            if ou != "Root" and not all(OU_NAME.fullmatch(p) for p in ou.split(":")):
                problems.append(
                    (
                        f"organizational_units.{i}",
                        f"got {ou!r}; expected Root, an OU name or a nested path Parent:Child "
                        "(names of 1-128 characters without ':')",
                    )
                )
        if len(set(self.organizational_units)) != len(self.organizational_units):
            problems.append(("organizational_units", "expected each OU once"))
        _raise_located(problems)
        return self


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
                        "COMPLIANCE mode can never be shortened or removed, not even by the root "
                        "user; set bucket.object_lock.acknowledge_compliance_mode: true to use it, "
                        "or use GOVERNANCE",
                    )
                ]
            )
        return self


class Transition(_Model):
    days: int = Field(ge=1, le=MAX_RETENTION_DAYS)
    storage_class: Literal[
        "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"
    ]


class Lifecycle(_Model):
    transitions: list[Transition] = Field(
        default_factory=list, description="Storage-class transitions, in increasing days."
    )
    expiration_days: int = Field(
        default=2557,
        ge=1,
        le=MAX_RETENTION_DAYS + 1,
        description="Expire current versions after this many days; never before the retention.",
    )
    noncurrent_expiration_days: int = Field(
        default=2557,
        ge=1,
        le=MAX_RETENTION_DAYS + 1,
        description="Delete noncurrent versions after this many days; never before the retention.",
    )

    @model_validator(mode="after")
    def _ordered(self) -> Lifecycle:
        problems: list[tuple[str, str]] = []
        last = 0
        for i, t in enumerate(self.transitions):
            minimum = STORAGE_CLASSES_MIN_DAYS[t.storage_class]
            if t.days < minimum:
                problems.append(
                    (f"transitions.{i}.days", f"got {t.days}; S3 requires >= {minimum} days for {t.storage_class}")
                )
            if t.days <= last:
                problems.append(
                    (f"transitions.{i}.days", f"got {t.days}; expected more than the previous transition ({last})")
                )
            last = t.days
        if self.transitions and self.expiration_days <= last:
            problems.append(
                ("expiration_days", f"got {self.expiration_days}; expected more than the last transition ({last})")
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
    )
    key_prefix: str = Field(
        default="cloudtrail",
        description="S3 key prefix the trail writes under (<prefix>/AWSLogs/<org-id>/...).",
    )
    object_lock: ObjectLock = Field(default_factory=ObjectLock)
    lifecycle: Lifecycle = Field(default_factory=Lifecycle)
    access_logs: AccessLogs = Field(default_factory=AccessLogs)
    replica_region: Region | None = Field(
        default=None, description="Optional second Region for an Object Lock replica bucket."
    )
    deny_uploads_without_kms: bool = Field(
        default=False,
        description="Deny PutObject unless SSE-KMS with the log-archive key. Off by default: "
        "CloudTrail's trail-creation check fails under it. Turn on after the trail exists.",
    )

    @model_validator(mode="after")
    def _names(self) -> Bucket:
        problems: list[tuple[str, str]] = []
        if not BUCKET_PREFIX.fullmatch(self.name_prefix) or "--" in self.name_prefix:
            problems.append(
                ("name_prefix", f"got {self.name_prefix!r}; expected 3-42 lowercase letters, digits "
                 "and single hyphens, starting and ending with a letter or digit")
            )
        if not KEY_PREFIX.fullmatch(self.key_prefix) or len(self.key_prefix) > 200:
            problems.append(
                ("key_prefix", f"got {self.key_prefix!r}; expected S3-safe path segments separated "
                 "by '/', without leading or trailing '/', at most 200 characters")
            )
        ol, lc = self.object_lock.retention_days, self.lifecycle
        if lc.expiration_days < ol:
            problems.append(
                ("lifecycle.expiration_days", f"got {lc.expiration_days}; expected at least the "
                 f"Object Lock retention ({ol} days)")
            )
        if lc.noncurrent_expiration_days < ol:
            problems.append(
                ("lifecycle.noncurrent_expiration_days", f"got {lc.noncurrent_expiration_days}; "
                 f"expected at least the Object Lock retention ({ol} days)")
            )
        _raise_located(problems)
        return self


class Key(_Model):
    account: Literal["audit", "log_archive", "management"] = Field(
        default="audit", description="Which account holds the customer-managed KMS key."
    )
    alias: str = Field(default="cfct-build/cloudtrail", description="Alias name, without alias/.")
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
        if not ALIAS.fullmatch(self.alias):
            _raise_located(
                [("alias", f"got {self.alias!r}; expected letters, digits, '/', '_' or '-', "
                  "without the alias/ prefix and not under aws/")]
            )
        return self


class DataEvent(_Model):
    type: str = Field(description="CloudTrail resources.type, e.g. AWS::S3::Object.")
    read_write: Literal["all", "read_only", "write_only"] = "all"

    @model_validator(mode="after")
    def _known(self) -> DataEvent:
        if self.type not in DATA_EVENT_TYPES:
            _raise_located(
                [("type", f"got {self.type!r}; expected one of {', '.join(DATA_EVENT_TYPES)}")]
            )
        return self


class ManagementEvents(_Model):
    enabled: bool = Field(
        default=False,
        description="Off by default: Control Tower's own trail already records management events.",
    )
    read_write: Literal["all", "read_only", "write_only"] = "all"
    exclude_kms: bool = Field(default=True, description="Leave out high-volume KMS events.")


class CloudWatchLogs(_Model):
    enabled: bool = False
    retention_days: Literal[
        1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
        2922, 3288, 3653,
    ] = 365


class Sns(_Model):
    enabled: bool = False


class Trail(_Model):
    name: str = Field(default="cfct-build-org-data-events")
    data_events: list[DataEvent] = Field(
        default_factory=lambda: [
            DataEvent(type="AWS::S3::Object", read_write="write_only"),
            DataEvent(type="AWS::Lambda::Function", read_write="all"),
            DataEvent(type="AWS::DynamoDB::Table", read_write="write_only"),
        ],
    )
    exclude_control_tower_buckets: bool = Field(
        default=True,
        description="Also leave out S3 data events on Control Tower's own log buckets.",
    )
    management_events: ManagementEvents = Field(default_factory=ManagementEvents)
    insights: list[Literal["ApiCallRateInsight", "ApiErrorRateInsight"]] = Field(
        default_factory=list
    )
    cloudwatch_logs: CloudWatchLogs = Field(default_factory=CloudWatchLogs)
    sns: Sns = Field(default_factory=Sns)

    @model_validator(mode="after")
    def _trail(self) -> Trail:
        problems: list[tuple[str, str]] = []
        if not TRAIL_NAME.fullmatch(self.name) or re.search(r"[._-]{2}", self.name):
            problems.append(
                ("name", f"got {self.name!r}; expected 3-128 letters, digits, '.', '_' or '-', "
                 "starting and ending with a letter or digit, no adjacent punctuation")
            )
        types = [d.type for d in self.data_events]
        for i, t in enumerate(types):
            if t in types[:i]:
                problems.append((f"data_events.{i}.type", f"got {t!r} twice; expected each type once"))
        if not self.data_events and not self.management_events.enabled:
            problems.append(
                ("data_events", "expected at least one data-event type, or management_events.enabled")
            )
        if self.insights:
            me = self.management_events
            if not me.enabled or me.read_write == "read_only":
                problems.append(
                    ("insights", "Insights needs management events: set management_events.enabled "
                     "to true (with read_write all or write_only)")
                )
            elif "ApiCallRateInsight" in self.insights and me.read_write != "all" and me.read_write != "write_only":
                problems.append(("insights", "ApiCallRateInsight needs write management events"))
        if len(set(self.insights)) != len(self.insights):
            problems.append(("insights", "expected each Insights type once"))
        _raise_located(problems)
        return self


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


class Settings(_Model):
    """The whole settings file (cfct-build.yaml)."""

    partition: Literal["aws", "aws-us-gov", "aws-cn"] = Field(
        default="aws", description="AWS partition; used where a policy cannot resolve it itself."
    )
    organization: Organization
    exempt_principals: list[RoleArn] = Field(
        default_factory=list,
        description="Break-glass and pipeline roles exempt from the guardrails (ARN patterns). "
        "Control Tower's AWSControlTowerExecution and stacksets-exec-* are always exempt.",
    )
    bucket: Bucket = Field(default_factory=Bucket)
    key: Key = Field(default_factory=Key)
    trail: Trail = Field(default_factory=Trail)
    guardrails: Guardrails = Field(default_factory=Guardrails)

    @model_validator(mode="after")
    def _cross(self) -> Settings:
        problems: list[tuple[str, str]] = []
        region_re = PARTITION_REGION[self.partition]
        org = self.organization
        for key, value in [("organization.home_region", org.home_region)] + [
            (f"organization.governed_regions.{i}", r) for i, r in enumerate(org.governed_regions)
        ] + ([("bucket.replica_region", self.bucket.replica_region)] if self.bucket.replica_region else []):
            if not region_re.fullmatch(value):
                problems.append((key, f"got {value!r}; expected a Region of partition {self.partition}"))
        if self.bucket.replica_region == org.home_region:
            problems.append(("bucket.replica_region", "expected a Region other than the home Region"))
        for section, arns in (
            ("exempt_principals", self.exempt_principals),
            ("key.admin_roles", self.key.admin_roles),
            ("key.reader_roles", self.key.reader_roles),
        ):
            for i, arn in enumerate(arns):
                if arn.split(":")[1] != self.partition:
                    problems.append((f"{section}.{i}", f"got {arn!r}; expected partition {self.partition}"))
            if len(set(arns)) != len(arns):
                problems.append((section, "expected each role once"))
        key_account = self.key_account_id
        for i, arn in enumerate(self.key.admin_roles):
            if arn.split(":")[4] != key_account:
                problems.append(
                    (f"key.admin_roles.{i}", f"got {arn!r}; expected a role in the key's account "
                     f"{key_account} (key.account: {self.key.account})")
                )
        for name in self.bucket_names:
            if len(name) > 63:
                problems.append(
                    ("bucket.name_prefix", f"makes bucket name {name!r} {len(name)} characters "
                     "long; expected at most 63: shorten the prefix")
                )
                break
        _raise_located(problems)
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


# --------------------------------------------------------------------------- loading


class _Located(ValueError):
    """Raised inside validators: problems relative to the model being validated."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p}: {m}" for p, m in problems))


def _raise_located(problems: list[tuple[str, str]]) -> None:
    if problems:
        raise _Located(problems)


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)  # type: ignore[no-untyped-call]
        try:
            duplicate = key in seen
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "expected a plain key, got a mapping or list", key_node.start_mark
            ) from None
        if duplicate:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    loader.flatten_mapping(node)
    return dict(loader.construct_pairs(node))  # type: ignore[no-untyped-call]


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _positions(node: yaml.Node | None, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], yaml.Mark]:
    """Map each key path (as strings) to the start of its value (or key) in the file."""
    out: dict[tuple[str, ...], yaml.Mark] = {}
    if node is None:
        return out
    out.setdefault(prefix, node.start_mark)
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            path = (*prefix, str(k.value))
            out[path] = v.start_mark
            out[(*path, "\0key")] = k.start_mark
            out.update({p: m for p, m in _positions(v, path).items() if p != path})
    elif isinstance(node, yaml.SequenceNode):
        for i, v in enumerate(node.value):
            out.update(_positions(v, (*prefix, str(i))))
    return out


def _lookup(data: Any, path: tuple[str, ...]) -> tuple[bool, Any]:
    cur = data
    for part in path:
        if isinstance(cur, dict) and part in cur:
            cur = cur[part]
        elif isinstance(cur, list) and part.isdigit() and int(part) < len(cur):
            cur = cur[int(part)]
        else:
            return False, None
    return True, cur


_EXPECT = {
    "string_type": "expected a string",
    "int_type": "expected a whole number",
    "bool_type": "expected true or false",
    "list_type": "expected a list",
    "model_type": "expected a mapping of keys",
    "dict_type": "expected a mapping of keys",
    "missing": "is required",
}


def _problems_from(
    exc: ValidationError, data: Any, positions: dict[tuple[str, ...], yaml.Mark], file: str
) -> list[Problem]:
    problems: list[Problem] = []
    for err in exc.errors(include_url=False):
        loc = tuple(str(p) for p in err["loc"])
        ctx_err = (err.get("ctx") or {}).get("error")
        if isinstance(ctx_err, _Located):
            items = [((*loc, *sub.split(".")), msg) for sub, msg in ctx_err.problems]
        else:
            msg = err["msg"]
            if msg.startswith("Value error, "):
                msg = msg[len("Value error, ") :]
            if err["type"] in _EXPECT:
                msg = _EXPECT[err["type"]]
            elif err["type"] == "literal_error":
                msg = "expected " + msg.removeprefix("Input should be ")
            elif err["type"] == "greater_than_equal":
                msg = f"expected a number >= {err['ctx']['ge']}"
            elif err["type"] == "less_than_equal":
                msg = f"expected a number <= {err['ctx']['le']}"
            elif err["type"] == "too_short":
                msg = f"expected at least {err['ctx']['min_length']} item(s)"
            elif err["type"] == "extra_forbidden":
                known = _fields_at(loc[:-1])
                msg = "unknown setting" + (f"; expected one of: {', '.join(known)}" if known else "")
            found, value = _lookup(data, loc)
            if found and err["type"] != "missing" and "got " not in msg:
                msg = f"got {_show(value)}; {msg}"
            items = [(loc, msg)]
        for path, msg in items:
            mark = _nearest(positions, path, key=err["type"] == "extra_forbidden")
            problems.append(
                Problem(
                    file=file,
                    path=".".join(path),
                    message=msg,
                    line=mark.line + 1 if mark else None,
                    column=mark.column + 1 if mark else None,
                )
            )
    problems.sort(key=lambda p: (p.line or 0, p.column or 0, p.path))
    return problems


def _fields_at(loc: tuple[str, ...]) -> list[str]:
    """The setting names allowed at a key path (for 'unknown setting' messages)."""
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


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null (empty)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) < 60 else text[:57] + "..."


def _nearest(
    positions: dict[tuple[str, ...], yaml.Mark], path: tuple[str, ...], key: bool = False
) -> yaml.Mark | None:
    if key and (*path, "\0key") in positions:
        return positions[(*path, "\0key")]
    for n in range(len(path), -1, -1):
        if path[:n] in positions:
            return positions[path[:n]]
    return None


def parse_settings(text: str, file: str = "cfct-build.yaml") -> Settings:
    """Parse and validate settings text. Raises SettingsError with located problems."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise SettingsError(
            [
                Problem(
                    file=file,
                    path="",
                    message=f"not valid YAML: {exc.problem or exc.context}",
                    line=mark.line + 1 if mark else None,
                    column=mark.column + 1 if mark else None,
                )
            ]
        ) from None
    except yaml.YAMLError as exc:  # pragma: no cover - non-marked YAML errors are rare
        raise SettingsError([Problem(file=file, path="", message=f"not valid YAML: {exc}")]) from None
    if not isinstance(data, dict):
        raise SettingsError(
            [Problem(file=file, path="", message=f"got {_show(data)}; expected a mapping of settings", line=1, column=1)]
        )
    for k in data:
        if not isinstance(k, str):
            raise SettingsError([Problem(file=file, path=str(k), message="expected a string key", line=1)])
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise SettingsError(_problems_from(exc, data, _positions(node), file)) from None


def load_settings(path: str | Path) -> Settings:
    """Read and validate a settings file."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise SettingsError([Problem(file=str(p), path="", message=f"cannot read: {exc.strerror}")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SettingsError([Problem(file=str(p), path="", message=f"not UTF-8 text ({exc.reason} at byte {exc.start})")]) from None
    return parse_settings(text, str(p))


def json_schema() -> dict[str, Any]:
    """JSON Schema of the settings file, for editors (`cfct-build schema`)."""
    schema = Settings.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "cfct-build settings"
    return schema

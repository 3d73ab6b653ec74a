"""Inputs of `cfct-build cost`: the workload profile (a user's YAML file) and the price list.

`load_profile(path, settings)` returns a frozen `Profile` or raises `SettingsError` with located
problems, exactly as `config.load_settings` does for the settings (same YAML reading, same
`<file>:<line>:<col>: <key path>: got X; expected Y` messages). `load_prices()` reads the price
list shipped as package data (`data/prices.yaml`), validated by the same machinery.

A profile describes the workload, not the configuration: how many accounts and Regions, how
many data and management events they make, how large a log record is. What the trail records
(selectors, retention, CloudWatch Logs, Insights) comes from the settings; `what_if` may
override a few of those to compare variants without editing the settings.
All numbers are read as exact decimals (`Decimal`), so estimates are reproducible to the cent.
"""

from __future__ import annotations

import math
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar, get_args, get_origin

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from cfct_build import config
from cfct_build.config import (
    CloudWatchLogs,
    DataEventType,
    Lifecycle,
    Settings,
    StorageClass,
)
from cfct_build.errors import Problem, SettingsError

Path_ = tuple[str, ...]
PRICES_FILE = "prices.yaml"


def _decimal(value: Any) -> Decimal:
    """YAML numbers as exact decimals: 0.1 is 0.1, not the nearest binary fraction."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise ValueError("expected a number")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("expected a finite number")
    return value if isinstance(value, Decimal) else Decimal(repr(value))


Number = Annotated[Decimal, BeforeValidator(_decimal)]
Share = Annotated[Decimal, BeforeValidator(_decimal), Field(ge=0, le=1)]
# At most 10^12 of anything (and 10^5 accounts): every figure then fits Decimal's 28 digits.
Count = Annotated[Decimal, BeforeValidator(_decimal), Field(ge=0, le=10**12)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


# --------------------------------------------------------------------------- profile


class DataEventVolume(_Model):
    events_per_account: Count = Field(
        description="Data events of this type one account makes in a month (what a trail "
        "logging every read and write would record, log buckets excluded)."
    )
    read_share: Share = Field(
        description="Share of those events that are reads (readOnly: true), 0-1."
    )


class ManagementEventVolume(_Model):
    events_per_account: Count = Field(
        default=Decimal(0), description="Management events one account makes in a month."
    )
    read_share: Share = Field(default=Decimal("0.8"), description="Share that are reads, 0-1.")
    kms_share: Share = Field(
        default=Decimal("0.3"),
        description="Share from kms.amazonaws.com (left out with exclude_kms), 0-1.",
    )


class LogRecords(_Model):
    average_event_bytes: Count = Field(
        default=Decimal(1500),
        le=10**6,
        description="Average size of one event's JSON record, in bytes.",
    )
    compression_ratio: Number = Field(
        default=Decimal(10),
        ge=1,
        le=1000,
        description="Uncompressed / gzip-compressed log file size.",
    )


class Delivery(_Model):
    log_files_per_region_hour: Count = Field(
        default=Decimal(12),
        description="Most log files CloudTrail delivers per account and active Region in an "
        "hour (about one every 5 minutes); fewer when there are fewer events.",
    )
    digest_files_per_region_hour: Count = Field(
        default=Decimal(1),
        description="Digest files per account and enabled Region in an hour (log file "
        "validation: one an hour, even without log files).",
    )
    access_log_objects_per_hour: Count = Field(
        default=Decimal(60),
        description="Objects S3 server access logging delivers for the archive bucket per hour.",
    )
    access_log_record_bytes: Count = Field(
        default=Decimal(400),
        le=10**6,
        description="Size of one S3 server access log record, in bytes.",
    )


class ControlTowerDeliveries(_Model):
    log_files_per_region_hour: Count = Field(
        default=Decimal(12),
        description="Log files Control Tower's trail delivers per account and active Region "
        "in an hour.",
    )
    digest_files_per_region_hour: Count = Field(
        default=Decimal(1), description="Its digest files per account and enabled Region an hour."
    )
    config_files_per_region_day: Count = Field(
        default=Decimal(4),
        description="AWS Config history and snapshot files per account and active Region a day.",
    )
    access_log_objects_per_hour: Count = Field(
        default=Decimal(60),
        description="S3 server access log objects delivered into Control Tower's access-log "
        "bucket per hour.",
    )


class Investigations(_Model):
    log_files_read_per_month: Count = Field(
        default=Decimal(0),
        description="Log files read from the archive a month (Athena queries, downloads).",
    )


class Kms(_Model):
    bucket_key_request_reduction: Share = Field(
        default=Decimal("0.99"),
        description="Share of KMS requests an S3 Bucket Key saves (AWS: up to 99%), 0-1.",
    )


InsightType = Literal["ApiCallRateInsight", "ApiErrorRateInsight"]


class WhatIf(_Model):
    """Overrides of the settings, to compare variants; each absent key keeps the settings."""

    lifecycle: Lifecycle | None = Field(default=None, description="Instead of bucket.lifecycle.")
    cloudwatch_logs: CloudWatchLogs | None = Field(
        default=None, description="Instead of trail.cloudwatch_logs."
    )
    insights: list[InsightType] | None = Field(
        default=None, description="Instead of trail.insights."
    )
    bucket_key: bool | None = Field(
        default=None, description="S3 Bucket Key on the archive (the package always sets it)."
    )


class Profile(_Model):
    """A workload profile for `cfct-build cost`."""

    accounts: int = Field(ge=1, le=100000, description="Accounts in the organization.")
    regions: int = Field(
        default=17,
        ge=1,
        le=60,
        description="Regions enabled in each account: the multi-Region trail delivers digest "
        "files for each.",
    )
    active_regions: int = Field(
        default=2, ge=1, le=60, description="Regions of each account with logged activity."
    )
    data_events: dict[DataEventType, DataEventVolume] = Field(
        description="Monthly data events per account by resource type (types absent: none)."
    )
    management_events: ManagementEventVolume = Field(default_factory=ManagementEventVolume)
    log_records: LogRecords = Field(default_factory=LogRecords)
    delivery: Delivery = Field(default_factory=Delivery)
    control_tower: ControlTowerDeliveries = Field(default_factory=ControlTowerDeliveries)
    investigations: Investigations = Field(default_factory=Investigations)
    kms: Kms = Field(default_factory=Kms)
    what_if: WhatIf = Field(default_factory=WhatIf)


PROFILE_REQUIRED = {
    "accounts": "the number of accounts in the organization",
    "data_events": "a mapping of data-event types to their monthly volume, e.g. "
    "AWS::S3::Object: {events_per_account: 1000000, read_share: 0.8}",
    "events_per_account": "the number of events one account makes in a month",
    "read_share": "the share of reads, a number from 0 to 1",
    **{k: v for k, v in config.REQUIRED_EXPECT.items() if k in ("days", "storage_class")},
}


def _cross_problems(profile: Profile, settings: Settings) -> list[tuple[Path_, str]]:
    """What the profile's what_if asks that the settings cannot do (as config validates it)."""
    problems: list[tuple[Path_, str]] = []
    me = settings.trail.management_events
    for i, insight in enumerate(profile.what_if.insights or []):
        if not me.enabled:
            problems.append(
                (
                    ("what_if", "insights", str(i)),
                    f"got {insight!r} with trail.management_events.enabled: false in the "
                    "settings; expected management events on (Insights analyses them)",
                )
            )
        elif insight == "ApiCallRateInsight" and me.read_write == "read_only":
            problems.append(
                (
                    ("what_if", "insights", str(i)),
                    "got 'ApiCallRateInsight' with trail.management_events.read_write: "
                    "read_only in the settings; expected write management events",
                )
            )
    lifecycle = profile.what_if.lifecycle
    retention = settings.bucket.object_lock.retention_days
    if lifecycle is not None and lifecycle.expiration_days < retention:
        problems.append(
            (
                ("what_if", "lifecycle", "expiration_days"),
                f"got {lifecycle.expiration_days}; expected at least the Object Lock retention "
                f"of the settings (bucket.object_lock.retention_days: {retention})",
            )
        )
    return problems


# --------------------------------------------------------------------------- prices


class Price(_Model):
    usd: Number = Field(ge=0)
    per: str


class Sourced(_Model):
    source: str
    note: str


class SourcedPrice(Price, Sourced):
    pass


class StorageClassPrices(Sourced):
    storage: Price
    transition: Price | None = None
    min_billable_object_kb: Count = Decimal(0)
    overhead_kb_in_class: Count = Decimal(0)
    overhead_kb_in_standard: Count = Decimal(0)
    min_storage_days: Count = Decimal(0)


class CloudTrailPrices(_Model):
    data_events: SourcedPrice
    management_events_additional_copy: SourcedPrice
    insights_events_analysed: SourcedPrice


class S3Prices(_Model):
    put_requests: SourcedPrice
    get_requests: SourcedPrice
    inter_region_transfer: SourcedPrice
    storage_classes: dict[Literal["STANDARD"] | StorageClass, StorageClassPrices]


class RotationCap(Sourced):
    count: int = Field(ge=0)


class KmsPrices(_Model):
    key_month: SourcedPrice
    rotated_key_material_month: SourcedPrice
    max_billed_rotations: RotationCap
    requests: SourcedPrice


class CloudWatchLogsPrices(_Model):
    ingestion: SourcedPrice
    storage: SourcedPrice


class Prices(_Model):
    """The price list (data/prices.yaml): us-east-1 list prices with their sources."""

    region: str
    currency: Literal["USD"]
    read_on: str = Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
    sources: list[str]
    cloudtrail: CloudTrailPrices
    s3: S3Prices
    kms: KmsPrices
    cloudwatch_logs: CloudWatchLogsPrices

    def storage_class(self, name: str) -> StorageClassPrices:
        """The prices and billing rules of a storage class (STANDARD or a lifecycle class)."""
        return self.s3.storage_classes[name]  # type: ignore[index]


# --------------------------------------------------------------------------- loading


def parse_profile(
    text: str, file: str = "workload-profile.yaml", settings: Settings | None = None
) -> Profile:
    """Parse and validate a profile; with `settings`, also what its what_if asks of them."""
    data, index = _read(text, file, "a workload profile")
    profile = _validate(Profile, data, index, file, PROFILE_REQUIRED)
    if settings is not None:
        problems = _cross_problems(profile, settings)
        if problems:
            raise SettingsError(
                config._sorted(
                    [config._problem(file, p, msg, index.mark(p)) for p, msg in problems]
                )
            )
    return profile


def load_profile(path: str | Path, settings: Settings | None = None) -> Profile:
    return parse_profile(config._read_text(Path(path), "workload profile"), str(path), settings)


def parse_prices(text: str, file: str = PRICES_FILE) -> Prices:
    data, index = _read(text, file, "a price list")
    return _validate(Prices, data, index, file, {})


def load_prices() -> Prices:
    """The price list shipped with cfct-build."""
    text = resources.files("cfct_build").joinpath("data", PRICES_FILE).read_text("utf-8")
    return parse_prices(text, f"cfct_build/data/{PRICES_FILE}")


def _read(text: str, file: str, what: str) -> tuple[dict[str, Any], config._Index]:
    """YAML text -> (data, index of where each key path is), as config reads settings."""
    return config._read_mapping(text, file, what, f"{what} (YAML)")


M = TypeVar("M", bound=BaseModel)


def _validate(
    model: type[M], data: dict[str, Any], index: config._Index, file: str, required: dict[str, str]
) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise SettingsError(_problems(exc, model, data, index, file, required)) from None


def _problems(
    exc: ValidationError,
    model: type[BaseModel],
    data: Any,
    index: config._Index,
    file: str,
    required: dict[str, str],
) -> list[Problem]:
    problems: list[Problem] = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = tuple(str(p) for p in err["loc"])
        kind = err["type"]
        ctx_err = (err.get("ctx") or {}).get("error")
        if isinstance(ctx_err, config._Located):  # a reused settings model's own checks
            for sub, msg in ctx_err.problems:
                path = (*loc, *(sub.split(".") if isinstance(sub, str) else sub))
                problems.append(config._problem(file, path, msg, index.mark(path)))
            continue
        if loc and loc[-1] == "[key]":  # a mapping key that is not allowed
            path = loc[:-1]
            problems.append(
                config._problem(
                    file,
                    path,
                    _message(err, path, data, index, model, required, is_key=True),
                    index.mark(path, key=True),
                )
            )
            continue
        message = _message(err, loc, data, index, model, required)
        if kind == "missing":
            mark = index.mark(loc[:-1], key=True)
        else:
            mark = index.mark(loc, key=kind == "extra_forbidden")
        problems.append(config._problem(file, loc, message, mark))
    return config._sorted(problems)


def _message(
    err: Any,
    loc: Path_,
    data: Any,
    index: config._Index,
    model: type[BaseModel],
    required: dict[str, str],
    is_key: bool = False,
) -> str:
    return config._message(
        err,
        loc,
        data,
        index,
        required=required,
        known_keys=lambda path: _fields_at(model, path),
        mapping="a mapping",
        is_key=is_key,
    )


def _fields_at(root: type[BaseModel], loc: Path_) -> list[str]:
    """The key names allowed at a key path (for 'unknown key' messages)."""
    model: type[BaseModel] | None = root
    skip = False  # the next part is a list index or a mapping key
    for part in loc:
        if skip:
            skip = False
            continue
        field = model.model_fields.get(part) if model is not None else None
        if field is None:
            return []
        annotation = field.annotation
        skip = get_origin(annotation) in (list, dict)
        model = next(
            (
                a
                for a in (get_args(annotation) or (annotation,))
                if isinstance(a, type) and issubclass(a, BaseModel)
            ),
            None,
        )
    return list(model.model_fields) if model is not None else []


# --------------------------------------------------------------------------- reference


_SETTINGS_TWIN: dict[type, str] = {
    Lifecycle: "mapping, as `bucket.lifecycle`",
    CloudWatchLogs: "mapping, as `trail.cloudwatch_logs`",
}


def profile_reference() -> str:
    """The profile's keys as a Markdown table (README.md, "Cost"; `python -m cfct_build.docs`)."""
    rows = ["| key | type | default | meaning |", "| --- | --- | --- | --- |"]

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, f in model.model_fields.items():
            path, annotation = f"{prefix}{name}", f.annotation
            args = [a for a in get_args(annotation) if a is not type(None)]
            inner = args[0] if get_origin(annotation) is not dict and len(args) == 1 else None
            if f.is_required():
                default = "required"
            elif f.default is None:
                default = "the settings'"
            elif f.default_factory is not None:
                default = ""
            else:
                default = f"`{f.default}`"
            desc = (f.description or "").replace("|", "\\|")
            sub = annotation if isinstance(annotation, type) else inner
            if get_origin(annotation) is dict:
                rows.append(
                    f"| `{path}` | map of data-event type to mapping | {default} | {desc} |"
                )
                walk(args[-1], f"{path}.<type>.")
            elif isinstance(sub, type) and sub in _SETTINGS_TWIN:
                rows.append(f"| `{path}` | {_SETTINGS_TWIN[sub]} | {default} | {desc} |")
            elif isinstance(sub, type) and issubclass(sub, BaseModel):
                rows.append(f"| `{path}` | mapping | {default} | {desc} |")
                walk(sub, f"{path}.")
            else:
                kind = {int: "integer", Decimal: "number", bool: "bool"}.get(
                    sub if isinstance(sub, type) else type(None), "list, as `trail.insights`"
                )
                rows.append(f"| `{path}` | {kind} | {default} | {desc} |")

    walk(Profile, "")
    return "\n".join(rows) + "\n"

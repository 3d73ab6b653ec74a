"""`cfct-build cost`: the monthly cost of the configured logging, beside a naive trail's.

`estimate(settings, profile, prices)` is a pure function: from the settings (what the trail
records and how the archive keeps it), a workload profile (how many events, accounts, Regions)
and the price list it returns a `Comparison` of two `Estimate`s, each a list of `Line`s
(quantity x unit price, rounded to the cent; the total is the sum of the rounded lines):
- **configured**: the trail and buckets this package deploys from the settings;
- **naive**: the same workload under the selectors trails usually start with: every S3 data
  event read and write, no self-exclusion of the log buckets, management events on (a second
  copy: Control Tower's trail holds the free one), no S3 Bucket Key.

The model, line by line (H = 730 hours a month, a month = 365/12 days, GB = 2^30 bytes):
- CloudTrail data events = sum over the selected types of accounts x events_per_account x the
  selector's share (all: 1, read_only: read_share, write_only: 1 - read_share).
- The self-logging loop (naive only): every object delivered into a log bucket is a PutObject,
  itself an S3 data event the trail records and delivers in its next log file. Per month: each
  log file and digest file, each S3 server access log object delivered for the archive, each
  replication (a read on the source and a write on the replica), each investigation read of a
  log file; plus what Control Tower and AWS Config deliver into Control Tower's buckets (also
  logged when `trail.exclude_control_tower_buckets` is false). The loop never settles: the log
  archive's own stream always holds a fresh delivery to record.
- Management events (second copy) = accounts x events_per_account x read/write share (x
  (1 - kms_share) with exclude_kms); Insights analyse write events for ApiCallRateInsight and
  all logged management events for ApiErrorRateInsight.
- Log files = min(accounts x active_regions x log_files_per_region_hour x H, events): about one
  file every 5 minutes per account and Region, fewer when there are fewer events. Digest files
  = accounts x regions x digest_files_per_region_hour x H.
- Bytes = events x average_event_bytes; stored = bytes / compression_ratio.
- Storage is the steady state: an object delivered every month stays `days` in each storage
  class, so each class holds `objects a month x days / (365/12)` objects. Before that (`month`
  m, counted from the trail's first delivery) a class entered at age `start` holds the
  deliveries of ages [start, start + days) that exist yet: averaged over month m, `objects a
  month x held / (365/12)` with `held = (F(m x 365/12) - F((m - 1) x 365/12)) / (365/12)` and
  F(t) the integral of clamp(t - start, 0, days) (0 before `start`, (t - start)^2 / 2 while
  filling, days^2 / 2 + days x (t - start - days) after): storage grows linearly until the
  first objects leave. Transitions and minimum-duration fees of month m count the deliveries
  that reach that age during the month; rotated key materials are those of the month's
  middle; the CloudWatch Logs copy fills like a class of `retention_days`. Events, requests
  and transfer are the same every month. The steady state is reached in the month after the
  longest lifetime (log files, access logs, CloudWatch Logs). Objects live
  `expiration_days + noncurrent_expiration_days`: on a versioned bucket the expiry makes the
  object noncurrent and the noncurrent expiry deletes it. Objects smaller than 128 KB
  transition as the bucket's `TransitionDefaultMinimumObjectSize` says (read from the template
  the package deploys): into no class with all_storage_classes_128K, into GLACIER and
  DEEP_ARCHIVE only with varies_by_storage_class; classes bill their minimum object size and
  per-object overhead; leaving a class before its minimum storage duration bills the rest.
  When a transition goes to GLACIER or DEEP_ARCHIVE and the other
  `transition_default_minimum_object_size` would change the configured total, a note gives
  that total: the transition fee per object against the storage saved.
- KMS requests: one per log file written (CloudTrail's SSE-KMS), per log file read, and two per
  replicated log file, times (1 - bucket_key_request_reduction) with an S3 Bucket Key. Digest
  files are taken to be SSE-S3 (no KMS request). Keys: the key and the replica key, each with
  at most `max_billed_rotations` rotated key materials once the archive is in its steady state.
- In the loop, a replication counts as one read (GetObjectVersionForReplication on the
  archive) and one write (ReplicateObject on the replica).
- CloudWatch Logs: ingestion of the uncompressed bytes; storage of the compressed bytes for
  the log group's retention.
"""

from __future__ import annotations

import json
import math
import textwrap
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from cfct_build.components.bucket import ACCESS_LOG_NONCURRENT_DAYS, lifecycle_configuration
from cfct_build.config import (
    ARCHIVE_CLASSES,
    SMALL_OBJECT_BYTES,
    STORAGE_CLASS_ORDER,
    DataEventType,
    Lifecycle,
    ReadWrite,
    Settings,
)
from cfct_build.workload import Prices, Profile

HOURS_PER_MONTH = Decimal(730)
DAYS_PER_MONTH = Decimal(365) / Decimal(12)
GB = Decimal(2**30)
KB = Decimal(1024)
CENT = Decimal("0.01")
WIDTH = 96  # text output
S3_OBJECT: DataEventType = "AWS::S3::Object"
STANDARD = "STANDARD"
MINIMUM_OBJECT_SIZES = ("all_storage_classes_128K", "varies_by_storage_class")
OVER_TIME = (1, 12)  # months shown before the steady state

NAIVE_TEXT = (
    "naive: all S3 data events read and write, no self-exclusion of the log buckets (the "
    "trail logs its own deliveries), management events on (a second copy), no S3 Bucket Key"
)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Line:
    """One line item: quantity x unit price (per `per` units), rounded to the cent."""

    id: str
    label: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    per: Decimal = Decimal(1)

    @property
    def usd(self) -> Decimal:
        return (self.quantity * self.unit_price / self.per).quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class Estimate:
    name: str
    lines: tuple[Line, ...]
    log_file_bytes: Decimal  # average compressed log file
    periods: tuple[tuple[str, int], ...]  # storage classes and days a log file spends in each

    @property
    def total(self) -> Decimal:
        return sum((line.usd for line in self.lines), Decimal(0))

    def line(self, id: str) -> Line | None:
        return next((line for line in self.lines if line.id == id), None)


@dataclass(frozen=True)
class Month:
    """The monthly totals in one month of the archive's life (`steady`: every month from it)."""

    month: int
    configured: Decimal
    naive: Decimal
    steady: bool = False


@dataclass(frozen=True)
class Comparison:
    configured: Estimate
    naive: Estimate
    prices: Prices
    notes: tuple[str, ...] = field(default=())
    over_time: tuple[Month, ...] = field(default=())  # month 1, month 12, steady state

    @property
    def ratio(self) -> Decimal | None:
        if not self.configured.total:
            return None
        return (self.naive.total / self.configured.total).quantize(CENT, ROUND_HALF_UP)

    def rows(self) -> list[tuple[str, str, Decimal, Decimal]]:
        """(id, label, configured USD, naive USD) of each line item either estimate has."""
        ids = [
            line.id
            for est in (self.configured, self.naive)
            for line in est.lines
            if line.quantity or line.usd
        ]
        out = []
        for id_ in sorted(set(ids), key=lambda i: (_ORDER.index(i.split(":")[0]), ids.index(i))):
            ours, naive = self.configured.line(id_), self.naive.line(id_)
            label = (ours or naive).label  # type: ignore[union-attr]
            out.append(
                (
                    id_,
                    label,
                    ours.usd if ours else Decimal(0),
                    naive.usd if naive else Decimal(0),
                )
            )
        return out


_ORDER = [
    "cloudtrail.data_events.workload",
    "cloudtrail.data_events.log_buckets",
    "cloudtrail.management_events",
    "cloudtrail.insights",
    "s3.put_requests",
    "s3.get_requests",
    "s3.storage",
    "s3.transitions",
    "s3.minimum_duration",
    "s3.replication_transfer",
    "kms.requests",
    "kms.keys",
    "cloudwatch_logs.ingestion",
    "cloudwatch_logs.storage",
]


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class Selection:
    """What a trail records and how its bucket encrypts: the part that differs."""

    data: Mapping[DataEventType, ReadWrite]
    management: ReadWrite | None  # None: no management events
    exclude_kms: bool
    self_exclusion: bool  # the archive, access-log and replica buckets are left out
    exclude_control_tower: bool
    bucket_key: bool


@dataclass(frozen=True)
class Common:
    """What both estimates share: the buckets, retention, CloudWatch Logs, Insights, keys."""

    lifecycle: Lifecycle
    minimum_object_size: str
    access_log_days: int
    replica_region: str | None
    cloudwatch_days: int | None  # None: CloudWatch Logs off
    insights: tuple[str, ...]
    rotation_days: int


def configured_selection(s: Settings, p: Profile) -> Selection:
    me = s.trail.management_events
    return Selection(
        data={d.type: d.read_write for d in s.trail.data_events},
        management=me.read_write if me.enabled else None,
        exclude_kms=me.exclude_kms,
        self_exclusion=True,
        exclude_control_tower=s.trail.exclude_control_tower_buckets,
        bucket_key=True if p.what_if.bucket_key is None else p.what_if.bucket_key,
    )


def naive_selection(s: Settings) -> Selection:
    return Selection(
        data={S3_OBJECT: "all", **{d.type: "all" for d in s.trail.data_events}},
        management="all",
        exclude_kms=False,
        self_exclusion=False,
        exclude_control_tower=False,
        bucket_key=False,
    )


def common(s: Settings, p: Profile) -> Common:
    w = p.what_if
    cw = w.cloudwatch_logs or s.trail.cloudwatch_logs
    lifecycle = w.lifecycle or s.bucket.lifecycle
    return Common(
        lifecycle=lifecycle,
        # what the bucket does: the value its template sets
        minimum_object_size=lifecycle_configuration(lifecycle).to_dict()[
            "TransitionDefaultMinimumObjectSize"
        ],
        access_log_days=s.bucket.access_logs.expiration_days + ACCESS_LOG_NONCURRENT_DAYS,
        replica_region=s.bucket.replica_region,
        cloudwatch_days=cw.retention_days if cw.enabled else None,
        insights=tuple(s.trail.insights if w.insights is None else w.insights),
        rotation_days=s.key.rotation_period_days,
    )


# --------------------------------------------------------------------------- the model


def _kept(read_write: ReadWrite | None) -> tuple[Decimal, Decimal]:
    """(1 if reads are kept else 0, 1 if writes are kept else 0) under a read/write selector."""
    return (
        Decimal(read_write in ("all", "read_only")),
        Decimal(read_write in ("all", "write_only")),
    )


def _share(read_write: ReadWrite | None, read_share: Decimal) -> tuple[Decimal, Decimal]:
    """(share of all events that are kept reads, share that are kept writes)."""
    reads, writes = _kept(read_write)
    return read_share * reads, (1 - read_share) * writes


def periods(lifecycle: Lifecycle, size: Decimal, minimum: str) -> list[tuple[str, int]]:
    """The storage classes an object of `size` bytes passes through and the days in each."""
    lifetime = lifecycle.expiration_days + lifecycle.noncurrent_expiration_days
    out: list[tuple[str, int]] = []
    current, since = STANDARD, 0
    for t in lifecycle.transitions:
        if size < SMALL_OBJECT_BYTES and not (
            minimum == "varies_by_storage_class" and t.storage_class in ARCHIVE_CLASSES
        ):
            continue  # S3 does not transition objects smaller than 128 KB into this class
        out.append((current, t.days - since))
        current, since = t.storage_class, t.days
    out.append((current, lifetime - since))
    return out


@dataclass(frozen=True)
class Volumes:
    """A month of one estimate, in events, objects and bytes."""

    workload_events: Decimal  # data events of the workload the selectors keep
    log_bucket_events: Decimal  # data events on the log buckets (the loop, CT's buckets)
    management_reads: Decimal
    management_writes: Decimal
    log_files: Decimal
    digest_files: Decimal
    access_log_objects: Decimal
    access_log_bytes: Decimal  # the average access-log object
    replicated_objects: Decimal
    log_file_reads: Decimal
    raw_bytes: Decimal  # uncompressed records of every event logged
    stored_bytes: Decimal  # compressed

    @property
    def log_file_bytes(self) -> Decimal:
        return self.stored_bytes / self.log_files if self.log_files else Decimal(0)


def volumes(sel: Selection, com: Common, p: Profile) -> Volumes:
    h = HOURS_PER_MONTH
    accounts = Decimal(p.accounts)
    streams = accounts * p.active_regions  # (account, Region) pairs with activity
    all_streams = accounts * p.regions

    workload = Decimal(0)
    for type_, rw in sel.data.items():
        volume = p.data_events.get(type_)
        if volume is not None:
            workload += accounts * volume.events_per_account * sum(_share(rw, volume.read_share))

    me = p.management_events
    kept = 1 - me.kms_share if sel.exclude_kms else Decimal(1)
    mgmt = accounts * me.events_per_account * kept
    mgmt_reads, mgmt_writes = (mgmt * x for x in _share(sel.management, me.read_share))

    d, ct = p.delivery, p.control_tower
    logs_reads, logs_writes = _kept(sel.data.get(S3_OBJECT))  # S3 events on log buckets
    ct_deliveries = (
        streams * ct.log_files_per_region_hour * h
        + all_streams * ct.digest_files_per_region_hour * h
        + streams * ct.config_files_per_region_day * DAYS_PER_MONTH
        + ct.access_log_objects_per_hour * h
    )
    ct_logged = Decimal(0) if sel.exclude_control_tower else ct_deliveries * logs_writes

    log_files = min(
        streams * d.log_files_per_region_hour * h, workload + mgmt_reads + mgmt_writes + ct_logged
    )
    digests = all_streams * d.digest_files_per_region_hour * h
    access_objects = d.access_log_objects_per_hour * h
    reads = p.investigations.log_files_read_per_month
    replicated = log_files + digests if com.replica_region else Decimal(0)
    loop = Decimal(0)
    if not sel.self_exclusion:
        # each delivery is a PutObject the trail records; replication reads the source
        # (GetObjectVersionForReplication) and writes the replica (ReplicateObject)
        writes = log_files + digests + access_objects + replicated
        loop = writes * logs_writes + (reads + replicated) * logs_reads
    events = workload + loop + ct_logged + mgmt_reads + mgmt_writes
    raw = events * p.log_records.average_event_bytes
    access_records = log_files + digests + reads + replicated  # requests on the archive
    return Volumes(
        workload_events=workload,
        log_bucket_events=loop + ct_logged,
        management_reads=mgmt_reads,
        management_writes=mgmt_writes,
        log_files=log_files,
        digest_files=digests,
        access_log_objects=access_objects,
        access_log_bytes=(
            access_records * d.access_log_record_bytes / access_objects
            if access_objects
            else Decimal(0)
        ),
        replicated_objects=replicated,
        log_file_reads=reads,
        raw_bytes=raw,
        stored_bytes=raw / p.log_records.compression_ratio,
    )


@dataclass
class _Tally:
    """S3 quantities summed over the buckets, by storage class."""

    prices: Prices
    gb_months: dict[str, Decimal] = field(default_factory=dict)
    transitions: dict[str, Decimal] = field(default_factory=dict)
    early_gb_months: dict[str, Decimal] = field(default_factory=dict)

    def add(
        self,
        objects: Decimal,
        size: Decimal,
        stays: Iterable[tuple[str, int]],
        month: int | None = None,
    ) -> None:
        """`objects` of `size` bytes delivered a month, staying `days` in each class; in the
        steady state, or in `month` of the archive's life."""
        start = 0
        for i, (cls, days) in enumerate(stays):
            rules = self.prices.storage_class(cls)
            stored = objects * held(start, days, month) / DAYS_PER_MONTH
            billable = max(size, rules.min_billable_object_kb * KB)
            billable += rules.overhead_kb_in_class * KB
            _add(self.gb_months, cls, stored * billable / GB)
            if rules.overhead_kb_in_standard:
                _add(self.gb_months, STANDARD, stored * rules.overhead_kb_in_standard * KB / GB)
            if i:
                _add(self.transitions, cls, objects * reached(start, month))
            if days < rules.min_storage_days:
                missing = (rules.min_storage_days - days) / DAYS_PER_MONTH
                leaving = objects * reached(start + days, month)
                _add(self.early_gb_months, cls, leaving * missing * billable / GB)
            start += days


def held(start: int, days: int, month: int | None) -> Decimal:
    """Days of deliveries a class entered at age `start` for `days` holds, averaged over
    `month` (1 = the first month of deliveries); `days` in the steady state (None)."""
    if month is None:
        return Decimal(days)

    def integral(t: Decimal) -> Decimal:  # of clamp(u - start, 0, days) du from 0 to t
        if t <= start:
            return Decimal(0)
        if t <= start + days:
            return (t - start) ** 2 / 2
        return Decimal(days) ** 2 / 2 + days * (t - start - days)

    d = DAYS_PER_MONTH
    return (integral(month * d) - integral((month - 1) * d)) / d


def reached(age: int, month: int | None) -> Decimal:
    """The share of a month's deliveries that reach `age` days during `month` (1: steady)."""
    if month is None:
        return Decimal(1)
    d = DAYS_PER_MONTH
    return (max(Decimal(0), month * d - age) - max(Decimal(0), (month - 1) * d - age)) / d


def steady_month(com: Common) -> int:
    """The first month whose storage is the steady state: after the longest lifetime."""
    lc = com.lifecycle
    longest = max(
        lc.expiration_days + lc.noncurrent_expiration_days,
        com.access_log_days,
        com.cloudwatch_days or 0,
    )
    return math.ceil(Decimal(longest) / DAYS_PER_MONTH) + 1


def _add(into: dict[str, Decimal], key: str, value: Decimal) -> None:
    into[key] = into.get(key, Decimal(0)) + value


def _classes(values: Mapping[str, Decimal]) -> list[str]:
    return [c for c in (STANDARD, *STORAGE_CLASS_ORDER) if c in values]


def _estimate(
    name: str,
    sel: Selection,
    com: Common,
    p: Profile,
    prices: Prices,
    month: int | None = None,
) -> Estimate:
    """The monthly line items in the steady state, or in `month` of the archive's life."""
    v = volumes(sel, com, p)
    ct, s3, kms, cw = prices.cloudtrail, prices.s3, prices.kms, prices.cloudwatch_logs
    hundred_k, thousand = Decimal(100000), Decimal(1000)
    analysed = Decimal(0)
    if "ApiCallRateInsight" in com.insights:
        analysed += v.management_writes
    if "ApiErrorRateInsight" in com.insights:
        analysed += v.management_reads + v.management_writes
    lines = [
        Line(
            "cloudtrail.data_events.workload",
            "CloudTrail data events: workload",
            v.workload_events,
            "events",
            ct.data_events.usd,
            hundred_k,
        ),
        Line(
            "cloudtrail.data_events.log_buckets",
            "CloudTrail data events: log buckets (loop)",
            v.log_bucket_events,
            "events",
            ct.data_events.usd,
            hundred_k,
        ),
        Line(
            "cloudtrail.management_events",
            "CloudTrail management events (2nd copy)",
            v.management_reads + v.management_writes,
            "events",
            ct.management_events_additional_copy.usd,
            hundred_k,
        ),
        Line(
            "cloudtrail.insights",
            "CloudTrail Insights (events analysed)",
            analysed,
            "events",
            ct.insights_events_analysed.usd,
            hundred_k,
        ),
        Line(
            "s3.put_requests",
            "S3 PUT requests (deliveries, replication)",
            v.log_files + v.digest_files + v.replicated_objects + v.access_log_objects,
            "requests",
            s3.put_requests.usd,
            thousand,
        ),
        Line(
            "s3.get_requests",
            "S3 GET requests (investigations)",
            v.log_file_reads,
            "requests",
            s3.get_requests.usd,
            thousand,
        ),
    ]

    tally = _Tally(prices)
    stays = periods(com.lifecycle, v.log_file_bytes, com.minimum_object_size)
    digest_stays = periods(com.lifecycle, Decimal(0), com.minimum_object_size)
    for _ in range(2 if com.replica_region else 1):  # the archive, and its replica
        tally.add(v.log_files, v.log_file_bytes, stays, month)
        tally.add(v.digest_files, Decimal(0), digest_stays, month)
    tally.add(v.access_log_objects, v.access_log_bytes, [(STANDARD, com.access_log_days)], month)
    for cls in _classes(tally.gb_months):
        lines.append(
            Line(
                f"s3.storage:{cls}",
                f"S3 storage: {cls}",
                tally.gb_months[cls],
                "GB-months",
                prices.storage_class(cls).storage.usd,
            )
        )
    for cls in _classes(tally.transitions):
        transition = prices.storage_class(cls).transition
        assert transition is not None, f"the price list has no transition price for {cls}"
        lines.append(
            Line(
                f"s3.transitions:{cls}",
                f"S3 lifecycle transitions into {cls}",
                tally.transitions[cls],
                "requests",
                transition.usd,
                thousand,
            )
        )
    for cls in _classes(tally.early_gb_months):
        lines.append(
            Line(
                f"s3.minimum_duration:{cls}",
                f"S3 minimum storage duration: {cls}",
                tally.early_gb_months[cls],
                "GB-months",
                prices.storage_class(cls).storage.usd,
            )
        )
    if com.replica_region:
        lines.append(
            Line(
                "s3.replication_transfer",
                f"S3 replication transfer to {com.replica_region}",
                v.stored_bytes / GB,
                "GB",
                s3.inter_region_transfer.usd,
            )
        )

    requests = v.log_files + v.log_file_reads + (2 * v.log_files if com.replica_region else 0)
    if sel.bucket_key:
        requests *= 1 - p.kms.bucket_key_request_reduction
    lifetime = com.lifecycle.expiration_days + com.lifecycle.noncurrent_expiration_days
    rotations = min(kms.max_billed_rotations.count, lifetime // com.rotation_days)
    if month is not None:  # the rotated key materials at the month's middle
        rotations = min(
            rotations, int((month - Decimal("0.5")) * DAYS_PER_MONTH) // com.rotation_days
        )
    keys = 2 if com.replica_region else 1
    lines += [
        Line(
            "kms.requests",
            "KMS requests",
            requests,
            "requests",
            kms.requests.usd,
            Decimal(10000),
        ),
        Line(
            "kms.keys",
            f"KMS keys ({keys}, {rotations} rotations billed each)",
            Decimal(keys * (1 + rotations)),
            "key-months",
            kms.key_month.usd,
        ),
    ]
    if com.cloudwatch_days is not None:
        lines += [
            Line(
                "cloudwatch_logs.ingestion",
                "CloudWatch Logs ingestion",
                v.raw_bytes / GB,
                "GB",
                cw.ingestion.usd,
            ),
            Line(
                "cloudwatch_logs.storage",
                f"CloudWatch Logs storage ({com.cloudwatch_days} days)",
                v.stored_bytes / GB * held(0, com.cloudwatch_days, month) / DAYS_PER_MONTH,
                "GB-months",
                cw.storage.usd,
            ),
        ]
    return Estimate(name, tuple(lines), v.log_file_bytes, tuple(stays))


def estimate(settings: Settings, profile: Profile, prices: Prices) -> Comparison:
    """The configured and the naive estimate of the same workload, with notes."""
    com = common(settings, profile)
    selection = configured_selection(settings, profile)
    ours = _estimate("configured", selection, com, profile, prices)
    naive = _estimate("naive", naive_selection(settings), com, profile, prices)
    other: Estimate | None = None  # the configured estimate under the other minimum size
    if any(t.storage_class in ARCHIVE_CLASSES for t in com.lifecycle.transitions):
        (minimum,) = (m for m in MINIMUM_OBJECT_SIZES if m != com.minimum_object_size)
        alternative = Common(**{**vars(com), "minimum_object_size": minimum})
        other = _estimate(minimum, selection, alternative, profile, prices)
    notes = _notes(settings, profile, com, ours, naive, other)
    naive_selected = naive_selection(settings)
    over_time = [
        Month(
            m,
            _estimate("configured", selection, com, profile, prices, m).total,
            _estimate("naive", naive_selected, com, profile, prices, m).total,
        )
        for m in OVER_TIME
    ]
    over_time.append(Month(steady_month(com), ours.total, naive.total, steady=True))
    return Comparison(ours, naive, prices, tuple(notes), tuple(over_time))


def _notes(
    s: Settings,
    p: Profile,
    com: Common,
    ours: Estimate,
    naive: Estimate,
    other: Estimate | None,
) -> list[str]:
    lc = com.lifecycle
    lifetime = lc.expiration_days + lc.noncurrent_expiration_days
    kept = f"access logs {com.access_log_days:,}"
    if com.cloudwatch_days is not None:
        kept += f", the CloudWatch Logs copy {com.cloudwatch_days:,}"
    notes = [
        f"The line items are the steady state, reached in month {steady_month(com)}: a log "
        f"file expires (becomes noncurrent) after {lc.expiration_days:,} days and S3 deletes it "
        f"{lc.noncurrent_expiration_days:,} days later ({lifetime:,} days; {kept}). Until then "
        "storage grows with every month's deliveries (over time, above)."
    ]
    setting = "transition_default_minimum_object_size"
    if lc.transitions:
        for est in (ours, naive):
            classes = [cls for cls, _ in est.periods]
            skipped = [t.storage_class for t in lc.transitions if t.storage_class not in classes]
            if skipped:
                kb = (est.log_file_bytes / KB).quantize(Decimal("0.1"), ROUND_HALF_UP)
                stay = (
                    f"they stay in {classes[0]}"
                    if len(classes) == 1
                    else f"they go through {', then '.join(classes)}"
                )
                notes.append(
                    f"{est.name.capitalize()}: log files average {kb} KB; under 128 KB, they do "
                    f"not transition into {', '.join(skipped)} ({setting} is "
                    f"{com.minimum_object_size}); {stay}."
                )
    if other is not None and other.total != ours.total:
        archive = [t.storage_class for t in lc.transitions if t.storage_class in ARCHIVE_CLASSES]
        fees = [
            sum((x.usd for x in e.lines if x.id.startswith("s3.transitions:")), Decimal(0))
            for e in (other, ours)
        ]
        change = (
            f"would also move to {', '.join(archive)}, each for a transition request and 40 KB "
            "of billed metadata"
            if other.name == "varies_by_storage_class"
            else f"would stay in STANDARD instead of moving to {', '.join(archive)}"
        )
        notes.append(
            f"With bucket.lifecycle.{setting}: {other.name}, log and digest files under 128 KB "
            f"{change}: the configured estimate would be {_usd(other.total)} a month instead "
            f"of {_usd(ours.total)} (transition requests: {_usd(fees[0])} instead of "
            f"{_usd(fees[1])})."
        )
    for d in s.trail.data_events:
        if d.type not in p.data_events:
            notes.append(
                f"trail.data_events selects {d.type}, for which the profile gives no "
                "volume: counted as 0 events."
            )
    w = p.what_if
    if w.lifecycle is not None:
        notes.append("what_if.lifecycle replaces the settings' bucket.lifecycle.")
    if w.cloudwatch_logs is not None:
        notes.append("what_if.cloudwatch_logs replaces the settings' trail.cloudwatch_logs.")
    if w.insights is not None:
        notes.append("what_if.insights replaces the settings' trail.insights.")
    if w.bucket_key is not None:
        notes.append(f"what_if.bucket_key: {str(w.bucket_key).lower()} (the package sets one).")
    return notes


# --------------------------------------------------------------------------- output


def _usd(value: Decimal) -> str:
    return f"{value:,.2f}"


def render_text(c: Comparison, settings_file: str, profile_file: str) -> str:
    pr = c.prices
    width = 46
    out = [
        *_wrap(
            f"Monthly cost estimate for {settings_file} with the workload of {profile_file}, in "
            f"{pr.currency} at {pr.region} list prices read on {pr.read_on} (no free tier, "
            "discount or tax): an estimate, not a quote."
        ),
        "",
        f"{'line item':<{width}}{'configured':>14}{'naive':>14}",
    ]
    for _, label, ours, naive in c.rows():
        out.append(f"{label:<{width}}{_usd(ours):>14}{_usd(naive):>14}")
    total = "total per month"
    out.append(f"{total:<{width}}{_usd(c.configured.total):>14}{_usd(c.naive.total):>14}")
    out.append("")
    if c.ratio is None:
        out.append("naive / configured: n/a (the configured estimate is 0.00)")
    else:
        more = _usd(c.naive.total - c.configured.total)
        out.append(f"naive / configured: {c.ratio} (the naive trail costs {more} more a month)")
    out += _wrap(NAIVE_TEXT + ".")
    if c.over_time:
        out += [
            "",
            *_wrap(
                "over time: the total per month as the archive fills (storage grows with each "
                "month's deliveries until they expire; events and requests are the same every "
                "month)"
            ),
        ]
        for m in c.over_time:
            label = (
                f"month {m.month} on (steady state: the line items)"
                if m.steady
                else (f"month {m.month}")
            )
            out.append(f"{label:<{width}}{_usd(m.configured):>14}{_usd(m.naive):>14}")
    if c.notes:
        out += ["", "notes:"]
        for note in c.notes:
            out += _wrap(note, "- ", "  ")
    return "\n".join(out) + "\n"


def _wrap(text: str, first: str = "", rest: str = "") -> list[str]:
    return textwrap.wrap(
        text, WIDTH, initial_indent=first, subsequent_indent=rest, break_on_hyphens=False
    )


def _number(value: Decimal, places: str = "0.01") -> float | int:
    q = value.quantize(Decimal(places), ROUND_HALF_UP)
    return int(q) if q == q.to_integral_value() else float(q)


def to_dict(c: Comparison, settings_file: str, profile_file: str) -> dict[str, object]:
    def est(e: Estimate) -> dict[str, object]:
        return {
            "lines": [
                {
                    "id": line.id,
                    "label": line.label,
                    "quantity": _number(line.quantity),
                    "unit": line.unit,
                    "unit_price_usd": float(line.unit_price),
                    "per": int(line.per),
                    "usd": float(line.usd),
                }
                for line in e.lines
                if line.usd or line.quantity
            ],
            "log_file_kb": _number(e.log_file_bytes / KB, "0.1"),
            "storage_classes": [{"class": cls, "days": days} for cls, days in e.periods],
            "total_usd": float(e.total),
        }

    pr = c.prices
    return {
        "settings": settings_file,
        "profile": profile_file,
        "prices": {"region": pr.region, "currency": pr.currency, "read_on": pr.read_on},
        "configured": est(c.configured),
        "naive": est(c.naive),
        "naive_over_configured": None if c.ratio is None else float(c.ratio),
        "naive_means": NAIVE_TEXT.removeprefix("naive: "),
        "over_time": [
            {
                "month": m.month,
                "steady_state": m.steady,
                "configured_usd": float(m.configured),
                "naive_usd": float(m.naive),
            }
            for m in c.over_time
        ],
        "notes": list(c.notes),
    }


def render(c: Comparison, fmt: str, settings_file: str, profile_file: str) -> str:
    if fmt == "json":
        return json.dumps(to_dict(c, settings_file, profile_file), indent=2) + "\n"
    return render_text(c, settings_file, profile_file)

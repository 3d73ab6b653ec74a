"""`cfct-build cost`: the estimator's formula, line by line, and the command's exact output.

The reference estimate (the example settings with examples/workload-profile.yaml) is computed
here by hand from the price list's values, so this file documents the formula, not a snapshot:
a price changed in data/prices.yaml changes both sides, a formula changed in cost.py does not.
The README's figures are pinned separately (`test_reference_figures_of_the_readme`).
"""

from __future__ import annotations

import io
import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from cfct_build import cost
from cfct_build.cli import main
from cfct_build.config import Settings, parse_settings
from cfct_build.cost import Comparison, Estimate, Line, Month, estimate, periods
from cfct_build.workload import Prices, Profile, load_prices, load_profile, parse_profile

REPO = Path(__file__).resolve().parent.parent
SETTINGS_FILE = REPO / "cfct-build.yaml"
PROFILE_FILE = REPO / "examples" / "workload-profile.yaml"

H = Decimal(730)  # hours a month
DPM = Decimal(365) / 12  # days a month
GB = Decimal(2**30)
KB = Decimal(1024)


def cents(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), ROUND_HALF_UP)


@pytest.fixture(scope="module")
def prices() -> Prices:
    return load_prices()


@pytest.fixture(scope="module")
def profile(settings: Settings) -> Profile:
    return load_profile(PROFILE_FILE, settings)


@pytest.fixture(scope="module")
def reference(settings: Settings, profile: Profile, prices: Prices) -> Comparison:
    return estimate(settings, profile, prices)


def usd(p: Prices) -> dict[str, Decimal]:
    """The unit prices the formula uses, per one unit (event, request, GB, key-month)."""
    return {
        "data": p.cloudtrail.data_events.usd / 100000,
        "mgmt": p.cloudtrail.management_events_additional_copy.usd / 100000,
        "insights": p.cloudtrail.insights_events_analysed.usd / 100000,
        "put": p.s3.put_requests.usd / 1000,
        "get": p.s3.get_requests.usd / 1000,
        "standard": p.storage_class("STANDARD").storage.usd,
        "transfer": p.s3.inter_region_transfer.usd,
        "kms": p.kms.requests.usd / 10000,
        "key": p.kms.key_month.usd,
        "ingest": p.cloudwatch_logs.ingestion.usd,
        "cw_store": p.cloudwatch_logs.storage.usd,
    }


# --------------------------------------------------------------------------- the reference


def test_reference_estimate_by_hand(reference: Comparison, prices: Prices) -> None:
    u = usd(prices)
    accounts, streams, all_streams = 50, 50 * 3, 50 * 17  # accounts x active / enabled Regions
    lifetime = 2557 + 30  # expiration + noncurrent expiration (days)
    access_log_days = 3653 + 30  # access-log expiration + its noncurrent expiration

    # What both estimates share: deliveries into the archive, its replica and access-log bucket.
    log_files = min(streams * 12 * H, Decimal(117_500_000))  # 12 files an hour per stream
    assert log_files == 1_314_000
    digests = all_streams * 1 * H
    access_objects = 60 * H
    reads = Decimal(100_000)
    replicated = log_files + digests  # the replica receives every log and digest file
    requests_on_archive = log_files + digests + reads + replicated  # access-log records
    puts = log_files + digests + replicated + access_objects
    access_storage = requests_on_archive * 400 * access_log_days / DPM / GB  # GB-months

    # Configured: S3 writes (15% of 5M), Lambda all (1M), DynamoDB writes (20% of 3M); no
    # management events; the log buckets excluded; an S3 Bucket Key (-99% KMS requests).
    workload = accounts * (
        Decimal(5_000_000) * Decimal("0.15") + 1_000_000 + 3_000_000 * Decimal("0.2")
    )
    assert workload == 117_500_000
    raw = workload * 1500
    stored = raw / 10
    assert stored / log_files < 128 * KB  # log files too small to transition: STANDARD only
    archive_storage = 2 * stored * lifetime / DPM / GB  # archive + replica
    configured = {
        "cloudtrail.data_events.workload": workload * u["data"],
        "s3.put_requests": puts * u["put"],
        "s3.get_requests": reads * u["get"],
        "s3.storage:STANDARD": (archive_storage + access_storage) * u["standard"],
        "s3.replication_transfer": stored / GB * u["transfer"],
        "kms.requests": (log_files + reads + 2 * log_files) * Decimal("0.01") * u["kms"],
        "kms.keys": 2 * (1 + 2) * u["key"],  # key + replica key, 2 billed rotations each
        "cloudwatch_logs.ingestion": raw / GB * u["ingest"],
        "cloudwatch_logs.storage": stored / GB * 365 / DPM * u["cw_store"],
    }

    # Naive: every S3, Lambda and DynamoDB event; management events (read and write, KMS
    # included) as a second copy; the loop; Control Tower's deliveries; no Bucket Key.
    workload_n = accounts * Decimal(5_000_000 + 1_000_000 + 3_000_000)
    management = accounts * Decimal(1_000_000)
    loop = (log_files + digests + access_objects + replicated) + (reads + replicated)
    control_tower = streams * 12 * H + all_streams * 1 * H + streams * 4 * DPM + 60 * H
    log_bucket_events = loop + control_tower
    assert log_bucket_events == Decimal("7943850.000")
    raw_n = (workload_n + log_bucket_events + management) * 1500
    stored_n = raw_n / 10
    assert stored_n / log_files < 128 * KB
    naive = {
        "cloudtrail.data_events.workload": workload_n * u["data"],
        "cloudtrail.data_events.log_buckets": log_bucket_events * u["data"],
        "cloudtrail.management_events": management * u["mgmt"],
        "s3.put_requests": puts * u["put"],
        "s3.get_requests": reads * u["get"],
        "s3.storage:STANDARD": (2 * stored_n * lifetime / DPM / GB + access_storage)
        * u["standard"],
        "s3.replication_transfer": stored_n / GB * u["transfer"],
        "kms.requests": (log_files + reads + 2 * log_files) * u["kms"],
        "kms.keys": 2 * (1 + 2) * u["key"],
        "cloudwatch_logs.ingestion": raw_n / GB * u["ingest"],
        "cloudwatch_logs.storage": stored_n / GB * 365 / DPM * u["cw_store"],
    }

    labels = {
        "cloudtrail.data_events.workload": "CloudTrail data events: workload",
        "cloudtrail.data_events.log_buckets": "CloudTrail data events: log buckets (loop)",
        "cloudtrail.management_events": "CloudTrail management events (2nd copy)",
        "s3.put_requests": "S3 PUT requests (deliveries, replication)",
        "s3.get_requests": "S3 GET requests (investigations)",
        "s3.storage:STANDARD": "S3 storage: STANDARD",
        "s3.replication_transfer": "S3 replication transfer to us-west-2",
        "kms.requests": "KMS requests",
        "kms.keys": "KMS keys (2, 2 rotations billed each)",
        "cloudwatch_logs.ingestion": "CloudWatch Logs ingestion",
        "cloudwatch_logs.storage": "CloudWatch Logs storage (365 days)",
    }
    assert reference.rows() == [
        (i, label, cents(configured.get(i, Decimal(0))), cents(naive[i]))
        for i, label in labels.items()
    ]
    assert reference.configured.total == sum(cents(x) for x in configured.values())
    assert reference.naive.total == sum(cents(x) for x in naive.values())
    assert reference.ratio == cents(reference.naive.total / reference.configured.total)

    # Over time: in month m the buckets hold on average m - 1/2 months of deliveries (all in
    # STANDARD, none expired yet), the CloudWatch Logs copy too (m <= 12: under its 365 days),
    # no key material is rotated yet (the first rotation comes after 365 days); events,
    # requests and transfer are those of every month.
    def in_month(lines: dict[str, Decimal], stored_bytes: Decimal, m: int) -> Decimal:
        months = m - Decimal("0.5")
        growing = {
            "s3.storage:STANDARD": (2 * stored_bytes + requests_on_archive * 400)
            * months
            / GB
            * u["standard"],
            "kms.keys": 2 * u["key"],
            "cloudwatch_logs.storage": stored_bytes / GB * months * u["cw_store"],
        }
        return sum((cents(x) for x in {**lines, **growing}.values()), Decimal(0))

    # the access logs live longest: 3,683 days, reached in month ceil(3683 / (365/12)) = 122
    assert reference.over_time == (
        Month(1, in_month(configured, stored, 1), in_month(naive, stored_n, 1)),
        Month(12, in_month(configured, stored, 12), in_month(naive, stored_n, 12)),
        Month(123, reference.configured.total, reference.naive.total, steady=True),
    )


def test_reference_figures_of_the_readme(reference: Comparison) -> None:
    """The figures README.md quotes (prices read on 2026-11-21)."""
    assert reference.prices.read_on == "2026-11-21"
    assert (reference.configured.total, reference.naive.total, reference.ratio) == (
        Decimal("299.87"),
        Decimal("2159.17"),
        Decimal("7.20"),
    )
    assert reference.over_time == (
        Month(1, Decimal("222.26"), Decimal("1850.59")),
        Month(12, Decimal("236.35"), Decimal("1910.29")),
        Month(123, Decimal("299.87"), Decimal("2159.17"), steady=True),
    )
    # the README shows the command's whole output for the reference
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"```text\n$ cfct-build cost\n{REFERENCE_TEXT}```" in readme


def test_reference_volumes(settings: Settings, profile: Profile) -> None:
    com = cost.common(settings, profile)
    assert com == cost.Common(
        lifecycle=settings.bucket.lifecycle,
        minimum_object_size="all_storage_classes_128K",
        access_log_days=3683,
        replica_region="us-west-2",
        cloudwatch_days=365,
        insights=(),
        rotation_days=365,
    )
    v = cost.volumes(cost.configured_selection(settings, profile), com, profile)
    assert v == cost.Volumes(
        workload_events=Decimal("117500000.00"),
        log_bucket_events=Decimal(0),
        management_reads=Decimal(0),
        management_writes=Decimal(0),
        log_files=Decimal(1_314_000),
        digest_files=Decimal(620_500),
        access_log_objects=Decimal(43_800),
        access_log_bytes=(1_314_000 + 620_500 + 100_000 + 1_934_500) * Decimal(400) / 43_800,
        replicated_objects=Decimal(1_934_500),
        log_file_reads=Decimal(100_000),
        raw_bytes=Decimal("117500000.00") * 1500,
        stored_bytes=Decimal("117500000.00") * 1500 / 10,
    )


# --------------------------------------------------------------------------- line by line

MINIMAL = """\
organization:
  id: o-a1b2c3d4e5
  management_account: "111111111111"
  log_archive_account: "222222222222"
  audit_account: "333333333333"
  home_region: us-east-1
  governed_regions: [us-east-1, us-west-2]
"""

SMALL = """\
accounts: 10
regions: 2
active_regions: 1
data_events:
  AWS::S3::Object: {events_per_account: 1_000_000, read_share: 0.75}
  AWS::Lambda::Function: {events_per_account: 200_000, read_share: 0}
management_events: {events_per_account: 100_000, read_share: 0.6, kms_share: 0.5}
delivery: {access_log_objects_per_hour: 0}
"""


def run_estimate(settings_extra: str = "", profile_text: str = SMALL) -> Comparison:
    """The estimate for the minimal settings (+ settings_extra) and a profile."""
    settings = parse_settings(MINIMAL + settings_extra, "s.yaml")
    return estimate(settings, parse_profile(profile_text, "p.yaml", settings), load_prices())


def line(est: Estimate, id: str) -> tuple[Decimal, Decimal] | None:
    found = est.line(id)
    return None if found is None else (found.quantity, found.usd)


@pytest.mark.parametrize(
    ("read_write", "events"),
    [("all", 1_000_000), ("read_only", 750_000), ("write_only", 250_000)],
)
def test_data_events_follow_the_selectors_read_write_filter(read_write: str, events: int) -> None:
    c = run_estimate(
        f"trail:\n  data_events:\n    - {{type: AWS::S3::Object, read_write: {read_write}}}\n"
    )
    quantity = Decimal(10 * events)
    assert line(c.configured, "cloudtrail.data_events.workload") == (
        quantity,
        cents(quantity * Decimal("0.10") / 100000),
    )
    # naive: every S3 event, read and write, whatever the settings select
    assert line(c.naive, "cloudtrail.data_events.workload") == (
        Decimal(10_000_000),
        Decimal("10.00"),
    )


def test_naive_logs_s3_even_where_the_settings_do_not() -> None:
    c = run_estimate(
        "trail:\n  data_events:\n    - {type: AWS::Lambda::Function, read_write: write_only}\n"
    )
    assert line(c.configured, "cloudtrail.data_events.workload") == (
        Decimal(2_000_000),
        Decimal("2.00"),
    )
    assert line(c.naive, "cloudtrail.data_events.workload") == (
        Decimal(12_000_000),
        Decimal("12.00"),
    )


def test_management_events_are_a_second_copy_at_the_copy_price() -> None:
    c = run_estimate(
        "trail:\n  management_events: {enabled: true, read_write: write_only, exclude_kms: true}\n"
    )
    # 10 accounts x 100,000 x (1 - 0.5 KMS) x 40% writes
    assert line(c.configured, "cloudtrail.management_events") == (Decimal(200_000), Decimal("4.00"))
    # naive: reads and writes, KMS included
    assert line(c.naive, "cloudtrail.management_events") == (Decimal(1_000_000), Decimal("20.00"))
    off = run_estimate()
    assert line(off.configured, "cloudtrail.management_events") == (Decimal(0), Decimal(0))


def test_insights_analyse_writes_for_call_rate_and_everything_for_error_rate() -> None:
    both = run_estimate(
        "trail:\n  management_events: {enabled: true, exclude_kms: false}\n"
        "  insights: [ApiCallRateInsight, ApiErrorRateInsight]\n"
    )
    # 1,000,000 management events: 400,000 writes twice, 600,000 reads once
    assert line(both.configured, "cloudtrail.insights") == (Decimal(1_400_000), Decimal("4.90"))
    calls = run_estimate(
        "trail:\n  management_events: {enabled: true, exclude_kms: false}\n"
        "  insights: [ApiCallRateInsight]\n"
    )
    assert line(calls.configured, "cloudtrail.insights") == (Decimal(400_000), Decimal("1.40"))


def test_the_loop_counts_every_delivery_into_the_log_buckets() -> None:
    profile = SMALL.replace("{access_log_objects_per_hour: 0}", "{access_log_objects_per_hour: 2}")
    c = run_estimate("bucket: {replica_region: us-west-2}\n", profile.replace("1_000_000", "0"))
    h = Decimal(730)
    log_files = 10 * 1 * 12 * h
    digests = 10 * 2 * 1 * h
    access = 2 * h
    replicated = log_files + digests
    # each delivery is a write event; replication also reads the source
    loop = log_files + digests + access + replicated + replicated
    control_tower = 10 * 1 * 12 * h + 10 * 2 * 1 * h + 10 * 1 * 4 * Decimal(365) / 12 + 60 * h
    quantity, _ = line(c.naive, "cloudtrail.data_events.log_buckets")  # type: ignore[misc]
    assert quantity == loop + control_tower
    assert line(c.configured, "cloudtrail.data_events.log_buckets") == (Decimal(0), Decimal(0))


def test_without_control_tower_exclusion_its_deliveries_are_logged() -> None:
    c = run_estimate(
        "trail:\n  exclude_control_tower_buckets: false\n"
        "  data_events:\n    - {type: AWS::S3::Object, read_write: write_only}\n"
    )
    h = Decimal(730)
    control_tower = 10 * 12 * h + 10 * 2 * h + 10 * 4 * Decimal(365) / 12 + 60 * h
    assert line(c.configured, "cloudtrail.data_events.log_buckets") == (
        control_tower,
        cents(control_tower * Decimal("0.10") / 100000),
    )
    read_only = run_estimate(
        "trail:\n  exclude_control_tower_buckets: false\n"
        "  data_events:\n    - {type: AWS::S3::Object, read_write: read_only}\n"
    )  # Control Tower's deliveries are writes: a read-only selector does not log them
    assert line(read_only.configured, "cloudtrail.data_events.log_buckets") == (
        Decimal(0),
        Decimal(0),
    )


def test_log_files_are_fewer_when_there_are_fewer_events() -> None:
    settings = parse_settings(MINIMAL, "s.yaml")

    def log_files(profile_text: str) -> Decimal:
        p = parse_profile(profile_text, "p.yaml")
        return cost.volumes(
            cost.configured_selection(settings, p), cost.common(settings, p), p
        ).log_files

    assert log_files(SMALL) == 10 * 12 * 730  # enough events: one file every 5 minutes
    # 10 accounts x (10 x 25% S3 writes + 20 Lambda invocations) = 225 events: 225 files
    assert log_files(SMALL.replace("1_000_000", "10").replace("200_000", "20")) == Decimal("225.00")


def test_requests_and_replication_transfer() -> None:
    profile = SMALL.replace(
        "delivery: {access_log_objects_per_hour: 0}", "delivery: {access_log_objects_per_hour: 3}"
    )
    profile += "investigations: {log_files_read_per_month: 50_000}\n"
    c = run_estimate("bucket: {replica_region: us-west-2}\n", profile)
    h = Decimal(730)
    log_files, digests, access = 10 * 12 * h, 10 * 2 * h, 3 * h
    puts = log_files + digests + (log_files + digests) + access  # the replica gets a copy of each
    assert line(c.configured, "s3.put_requests") == (puts, cents(puts * Decimal("0.005") / 1000))
    assert line(c.configured, "s3.get_requests") == (Decimal(50_000), Decimal("0.02"))
    # the replica receives the compressed log files: 10 x (250,000 S3 writes + 200,000 Lambda)
    transfer = Decimal(10 * 450_000) * 1500 / 10 / GB
    assert line(c.configured, "s3.replication_transfer") == (
        transfer,
        cents(transfer * Decimal("0.02")),
    )
    assert (
        c.configured.line("s3.replication_transfer").label == "S3 replication transfer to us-west-2"
    )  # type: ignore[union-attr]
    without = run_estimate(profile_text=profile)
    assert without.configured.line("s3.replication_transfer") is None


def test_what_if_insights_apply_to_both_estimates() -> None:
    c = run_estimate(
        "trail:\n  management_events: {enabled: true}\n",
        SMALL + "what_if: {insights: [ApiErrorRateInsight]}\n",
    )
    # configured: KMS left out (50%); naive: every management event
    assert line(c.configured, "cloudtrail.insights") == (Decimal(500_000), Decimal("1.75"))
    assert line(c.naive, "cloudtrail.insights") == (Decimal(1_000_000), Decimal("3.50"))
    assert "what_if.insights replaces the settings' trail.insights." in c.notes


def test_bucket_key_cuts_kms_requests_by_the_profiles_factor() -> None:
    profile = SMALL.replace(
        "delivery:", "investigations: {log_files_read_per_month: 1000}\ndelivery:"
    )
    c = run_estimate(profile_text=profile)
    requests = 10 * 12 * Decimal(730) + 1000  # one per log file written and per log file read
    assert line(c.configured, "kms.requests") == (
        requests * Decimal("0.01"),
        cents(requests * Decimal("0.000003") * Decimal("0.01")),
    )
    assert line(c.naive, "kms.requests") == (requests, cents(requests * Decimal("0.000003")))
    off = run_estimate(profile_text=profile + "what_if: {bucket_key: false}\n")
    assert line(off.configured, "kms.requests") == (requests, cents(requests * Decimal("0.000003")))
    assert "what_if.bucket_key: false (the package sets one)." in off.notes


@pytest.mark.parametrize(
    ("settings_extra", "label", "key_months"),
    [
        ("", "KMS keys (1, 2 rotations billed each)", 3),  # 2557 + 30 days >= 2 x 365
        ("key: {rotation_period_days: 2560}\n", "KMS keys (1, 1 rotations billed each)", 2),
        (
            "key: {rotation_period_days: 2560}\nbucket:\n  object_lock: {retention_days: 30}\n"
            "  lifecycle: {expiration_days: 30, noncurrent_expiration_days: 30}\n",
            "KMS keys (1, 0 rotations billed each)",
            1,
        ),
        ("bucket: {replica_region: us-west-2}\n", "KMS keys (2, 2 rotations billed each)", 6),
    ],
)
def test_kms_keys_bill_at_most_two_rotations(
    settings_extra: str, label: str, key_months: int
) -> None:
    c = run_estimate(settings_extra)
    found = c.configured.line("kms.keys")
    assert found == Line("kms.keys", label, Decimal(key_months), "key-months", Decimal("1.00"))
    assert found.usd == key_months


def test_cloudwatch_logs_lines_only_when_enabled() -> None:
    off = run_estimate()
    assert [x.id for x in off.configured.lines if x.id.startswith("cloudwatch")] == []
    on = run_estimate("trail:\n  cloudwatch_logs: {enabled: true, retention_days: 30}\n")
    raw = Decimal(10 * (250_000 + 200_000)) * 1500  # S3 writes + Lambda (the default selectors)
    assert line(on.configured, "cloudwatch_logs.ingestion") == (raw / GB, cents(raw / GB / 2))
    stored = raw / 10 / GB * 30 / DPM
    assert line(on.configured, "cloudwatch_logs.storage") == (
        stored,
        cents(stored * Decimal("0.03")),
    )
    what_if = run_estimate(profile_text=SMALL + "what_if:\n  cloudwatch_logs: {enabled: true}\n")
    assert line(what_if.configured, "cloudwatch_logs.ingestion") == (raw / GB, cents(raw / GB / 2))


@pytest.mark.parametrize(
    ("size_kb", "minimum", "expected"),
    [
        (
            200,
            "all_storage_classes_128K",
            [("STANDARD", 90), ("GLACIER_IR", 310), ("DEEP_ARCHIVE", 2187)],
        ),
        (100, "all_storage_classes_128K", [("STANDARD", 2587)]),
        (100, "varies_by_storage_class", [("STANDARD", 400), ("DEEP_ARCHIVE", 2187)]),
        (
            128,
            "all_storage_classes_128K",
            [("STANDARD", 90), ("GLACIER_IR", 310), ("DEEP_ARCHIVE", 2187)],
        ),
    ],
)
def test_periods_follow_the_transition_minimum_object_size(
    settings: Settings, size_kb: int, minimum: str, expected: list[tuple[str, int]]
) -> None:
    assert periods(settings.bucket.lifecycle, Decimal(size_kb) * KB, minimum) == expected


SMALL_FILES = """\
accounts: 1
regions: 1
active_regions: 1
data_events:
  AWS::S3::Object: {events_per_account: 73_000, read_share: 0}
  AWS::Lambda::Function: {events_per_account: 0, read_share: 0}
  AWS::DynamoDB::Table: {events_per_account: 0, read_share: 0}
delivery: {log_files_per_region_hour: 1, access_log_objects_per_hour: 0}
"""  # 730 log files a month of 100 events: 146.5 KB raw, 14.6 KB compressed
ARCHIVE_AT_100 = (
    "bucket:\n  lifecycle:\n    transitions: [{days: 100, storage_class: DEEP_ARCHIVE}]\n"
    "    transition_default_minimum_object_size: "
)


@pytest.mark.parametrize("minimum", ["all_storage_classes_128K", "varies_by_storage_class"])
def test_minimum_object_size_is_the_one_the_bucket_template_sets(minimum: str) -> None:
    settings = parse_settings(MINIMAL + ARCHIVE_AT_100 + minimum + "\n", "s.yaml")
    assert cost.common(settings, parse_profile(SMALL, "p.yaml")).minimum_object_size == minimum
    # what_if.lifecycle replaces the settings' lifecycle, this key (default) included
    what_if = parse_profile(SMALL + "what_if:\n  lifecycle: {expiration_days: 400}\n", "p.yaml")
    assert cost.common(settings, what_if).minimum_object_size == "all_storage_classes_128K"


def test_small_files_reach_deep_archive_only_with_varies_by_storage_class() -> None:
    kept = run_estimate(ARCHIVE_AT_100 + "all_storage_classes_128K\n", SMALL_FILES)
    moved = run_estimate(ARCHIVE_AT_100 + "varies_by_storage_class\n", SMALL_FILES)
    lifetime = 2557 + 30
    files, digests = Decimal(730), Decimal(730)
    size = Decimal(73_000) * 1500 / 10 / files  # bytes of one compressed log file
    assert kept.configured.periods == (("STANDARD", lifetime),)
    assert moved.configured.periods == (("STANDARD", 100), ("DEEP_ARCHIVE", lifetime - 100))
    # objects stored: log files, then digest files (0 bytes), each 100 days in STANDARD and
    # the rest in DEEP_ARCHIVE, where each object also bills 32 KB there and 8 KB in STANDARD
    young, old = (n * days / DPM for n, days in ((files, 100), (files, lifetime - 100)))
    old_digests = digests * (lifetime - 100) / DPM
    standard = young * size / GB + old * 8 * KB / GB + old_digests * 8 * KB / GB
    assert line(moved.configured, "s3.storage:STANDARD") == (
        standard,
        cents(standard * Decimal("0.023")),
    )
    deep = old * (size + 32 * KB) / GB + old_digests * 32 * KB / GB
    assert line(moved.configured, "s3.storage:DEEP_ARCHIVE") == (
        deep,
        cents(deep * Decimal("0.00099")),
    )
    assert line(moved.configured, "s3.transitions:DEEP_ARCHIVE") == (
        files + digests,
        cents((files + digests) * Decimal("0.05") / 1000),
    )
    # each estimate's note gives the other's configured total
    assert kept.notes[1:] == (
        "Configured: log files average 14.6 KB; under 128 KB, they do not transition into "
        "DEEP_ARCHIVE (transition_default_minimum_object_size is all_storage_classes_128K); "
        "they stay in STANDARD.",
        "Naive: log files average 25.7 KB; under 128 KB, they do not transition into "
        "DEEP_ARCHIVE (transition_default_minimum_object_size is all_storage_classes_128K); "
        "they stay in STANDARD.",
        "With bucket.lifecycle.transition_default_minimum_object_size: varies_by_storage_class, "
        "log and digest files under 128 KB would also move to DEEP_ARCHIVE, each for a "
        "transition request and 40 KB of billed metadata: the configured estimate would be "
        f"{moved.configured.total:,.2f} a month instead of {kept.configured.total:,.2f} "
        "(transition requests: 0.07 instead of 0.00).",
    )
    assert moved.notes[1:] == (
        "With bucket.lifecycle.transition_default_minimum_object_size: all_storage_classes_128K, "
        "log and digest files under 128 KB would stay in STANDARD instead of moving to "
        "DEEP_ARCHIVE: the configured estimate would be "
        f"{kept.configured.total:,.2f} a month instead of {moved.configured.total:,.2f} "
        "(transition requests: 0.00 instead of 0.07).",
    )


def test_no_trade_off_note_when_the_minimum_size_changes_nothing() -> None:
    # no transition into GLACIER or DEEP_ARCHIVE: varies_by_storage_class would change nothing
    c = run_estimate(
        "bucket:\n  lifecycle:\n    transitions: [{days: 100, storage_class: GLACIER_IR}]\n",
        SMALL_FILES,
    )
    assert c.notes[1:] == (
        "Configured: log files average 14.6 KB; under 128 KB, they do not transition into "
        "GLACIER_IR (transition_default_minimum_object_size is all_storage_classes_128K); "
        "they stay in STANDARD.",
        "Naive: log files average 25.7 KB; under 128 KB, they do not transition into "
        "GLACIER_IR (transition_default_minimum_object_size is all_storage_classes_128K); "
        "they stay in STANDARD.",
    )


TRANSITIONS = """\
what_if:
  lifecycle:
    transitions:
      - {days: 30, storage_class: GLACIER_IR}
      - {days: 60, storage_class: DEEP_ARCHIVE}
    expiration_days: 365
    noncurrent_expiration_days: 90
"""


def test_storage_classes_transitions_overheads_and_minimum_durations() -> None:
    # 1,000 events of 200,000 bytes an hour, compressed 1:1, one file an hour: 195.3 KB files
    profile = (
        """\
accounts: 1
regions: 1
active_regions: 1
data_events:
  AWS::S3::Object: {events_per_account: 730_000, read_share: 0}
log_records: {average_event_bytes: 200_000, compression_ratio: 1}
delivery: {log_files_per_region_hour: 1, digest_files_per_region_hour: 0,
           access_log_objects_per_hour: 0}
"""
        + TRANSITIONS
    )
    c = run_estimate("bucket: {object_lock: {retention_days: 30}}\n", profile)
    files, size = Decimal(730), Decimal(200_000 * 1000)
    # STANDARD 30 days, GLACIER_IR 30 days (under its 90-day minimum: 60 more billed),
    # DEEP_ARCHIVE 305 + 90 noncurrent days, with 32 KB at its price and 8 KB at STANDARD's
    assert c.configured.periods == (("STANDARD", 30), ("GLACIER_IR", 30), ("DEEP_ARCHIVE", 395))
    in_class = {cls: files * days / DPM for cls, days in c.configured.periods}  # objects stored
    expected = {
        "s3.storage:STANDARD": (
            in_class["STANDARD"] * size / GB + in_class["DEEP_ARCHIVE"] * 8 * KB / GB,
            Decimal("0.023"),
        ),
        "s3.storage:GLACIER_IR": (in_class["GLACIER_IR"] * size / GB, Decimal("0.004")),
        "s3.storage:DEEP_ARCHIVE": (
            in_class["DEEP_ARCHIVE"] * (size + 32 * KB) / GB,
            Decimal("0.00099"),
        ),
        "s3.transitions:GLACIER_IR": (files, Decimal("0.02") / 1000),
        "s3.transitions:DEEP_ARCHIVE": (files, Decimal("0.05") / 1000),
        "s3.minimum_duration:GLACIER_IR": (files * 60 / DPM * size / GB, Decimal("0.004")),
    }
    for id_, (quantity, price) in expected.items():
        assert line(c.configured, id_) == (quantity, cents(quantity * price)), id_
    assert [x.id for x in c.configured.lines if x.id.startswith("s3.")] == [
        "s3.put_requests",
        "s3.get_requests",
        *expected,
    ]
    assert c.notes[-1] == "what_if.lifecycle replaces the settings' bucket.lifecycle."


def test_minimum_billable_object_size_of_infrequent_access() -> None:
    profile = """\
accounts: 1
regions: 1
active_regions: 1
data_events:
  AWS::S3::Object: {events_per_account: 730, read_share: 0}
log_records: {average_event_bytes: 140_000, compression_ratio: 1}
delivery: {log_files_per_region_hour: 1, digest_files_per_region_hour: 0,
           access_log_objects_per_hour: 0}
what_if:
  lifecycle:
    transitions: [{days: 30, storage_class: STANDARD_IA}]
    expiration_days: 400
    noncurrent_expiration_days: 1
"""
    c = run_estimate("bucket: {object_lock: {retention_days: 1}}\n", profile)
    # 136.7 KB files: above the 128 KB transition minimum and the 128 KB billable minimum
    quantity = Decimal(730) * 371 / DPM * 140_000 / GB
    assert line(c.configured, "s3.storage:STANDARD_IA") == (
        quantity,
        cents(quantity * Decimal("0.0125")),
    )


def test_notes_name_what_the_estimate_assumes() -> None:
    c = run_estimate(
        "trail:\n  data_events:\n    - {type: AWS::SQS::Queue, read_write: all}\n",
    )
    assert c.notes == (
        "The line items are the steady state, reached in month 123: a log file expires (becomes "
        "noncurrent) after 2,557 days and S3 deletes it 30 days later (2,587 days; access logs "
        "3,683). Until then storage grows with every month's deliveries (over time, above).",
        "trail.data_events selects AWS::SQS::Queue, for which the profile gives no volume: "
        "counted as 0 events.",
    )


def test_held_is_the_months_average_of_a_linearly_filling_class() -> None:
    """F(t) = integral of clamp(u - start, 0, days) du: 0 before `start`, (t - start)^2 / 2
    while the class fills, days^2 / 2 + days x (t - start - days) once objects leave it."""
    exact = Decimal("1e-20")

    def same(a: Decimal, b: Decimal) -> bool:
        return a.quantize(exact) == b.quantize(exact)

    # a class entered at delivery (STANDARD) for 2,587 days: m - 1/2 months held in month m
    assert same(cost.held(0, 2587, 1), DPM / 2)
    assert same(cost.held(0, 2587, 12), Decimal("11.5") * DPM)
    # once the first objects leave, it holds all `days`
    assert same(cost.held(0, 30, 2), Decimal(30))
    # month 1 of a class entered at 30 days: objects delivered in the first 5/12 of a day
    assert same(cost.held(30, 30, 1), (DPM - 30) ** 2 / 2 / DPM)

    # month 2 of a class entered at 30 days for 30 days: filling, then the first leave
    def f(t: Decimal) -> Decimal:  # F for start 30, days 30
        if t <= 30:
            return Decimal(0)
        return (t - 30) ** 2 / 2 if t <= 60 else 450 + 30 * (t - 60)

    assert same(cost.held(30, 30, 2), (f(2 * DPM) - f(DPM)) / DPM)
    assert cost.held(30, 30, None) == 30  # the steady state
    # the share of a month's deliveries reaching an age during the month
    assert same(cost.reached(30, 1), (DPM - 30) / DPM)
    assert same(cost.reached(30, 2), Decimal(1))  # ages 30.4 to 60.8 days: all of them
    assert cost.reached(100, 1) == 0
    assert same(cost.reached(0, 5), Decimal(1))
    assert cost.reached(100, None) == 1


def test_over_time_with_transitions_and_minimum_durations() -> None:
    """Month 1 of the transitions profile by hand: half a month of files in STANDARD, the first
    5/12 day's in GLACIER_IR; DEEP_ARCHIVE and the minimum-duration fee come later."""
    profile = (
        """\
accounts: 1
regions: 1
active_regions: 1
data_events:
  AWS::S3::Object: {events_per_account: 730_000, read_share: 0}
log_records: {average_event_bytes: 200_000, compression_ratio: 1}
delivery: {log_files_per_region_hour: 1, digest_files_per_region_hour: 0,
           access_log_objects_per_hour: 0}
"""
        + TRANSITIONS
    )
    c = run_estimate("bucket: {object_lock: {retention_days: 30}}\n", profile)
    files, size = Decimal(730), Decimal(200_000 * 1000)
    early = (DPM - 30) / DPM  # share of month 1's ages past 30 days
    standard = files * (DPM / 2) / DPM * size / GB
    glacier_ir = files * ((DPM - 30) ** 2 / 2 / DPM) / DPM * size / GB
    by_hand = (
        cents(files * Decimal("0.10") / 100000 * 1000)  # data events (730,000)
        + cents(files * Decimal("0.005") / 1000)  # PUT requests
        + cents(standard * Decimal("0.023"))
        + cents(glacier_ir * Decimal("0.004"))
        + cents(files * early * Decimal("0.02") / 1000)  # transitions into GLACIER_IR
        + cents(files * Decimal("0.01") * Decimal("0.03") / 10000)  # KMS requests
        + Decimal("1.00")  # one key, no rotation yet
    )
    assert c.over_time[0] == Month(1, by_hand, c.over_time[0].naive)
    # steady once the access logs (3,683 days by default) are: month 123
    assert c.over_time[-1] == Month(123, c.configured.total, c.naive.total, steady=True)


def test_ratio_is_none_when_nothing_is_configured(prices: Prices) -> None:
    empty = Estimate("configured", (), Decimal(0), (("STANDARD", 1),))
    some = Estimate(
        "naive",
        (Line("kms.keys", "KMS keys", Decimal(1), "key-months", Decimal(1)),),
        Decimal(0),
        (),
    )
    c = Comparison(empty, some, prices)
    assert c.ratio is None
    assert "naive / configured: n/a (the configured estimate is 0.00)\n" in cost.render_text(
        c, "s", "p"
    )


# --------------------------------------------------------------------------- the command


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


REFERENCE_TEXT = """\
Monthly cost estimate for cfct-build.yaml with the workload of examples/workload-profile.yaml,
in USD at us-east-1 list prices read on 2026-11-21 (no free tier, discount or tax): an estimate,
not a quote.

line item                                         configured         naive
CloudTrail data events: workload                      117.50        450.00
CloudTrail data events: log buckets (loop)              0.00          7.94
CloudTrail management events (2nd copy)                 0.00      1,000.00
S3 PUT requests (deliveries, replication)              19.56         19.56
S3 GET requests (investigations)                        0.04          0.04
S3 storage: STANDARD                                   68.34        281.74
S3 replication transfer to us-west-2                    0.33          1.42
KMS requests                                            0.12         12.13
KMS keys (2, 2 rotations billed each)                   6.00          6.00
CloudWatch Logs ingestion                              82.07        354.79
CloudWatch Logs storage (365 days)                      5.91         25.55
total per month                                       299.87      2,159.17

naive / configured: 7.20 (the naive trail costs 1,859.30 more a month)
naive: all S3 data events read and write, no self-exclusion of the log buckets (the trail logs
its own deliveries), management events on (a second copy), no S3 Bucket Key.

over time: the total per month as the archive fills (storage grows with each month's deliveries
until they expire; events and requests are the same every month)
month 1                                               222.26      1,850.59
month 12                                              236.35      1,910.29
month 123 on (steady state: the line items)           299.87      2,159.17

notes:
- The line items are the steady state, reached in month 123: a log file expires (becomes
  noncurrent) after 2,557 days and S3 deletes it 30 days later (2,587 days; access logs 3,683,
  the CloudWatch Logs copy 365). Until then storage grows with every month's deliveries (over
  time, above).
- Configured: log files average 13.1 KB; under 128 KB, they do not transition into GLACIER_IR,
  DEEP_ARCHIVE (transition_default_minimum_object_size is all_storage_classes_128K); they stay
  in STANDARD.
- Naive: log files average 56.6 KB; under 128 KB, they do not transition into GLACIER_IR,
  DEEP_ARCHIVE (transition_default_minimum_object_size is all_storage_classes_128K); they stay
  in STANDARD.
- With bucket.lifecycle.transition_default_minimum_object_size: varies_by_storage_class, log and
  digest files under 128 KB would also move to DEEP_ARCHIVE, each for a transition request and
  40 KB of billed metadata: the configured estimate would be 498.58 a month instead of 299.87
  (transition requests: 193.45 instead of 0.00).
"""


def test_cli_text_output_of_the_reference(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    assert run("cost") == (0, REFERENCE_TEXT, "")
    assert run(
        "cost", "-s", "cfct-build.yaml", "--profile-file", "examples/workload-profile.yaml"
    ) == (
        0,
        REFERENCE_TEXT,
        "",
    )


def number(x: Decimal) -> float | int:
    """A quantity as the JSON shows it: rounded to the cent, an int when whole."""
    x = cents(x)
    return int(x) if x == x.to_integral_value() else float(x)


def test_cli_json_output(tmp_path: Path) -> None:
    settings = tmp_path / "s.yaml"
    settings.write_text(
        MINIMAL + "trail:\n  data_events:\n    - {type: AWS::S3::Object, read_write: write_only}\n"
    )
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "accounts: 1\nregions: 1\nactive_regions: 1\n"
        "data_events:\n  AWS::S3::Object: {events_per_account: 1_000_000, read_share: 0.9}\n"
        "management_events: {events_per_account: 10_000}\n"
        "delivery: {access_log_objects_per_hour: 0}\n"
    )
    code, out, err = run("cost", "-s", str(settings), "-p", str(profile), "--format", "json")

    # Configured: 100,000 S3 writes. Naive: 1,000,000 S3 events, 10,000 management events and
    # the loop: 8,760 log files and 730 digest files, and Control Tower's deliveries.
    files, digests = 12 * H, 1 * H
    loop = files + digests
    control_tower = 12 * H + 1 * H + 4 * DPM + 60 * H
    months = (2557 + 30) / DPM  # a log file's life in STANDARD

    def standard(events: Decimal) -> Decimal:  # GB-months
        return events * 1500 / 10 * months / GB

    def item(
        id_: str, label: str, quantity: Decimal, unit: str, price: str, per: int
    ) -> dict[str, object]:
        return {
            "id": id_,
            "label": label,
            "quantity": number(quantity),
            "unit": unit,
            "unit_price_usd": float(price),
            "per": per,
            "usd": float(cents(quantity * Decimal(price) / per)),
        }

    data, mgmt = "CloudTrail data events: workload", "CloudTrail management events (2nd copy)"
    puts, keys = (
        "S3 PUT requests (deliveries, replication)",
        "KMS keys (1, 2 rotations billed each)",
    )
    configured = [
        item("cloudtrail.data_events.workload", data, Decimal(100_000), "events", "0.10", 100000),
        item("s3.put_requests", puts, files + digests, "requests", "0.005", 1000),
        item(
            "s3.storage:STANDARD",
            "S3 storage: STANDARD",
            standard(Decimal(100_000)),
            "GB-months",
            "0.023",
            1,
        ),
        item("kms.requests", "KMS requests", files * Decimal("0.01"), "requests", "0.03", 10000),
        item("kms.keys", keys, Decimal(3), "key-months", "1.00", 1),
    ]
    naive_events = 1_000_000 + loop + control_tower + 10_000
    naive = [
        item("cloudtrail.data_events.workload", data, Decimal(1_000_000), "events", "0.10", 100000),
        item(
            "cloudtrail.data_events.log_buckets",
            "CloudTrail data events: log buckets (loop)",
            loop + control_tower,
            "events",
            "0.10",
            100000,
        ),
        item("cloudtrail.management_events", mgmt, Decimal(10_000), "events", "2.00", 100000),
        item("s3.put_requests", puts, files + digests, "requests", "0.005", 1000),
        item(
            "s3.storage:STANDARD",
            "S3 storage: STANDARD",
            standard(naive_events),
            "GB-months",
            "0.023",
            1,
        ),
        item("kms.requests", "KMS requests", files, "requests", "0.03", 10000),
        item("kms.keys", keys, Decimal(3), "key-months", "1.00", 1),
    ]
    total = sum(Decimal(str(x["usd"])) for x in configured)
    total_naive = sum(Decimal(str(x["usd"])) for x in naive)
    assert (total, total_naive) == (Decimal("3.18"), Decimal("4.63"))

    def in_month(lines: list[dict[str, object]], events: Decimal, m: int) -> float:
        """Month m: m - 1/2 months of log files in STANDARD, no rotated key material."""
        growing = {
            "s3.storage:STANDARD": cents(
                events * 150 * (m - Decimal("0.5")) / GB * Decimal("0.023")
            ),
            "kms.keys": Decimal("1.00"),
        }
        return float(
            sum(growing.get(str(x["id"]), Decimal(str(x["usd"]))) for x in lines)  # type: ignore[misc]
        )

    expected = {
        "settings": str(settings),
        "profile": str(profile),
        "prices": {"region": "us-east-1", "currency": "USD", "read_on": "2026-11-21"},
        "configured": {
            "lines": configured,
            "log_file_kb": float((Decimal(100_000) * 150 / files / KB).quantize(Decimal("0.1"))),
            "storage_classes": [{"class": "STANDARD", "days": 2587}],
            "total_usd": float(total),
        },
        "naive": {
            "lines": naive,
            "log_file_kb": float((naive_events * 150 / files / KB).quantize(Decimal("0.1"))),
            "storage_classes": [{"class": "STANDARD", "days": 2587}],
            "total_usd": float(total_naive),
        },
        "naive_over_configured": float(cents(total_naive / total)),
        "naive_means": "all S3 data events read and write, no self-exclusion of the log buckets "
        "(the trail logs its own deliveries), management events on (a second copy), no S3 "
        "Bucket Key",
        "over_time": [
            {
                "month": m,
                "steady_state": False,
                "configured_usd": in_month(configured, Decimal(100_000), m),
                "naive_usd": in_month(naive, naive_events, m),
            }
            for m in (1, 12)
        ]
        + [
            {
                "month": 123,  # the access logs (3,683 days) live longest
                "steady_state": True,
                "configured_usd": float(total),
                "naive_usd": float(total_naive),
            }
        ],
        "notes": [
            "The line items are the steady state, reached in month 123: a log file expires "
            "(becomes noncurrent) after 2,557 days and S3 deletes it 30 days later (2,587 days; "
            "access logs 3,683). Until then storage grows with every month's deliveries (over "
            "time, above)."
        ],
    }
    assert (code, err) == (0, "")
    assert out == json.dumps(expected, indent=2) + "\n"


def test_cli_bad_profile_exits_2_with_located_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "accounts: fifty\ndata_events: {}\nwhat_if: {insights: [ApiErrorRateInsight]}\n"
    )
    assert run("cost", "-p", str(profile)) == (
        2,
        "",
        "cfct-build cost: error:\n"
        f"{profile}:1:11: accounts: got 'fifty'; expected a whole number\n",
    )
    profile.write_text("accounts: 5\ndata_events: {}\nwhat_if: {insights: [ApiErrorRateInsight]}\n")
    assert run("cost", "-p", str(profile)) == (
        2,
        "",
        "cfct-build cost: error:\n"
        f"{profile}:3:22: what_if.insights.0: got 'ApiErrorRateInsight' with "
        "trail.management_events.enabled: false in the settings; expected management events "
        "on (Insights analyses them)\n",
    )


def test_cli_bad_settings_exit_2(tmp_path: Path) -> None:
    settings = tmp_path / "s.yaml"
    settings.write_text("organization: 1\n")
    code, out, err = run("cost", "-s", str(settings), "-p", str(PROFILE_FILE))
    assert (code, out) == (2, "")
    assert err.startswith(f"cfct-build cost: error:\n{settings}:1:15: organization: got 1")

"""The inputs of `cfct-build cost`: the workload profile's typed values and exact located
problems (each bad profile is a small edit of examples/workload-profile.yaml, so lines and
columns are those of its text), and the price list shipped as package data.
"""

from __future__ import annotations

import copy
import functools
import os
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cfct_build.config import STORAGE_CLASS_ORDER, Settings, load_settings, parse_settings
from cfct_build.cost import estimate
from cfct_build.errors import Problem, SettingsError
from cfct_build.workload import (
    ControlTowerDeliveries,
    DataEventVolume,
    Delivery,
    Investigations,
    Kms,
    LogRecords,
    ManagementEventVolume,
    Profile,
    WhatIf,
    load_prices,
    load_profile,
    parse_prices,
    parse_profile,
)

REPO = Path(__file__).resolve().parent.parent
PROFILE_FILE = REPO / "examples" / "workload-profile.yaml"
PROFILE = PROFILE_FILE.read_text(encoding="utf-8")
DATA_EVENT_TYPES = (
    "'AWS::S3::Object', 'AWS::Lambda::Function', 'AWS::DynamoDB::Table', "
    "'AWS::DynamoDB::Stream', 'AWS::S3Outposts::Object', 'AWS::S3ObjectLambda::AccessPoint', "
    "'AWS::S3Express::Object', 'AWS::SNS::Topic', 'AWS::SQS::Queue', "
    "'AWS::SecretsManager::Secret', 'AWS::KMS::Key', 'AWS::Bedrock::AgentAlias', "
    "'AWS::Bedrock::KnowledgeBase', 'AWS::Glue::Table', 'AWS::CloudTrail::Channel', "
    "'AWS::EC2::Snapshot' or 'AWS::StepFunctions::StateMachine'"
)
TOP_KEYS = (
    "accounts, regions, active_regions, data_events, management_events, log_records, "
    "delivery, control_tower, investigations, kms, what_if"
)
NO_INSIGHTS = (
    "with trail.management_events.enabled: false in the settings; expected management events "
    "on (Insights analyses them)"
)


def edit(*pairs: tuple[str, str], text: str = PROFILE) -> str:
    """The reference profile with each `old` text (which must occur once) replaced by `new`."""
    for old, new in pairs:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    return text


def P(line: int, column: int, path: str, message: str) -> Problem:
    return Problem(file="p.yaml", path=path, message=message, line=line, column=column)


def test_reference_profile_is_typed(settings: Settings) -> None:
    d = Decimal
    assert load_profile(PROFILE_FILE, settings) == Profile(
        accounts=50,
        regions=17,
        active_regions=3,
        data_events={
            "AWS::S3::Object": DataEventVolume(
                events_per_account=d(5_000_000), read_share=d("0.85")
            ),
            "AWS::Lambda::Function": DataEventVolume(
                events_per_account=d(1_000_000), read_share=d(0)
            ),
            "AWS::DynamoDB::Table": DataEventVolume(
                events_per_account=d(3_000_000), read_share=d("0.8")
            ),
        },
        management_events=ManagementEventVolume(
            events_per_account=d(1_000_000), read_share=d("0.8"), kms_share=d("0.3")
        ),
        log_records=LogRecords(average_event_bytes=d(1500), compression_ratio=d(10)),
        delivery=Delivery(
            log_files_per_region_hour=d(12),
            digest_files_per_region_hour=d(1),
            access_log_objects_per_hour=d(60),
            access_log_record_bytes=d(400),
        ),
        control_tower=ControlTowerDeliveries(
            log_files_per_region_hour=d(12),
            digest_files_per_region_hour=d(1),
            config_files_per_region_day=d(4),
            access_log_objects_per_hour=d(60),
        ),
        investigations=Investigations(log_files_read_per_month=d(100_000)),
        kms=Kms(bucket_key_request_reduction=d("0.99")),
        what_if=WhatIf(),
    )


def test_defaults_of_a_minimal_profile() -> None:
    """The defaults the README documents; numbers are exact decimals (0.1 is 0.1)."""
    p = parse_profile("accounts: 1\ndata_events: {}\n")
    assert (p.regions, p.active_regions, p.data_events) == (17, 2, {})
    assert p.management_events == ManagementEventVolume(
        events_per_account=Decimal(0), read_share=Decimal("0.8"), kms_share=Decimal("0.3")
    )
    assert p.log_records == LogRecords(
        average_event_bytes=Decimal(1500), compression_ratio=Decimal(10)
    )
    assert p.delivery == Delivery()
    assert p.delivery.access_log_objects_per_hour == Decimal(60)
    assert p.control_tower == ControlTowerDeliveries()
    assert p.investigations.log_files_read_per_month == 0
    assert p.kms.bucket_key_request_reduction == Decimal("0.99")
    assert p.what_if == WhatIf(lifecycle=None, cloudwatch_logs=None, insights=None, bucket_key=None)
    assert parse_profile(
        "accounts: 1\ndata_events:\n  AWS::SQS::Queue: {events_per_account: 3, read_share: 0.1}\n"
    ).data_events["AWS::SQS::Queue"].read_share == Decimal("0.1")


BAD: dict[str, tuple[str, list[Problem]]] = {
    "accounts missing": (
        edit(("accounts: 50\n", "")),
        [P(6, 1, "accounts", "missing; expected the number of accounts in the organization")],
    ),
    "accounts quoted": (
        edit(("accounts: 50", 'accounts: "50"')),
        [P(6, 11, "accounts", "got '50'; expected a whole number")],
    ),
    "active Regions zero": (
        edit(("active_regions: 3", "active_regions: 0")),
        [P(8, 17, "active_regions", "got 0; expected a number >= 1")],
    ),
    "duplicate key": (
        edit(("active_regions: 3", "active_regions: 3\nactive_regions: 4")),
        [
            P(
                9,
                1,
                "active_regions",
                "got key 'active_regions' again; expected each key once (first on line 8)",
            )
        ],
    ),
    "share above 1": (
        edit(("read_share: 0.85", "read_share: 1.2")),
        [P(15, 17, "data_events.'AWS::S3::Object'.read_share", "got 1.2; expected a number <= 1")],
    ),
    "events as text": (
        edit(("events_per_account: 5_000_000", "events_per_account: many")),
        [
            P(
                14,
                25,
                "data_events.'AWS::S3::Object'.events_per_account",
                "got 'many'; expected a number",
            )
        ],
    ),
    "read share missing": (
        edit(("    read_share: 0.8\n\nmanagement", "\nmanagement")),
        [
            P(
                19,
                3,
                "data_events.'AWS::DynamoDB::Table'.read_share",
                "missing; expected the share of reads, a number from 0 to 1",
            )
        ],
    ),
    "unknown data-event type": (
        edit(("AWS::DynamoDB::Table:", "AWS::DynamoDB::Tables:")),
        [
            P(
                19,
                3,
                "data_events.'AWS::DynamoDB::Tables'",
                f"got key 'AWS::DynamoDB::Tables'; expected {DATA_EVENT_TYPES}",
            )
        ],
    ),
    "data events as a list": (
        edit(("data_events:\n", "data_events: []\nx_data_events:\n")),
        [
            P(12, 14, "data_events", "got an empty list []; expected a mapping (key: value lines)"),
            P(
                13,
                1,
                "x_data_events",
                f"got unknown key 'x_data_events'; expected one of: {TOP_KEYS}",
            ),
        ],
    ),
    "true/false for a number": (
        edit(("kms_share: 0.3", "kms_share: yes")),
        [P(26, 14, "management_events.kms_share", "got yes (true/false); expected a number")],
    ),
    "infinite ratio": (
        edit(("compression_ratio: 10", "compression_ratio: .inf")),
        [
            P(
                30,
                22,
                "log_records.compression_ratio",
                "got .inf (a number); expected a finite number",
            )
        ],
    ),
    "ratio below 1": (
        edit(("compression_ratio: 10", "compression_ratio: 0.5")),
        [P(30, 22, "log_records.compression_ratio", "got 0.5; expected a number >= 1")],
    ),
    "unknown key in a section": (
        edit(("  access_log_record_bytes: 400", "  access_log_record_size: 400")),
        [
            P(
                36,
                3,
                "delivery.access_log_record_size",
                "got unknown key 'access_log_record_size'; expected one of: "
                "log_files_per_region_hour, digest_files_per_region_hour, "
                "access_log_objects_per_hour, access_log_record_bytes",
            )
        ],
    ),
    "unknown section": (
        edit(("kms:\n", "kms_keys:\n")),
        [P(47, 1, "kms_keys", f"got unknown key 'kms_keys'; expected one of: {TOP_KEYS}")],
    ),
    "invalid YAML": (
        edit(("  kms_share: 0.3\n", "  kms_share: [0.3\n")),
        [
            P(
                28,
                12,
                "",
                "got invalid YAML: expected ',' or ']', but got ':'; expected a workload "
                "profile (YAML)",
            )
        ],
    ),
    "empty": ("", [P(1, 1, "", "got an empty document; expected a workload profile")]),
    "only a comment": (
        "# nothing\n",
        [P(1, 1, "", "got an empty document; expected a workload profile")],
    ),
    "a list": (
        "- accounts\n",
        [P(1, 1, "", "got a list; expected a workload profile (key: value lines)")],
    ),
    "what-if lifecycle out of order": (
        PROFILE
        + "what_if:\n  lifecycle:\n    transitions:\n"
        + "      - {days: 400, storage_class: DEEP_ARCHIVE}\n"
        + "      - {days: 90, storage_class: GLACIER_IR}\n",
        [
            P(
                53,
                16,
                "what_if.lifecycle.transitions.1.days",
                "got 90; expected at least 401 (S3 needs each transition later than the "
                "previous one)",
            ),
            P(
                53,
                35,
                "what_if.lifecycle.transitions.1.storage_class",
                "got 'GLACIER_IR' after 'DEEP_ARCHIVE'; expected a class further down S3's "
                "transition order (STANDARD_IA, INTELLIGENT_TIERING, ONEZONE_IA, GLACIER_IR, "
                "GLACIER, DEEP_ARCHIVE)",
            ),
        ],
    ),
    "what-if CloudWatch Logs retention": (
        PROFILE + "what_if:\n  cloudwatch_logs: {enabled: true, retention_days: 42}\n",
        [
            P(
                50,
                52,
                "what_if.cloudwatch_logs.retention_days",
                "got 42; expected 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, "
                "731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653",
            )
        ],
    ),
    "what-if bucket key as a number": (
        PROFILE + "what_if:\n  bucket_key: 1\n",
        [P(50, 15, "what_if.bucket_key", "got 1 (a number); expected true or false")],
    ),
    "what-if the settings cannot do": (
        PROFILE
        + "what_if:\n  insights: [ApiCallRateInsight, ApiErrorRateInsight]\n"
        # the noncurrent expiry may be shorter than the retention; the expiry may not
        + "  lifecycle: {expiration_days: 30, noncurrent_expiration_days: 1}\n",
        [
            P(50, 14, "what_if.insights.0", f"got 'ApiCallRateInsight' {NO_INSIGHTS}"),
            P(50, 34, "what_if.insights.1", f"got 'ApiErrorRateInsight' {NO_INSIGHTS}"),
            P(
                51,
                32,
                "what_if.lifecycle.expiration_days",
                "got 30; expected at least the Object Lock retention of the settings "
                "(bucket.object_lock.retention_days: 365)",
            ),
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_profiles_yield_exact_located_problems(name: str, settings: Settings) -> None:
    text, expected = BAD[name]
    with pytest.raises(SettingsError) as exc:
        parse_profile(text, "p.yaml", settings)
    assert exc.value.problems == expected
    assert exc.value.exit_code == 2


def test_call_rate_insights_need_write_management_events() -> None:
    settings = parse_settings(
        (REPO / "cfct-build.yaml")
        .read_text(encoding="utf-8")
        .replace(
            "  management_events:\n    enabled: false",
            "  management_events:\n    enabled: true\n    read_write: read_only",
        ),
        "s.yaml",
    )
    with pytest.raises(SettingsError) as exc:
        parse_profile(
            PROFILE + "what_if:\n  insights: [ApiErrorRateInsight, ApiCallRateInsight]\n",
            "p.yaml",
            settings,
        )
    assert exc.value.problems == [
        P(
            50,
            35,
            "what_if.insights.1",
            "got 'ApiCallRateInsight' with trail.management_events.read_write: read_only in the "
            "settings; expected write management events",
        )
    ]


def test_unreadable_profile_files(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as exc:
        load_profile(tmp_path / "absent.yaml")
    assert exc.value.problems == [
        Problem(
            str(tmp_path / "absent.yaml"),
            "",
            "got no such file or directory; expected a readable workload profile",
        )
    ]
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes(b"accounts: 1\n# caf\xe9\n")
    with pytest.raises(SettingsError) as exc:
        load_profile(latin1)
    assert exc.value.problems == [
        Problem(
            str(latin1),
            "",
            "got byte 0xe9, which is not UTF-8 (invalid continuation byte); expected a UTF-8 text file",
            line=2,
            column=6,
        )
    ]


# --------------------------------------------------------------------------- the price list


def test_price_list_figures() -> None:
    """The figures of data/prices.yaml (us-east-1, read on 2026-11-21), each with its source."""
    p = load_prices()
    assert (p.region, p.currency, p.read_on) == ("us-east-1", "USD", "2026-11-21")
    figures = {
        "cloudtrail data events / 100,000": p.cloudtrail.data_events.usd,
        "cloudtrail management events, additional copy / 100,000": p.cloudtrail.management_events_additional_copy.usd,
        "cloudtrail insights events analysed / 100,000": p.cloudtrail.insights_events_analysed.usd,
        "s3 PUT / 1,000": p.s3.put_requests.usd,
        "s3 GET / 1,000": p.s3.get_requests.usd,
        "s3 inter-Region transfer / GB": p.s3.inter_region_transfer.usd,
        "kms key-month": p.kms.key_month.usd,
        "kms rotated key material-month": p.kms.rotated_key_material_month.usd,
        "kms requests / 10,000": p.kms.requests.usd,
        "cloudwatch logs ingestion / GB": p.cloudwatch_logs.ingestion.usd,
        "cloudwatch logs storage / GB-month": p.cloudwatch_logs.storage.usd,
    }
    assert figures == {
        "cloudtrail data events / 100,000": Decimal("0.10"),
        "cloudtrail management events, additional copy / 100,000": Decimal("2.00"),
        "cloudtrail insights events analysed / 100,000": Decimal("0.35"),
        "s3 PUT / 1,000": Decimal("0.005"),
        "s3 GET / 1,000": Decimal("0.0004"),
        "s3 inter-Region transfer / GB": Decimal("0.02"),
        "kms key-month": Decimal("1.00"),
        "kms rotated key material-month": Decimal("1.00"),
        "kms requests / 10,000": Decimal("0.03"),
        "cloudwatch logs ingestion / GB": Decimal("0.50"),
        "cloudwatch logs storage / GB-month": Decimal("0.03"),
    }
    assert p.kms.max_billed_rotations.count == 2
    classes = {
        name: (
            c.storage.usd,
            c.transition.usd if c.transition else None,
            c.min_billable_object_kb,
            c.overhead_kb_in_class,
            c.overhead_kb_in_standard,
            c.min_storage_days,
        )
        for name, c in p.s3.storage_classes.items()
    }
    d = Decimal
    assert classes == {
        "STANDARD": (d("0.023"), None, 0, 0, 0, 0),
        "STANDARD_IA": (d("0.0125"), d("0.01"), 128, 0, 0, 30),
        "INTELLIGENT_TIERING": (d("0.0125"), d("0.01"), 0, 0, 0, 0),
        "ONEZONE_IA": (d("0.01"), d("0.01"), 128, 0, 0, 30),
        "GLACIER_IR": (d("0.004"), d("0.02"), 128, 0, 0, 90),
        "GLACIER": (d("0.0036"), d("0.03"), 0, 32, 8, 90),
        "DEEP_ARCHIVE": (d("0.00099"), d("0.05"), 0, 32, 8, 180),
    }


def test_every_lifecycle_class_has_a_storage_and_transition_price() -> None:
    p = load_prices()
    assert [c for c in STORAGE_CLASS_ORDER if p.storage_class(c).transition is None] == []


def test_every_price_names_its_source_and_whether_it_was_confirmed() -> None:
    p = load_prices()
    sourced = [
        p.cloudtrail.data_events,
        p.cloudtrail.management_events_additional_copy,
        p.cloudtrail.insights_events_analysed,
        p.s3.put_requests,
        p.s3.get_requests,
        p.s3.inter_region_transfer,
        *p.s3.storage_classes.values(),
        p.kms.key_month,
        p.kms.rotated_key_material_month,
        p.kms.max_billed_rotations,
        p.kms.requests,
        p.cloudwatch_logs.ingestion,
        p.cloudwatch_logs.storage,
    ]
    assert [x for x in sourced if x.source not in p.sources] == []
    unconfirmed = [x.note.startswith(("NOT confirmed", "NOT shown")) for x in sourced]
    confirmed = [x.note.startswith("confirmed on the AWS page") for x in sourced]
    assert [u or c for u, c in zip(unconfirmed, confirmed, strict=True)] == [True] * len(sourced)


def test_a_broken_price_list_is_a_located_error() -> None:
    text = (REPO / "src" / "cfct_build" / "data" / "prices.yaml").read_text(encoding="utf-8")
    with pytest.raises(SettingsError) as exc:
        parse_prices(text.replace("    usd: 0.10\n", "    usd: ten cents\n", 1), "prices.yaml")
    assert exc.value.problems == [
        Problem(
            "prices.yaml",
            "cloudtrail.data_events.usd",
            "got 'ten cents'; expected a number",
            25,
            10,
        )
    ]


# --------------------------------------------------------------------------- property

PROFILE_DATA: dict[str, Any] = yaml.safe_load(PROFILE)
LOCATED = re.compile(r"^p\.yaml:[0-9]+:[0-9]+: \S.*?: (got .+; expected .+|missing; expected .+)$")
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10**7),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.lists(st.integers(0, 3), max_size=2),
    st.dictionaries(
        st.sampled_from(["days", "enabled", "x", "read_share"]), st.integers(0, 400), max_size=2
    ),
)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(data, dict):
        for k, v in data.items():
            out += _paths(v, (*prefix, k))
    return out


@functools.cache
def example_settings() -> Settings:
    return load_settings(REPO / "cfct-build.yaml")


@given(st.data())
@settings(
    max_examples=int(os.environ.get("COST_EXAMPLES", 150)),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
def test_any_profile_gives_a_profile_or_located_problems(data: st.DataObject) -> None:
    """Mutations of the reference profile (delete, replace or insert at a key path) yield a
    profile or located problems, never another exception; the estimate then always runs."""
    doc = copy.deepcopy(PROFILE_DATA)
    doc["what_if"] = {}
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_paths(doc)[1:]))
        parent = doc
        for part in path[:-1]:
            parent = parent[part]
        action = data.draw(st.sampled_from(["delete", "replace", "insert"]))
        if action == "delete":
            del parent[path[-1]]
        elif action == "replace":
            parent[path[-1]] = data.draw(VALUES)
        elif isinstance(parent[path[-1]], dict):
            key = data.draw(
                st.sampled_from(["lifecycle", "insights", "bucket_key", "AWS::SQS::Queue", "y"])
            )
            parent[path[-1]][key] = data.draw(VALUES)
    text = yaml.safe_dump(doc, sort_keys=False)
    settings_ = example_settings()
    try:
        profile = parse_profile(text, "p.yaml", settings_)
    except SettingsError as exc:
        assert exc.problems, text
        for problem in exc.problems:
            assert LOCATED.match(str(problem)), str(problem)
        return
    comparison = estimate(settings_, profile, load_prices())
    assert comparison.naive.total >= 0

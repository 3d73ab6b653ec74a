"""Settings of the query path (`query:`): values of the example, defaults, exact located problems.

Each bad input edits the example's `query:` section; lines and columns are counted from that
section's first line, so other sections may grow without changing these expectations.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from cfct_build.config import Settings, json_schema, parse_settings
from cfct_build.errors import Problem, SettingsError

EXAMPLE = (Path(__file__).resolve().parent.parent / "cfct-build.yaml").read_text(encoding="utf-8")
QUERY = EXAMPLE.splitlines().index("query:") + 1  # line of `query:`


def edit(old: str, new: str, text: str = EXAMPLE) -> str:
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def P(offset: int, column: int, path: str, message: str) -> Problem:
    """A problem `offset` lines below `query:`."""
    return Problem(file="s.yaml", path=path, message=message, line=QUERY + offset, column=column)


def problems(text: str) -> list[Problem]:
    with pytest.raises(SettingsError) as info:
        parse_settings(text, "s.yaml")
    assert info.value.exit_code == 2
    return info.value.problems


def test_example_values(settings: Settings) -> None:
    assert settings.query.model_dump() == {
        "enabled": True,
        "workgroup": "cfct-build-log-archive",
        "bytes_scanned_cutoff_gib": 100,
        "results_retention_days": 30,
        "projection_start": dt.date(2026, 1, 1),
        "accounts": ["444444444444", "555555555555"],
        "known_ip_ranges": ["10.0.0.0/8", "203.0.113.0/24", "2001:db8::/32"],
        "attach_reader_policy": True,
    }


def test_unquoted_date_is_read_as_the_same_date() -> None:
    s = parse_settings(edit('projection_start: "2026-01-01"', "projection_start: 2025-06-30"))
    assert s.query.projection_start == dt.date(2025, 6, 30)


INVALID_DATE = "expected a date yyyy-mm-dd (without a time), e.g. 2026-01-01"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "workgroup: cfct-build-log-archive",
            "workgroup: primary",
            [
                P(
                    2,
                    14,
                    "query.workgroup",
                    "got 'primary'; expected 1-128 letters, digits, '.', '_' or '-', not "
                    "'primary' (every account's default workgroup)",
                )
            ],
        ),
        (
            "workgroup: cfct-build-log-archive",
            "workgroup: log archive",
            [
                P(
                    2,
                    14,
                    "query.workgroup",
                    "got 'log archive'; expected 1-128 letters, digits, '.', '_' or '-', not "
                    "'primary' (every account's default workgroup)",
                )
            ],
        ),
        (
            "bytes_scanned_cutoff_gib: 100",
            "bytes_scanned_cutoff_gib: 0",
            [P(3, 29, "query.bytes_scanned_cutoff_gib", "got 0; expected a number >= 1")],
        ),
        (
            "results_retention_days: 30",
            "results_retention_days: 4000",
            [P(4, 27, "query.results_retention_days", "got 4000; expected a number <= 3653")],
        ),
        (
            'projection_start: "2026-01-01"',
            'projection_start: "2026-02-30"',
            [
                P(
                    5,
                    21,
                    "query.projection_start",
                    "got '2026-02-30'; expected a calendar date yyyy-mm-dd, e.g. 2026-01-01",
                )
            ],
        ),
        (
            'projection_start: "2026-01-01"',
            'projection_start: "01/01/2026"',
            [P(5, 21, "query.projection_start", f"got '01/01/2026'; {INVALID_DATE}")],
        ),
        (
            'projection_start: "2026-01-01"',
            "projection_start: 2026-01-01 10:00:00",
            [
                P(
                    5,
                    21,
                    "query.projection_start",
                    f"got 2026-01-01 10:00:00 (a date); {INVALID_DATE}",
                )
            ],
        ),
        (
            'projection_start: "2026-01-01"',
            "projection_start: 20260101",
            [P(5, 21, "query.projection_start", f"got 20260101 (a number); {INVALID_DATE}")],
        ),
        (
            '    - "555555555555"',
            '    - "444444444444"',
            [
                P(
                    9,
                    7,
                    "query.accounts.1",
                    "got '444444444444' again; expected each account once",
                )
            ],
        ),
        (
            '    - "555555555555"',
            "    - 555555555555",
            [
                P(
                    9,
                    7,
                    "query.accounts.1",
                    "got 555555555555 (a number); expected a 12-digit AWS account ID in quotes, "
                    'e.g. "123456789012" (unquoted, YAML reads it as a number, and as an octal '
                    "number if it starts with 0)",
                )
            ],
        ),
        (
            "    - 203.0.113.0/24",
            "    - 203.0.113.7/24\n    - example.com\n    - 10.0.0.0/8",
            [
                P(
                    12,
                    7,
                    "query.known_ip_ranges.1",
                    "got '203.0.113.7/24'; expected a network in CIDR notation without host "
                    "bits, e.g. 203.0.113.0/24 or 2001:db8::/32",
                ),
                P(
                    13,
                    7,
                    "query.known_ip_ranges.2",
                    "got 'example.com'; expected a network in CIDR notation without host "
                    "bits, e.g. 203.0.113.0/24 or 2001:db8::/32",
                ),
                P(
                    14,
                    7,
                    "query.known_ip_ranges.3",
                    "got '10.0.0.0/8' again; expected each network once",
                ),
            ],
        ),
        (
            "  enabled: true\n  workgroup:",
            '  enabled: "true"\n  workgroup:',
            [P(1, 12, "query.enabled", "got 'true'; expected true or false")],
        ),
    ],
)
def test_bad_query_settings_yield_exact_located_problems(
    old: str, new: str, expected: list[Problem]
) -> None:
    assert problems(edit(old, new)) == expected


def test_results_bucket_name_must_fit_s3() -> None:
    long = "cfct-build-cloudtrail-abcdef"  # 28 characters: the longest the other names allow
    text = edit("name_prefix: cfct-build-cloudtrail", f"name_prefix: {long}")
    name = f"{long}-query-results-333333333333-us-east-1"
    assert problems(text) == [
        Problem(
            file="s.yaml",
            path="bucket.name_prefix",
            message=f"got {long!r}, making the query results bucket name {name!r} {len(name)} "
            "characters long; expected a prefix short enough for names of at most 63 characters "
            "(or query.enabled: false)",
            line=EXAMPLE.splitlines().index("bucket:") + 2,
            column=16,
        )
    ]
    assert parse_settings(
        edit("  enabled: true\n  workgroup:", "  enabled: false\n  workgroup:", text)
    )


def test_defaults_without_a_query_section() -> None:
    start = EXAMPLE.index("\n# Query path")
    s = parse_settings(EXAMPLE[:start] + "\n")
    assert s.query.model_dump() == {
        "enabled": True,
        "workgroup": "cfct-build-log-archive",
        "bytes_scanned_cutoff_gib": 100,
        "results_retention_days": 30,
        "projection_start": dt.date(2026, 1, 1),
        "accounts": [],
        "known_ip_ranges": [],
        "attach_reader_policy": True,
    }


def test_json_schema_describes_the_query_section() -> None:
    props = json_schema()["$defs"]["Query"]["properties"]
    assert props["projection_start"]["type"] == "string"
    assert props["projection_start"]["format"] == "date"
    assert props["projection_start"]["default"] == "2026-01-01"
    assert props["workgroup"]["pattern"] == "^[A-Za-z0-9._-]{1,128}$"
    assert sorted(props) == [
        "accounts",
        "attach_reader_policy",
        "bytes_scanned_cutoff_gib",
        "enabled",
        "known_ip_ranges",
        "projection_start",
        "results_retention_days",
        "workgroup",
    ]


READERS = "    - arn:aws:iam::333333333333:role/SecurityLogReader\n"
READERS_LINE = EXAMPLE.splitlines().index(READERS.rstrip()) + 1


@pytest.mark.parametrize(
    ("arn", "message"),
    [
        (
            "arn:aws:iam::333333333333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Read_0a1b",
            "got 'arn:aws:iam::333333333333:role/aws-reserved/sso.amazonaws.com/"
            "AWSReservedSSO_Read_0a1b', a role AWS manages (IAM refuses to attach policies to "
            "it); expected a role of your own, or query.attach_reader_policy: false and the "
            "policy referenced where that role is defined (e.g. an IAM Identity Center "
            "permission set)",
        ),
        (
            "arn:aws:iam::333333333333:role/team/",
            "got 'arn:aws:iam::333333333333:role/team/'; expected a role name (after the last "
            "'/') of 1-64 letters, digits and '+=,.@_-' (the query stack attaches its reader "
            "policy by name)",
        ),
    ],
    ids=["identity-center-role", "no-name"],
)
def test_reader_roles_the_query_stack_attaches_to_must_be_attachable(
    arn: str, message: str
) -> None:
    text = edit(READERS, f"    - {arn}\n")
    assert problems(text) == [
        Problem("s.yaml", "key.reader_roles.0", message, line=READERS_LINE, column=7)
    ]
    off = edit("  attach_reader_policy: true\n", "  attach_reader_policy: false\n", text)
    assert parse_settings(off).key.reader_roles[0] == arn
    # a role of another account is never attached: no constraint on it
    other = edit(READERS, f"    - {arn.replace('333333333333', '444444444444')}\n")
    assert parse_settings(other).query.attach_reader_policy is True


def test_at_most_a_thousand_known_networks() -> None:
    networks = "".join(f"    - 10.{i // 256}.{i % 256}.0/24\n" for i in range(1001))
    text = edit("    - 10.0.0.0/8\n    - 203.0.113.0/24\n    - 2001:db8::/32\n", networks)
    assert problems(text) == [
        P(
            11,
            5,
            "query.known_ip_ranges",
            "got 1001 networks; expected at most 1000 (one condition each in a named query, "
            "whose text Athena caps at 256 KB): summarize them into larger networks",
        )
    ]
    kept = edit(
        "    - 10.0.0.0/8\n    - 203.0.113.0/24\n    - 2001:db8::/32\n",
        networks[: -len("    - 10.3.232.0/24\n")],
    )
    assert len(parse_settings(kept).query.known_ip_ranges) == 1000

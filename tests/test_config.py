"""Settings: typed values of the example, defaults, and the exact located problems of bad input.

Each bad input is a small edit of the example settings file (`edit`), so a problem's line and
column are those of the example's text; they are listed here in full, one `P(...)` each.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from pydantic import BaseModel

from cfct_build import config
from cfct_build.config import Settings, json_schema, load_settings, parse_settings
from cfct_build.errors import Problem, SettingsError

EXAMPLE_FILE = Path(__file__).resolve().parent.parent / "cfct-build.yaml"
EXAMPLE = EXAMPLE_FILE.read_text(encoding="utf-8")
END = EXAMPLE.count("\n")  # text appended to the example starts on line END + 1

ACCOUNT = (
    'expected a 12-digit AWS account ID in quotes, e.g. "123456789012" (unquoted, YAML reads '
    "it as a number, and as an octal number if it starts with 0)"
)
OU = (
    "expected Root, a top-level OU name or a nested path Parent:Child (at most 5 names of "
    "1-128 printable characters, without ':' or surrounding spaces)"
)
TOP_KEYS = (
    "partition, organization, exempt_principals, bucket, key, trail, guardrails, baseline, query"
)
DATA_EVENT_TYPES = (
    "'AWS::S3::Object', 'AWS::Lambda::Function', 'AWS::DynamoDB::Table', "
    "'AWS::DynamoDB::Stream', 'AWS::S3Outposts::Object', 'AWS::S3ObjectLambda::AccessPoint', "
    "'AWS::S3Express::Object', 'AWS::SNS::Topic', 'AWS::SQS::Queue', "
    "'AWS::SecretsManager::Secret', 'AWS::KMS::Key', 'AWS::Bedrock::AgentAlias', "
    "'AWS::Bedrock::KnowledgeBase', 'AWS::Glue::Table', 'AWS::CloudTrail::Channel', "
    "'AWS::EC2::Snapshot' or 'AWS::StepFunctions::StateMachine'"
)
MINIMAL = """\
organization:
  id: o-a1b2c3d4e5
  management_account: "111111111111"
  log_archive_account: "222222222222"
  audit_account: "333333333333"
  home_region: us-east-1
  governed_regions: [us-east-1]
"""


def edit(*pairs: tuple[str, str], text: str = EXAMPLE) -> str:
    """The example settings with each `old` text (which must occur once) replaced by `new`."""
    for old, new in pairs:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    return text


def P(line: int, column: int, path: str, message: str) -> Problem:
    return Problem(file="s.yaml", path=path, message=message, line=line, column=column)


def problems(text: str) -> list[Problem]:
    with pytest.raises(SettingsError) as info:
        parse_settings(text, "s.yaml")
    assert info.value.exit_code == 2
    return info.value.problems


EXAMPLE_TRANSITIONS = (
    "      - days: 90\n        storage_class: GLACIER_IR\n"
    "      - days: 400\n        storage_class: DEEP_ARCHIVE\n"
)
EXAMPLE_DATA_EVENTS = (
    "  data_events:\n"
    "    - type: AWS::S3::Object\n      read_write: write_only\n"
    "    - type: AWS::Lambda::Function\n      read_write: all\n"
    "    - type: AWS::DynamoDB::Table\n      read_write: write_only\n"
)
EXEMPT = (
    "exempt_principals:\n"
    "  - arn:aws:iam::111111111111:role/BreakGlassAdmin\n"
    "  - arn:aws:iam::222222222222:role/BreakGlassAdmin\n"
    "  - arn:aws:iam::111111111111:role/cfct-build-pipeline\n"
)

BAD: dict[str, tuple[str, list[Problem]]] = {
    # ----------------------------------------------------------------- organization
    "unquoted account id": (
        edit(('management_account: "111111111111"', "management_account: 111111111111")),
        [P(11, 23, "organization.management_account", f"got 111111111111 (a number); {ACCOUNT}")],
    ),
    "unquoted account id with a leading zero (octal)": (
        edit(('audit_account: "333333333333"', "audit_account: 033333333333")),
        [P(13, 18, "organization.audit_account", f"got 033333333333 (a number); {ACCOUNT}")],
    ),
    "account id of 11 digits": (
        edit(('log_archive_account: "222222222222"', 'log_archive_account: "22222222222"')),
        [
            P(
                12,
                24,
                "organization.log_archive_account",
                "got '22222222222'; expected a 12-digit AWS account ID in quotes, "
                'e.g. "123456789012"',
            )
        ],
    ),
    "account id of non-ASCII digits": (
        edit(('log_archive_account: "222222222222"', 'log_archive_account: "٢٢٢٢٢٢٢٢٢٢٢٢"')),
        [
            P(
                12,
                24,
                "organization.log_archive_account",
                "got '٢٢٢٢٢٢٢٢٢٢٢٢'; expected a 12-digit AWS account ID in quotes, "
                'e.g. "123456789012"',
            )
        ],
    ),
    "audit account equals management account": (
        edit(('audit_account: "333333333333"', 'audit_account: "111111111111"')),
        [
            P(
                13,
                18,
                "organization.audit_account",
                "got '111111111111'; expected an account other than "
                "organization.management_account (Control Tower gives each role its own account)",
            )
        ],
    ),
    "bad organization id": (
        edit(("id: o-a1b2c3d4e5", "id: org-123")),
        [
            P(
                9,
                7,
                "organization.id",
                "got 'org-123'; expected an organization ID such as o-a1b2c3d4e5 "
                "(o- and 10-32 lowercase letters/digits)",
            )
        ],
    ),
    "home Region not governed": (
        edit(("home_region: us-east-1", "home_region: ap-south-1")),
        [
            P(
                14,
                16,
                "organization.home_region",
                "got 'ap-south-1'; expected one of the governed Regions "
                "(us-east-1, us-west-2, eu-west-1)",
            )
        ],
    ),
    "governed Region listed twice": (
        edit(("    - eu-west-1\n", "    - eu-west-1\n    - us-west-2\n")),
        [
            P(
                19,
                7,
                "organization.governed_regions.3",
                "got 'us-west-2' again; expected each Region once",
            )
        ],
    ),
    "not a Region code": (
        edit(("    - eu-west-1\n", "    - eu-west\n")),
        [
            P(
                18,
                7,
                "organization.governed_regions.2",
                "got 'eu-west'; expected an AWS Region code such as us-east-1",
            )
        ],
    ),
    "Regions of another partition": (
        edit(("partition: aws", "partition: aws-us-gov")),
        [
            P(
                14,
                16,
                "organization.home_region",
                "got 'us-east-1'; expected a Region of partition aws-us-gov",
            ),
            P(
                16,
                7,
                "organization.governed_regions.0",
                "got 'us-east-1'; expected a Region of partition aws-us-gov",
            ),
            P(
                17,
                7,
                "organization.governed_regions.1",
                "got 'us-west-2'; expected a Region of partition aws-us-gov",
            ),
            P(
                18,
                7,
                "organization.governed_regions.2",
                "got 'eu-west-1'; expected a Region of partition aws-us-gov",
            ),
            P(
                30,
                5,
                "exempt_principals.0",
                "got 'arn:aws:iam::111111111111:role/BreakGlassAdmin'; expected partition "
                "aws-us-gov",
            ),
            P(
                31,
                5,
                "exempt_principals.1",
                "got 'arn:aws:iam::222222222222:role/BreakGlassAdmin'; expected partition "
                "aws-us-gov",
            ),
            P(
                32,
                5,
                "exempt_principals.2",
                "got 'arn:aws:iam::111111111111:role/cfct-build-pipeline'; expected partition "
                "aws-us-gov",
            ),
            P(
                56,
                19,
                "bucket.replica_region",
                "got 'us-west-2'; expected a Region of partition aws-us-gov",
            ),
            P(
                64,
                7,
                "key.admin_roles.0",
                "got 'arn:aws:iam::333333333333:role/SecurityKeyAdmin'; expected partition "
                "aws-us-gov",
            ),
            P(
                66,
                7,
                "key.reader_roles.0",
                "got 'arn:aws:iam::333333333333:role/SecurityLogReader'; expected partition "
                "aws-us-gov",
            ),
            P(
                67,
                7,
                "key.reader_roles.1",
                "got 'arn:aws:iam::222222222222:role/LogArchiveReader'; expected partition "
                "aws-us-gov",
            ),
        ],
    ),
    "bad OU paths and a repeated OU": (
        edit(
            (
                "    - Workloads:Prod\n",
                "    - Workloads::Prod\n    - ' Sandbox'\n    - A:B:C:D:E:F\n    - Workloads\n",
            )
        ),
        [
            P(24, 7, "organization.organizational_units.3", f"got 'Workloads::Prod'; {OU}"),
            P(25, 7, "organization.organizational_units.4", f"got ' Sandbox'; {OU}"),
            P(26, 7, "organization.organizational_units.5", f"got 'A:B:C:D:E:F'; {OU}"),
            P(
                27,
                7,
                "organization.organizational_units.6",
                "got 'Workloads' again; expected each OU once",
            ),
        ],
    ),
    "required settings missing": (
        edit(('  audit_account: "333333333333"\n', ""), ("  home_region: us-east-1\n", "")),
        [
            P(
                8,
                1,
                "organization.audit_account",
                'missing; expected a 12-digit AWS account ID in quotes, e.g. "123456789012"',
            ),
            P(
                8,
                1,
                "organization.home_region",
                "missing; expected an AWS Region code such as us-east-1",
            ),
        ],
    ),
    "organization section missing": (
        "partition: aws\n",
        [
            P(
                1,
                1,
                "organization",
                "missing; expected the organization section (id, accounts and Regions)",
            )
        ],
    ),
    # ----------------------------------------------------------------- keys and types
    "unknown top-level key": (
        edit(("partition: aws", "partition: aws\nregion: us-east-1")),
        [P(7, 1, "region", f"got unknown key 'region'; expected one of: {TOP_KEYS}")],
    ),
    "unknown nested key": (
        edit(
            (
                "    retention_days: 365\n    ack",
                "    retention_days: 365\n    retention_years: 1\n    ack",
            )
        ),
        [
            P(
                40,
                5,
                "bucket.object_lock.retention_years",
                "got unknown key 'retention_years'; expected one of: mode, retention_days, "
                "acknowledge_compliance_mode",
            )
        ],
    ),
    "unknown key with a line break in its name": (
        edit(("  name_prefix:", '  "a\\nb": x\n  name_prefix:')),
        [
            P(
                35,
                3,
                "bucket.'a\\nb'",
                "got unknown key 'a\\nb'; expected one of: name_prefix, key_prefix, "
                "object_lock, lifecycle, access_logs, replica_region, deny_uploads_without_kms",
            )
        ],
    ),
    "wrong types": (
        edit(
            ("    retention_days: 365\n    ack", '    retention_days: "365"\n    ack'),
            ("deny_uploads_without_kms: false", "deny_uploads_without_kms: 0"),
            (
                "  governed_regions:\n    - us-east-1\n    - us-west-2\n    - eu-west-1\n",
                "  governed_regions: us-east-1\n",
            ),
            ("  sns:\n    enabled: false", "  sns: true"),
        ),
        [
            P(15, 21, "organization.governed_regions", "got 'us-east-1'; expected a list"),
            P(36, 21, "bucket.object_lock.retention_days", "got '365'; expected a whole number"),
            P(
                54,
                29,
                "bucket.deny_uploads_without_kms",
                "got 0 (a number); expected true or false",
            ),
            P(
                82,
                8,
                "trail.sns",
                "got true (true/false); expected a mapping of settings (key: value lines)",
            ),
        ],
    ),
    "a date where text is expected": (
        edit(("home_region: us-east-1", "home_region: 2021-01-01")),
        [
            P(
                14,
                16,
                "organization.home_region",
                "got 2021-01-01 (a date); expected text: put it in quotes",
            )
        ],
    ),
    "a number where a Region is expected": (
        edit(("replica_region: us-west-2", "replica_region: 5")),
        [P(56, 19, "bucket.replica_region", "got 5 (a number); expected text: put it in quotes")],
    ),
    "a float and a bool where whole numbers are expected": (
        edit(
            ("rotation_period_days: 365", "rotation_period_days: 365.0"),
            ("    expiration_days: 3653", "    expiration_days: true"),
        ),
        [
            P(
                55,
                22,
                "bucket.access_logs.expiration_days",
                "got true (true/false); expected a whole number",
            ),
            P(62, 25, "key.rotation_period_days", "got 365.0 (a number); expected a whole number"),
        ],
    ),
    "numbers out of range": (
        edit(
            ("rotation_period_days: 365", "rotation_period_days: 30"),
            ("    retention_days: 365\n  sns", "    retention_days: 42\n  sns"),
            (
                "    retention_days: 365\n    ack",
                "    retention_days: 123456789012345678901\n    ack",
            ),
        ),
        [
            P(
                39,
                21,
                "bucket.object_lock.retention_days",
                "got 123456789012345678901; expected a number <= 36500",
            ),
            P(62, 25, "key.rotation_period_days", "got 30; expected a number >= 90"),
            P(
                84,
                21,
                "trail.cloudwatch_logs.retention_days",
                "got 42; expected 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, "
                "731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653",
            ),
        ],
    ),
    "unknown key account": (
        edit(("account: audit", "account: security")),
        [
            P(
                60,
                12,
                "key.account",
                "got 'security'; expected 'audit', 'log_archive' or 'management'",
            )
        ],
    ),
    "empty section": (
        edit(("  sns:\n    enabled: false", "  sns:")),
        [
            P(
                85,
                7,
                "trail.sns",
                "got nothing (an empty value); expected a mapping of settings (key: value lines)",
            )
        ],
    ),
    # ----------------------------------------------------------------- YAML itself
    "YAML syntax error": (
        edit(("  key_prefix: cloudtrail", "  key_prefix: [cloudtrail")),
        [
            P(
                37,
                14,
                "",
                "got invalid YAML: expected ',' or ']', but got ':'; expected a YAML mapping of "
                "settings",
            )
        ],
    ),
    "tab indentation": (
        edit(("  key_prefix: cloudtrail", "\tkey_prefix: cloudtrail")),
        [
            P(
                36,
                1,
                "",
                "got invalid YAML: found character '\\t' that cannot start any token; expected a "
                "YAML mapping of settings",
            )
        ],
    ),
    "control character": (
        edit(("key_prefix: cloudtrail", "key_prefix: cloud\x07trail")),
        [
            P(
                36,
                20,
                "",
                "got invalid YAML: character U+0007 (special characters are not allowed); "
                "expected a YAML mapping of settings",
            )
        ],
    ),
    "duplicate YAML key": (
        edit(
            (
                "    retention_days: 365\n    ack",
                "    retention_days: 365\n    retention_days: 30\n    ack",
            )
        ),
        [
            P(
                40,
                5,
                "bucket.object_lock.retention_days",
                "got key 'retention_days' again; expected each key once (first on line 39)",
            )
        ],
    ),
    "duplicate top-level key": (
        EXAMPLE + "partition: aws\n",
        [
            P(
                END + 1,
                1,
                "partition",
                "got key 'partition' again; expected each key once (first on line 6)",
            )
        ],
    ),
    "number and boolean keys": (
        edit(("  key_prefix: cloudtrail", "  key_prefix: cloudtrail\n  1: x\n  on: y")),
        [
            P(37, 3, "bucket", "got 1 (a number) as a key; expected a setting name"),
            P(38, 3, "bucket", "got on (true/false) as a key; expected a setting name"),
        ],
    ),
    "list as a key": (
        EXAMPLE + "? [a]\n: x\n",
        [P(END + 1, 3, "", "got a list as a key; expected a setting name")],
    ),
    "impossible date": (
        edit(("key_prefix: cloudtrail", "key_prefix: 2021-13-45")),
        [
            P(
                36,
                15,
                "bucket.key_prefix",
                "got invalid YAML: cannot read 2021-13-45 as a date (month must be in 1..12); "
                "expected a YAML mapping of settings",
            )
        ],
    ),
    "explicit tag that does not fit": (
        edit(("rotation_period_days: 365", "rotation_period_days: !!int twelve")),
        [
            P(
                62,
                25,
                "key.rotation_period_days",
                "got invalid YAML: cannot read twelve as a number (invalid literal for int() "
                "with base 10: 'twelve'); expected a YAML mapping of settings",
            )
        ],
    ),
    "python tag": (
        edit(("rotation_period_days: 365", "rotation_period_days: !!python/object:os.system x")),
        [
            P(
                62,
                25,
                "key.rotation_period_days",
                "got invalid YAML: could not determine a constructor for the tag "
                "'tag:yaml.org,2002:python/object:os.system'; expected a YAML mapping of settings",
            )
        ],
    ),
    "two documents": (
        EXAMPLE + "---\npartition: aws\n",
        [
            P(
                END + 1,
                1,
                "",
                "got invalid YAML: expected a single document in the stream, but found another "
                "document; expected a YAML mapping of settings",
            )
        ],
    ),
    "empty file": ("", [P(1, 1, "", "got an empty document; expected a mapping of settings")]),
    "only comments": (
        "# nothing yet\n",
        [P(1, 1, "", "got an empty document; expected a mapping of settings")],
    ),
    "a list document": (
        "- a\n- b\n",
        [P(1, 1, "", "got a list; expected a mapping of settings (key: value lines)")],
    ),
    "a text document": (
        "hello\n",
        [P(1, 1, "", "got 'hello'; expected a mapping of settings (key: value lines)")],
    ),
    "nested too deeply": (
        "a: " + "[" * 3000 + "]" * 3000 + "\n",
        [P(1, 1, "", "got YAML nested too deeply to read; expected a mapping of settings")],
    ),
    "list that contains itself": (
        edit((EXEMPT, "exempt_principals: &a [*a]\n")),
        [P(29, 1, "exempt_principals.0", "got a list; expected text")],
    ),
    # ----------------------------------------------------------------- bucket
    "COMPLIANCE mode without acknowledgement": (
        edit(("mode: GOVERNANCE", "mode: COMPLIANCE")),
        [
            P(
                38,
                11,
                "bucket.object_lock.mode",
                "got 'COMPLIANCE' without acknowledge_compliance_mode: true; expected GOVERNANCE, "
                "or COMPLIANCE with bucket.object_lock.acknowledge_compliance_mode: true "
                "(COMPLIANCE retention can never be shortened or removed, not even by the root "
                "user)",
            )
        ],
    ),
    "expiry shorter than the retention": (
        # only the expiry: the noncurrent expiry (30 days) may be shorter than the retention
        edit(("retention_days: 365\n    ack", "retention_days: 3000\n    ack")),
        [
            P(
                51,
                22,
                "bucket.lifecycle.expiration_days",
                "got 2557; expected at least the Object Lock retention "
                "(bucket.object_lock.retention_days: 3000)",
            ),
        ],
    ),
    "noncurrent expiry of 0 days": (
        edit(("noncurrent_expiration_days: 30", "noncurrent_expiration_days: 0")),
        [
            P(
                52,
                33,
                "bucket.lifecycle.noncurrent_expiration_days",
                "got 0; expected a number >= 1",
            ),
        ],
    ),
    "transition minimum object size not S3's": (
        edit(("object_size: all_storage_classes_128K", "object_size: 128K")),
        [
            P(
                53,
                45,
                "bucket.lifecycle.transition_default_minimum_object_size",
                "got '128K'; expected 'all_storage_classes_128K' or 'varies_by_storage_class'",
            ),
        ],
    ),
    "transitions out of order": (
        edit(
            (
                EXAMPLE_TRANSITIONS,
                "      - days: 90\n        storage_class: DEEP_ARCHIVE\n"
                "      - days: 60\n        storage_class: GLACIER_IR\n",
            )
        ),
        [
            P(
                47,
                15,
                "bucket.lifecycle.transitions.1.days",
                "got 60; expected at least 91 (S3 needs each transition later than the previous "
                "one)",
            ),
            P(
                48,
                24,
                "bucket.lifecycle.transitions.1.storage_class",
                "got 'GLACIER_IR' after 'DEEP_ARCHIVE'; expected a class further down S3's "
                "transition order (STANDARD_IA, INTELLIGENT_TIERING, ONEZONE_IA, GLACIER_IR, "
                "GLACIER, DEEP_ARCHIVE)",
            ),
        ],
    ),
    "STANDARD_IA too early": (
        edit(
            (
                "      - days: 90\n        storage_class: GLACIER_IR",
                "      - days: 10\n        storage_class: STANDARD_IA",
            )
        ),
        [
            P(
                45,
                15,
                "bucket.lifecycle.transitions.0.days",
                "got 10; expected at least 30 days for STANDARD_IA (an S3 minimum)",
            )
        ],
    ),
    "less than 30 days in STANDARD_IA": (
        edit(
            (
                EXAMPLE_TRANSITIONS,
                "      - days: 30\n        storage_class: STANDARD_IA\n"
                "      - days: 45\n        storage_class: DEEP_ARCHIVE\n",
            )
        ),
        [
            P(
                47,
                15,
                "bucket.lifecycle.transitions.1.days",
                "got 45; expected at least 60 (S3 needs 30 days in STANDARD_IA before the next "
                "transition)",
            )
        ],
    ),
    "expiry not after the last transition": (
        edit(
            ("retention_days: 365\n    ack", "retention_days: 100\n    ack"),
            (
                "    expiration_days: 2557\n    noncurrent",
                "    expiration_days: 400\n    noncurrent",
            ),
        ),
        [
            P(
                51,
                22,
                "bucket.lifecycle.expiration_days",
                "got 400; expected more than the last transition (400 days)",
            )
        ],
    ),
    "bucket name too long": (
        edit(
            (
                "name_prefix: cfct-build-cloudtrail",
                "name_prefix: my-company-security-cloudtrail-logs",
            )
        ),
        [
            P(
                35,
                16,
                "bucket.name_prefix",
                "got 'my-company-security-cloudtrail-logs', making bucket name "
                "'my-company-security-cloudtrail-logs-access-logs-222222222222-us-east-1' 70 "
                "characters long; expected a prefix short enough for names of at most 63 "
                "characters",
            )
        ],
    ),
    "bucket prefix of Control Tower": (
        edit(("name_prefix: cfct-build-cloudtrail", "name_prefix: aws-controltower-logs")),
        [
            P(
                35,
                16,
                "bucket.name_prefix",
                "got 'aws-controltower-logs'; expected a prefix not starting with "
                "aws-controltower (Control Tower's own buckets), xn--, sthree- or amzn-s3-demo- "
                "(reserved)",
            )
        ],
    ),
    "bucket prefix not DNS-safe": (
        edit(("name_prefix: cfct-build-cloudtrail", "name_prefix: CfCT_Logs")),
        [
            P(
                35,
                16,
                "bucket.name_prefix",
                "got 'CfCT_Logs'; expected 3-42 lowercase letters, digits and single hyphens, "
                "starting and ending with a letter or digit",
            )
        ],
    ),
    "key prefix with a wildcard": (
        edit(("key_prefix: cloudtrail", "key_prefix: /logs/*")),
        [
            P(
                36,
                15,
                "bucket.key_prefix",
                "got '/logs/*'; expected segments of letters, digits, '_', '.' and '-' separated "
                "by '/' (no leading or trailing '/', no '.' or '..' segment), at most 200 "
                "characters",
            )
        ],
    ),
    "replica in the home Region": (
        edit(("replica_region: us-west-2", "replica_region: us-east-1")),
        [
            P(
                56,
                19,
                "bucket.replica_region",
                "got 'us-east-1'; expected a Region other than the home Region",
            )
        ],
    ),
    "replica in an ungoverned Region": (
        edit(("replica_region: us-west-2", "replica_region: eu-central-1")),
        [
            P(
                56,
                19,
                "bucket.replica_region",
                "got 'eu-central-1'; expected one of the governed Regions "
                "(us-east-1, us-west-2, eu-west-1)",
            )
        ],
    ),
    # ----------------------------------------------------------------- principals and key
    "exempt pattern matching every role": (
        edit(
            ("  - arn:aws:iam::111111111111:role/cfct-build-pipeline", "  - arn:aws:iam::*:role/*")
        ),
        [
            P(
                32,
                5,
                "exempt_principals.2",
                "got 'arn:aws:iam::*:role/*'; expected a pattern naming specific roles (this one "
                "matches every role and would void the guardrails)",
            )
        ],
    ),
    "exempt principal not a role ARN": (
        edit(
            (
                "  - arn:aws:iam::111111111111:role/cfct-build-pipeline",
                "  - arn:aws:iam::111111111111:user/alice",
            )
        ),
        [
            P(
                32,
                5,
                "exempt_principals.2",
                "got 'arn:aws:iam::111111111111:user/alice'; expected an IAM role ARN such as "
                "arn:aws:iam::123456789012:role/BreakGlass (the account may be * and the name "
                "may use * and ? wildcards)",
            )
        ],
    ),
    "bad alias (alias/ prefix)": (
        edit(("alias: cfct-build/cloudtrail", "alias: alias/cloudtrail")),
        [
            P(
                61,
                10,
                "key.alias",
                "got 'alias/cloudtrail'; expected 1-250 letters, digits, '/', '_' or '-', "
                "without the alias/ prefix and not under aws/ (reserved for AWS)",
            )
        ],
    ),
    "bad alias (reserved aws/)": (
        edit(("alias: cfct-build/cloudtrail", "alias: aws/cloudtrail")),
        [
            P(
                61,
                10,
                "key.alias",
                "got 'aws/cloudtrail'; expected 1-250 letters, digits, '/', '_' or '-', "
                "without the alias/ prefix and not under aws/ (reserved for AWS)",
            )
        ],
    ),
    "key admin outside the key's account": (
        edit(
            (
                "    - arn:aws:iam::333333333333:role/SecurityKeyAdmin",
                "    - arn:aws:iam::111111111111:role/SecurityKeyAdmin",
            )
        ),
        [
            P(
                64,
                7,
                "key.admin_roles.0",
                "got 'arn:aws:iam::111111111111:role/SecurityKeyAdmin'; expected a role in the "
                "key's account 333333333333 (key.account: audit)",
            )
        ],
    ),
    "key admin with a wildcard": (
        edit(
            (
                "    - arn:aws:iam::333333333333:role/SecurityKeyAdmin",
                "    - arn:aws:iam::333333333333:role/Admin*",
            )
        ),
        [
            P(
                64,
                7,
                "key.admin_roles.0",
                "got 'arn:aws:iam::333333333333:role/Admin*'; expected an IAM role ARN with a "
                "12-digit account and no wildcards, e.g. arn:aws:iam::123456789012:role/LogReader",
            )
        ],
    ),
    "key reader that is also an admin": (
        edit(
            (
                "    - arn:aws:iam::333333333333:role/SecurityLogReader",
                "    - arn:aws:iam::333333333333:role/SecurityKeyAdmin",
            )
        ),
        [
            P(
                66,
                7,
                "key.reader_roles.0",
                "got 'arn:aws:iam::333333333333:role/SecurityKeyAdmin', also in key.admin_roles; "
                "expected readers distinct from administrators (administrators may not decrypt)",
            )
        ],
    ),
    # ----------------------------------------------------------------- trail
    "unknown data-event type": (
        edit(("type: AWS::Lambda::Function", "type: AWS::Lambda::Layer")),
        [
            P(
                74,
                13,
                "trail.data_events.1.type",
                f"got 'AWS::Lambda::Layer'; expected {DATA_EVENT_TYPES}",
            )
        ],
    ),
    "data-event type twice": (
        edit(("type: AWS::Lambda::Function", "type: AWS::S3::Object")),
        [
            P(
                74,
                13,
                "trail.data_events.1.type",
                "got 'AWS::S3::Object' again; expected each data-event type once",
            )
        ],
    ),
    "data event without a type": (
        edit(("    - type: AWS::Lambda::Function\n      read_write: all", "    - read_write: all")),
        [
            P(
                74,
                7,
                "trail.data_events.1.type",
                "missing; expected a CloudTrail data-event resource type such as AWS::S3::Object",
            )
        ],
    ),
    "nothing to log": (
        edit((EXAMPLE_DATA_EVENTS, "  data_events: []\n")),
        [
            P(
                71,
                16,
                "trail.data_events",
                "got an empty list and management_events.enabled: false; expected at least one "
                "data-event type, or management events",
            )
        ],
    ),
    "Insights without management events": (
        edit(("insights: []", "insights: [ApiCallRateInsight]")),
        [
            P(
                81,
                14,
                "trail.insights.0",
                "got 'ApiCallRateInsight' with management_events.enabled: false; expected "
                "management events on (Insights analyses management events)",
            )
        ],
    ),
    "API call rate Insights with read-only management events": (
        edit(
            (
                "    enabled: false\n  insights: []",
                "    enabled: true\n    read_write: read_only\n"
                "  insights: [ApiCallRateInsight, ApiErrorRateInsight]",
            )
        ),
        [
            P(
                82,
                14,
                "trail.insights.0",
                "got 'ApiCallRateInsight' with management_events.read_write: read_only; expected "
                "write management events (read_write: all or write_only)",
            )
        ],
    ),
    "trail name with adjacent punctuation": (
        edit(("name: cfct-build-org-data-events", "name: my--trail")),
        [
            P(
                70,
                9,
                "trail.name",
                "got 'my--trail'; expected 3-128 letters, digits, '.', '_' or '-', starting and "
                "ending with a letter or digit, no adjacent punctuation",
            )
        ],
    ),
    "trail name in IP address format": (
        edit(("name: cfct-build-org-data-events", "name: 192.168.5.4")),
        [P(70, 9, "trail.name", "got '192.168.5.4'; expected a name, not an IP address")],
    ),
    "trail name unusable for the SNS topic": (
        edit(
            ("name: cfct-build-org-data-events", "name: org.trail"),
            ("  sns:\n    enabled: false", "  sns:\n    enabled: true"),
        ),
        [
            P(
                70,
                9,
                "trail.name",
                "got 'org.trail' with sns.enabled: true; expected a name without '.' (the SNS "
                "topic 'org.trail-notifications' may use only letters, digits, '-' and '_')",
            )
        ],
    ),
    # ----------------------------------------------------------------- guardrails
    "no SCP slot left for the guardrails": (
        EXAMPLE
        + "guardrails:\n  scp_budget_by_target:\n    Sandbox: 0\n    Workloads:NonProd: 0\n",
        [
            P(
                END + 3,
                14,
                "guardrails.scp_budget_by_target.Sandbox",
                "got 0; expected at least 1: the guardrails need 1 SCP on Sandbox (free SCP "
                "slots there or raise the budget)",
            ),
            P(
                END + 4,
                24,
                "guardrails.scp_budget_by_target.'Workloads:NonProd'",
                "got 0; expected at least 1: the guardrails need 1 SCP on Workloads:NonProd "
                "(free SCP slots there or raise the budget)",
            ),
        ],
    ),
    "too many exempt principals for one SCP": (
        edit(
            (
                "exempt_principals:\n",
                "exempt_principals:\n"
                + "".join(
                    f"  - arn:aws:iam::111111111111:role/BreakGlassAdministratorRoleNumber{i:03d}\n"
                    for i in range(100)
                ),
            )
        ),
        [
            P(
                30,
                3,
                "exempt_principals",
                "got 103 entries; expected fewer: statement ProtectOrgTrail alone is 7654 "
                "characters once sent by CfCT; an SCP holds at most 5120: use fewer or wildcard "
                "exempt principals",
            )
        ],
    ),
    "SCP budget out of range": (
        EXAMPLE + "guardrails:\n  scp_budget_by_target:\n    Sandbox: 9\n",
        [
            P(
                END + 3,
                14,
                "guardrails.scp_budget_by_target.Sandbox",
                "got 9; expected a number <= 5",
            )
        ],
    ),
    # ----------------------------------------------------------------- baseline
    "own-logs reader named like a Control Tower role": (
        edit(("role_name: cfct-build-own-logs-reader", "role_name: AWSControlTowerExecution")),
        [
            P(
                92,
                16,
                "baseline.own_logs_reader.role_name",
                "got 'AWSControlTowerExecution'; expected a name of your own, not starting with "
                "AWSControlTower, AWSReservedSSO, stacksets-exec-, cfct-build-tamper- (roles of "
                "Control Tower, IAM Identity Center, StackSets and cfct-build's alert forwarders)",
            )
        ],
    ),
    "own-logs reader name with a path": (
        edit(("role_name: cfct-build-own-logs-reader", "role_name: team/log-reader")),
        [
            P(
                92,
                16,
                "baseline.own_logs_reader.role_name",
                "got 'team/log-reader'; expected an IAM role name: 1-64 letters, digits or "
                "_+=,.@- (no path)",
            )
        ],
    ),
    "own-logs reader assumable by a pattern with a leading slash": (
        edit(("      - aws-reserved/sso.amazonaws.com/*\n", "      - /aws-reserved/*\n")),
        [
            P(
                95,
                9,
                "baseline.own_logs_reader.assumable_by.0",
                "got '/aws-reserved/*'; expected a role name or path/name pattern of this "
                "account, e.g. aws-reserved/sso.amazonaws.com/* (letters, digits, _+=,.@-, * "
                "and ?, segments separated by single '/', no leading '/')",
            )
        ],
    ),
    "own-logs reader assumable by nobody": (
        edit(
            (
                "    assumable_by:\n      - aws-reserved/sso.amazonaws.com/*\n",
                "    assumable_by: []\n",
            )
        ),
        [
            P(
                94,
                19,
                "baseline.own_logs_reader.assumable_by",
                "got an empty list []; expected at least 1 item(s)",
            )
        ],
    ),
    "key reader named like the own-logs reader": (
        edit(
            (
                "    - arn:aws:iam::222222222222:role/LogArchiveReader\n",
                "    - arn:aws:iam::222222222222:role/cfct-build-own-logs-reader\n",
            )
        ),
        [
            P(
                67,
                7,
                "key.reader_roles.1",
                "got 'arn:aws:iam::222222222222:role/cfct-build-own-logs-reader', named like "
                "baseline.own_logs_reader.role_name; expected another name (the own-logs reader "
                "is held to its own account's logs)",
            )
        ],
    ),
    "alert bus named default": (
        edit(("bus_name: cfct-build-tamper-alerts", "bus_name: default")),
        [
            P(
                98,
                15,
                "baseline.tamper_alerts.bus_name",
                "got 'default'; expected 1-256 letters, digits, '.', '_' or '-', neither "
                "'default' nor starting with 'aws.' (reserved by EventBridge)",
            )
        ],
    ),
    "alert email not an address, and one twice": (
        edit(
            (
                "      - security-alerts@example.com\n",
                "      - security-alerts\n      - Ops@example.com\n      - ops@example.com\n",
            )
        ),
        [
            P(
                100,
                9,
                "baseline.tamper_alerts.email_subscriptions.0",
                "got 'security-alerts'; expected an email address such as security@example.com",
            ),
            P(
                102,
                9,
                "baseline.tamper_alerts.email_subscriptions.2",
                "got 'ops@example.com' again; expected each address once",
            ),
        ],
    ),
    "unknown key in tamper_alerts": (
        edit(("    bus_name: cfct-build-tamper-alerts\n", "    topic_name: alerts\n")),
        [
            P(
                98,
                5,
                "baseline.tamper_alerts.topic_name",
                "got unknown key 'topic_name'; expected one of: enabled, bus_name, "
                "email_subscriptions",
            )
        ],
    ),
}


@pytest.mark.parametrize("name", list(BAD))
def test_bad_settings_yield_exact_located_problems(name: str) -> None:
    text, expected = BAD[name]
    assert problems(text) == expected


def test_checks_across_sections_run_once_each_section_is_valid() -> None:
    """The SCP budget of an unknown OU is found only after the budget's own range check."""
    text = EXAMPLE + "guardrails:\n  scp_budget_by_target:\n    My.OU: 1\n    Sandbox: 9\n"
    assert problems(text) == [
        P(END + 4, 14, "guardrails.scp_budget_by_target.Sandbox", "got 9; expected a number <= 5")
    ]
    text = EXAMPLE + "guardrails:\n  scp_budget_by_target:\n    My.OU: 1\n"
    assert problems(text) == [
        P(
            END + 3,
            12,
            "guardrails.scp_budget_by_target.'My.OU'",
            "got 'My.OU'; expected an entry of organization.organizational_units (Security, "
            "Infrastructure, Workloads, Workloads:Prod, Workloads:NonProd, Sandbox)",
        )
    ]


def test_problem_text_names_file_line_column_path_and_value() -> None:
    error = SettingsError(
        [
            P(11, 23, "organization.management_account", "got 1; expected text"),
            Problem(file="s.yaml", path="", message="got nothing; expected a file"),
        ]
    )
    assert str(error) == (
        "s.yaml:11:23: organization.management_account: got 1; expected text\n"
        "s.yaml: (document): got nothing; expected a file"
    )
    assert error.exit_code == 2


# --------------------------------------------------------------------------- valid settings


def test_example_settings_are_typed(settings: Settings) -> None:
    org = settings.organization
    assert (org.id, org.management_account, org.log_archive_account, org.audit_account) == (
        "o-a1b2c3d4e5",
        "111111111111",
        "222222222222",
        "333333333333",
    )
    assert org.home_region == "us-east-1"
    assert org.governed_regions == ["us-east-1", "us-west-2", "eu-west-1"]
    assert org.organizational_units == [
        "Security",
        "Infrastructure",
        "Workloads",
        "Workloads:Prod",
        "Workloads:NonProd",
        "Sandbox",
    ]
    assert settings.key_account_id == "333333333333"
    assert settings.bucket_names == [
        "cfct-build-cloudtrail-222222222222-us-east-1",
        "cfct-build-cloudtrail-access-logs-222222222222-us-east-1",
        "cfct-build-cloudtrail-replica-222222222222-us-west-2",
    ]
    assert [(d.type, d.read_write) for d in settings.trail.data_events] == [
        ("AWS::S3::Object", "write_only"),
        ("AWS::Lambda::Function", "all"),
        ("AWS::DynamoDB::Table", "write_only"),
    ]
    assert settings.bucket.lifecycle.model_dump() == {
        "transitions": [
            {"days": 90, "storage_class": "GLACIER_IR"},
            {"days": 400, "storage_class": "DEEP_ARCHIVE"},
        ],
        "expiration_days": 2557,
        "noncurrent_expiration_days": 30,
        "transition_default_minimum_object_size": "all_storage_classes_128K",
    }


def test_defaults_of_minimal_settings() -> None:
    s = parse_settings(MINIMAL, "s.yaml")
    assert s.model_dump() == {
        "partition": "aws",
        "organization": {
            "id": "o-a1b2c3d4e5",
            "management_account": "111111111111",
            "log_archive_account": "222222222222",
            "audit_account": "333333333333",
            "home_region": "us-east-1",
            "governed_regions": ["us-east-1"],
            "organizational_units": [],
        },
        "exempt_principals": [],
        "bucket": {
            "name_prefix": "cfct-build-cloudtrail",
            "key_prefix": "cloudtrail",
            "object_lock": {
                "mode": "GOVERNANCE",
                "retention_days": 365,
                "acknowledge_compliance_mode": False,
            },
            "lifecycle": {
                "transitions": [],
                "expiration_days": 2557,
                "noncurrent_expiration_days": 30,
                "transition_default_minimum_object_size": "all_storage_classes_128K",
            },
            "access_logs": {"expiration_days": 3653},
            "replica_region": None,
            "deny_uploads_without_kms": False,
        },
        "key": {
            "account": "audit",
            "alias": "cfct-build/cloudtrail",
            "rotation_period_days": 365,
            "admin_roles": [],
            "reader_roles": [],
        },
        "trail": {
            "name": "cfct-build-org-data-events",
            "data_events": [
                {"type": "AWS::S3::Object", "read_write": "write_only"},
                {"type": "AWS::Lambda::Function", "read_write": "all"},
                {"type": "AWS::DynamoDB::Table", "read_write": "write_only"},
            ],
            "exclude_control_tower_buckets": True,
            "management_events": {"enabled": False, "read_write": "all", "exclude_kms": True},
            "insights": [],
            "cloudwatch_logs": {"enabled": False, "retention_days": 365},
            "sns": {"enabled": False},
        },
        "guardrails": {"scp_budget": 3, "scp_budget_by_target": {}},
        "baseline": {
            "own_logs_reader": {
                "enabled": True,
                "role_name": "cfct-build-own-logs-reader",
                "assumable_by": ["aws-reserved/sso.amazonaws.com/*"],
            },
            "tamper_alerts": {
                "enabled": True,
                "bus_name": "cfct-build-tamper-alerts",
                "email_subscriptions": [],
            },
        },
        "query": {
            "enabled": True,
            "workgroup": "cfct-build-log-archive",
            "bytes_scanned_cutoff_gib": 100,
            "results_retention_days": 30,
            "projection_start": dt.date(2026, 1, 1),
            "accounts": [],
            "known_ip_ranges": [],
            "attach_reader_policy": True,
        },
    }


def test_compliance_mode_with_acknowledgement_loads() -> None:
    s = parse_settings(
        edit(
            ("mode: GOVERNANCE", "mode: COMPLIANCE"),
            ("acknowledge_compliance_mode: false", "acknowledge_compliance_mode: true"),
        )
    )
    assert s.bucket.object_lock.model_dump() == {
        "mode": "COMPLIANCE",
        "retention_days": 365,
        "acknowledge_compliance_mode": True,
    }


def test_other_accepted_variants() -> None:
    s = parse_settings(
        edit(
            (
                "    - Sandbox\n",
                "    - Sandbox\n    - Root\n    - A:B:C:D:E\n    - Équipe Données\n",
            ),
            ("account: audit", "account: log_archive"),
            (
                "    - arn:aws:iam::333333333333:role/SecurityKeyAdmin",
                "    - arn:aws:iam::222222222222:role/KeyAdmin",
            ),
            (
                "  - arn:aws:iam::111111111111:role/cfct-build-pipeline",
                "  - arn:aws:iam::*:role/stacksets-exec-*",
            ),
            (
                "    enabled: false\n  insights: []",
                "    enabled: true\n    read_write: read_only\n  insights: [ApiErrorRateInsight]",
            ),
            ("  replica_region: us-west-2\n", ""),
        )
    )
    assert s.organization.organizational_units[-3:] == ["Root", "A:B:C:D:E", "Équipe Données"]
    assert s.key_account_id == "222222222222"
    assert s.exempt_principals[-1] == "arn:aws:iam::*:role/stacksets-exec-*"
    assert s.trail.insights == ["ApiErrorRateInsight"]
    assert s.bucket.replica_region is None
    assert s.bucket_names == [
        "cfct-build-cloudtrail-222222222222-us-east-1",
        "cfct-build-cloudtrail-access-logs-222222222222-us-east-1",
    ]


def test_anchors_and_merge_keys_are_plain_yaml() -> None:
    s = parse_settings(
        edit(
            (
                EXAMPLE_DATA_EVENTS,
                "  data_events:\n"
                "    - &s3 {type: AWS::S3::Object, read_write: write_only}\n"
                "    - {<<: *s3, type: AWS::Lambda::Function}\n",
            ),
            ("  governed_regions:\n", "  governed_regions: &governed\n"),
        )
    )
    assert [(d.type, d.read_write) for d in s.trail.data_events] == [
        ("AWS::S3::Object", "write_only"),
        ("AWS::Lambda::Function", "write_only"),
    ]


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + MINIMAL.encode())
    assert load_settings(path).organization.id == "o-a1b2c3d4e5"


# --------------------------------------------------------------------------- files


def file_problems(path: Path) -> list[Problem]:
    with pytest.raises(SettingsError) as info:
        load_settings(path)
    return info.value.problems


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    assert file_problems(path) == [
        Problem(str(path), "", "got no such file or directory; expected a readable settings file")
    ]


def test_directory_instead_of_file(tmp_path: Path) -> None:
    assert file_problems(tmp_path) == [
        Problem(str(tmp_path), "", "got is a directory; expected a readable settings file")
    ]


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"partition: aws\norganization:\n  id: o-caf\xe9\n")
    assert file_problems(path) == [
        Problem(
            str(path),
            "",
            "got byte 0xe9, which is not UTF-8 (invalid continuation byte); expected a UTF-8 "
            "text file",
            line=3,
            column=12,
        )
    ]


def test_problems_name_the_file_as_given(tmp_path: Path) -> None:
    path = tmp_path / "settings.yaml"
    path.write_text(MINIMAL.replace("o-a1b2c3d4e5", "o-x"), encoding="utf-8")
    assert [str(p) for p in file_problems(path)] == [
        f"{path}:2:7: organization.id: got 'o-x'; expected an organization ID such as "
        "o-a1b2c3d4e5 (o- and 10-32 lowercase letters/digits)"
    ]


def test_every_required_setting_says_what_it_expects() -> None:
    """`missing; expected ...` messages come from REQUIRED_EXPECT: it must cover each one."""
    required: set[str] = set()
    todo: list[type[BaseModel]] = [Settings]
    while todo:
        model = todo.pop()
        for name, field in model.model_fields.items():
            if field.is_required():
                required.add(name)
            for candidate in (field.annotation, *getattr(field.annotation, "__args__", ())):
                if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                    todo.append(candidate)
    assert required == set(config.REQUIRED_EXPECT)


# --------------------------------------------------------------------------- JSON Schema


def test_json_schema_is_valid_draft_2020_12() -> None:
    schema = json_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "cfct-build settings"
    assert schema["required"] == ["organization"]
    assert schema["additionalProperties"] is False


def test_example_settings_satisfy_the_json_schema() -> None:
    import yaml

    data = yaml.safe_load(EXAMPLE)
    assert list(Draft202012Validator(json_schema()).iter_errors(data)) == []


def _schema_errors(data: Any) -> list[tuple[str, str]]:
    validator = Draft202012Validator(json_schema())
    return sorted((e.json_path, e.validator) for e in validator.iter_errors(data))


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            'management_account: "111111111111"',
            "management_account: 111111111111",
            [("$.organization.management_account", "type")],
        ),
        (
            'audit_account: "333333333333"',
            'audit_account: "33333"',
            [("$.organization.audit_account", "pattern")],
        ),
        ("partition: aws", "partition: aws\nregion: x", [("$", "additionalProperties")]),
        ("mode: GOVERNANCE", "mode: LEGAL_HOLD", [("$.bucket.object_lock.mode", "enum")]),
        (
            "    retention_days: 365\n    ack",
            "    retention_days: 0\n    ack",
            [("$.bucket.object_lock.retention_days", "minimum")],
        ),
        (
            "    - eu-west-1\n",
            "    - Europe\n",
            [("$.organization.governed_regions[2]", "pattern")],
        ),
        (
            "type: AWS::Lambda::Function",
            "type: AWS::Lambda::Layer",
            [("$.trail.data_events[1].type", "enum")],
        ),
        (
            "name_prefix: cfct-build-cloudtrail",
            "name_prefix: Logs",
            [("$.bucket.name_prefix", "pattern")],
        ),
    ],
)
def test_json_schema_rejects_bad_settings(
    old: str, new: str, expected: list[tuple[str, str]]
) -> None:
    import yaml

    data = yaml.safe_load(edit((old, new)))
    assert _schema_errors(data) == expected
    with pytest.raises(SettingsError):
        parse_settings(edit((old, new)))

"""Property: any settings file gives a complete package or located errors, nothing else.

Every generated file goes through the real command line, in process:
`main(["build", "-s", FILE, "--out", DIR])`. The outcome must be one of
- exit 0, nothing on stderr, and DIR holding exactly the files of a fresh package build;
- exit 2, nothing on stdout, stderr holding the command's error header and then only located
  problem lines (`FILE:LINE:COL: PATH: got ...; expected ...` or `... missing; expected ...`),
  and DIR not created.
Any other exit code, a traceback (an exception out of `main`), an unlocated line or a partial
output fails the property.

Inputs, from least to most useful: random text and bytes; random YAML documents; line-level
edits of the example file's text; and structural mutations of the example settings (delete,
replace, retype or insert at a random key path), which reach deep into the validators and,
often, still produce valid settings and a full build.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from cfct_build.cli import main
from cfct_build.config import load_settings
from cfct_build.package import build_package
from cfct_build.queries import settings_notes

EXAMPLE_FILE = Path(__file__).resolve().parent.parent / "cfct-build.yaml"
EXAMPLE = EXAMPLE_FILE.read_text(encoding="utf-8")
EXAMPLE_DATA: dict[str, Any] = yaml.safe_load(EXAMPLE)
HEADER = "cfct-build build: error:"

PROPERTY = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=False,
)


def located_line(file: str) -> re.Pattern[str]:
    return re.compile(
        rf"^{re.escape(file)}:[0-9]+:[0-9]+: \S.*?: (got .+; expected .+|missing; expected .+)$"
    )


def check_build(content: str | bytes) -> int:
    """Run `build` on `content`; assert the property; return the exit code."""
    with tempfile.TemporaryDirectory() as tmp:
        settings_file = Path(tmp) / "settings.yaml"
        out_dir = Path(tmp) / "out"
        if isinstance(content, str):
            settings_file.write_text(content, encoding="utf-8")
        else:
            settings_file.write_bytes(content)
        out, err = io.StringIO(), io.StringIO()
        code = main(["build", "-s", str(settings_file), "--out", str(out_dir)], out, err)
        if code == 0:
            notes = settings_notes(load_settings(settings_file))
            assert err.getvalue() == "".join(f"cfct-build build: note: {n}\n" for n in notes)
            package = build_package(load_settings(settings_file))
            written = {
                p.relative_to(out_dir).as_posix(): p.read_bytes()
                for p in out_dir.rglob("*")
                if p.is_file()
            }
            assert written == package.as_bytes()
            assert out.getvalue().splitlines()[-1] == (
                f"{out_dir}: {len(package.files)} files, {len(package.files)} changed"
            )
        else:
            assert code == 2, f"exit {code}: {err.getvalue()}"
            assert out.getvalue() == ""
            lines = err.getvalue().splitlines()
            assert lines[0] == HEADER
            pattern = located_line(str(settings_file))
            assert len(lines) > 1
            for line in lines[1:]:
                assert pattern.match(line), line
            assert not out_dir.exists()
            assert sorted(p.name for p in Path(tmp).iterdir()) == ["settings.yaml"]
        return code


# --------------------------------------------------------------------------- strategies

# Values that fit somewhere in the settings, so that mutations often stay valid.
GOOD_STRINGS = [
    "us-east-1",
    "us-west-2",
    "eu-west-1",
    "111111111111",
    "222222222222",
    "333333333333",
    "o-a1b2c3d4e5",
    "arn:aws:iam::333333333333:role/Reader",
    "arn:aws:iam::*:role/Pipeline*",
    "GOVERNANCE",
    "COMPLIANCE",
    "GLACIER",
    "STANDARD_IA",
    "AWS::S3::Object",
    "AWS::SQS::Queue",
    "ApiErrorRateInsight",
    "all",
    "read_only",
    "write_only",
    "log_archive",
    "management",
    "Workloads:Prod",
    "Root",
    "cfct-build-cloudtrail",
    "org-trail",
]
FIELD_NAMES = sorted(
    {
        "partition",
        "organization",
        "id",
        "management_account",
        "home_region",
        "governed_regions",
        "organizational_units",
        "exempt_principals",
        "bucket",
        "name_prefix",
        "object_lock",
        "mode",
        "retention_days",
        "acknowledge_compliance_mode",
        "lifecycle",
        "transitions",
        "days",
        "storage_class",
        "expiration_days",
        "replica_region",
        "key",
        "account",
        "alias",
        "admin_roles",
        "reader_roles",
        "trail",
        "name",
        "data_events",
        "type",
        "read_write",
        "management_events",
        "enabled",
        "insights",
        "cloudwatch_logs",
        "sns",
        "guardrails",
        "scp_budget",
    }
)

texts = st.text(max_size=40)  # any code point but surrogates, control characters included
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.integers(min_value=0, max_value=4000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=dt.date(1, 1, 1)),
    texts,
    st.sampled_from(GOOD_STRINGS),
)
keys = st.one_of(st.sampled_from(FIELD_NAMES), texts, st.integers(), st.booleans())
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=4)
    ),
    max_leaves=12,
)


def dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path in `node` (the root is `()`)."""
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += paths(v, (*prefix, i))
    return out


def at(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


@st.composite
def mutated_example(draw: st.DrawFn) -> str:
    """The example settings after 1-3 structural edits at random key paths."""
    data = yaml.safe_load(EXAMPLE)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(paths(data)))
        op = draw(st.sampled_from(["delete", "replace", "retype", "insert"]))
        target = at(data, path)
        if op == "delete" and path:
            parent = at(data, path[:-1])
            del parent[path[-1]]
        elif op == "retype" and path:
            parent = at(data, path[:-1])
            parent[path[-1]] = draw(
                st.sampled_from(
                    [
                        str(target),
                        [target],
                        {"value": target},
                        None,
                        len(str(target)),
                    ]
                )
            )
        elif op == "insert" and isinstance(target, dict):
            target[draw(keys)] = draw(values)
        elif op == "insert" and isinstance(target, list):
            target.insert(draw(st.integers(min_value=0, max_value=len(target))), draw(values))
        elif path:
            parent = at(data, path[:-1])
            parent[path[-1]] = draw(values)
    return dump(data)


@st.composite
def edited_example_text(draw: st.DrawFn) -> str:
    """The example file's text with a line deleted, duplicated, re-indented or spliced."""
    lines = EXAMPLE.splitlines(keepends=True)
    i = draw(st.integers(min_value=0, max_value=len(lines) - 1))
    op = draw(st.sampled_from(["delete", "duplicate", "indent", "splice"]))
    if op == "delete":
        del lines[i]
    elif op == "duplicate":
        lines.insert(i, lines[i])
    elif op == "indent":
        lines[i] = " " * draw(st.integers(min_value=1, max_value=3)) + lines[i]
    else:
        column = draw(st.integers(min_value=0, max_value=len(lines[i])))
        lines[i] = lines[i][:column] + draw(texts) + lines[i][column:]
    return "".join(lines)


# --------------------------------------------------------------------------- properties


@settings(PROPERTY, max_examples=40)
@given(texts)
def test_random_text(text: str) -> None:
    event(f"exit {check_build(text)}")


@settings(PROPERTY, max_examples=15)
@given(st.binary(max_size=60))
def test_random_bytes(raw: bytes) -> None:
    event(f"exit {check_build(raw)}")


@settings(PROPERTY, max_examples=40)
@given(values)
def test_random_yaml_documents(data: Any) -> None:
    event(f"exit {check_build(dump(data))}")


@settings(PROPERTY, max_examples=40)
@given(edited_example_text())
def test_line_edits_of_the_example(text: str) -> None:
    event(f"exit {check_build(text)}")


@settings(PROPERTY, max_examples=120)
@given(mutated_example())
def test_structural_mutations_of_the_example(text: str) -> None:
    event(f"exit {check_build(text)}")


def test_the_example_itself_builds() -> None:
    """The valid branch of the property is reachable: the example builds in full."""
    assert check_build(EXAMPLE) == 0


def test_a_located_error_leaves_no_output() -> None:
    """The error branch of the property, on a known input."""
    assert check_build(EXAMPLE.replace('"111111111111"', "111111111111", 1)) == 2


def _regex(pattern: str) -> st.SearchStrategy[str]:
    return st.from_regex(pattern, fullmatch=True)


@st.composite
def plausible_settings(draw: st.DrawFn) -> str:
    """Settings drawn field by field from their documented shapes: mostly valid, so the
    builders and the validator meet unusual names, sizes and combinations."""
    ou_name = _regex(r"[A-Za-z0-9À-ÿ][A-Za-z0-9À-ÿ ._-]{0,20}[A-Za-z0-9]").filter(
        lambda n: n != "Root"
    )
    ou = st.lists(ou_name, min_size=1, max_size=3).map(":".join)
    governed = draw(
        st.lists(
            st.sampled_from(["us-east-1", "us-west-2", "eu-west-1", "ap-south-1"]),
            min_size=1,
            max_size=4,
            unique=True,
        )
    )
    role = _regex(r"[A-Za-z0-9+=,.@_-]{1,30}")
    # Mostly valid transitions: classes in S3's order, 30+ days apart (sometimes not).
    order = ["STANDARD_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"]
    classes = draw(
        st.lists(st.sampled_from(order), max_size=3, unique=True).map(
            lambda picked: sorted(picked, key=order.index)
        )
    )
    days = 0
    transitions = []
    for c in classes:
        days += draw(st.integers(min_value=25, max_value=200))
        transitions.append((days, c))
    retention = draw(st.integers(min_value=1, max_value=3000))
    data: dict[str, Any] = {
        "organization": {
            "id": draw(_regex(r"o-[a-z0-9]{10,32}")),
            "management_account": "111111111111",
            "log_archive_account": draw(st.sampled_from(["222222222222", "012345678901"])),
            "audit_account": "333333333333",
            "home_region": governed[0],
            "governed_regions": governed,
            "organizational_units": draw(
                st.lists(st.one_of(st.just("Root"), ou), max_size=4, unique=True)
            ),
        },
        "exempt_principals": [
            f"arn:aws:iam::{a}:role/{r}"
            for a, r in draw(
                st.lists(
                    st.tuples(st.sampled_from(["*", "111111111111"]), role), max_size=3, unique=True
                )
            )
        ],
        "bucket": {
            "name_prefix": draw(_regex(r"[a-z0-9]([a-z0-9]|-(?=[a-z0-9])){2,20}")),
            "key_prefix": draw(_regex(r"[A-Za-z0-9_-]{1,10}(/[A-Za-z0-9_-]{1,10}){0,2}")),
            "object_lock": {
                "mode": draw(st.sampled_from(["GOVERNANCE", "COMPLIANCE"])),
                "retention_days": retention,
                "acknowledge_compliance_mode": True,
            },
            "lifecycle": {
                "transitions": [{"days": d, "storage_class": c} for d, c in transitions],
                "expiration_days": draw(
                    st.integers(min_value=max(retention, days + 1), max_value=4000)
                ),
                # any length: Object Lock, not the lifecycle, keeps a version for the retention
                "noncurrent_expiration_days": draw(st.integers(min_value=1, max_value=4000)),
                "transition_default_minimum_object_size": draw(
                    st.sampled_from(["all_storage_classes_128K", "varies_by_storage_class"])
                ),
            },
            "replica_region": draw(st.sampled_from([None, *governed[1:]])),
            "deny_uploads_without_kms": draw(st.booleans()),
        },
        "key": {
            "account": draw(st.sampled_from(["audit", "log_archive", "management"])),
            "alias": draw(
                _regex(r"[A-Za-z0-9_-]{1,20}(/[A-Za-z0-9_-]{1,20})?").filter(
                    lambda a: not a.lower().startswith(("aws", "alias"))
                )
            ),
            "rotation_period_days": draw(st.integers(min_value=90, max_value=2560)),
            "reader_roles": [
                f"arn:aws:iam::222222222222:role/{r}"
                for r in draw(st.lists(role, max_size=2, unique=True))
            ],
        },
        "trail": {
            "name": draw(
                _regex(r"[A-Za-z][A-Za-z0-9]{1,10}([_.-][A-Za-z0-9]{1,10}){0,3}[A-Za-z0-9]")
            ),
            "data_events": [
                {"type": t, "read_write": draw(st.sampled_from(["all", "read_only", "write_only"]))}
                for t in draw(
                    st.lists(
                        st.sampled_from(
                            [
                                "AWS::S3::Object",
                                "AWS::Lambda::Function",
                                "AWS::DynamoDB::Table",
                                "AWS::SNS::Topic",
                                "AWS::S3Express::Object",
                                "AWS::KMS::Key",
                            ]
                        ),
                        min_size=1,
                        max_size=6,
                        unique=True,
                    )
                )
            ],
            "management_events": {"enabled": draw(st.booleans())},
            "cloudwatch_logs": {"enabled": draw(st.booleans())},
            "sns": {"enabled": draw(st.booleans())},
        },
    }
    return dump(data)


@settings(PROPERTY, max_examples=40)
@given(plausible_settings())
def test_plausible_settings(text: str) -> None:
    event(f"exit {check_build(text)}")

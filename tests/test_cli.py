"""The command line: `build` (and `--check`), `package`, `schema`, `--version`, documentation.

Each test runs `main([...], out, err)` in process and asserts the exit code and the exact text
on stdout and stderr; the files are compared byte for byte. (`validate` and `bootstrap` have
their own tests.)
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

import cfct_build
from cfct_build import cli
from cfct_build.cli import main
from cfct_build.config import json_schema, load_settings
from cfct_build.package import build_package

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "cfct-build.yaml"
# The example settings leave management events to Control Tower's trail: build says what the
# named queries then cannot find (a note on stderr; the exit code is unchanged).
NOTE = (
    "cfct-build build: note: trail.management_events.enabled is false, so the log archive "
    "holds no management events: the named queries for role assumptions, console logins "
    "without MFA and attempts to stop or change the trail, log buckets or key find nothing, and "
    "the root-activity query only root's data events. Control Tower's own trail records "
    "management events, in its own bucket, which the query table does not read. Set "
    "trail.management_events.enabled: true to query them here (README, Query path).\n"
)
PACKAGE_FILES = [
    "manifest.yaml",
    "policies/cfct-build-log-archive-guardrails-1.json",
    "templates/account-baseline.template",
    "templates/log-archive-bucket.template",
    "templates/log-archive-key.template",
    "templates/log-archive-query.template",
    "templates/log-archive-replica.template",
    "templates/org-trail.template",
    "templates/tamper-alerts.template",
]


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def files_in(directory: Path) -> dict[str, bytes]:
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def expected_files() -> dict[str, bytes]:
    return build_package(load_settings(EXAMPLE)).as_bytes()


@pytest.fixture
def built(tmp_path: Path) -> Path:
    """A directory holding a fresh build of the example settings."""
    out = tmp_path / "pkg"
    assert run("build", "-s", str(EXAMPLE), "--out", str(out))[0] == 0
    return out


# --------------------------------------------------------------------------- build


def test_build_writes_the_package(tmp_path: Path, expected_files: dict[str, bytes]) -> None:
    out = tmp_path / "pkg"
    assert run("build", "-s", str(EXAMPLE), "--out", str(out)) == (
        0,
        "".join(f"  created  {f}\n" for f in PACKAGE_FILES) + f"{out}: 9 files, 9 changed\n",
        NOTE,
    )
    assert list(expected_files) == PACKAGE_FILES
    assert files_in(out) == expected_files


def test_a_second_build_changes_nothing(built: Path) -> None:
    before = {p: (p.read_bytes(), p.stat().st_ino) for p in built.rglob("*") if p.is_file()}
    assert run("build", "-s", str(EXAMPLE), "--out", str(built)) == (
        0,
        f"{built}: 9 files, 0 changed\n",
        NOTE,
    )
    after = {p: (p.read_bytes(), p.stat().st_ino) for p in built.rglob("*") if p.is_file()}
    assert after == before  # same bytes, and not even rewritten


def test_build_leaves_files_it_does_not_own(built: Path) -> None:
    (built / "README.md").write_text("mine\n")
    (built / "parameters").mkdir()
    (built / "other").mkdir()
    (built / "other" / "notes.txt").write_text("mine too\n")
    assert run("build", "-s", str(EXAMPLE), "--out", str(built))[0] == 0
    assert (built / "README.md").read_text() == "mine\n"
    assert (built / "other" / "notes.txt").read_text() == "mine too\n"


def test_check_passes_on_a_fresh_build(built: Path) -> None:
    assert run("build", "-s", str(EXAMPLE), "--out", str(built), "--check") == (
        0,
        f"{built}: up to date (9 files)\n",
        NOTE,
    )


def stale(built: Path) -> None:
    """Change one file, delete one, add one in an owned folder and one outside."""
    trail = built / "templates/org-trail.template"
    trail.write_bytes(trail.read_bytes().replace(b"true", b"false", 1))
    (built / "policies/cfct-build-log-archive-guardrails-1.json").unlink()
    (built / "templates/old.template").write_text("{}\n")
    (built / "notes.txt").write_text("not cfct-build's\n")


def test_check_lists_exactly_the_stale_files_and_writes_nothing(built: Path) -> None:
    stale(built)
    before = files_in(built)
    assert run("build", "-s", str(EXAMPLE), "--out", str(built), "--check") == (
        1,
        "",
        f"{NOTE}{built}: the package differs from a fresh build of {EXAMPLE}:\n"
        "  changed  templates/org-trail.template\n"
        "  missing  policies/cfct-build-log-archive-guardrails-1.json\n"
        "  extra    templates/old.template\n"
        "Run `cfct-build build` and commit the result.\n",
    )
    assert files_in(built) == before


def test_check_of_an_empty_directory_lists_every_file_missing(tmp_path: Path) -> None:
    assert run("build", "-s", str(EXAMPLE), "--out", str(tmp_path), "--check") == (
        1,
        "",
        f"{NOTE}{tmp_path}: the package differs from a fresh build of {EXAMPLE}:\n"
        + "".join(f"  missing  {f}\n" for f in PACKAGE_FILES)
        + "Run `cfct-build build` and commit the result.\n",
    )
    assert list(tmp_path.iterdir()) == []


def test_build_repairs_a_stale_directory(built: Path, expected_files: dict[str, bytes]) -> None:
    stale(built)
    assert run("build", "-s", str(EXAMPLE), "--out", str(built)) == (
        0,
        "  created  policies/cfct-build-log-archive-guardrails-1.json\n"
        "  updated  templates/org-trail.template\n"
        "  removed  templates/old.template\n"
        f"{built}: 9 files, 3 changed\n",
        NOTE,
    )
    assert files_in(built) == {**expected_files, "notes.txt": b"not cfct-build's\n"}
    assert run("build", "-s", str(EXAMPLE), "--out", str(built), "--check")[0] == 0


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("  management_events:\n    enabled: false\n", "  management_events:\n    enabled: true\n"),
        ("query:\n  enabled: true\n", "query:\n  enabled: false\n"),
    ],
    ids=["management-events-on", "query-path-off"],
)
def test_no_note_when_the_queries_can_find_management_events_or_there_are_none(
    tmp_path: Path, old: str, new: str
) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert text.count(old) == 1
    settings = tmp_path / "settings.yaml"
    settings.write_text(text.replace(old, new), encoding="utf-8")
    code, _out, err = run("build", "-s", str(settings), "--out", str(tmp_path / "pkg"))
    assert (code, err) == (0, "")


# --------------------------------------------------------------------------- bad settings


BAD_SETTINGS = EXAMPLE.read_text().replace(
    'management_account: "111111111111"', "management_account: 111111111111"
)
BAD_LINE = (
    ":11:23: organization.management_account: got 111111111111 (a number); expected a "
    '12-digit AWS account ID in quotes, e.g. "123456789012" (unquoted, YAML reads it as a '
    "number, and as an octal number if it starts with 0)"
)


@pytest.mark.parametrize(
    "argv",
    [
        ["build", "--out", "{tmp}/pkg"],
        ["build", "--out", "{tmp}/pkg", "--check"],
        ["package", "-o", "{tmp}/pkg/p.zip"],
    ],
)
def test_bad_settings_exit_2_and_write_nothing(tmp_path: Path, argv: list[str]) -> None:
    settings = tmp_path / "settings.yaml"
    settings.write_text(BAD_SETTINGS)
    args = [a.format(tmp=tmp_path) for a in argv] + ["-s", str(settings)]
    assert run(*args) == (2, "", f"cfct-build {argv[0]}: error:\n{settings}{BAD_LINE}\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["settings.yaml"]


def test_missing_settings_file_exits_2(tmp_path: Path) -> None:
    settings = tmp_path / "nope.yaml"
    assert run("build", "-s", str(settings), "--out", str(tmp_path / "pkg")) == (
        2,
        "",
        "cfct-build build: error:\n"
        f"{settings}: (document): got no such file or directory; expected a readable settings "
        "file\n",
    )
    assert list(tmp_path.iterdir()) == []


def test_bad_settings_keep_an_existing_package_untouched(built: Path, tmp_path: Path) -> None:
    settings = tmp_path / "settings.yaml"
    settings.write_text(BAD_SETTINGS.replace("mode: GOVERNANCE", "mode: COMPLIANCE"))
    before = files_in(built)
    code, out, err = run("build", "-s", str(settings), "--out", str(built))
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "cfct-build build: error:",
        f"{settings}{BAD_LINE}",
        f"{settings}:38:11: bucket.object_lock.mode: got 'COMPLIANCE' without "
        "acknowledge_compliance_mode: true; expected GOVERNANCE, or COMPLIANCE with "
        "bucket.object_lock.acknowledge_compliance_mode: true (COMPLIANCE retention can never "
        "be shortened or removed, not even by the root user)",
    ]
    assert files_in(built) == before


# --------------------------------------------------------------------------- package


def zip_entries(path: Path) -> list[tuple[str, tuple[int, ...], int, int]]:
    with zipfile.ZipFile(path) as zf:
        return [
            (i.filename, i.date_time, i.external_attr >> 16, i.compress_type) for i in zf.infolist()
        ]


def test_package_writes_a_deterministic_zip(
    tmp_path: Path, expected_files: dict[str, bytes]
) -> None:
    first, second = tmp_path / "a" / "cfct.zip", tmp_path / "b.zip"
    assert run("package", "-s", str(EXAMPLE), "-o", str(first)) == (0, f"{first}: 9 files\n", "")
    assert run("package", "-s", str(EXAMPLE), "-o", str(second)) == (0, f"{second}: 9 files\n", "")
    assert first.read_bytes() == second.read_bytes()
    assert zip_entries(first) == [
        (name, (1980, 1, 1, 0, 0, 0), 0o644, zipfile.ZIP_DEFLATED) for name in PACKAGE_FILES
    ]
    with zipfile.ZipFile(first) as zf:
        assert {n: zf.read(n) for n in zf.namelist()} == expected_files
    assert sorted(p.name for p in first.parent.iterdir()) == ["cfct.zip"]  # no temp file left


def test_package_into_a_directory_uses_cfcts_zip_name(tmp_path: Path) -> None:
    target = tmp_path / "custom-control-tower-configuration.zip"
    assert run("package", "-s", str(EXAMPLE), "-o", str(tmp_path)) == (
        0,
        f"{target}: 9 files\n",
        "",
    )
    assert [p.name for p in tmp_path.iterdir()] == [target.name]
    assert zip_entries(target)[0][0] == "manifest.yaml"


# --------------------------------------------------------------------------- schema, version


def test_schema_prints_the_json_schema() -> None:
    code, out, err = run("schema")
    assert (code, err) == (0, "")
    assert out == json.dumps(json_schema(), indent=2, sort_keys=True) + "\n"
    schema = json.loads(out)
    Draft202012Validator.check_schema(schema)
    assert sorted(schema["properties"]) == [
        "baseline",
        "bucket",
        "exempt_principals",
        "guardrails",
        "key",
        "organization",
        "partition",
        "query",
        "trail",
    ]


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("--version") == (0, "", "")  # argparse prints to sys.stdout itself
    assert capsys.readouterr().out == f"cfct-build {cfct_build.__version__}\n"
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert cfct_build.__version__ == pyproject["project"]["version"]


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("frobnicate") == (2, "", "")
    assert "invalid choice: 'frobnicate'" in capsys.readouterr().err
    assert run() == (2, "", "")
    assert "the following arguments are required: COMMAND" in capsys.readouterr().err


def test_the_console_script_runs_as_a_module(built: Path) -> None:
    argv = ["build", "-s", str(EXAMPLE), "-o", str(built), "--check"]
    result = subprocess.run(
        [sys.executable, "-m", "cfct_build", *argv],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        f"{built}: up to date (9 files)\n",
        NOTE,
    )


# --------------------------------------------------------------------------- documentation


def registered_commands() -> list[str]:
    actions = [a for a in cli._parser()._actions if isinstance(a, argparse._SubParsersAction)]
    assert len(actions) == 1
    return list(actions[0].choices)


def test_every_registered_command_has_a_handler() -> None:
    assert registered_commands() == list(cli.COMMANDS)


def test_every_command_is_documented_in_the_readme() -> None:
    readme = REPO / "README.md"
    if not readme.is_file():
        pytest.skip("README.md does not exist yet (the lead writes it); nothing to check")
    text = readme.read_text(encoding="utf-8")
    undocumented = [c for c in registered_commands() if f"`cfct-build {c}`" not in text]
    assert undocumented == []

"""`cfct-build validate`: exact text and JSON output, exit codes, directories and zips."""

from __future__ import annotations

import io
import json
from pathlib import Path

from cfct_build.cli import main
from cfct_build.package import zip_bytes

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ACCOUNTS = FIXTURES / "bad" / "CFCT-M011-accounts"
REGIONS = FIXTURES / "bad" / "CFCT-M019-regions"
MINIMAL = FIXTURES / "good" / "minimal"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["validate", *argv], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_text_report_and_exit_code_1_on_errors() -> None:
    assert run(str(ACCOUNTS)) == (
        1,
        "manifest.yaml:11: error CFCT-M011: resources.0.deployment_targets.accounts.0: unquoted "
        "account ID 111111111111 is a YAML number, not a string: quote every account ID (an "
        'unquoted one with a leading zero is read as octal): "111111111111"\n'
        "manifest.yaml:12: error CFCT-M011: resources.0.deployment_targets.accounts.1: unquoted "
        "account ID 012345670123 is read by YAML as the octal number 1402433619: CfCT would look "
        "for an account named '1402433619' and silently drop it; quote it: \"012345670123\"\n"
        "manifest.yaml:13: error CFCT-M011: resources.0.deployment_targets.accounts.2: "
        "'12345678901' is not a 12-digit account ID: CfCT would look for an account with that "
        "name and silently drop the entry\n"
        "manifest.yaml:14: warning CFCT-M011: resources.0.deployment_targets.accounts.3: 'Log "
        "Archive' is an account name: CfCT resolves it at deploy time (case-insensitive) and "
        "silently drops it if no active account has that name; prefer the 12-digit ID\n"
        "manifest.yaml:15: error CFCT-M011: resources.0.deployment_targets.accounts.4: empty "
        "entry: expected a quoted 12-digit account ID\n"
        "4 error(s), 1 warning(s), 0 info\n",
        "",
    )


def test_json_report() -> None:
    code, out, err = run("--format", "json", "--no-lint", str(REGIONS))
    assert (code, err) == (1, "")
    assert json.loads(out) == {
        "findings": [
            {
                "file": "manifest.yaml",
                "id": "CFCT-M019",
                "line": 14,
                "message": "'eu-west' is not an AWS Region name (like us-east-1)",
                "path": "resources.0.regions.1",
                "severity": "error",
            },
            {
                "file": "manifest.yaml",
                "id": "CFCT-M019",
                "line": 15,
                "message": "empty entry: expected a Region name like us-east-1",
                "path": "resources.0.regions.2",
                "severity": "error",
            },
        ],
        "summary": {"errors": 2, "findings": 2, "infos": 0, "warnings": 0},
    }
    assert out == json.dumps(json.loads(out), indent=2, sort_keys=True) + "\n"


def test_clean_package_exits_0() -> None:
    assert run(str(MINIMAL)) == (0, "0 error(s), 0 warning(s), 0 info\n", "")


def test_warnings_alone_exit_0() -> None:
    code, out, _ = run("--no-lint", str(FIXTURES / "bad" / "CFCT-P004-unreferenced"))
    assert (code, out.splitlines()[-1]) == (0, "0 error(s), 4 warning(s), 0 info")


def test_zip_package(tmp_path: Path) -> None:
    files = {
        p.relative_to(MINIMAL).as_posix(): p.read_bytes() for p in MINIMAL.rglob("*") if p.is_file()
    }
    target = tmp_path / "custom-control-tower-configuration.zip"
    target.write_bytes(zip_bytes(files))
    assert run(str(target)) == (0, "0 error(s), 0 warning(s), 0 info\n", "")


def test_zip_with_the_package_in_a_folder(tmp_path: Path) -> None:
    """CfCT's build also accepts custom-control-tower-configuration/manifest.yaml in the zip."""
    files = {
        "custom-control-tower-configuration/" + p.relative_to(REGIONS).as_posix(): p.read_bytes()
        for p in REGIONS.rglob("*")
        if p.is_file()
    }
    target = tmp_path / "pkg.zip"
    target.write_bytes(zip_bytes(files))
    code, out, _ = run("--no-lint", str(target))
    assert (code, out.splitlines()[-1]) == (1, "2 error(s), 0 warning(s), 0 info")


def test_unreadable_zip_is_an_error_finding(tmp_path: Path) -> None:
    target = tmp_path / "pkg.zip"
    target.write_bytes(b"not a zip")
    assert run(str(target)) == (
        1,
        "(package): error CFCT-P001: pkg.zip is not a readable zip file (File is not a zip "
        "file)\n1 error(s), 0 warning(s), 0 info\n",
        "",
    )


def test_missing_directory_exits_2(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    assert run(str(missing)) == (
        2,
        "",
        f"cfct-build validate: {missing}: not a directory or a .zip package\n",
    )


def test_directory_without_manifest() -> None:
    assert run(str(FIXTURES / "bad" / "CFCT-P001-no-manifest")) == (
        1,
        "(package): error CFCT-P001: no manifest.yaml at the package root: CfCT needs it at the "
        "root of custom-control-tower-configuration.zip\n1 error(s), 0 warning(s), 0 info\n",
        "",
    )

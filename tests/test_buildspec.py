"""buildspec.yml: no drift between the CodeBuild steps and the project.

The buildspec is read as CodeBuild reads it; then its commands are executed by bash, in phase
order, with `python3` and `.venv/bin/cfct-build` replaced by stubs that record their
arguments, under the environment variables CodeBuild (webhook, manual start, CodePipeline)
would set. Every recorded `cfct-build` call is parsed by the CLI's own argparse parser and
every `python3 dev.py <command>` must be a dev.py command; report and artifact paths must be
the files those commands write; publish must run only for a succeeding build of the publish
branch.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from cfct_build.cli import COMMANDS, _parser

REPO = Path(__file__).resolve().parent.parent
BUILDSPEC = REPO / "buildspec.yml"
PHASES = ["install", "pre_build", "build", "post_build"]
ZIP = "dist/custom-control-tower-configuration.zip"
COMMIT = "0123456789abcdef0123456789abcdef01234567"

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")


def spec() -> dict[str, Any]:
    data = yaml.safe_load(BUILDSPEC.read_text())
    assert isinstance(data, dict)
    return data


def dev_commands() -> dict[str, str]:
    """dev.py's sub-commands and the functions they call (its `commands` table in main)."""
    tree = ast.parse((REPO / "dev.py").read_text())
    functions = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    main = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "main")
    table = next(
        n
        for n in ast.walk(main)
        if isinstance(n, ast.Dict) and n.keys and all(isinstance(k, ast.Constant) for k in n.keys)
    )
    commands = {
        k.value: v.id  # type: ignore[union-attr]
        for k, v in zip(table.keys, table.values, strict=True)
    }
    assert set(commands.values()) <= functions
    return commands


# --------------------------------------------------------------------------- the document


def test_codebuild_settings() -> None:
    s = spec()
    assert list(s) == ["version", "env", "phases", "reports", "artifacts", "cache"]
    assert s["version"] == 0.2
    assert s["env"] == {
        "shell": "bash",
        "variables": {"CFCT_SETTINGS": "cfct-build.yaml", "PUBLISH_BRANCH": "main"},
    }
    assert list(s["phases"]) == PHASES
    assert s["phases"]["install"]["runtime-versions"] == {"python": 3.11}
    assert {p: sorted(v) for p, v in s["phases"].items()} == {
        "install": ["commands", "runtime-versions"],
        "pre_build": ["commands"],
        "build": ["commands"],
        "post_build": ["commands"],
    }
    assert s["reports"] == {
        "cfct-build-tests": {
            "files": ["pytest.xml"],
            "base-directory": "reports",
            "file-format": "JUNITXML",
        },
        "cfct-build-validate": {
            "files": ["validate.xml"],
            "base-directory": "reports",
            "file-format": "JUNITXML",
        },
    }
    assert s["artifacts"] == {
        "files": ["custom-control-tower-configuration.zip"],
        "base-directory": "dist",
        "name": "custom-control-tower-configuration",
    }
    assert s["cache"] == {"paths": ["/root/.cache/pip/**/*"]}


def all_commands() -> list[str]:
    return [c for phase in PHASES for c in spec()["phases"][phase]["commands"]]


def test_every_command_names_something_that_exists() -> None:
    """Read statically, so a line no scenario below executes cannot drift either."""
    text = "\n".join(all_commands())
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    tools = re.findall(r"\.venv/bin/([\w-]+)", text)
    assert sorted(set(tools)) == ["cfct-build"]
    assert set(tools) <= set(scripts)
    assert sorted(set(re.findall(r"\.venv/bin/cfct-build (\w[\w-]*)", text))) == [
        "build",
        "guard",
        "package",
        "validate",
    ]
    assert sorted(set(re.findall(r"\bargs=\((\w[\w-]*)", text))) == ["publish"]
    assert set(re.findall(r"\.venv/bin/cfct-build (\w[\w-]*)", text)) <= set(COMMANDS)
    assert sorted(set(re.findall(r"python3 dev\.py (\S+)", text))) == [
        "setup",
        "taskcat-lint",
        "test",
    ]
    assert set(re.findall(r"python3 dev\.py (\S+)", text)) <= set(dev_commands())
    scripts_run = re.findall(r"python3 (\S+\.py)", text)
    assert scripts_run and all((REPO / p).is_file() for p in scripts_run)


# --------------------------------------------------------------------------- executing it

STUB = """#!/usr/bin/env bash
{{ printf '%s' "{name}"; printf '\\037%s' "$@"; printf '\\n'; }} >> "$STUB_LOG"
"""


def run_buildspec(tmp_path: Path, env: dict[str, str]) -> tuple[list[list[str]], str]:
    """Run every phase's commands in one bash (CodeBuild 0.2 keeps one shell), stubbed."""
    work, bin_dir = tmp_path / "src", tmp_path / "bin"
    (work / ".venv" / "bin").mkdir(parents=True)
    bin_dir.mkdir()
    for path, name in (
        (bin_dir / "python3", "python3"),
        (work / ".venv/bin/cfct-build", "cfct-build"),
    ):
        path.write_text(STUB.format(name=name))
        path.chmod(0o755)
    log = tmp_path / "calls.log"
    log.touch()
    script = "set -euo pipefail\n" + "\n".join(all_commands()) + "\n"
    environment = {
        "PATH": f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin",
        "HOME": str(tmp_path),
        "STUB_LOG": str(log),
        **{k: str(v) for k, v in spec()["env"]["variables"].items()},  # buildspec defaults
        **env,  # the project's and the start-build's values win
    }
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=work,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert sorted(p.name for p in work.iterdir()) == [".venv", "dist", "reports"]
    calls = [line.split("\x1f") for line in log.read_text().splitlines()]
    for call in calls:
        if call[0] == "cfct-build":
            args = _parser().parse_args(call[1:])  # exits (fails the test) on drift
            assert args.command in COMMANDS
        else:
            assert call[:2] == ["python3", "dev.py"]
            assert call[2] in dev_commands()
    return calls, done.stdout


CHECKS = [
    ["python3", "dev.py", "setup"],
    ["cfct-build", "build", "--check", "--settings", "cfct-build.yaml"],
    ["cfct-build", "validate", "--format", "junit", "--output", "reports/validate.xml"],
    ["cfct-build", "guard", "--settings", "cfct-build.yaml"],
    ["python3", "dev.py", "taskcat-lint"],
    ["python3", "dev.py", "test", "--junitxml=reports/pytest.xml"],
    ["cfct-build", "package", "--settings", "cfct-build.yaml", "--output", ZIP],
]
PUBLISH = ["cfct-build", "publish", "--settings", "cfct-build.yaml", "--zip", ZIP]


def test_main_branch_runs_every_check_then_publishes(tmp_path: Path) -> None:
    calls, out = run_buildspec(
        tmp_path,
        {"CODEBUILD_WEBHOOK_HEAD_REF": "refs/heads/main", "CODEBUILD_BUILD_SUCCEEDING": "1"},
    )
    assert calls == [*CHECKS, PUBLISH]
    assert out == ""


def test_report_and_artifact_paths_are_the_files_the_commands_write(tmp_path: Path) -> None:
    calls, _ = run_buildspec(
        tmp_path,
        {"CODEBUILD_WEBHOOK_HEAD_REF": "refs/heads/main", "CODEBUILD_BUILD_SUCCEEDING": "1"},
    )
    validate = _parser().parse_args(calls[2][1:])
    tests = next(c for c in calls if c[:3] == ["python3", "dev.py", "test"])
    junitxml = [a.split("=", 1)[1] for a in tests if a.startswith("--junitxml=")]
    reports = {
        name: [f"{group['base-directory']}/{f}" for f in group["files"]]
        for name, group in spec()["reports"].items()
    }
    assert reports == {"cfct-build-tests": junitxml, "cfct-build-validate": [validate.output]}
    assert validate.format == "junit"
    package = _parser().parse_args(calls[6][1:])
    publish = _parser().parse_args(calls[7][1:])
    artifacts = spec()["artifacts"]
    assert [f"{artifacts['base-directory']}/{f}" for f in artifacts["files"]] == [package.output]
    assert publish.zip == package.output
    assert publish.settings == package.settings == "cfct-build.yaml"


SKIPPED_FEATURE = "publish: skipped: branch 'feature' is not PUBLISH_BRANCH 'main'\n"
SKIPPED_UNKNOWN = "publish: skipped: branch 'unknown' is not PUBLISH_BRANCH 'main'\n"


@pytest.mark.parametrize(
    ("env", "published", "out"),
    [
        ({"CODEBUILD_WEBHOOK_HEAD_REF": "refs/heads/main"}, True, ""),
        ({"CODEBUILD_WEBHOOK_HEAD_REF": "refs/heads/feature"}, False, SKIPPED_FEATURE),
        (
            {"CODEBUILD_WEBHOOK_HEAD_REF": "refs/tags/v1"},
            False,
            "publish: skipped: branch 'refs/tags/v1' is not PUBLISH_BRANCH 'main'\n",
        ),
        # CodePipeline: the source version is a commit; the branch comes from SOURCE_BRANCH
        ({"CODEBUILD_SOURCE_VERSION": COMMIT}, False, SKIPPED_UNKNOWN),
        ({"CODEBUILD_SOURCE_VERSION": COMMIT, "SOURCE_BRANCH": "main"}, True, ""),
        ({"CODEBUILD_SOURCE_VERSION": COMMIT, "SOURCE_BRANCH": "feature"}, False, SKIPPED_FEATURE),
        # start-build --source-version
        ({"CODEBUILD_SOURCE_VERSION": "main"}, True, ""),
        ({"CODEBUILD_SOURCE_VERSION": "refs/heads/main"}, True, ""),
        ({"CODEBUILD_SOURCE_VERSION": "feature"}, False, SKIPPED_FEATURE),
        ({"CODEBUILD_SOURCE_VERSION": "pr/12"}, False, SKIPPED_UNKNOWN),
        ({"CODEBUILD_SOURCE_VERSION": "arn:aws:s3:::b/source.zip"}, False, SKIPPED_UNKNOWN),
        ({}, False, SKIPPED_UNKNOWN),
        # SOURCE_BRANCH wins over what CodeBuild reports
        (
            {"CODEBUILD_WEBHOOK_HEAD_REF": "refs/heads/main", "SOURCE_BRANCH": "feature"},
            False,
            SKIPPED_FEATURE,
        ),
        # another publish branch
        (
            {"CODEBUILD_WEBHOOK_HEAD_REF": "refs/heads/release", "PUBLISH_BRANCH": "release"},
            True,
            "",
        ),
        (
            {"CODEBUILD_WEBHOOK_HEAD_REF": "refs/heads/main", "PUBLISH_BRANCH": "release"},
            False,
            "publish: skipped: branch 'main' is not PUBLISH_BRANCH 'release'\n",
        ),
    ],
)
def test_publish_is_gated_on_the_branch(
    tmp_path: Path, env: dict[str, str], published: bool, out: str
) -> None:
    calls, stdout = run_buildspec(tmp_path, {"CODEBUILD_BUILD_SUCCEEDING": "1", **env})
    assert (calls, stdout) == ([*CHECKS, PUBLISH] if published else CHECKS, out)


@pytest.mark.parametrize("succeeding", ["0", None])
def test_a_failing_build_never_publishes(tmp_path: Path, succeeding: str | None) -> None:
    """post_build runs after a failed build phase too; CODEBUILD_BUILD_SUCCEEDING says so."""
    env = {"CODEBUILD_WEBHOOK_HEAD_REF": "refs/heads/main"}
    if succeeding is not None:
        env["CODEBUILD_BUILD_SUCCEEDING"] = succeeding
    assert run_buildspec(tmp_path, env) == (CHECKS, "publish: skipped: a check failed\n")


def test_bucket_dry_run_settings_and_guard_registry_from_the_environment(tmp_path: Path) -> None:
    calls, out = run_buildspec(
        tmp_path,
        {
            "CODEBUILD_WEBHOOK_HEAD_REF": "refs/heads/main",
            "CODEBUILD_BUILD_SUCCEEDING": "1",
            "CFCT_SETTINGS": "org/settings file.yaml",
            "CFCT_SOURCE_BUCKET": "my-cfct-bucket",
            "PUBLISH_DRY_RUN": "true",
            "GUARD_REGISTRY": "/opt/guard rules",
        },
    )
    settings = ["--settings", "org/settings file.yaml"]
    assert calls == [
        ["python3", "dev.py", "setup"],
        ["cfct-build", "build", "--check", *settings],
        ["cfct-build", "validate", "--format", "junit", "--output", "reports/validate.xml"],
        ["cfct-build", "guard", *settings, "--registry", "/opt/guard rules"],
        ["python3", "dev.py", "taskcat-lint"],
        ["python3", "dev.py", "test", "--junitxml=reports/pytest.xml"],
        ["cfct-build", "package", *settings, "--output", ZIP],
        [
            "cfct-build",
            "publish",
            *settings,
            "--zip",
            ZIP,
            "--bucket",
            "my-cfct-bucket",
            "--dry-run",
        ],
    ]
    assert out == ""
    assert _parser().parse_args(calls[-1][1:]).bucket == "my-cfct-bucket"


def test_empty_bucket_means_the_default(tmp_path: Path) -> None:
    calls, _ = run_buildspec(
        tmp_path,
        {
            "CODEBUILD_SOURCE_VERSION": "main",
            "CODEBUILD_BUILD_SUCCEEDING": "1",
            "CFCT_SOURCE_BUCKET": "",
            "PUBLISH_DRY_RUN": "false",
        },
    )
    assert calls[-1] == PUBLISH
    assert _parser().parse_args(calls[-1][1:]).bucket is None

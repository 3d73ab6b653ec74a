"""buildspec.yml: no drift between the CodeBuild steps and the project.

The buildspec is read as CodeBuild reads it; then its commands are executed by bash, in phase
order, with `python3` and `.venv/bin/cfct-build` replaced by stubs that record their
arguments, under the environment variables CodeBuild (webhook, manual start, CodePipeline)
would set. Every recorded `cfct-build` call is parsed by the CLI's own argparse parser and
every `python3 dev.py <command>` must be a dev.py command; report and artifact paths must be
the files those commands write; the Guard rules registry is cloned at the pinned commit (or
taken from GUARD_REGISTRY) and the guard step requires it; publish must run only for a
succeeding build of the publish branch, and never for a pull request.
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
REGISTRY_URL = "https://github.com/aws-cloudformation/aws-guard-rules-registry.git"

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
        "variables": {
            "CFCT_SETTINGS": "cfct-build.yaml",
            "PUBLISH_BRANCH": "main",
            "GUARD_REGISTRY_COMMIT": "7f7340c26ae5d5e8874651dbffeb12e0e9f505b6",
        },
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
    assert re.findall(r"\bgit (?:-C \S+ )?(?:-c \S+ )?(\w+)", text) == ["clone", "checkout"]


def test_registry_commit_is_the_one_of_the_reference_copy(shared_dir: Path) -> None:
    """CI clones the registry at the commit ../shared's copy was taken from (its SNAPSHOT.txt),
    so CI and a developer's run read the same rule files (CI has all of them)."""
    snapshot = shared_dir / "compliance-guard-rules" / "aws-guard-rules-registry" / "SNAPSHOT.txt"
    commit = re.search(r"^Commit: ([0-9a-f]{40}) ", snapshot.read_text(), re.M)
    assert commit is not None
    assert spec()["env"]["variables"]["GUARD_REGISTRY_COMMIT"] == commit.group(1)


# --------------------------------------------------------------------------- executing it

STUB = """#!/usr/bin/env bash
{{ printf '%s' "{name}"; printf '\\037%s' "$@"; printf '\\n'; }} >> "$STUB_LOG"
printf '%s %s\\n' "$1" "${{GUARD_REGISTRY-<unset>}}" >> "$STUB_ENV_LOG"
"""


def run_buildspec(tmp_path: Path, env: dict[str, str]) -> tuple[list[list[str]], str]:
    """Run every phase's commands in one bash (CodeBuild 0.2 keeps one shell), stubbed."""
    work, bin_dir = tmp_path / "src", tmp_path / "bin"
    (work / ".venv" / "bin").mkdir(parents=True)
    bin_dir.mkdir()
    for path, name in (
        (bin_dir / "python3", "python3"),
        (bin_dir / "git", "git"),
        (work / ".venv/bin/cfct-build", "cfct-build"),
    ):
        path.write_text(STUB.format(name=name))
        path.chmod(0o755)
    log = tmp_path / "calls.log"
    log.touch()
    script = "set -euo pipefail\n" + "\n".join(all_commands()) + "\n"
    environment = {
        "PATH": f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin",
        "HOME": str(tmp_path / "home"),
        "STUB_LOG": str(log),
        "STUB_ENV_LOG": str(tmp_path / "env.log"),
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
        elif call[0] == "git":
            assert call[1] in ("clone", "-C")
        else:
            assert call[:2] == ["python3", "dev.py"]
            assert call[2] in dev_commands()
    return calls, done.stdout


def checks(tmp_path: Path) -> list[list[str]]:
    """The calls of every build whose project sets no GUARD_REGISTRY (HOME is tmp_path/home)."""
    registry = str(tmp_path / "home" / "aws-guard-rules-registry")
    return [
        ["python3", "dev.py", "setup"],
        ["git", "clone", "--quiet", REGISTRY_URL, registry],
        [
            "git",
            "-C",
            registry,
            "-c",
            "advice.detachedHead=false",
            "checkout",
            "--quiet",
            "7f7340c26ae5d5e8874651dbffeb12e0e9f505b6",
        ],
        ["cfct-build", "build", "--check", "--settings", "cfct-build.yaml"],
        ["cfct-build", "validate", "--format", "junit", "--output", "reports/validate.xml"],
        [
            "cfct-build",
            "guard",
            "--settings",
            "cfct-build.yaml",
            "--registry",
            registry,
            "--require-registry",
        ],
        ["python3", "dev.py", "taskcat-lint"],
        ["python3", "dev.py", "test", "--junitxml=reports/pytest.xml"],
        ["cfct-build", "package", "--settings", "cfct-build.yaml", "--output", ZIP],
    ]


PUBLISH = ["cfct-build", "publish", "--settings", "cfct-build.yaml", "--zip", ZIP]


def push(branch: str, trigger: str | None = None) -> dict[str, str]:
    """The webhook variables CodeBuild sets for a push of `branch`."""
    return {
        "CODEBUILD_WEBHOOK_EVENT": "PUSH",
        "CODEBUILD_WEBHOOK_HEAD_REF": f"refs/heads/{branch}",
        "CODEBUILD_WEBHOOK_TRIGGER": trigger or f"branch/{branch}",
        "CODEBUILD_SOURCE_VERSION": COMMIT,
    }


def pull_request(event: str, head: str = "main") -> dict[str, str]:
    """The webhook variables CodeBuild sets for pull request 12 from branch `head` into main
    (a fork's branch is called main as easily as anyone's)."""
    return {
        "CODEBUILD_WEBHOOK_EVENT": event,
        "CODEBUILD_WEBHOOK_HEAD_REF": f"refs/heads/{head}",
        "CODEBUILD_WEBHOOK_BASE_REF": "refs/heads/main",
        "CODEBUILD_WEBHOOK_TRIGGER": "pr/12",
        "CODEBUILD_SOURCE_VERSION": "pr/12",
    }


def test_main_branch_runs_every_check_then_publishes(tmp_path: Path) -> None:
    calls, out = run_buildspec(tmp_path, {**push("main"), "CODEBUILD_BUILD_SUCCEEDING": "1"})
    assert calls == [*checks(tmp_path), PUBLISH]
    assert out == ""


def test_the_guard_step_requires_the_registry_the_install_phase_cloned(tmp_path: Path) -> None:
    calls, _ = run_buildspec(tmp_path, {**push("main"), "CODEBUILD_BUILD_SUCCEEDING": "1"})
    guard = next(c for c in calls if c[:2] == ["cfct-build", "guard"])
    clone = next(c for c in calls if c[:2] == ["git", "clone"])
    args = _parser().parse_args(guard[1:])
    assert (args.registry, args.require_registry) == (clone[-1], True)
    # exported: dev.py test (and the tests it runs) see the same registry
    registry = str(tmp_path / "home" / "aws-guard-rules-registry")
    assert (tmp_path / "env.log").read_text().splitlines() == [
        "dev.py <unset>",  # setup, before the clone
        "clone <unset>",
        "-C <unset>",  # exported once cloned and checked out
        f"build {registry}",
        f"validate {registry}",
        f"guard {registry}",
        f"dev.py {registry}",
        f"dev.py {registry}",
        f"package {registry}",
        f"publish {registry}",
    ]


def test_report_and_artifact_paths_are_the_files_the_commands_write(tmp_path: Path) -> None:
    calls, _ = run_buildspec(tmp_path, {**push("main"), "CODEBUILD_BUILD_SUCCEEDING": "1"})
    validate = _parser().parse_args(calls[4][1:])
    tests = next(c for c in calls if c[:3] == ["python3", "dev.py", "test"])
    junitxml = [a.split("=", 1)[1] for a in tests if a.startswith("--junitxml=")]
    reports = {
        name: [f"{group['base-directory']}/{f}" for f in group["files"]]
        for name, group in spec()["reports"].items()
    }
    assert reports == {"cfct-build-tests": junitxml, "cfct-build-validate": [validate.output]}
    assert validate.format == "junit"
    package = _parser().parse_args(calls[8][1:])
    publish = _parser().parse_args(calls[9][1:])
    artifacts = spec()["artifacts"]
    assert [f"{artifacts['base-directory']}/{f}" for f in artifacts["files"]] == [package.output]
    assert publish.zip == package.output
    assert publish.settings == package.settings == "cfct-build.yaml"


SKIPPED_FEATURE = "publish: skipped: branch 'feature' is not PUBLISH_BRANCH 'main'\n"
SKIPPED_UNKNOWN = "publish: skipped: branch 'unknown' is not PUBLISH_BRANCH 'main'\n"


def not_push(event: str) -> str:
    return f"publish: skipped: webhook event '{event}' is not PUSH (pull requests never publish)\n"


@pytest.mark.parametrize(
    ("env", "published", "out"),
    [
        # webhook: a push to the publish branch, and only that, publishes
        (push("main"), True, ""),
        (
            push("feature"),
            False,
            "publish: skipped: pushed ref 'refs/heads/feature' is not refs/heads/main "
            "(PUBLISH_BRANCH)\n",
        ),
        (
            {
                **push("main"),
                "CODEBUILD_WEBHOOK_HEAD_REF": "refs/tags/v1",
                "CODEBUILD_WEBHOOK_TRIGGER": "tag/v1",
            },
            False,
            "publish: skipped: pushed ref 'refs/tags/v1' is not refs/heads/main (PUBLISH_BRANCH)\n",
        ),
        # webhook: pull requests never publish, even from a branch called main (e.g. a fork's)
        (pull_request("PULL_REQUEST_CREATED"), False, not_push("PULL_REQUEST_CREATED")),
        (pull_request("PULL_REQUEST_UPDATED"), False, not_push("PULL_REQUEST_UPDATED")),
        (pull_request("PULL_REQUEST_REOPENED"), False, not_push("PULL_REQUEST_REOPENED")),
        (pull_request("PULL_REQUEST_MERGED"), False, not_push("PULL_REQUEST_MERGED")),
        (pull_request("PULL_REQUEST_CREATED", "feature"), False, not_push("PULL_REQUEST_CREATED")),
        # ... nor does SOURCE_BRANCH or PUBLISH_BRANCH set on the project make one publish
        (
            {**pull_request("PULL_REQUEST_UPDATED"), "SOURCE_BRANCH": "main"},
            False,
            not_push("PULL_REQUEST_UPDATED"),
        ),
        # a pr/N trigger is a pull request whatever the event says
        (
            push("main", trigger="pr/12"),
            False,
            "publish: skipped: webhook trigger 'pr/12' is a pull request\n",
        ),
        (
            {"CODEBUILD_WEBHOOK_TRIGGER": "pr/12", "CODEBUILD_SOURCE_VERSION": "main"},
            False,
            not_push("unknown"),
        ),
        # webhook variables without the event: not a push as far as anyone can tell
        ({"CODEBUILD_WEBHOOK_HEAD_REF": "refs/heads/main"}, False, not_push("unknown")),
        # the trigger must agree with the ref
        (
            push("main", trigger="branch/feature"),
            False,
            "publish: skipped: webhook trigger 'branch/feature' is not branch/main\n",
        ),
        # a SOURCE_BRANCH set on the project vetoes a webhook push of another branch
        ({**push("main"), "SOURCE_BRANCH": "main"}, True, ""),
        (
            {**push("main"), "SOURCE_BRANCH": "feature"},
            False,
            "publish: skipped: SOURCE_BRANCH 'feature' is not PUBLISH_BRANCH 'main'\n",
        ),
        # another publish branch
        ({**push("release"), "PUBLISH_BRANCH": "release"}, True, ""),
        (
            {**push("main"), "PUBLISH_BRANCH": "release"},
            False,
            "publish: skipped: pushed ref 'refs/heads/main' is not refs/heads/release "
            "(PUBLISH_BRANCH)\n",
        ),
        # CodePipeline (no webhook variables): the source version is a commit or an artifact
        # ARN; the branch comes from SOURCE_BRANCH
        ({"CODEBUILD_SOURCE_VERSION": COMMIT}, False, SKIPPED_UNKNOWN),
        ({"CODEBUILD_SOURCE_VERSION": COMMIT, "SOURCE_BRANCH": "main"}, True, ""),
        ({"CODEBUILD_SOURCE_VERSION": COMMIT, "SOURCE_BRANCH": "feature"}, False, SKIPPED_FEATURE),
        (
            {"CODEBUILD_SOURCE_VERSION": "arn:aws:s3:::b/source.zip", "SOURCE_BRANCH": "main"},
            True,
            "",
        ),
        # start-build --source-version
        ({"CODEBUILD_SOURCE_VERSION": "main"}, True, ""),
        ({"CODEBUILD_SOURCE_VERSION": "refs/heads/main"}, True, ""),
        ({"CODEBUILD_SOURCE_VERSION": "feature"}, False, SKIPPED_FEATURE),
        ({"CODEBUILD_SOURCE_VERSION": "pr/12"}, False, SKIPPED_UNKNOWN),
        ({"CODEBUILD_SOURCE_VERSION": "arn:aws:s3:::b/source.zip"}, False, SKIPPED_UNKNOWN),
        ({}, False, SKIPPED_UNKNOWN),
    ],
)
def test_publish_is_gated_on_a_push_to_the_branch(
    tmp_path: Path, env: dict[str, str], published: bool, out: str
) -> None:
    calls, stdout = run_buildspec(tmp_path, {"CODEBUILD_BUILD_SUCCEEDING": "1", **env})
    assert (calls, stdout) == ([*checks(tmp_path), PUBLISH] if published else checks(tmp_path), out)


@pytest.mark.parametrize("succeeding", ["0", None])
def test_a_failing_build_never_publishes(tmp_path: Path, succeeding: str | None) -> None:
    """post_build runs after a failed build phase too; CODEBUILD_BUILD_SUCCEEDING says so."""
    env = push("main")
    if succeeding is not None:
        env["CODEBUILD_BUILD_SUCCEEDING"] = succeeding
    assert run_buildspec(tmp_path, env) == (
        checks(tmp_path),
        "publish: skipped: a check failed\n",
    )


def test_bucket_dry_run_settings_and_guard_registry_from_the_environment(tmp_path: Path) -> None:
    calls, out = run_buildspec(
        tmp_path,
        {
            **push("main"),
            "CODEBUILD_BUILD_SUCCEEDING": "1",
            "CFCT_SETTINGS": "org/settings file.yaml",
            "CFCT_SOURCE_BUCKET": "my-cfct-bucket",
            "PUBLISH_DRY_RUN": "true",
            "GUARD_REGISTRY": "/opt/guard rules",
        },
    )
    settings = ["--settings", "org/settings file.yaml"]
    assert calls == [
        ["python3", "dev.py", "setup"],  # and no clone: GUARD_REGISTRY is the checkout to use
        ["cfct-build", "build", "--check", *settings],
        ["cfct-build", "validate", "--format", "junit", "--output", "reports/validate.xml"],
        ["cfct-build", "guard", *settings, "--registry", "/opt/guard rules", "--require-registry"],
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

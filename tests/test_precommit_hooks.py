""".pre-commit-hooks.yaml: the hooks other repositories use, read as pre-commit reads them.

Each hook's entry is a real cfct-build command (parsed with the CLI's own argparse parser and
run in process on a package), its `files` pattern selects exactly the settings and package
files, and pre-commit's own manifest schema accepts the file.
"""

from __future__ import annotations

import io
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from cfct_build.cli import _parser, main
from cfct_build.config import load_settings
from cfct_build.queries import settings_notes

REPO = Path(__file__).resolve().parent.parent
HOOKS = REPO / ".pre-commit-hooks.yaml"
EXAMPLE = REPO / "cfct-build.yaml"

PATHS = [
    "cfct-build.yaml",
    "cfct-build.yml",
    "manifest.yaml",
    "templates/org-trail.template",
    "policies/cfct-build-log-archive-guardrails-1.json",
    "parameters/x.json",
    "README.md",
    "src/cfct_build/cli.py",
    "docs/manifest.yaml",
    "templates",
    "other-settings.yaml",
]


def hooks() -> list[dict[str, Any]]:
    data = yaml.safe_load(HOOKS.read_text())
    assert isinstance(data, list)
    return data


def test_hooks_exactly() -> None:
    assert hooks() == [
        {
            "id": "cfct-build-check",
            "name": "cfct-build build --check",
            "description": "Fail when the committed CfCT package differs from a fresh build of "
            "the settings.",
            "entry": "cfct-build build --check",
            "language": "python",
            "pass_filenames": False,
            "files": r"^(cfct-build\.ya?ml|manifest\.yaml|(templates|policies|parameters)/.+)$",
        },
        {
            "id": "cfct-build-validate",
            "name": "cfct-build validate",
            "description": "Check the CfCT package against the CfCT contract and cfn-lint.",
            "entry": "cfct-build validate",
            "language": "python",
            "pass_filenames": False,
            "files": r"^(manifest\.yaml|(templates|policies|parameters)/.+)$",
        },
    ]


def test_pre_commit_accepts_the_manifest() -> None:
    clientlib = pytest.importorskip("pre_commit.clientlib")
    loaded = clientlib.load_manifest(str(HOOKS))
    assert [(h["id"], h["language"], h["pass_filenames"], h["types"]) for h in loaded] == [
        ("cfct-build-check", "python", False, ["file"]),
        ("cfct-build-validate", "python", False, ["file"]),
    ]


def test_files_patterns_select_the_settings_and_package() -> None:
    selected = {h["id"]: [p for p in PATHS if re.search(h["files"], p)] for h in hooks()}
    assert selected == {
        "cfct-build-check": [
            "cfct-build.yaml",
            "cfct-build.yml",
            "manifest.yaml",
            "templates/org-trail.template",
            "policies/cfct-build-log-archive-guardrails-1.json",
            "parameters/x.json",
        ],
        "cfct-build-validate": [
            "manifest.yaml",
            "templates/org-trail.template",
            "policies/cfct-build-log-archive-guardrails-1.json",
            "parameters/x.json",
        ],
    }


def test_entries_are_the_installed_console_script_and_real_commands() -> None:
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["cfct-build"] == "cfct_build.cli:main"
    parsed = []
    for hook in hooks():
        program, *argv = shlex.split(hook["entry"])
        assert program == "cfct-build"
        args = _parser().parse_args(argv)
        parsed.append((args.command, vars(args).get("check"), vars(args).get("dir")))
    assert parsed == [("build", True, None), ("validate", None, ".")]


def run_hook(hook_id: str, *extra: str) -> tuple[int, str, str]:
    """The hook as pre-commit runs it (entry, then the user's args; no file names)."""
    hook = next(h for h in hooks() if h["id"] == hook_id)
    out, err = io.StringIO(), io.StringIO()
    code = main([*shlex.split(hook["entry"])[1:], *extra], out, err)
    return code, out.getvalue(), err.getvalue()


def test_hooks_pass_on_a_fresh_package_and_check_fails_on_an_edit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # pre-commit runs hooks at the repository root
    (tmp_path / "cfct-build.yaml").write_bytes(EXAMPLE.read_bytes())
    assert main(["build"], io.StringIO(), io.StringIO()) == 0
    notes = "".join(
        f"cfct-build build: note: {n}\n" for n in settings_notes(load_settings(EXAMPLE))
    )  # what the settings leave the named queries unable to find: printed, not failed
    code, out, err = run_hook("cfct-build-check")
    assert (code, err) == (0, notes)
    assert re.fullmatch(r"\.: up to date \(\d+ files\)\n", out)
    code, out, _ = run_hook("cfct-build-validate", "--no-lint")
    assert code == 0
    assert re.fullmatch(r"0 error\(s\), 0 warning\(s\), \d+ info", out.splitlines()[-1])
    trail = tmp_path / "templates" / "org-trail.template"
    trail.write_text(trail.read_text() + " ")
    assert run_hook("cfct-build-check") == (
        1,
        "",
        f"{notes}.: the package differs from a fresh build of cfct-build.yaml:\n"
        "  changed  templates/org-trail.template\n"
        "Run `cfct-build build` and commit the result.\n",
    )

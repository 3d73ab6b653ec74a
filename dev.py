#!/usr/bin/env python3
"""Set-up entry point for cfct-build; needs only Python 3.11 and the standard library.

    python3 dev.py build          # build the CfCT package from cfct-build.yaml, then validate it
    python3 dev.py test           # lint, type-check, taskcat lint, Guard rules, the test suite
    python3 dev.py taskcat-lint   # `taskcat lint` on the package (isolated .venv-taskcat)
    python3 dev.py setup          # only create/update .venv and .venv-taskcat (CI install phase)

Each creates the virtual environment `.venv` in the repository root when it is absent and
(re)installs the project into it whenever pyproject.toml or requirements.lock change, and the
cfn-guard wheel (requirements-guard.lock, pinned by hash) whenever that file changes.
taskcat pins libraries that conflict with the main environment: `taskcat-lint` and `test` keep
it in its own environment `.venv-taskcat` (requirements-taskcat.lock), installed once and
reinstalled only when that file changes.
Extra arguments after the sub-command are passed on (to `cfct-build build`, `pytest` or
`taskcat lint`).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".cfct-build-install"
INPUTS = ("pyproject.toml", "requirements.lock")
GUARD_LOCK = "requirements-guard.lock"
GUARD_STAMP = VENV / ".cfct-build-guard"
TASKCAT_VENV = ROOT / ".venv-taskcat"
TASKCAT_BIN = TASKCAT_VENV / ("Scripts" if os.name == "nt" else "bin")
TASKCAT_LOCK = "requirements-taskcat.lock"
TASKCAT_STAMP = TASKCAT_VENV / ".cfct-build-taskcat"


def _digest(*names: str) -> str:
    h = hashlib.sha256()
    for name in names or INPUTS:
        h.update((ROOT / name).read_bytes())
    return h.hexdigest()


def _pip(bin_dir: Path) -> list[str]:
    return [
        str(bin_dir / "python"),
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
    ]


def ensure_venv() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs on any python3
        sys.exit(f"dev.py: Python 3.11 or newer is required (this is {sys.version.split()[0]})")
    if not (BIN / "python").exists():
        print(f"dev.py: creating virtual environment {VENV}", file=sys.stderr)
        venv.create(VENV, with_pip=True)
    digest = _digest()
    if STAMP.exists() and STAMP.read_text() == digest:
        return
    print("dev.py: installing cfct-build and its pinned dependencies into .venv", file=sys.stderr)
    subprocess.run(
        [*_pip(BIN), "-c", str(ROOT / "requirements.lock"), "-e", f"{ROOT}[dev]"],
        check=True,
        cwd=ROOT,
    )
    STAMP.write_text(digest)


def ensure_guard() -> None:
    """The cfn-guard wheel, pinned by version and hash, without its (unused) dependencies."""
    digest = _digest(GUARD_LOCK)
    if GUARD_STAMP.exists() and GUARD_STAMP.read_text() == digest:
        return
    print(f"dev.py: installing cfn-guard ({GUARD_LOCK}) into .venv", file=sys.stderr)
    subprocess.run(
        [*_pip(BIN), "--no-deps", "--require-hashes", "-r", str(ROOT / GUARD_LOCK)],
        check=True,
        cwd=ROOT,
    )
    GUARD_STAMP.write_text(digest)


def ensure_taskcat() -> None:
    """taskcat in its own environment: its pins (jsonschema<4, urllib3<2) clash with .venv's."""
    if not (TASKCAT_BIN / "python").exists():
        print(f"dev.py: creating virtual environment {TASKCAT_VENV}", file=sys.stderr)
        venv.create(TASKCAT_VENV, with_pip=True)
    digest = _digest(TASKCAT_LOCK)
    if TASKCAT_STAMP.exists() and TASKCAT_STAMP.read_text() == digest:
        return
    print(f"dev.py: installing taskcat ({TASKCAT_LOCK}) into .venv-taskcat", file=sys.stderr)
    subprocess.run([*_pip(TASKCAT_BIN), "-r", str(ROOT / TASKCAT_LOCK)], check=True, cwd=ROOT)
    TASKCAT_STAMP.write_text(digest)


def run(*argv: str) -> int:
    return subprocess.run(list(argv), cwd=ROOT).returncode


def cmd_build(extra: list[str]) -> int:
    cli = str(BIN / "cfct-build")
    rc = run(cli, "build", *extra)
    if rc != 0:
        return rc
    return run(cli, "validate", *_out_dir(extra))


def _out_dir(extra: list[str]) -> list[str]:
    """The directory `cfct-build build` wrote to, from its --out/-o option (default: .)."""
    for i, arg in enumerate(extra):
        if arg in ("--out", "-o") and i + 1 < len(extra):
            return [extra[i + 1]]
        for prefix in ("--out=", "-o="):
            if arg.startswith(prefix):
                return [arg[len(prefix) :]]
        if arg.startswith("-o") and len(arg) > 2 and not arg.startswith("-o="):
            return [arg[2:]]
    return []


def cmd_taskcat_lint(extra: list[str]) -> int:
    """`taskcat lint` (offline: cfn-lint on every test's template) with .taskcat.yml."""
    ensure_taskcat()
    rc = run(str(TASKCAT_BIN / "taskcat"), "lint", *extra)
    if rc != 0:
        print("dev.py: taskcat lint failed", file=sys.stderr)
    return rc


def cmd_test(extra: list[str]) -> int:
    py = str(BIN / "python")
    for step in (
        [py, "-m", "ruff", "check", "src", "tests", "benchmarks", "scripts", "dev.py"],
        [py, "-m", "ruff", "format", "--check", "src", "tests", "benchmarks", "scripts", "dev.py"],
        [py, "-m", "mypy"],
        [str(BIN / "cfct-build"), "guard"],
    ):
        rc = run(*step)
        if rc != 0:
            print(f"dev.py: {' '.join(step[1:4])} failed", file=sys.stderr)
            return rc
    rc = cmd_taskcat_lint([])
    if rc != 0:
        return rc
    return run(py, "-m", "pytest", *extra)  # last, so its summary closes the output


def cmd_setup(extra: list[str]) -> int:
    """Install everything the other commands need (`.venv` is done by main), run nothing."""
    ensure_taskcat()
    return 0


def main() -> int:
    commands = {
        "build": cmd_build,
        "test": cmd_test,
        "taskcat-lint": cmd_taskcat_lint,
        "setup": cmd_setup,
    }
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__, file=sys.stderr)
        return 2
    ensure_venv()
    ensure_guard()
    return commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())

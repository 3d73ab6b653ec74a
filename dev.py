#!/usr/bin/env python3
"""Set-up entry point for cfct-build; needs only Python 3.11 and the standard library.

    python3 dev.py build   # build the CfCT package from cfct-build.yaml, then validate it
    python3 dev.py test    # lint, type-check and run the whole test suite

Both create the virtual environment `.venv` in the repository root when it is absent and
(re)install the project into it whenever pyproject.toml or requirements.lock change.
Extra arguments after the sub-command are passed on (to `cfct-build build` or `pytest`).
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


def _digest() -> str:
    h = hashlib.sha256()
    for name in INPUTS:
        h.update((ROOT / name).read_bytes())
    return h.hexdigest()


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
    pip = [str(BIN / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run(
        [*pip, "-c", str(ROOT / "requirements.lock"), "-e", f"{ROOT}[dev]"], check=True, cwd=ROOT
    )
    STAMP.write_text(digest)


def run(*argv: str) -> int:
    return subprocess.run(list(argv), cwd=ROOT).returncode


def cmd_build(extra: list[str]) -> int:
    cli = str(BIN / "cfct-build")
    rc = run(cli, "build", *extra)
    if rc != 0:
        return rc
    target = [extra[extra.index("--out") + 1]] if "--out" in extra[:-1] else []
    return run(cli, "validate", *target)


def cmd_test(extra: list[str]) -> int:
    py = str(BIN / "python")
    for step in (
        [py, "-m", "ruff", "check", "src", "tests", "benchmarks", "dev.py"],
        [py, "-m", "ruff", "format", "--check", "src", "tests", "benchmarks", "dev.py"],
        [py, "-m", "mypy"],
    ):
        rc = run(*step)
        if rc != 0:
            print(f"dev.py: {' '.join(step[1:4])} failed", file=sys.stderr)
            return rc
    return run(py, "-m", "pytest", *extra)


def main() -> int:
    commands = {"build": cmd_build, "test": cmd_test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__, file=sys.stderr)
        return 2
    ensure_venv()
    return commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())

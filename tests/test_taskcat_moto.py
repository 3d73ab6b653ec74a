"""The offline taskcat path: every test of .taskcat.yml deploys into a local moto server.

scripts/taskcat_moto.py starts moto (with tests/emulator's CloudFormation extension) on
127.0.0.1 and drives taskcat from .venv-taskcat against it; this test runs it and reads its
summary. It needs .venv-taskcat (`python3 dev.py taskcat-lint` or `test` creates it) and
moto's server extra (flask); it skips with a clear message where either is missing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TASKCAT_PYTHON = REPO / ".venv-taskcat" / ("Scripts" if os.name == "nt" else "bin") / "python"


@pytest.mark.slow
def test_every_taskcat_test_deploys_on_moto() -> None:
    if not TASKCAT_PYTHON.exists():
        pytest.skip(f"{TASKCAT_PYTHON} not found: run `python3 dev.py taskcat-lint` first")
    pytest.importorskip("flask", reason="moto's server extra (moto[server]) is not installed")
    run = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "taskcat_moto.py")],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.stdout.splitlines() == [
        "log-archive-bucket       us-east-1    CREATE_COMPLETE",
        "log-archive-key          us-east-1    CREATE_COMPLETE",
        "log-archive-replica      us-west-2    CREATE_COMPLETE",
        "org-trail                us-east-1    CREATE_COMPLETE",
        "taskcat on moto: ok",
    ], run.stderr[-3000:]
    assert run.returncode == 0

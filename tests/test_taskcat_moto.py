"""The offline taskcat path: every test of .taskcat.yml deployed into a local moto server.

scripts/taskcat_moto.py starts moto (with tests/emulator's CloudFormation extension) on
127.0.0.1 and drives taskcat from .venv-taskcat against it; this test runs it and reads its
summary. It needs .venv-taskcat (`python3 dev.py taskcat-lint` or `test` creates it) and
moto's server extra (flask); it skips with a clear message where either is missing.

All 7 tests (8 stacks: account-baseline deploys to two Regions) reach CREATE_COMPLETE. What
does NOT deploy on moto, and so is proved here by nothing but the template's acceptance:
9 of log-archive-query's 12 resources — its Glue database and table and its Athena workgroup
and 6 named queries — because moto 5.2.5 has no CloudFormation support for AWS::Glue::* and
AWS::Athena::* (it skips them and still reports CREATE_COMPLETE; the script names each one).
That test deploys only the query results bucket, its policy and the reader policy.
account-baseline's OwnLogsReaderRole is absent in us-west-2 by design (condition
InHomeRegion). tamper-alerts' event bus and topic deploy through the emulator extension.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TASKCAT_PYTHON = REPO / ".venv-taskcat" / ("Scripts" if os.name == "nt" else "bin") / "python"
NO_SUPPORT = "  skipped by moto (no CloudFormation support): "


@pytest.mark.slow
def test_every_taskcat_test_deploys_on_moto_except_glue_and_athena() -> None:
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
        "account-baseline         us-east-1    CREATE_COMPLETE  5/5 resources",
        "account-baseline         us-west-2    CREATE_COMPLETE  4/5 resources",
        "  not created (condition InHomeRegion false in us-west-2): OwnLogsReaderRole "
        "AWS::IAM::Role",
        "log-archive-bucket       us-east-1    CREATE_COMPLETE  5/5 resources",
        "log-archive-key          us-east-1    CREATE_COMPLETE  2/2 resources",
        "log-archive-query        us-east-1    CREATE_COMPLETE  3/12 resources",
        f"{NO_SUPPORT}CallsFromUnknownNetworksQuery AWS::Athena::NamedQuery",
        f"{NO_SUPPORT}CloudTrailTable AWS::Glue::Table",
        f"{NO_SUPPORT}ConsoleLoginsWithoutMfaQuery AWS::Athena::NamedQuery",
        f"{NO_SUPPORT}FailedCallsQuery AWS::Athena::NamedQuery",
        f"{NO_SUPPORT}LogArchiveDatabase AWS::Glue::Database",
        f"{NO_SUPPORT}QueryWorkGroup AWS::Athena::WorkGroup",
        f"{NO_SUPPORT}RoleAssumptionsQuery AWS::Athena::NamedQuery",
        f"{NO_SUPPORT}RootActivityQuery AWS::Athena::NamedQuery",
        f"{NO_SUPPORT}TamperingQuery AWS::Athena::NamedQuery",
        "log-archive-replica      us-west-2    CREATE_COMPLETE  4/4 resources",
        "org-trail                us-east-1    CREATE_COMPLETE  3/3 resources",
        "tamper-alerts            us-east-1    CREATE_COMPLETE  4/4 resources",
        "taskcat on moto: ok: 7 tests, 8 stacks CREATE_COMPLETE; 9 resources skipped by moto",
    ], run.stderr[-3000:]
    assert (run.returncode, run.stderr) == (0, "")


def test_an_absent_resource_is_explained_or_an_error() -> None:
    """The script fails on a resource the stack lacks for no reason it knows."""
    spec = importlib.util.spec_from_file_location("taskcat_moto", REPO / "scripts/taskcat_moto.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    resources = {
        "Held": {"Type": "AWS::S3::Bucket"},
        "Table": {"Type": "AWS::Glue::Table"},
        "Role": {"Type": "AWS::IAM::Role", "Condition": "InHomeRegion"},
        "Lost": {"Type": "AWS::S3::Bucket"},
    }
    result = {"test": "t", "region": "us-west-2", "resources": ["", "Held"]}
    assert script._absent(result, resources, {"AWS::S3::Bucket", "AWS::IAM::Role"}) == [
        ("  MISSING: Lost AWS::S3::Bucket", "t: Lost"),
        ("  not created (condition InHomeRegion false in us-west-2): Role AWS::IAM::Role", None),
        (f"{NO_SUPPORT}Table AWS::Glue::Table", None),
    ]

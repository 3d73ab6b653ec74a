#!/usr/bin/env python3
"""Deploy the taskcat tests of .taskcat.yml into a local moto server: the offline taskcat path.

    .venv/bin/python scripts/taskcat_moto.py

Starts moto (with the test suite's CloudFormation extension, tests/emulator, so the
templates' S3, KMS, CloudTrail, IAM, SNS and EventBridge properties really apply) on
127.0.0.1 only, at a free port, with dummy credentials; runs taskcat (in .venv-taskcat,
`python3 dev.py taskcat-lint` creates it) against it through AWS_ENDPOINT_URL in two stages
(STAGES: key, replica, bucket and the tamper-alert bus; then the sandbox trail, which needs
the bucket, the account baseline, whose rules target the bus, and the query path, which reads
the bucket); deletes the stacks; stops the server. Every test of .taskcat.yml must be in a
stage. Before the first stage it creates the roles the templates attach managed policies to
(`Roles`: the query stack's reader roles), which are the customer's and must exist first.

For each stack it prints the final status and how many of the template's resources the stack
holds, and names each resource it does not hold with the reason: moto has no CloudFormation
support for the type (moto skips such a resource and still reports CREATE_COMPLETE), or the
resource's condition is false in that Region. Exits 0 when every stack reached
CREATE_COMPLETE and every absent resource is explained so; 1 otherwise.

Today all 7 tests (8 stacks) reach CREATE_COMPLETE. Every resource is created except 9 of
log-archive-query's 12: moto 5.2.5 has no CloudFormation support for AWS::Glue::Database,
AWS::Glue::Table, AWS::Athena::WorkGroup or AWS::Athena::NamedQuery, so that test deploys
only its results bucket, the bucket's policy and the reader policy; the database, the table
with its partition projection, the workgroup and the named queries are checked by the unit
tests and cfn-lint only. (account-baseline's own-logs reader role exists only in the home
Region, by its condition.)

What it proves: taskcat's own machinery (staging the templates in S3, rendering the
parameters of .taskcat.yml, one stack per test and Region, clean-up) accepts this project's
configuration, and each template creates with those parameters in a CloudFormation engine
that enforces AllowedPattern. What it cannot prove: anything moto does not evaluate — IAM,
bucket and key policies, CloudTrail's delivery checks, EventBridge's cross-account delivery,
Glue and Athena (see ../shared/EMULATION.md). That is what `taskcat test run` in a real
sandbox account is for (README, "taskcat").
"""

from __future__ import annotations

import json
import logging
import os
import socket
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
DRIVER = ROOT / "scripts" / "taskcat_moto_driver.py"
TASKCAT_PYTHON = ROOT / ".venv-taskcat" / ("Scripts" if os.name == "nt" else "bin") / "python"
STAGES = (
    "log-archive-key,log-archive-replica,log-archive-bucket,tamper-alerts",
    "org-trail,account-baseline,log-archive-query",
)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _templates() -> dict[str, dict[str, Any]]:
    """Each taskcat test's template resources (test name -> logical ID -> resource)."""
    config = yaml.safe_load((ROOT / ".taskcat.yml").read_text(encoding="utf-8"))
    return {
        name: json.loads((ROOT / test["template"]).read_text(encoding="utf-8"))["Resources"]
        for name, test in config["tests"].items()
    }


def _absent(
    result: dict[str, Any], resources: dict[str, Any], supported: set[str]
) -> list[tuple[str, str | None]]:
    """(line, None) for each template resource the stack does not hold and why, or
    (line, error) where nothing explains its absence."""
    held = set(result["resources"])
    lines: list[tuple[str, str | None]] = []
    for logical_id in sorted(set(resources) - held):
        res = resources[logical_id]
        kind = str(res["Type"])
        if kind not in supported:
            lines.append(
                (f"  skipped by moto (no CloudFormation support): {logical_id} {kind}", None)
            )
        elif "Condition" in res:
            condition = f"condition {res['Condition']} false in {result['region']}"
            lines.append((f"  not created ({condition}): {logical_id} {kind}", None))
        else:
            lines.append((f"  MISSING: {logical_id} {kind}", f"{result['test']}: {logical_id}"))
    return lines


def _attached_roles(templates: dict[str, dict[str, Any]]) -> list[str]:
    """Role names the templates' managed policies attach to: roles that must exist first."""
    return sorted(
        {
            name
            for resources in templates.values()
            for res in resources.values()
            if res["Type"] == "AWS::IAM::ManagedPolicy"
            for name in res.get("Properties", {}).get("Roles", [])
        }
    )


def _create_roles(endpoint: str, names: list[str]) -> None:
    import boto3

    session = boto3.Session(
        region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing"
    )
    account = session.client("sts", endpoint_url=endpoint).get_caller_identity()["Account"]
    iam = session.client("iam", endpoint_url=endpoint)
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    for name in names:
        iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))


def main() -> int:
    if not TASKCAT_PYTHON.exists():
        print(
            "taskcat_moto: .venv-taskcat is missing: run `python3 dev.py taskcat-lint`",
            file=sys.stderr,
        )
        return 2
    templates = _templates()
    staged = [name for stage in STAGES for name in stage.split(",")]
    if sorted(staged) != sorted(templates):
        print(
            f"taskcat_moto: STAGES {sorted(staged)} are not the tests of .taskcat.yml "
            f"{sorted(templates)}",
            file=sys.stderr,
        )
        return 2
    sys.path.insert(0, str(ROOT / "tests"))
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    logging.getLogger("moto").setLevel(logging.ERROR)  # skipped types: reported below
    warnings.filterwarnings("ignore", message="When using MotoServer")
    warnings.filterwarnings("ignore", message="Tried to parse AWS::")
    from moto.cloudformation import parsing
    from moto.server import ThreadedMotoServer

    from emulator import moto_cfn_extension

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    with tempfile.TemporaryDirectory(prefix="taskcat-moto-") as home, moto_cfn_extension.activate():
        supported = set(parsing.get_model_map())
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": home,  # no ~/.aws, no ~/.taskcat.yml of the user's
            "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": str(Path(home) / "no-aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(Path(home) / "no-aws-credentials"),
        }
        server.start()
        try:
            _create_roles(env["AWS_ENDPOINT_URL"], _attached_roles(templates))
            run = subprocess.run(
                [str(TASKCAT_PYTHON), str(DRIVER), str(ROOT), *STAGES],
                env=env,
                cwd=home,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
        finally:
            server.stop()
    try:
        results = json.loads(run.stdout[run.stdout.index("[") :])
    except ValueError:
        print(run.stdout + run.stderr, file=sys.stderr)
        return 1
    errors: list[str] = []
    skipped = 0
    for r in sorted(results, key=lambda r: (r["test"], r["region"])):
        resources = templates[r["test"]]
        held = len(set(r["resources"]) & set(resources))
        print(
            f"{r['test']:<24} {r['region']:<12} {r['status']}  "
            f"{held}/{len(resources)} resources  {r['reason']}".rstrip()
        )
        for line, error in _absent(r, resources, supported):
            print(line)
            skipped += line.startswith("  skipped by moto")
            if error:
                errors.append(error)
    if errors:
        print(f"resources absent for no known reason: {', '.join(errors)}", file=sys.stderr)
    if run.returncode != 0:
        print(run.stderr[-3000:], file=sys.stderr)
    ok = run.returncode == 0 and not errors
    tests = len({r["test"] for r in results})
    print(
        "taskcat on moto: "
        + (
            f"ok: {tests} tests, {len(results)} stacks CREATE_COMPLETE; "
            f"{skipped} resources skipped by moto"
            if ok
            else "FAILED"
        )
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

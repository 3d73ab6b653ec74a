#!/usr/bin/env python3
"""Deploy the taskcat tests of .taskcat.yml into a local moto server: the offline taskcat path.

    .venv/bin/python scripts/taskcat_moto.py

Starts moto (with the test suite's CloudFormation extension, tests/emulator, so the
templates' S3, KMS, CloudTrail and IAM properties really apply) on 127.0.0.1 only, at a free
port, with dummy credentials; runs taskcat (in .venv-taskcat, `python3 dev.py taskcat-lint`
creates it) against it through AWS_ENDPOINT_URL in two stages (key, replica and bucket; then
the sandbox trail, which needs the bucket); deletes the stacks; stops the server. Exits 0 when
every stack reached CREATE_COMPLETE.

What it proves: taskcat's own machinery (staging the templates in S3, rendering the
parameters of .taskcat.yml, one stack per test and Region, clean-up) accepts this project's
configuration, and each template creates with those parameters in a CloudFormation engine
that enforces AllowedPattern. What it cannot prove: anything moto does not evaluate — IAM,
bucket and key policies, CloudTrail's delivery checks (see ../shared/EMULATION.md). That is
what `taskcat test run` in a real sandbox account is for (README, "taskcat").
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

ROOT = Path(__file__).resolve().parent.parent
DRIVER = ROOT / "scripts" / "taskcat_moto_driver.py"
TASKCAT_PYTHON = ROOT / ".venv-taskcat" / ("Scripts" if os.name == "nt" else "bin") / "python"
STAGES = ("log-archive-key,log-archive-replica,log-archive-bucket", "org-trail")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> int:
    if not TASKCAT_PYTHON.exists():
        print(
            "taskcat_moto: .venv-taskcat is missing: run `python3 dev.py taskcat-lint`",
            file=sys.stderr,
        )
        return 2
    sys.path.insert(0, str(ROOT / "tests"))
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    warnings.filterwarnings("ignore", message="When using MotoServer")
    from moto.server import ThreadedMotoServer

    from emulator import moto_cfn_extension

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    with tempfile.TemporaryDirectory(prefix="taskcat-moto-") as home, moto_cfn_extension.activate():
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
    for r in sorted(results, key=lambda r: (r["test"], r["region"])):
        print(f"{r['test']:<24} {r['region']:<12} {r['status']}  {r['reason']}".rstrip())
    if run.returncode != 0:
        print(run.stderr[-3000:], file=sys.stderr)
    print("taskcat on moto: " + ("ok" if run.returncode == 0 else "FAILED"))
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())

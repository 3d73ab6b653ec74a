"""Runs inside .venv-taskcat (started by scripts/taskcat_moto.py; never on its own).

Drives taskcat through its Python API, without the HTML report (it downloads a stylesheet),
with SigV2 left enabled on taskcat's staging bucket (moto mis-evaluates the policy that
disables it). Deploys the tests in the stages given (each a comma-separated list of test
names; a later stage may need an earlier one's resources, e.g. the trail needs the bucket),
keeps every stack until the last stage ran, then deletes them all, and prints one JSON
document: each stack's test, Region, final status and the logical IDs of the resources the
stack holds (ListStackResources), so the caller can tell what moto skipped.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from taskcat._config import Config
from taskcat.exceptions import TaskCatException
from taskcat.testing import CFNTest


def main(root: str, stages: list[str]) -> int:
    project = Path(root).resolve()
    results: list[dict[str, str]] = []
    runs: list[CFNTest] = []
    failed = False
    try:
        for names in stages:
            config = Config.create(
                project_root=project,
                project_config_path=project / ".taskcat.yml",
                args={"project": {"s3_enable_sig_v2": True}},
            )
            test = CFNTest(
                config,
                test_names=names,
                lint_disable=True,
                no_delete=True,
                dont_wait_for_delete=False,
            )
            runs.append(test)
            test.run()
            for stack in test.test_definition.stacks:
                stack.refresh()
                pages = stack.client.get_paginator("list_stack_resources").paginate(
                    StackName=stack.id
                )
                results.append(
                    {
                        "test": stack.test_name,
                        "region": stack.region_name,
                        "status": str(stack.status),
                        "reason": str(stack.status_reason or ""),
                        "resources": sorted(
                            r["LogicalResourceId"]
                            for page in pages
                            for r in page["StackResourceSummaries"]
                        ),
                    }
                )
    finally:
        for test in reversed(runs):
            test.no_delete = False
            try:
                test.clean_up()
            except TaskCatException as exc:
                failed = True
                print(f"clean-up: {exc}", file=sys.stderr)
    print(json.dumps(results, indent=2))
    ok = all(r["status"] == "CREATE_COMPLETE" for r in results)
    return 0 if ok and not failed and results else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2:]))

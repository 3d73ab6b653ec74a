"""`cfct-build simulate --org-snapshot`: a user's organization shape, built in moto and used.

The fixture snapshot (org-snapshot.json) has the example's OUs plus a child OU no setting lists
(`Workloads:Prod:Team`) holding an enrolled account, a suspended account in `Sandbox`, and
Control Tower's guardrail SCP on some OUs. Each test runs in its own emulated cloud, with the
test-only emulator extension active.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from cfct_build import naming
from cfct_build.cli import main
from cfct_build.config import load_settings
from cfct_build.org import load_snapshot, read_live
from cfct_build.package import build_package
from cfct_build.simulate.run import Emulation

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "cfct-build.yaml"
SNAPSHOT = Path(__file__).parent / "org-snapshot.json"
GOLDEN = REPO / "tests" / "golden" / "simulate"
HOME = "us-east-1"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def golden(name: str, text: str, request: pytest.FixtureRequest) -> str:
    path = GOLDEN / name
    if request.config.getoption("--update-golden"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return path.read_text(encoding="utf-8")


def test_a_snapshot_org_with_a_child_ou_trap(
    emulated_aws: None, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An account vended into a child OU no StackSet lists gets the SCPs (inherited through the
    chain) but no stack instance: CfCT does not recurse."""
    monkeypatch.chdir(REPO)  # the report names the snapshot as given: a relative path
    code, out, err = run(
        "simulate",
        "--org-snapshot",
        str(SNAPSHOT.relative_to(REPO)),
        "--new-account-ou",
        "Workloads:Prod:Team",
        "--format",
        "json",
    )
    assert (code, err) == (0, "")
    assert out == golden("snapshot-team.json", out, request)
    report = json.loads(out)
    assert report["new_account"] == {
        "id": "100000000001",
        "name": "cfct-build-simulated-account",
        "email": "aws+100000000001@example.com",
        "ou": "Workloads:Prod:Team",
    }
    assert report["new_account_receives"] == {
        "stack_instances": [],
        "why_no_stack_instances": "no StackSet targets Workloads:Prod:Team, only Workloads:Prod "
        "above it: CfCT does not recurse into child OUs; list Workloads:Prod:Team in "
        "organization.organizational_units",
        "scps": [
            {"target_id": "r-a1b2", "target": "Root", "policies": ["FullAWSAccess"]},
            {
                "target_id": "ou-a1b2-33333333",
                "target": "Workloads",
                "policies": ["FullAWSAccess", "cfct-build-log-archive-guardrails-1"],
            },
            {
                "target_id": "ou-a1b2-44444444",
                "target": "Workloads:Prod",
                "policies": [
                    "FullAWSAccess",
                    "aws-guardrails-AbCdEf",
                    "cfct-build-log-archive-guardrails-1",
                ],
            },
            {
                "target_id": "ou-a1b2-77777777",
                "target": "Workloads:Prod:Team",
                "policies": ["FullAWSAccess"],
            },
            {
                "target_id": "100000000001",
                "target": "account 100000000001",
                "policies": ["FullAWSAccess"],
            },
        ],
        "query_table_projects_it": False,
    }
    assert report["stack_sets_updated"] == []
    baseline = next(
        s for s in report["first_run"]["stack_sets"] if s["name"] == naming.RES_BASELINE
    )
    # the suspended Sandbox account and the child-OU account get nothing
    accounts = sorted({a for a, _r in baseline["added"]})
    assert accounts == ["111111111111", "222222222222", "333333333333", "444444444444"]


def test_the_emulated_org_reads_back_as_the_snapshot(emulated_aws: None) -> None:
    """Built in moto and read with `org.read_live` (what `plan` does live), the organization is
    the snapshot: IDs, names, lifecycle, enrollment, attached SCPs."""
    snapshot = load_snapshot(SNAPSHOT)
    settings = load_settings(EXAMPLE)
    emulation = Emulation(settings, snapshot, build_package(settings))
    emulation.start()
    session = emulation.accounts.session(snapshot.management_account_id, HOME)
    assert read_live(session, HOME).to_dict() == snapshot.to_dict()


def test_an_unenrolled_account_in_a_governed_ou_fails_the_run(
    emulated_aws: None, tmp_path: Path
) -> None:
    data = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    (prod,) = [a for a in data["accounts"] if a["id"] == "444444444444"]
    prod["enrolled"] = False
    snapshot = tmp_path / "unenrolled.json"
    snapshot.write_text(json.dumps(data), encoding="utf-8")
    code, out, err = run("simulate", "--org-snapshot", str(snapshot))
    assert (code, err) == (1, "")
    assert out.endswith(
        "\nFAILED: first pipeline run: cfct-build-account-baseline: stack instance in "
        "444444444444 fails: the account has no AWSControlTowerExecution role for the StackSet "
        "to assume (is the account enrolled in Control Tower?)\n"
    )
    assert "Vended account" not in out

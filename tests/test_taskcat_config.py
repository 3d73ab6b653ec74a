""".taskcat.yml and the sandbox trail: generated from the settings, fresh, and consistent with
what each template needs (parameters, AllowedPatterns, Regions)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from cfct_build import naming
from cfct_build.config import Settings, load_settings
from cfct_build.package import build_package
from cfct_build.taskcat_config import (
    SANDBOX_TRAIL,
    TASKCAT_FILE,
    TaskcatConfigError,
    _value,
    config,
    files,
)

REPO = Path(__file__).resolve().parent.parent
MINIMAL = REPO / "tests" / "fixtures" / "settings" / "minimal.yaml"
KEY_ID = "00000000-0000-4000-8000-000000000000"


def test_committed_files_are_fresh(settings: Settings) -> None:
    for rel, text in files(settings).items():
        assert (REPO / rel).read_text() == text, f"{rel} is stale: run scripts/taskcat_config.py"


def test_example_config(settings: Settings) -> None:
    key = f"arn:aws:kms:us-east-1:333333333333:key/{KEY_ID}"
    assert yaml.safe_load((REPO / TASKCAT_FILE).read_text()) == config(settings)
    assert config(settings) == {
        "project": {
            "name": "cfct-build-log-archive",
            "regions": ["us-east-1", "us-west-2", "eu-west-1"],
            "package_lambda": False,
        },
        "tests": {
            "log-archive-key": {
                "template": "templates/log-archive-key.template",
                "regions": ["us-east-1"],
            },
            "log-archive-replica": {
                "template": "templates/log-archive-replica.template",
                "regions": ["us-west-2"],
            },
            "log-archive-bucket": {
                "template": "templates/log-archive-bucket.template",
                "regions": ["us-east-1"],
                "parameters": {
                    "KeyArn": key,
                    "ReplicaKeyArn": f"arn:aws:kms:us-west-2:222222222222:key/{KEY_ID}",
                },
            },
            "org-trail": {
                "template": SANDBOX_TRAIL,
                "regions": ["us-east-1"],
                "parameters": {
                    "BucketName": "cfct-build-cloudtrail-222222222222-us-east-1",
                    "KeyArn": key,
                },
            },
            "tamper-alerts": {
                "template": "templates/tamper-alerts.template",
                "regions": ["us-east-1"],
            },
            "account-baseline": {
                "template": "templates/account-baseline.template",
                "regions": ["us-east-1", "us-west-2"],
                "parameters": {
                    "KeyArn": key,
                    "ReplicaKeyArn": f"arn:aws:kms:us-west-2:222222222222:key/{KEY_ID}",
                },
            },
            "log-archive-query": {
                "template": "templates/log-archive-query.template",
                "regions": ["us-east-1"],
                "parameters": {"KeyArn": key},
            },
        },
    }


@pytest.mark.parametrize("variant", ["example", "minimal"])
def test_each_test_supplies_exactly_what_its_template_needs(
    variant: str, settings: Settings
) -> None:
    s = settings if variant == "example" else load_settings(MINIMAL)
    pkg = build_package(s)
    generated = files(s)
    by_file = {r.resource_file: r for r in pkg.manifest.resources if r.deploy_method == "stack_set"}
    tests = config(s)["tests"]
    assert sorted(tests) == sorted(r.name.removeprefix("cfct-build-") for r in by_file.values())
    for name, test in tests.items():
        rel = naming.TEMPLATE_TRAIL if test["template"] == SANDBOX_TRAIL else test["template"]
        template = json.loads(generated.get(test["template"]) or pkg.files[rel])
        declared = template.get("Parameters", {})
        required = sorted(k for k, d in declared.items() if "Default" not in d)
        given = test.get("parameters", {})
        assert sorted(given) == required, name
        for key, value in given.items():
            assert re.fullmatch(declared[key]["AllowedPattern"], value), (name, key, value)
        assert test["regions"] == list(by_file[rel].regions), name
        assert set(test["regions"]) <= set(s.organization.governed_regions)


def test_sandbox_trail_differs_only_in_being_an_account_trail(settings: Settings) -> None:
    production = json.loads(build_package(settings).files[naming.TEMPLATE_TRAIL])
    sandbox = json.loads(files(settings)[SANDBOX_TRAIL])
    trail = "OrganizationTrail"
    assert production["Resources"][trail]["Properties"]["IsOrganizationTrail"] is True
    assert sandbox["Resources"][trail]["Properties"]["IsOrganizationTrail"] is False
    sandbox["Resources"][trail]["Properties"]["IsOrganizationTrail"] = True
    assert sandbox == production


def test_minimal_settings_have_no_replica_test() -> None:
    tests = config(load_settings(MINIMAL))["tests"]
    assert list(tests) == [
        "log-archive-key",
        "log-archive-bucket",
        "org-trail",
        "tamper-alerts",
        "account-baseline",
        "log-archive-query",
    ]
    assert tests["log-archive-bucket"]["parameters"] == {
        "KeyArn": f"arn:aws:kms:eu-central-1:012345678903:key/{KEY_ID}"
    }


def test_unknown_ssm_parameter_is_a_clear_error(settings: Settings) -> None:
    with pytest.raises(TaskcatConfigError) as exc:
        _value(settings, "cfct-build-new", "Thing", "$[alfred_ssm_/cfct-build/new/thing]")
    assert str(exc.value) == (
        "cfct-build-new: parameter Thing comes from SSM /cfct-build/new/thing, which "
        "cfct_build.taskcat_config.sandbox_values does not know: add its sandbox value"
    )
    assert _value(settings, "r", "Literal", "plain") == "plain"


def test_check_mode_of_the_script(settings: Settings, tmp_path: Path) -> None:
    import subprocess
    import sys

    script = REPO / "scripts" / "taskcat_config.py"
    args = [sys.executable, str(script), "--settings", str(REPO / "cfct-build.yaml")]
    stale = subprocess.run(
        [*args, "--out", str(tmp_path), "--check"], capture_output=True, text=True
    )
    assert (stale.returncode, stale.stderr) == (
        1,
        "stale: .taskcat.yml, taskcat/org-trail-sandbox.template (run scripts/taskcat_config.py)\n",
    )
    written = subprocess.run([*args, "--out", str(tmp_path)], capture_output=True, text=True)
    assert written.returncode == 0
    assert (tmp_path / TASKCAT_FILE).read_text() == files(settings)[TASKCAT_FILE]
    fresh = subprocess.run(
        [*args, "--out", str(tmp_path), "--check"], capture_output=True, text=True
    )
    assert (fresh.returncode, fresh.stdout, fresh.stderr) == (0, "", "")

"""The trail's SSM-fed parameters are pinned: a rewritten SSM value fails the deployment.

CfCT resolves `$[alfred_ssm_...]` from management-account SSM, which anyone with
`ssm:PutParameter` there can rewrite. The trail template pins each such parameter with an
`AllowedPattern`; the emulator extension enforces it as CloudFormation does.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from cfct_build import naming
from cfct_build.config import parse_settings
from cfct_build.package import build_package
from cfct_build.simulate.aws import Accounts
from cfct_build.simulate.pipeline import CAPABILITIES, stack_name

pytestmark = pytest.mark.slow

EXAMPLE_SETTINGS = Path(__file__).resolve().parents[2] / "cfct-build.yaml"

GOOD_KEY = "arn:aws:kms:us-east-1:333333333333:key/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


@pytest.mark.parametrize(
    ("parameter", "tampered"),
    [
        (None, None),  # control: the untampered values deploy
        ("BucketName", "attacker-controlled-bucket"),
        ("BucketName", "aws-controltower-logs-222222222222-us-east-1"),
        ("KeyArn", GOOD_KEY.replace("333333333333", "444444444444")),  # another account
        ("KeyArn", GOOD_KEY.replace("us-east-1", "eu-west-1")),  # another Region
    ],
)
def test_a_tampered_ssm_value_fails_the_trail_stack(
    emulated_aws: None, parameter: str | None, tampered: str | None
) -> None:
    s = parse_settings(EXAMPLE_SETTINGS.read_text(encoding="utf-8"))
    package = build_package(s)
    trail = next(r for r in package.manifest.resources if r.name == naming.RES_TRAIL)
    values = {"BucketName": naming.archive_bucket(s), "KeyArn": GOOD_KEY}
    if parameter is not None and tampered is not None:
        values[parameter] = tampered
    accounts = Accounts()
    management, home = s.organization.management_account, s.organization.home_region
    cfn = accounts.client(management, home, "cloudformation")
    create = {
        "StackName": stack_name(trail),
        "TemplateBody": package.files[trail.resource_file],
        "Parameters": [{"ParameterKey": k, "ParameterValue": v} for k, v in values.items()],
        "Capabilities": CAPABILITIES,
    }
    trails = accounts.client(management, home, "cloudtrail")
    if parameter is None:
        log_archive = s.organization.log_archive_account
        accounts.client(log_archive, home, "s3").create_bucket(Bucket=naming.archive_bucket(s))
        cfn.create_stack(**create)
        assert [t["Name"] for t in trails.list_trails()["Trails"]] == [s.trail.name]
        return
    with pytest.raises(ClientError) as raised:
        cfn.create_stack(**create)
    error = raised.value.response["Error"]
    assert (error["Code"], error["Message"].split(" must match pattern ")[0]) == (
        "ValidationError",
        f"Parameter '{parameter}'",
    )
    assert trails.list_trails()["Trails"] == []

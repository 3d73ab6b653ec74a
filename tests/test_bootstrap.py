"""`cfct-build bootstrap`: the management-account execution role, printed, written, deployed."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from cfnlint.api import ManualArgs, lint
from moto import mock_aws
from moto.iam.models import Role as MotoRole
from moto.iam.models import iam_backends
from moto.utilities.utils import get_partition

from cfct_build import bootstrap, naming, render
from cfct_build.cli import main
from cfct_build.components import bootstrap as component
from cfct_build.config import Settings

EXAMPLE = Path(__file__).resolve().parent.parent / "cfct-build.yaml"
MANAGEMENT = "111111111111"
STACK = "cfct-build-management-execution-role"
ROLE_ARN = f"arn:aws:iam::{MANAGEMENT}:role/AWSControlTowerExecution"
STACKSET_ROLE = (
    f"arn:${{AWS::Partition}}:iam::{MANAGEMENT}:role/service-role/AWSControlTowerStackSetRole"
)
DESCRIPTION = (
    "Lets CfCT StackSets (AWSControlTowerStackSetRole) deploy into the management account. "
    "AdministratorAccess is what Control Tower gives this role in every member account: "
    "StackSet templates create IAM, CloudTrail, KMS and other resources, so a narrower policy "
    "would break later packages. Only AWSControlTowerStackSetRole of this account may assume it."
)
TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "ControlTowerStackSetRoleOnly",
            "Effect": "Allow",
            "Principal": {"AWS": [{"Fn::Sub": STACKSET_ROLE}]},
            "Action": ["sts:AssumeRole"],
        }
    ],
}


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["bootstrap", "-s", str(EXAMPLE), *argv], out, err)
    return code, out.getvalue(), err.getvalue()


# --------------------------------------------------------------------------- template


def test_role(settings: Settings) -> None:
    t = json.loads(render.template_json(component.build(settings)))
    assert t["Resources"] == {
        "ControlTowerExecutionRole": {
            "Type": "AWS::IAM::Role",
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Metadata": {
                "cfn_nag": {
                    "rules_to_suppress": [
                        {
                            "id": "W28",
                            "reason": "CfCT and Control Tower find the role by this exact name; "
                            "it must not be renamed or replaced.",
                        },
                        {
                            "id": "W43",
                            "reason": "Same policy Control Tower attaches to "
                            "AWSControlTowerExecution in member accounts; StackSets deploy "
                            "arbitrary customizations through it. Only AWSControlTowerStackSetRole "
                            "may assume it.",
                        },
                    ]
                }
            },
            "Properties": {
                "RoleName": "AWSControlTowerExecution",
                "Description": DESCRIPTION,
                "AssumeRolePolicyDocument": TRUST,
                "ManagedPolicyArns": [
                    {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess"}
                ],
                "Tags": [{"Key": "cfct-build:component", "Value": "management-execution-role"}],
            },
        }
    }
    assert t["Outputs"] == {
        "RoleArn": {
            "Description": "ARN of AWSControlTowerExecution",
            "Value": {"Fn::GetAtt": ["ControlTowerExecutionRole", "Arn"]},
        }
    }
    assert sorted(t) == ["AWSTemplateFormatVersion", "Description", "Outputs", "Resources"]


def test_template_lint_clean_and_partition_free(settings: Settings) -> None:
    text = bootstrap.template_text(settings)
    matches = lint(text, config=ManualArgs(include_checks=["I"], regions=["us-east-1"]))
    assert [(m.rule.id, m.message) for m in matches] == []
    assert "arn:aws:" not in text
    assert text == bootstrap.template_text(Settings.model_validate(settings.model_dump()))


# --------------------------------------------------------------------------- print / write

COMMAND = (
    f"aws cloudformation deploy --stack-name {STACK} --template-file {{file}} "
    "--capabilities CAPABILITY_NAMED_IAM --region us-east-1"
)


def test_prints_template_and_command(settings: Settings) -> None:
    assert run_cli() == (
        0,
        bootstrap.template_text(settings),
        "# Save the template (printed on stdout) as management-execution-role.template, or use "
        f"--write FILE; then deploy it with credentials of the management account {MANAGEMENT}:\n"
        + COMMAND.format(file="management-execution-role.template")
        + "\n",
    )


def test_profile_goes_into_the_command(settings: Settings) -> None:
    code, _, err = run_cli("--profile", "org-admin")
    assert code == 0
    assert (
        err.splitlines()[1]
        == COMMAND.format(file=naming.TEMPLATE_BOOTSTRAP) + " --profile org-admin"
    )


def test_write(settings: Settings, tmp_path: Path) -> None:
    target = tmp_path / "my dir" / "role.template"
    target.parent.mkdir()
    assert run_cli("--write", str(target)) == (
        0,
        bootstrap.template_text(settings),
        f"# Wrote {target}. Deploy it with credentials of the management account {MANAGEMENT}:\n"
        + COMMAND.format(file=f"'{target}'")
        + "\n",
    )
    assert target.read_text(encoding="utf-8") == bootstrap.template_text(settings)
    assert sorted(p.name for p in target.parent.iterdir()) == ["role.template"]
    assert target.stat().st_mode & 0o777 == 0o644


def test_write_replaces_an_old_file(settings: Settings, tmp_path: Path) -> None:
    target = tmp_path / "role.template"
    target.write_text("old\n")
    assert run_cli("--write", str(target))[0] == 0
    assert target.read_text(encoding="utf-8") == bootstrap.template_text(settings)


def test_write_into_a_missing_folder_fails_cleanly(tmp_path: Path) -> None:
    target = tmp_path / "nope" / "role.template"
    assert run_cli("--write", str(target)) == (
        1,
        "",
        f"cfct-build bootstrap: cannot write {target}: No such file or directory\n",
    )
    assert not target.parent.exists()


# --------------------------------------------------------------------------- --apply (moto)


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Dummy credentials only; no profile, config file or instance metadata can leak in."""
    for name in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ROLE_ARN",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")  # not the home Region on purpose
    monkeypatch.setenv("MOTO_ACCOUNT_ID", MANAGEMENT)


_moto_create_role = MotoRole.create_from_cloudformation_json


def _create_role_with_managed_policies(
    cls: type[MotoRole],
    resource_name: str,
    cloudformation_json: dict[str, Any],
    account_id: str,
    region_name: str,
    **kwargs: Any,
) -> MotoRole:
    """EMULATOR-ONLY: moto 5.2.5's CloudFormation drops an IAM role's `ManagedPolicyArns`;
    attach them the way AttachRolePolicy would, so the deployed role can be read back."""
    role = _moto_create_role.__func__(  # type: ignore[attr-defined]
        cls, resource_name, cloudformation_json, account_id, region_name, **kwargs
    )
    backend = iam_backends[account_id][get_partition(region_name)]
    for arn in cloudformation_json["Properties"].get("ManagedPolicyArns", []):
        backend.attach_role_policy(arn, role.name)
    return role


@pytest.fixture
def management(aws_env: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[boto3.Session]:
    """An emulated management account with Control Tower's StackSet role."""
    monkeypatch.setattr(
        MotoRole, "create_from_cloudformation_json", classmethod(_create_role_with_managed_policies)
    )
    with mock_aws(config={"iam": {"load_aws_managed_policies": True}}):
        session = boto3.Session(region_name="us-east-1")
        session.client("iam").create_role(
            RoleName="AWSControlTowerStackSetRole",
            Path="/service-role/",
            AssumeRolePolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "cloudformation.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ],
                }
            ),
        )
        yield session


CREATED = [
    f"{STACK}: creating in account {MANAGEMENT}, us-east-1 ...",
    f"{STACK}: created; {ROLE_ARN} now trusts role/service-role/AWSControlTowerStackSetRole",
]
UP_TO_DATE = [f"{STACK}: up to date in account {MANAGEMENT}, us-east-1; nothing to do"]


def test_apply_creates_the_role(management: boto3.Session) -> None:
    code, out, err = run_cli("--apply")
    assert (code, out.splitlines(), err) == (0, CREATED, "")
    cfn = management.client("cloudformation")
    stack = cfn.describe_stacks(StackName=STACK)["Stacks"][0]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert stack["EnableTerminationProtection"] is True
    assert stack["Outputs"] == [
        {
            "OutputKey": "RoleArn",
            "OutputValue": ROLE_ARN,
            "Description": "ARN of AWSControlTowerExecution",
        }
    ]
    iam = management.client("iam")
    role = iam.get_role(RoleName="AWSControlTowerExecution")["Role"]
    assert role["Description"] == DESCRIPTION
    assert role["AssumeRolePolicyDocument"] == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ControlTowerStackSetRoleOnly",
                "Effect": "Allow",
                "Principal": {
                    "AWS": [
                        f"arn:aws:iam::{MANAGEMENT}:role/service-role/AWSControlTowerStackSetRole"
                    ]
                },
                "Action": ["sts:AssumeRole"],
            }
        ],
    }
    attached = iam.list_attached_role_policies(RoleName="AWSControlTowerExecution")
    assert attached["AttachedPolicies"] == [
        {
            "PolicyName": "AdministratorAccess",
            "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess",
        }
    ]


def test_apply_again_is_a_no_op(management: boto3.Session) -> None:
    assert run_cli("--apply")[0] == 0
    code, out, err = run_cli("--apply")
    assert (code, out.splitlines(), err) == (0, UP_TO_DATE, "")
    events = management.client("cloudformation").describe_stacks(StackName=STACK)["Stacks"][0]
    assert events["StackStatus"] == "CREATE_COMPLETE"  # never updated


def test_apply_updates_a_drifted_stack(management: boto3.Session, settings: Settings) -> None:
    assert run_cli("--apply")[0] == 0
    cfn = management.client("cloudformation")
    old = json.loads(bootstrap.template_text(settings))
    old["Description"] = "an older version"
    cfn.update_stack(
        StackName=STACK, TemplateBody=json.dumps(old), Capabilities=["CAPABILITY_NAMED_IAM"]
    )
    code, out, err = run_cli("--apply")
    assert (code, out.splitlines(), err) == (
        0,
        [
            f"{STACK}: updating in account {MANAGEMENT}, us-east-1 ...",
            f"{STACK}: updated; {ROLE_ARN} now trusts role/service-role/AWSControlTowerStackSetRole",
        ],
        "",
    )
    body = cfn.get_template(StackName=STACK)["TemplateBody"]
    assert bootstrap._same_template(body, bootstrap.template_text(settings))
    assert run_cli("--apply")[1].splitlines() == UP_TO_DATE


def test_apply_refuses_another_account(aws_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "999999999999")
    with mock_aws():
        assert run_cli("--apply") == (
            1,
            "",
            "cfct-build bootstrap: refusing to deploy: these credentials belong to account "
            "999999999999 (arn:aws:sts::999999999999:user/moto), not to the management account "
            "111111111111 (organization.management_account); use management-account credentials\n",
        )
        cfn = boto3.client("cloudformation", region_name="us-east-1")
        assert cfn.list_stacks()["StackSummaries"] == []


def test_apply_refuses_to_take_over_an_existing_role(management: boto3.Session) -> None:
    management.client("iam").create_role(
        RoleName="AWSControlTowerExecution", AssumeRolePolicyDocument=json.dumps(TRUST)
    )
    assert run_cli("--apply") == (
        1,
        "",
        f"cfct-build bootstrap: role {ROLE_ARN} already exists outside stack {STACK}; if it "
        "trusts role/service-role/AWSControlTowerStackSetRole CfCT can use it as it is, "
        "otherwise delete it and run again\n",
    )
    assert management.client("cloudformation").list_stacks()["StackSummaries"] == []


def test_apply_without_credentials(aws_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    assert run_cli("--apply") == (
        1,
        "",
        "cfct-build bootstrap: no AWS credentials found; use --profile or set AWS_PROFILE to a "
        "profile of the management account 111111111111\n",
    )


def test_apply_with_an_unknown_profile(aws_env: None) -> None:
    assert run_cli("--apply", "--profile", "nope") == (
        1,
        "",
        "cfct-build bootstrap: The config profile (nope) could not be found\n",
    )


class _Denied:
    """A boto3 Session stand-in whose every call is refused."""

    def client(self, service: str, **_: Any) -> Any:
        class Client:
            def get_caller_identity(self) -> Any:
                raise ClientError(
                    {"Error": {"Code": "AccessDenied", "Message": "User is not\nauthorized"}},
                    "GetCallerIdentity",
                )

        return Client()


def test_apply_client_error_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bootstrap, "_session", lambda profile: _Denied())
    assert run_cli("--apply") == (
        1,
        "",
        "cfct-build bootstrap: AWS error AccessDenied in GetCallerIdentity: User is not authorized\n",
    )

"""A moto organization for the live-read tests (test_org.py, test_plan.py): `aws_env` (dummy
credentials, nothing from the machine) and `build_org` (nested OUs, paging, Control Tower's
baseline StackSet emulated by real moto CloudFormation stack instances)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from cfct_build.org import Account, Organization, OrganizationalUnit

MANAGEMENT = "111111111111"
BASELINE = "AWSControlTowerBP-BASELINE-CONFIG"


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
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("MOTO_ACCOUNT_ID", MANAGEMENT)


TEMPLATE = json.dumps(
    {"Resources": {"Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": "probe"}}}}
)


def build_org(paged: int = 25) -> dict[str, Any]:
    """An organization in moto: nested OUs three deep, `paged` accounts in one OU (moto pages
    list_accounts_for_parent at 20), a moved, a suspended and an unenrolled account, SCPs on
    the root and two OUs, and Control Tower's baseline StackSet with instances for the
    enrolled accounts. Returns the ids."""
    o = boto3.client("organizations", region_name="us-east-1")
    o.create_organization(FeatureSet="ALL")
    root = o.list_roots()["Roots"][0]["Id"]

    def ou(parent: str, name: str) -> str:
        return str(
            o.create_organizational_unit(ParentId=parent, Name=name)["OrganizationalUnit"]["Id"]
        )

    def account(name: str, parent: str) -> str:
        email = f"{name.lower().replace(' ', '-')}@example.com"
        account_id = str(
            o.create_account(AccountName=name, Email=email)["CreateAccountStatus"]["AccountId"]
        )
        o.move_account(AccountId=account_id, SourceParentId=root, DestinationParentId=parent)
        return account_id

    ids: dict[str, Any] = {"root": root}
    ids["security"] = ou(root, "Security")
    ids["workloads"] = ou(root, "Workloads")
    ids["prod"] = ou(ids["workloads"], "Prod")
    ids["team"] = ou(ids["prod"], "Team")
    ids["audit"] = account("Audit", ids["security"])
    ids["app"] = account("App", ids["workloads"])
    o.move_account(
        AccountId=ids["app"], SourceParentId=ids["workloads"], DestinationParentId=ids["team"]
    )
    ids["old"] = account("Old", ids["prod"])
    o.close_account(AccountId=ids["old"])
    ids["invited"] = account("Invited", ids["prod"])  # ACTIVE, never enrolled
    ids["many"] = [account(f"Team {n:02d}", ids["team"]) for n in range(paged)]
    policy = o.create_policy(
        Content=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}],
            }
        ),
        Description="",
        Name="deny-s3",
        Type="SERVICE_CONTROL_POLICY",
    )["Policy"]["PolicySummary"]["Id"]
    o.attach_policy(PolicyId=policy, TargetId=ids["prod"])
    cfn = boto3.client("cloudformation", region_name="us-east-1")
    cfn.create_stack_set(StackSetName=BASELINE, TemplateBody=TEMPLATE)
    enrolled = [ids["audit"], ids["app"], ids["old"], *ids["many"]]
    cfn.create_stack_instances(StackSetName=BASELINE, Accounts=enrolled, Regions=["us-east-1"])
    cfn.create_stack_set(StackSetName="CustomControlTower-baseline", TemplateBody=TEMPLATE)
    cfn.create_stack_instances(
        StackSetName="CustomControlTower-baseline",
        Accounts=[ids["audit"]],
        Regions=["us-east-1", "us-west-2"],
    )
    return ids


def expected_org(ids: dict[str, Any], org_id: str) -> Organization:
    def acct(
        key: str, name: str, parent: str, state: str = "ACTIVE", enrolled: bool = True
    ) -> Account:
        email = f"{name.lower().replace(' ', '-')}@example.com"
        return Account(ids[key], name, ids[parent], state, enrolled, email, state)

    many = tuple(
        Account(
            a, f"Team {n:02d}", ids["team"], "ACTIVE", True, f"team-{n:02d}@example.com", "ACTIVE"
        )
        for n, a in enumerate(ids["many"])
    )
    return Organization(
        id=org_id,
        management_account_id=MANAGEMENT,
        root_id=ids["root"],
        ous=(
            OrganizationalUnit(ids["security"], "Security", ids["root"]),
            OrganizationalUnit(ids["workloads"], "Workloads", ids["root"]),
            OrganizationalUnit(ids["prod"], "Prod", ids["workloads"]),
            OrganizationalUnit(ids["team"], "Team", ids["prod"]),
        ),
        accounts=(
            Account(
                MANAGEMENT, "master", ids["root"], "ACTIVE", False, "master@example.com", "ACTIVE"
            ),
            acct("audit", "Audit", "security"),
            acct("old", "Old", "prod", state="SUSPENDED"),
            acct("invited", "Invited", "prod", enrolled=False),
            acct("app", "App", "team"),
            *many,
        ),
        scps={
            ids["root"]: ("FullAWSAccess",),
            ids["security"]: ("FullAWSAccess",),
            ids["workloads"]: ("FullAWSAccess",),
            ids["prod"]: ("FullAWSAccess", "deny-s3"),
            ids["team"]: ("FullAWSAccess",),
        },
        stack_sets={
            "CustomControlTower-baseline": (
                (ids["audit"], "us-east-1"),
                (ids["audit"], "us-west-2"),
            )
        },
        home_region="us-east-1",
    )

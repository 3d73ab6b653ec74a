"""`cfct-build simulate`: the package deployed the CfCT way on moto, an account vended, read back.

The main fixture runs the CLI end to end on the example settings with the test-only emulator
extension active (tests/emulator), keeps the emulated cloud alive, and the tests read every
resource of the new account back through the service APIs (IAM, EventBridge, CloudFormation,
Organizations), compare it with the template's own document resolved for that account and
Region, and check that no existing StackSet was updated. The reports are compared with golden
files (`pytest tests/test_simulate.py --update-golden` rewrites them; review the diff) and the
"what changed" part with literal text here.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cfct_build import naming
from cfct_build.cli import main
from cfct_build.config import Settings, load_settings
from cfct_build.package import Package, build_package
from cfct_build.render import cfct_sent_text
from cfct_build.simulate.aws import Accounts
from cfct_build.simulate.pipeline import resolve_parameter
from e2e.intrinsics import StackContext, resolve
from emulator.fixtures import aws_credentials, emulated_aws_context

__all__ = ["aws_credentials"]  # a pytest fixture, used by name

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "cfct-build.yaml"
SNAPSHOT = Path(__file__).parent / "simulate" / "org-snapshot.json"
GOLDEN = Path(__file__).parent / "golden" / "simulate"
NEW = "100000000006"  # the example's default org has workload accounts ...01 to ...05
HOME, SECOND = "us-east-1", "us-west-2"  # the baseline's Regions (home, replica)
BASELINE_STACK = f"StackSet-CustomControlTower-{naming.RES_BASELINE}"
CT_MARKER_STACK = f"StackSet:{naming.CT_BASELINE_STACKSET}"  # moto's name for the instance
RULES = [naming.TAMPER_RULE_BUCKETS, naming.TAMPER_RULE_KEYS, naming.TAMPER_RULE_TRAIL]


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


@dataclass(frozen=True)
class Simulated:
    settings: Settings
    package: Package
    code: int
    out: str
    err: str
    accounts: Accounts

    def client(self, service: str, region: str = HOME, account: str = NEW) -> Any:
        return self.accounts.client(account, region, service)

    def ssm(self, name: str) -> str:
        ssm = self.client("ssm", account=self.settings.organization.management_account)
        return str(ssm.get_parameter(Name=name)["Parameter"]["Value"])

    def baseline_template(self) -> dict[str, Any]:
        document: dict[str, Any] = json.loads(self.package.files[naming.TEMPLATE_BASELINE])
        return document

    def resolved(self, logical_id: str, prop: str, region: str) -> Any:
        """A baseline template property, resolved for the new account's stack in `region`."""
        cfn = self.client("cloudformation", region)
        summaries = cfn.list_stack_resources(StackName=BASELINE_STACK)["StackResourceSummaries"]
        ctx = StackContext(
            account=NEW,
            region=region,
            parameters={
                "KeyArn": self.ssm(naming.SSM_KEY_ARN),
                "ReplicaKeyArn": self.ssm(naming.SSM_REPLICA_KEY_ARN),
            },
            refs={r["LogicalResourceId"]: r["PhysicalResourceId"] for r in summaries},
            attributes={
                f"{r['LogicalResourceId']}.Arn": self.client("iam").get_role(
                    RoleName=r["PhysicalResourceId"]
                )["Role"]["Arn"]
                for r in summaries
                if r["ResourceType"] == "AWS::IAM::Role"
            },
        )
        node = self.baseline_template()["Resources"][logical_id]["Properties"][prop]
        return resolve(node, ctx)


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulated]:
    settings = load_settings(EXAMPLE)
    with (
        pytest.MonkeyPatch.context() as monkeypatch,
        emulated_aws_context(monkeypatch, tmp_path_factory.mktemp("aws")),
    ):
        code, out, err = run("simulate", "-s", str(EXAMPLE))
        yield Simulated(settings, build_package(settings), code, out, err, Accounts())


# --------------------------------------------------------------------------- the report


def test_the_example_simulates_cleanly(
    simulated: Simulated, request: pytest.FixtureRequest
) -> None:
    assert (simulated.code, simulated.err) == (0, "")
    assert simulated.out == golden("example.txt", simulated.out, request)


def _section(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end)]


def test_the_report_says_exactly_what_changed(simulated: Simulated) -> None:
    resources = simulated.package.manifest.resources
    rerun = [
        "Re-run on CreateManagedAccount (the whole pipeline again):",
        "  SCP cfct-build-log-archive-guardrails-1: updated in place (content unchanged); "
        "no new attachment",
    ]
    for r in resources:
        if r.deploy_method != "stack_set":
            continue
        line = f"  StackSet {r.name}: not updated (template bytes and parameters unchanged); "
        if r.name == naming.RES_BASELINE:
            rerun.append(line + f"instances added: {NEW} x {HOME}, {SECOND}")
        else:
            rerun.append(line + "instances unchanged")
    count = sum(1 for r in resources if r.deploy_method == "stack_set")
    expected = "\n".join(
        [
            *rerun,
            "",
            f"What the new account {NEW} receives:",
            f"  stack instance {naming.RES_BASELINE} in {HOME} ({BASELINE_STACK}, "
            "CREATE_COMPLETE):",
            "    AWS::Events::Rule  LogBucketTamperRule       cfct-build-tamper-log-buckets",
            "    AWS::Events::Rule  LogKeyTamperRule          cfct-build-tamper-log-keys",
            "    AWS::IAM::Role     OwnLogsReaderRole         cfct-build-own-logs-reader",
            "    AWS::IAM::Role     TamperAlertForwarderRole  cfct-build-tamper-forwarder-us-east-1",
            "    AWS::Events::Rule  TrailTamperRule           cfct-build-tamper-trail",
            f"  stack instance {naming.RES_BASELINE} in {SECOND} ({BASELINE_STACK}, "
            "CREATE_COMPLETE):",
            "    AWS::Events::Rule  LogBucketTamperRule       cfct-build-tamper-log-buckets",
            "    AWS::Events::Rule  LogKeyTamperRule          cfct-build-tamper-log-keys",
            "    AWS::IAM::Role     TamperAlertForwarderRole  cfct-build-tamper-forwarder-us-west-2",
            "    AWS::Events::Rule  TrailTamperRule           cfct-build-tamper-trail",
            "    not created: OwnLogsReaderRole (AWS::IAM::Role): condition InHomeRegion is false "
            "in us-west-2",
            f"  SCPs binding it (Root > Security > account {NEW}):",
            "    Root                  FullAWSAccess",
            "    Security              FullAWSAccess, cfct-build-log-archive-guardrails-1 "
            "(cfct-build)",
            f"    account {NEW}  FullAWSAccess",
            f"  query table: not projected: Athena finds none of its logs until {NEW} is added to "
            "query.accounts (then cfct-build build, push the package)",
            f"  existing StackSets updated: none ({count} of {count} templates byte-identical to "
            "the package; no UPDATE operation recorded)",
            "",
            "",
        ]
    )
    assert _section(simulated.out, "Re-run on", "Not modelled by") == expected


# --------------------------------------------------------------------------- read back


def test_every_stack_in_the_new_account(simulated: Simulated) -> None:
    """The baseline in its two Regions, Control Tower's enrollment marker, nothing else."""
    stacks = {
        region: sorted(
            s["StackName"]
            for s in simulated.client("cloudformation", region).list_stacks()["StackSummaries"]
            if s["StackStatus"] != "DELETE_COMPLETE"
        )
        for region in simulated.settings.organization.governed_regions
    }
    assert stacks == {
        "us-east-1": [BASELINE_STACK, CT_MARKER_STACK],
        "us-west-2": [BASELINE_STACK],
        "eu-west-1": [],
    }


def test_every_role_in_the_new_account(simulated: Simulated) -> None:
    iam = simulated.client("iam")
    names = sorted(r["RoleName"] for r in iam.list_roles()["Roles"])
    assert names == [
        naming.CT_EXECUTION_ROLE,  # Control Tower's (emulated enrollment)
        "OrganizationAccountAccessRole",  # Organizations' CreateAccount
        "cfct-build-own-logs-reader",
        naming.tamper_forwarder_role(HOME),
        naming.tamper_forwarder_role(SECOND),
    ]


@pytest.mark.parametrize(
    ("logical_id", "role_name", "region"),
    [
        ("OwnLogsReaderRole", "cfct-build-own-logs-reader", HOME),
        ("TamperAlertForwarderRole", naming.tamper_forwarder_role(HOME), HOME),
        ("TamperAlertForwarderRole", naming.tamper_forwarder_role(SECOND), SECOND),
    ],
)
def test_baseline_roles_read_back(
    simulated: Simulated, logical_id: str, role_name: str, region: str
) -> None:
    iam = simulated.client("iam")
    role = iam.get_role(RoleName=role_name)["Role"]
    declared = simulated.baseline_template()["Resources"][logical_id]["Properties"]
    assert role["AssumeRolePolicyDocument"] == simulated.resolved(
        logical_id, "AssumeRolePolicyDocument", region
    )
    assert (role["Path"], role["Description"], role["MaxSessionDuration"]) == (
        declared["Path"],
        declared["Description"],
        declared.get("MaxSessionDuration", 3600),
    )
    assert role["Tags"] == declared["Tags"]
    inline = {
        name: iam.get_role_policy(RoleName=role_name, PolicyName=name)["PolicyDocument"]
        for name in iam.list_role_policies(RoleName=role_name)["PolicyNames"]
    }
    assert inline == {
        p["PolicyName"]: p["PolicyDocument"]
        for p in simulated.resolved(logical_id, "Policies", region)
    }
    assert iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"] == []


@pytest.mark.parametrize("region", [HOME, SECOND])
def test_tamper_rules_read_back(simulated: Simulated, region: str) -> None:
    events = simulated.client("events", region)
    assert sorted(r["Name"] for r in events.list_rules()["Rules"]) == sorted(RULES)
    by_name = {
        p["Properties"]["Name"]: (logical_id, p["Properties"])
        for logical_id, p in simulated.baseline_template()["Resources"].items()
        if p["Type"] == "AWS::Events::Rule"
    }
    for name in RULES:
        logical_id, declared = by_name[name]
        rule = events.describe_rule(Name=name)
        assert json.loads(rule["EventPattern"]) == simulated.resolved(
            logical_id, "EventPattern", region
        )
        assert (rule["State"], rule["Description"], rule["EventBusName"]) == (
            declared["State"],
            declared["Description"],
            declared["EventBusName"],
        )
        targets = events.list_targets_by_rule(Rule=name)["Targets"]
        assert targets == simulated.resolved(logical_id, "Targets", region)


def test_scps_binding_the_new_account(simulated: Simulated) -> None:
    org = simulated.client(
        "organizations", account=simulated.settings.organization.management_account
    )
    chain = []
    child = NEW
    while True:
        (parent,) = org.list_parents(ChildId=child)["Parents"]
        chain.append(parent)
        if parent["Type"] == "ROOT":
            break
        child = parent["Id"]
    assert [p["Type"] for p in chain] == ["ORGANIZATIONAL_UNIT", "ROOT"]
    security = org.describe_organizational_unit(OrganizationalUnitId=chain[0]["Id"])
    assert security["OrganizationalUnit"]["Name"] == "Security"

    def attached(target: str) -> list[str]:
        found = org.list_policies_for_target(TargetId=target, Filter="SERVICE_CONTROL_POLICY")
        return sorted(p["Name"] for p in found["Policies"])

    guardrails = naming.guardrail_scp(1)
    assert [attached(chain[1]["Id"]), attached(chain[0]["Id"]), attached(NEW)] == [
        ["FullAWSAccess"],
        ["FullAWSAccess", guardrails],
        ["FullAWSAccess"],
    ]
    (policy,) = [
        p
        for p in org.list_policies(Filter="SERVICE_CONTROL_POLICY")["Policies"]
        if p["Name"] == guardrails
    ]
    content = org.describe_policy(PolicyId=policy["Id"])["Policy"]["Content"]
    file = simulated.package.files[naming.guardrail_policy_file(1)]
    assert content == cfct_sent_text(file)


def test_no_existing_stack_set_was_updated(simulated: Simulated) -> None:
    management = simulated.settings.organization.management_account
    cfn = simulated.client("cloudformation", account=management)
    stack_sets = {
        f"CustomControlTower-{r.name}": r
        for r in simulated.package.manifest.resources
        if r.deploy_method == "stack_set"
    }
    listed = sorted(s["StackSetName"] for s in cfn.list_stack_sets()["Summaries"])
    assert listed == sorted([*stack_sets, naming.CT_BASELINE_STACKSET])
    ssm = simulated.client("ssm", account=management)
    for name, resource in stack_sets.items():
        described = cfn.describe_stack_set(StackSetName=name)["StackSet"]
        assert described["TemplateBody"] == simulated.package.files[resource.resource_file]
        assert {p["ParameterKey"]: p["ParameterValue"] for p in described["Parameters"]} == {
            k: resolve_parameter(v, ssm) for k, v in resource.parameters
        }
        operations = cfn.list_stack_set_operations(StackSetName=name)["Summaries"]
        assert [o["Action"] for o in operations] == [], name


# --------------------------------------------------------------------------- errors


def test_without_moto_the_error_names_the_extra(
    aws_credentials: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "moto", None)  # as if it were not installed
    assert run("simulate", "-s", str(EXAMPLE)) == (
        1,
        "",
        "cfct-build simulate: error:\n"
        "cfct-build simulate needs the AWS emulator moto, which is not installed.\n"
        "Install the optional extra: pip install 'cfct-build[simulate]'\n",
    )


OUS = "Security, Infrastructure, Workloads, Workloads:Prod, Workloads:NonProd, Sandbox"


@pytest.mark.parametrize(
    ("ou", "message"),
    [
        (
            "Workloads:Nope",
            "--new-account-ou: got 'Workloads:Nope'; expected an OU path of the organization "
            f"(default from the settings): {OUS}",
        ),
        (
            "Root",
            "--new-account-ou: got 'Root'; expected an OU path: Control Tower enrolls accounts "
            "in OUs, never directly in the root; expected an OU path of the organization "
            f"(default from the settings): {OUS}",
        ),
    ],
)
def test_a_bad_ou_path_is_a_usage_error(aws_credentials: None, ou: str, message: str) -> None:
    assert run("simulate", "-s", str(EXAMPLE), "--new-account-ou", ou) == (
        2,
        "",
        f"cfct-build simulate: error:\n{message}\n",
    )


def test_a_default_ou_missing_from_the_snapshot_is_located_in_the_settings(
    aws_credentials: None, tmp_path: Path
) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace("    - Security\n", "    - Platform\n", 1)
    settings = tmp_path / "settings.yaml"
    settings.write_text(text, encoding="utf-8")
    line = text.splitlines().index("    - Platform") + 1
    snapshot_ous = OUS.replace("Workloads:Prod,", "Workloads:Prod, Workloads:Prod:Team,")
    assert run("simulate", "-s", str(settings), "--org-snapshot", str(SNAPSHOT)) == (
        2,
        "",
        "cfct-build simulate: error:\n"
        f"{settings}:{line}:7: organization.organizational_units[0] (the default of "
        "--new-account-ou): got 'Platform'; expected an OU path of the organization "
        f"(snapshot {SNAPSHOT}): {snapshot_ous}\n",
    )

"""The account baseline and the central alert bus, deployed the CfCT way on moto and read back.

The example settings are deployed by the product's CfCT pipeline emulation (`cfct_build.simulate`)
into the organization `default_org` shapes from them: the management account at the root, the
log-archive and audit accounts in `Security`, one workload account in every other listed OU.
Then, through the IAM, EventBridge, SNS and SQS APIs:
- every account of the listed OUs and the management account has the baseline in the home and
  the replica Region: the own-logs reader once (home Region; IAM is global), a forwarder role
  per Region, and the three tamper rules whose patterns and targets are the template's own,
  resolved for that stack (the key ARNs from management-account SSM);
- the audit account has the bus (policy, description, tags), its rule and the topic (policy,
  email subscription);
- an event posted in a member account's default bus, in either Region, arrives at the topic;
  an event no rule watches does not. moto forwards between buses without evaluating the bus
  policy or the forwarder role (access control is `cfct-build prove`'s job).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cfct_build import naming
from cfct_build.components import alerts, baseline
from cfct_build.config import Settings, parse_settings
from cfct_build.package import Package, build_package
from cfct_build.simulate.organization import default_org
from cfct_build.simulate.pipeline import PipelineRun, StackInstance, stack_name
from cfct_build.simulate.run import Emulation
from e2e.intrinsics import StackContext, resolve
from emulator.fixtures import emulated_aws_context

pytestmark = pytest.mark.slow

EXAMPLE_SETTINGS = Path(__file__).resolve().parents[2] / "cfct-build.yaml"
HOME, REPLICA = "us-east-1", "us-west-2"
MANAGEMENT, LOG_ARCHIVE, AUDIT = "111111111111", "222222222222", "333333333333"
# default_org: one workload account per listed OU other than Security, in settings order.
WORKLOADS = ["100000000001", "100000000002", "100000000003", "100000000004", "100000000005"]
API_CALL = "AWS API Call via CloudTrail"


@dataclass(frozen=True)
class Deployment:
    settings: Settings
    package: Package
    emulation: Emulation
    run: PipelineRun

    def client(self, account: str, region: str, service: str) -> Any:
        return self.emulation.accounts.client(account, region, service)

    def instances(self, resource_name: str) -> tuple[StackInstance, ...]:
        return self.run.stack_set(resource_name).added

    def template(self, resource_name: str) -> dict[str, Any]:
        (resource,) = [r for r in self.package.manifest.resources if r.name == resource_name]
        document: dict[str, Any] = json.loads(self.package.files[resource.resource_file])
        return document

    def context(self, instance: StackInstance, **attributes: str) -> StackContext:
        cfn = self.client(instance.account, instance.region, "cloudformation")
        summaries = cfn.list_stack_resources(StackName=stack_name(instance.resource))[
            "StackResourceSummaries"
        ]
        return StackContext(
            account=instance.account,
            region=instance.region,
            parameters=instance.parameters,
            refs={r["LogicalResourceId"]: r["PhysicalResourceId"] for r in summaries},
            attributes=attributes,
        )


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    settings = parse_settings(EXAMPLE_SETTINGS.read_text(encoding="utf-8"))
    package = build_package(settings)
    with (
        pytest.MonkeyPatch.context() as monkeypatch,
        emulated_aws_context(monkeypatch, tmp_path_factory.mktemp("aws")),
    ):
        emulation = Emulation(settings, default_org(settings), package)
        emulation.start()
        _org, _resolution, run = emulation.run_pipeline()
        assert run.failure is None
        yield Deployment(settings, package, emulation, run)


def test_every_governed_account_and_the_management_account_get_the_baseline(
    deployed: Deployment,
) -> None:
    got = sorted((i.account, i.region) for i in deployed.instances(naming.RES_BASELINE))
    accounts = [MANAGEMENT, LOG_ARCHIVE, AUDIT, *WORKLOADS]
    assert got == sorted((a, r) for a in accounts for r in (HOME, REPLICA))
    assert [(i.account, i.region) for i in deployed.instances(naming.RES_TAMPER_ALERTS)] == [
        (AUDIT, HOME)
    ]
    ssm = deployed.emulation.pipeline.ssm_parameters()
    assert {i.parameters["KeyArn"] for i in deployed.instances(naming.RES_BASELINE)} == {
        ssm[naming.SSM_KEY_ARN]
    }
    assert {i.parameters["ReplicaKeyArn"] for i in deployed.instances(naming.RES_BASELINE)} == {
        ssm[naming.SSM_REPLICA_KEY_ARN]
    }


def _role(iam: Any, name: str) -> dict[str, Any]:
    role = iam.get_role(RoleName=name)["Role"]
    policies = iam.list_role_policies(RoleName=name)["PolicyNames"]
    return {
        "RoleName": role["RoleName"],
        "Path": role["Path"],
        "Description": role["Description"],
        "MaxSessionDuration": role["MaxSessionDuration"],
        "AssumeRolePolicyDocument": role["AssumeRolePolicyDocument"],
        "Policies": [
            {
                "PolicyName": p,
                "PolicyDocument": iam.get_role_policy(RoleName=name, PolicyName=p)[
                    "PolicyDocument"
                ],
            }
            for p in policies
        ],
        "Tags": iam.list_role_tags(RoleName=name)["Tags"],
    }


def test_roles_are_the_templates(deployed: Deployment) -> None:
    t = deployed.template(naming.RES_BASELINE)["Resources"]
    reader_props = {**t[baseline.READER]["Properties"], "MaxSessionDuration": 3600}
    forwarder_props = {**t[baseline.FORWARDER]["Properties"], "MaxSessionDuration": 3600}
    for instance in deployed.instances(naming.RES_BASELINE):
        iam = deployed.client(instance.account, instance.region, "iam")
        ctx = deployed.context(instance)
        forwarder = f"cfct-build-tamper-forwarder-{instance.region}"
        assert _role(iam, forwarder) == resolve(forwarder_props, ctx), instance
        if instance.region == HOME:
            reader = "cfct-build-own-logs-reader"
            assert _role(iam, reader) == resolve(reader_props, ctx), instance
    for account in (MANAGEMENT, WORKLOADS[0]):
        names = deployed.client(account, HOME, "iam").list_roles()["Roles"]
        ours = ("cfct-build-own-logs-reader", naming.TAMPER_FORWARDER_ROLE_PREFIX)
        assert sorted(r["RoleName"] for r in names if r["RoleName"].startswith(ours)) == [
            "cfct-build-own-logs-reader",
            "cfct-build-tamper-forwarder-us-east-1",
            "cfct-build-tamper-forwarder-us-west-2",
        ]


def test_rules_are_the_templates(deployed: Deployment) -> None:
    t = deployed.template(naming.RES_BASELINE)["Resources"]
    rules = {k: v["Properties"] for k, v in t.items() if v["Type"] == "AWS::Events::Rule"}
    for instance in deployed.instances(naming.RES_BASELINE):
        events = deployed.client(instance.account, instance.region, "events")
        iam = deployed.client(instance.account, instance.region, "iam")
        forwarder = iam.get_role(RoleName=f"cfct-build-tamper-forwarder-{instance.region}")
        ctx = deployed.context(instance, **{f"{baseline.FORWARDER}.Arn": forwarder["Role"]["Arn"]})
        for props in rules.values():
            expected = resolve(props, ctx)
            rule = events.describe_rule(Name=expected["Name"])
            targets = events.list_targets_by_rule(Rule=expected["Name"])["Targets"]
            tags = events.list_tags_for_resource(ResourceARN=rule["Arn"])["Tags"]
            assert {
                "Name": rule["Name"],
                "Description": rule["Description"],
                "EventBusName": rule["EventBusName"],
                "State": rule["State"],
                "EventPattern": json.loads(rule["EventPattern"]),
                "Targets": targets,
                "Tags": tags,
            } == expected, instance


def test_central_bus_topic_and_subscription(deployed: Deployment) -> None:
    (instance,) = deployed.instances(naming.RES_TAMPER_ALERTS)
    t = deployed.template(naming.RES_TAMPER_ALERTS)["Resources"]
    events = deployed.client(AUDIT, HOME, "events")
    sns = deployed.client(AUDIT, HOME, "sns")
    topic_arn = instance.outputs["TopicArn"]
    bus = events.describe_event_bus(Name="cfct-build-tamper-alerts")
    rule_arn = events.describe_rule(
        Name=naming.TAMPER_TOPIC_RULE, EventBusName="cfct-build-tamper-alerts"
    )["Arn"]
    ctx = deployed.context(instance, **{f"{alerts.RULE}.Arn": rule_arn})
    bus_props = resolve(t[alerts.BUS]["Properties"], ctx)
    assert {
        "Name": bus["Name"],
        "Description": bus["Description"],
        "Policy": json.loads(bus["Policy"]),
        "Tags": events.list_tags_for_resource(ResourceARN=bus["Arn"])["Tags"],
    } == bus_props
    assert (
        bus["Arn"]
        == instance.outputs["BusArn"]
        == ("arn:aws:events:us-east-1:333333333333:event-bus/cfct-build-tamper-alerts")
    )
    assert events.list_targets_by_rule(
        Rule=naming.TAMPER_TOPIC_RULE, EventBusName="cfct-build-tamper-alerts"
    )["Targets"] == [{"Id": "TamperAlertTopic", "Arn": topic_arn}]
    attributes = sns.get_topic_attributes(TopicArn=topic_arn)["Attributes"]
    policy = resolve(t[alerts.TOPIC_POLICY]["Properties"]["PolicyDocument"], ctx)
    assert (attributes["DisplayName"], json.loads(attributes["Policy"])) == (
        "cfct-build tamper alerts",
        policy,
    )
    assert sns.list_tags_for_resource(ResourceArn=topic_arn)["Tags"] == [
        {"Key": "cfct-build:component", "Value": "tamper-alerts"}
    ]
    subscriptions = sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
    assert [(s["Protocol"], s["Endpoint"]) for s in subscriptions] == [
        ("email", "security-alerts@example.com")
    ]


def _put(deployed: Deployment, account: str, region: str, source: str, detail: Any) -> None:
    """A CloudTrail API-call event (as EventBridge receives it) on the account's default bus."""
    detail = {"eventSource": f"{source.removeprefix('aws.')}.amazonaws.com", **detail}
    entry = {"Source": source, "DetailType": API_CALL, "Detail": json.dumps(detail)}
    result = deployed.client(account, region, "events").put_events(Entries=[entry])
    assert result["FailedEntryCount"] == 0


def test_attempts_in_member_accounts_reach_the_topic(deployed: Deployment) -> None:
    (instance,) = deployed.instances(naming.RES_TAMPER_ALERTS)
    sqs = deployed.client(AUDIT, HOME, "sqs")
    queue = sqs.create_queue(QueueName="alert-inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    deployed.client(AUDIT, HOME, "sns").subscribe(
        TopicArn=instance.outputs["TopicArn"], Protocol="sqs", Endpoint=queue_arn
    )
    ssm = deployed.emulation.pipeline.ssm_parameters()
    replica_key_id = ssm[naming.SSM_REPLICA_KEY_ARN].rsplit("/", 1)[1]
    archive = naming.archive_bucket(deployed.settings)
    denied = {"errorCode": "AccessDenied"}
    _put(
        deployed,
        WORKLOADS[0],
        HOME,
        "aws.s3",
        {"eventName": "PutBucketPolicy", "requestParameters": {"bucketName": archive}, **denied},
    )
    _put(
        deployed,
        WORKLOADS[2],
        REPLICA,
        "aws.kms",
        {"eventName": "ScheduleKeyDeletion", "requestParameters": {"keyId": replica_key_id}},
    )
    _put(
        deployed,
        MANAGEMENT,
        HOME,
        "aws.cloudtrail",
        {"eventName": "StopLogging", "requestParameters": {"name": "cfct-build-org-data-events"}},
    )
    _put(  # watched by no rule
        deployed,
        WORKLOADS[0],
        HOME,
        "aws.kms",
        {"eventName": "DescribeKey", "requestParameters": {"keyId": replica_key_id}},
    )
    messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    received = sorted(
        (e["source"], e["detail"]["eventName"], e["detail"].get("errorCode", "-"))
        for e in (json.loads(json.loads(m["Body"])["Message"]) for m in messages)
    )
    assert received == [
        ("aws.cloudtrail", "StopLogging", "-"),
        ("aws.kms", "ScheduleKeyDeletion", "-"),
        ("aws.s3", "PutBucketPolicy", "AccessDenied"),
    ]

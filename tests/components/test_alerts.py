"""The central tamper-alert bus: exact bus, policies, rule, topic; what reaches the topic."""

from __future__ import annotations

import json
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint
from moto.events.models import EventPattern, EventPatternParser

from cfct_build import render
from cfct_build.components import alerts
from cfct_build.config import Settings
from cfct_build.manifest import Resource
from cfct_build.package import build_package

TAGS = [{"Key": "cfct-build:component", "Value": "tamper-alerts"}]


def sub(text: str) -> dict[str, str]:
    return {"Fn::Sub": text}


def template(s: Settings) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(render.template_json(alerts.build(s)))
    return result


def with_alerts(s: Settings, **changes: Any) -> Settings:
    t = s.baseline.tamper_alerts.model_copy(update=changes)
    return s.model_copy(update={"baseline": s.baseline.model_copy(update={"tamper_alerts": t})})


def test_resource(settings: Settings) -> None:
    assert alerts.resource(settings) == Resource(
        name="cfct-build-tamper-alerts",
        description="cfct-build: central tamper-alert bus and topic (audit account)",
        resource_file="templates/tamper-alerts.template",
        deploy_method="stack_set",
        accounts=("333333333333",),
        regions=("us-east-1",),
    )


def test_manifest_order_bus_before_the_baseline_after_the_trail(settings: Settings) -> None:
    names = [r.name for r in build_package(settings).manifest.resources]
    trail, bus = names.index("cfct-build-org-trail"), names.index("cfct-build-tamper-alerts")
    assert (trail < bus, names[bus + 1]) == (True, "cfct-build-account-baseline")


def test_bus(settings: Settings) -> None:
    assert template(settings)["Resources"]["TamperAlertBus"] == {
        "Type": "AWS::Events::EventBus",
        "Properties": {
            "Name": "cfct-build-tamper-alerts",
            "Description": "cfct-build: tamper alerts forwarded by every governed account",
            "Policy": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "OrganizationForwardersPutEvents",
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": ["events:PutEvents"],
                        "Resource": sub(
                            "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:"
                            "event-bus/cfct-build-tamper-alerts"
                        ),
                        "Condition": {
                            "StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"},
                            "ArnLike": {
                                "aws:PrincipalArn": [
                                    sub(
                                        "arn:${AWS::Partition}:iam::*:role/"
                                        "cfct-build-tamper-forwarder-*"
                                    )
                                ]
                            },
                        },
                    }
                ],
            },
            "Tags": TAGS,
        },
    }


def test_rule_topic_and_topic_policy(settings: Settings) -> None:
    resources = template(settings)["Resources"]
    assert {k: v for k, v in resources.items() if k != "TamperAlertBus"} == {
        "TamperAlertsToTopic": {
            "Type": "AWS::Events::Rule",
            "Properties": {
                "Name": "cfct-build-tamper-alerts-to-topic",
                "Description": "cfct-build: every tamper alert forwarded to this bus, to the topic",
                "EventBusName": {"Ref": "TamperAlertBus"},
                "State": "ENABLED",
                "EventPattern": {
                    "source": ["aws.cloudtrail", "aws.kms", "aws.s3"],
                    "detail-type": ["AWS API Call via CloudTrail"],
                },
                "Targets": [{"Id": "TamperAlertTopic", "Arn": {"Ref": "TamperAlertTopic"}}],
                "Tags": TAGS,
            },
        },
        "TamperAlertTopic": {
            "Type": "AWS::SNS::Topic",
            "Metadata": {
                "cfn_nag": {
                    "rules_to_suppress": [
                        {
                            "id": "W47",
                            "reason": "Alerts carry the metadata of an API call (who, what, "
                            "where, the error), no log content. EventBridge cannot publish to a "
                            "topic encrypted with the AWS managed SNS key, and the log-archive "
                            "key must not be used for anything but the logs.",
                        }
                    ]
                }
            },
            "Properties": {
                "TopicName": "cfct-build-tamper-alerts",
                "DisplayName": "cfct-build tamper alerts",
                "Subscription": [{"Protocol": "email", "Endpoint": "security-alerts@example.com"}],
                "Tags": TAGS,
            },
        },
        "TamperAlertTopicPolicy": {
            "Type": "AWS::SNS::TopicPolicy",
            "Properties": {
                "Topics": [{"Ref": "TamperAlertTopic"}],
                "PolicyDocument": {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Sid": "OnlyTheTamperAlertRulePublishes",
                            "Effect": "Allow",
                            "Principal": {"Service": ["events.amazonaws.com"]},
                            "Action": ["sns:Publish"],
                            "Resource": [{"Ref": "TamperAlertTopic"}],
                            "Condition": {
                                "ArnEquals": {
                                    "aws:SourceArn": [
                                        {"Fn::GetAtt": ["TamperAlertsToTopic", "Arn"]}
                                    ]
                                }
                            },
                        }
                    ],
                },
            },
        },
    }


def test_outputs(settings: Settings) -> None:
    assert template(settings)["Outputs"] == {
        "BusArn": {
            "Description": "Central tamper-alert bus",
            "Value": {"Fn::GetAtt": ["TamperAlertBus", "Arn"]},
        },
        "TopicArn": {"Description": "Tamper-alert topic", "Value": {"Ref": "TamperAlertTopic"}},
    }


def test_settings_name_the_bus_and_the_subscribers(settings: Settings) -> None:
    s = with_alerts(settings, bus_name="org.tamper-alerts", email_subscriptions=[])
    t = template(s)
    bus = t["Resources"]["TamperAlertBus"]["Properties"]
    assert (bus["Name"], bus["Policy"]["Statement"][0]["Resource"]) == (
        "org.tamper-alerts",
        sub(
            "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/"
            "org.tamper-alerts"
        ),
    )
    assert "Subscription" not in t["Resources"]["TamperAlertTopic"]["Properties"]


def test_alerts_off(settings: Settings) -> None:
    s = with_alerts(settings, enabled=False)
    assert alerts.enabled(s) is False
    with pytest.raises(ValueError, match="disabled"):
        alerts.build(s)
    assert "cfct-build-tamper-alerts" not in [r.name for r in build_package(s).manifest.resources]


def _pattern(s: Settings) -> EventPattern:
    text = json.dumps(template(s)["Resources"]["TamperAlertsToTopic"]["Properties"]["EventPattern"])
    return EventPattern(text, EventPatternParser(text).parse())


@pytest.mark.parametrize(
    ("source", "detail_type", "reaches_topic"),
    [
        ("aws.cloudtrail", "AWS API Call via CloudTrail", True),
        ("aws.s3", "AWS API Call via CloudTrail", True),
        ("aws.kms", "AWS API Call via CloudTrail", True),
        ("aws.ec2", "AWS API Call via CloudTrail", False),
        ("aws.kms", "KMS CMK Rotation", False),
    ],
)
def test_forwarded_events_reach_the_topic(
    settings: Settings, source: str, detail_type: str, reaches_topic: bool
) -> None:
    event = {"source": source, "detail-type": detail_type, "detail": {"eventName": "X"}}
    assert _pattern(settings).matches_event(event) is reaches_topic


def test_cfn_lint_clean(settings: Settings) -> None:
    for s in (settings, with_alerts(settings, email_subscriptions=[])):
        text = render.template_json(alerts.build(s))
        matches = lint(text, config=ManualArgs(include_checks=["I"], regions=["us-east-1"]))
        assert [(m.rule.id, m.message) for m in matches] == []


def test_no_literal_partition_and_deterministic(settings: Settings) -> None:
    text = render.template_json(alerts.build(settings))
    assert ("arn:aws:" in text, text == render.template_json(alerts.build(settings))) == (
        False,
        True,
    )

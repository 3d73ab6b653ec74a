"""Central tamper-alert bus: where every account's tamper alerts arrive, and who hears of them.

Deployed by StackSet to the audit account (the security team's), home Region, after the trail
and before the account baseline, whose rules forward here (`baseline.tamper_alerts`):
- an EventBridge bus (`baseline.tamper_alerts.bus_name`) whose policy accepts `PutEvents` only
  from principals of the organization (`aws:PrincipalOrgID`) that are the baseline's forwarder
  roles (`aws:PrincipalArn`), so nobody outside the organization, and no other role inside it,
  can post to it. Its ARN is deterministic (`naming.tamper_bus_arn_sub`), so the baseline needs
  no SSM value from this stack, only to deploy after it;
- a rule on that bus sending every forwarded CloudTrail API-call event to an SNS topic;
- the topic, whose policy lets only EventBridge publish and only for that rule
  (`aws:SourceArn`), with the settings' email subscriptions (each confirms once).
The topic is not KMS-encrypted (the reason is in its cfn_nag suppression); the alerts carry the
API call's metadata (who, what, where, the error), never log content.
"""

from __future__ import annotations

import json
from typing import Any

from awacs.aws import (
    Action,
    Allow,
    ArnEquals,
    ArnLike,
    Condition,
    PolicyDocument,
    Principal,
    Statement,
    StringEquals,
)
from troposphere import GetAtt, Output, Ref, Sub, Template, events, sns

from cfct_build import naming, render
from cfct_build.components._common import TEMPLATE_FORMAT_VERSION, cfn_nag_suppress, tags
from cfct_build.components.baseline import API_CALL
from cfct_build.config import Settings
from cfct_build.manifest import Resource

COMPONENT = "tamper-alerts"
BUS = "TamperAlertBus"
RULE = "TamperAlertsToTopic"
TOPIC = "TamperAlertTopic"
TOPIC_POLICY = "TamperAlertTopicPolicy"
TOPIC_TARGET_ID = "TamperAlertTopic"
SOURCES = ["aws.cloudtrail", "aws.kms", "aws.s3"]


def enabled(s: Settings) -> bool:
    return s.baseline.tamper_alerts.enabled


def forwarder_roles_pattern() -> Sub:
    """The baseline's forwarder roles, in any account (the org condition bounds the accounts)."""
    return Sub(f"arn:${{AWS::Partition}}:iam::*:role/{naming.TAMPER_FORWARDER_ROLE_PREFIX}*")


def bus_policy(s: Settings) -> PolicyDocument:
    # The bus cannot GetAtt its own ARN inside its own Policy: the ARN is written out.
    bus_arn = Sub(
        "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/"
        + s.baseline.tamper_alerts.bus_name
    )
    return PolicyDocument(
        Version="2012-10-17",
        Statement=[
            Statement(
                Sid="OrganizationForwardersPutEvents",
                Effect=Allow,
                Principal=Principal("*"),
                Action=[Action("events", "PutEvents")],
                Resource=bus_arn,  # one ARN, as EventBridge writes bus policies
                Condition=Condition(
                    [
                        StringEquals({"aws:PrincipalOrgID": s.organization.id}),
                        ArnLike("aws:PrincipalArn", [forwarder_roles_pattern()]),
                    ]
                ),
            )
        ],
    )


def topic_policy(topic: Ref, rule_arn: GetAtt) -> PolicyDocument:
    return PolicyDocument(
        Version="2012-10-17",
        Statement=[
            Statement(
                Sid="OnlyTheTamperAlertRulePublishes",
                Effect=Allow,
                Principal=Principal("Service", ["events.amazonaws.com"]),
                Action=[Action("sns", "Publish")],
                Resource=[topic],
                Condition=Condition(ArnEquals("aws:SourceArn", [rule_arn])),
            )
        ],
    )


def rule_pattern() -> dict[str, Any]:
    return {"source": SOURCES, "detail-type": [API_CALL]}


def _plain(doc: Any) -> Any:
    """awacs/troposphere objects as the plain JSON data a `dict`-typed property takes."""
    return json.loads(render.data_json(doc))


def build(s: Settings) -> Template:
    if not enabled(s):
        raise ValueError("baseline.tamper_alerts is disabled")
    alerts = s.baseline.tamper_alerts
    t = Template(
        Description=(
            "cfct-build: central tamper-alert bus (organization only) and SNS topic in the "
            "audit account."
        )
    )
    t.set_version(TEMPLATE_FORMAT_VERSION)
    bus = t.add_resource(
        events.EventBus(
            BUS,
            Name=alerts.bus_name,
            Description="cfct-build: tamper alerts forwarded by every governed account",
            Policy=_plain(bus_policy(s)),
            Tags=tags(COMPONENT),
        )
    )
    topic_props: dict[str, Any] = {
        "TopicName": naming.TAMPER_TOPIC,
        "DisplayName": "cfct-build tamper alerts",
        "Tags": tags(COMPONENT),
        "Metadata": cfn_nag_suppress(
            (
                "W47",
                "Alerts carry the metadata of an API call (who, what, where, the error), no log "
                "content. EventBridge cannot publish to a topic encrypted with the AWS managed "
                "SNS key, and the log-archive key must not be used for anything but the logs.",
            )
        ),
    }
    if alerts.email_subscriptions:
        topic_props["Subscription"] = [
            sns.Subscription(Protocol="email", Endpoint=address)
            for address in alerts.email_subscriptions
        ]
    topic = t.add_resource(sns.Topic(TOPIC, **topic_props))
    rule = t.add_resource(
        events.Rule(
            RULE,
            Name=naming.TAMPER_TOPIC_RULE,
            Description="cfct-build: every tamper alert forwarded to this bus, to the topic",
            EventBusName=Ref(bus),
            State="ENABLED",
            EventPattern=rule_pattern(),
            Targets=[events.Target(Id=TOPIC_TARGET_ID, Arn=Ref(topic))],
            Tags=tags(COMPONENT),
        )
    )
    t.add_resource(
        sns.TopicPolicy(
            TOPIC_POLICY,
            Topics=[Ref(topic)],
            PolicyDocument=topic_policy(Ref(topic), GetAtt(rule, "Arn")),
        )
    )
    t.add_output(Output("BusArn", Description="Central tamper-alert bus", Value=GetAtt(bus, "Arn")))
    t.add_output(Output("TopicArn", Description="Tamper-alert topic", Value=Ref(topic)))
    return t


def resource(s: Settings) -> Resource:
    return Resource(
        name=naming.RES_TAMPER_ALERTS,
        description="cfct-build: central tamper-alert bus and topic (audit account)",
        resource_file=naming.TEMPLATE_TAMPER_ALERTS,
        deploy_method="stack_set",
        accounts=(s.organization.audit_account,),
        regions=(s.organization.home_region,),
    )

"""The organization data-events trail: exact selectors, properties, policies, limits, lint."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint

from cfct_build import naming, render
from cfct_build.components import trail
from cfct_build.config import Settings, parse_settings
from cfct_build.errors import Problem, SettingsError
from cfct_build.manifest import Resource

EXAMPLE_SETTINGS = Path(__file__).resolve().parents[2] / "cfct-build.yaml"
PARTITION = "arn:${AWS::Partition}"
ARCHIVE = "cfct-build-cloudtrail-222222222222-us-east-1"
ACCESS_LOGS = "cfct-build-cloudtrail-access-logs-222222222222-us-east-1"
REPLICA = "cfct-build-cloudtrail-replica-222222222222-us-west-2"
CT_LOGS = "aws-controltower-logs-222222222222-us-east-1"
CT_ACCESS_LOGS = "aws-controltower-s3-access-logs-222222222222-us-east-1"
TRAIL_ARN = f"{PARTITION}:cloudtrail:us-east-1:111111111111:trail/cfct-build-org-data-events"
LOG_GROUP = "/cfct-build/cloudtrail/cfct-build-org-data-events"


def _merge(data: dict[str, Any], patch: dict[str, Any]) -> None:
    for k, v in patch.items():
        if isinstance(v, dict) and isinstance(data.get(k), dict):
            _merge(data[k], v)
        else:
            data[k] = v


def variant(base: Settings, patch: dict[str, Any]) -> Settings:
    """The example settings with `patch` merged in, validated like a settings file."""
    data = base.model_dump()
    _merge(data, patch)
    return Settings.model_validate(data)


def rendered(s: Settings) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(render.template_json(trail.build(s)))
    return data


def selectors(s: Settings) -> list[dict[str, Any]]:
    props = rendered(s)["Resources"][trail.TRAIL]["Properties"]
    result: list[dict[str, Any]] = props["AdvancedEventSelectors"]
    return result


def sub(text: str) -> dict[str, str]:
    return {"Fn::Sub": text}


def not_starts_with(*buckets: str) -> dict[str, Any]:
    return {
        "Field": "resources.ARN",
        "NotStartsWith": [sub(f"{PARTITION}:s3:::{b}/") for b in buckets],
    }


DATA = {"Field": "eventCategory", "Equals": ["Data"]}
MANAGEMENT = {"Field": "eventCategory", "Equals": ["Management"]}
WRITE_ONLY = {"Field": "readOnly", "Equals": ["false"]}
READ_ONLY = {"Field": "readOnly", "Equals": ["true"]}
NOT_KMS = {"Field": "eventSource", "NotEquals": ["kms.amazonaws.com"]}


def of_type(t: str) -> dict[str, Any]:
    return {"Field": "resources.type", "Equals": [t]}


# --------------------------------------------------------------------------- selectors


def test_example_selectors_exclude_every_log_bucket(settings: Settings) -> None:
    assert selectors(settings) == [
        {
            "Name": "AWS::S3::Object: write-only data events, except objects in the log buckets",
            "FieldSelectors": [
                DATA,
                of_type("AWS::S3::Object"),
                WRITE_ONLY,
                not_starts_with(ARCHIVE, ACCESS_LOGS, REPLICA, CT_LOGS, CT_ACCESS_LOGS),
            ],
        },
        {
            "Name": "AWS::Lambda::Function: read and write data events",
            "FieldSelectors": [DATA, of_type("AWS::Lambda::Function")],
        },
        {
            "Name": "AWS::DynamoDB::Table: write-only data events",
            "FieldSelectors": [DATA, of_type("AWS::DynamoDB::Table"), WRITE_ONLY],
        },
    ]


def test_management_events_off_by_default_means_no_management_selector(
    settings: Settings,
) -> None:
    assert settings.trail.management_events.enabled is False
    categories = [sel["FieldSelectors"][0] for sel in selectors(settings)]
    assert categories == [DATA, DATA, DATA]


def test_management_events_on_without_kms(settings: Settings) -> None:
    s = variant(
        settings, {"trail": {"management_events": {"enabled": True, "read_write": "write_only"}}}
    )
    assert s.trail.management_events.exclude_kms is True  # the default
    assert selectors(s)[0] == {
        "Name": "Management events: write-only, except AWS KMS",
        "FieldSelectors": [MANAGEMENT, WRITE_ONLY, NOT_KMS],
    }
    assert len(selectors(s)) == 4


def test_management_events_all_with_kms(settings: Settings) -> None:
    s = variant(settings, {"trail": {"management_events": {"enabled": True, "exclude_kms": False}}})
    assert selectors(s)[0] == {
        "Name": "Management events: read and write",
        "FieldSelectors": [MANAGEMENT],
    }


def test_read_only_data_events(settings: Settings) -> None:
    s = variant(
        settings,
        {
            "trail": {
                "data_events": [
                    {"type": "AWS::S3::Object", "read_write": "read_only"},
                    {"type": "AWS::SNS::Topic", "read_write": "read_only"},
                ]
            }
        },
    )
    assert selectors(s) == [
        {
            "Name": "AWS::S3::Object: read-only data events, except objects in the log buckets",
            "FieldSelectors": [
                DATA,
                of_type("AWS::S3::Object"),
                READ_ONLY,
                not_starts_with(ARCHIVE, ACCESS_LOGS, REPLICA, CT_LOGS, CT_ACCESS_LOGS),
            ],
        },
        {
            "Name": "AWS::SNS::Topic: read-only data events",
            "FieldSelectors": [DATA, of_type("AWS::SNS::Topic"), READ_ONLY],
        },
    ]


def test_control_tower_buckets_not_excluded_when_told(settings: Settings) -> None:
    s = variant(settings, {"trail": {"exclude_control_tower_buckets": False}})
    assert selectors(s)[0]["FieldSelectors"][3] == not_starts_with(ARCHIVE, ACCESS_LOGS, REPLICA)


def test_no_replica_no_replica_exclusion(settings: Settings) -> None:
    s = variant(settings, {"bucket": {"replica_region": None}})
    assert selectors(s)[0]["FieldSelectors"][3] == not_starts_with(
        ARCHIVE, ACCESS_LOGS, CT_LOGS, CT_ACCESS_LOGS
    )
    s = variant(s, {"trail": {"exclude_control_tower_buckets": False}})
    assert selectors(s)[0]["FieldSelectors"][3] == not_starts_with(ARCHIVE, ACCESS_LOGS)


def test_own_buckets_are_always_excluded_even_for_all_s3_events(settings: Settings) -> None:
    s = variant(
        settings,
        {
            "bucket": {"replica_region": None},
            "trail": {
                "exclude_control_tower_buckets": False,
                "data_events": [{"type": "AWS::S3::Object", "read_write": "all"}],
            },
        },
    )
    assert selectors(s) == [
        {
            "Name": "AWS::S3::Object: read and write data events, except objects in the log buckets",
            "FieldSelectors": [
                DATA,
                of_type("AWS::S3::Object"),
                not_starts_with(ARCHIVE, ACCESS_LOGS),
            ],
        }
    ]


def test_excluded_archive_is_the_bucket_the_trail_writes_to(settings: Settings) -> None:
    t = rendered(settings)
    assert t["Parameters"]["BucketName"]["AllowedPattern"] == f"^{naming.archive_bucket(settings)}$"
    assert trail.excluded_buckets(settings)[:2] == [
        naming.archive_bucket(settings),
        naming.access_log_bucket(settings),
    ]


# --------------------------------------------------------------------------- trail and parameters


def test_example_trail_properties(settings: Settings) -> None:
    res = rendered(settings)["Resources"][trail.TRAIL]
    props = dict(res["Properties"])
    del props["AdvancedEventSelectors"]  # asserted above
    assert res["Type"] == "AWS::CloudTrail::Trail"
    assert "DependsOn" not in res
    assert props == {
        "TrailName": "cfct-build-org-data-events",
        "IsOrganizationTrail": True,
        "IsMultiRegionTrail": True,
        "IncludeGlobalServiceEvents": True,
        "EnableLogFileValidation": True,
        "IsLogging": True,
        "S3BucketName": {"Ref": "BucketName"},
        "S3KeyPrefix": "cloudtrail",
        "KMSKeyId": {"Ref": "KeyArn"},
        "CloudWatchLogsLogGroupArn": {"Fn::GetAtt": ["TrailLogGroup", "Arn"]},
        "CloudWatchLogsRoleArn": {"Fn::GetAtt": ["TrailToCloudWatchLogsRole", "Arn"]},
        "Tags": [{"Key": "cfct-build:component", "Value": "org-trail"}],
    }


def test_parameters_pin_the_bucket_and_the_key(settings: Settings) -> None:
    assert rendered(settings)["Parameters"] == {
        "BucketName": {
            "Type": "String",
            "Description": "Log-archive bucket (CfCT reads it from SSM /cfct-build/log-archive/bucket-name).",
            "AllowedPattern": f"^{ARCHIVE}$",
            "ConstraintDescription": f"must be the log-archive bucket {ARCHIVE}; the value comes "
            "from SSM /cfct-build/log-archive/bucket-name, written by cfct-build-log-archive-bucket",
        },
        "KeyArn": {
            "Type": "String",
            "Description": "Log-archive KMS key ARN (CfCT reads it from SSM /cfct-build/log-archive/key-arn).",
            "AllowedPattern": "^arn:(aws|aws-us-gov|aws-cn):kms:us-east-1:333333333333:key/"
            "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
            "ConstraintDescription": "must be the ARN of a KMS key of account 333333333333 in "
            "us-east-1; the value comes from SSM /cfct-build/log-archive/key-arn, written by "
            "cfct-build-log-archive-key",
        },
    }


def test_key_pattern_follows_the_key_account(settings: Settings) -> None:
    s = variant(settings, {"key": {"account": "log_archive", "admin_roles": []}})
    pattern = rendered(s)["Parameters"]["KeyArn"]["AllowedPattern"]
    assert pattern.startswith("^arn:(aws|aws-us-gov|aws-cn):kms:us-east-1:222222222222:key/")


def test_outputs(settings: Settings) -> None:
    assert rendered(settings)["Outputs"] == {
        "TrailArn": {
            "Description": "ARN of the organization trail",
            "Value": {"Fn::GetAtt": ["OrganizationTrail", "Arn"]},
        },
        "TrailName": {
            "Description": "Name of the organization trail",
            "Value": {"Ref": "OrganizationTrail"},
        },
        "LogGroupArn": {
            "Description": "Log group with a copy of the trail's events",
            "Value": {"Fn::GetAtt": ["TrailLogGroup", "Arn"]},
        },
    }


def test_manifest_resource(settings: Settings) -> None:
    assert trail.resource(settings) == Resource(
        name="cfct-build-org-trail",
        description="cfct-build: organization data-events trail into the log-archive bucket",
        resource_file="templates/org-trail.template",
        deploy_method="stack_set",
        accounts=("111111111111",),
        regions=("us-east-1",),
        parameters=(
            ("BucketName", "$[alfred_ssm_/cfct-build/log-archive/bucket-name]"),
            ("KeyArn", "$[alfred_ssm_/cfct-build/log-archive/key-arn]"),
        ),
    )


# --------------------------------------------------------------------------- CloudWatch Logs


def test_log_group(settings: Settings) -> None:
    assert rendered(settings)["Resources"][trail.LOG_GROUP] == {
        "Type": "AWS::Logs::LogGroup",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Metadata": {
            "cfn_nag": {
                "rules_to_suppress": [
                    {
                        "id": "W84",
                        "reason": "A searchable copy of the trail's events; CloudWatch Logs "
                        "encrypts it at rest with a service key. The authoritative, "
                        "integrity-validated record is the SSE-KMS log-archive bucket. The "
                        "log-archive key lives in another account and grants nothing to "
                        "CloudWatch Logs.",
                    }
                ]
            }
        },
        "Properties": {
            "LogGroupName": LOG_GROUP,
            "RetentionInDays": 365,
            "DeletionProtectionEnabled": True,
            "Tags": [{"Key": "cfct-build:component", "Value": "org-trail"}],
        },
    }


def test_log_role_may_only_write_this_log_group(settings: Settings) -> None:
    role = rendered(settings)["Resources"][trail.LOG_ROLE]
    streams = f"{PARTITION}:logs:us-east-1:111111111111:log-group:{LOG_GROUP}:log-stream:"
    assert role["Type"] == "AWS::IAM::Role"
    assert role["Properties"]["RoleName"] == "cfct-build-org-data-events-to-cloudwatch-logs"
    assert role["Properties"]["AssumeRolePolicyDocument"] == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "CloudTrailDeliversToCloudWatchLogs",
                "Effect": "Allow",
                "Principal": {"Service": ["cloudtrail.amazonaws.com"]},
                "Action": ["sts:AssumeRole"],
            }
        ],
    }
    resources = [sub(f"{streams}111111111111_CloudTrail_*"), sub(f"{streams}o-a1b2c3d4e5_*")]
    assert role["Properties"]["Policies"] == [
        {
            "PolicyName": "deliver-to-trail-log-group",
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "CreateTrailLogStreams",
                        "Effect": "Allow",
                        "Action": ["logs:CreateLogStream"],
                        "Resource": resources,
                    },
                    {
                        "Sid": "PutTrailLogEvents",
                        "Effect": "Allow",
                        "Action": ["logs:PutLogEvents"],
                        "Resource": resources,
                    },
                ],
            },
        }
    ]
    assert role["Metadata"] == {
        "cfn_nag": {
            "rules_to_suppress": [
                {
                    "id": "W28",
                    "reason": "A fixed, documented name from cfct-build's naming module, so "
                    "exemptions and audits can refer to it; the role is never replaced in place.",
                }
            ]
        }
    }
    assert sorted(role) == ["Metadata", "Properties", "Type"]  # no Retain: no state to keep


def test_without_cloudwatch_logs(settings: Settings) -> None:
    s = variant(settings, {"trail": {"cloudwatch_logs": {"enabled": False}}})
    t = rendered(s)
    assert sorted(t["Resources"]) == [trail.TRAIL]
    assert sorted(t["Outputs"]) == ["TrailArn", "TrailName"]
    props = t["Resources"][trail.TRAIL]["Properties"]
    assert "CloudWatchLogsLogGroupArn" not in props
    assert "CloudWatchLogsRoleArn" not in props


# --------------------------------------------------------------------------- SNS and Insights


def everything(settings: Settings) -> Settings:
    return variant(
        settings,
        {
            "trail": {
                "management_events": {"enabled": True},
                "insights": ["ApiCallRateInsight", "ApiErrorRateInsight"],
                "sns": {"enabled": True},
            }
        },
    )


def test_sns_topic_only_this_trail_publishes(settings: Settings) -> None:
    t = rendered(everything(settings))
    assert t["Resources"][trail.TOPIC] == {
        "Type": "AWS::SNS::Topic",
        "Metadata": {
            "cfn_nag": {
                "rules_to_suppress": [
                    {
                        "id": "W47",
                        "reason": "Messages carry only the S3 key of each delivered log file, no "
                        "event data. CloudTrail cannot publish to a topic encrypted with the AWS "
                        "managed SNS key, and the log-archive key lives in another account.",
                    }
                ]
            }
        },
        "Properties": {
            "TopicName": "cfct-build-org-data-events-notifications",
            "Tags": [{"Key": "cfct-build:component", "Value": "org-trail"}],
        },
    }
    assert t["Resources"][trail.TOPIC_POLICY] == {
        "Type": "AWS::SNS::TopicPolicy",
        "Properties": {
            "Topics": [{"Ref": "TrailTopic"}],
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "OnlyThisTrailPublishes",
                        "Effect": "Allow",
                        "Principal": {"Service": ["cloudtrail.amazonaws.com"]},
                        "Action": ["sns:Publish"],
                        "Resource": [{"Ref": "TrailTopic"}],
                        "Condition": {"StringEquals": {"aws:SourceArn": sub(TRAIL_ARN)}},
                    }
                ],
            },
        },
    }
    res = t["Resources"][trail.TRAIL]
    assert res["DependsOn"] == ["TrailTopicPolicy"]  # inside this stack only
    assert res["Properties"]["SnsTopicName"] == {"Fn::GetAtt": ["TrailTopic", "TopicName"]}
    assert t["Outputs"]["TopicArn"] == {
        "Description": "Topic notified of each log-file delivery",
        "Value": {"Ref": "TrailTopic"},
    }


def test_insights(settings: Settings) -> None:
    props = rendered(everything(settings))["Resources"][trail.TRAIL]["Properties"]
    assert props["InsightSelectors"] == [
        {"InsightType": "ApiCallRateInsight"},
        {"InsightType": "ApiErrorRateInsight"},
    ]
    assert "InsightSelectors" not in rendered(settings)["Resources"][trail.TRAIL]["Properties"]


# --------------------------------------------------------------------------- selector limits

S3_SELECTOR = {
    "Name": "s3",
    "FieldSelectors": [
        {"Field": "eventCategory", "Equals": ["Data"]},
        {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
        {"Field": "resources.ARN", "NotStartsWith": [{"Fn::Sub": "arn:${AWS::Partition}:s3:::b/"}]},
    ],
}


def test_limits_accept_generated_selectors(settings: Settings) -> None:
    assert trail.selector_problems(selectors(settings)) == []
    assert trail.selector_problems(selectors(everything(settings))) == []
    assert trail.selector_problems([S3_SELECTOR]) == []


def test_limits_no_selector() -> None:
    assert trail.selector_problems([]) == [
        (
            None,
            "expected at least one advanced event selector (a trail without one logs all "
            "management events)",
        )
    ]


def test_limits_500_values_across_all_selectors() -> None:
    arns = [f"arn:aws:s3:::bucket-{i}/" for i in range(248)]
    one = {
        "Name": "many",
        "FieldSelectors": [
            {"Field": "eventCategory", "Equals": ["Data"]},
            {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
            {"Field": "resources.ARN", "StartsWith": arns},
        ],
    }
    assert trail.selector_problems([one, one]) == []  # 2 x 250 = 500: the limit itself
    three = {
        **one,
        "FieldSelectors": [*one["FieldSelectors"], {"Field": "readOnly", "Equals": ["true"]}],
    }
    assert trail.selector_problems([one, three]) == [
        (
            None,
            "the advanced event selectors hold 501 values; CloudTrail allows at most 500 across "
            "all selectors of a trail",
        )
    ]


def test_limits_field_rules() -> None:
    bad = [
        {"Name": "empty", "FieldSelectors": []},
        {
            "FieldSelectors": [
                {"Field": "eventCategory", "Equals": ["Data"]},
                {"Field": "resources.type", "Equals": ["AWS::S3::Object", "AWS::Lambda::Function"]},
                {"Field": "readOnly", "Equals": ["maybe"]},
                {"Field": "resources.ARN", "StartsWith": ["a"]},
                {"Field": "resources.ARN", "NotStartsWith": ["b"]},
                {"Field": "errorCode", "Equals": ["x"]},
                {"Field": "eventName", "StartsWith": []},
                {"Field": "userIdentity.arn"},
                {"Field": "eventType", "Equals": ["x" * 2049]},
            ]
        },
        {
            "Name": "mgmt",
            "FieldSelectors": [
                {"Field": "eventCategory", "Equals": ["Management"]},
                {"Field": "readOnly", "NotEquals": ["true"]},
                {"Field": "eventSource", "NotEquals": ["s3.amazonaws.com"]},
                {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
            ],
        },
        {"Name": "n" * 1001, "FieldSelectors": [{"Field": "eventCategory", "StartsWith": ["Da"]}]},
    ]
    long_name = repr("n" * 1001)
    assert trail.selector_problems(bad) == [
        (0, "selector 'empty': expected at least one field selector"),
        (
            1,
            "selector 1: field 'resources.ARN' appears 2 times; expected it once per selector (put "
            "several operators in one field selector)",
        ),
        (1, "selector 1: field 'eventName': StartsWith has no values; expected at least one"),
        (
            1,
            "selector 1: field 'userIdentity.arn' has no operator; expected one of Equals, "
            "NotEquals, StartsWith, NotStartsWith, EndsWith, NotEndsWith",
        ),
        (1, "selector 1: field 'eventType': a value has 2049 characters; expected at most 2048"),
        (
            1,
            "selector 1: field 'errorCode' is not allowed in a data-event selector of a trail; "
            "expected one of eventCategory, eventName, eventSource, eventType, readOnly, "
            "resources.ARN, resources.type, sessionCredentialFromConsole, userIdentity.arn",
        ),
        (1, 'selector 1: expected readOnly Equals ["true"] or ["false"]'),
        (
            1,
            "selector 1: a data-event selector needs a resources.type field with Equals and one type",
        ),
        (
            2,
            "selector 'mgmt': field 'readOnly' takes only the Equals operator; got NotEquals",
        ),
        (
            2,
            "selector 'mgmt': field 'resources.type' is not allowed in a management-event "
            "selector of a trail; expected one of eventCategory, eventSource, readOnly",
        ),
        (2, 'selector \'mgmt\': expected readOnly Equals ["true"] or ["false"]'),
        (
            2,
            "selector 'mgmt': eventSource in a management-event selector takes only NotEquals "
            "with kms.amazonaws.com or rdsdata.amazonaws.com",
        ),
        (3, f"selector {long_name}: name has 1001 characters; expected at most 1000"),
        (
            3,
            f"selector {long_name}: field 'eventCategory' takes only the Equals operator; got "
            "StartsWith",
        ),
        (
            3,
            f'selector {long_name}: expected an eventCategory field with Equals ["Data"] or '
            '["Management"]',
        ),
    ]


def test_settings_report_selector_limits_as_located_errors(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No settings the model accepts reach 500 values today; a lower limit proves the wiring."""
    text = EXAMPLE_SETTINGS.read_text(encoding="utf-8")
    monkeypatch.setattr(trail, "MAX_SELECTOR_VALUES", 12)
    with pytest.raises(SettingsError) as caught:
        parse_settings(text, "cfct-build.yaml")
    line = text.splitlines().index("trail:") + 2  # the first key of the trail section
    assert caught.value.problems == [
        Problem(
            file="cfct-build.yaml",
            path="trail",
            message="the advanced event selectors hold 13 values; CloudTrail allows at most 12 "
            "across all selectors of a trail",
            line=line,
            column=3,
        )
    ]
    assert trail.settings_problems(settings) == [
        (
            "trail",
            "the advanced event selectors hold 13 values; CloudTrail allows at most 12 across all "
            "selectors of a trail",
        )
    ]


def test_settings_problems_name_the_setting(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = variant(settings, {"trail": {"management_events": {"enabled": True}}})
    monkeypatch.setattr(trail, "MANAGEMENT_EVENT_SOURCES", ("rdsdata.amazonaws.com",))
    assert trail.settings_problems(s) == [
        (
            "trail.management_events",
            "selector 'Management events: read and write, except AWS KMS': eventSource in a "
            "management-event selector takes only NotEquals with rdsdata.amazonaws.com",
        )
    ]


def test_build_never_emits_an_over_limit_template(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(trail, "MAX_SELECTOR_VALUES", 12)
    with pytest.raises(ValueError) as caught:
        trail.build(settings)  # settings validated before the limit was lowered
    assert str(caught.value) == (
        "trail: the advanced event selectors hold 13 values; CloudTrail allows at most 12 "
        "across all selectors of a trail"
    )


# --------------------------------------------------------------------------- whole template


def lint_matches(text: str) -> list[tuple[str, str]]:
    matches = lint(text, config=ManualArgs(include_checks=["I"], regions=["us-east-1"]))
    return [(m.rule.id, m.message) for m in matches]


def test_cfn_lint_clean_with_informational_checks(settings: Settings) -> None:
    for s in (
        settings,
        everything(settings),
        variant(settings, {"trail": {"cloudwatch_logs": {"enabled": False}}}),
    ):
        assert lint_matches(render.template_json(trail.build(s))) == []


def test_deterministic(settings: Settings) -> None:
    again = Settings.model_validate(settings.model_dump())
    assert render.template_json(trail.build(settings)) == render.template_json(trail.build(again))


def test_no_literal_partition(settings: Settings) -> None:
    for s in (settings, everything(settings)):
        assert "arn:aws:" not in render.template_json(trail.build(s))

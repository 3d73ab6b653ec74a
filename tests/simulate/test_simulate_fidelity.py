"""What the emulated stack instances receive: the package template less what moto cannot create.

Run with stock moto (no emulator extension active), as `cfct-build simulate` runs for users.
"""

from __future__ import annotations

import json

from cfct_build.simulate.fidelity import Gap, emulated_template


def test_the_emulated_template_leaves_out_exactly_what_stock_moto_cannot_create() -> None:
    template = {
        "Resources": {
            "Trail": {"Type": "AWS::CloudTrail::Trail", "Properties": {"IsLogging": True}},
            "Reader": {
                "Type": "AWS::IAM::Role",
                "Properties": {"Description": {"Fn::Sub": "reads ${Trail.Arn}"}},
            },
            "Group": {
                "Type": "AWS::Logs::LogGroup",
                "DependsOn": ["Trail"],
                "Properties": {"LogGroupName": "g"},
            },
            "Key": {"Type": "AWS::KMS::Key", "Properties": {"Tags": [{"Key": "k", "Value": "v"}]}},
            "Bus": {"Type": "AWS::Events::EventBus", "Properties": {"Name": "central"}},
            "Rule": {
                "Type": "AWS::Events::Rule",
                "Properties": {"EventBusName": {"Ref": "Bus"}, "Name": "r"},
            },
        },
        "Outputs": {
            "TrailArn": {"Value": {"Fn::GetAtt": ["Trail", "Arn"]}},
            "GroupName": {"Value": {"Ref": "Group"}},
        },
    }
    text, gaps = emulated_template("t.template", json.dumps(template))
    assert json.loads(text) == {
        "Resources": {
            "Group": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "g"}},
            "Key": {"Type": "AWS::KMS::Key", "Properties": {}},
            "Bus": {"Type": "AWS::Events::EventBus", "Properties": {"Name": "central"}},
            "Rule": {
                "Type": "AWS::Events::Rule",
                "Properties": {"EventBusName": "central", "Name": "r"},
            },
        },
        "Outputs": {"GroupName": {"Value": {"Ref": "Group"}}},
    }
    assert gaps == (
        Gap(
            "t.template",
            "Key",
            "property",
            "AWS::KMS::Key",
            "Tags left out: moto's AWS::KMS::Key model fails on it",
        ),
        Gap("t.template", "Reader", "resource", "AWS::IAM::Role", "refers to Trail, not created"),
        Gap(
            "t.template",
            "Rule",
            "ref",
            "AWS::Events::Rule",
            "Ref Bus written as its Name 'central' (moto's AWS::Events::EventBus model has no Ref value)",
        ),
        Gap(
            "t.template",
            "Trail",
            "resource",
            "AWS::CloudTrail::Trail",
            "moto has no model for AWS::CloudTrail::Trail: not created",
        ),
        Gap("t.template", "TrailArn", "output", "", "refers to Trail"),
    )

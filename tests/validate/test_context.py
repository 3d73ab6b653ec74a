"""Parsing helpers of the validation context."""

from __future__ import annotations

from cfct_build.validate.context import (
    Context,
    Problem,
    TemplateDoc,
    decode_text,
    parse_json,
    parse_template,
)
from cfct_build.validate.source import MappingSource

YAML_TEMPLATE = b"""AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Name: {Type: String, Default: x}
  Bad: not-a-mapping
Resources:
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !Sub "${Name}-topic"
      Tags: !If [Cond, [], !Ref AWS::NoValue]
Outputs:
  Arn: {Value: !GetAtt Topic.TopicArn}
"""


def test_yaml_template_short_form_tags() -> None:
    doc = parse_template("t.template", YAML_TEMPLATE)
    assert doc.problem is None
    assert doc.data is not None
    assert doc.data["Resources"]["Topic"]["Properties"] == {
        "TopicName": {"Fn::Sub": "${Name}-topic"},
        "Tags": {"Fn::If": ["Cond", [], {"Ref": "AWS::NoValue"}]},
    }
    assert (doc.parameters, doc.outputs, doc.size) == (
        {"Name": {"Type": "String", "Default": "x"}, "Bad": {}},
        ["Arn"],
        len(YAML_TEMPLATE),
    )


def test_template_problems() -> None:
    assert parse_template("a", b'{"Resources": }') == TemplateDoc(
        "a", 15, None, Problem("invalid JSON: Expecting value", 1)
    )
    assert parse_template("b", b"- 1\n") == TemplateDoc(
        "b", 4, None, Problem("not a template: the document is a list, expected a mapping", 1)
    )
    assert parse_template("c", b"") == TemplateDoc(
        "c", 0, None, Problem("not a template: the document is empty, expected a mapping", 1)
    )
    assert parse_template("d", b"a:\n\xff\n") == TemplateDoc(
        "d", 5, None, Problem("not UTF-8 text (byte 0xff)", 2)
    )


def test_json_problems() -> None:
    doc = parse_json("p.json", b'{\n  "a": 1,\n}\n')
    assert (doc.data, doc.problem) == (
        None,
        Problem("invalid JSON: Expecting property name enclosed in double quotes (column 1)", 3),
    )
    assert decode_text(b"ok") == ("ok", None)


def test_written_parameters_from_manifest_and_file() -> None:
    manifest = b"""region: us-east-1
version: 2021-03-15
resources:
  - name: a
    resource_file: templates/a.template
    parameter_file: parameters/a.json
    deploy_method: stack_set
    parameters:
      - parameter_key: K
        parameter_value: v
      - parameter_key: N
        parameter_value: 5
    deployment_targets: {}
"""
    files = {
        "manifest.yaml": manifest,
        "parameters/a.json": b'[\n {"ParameterKey": "F", "ParameterValue": "w"},\n 7\n]',
    }
    ctx = Context(MappingSource(files), lint=False)
    res = ctx.resources[0]
    assert [
        (p.key, p.value, p.file, p.line, p.path, p.in_file) for p in ctx.written_parameters(res)
    ] == [
        ("K", "v", "manifest.yaml", 10, "resources.0.parameters.0.parameter_value", False),
        ("N", None, "manifest.yaml", 12, "resources.0.parameters.1.parameter_value", False),
        ("F", "w", "parameters/a.json", 2, "0.ParameterValue", True),
    ]
    assert (ctx.template_files, ctx.parameter_files, ctx.policy_files) == (
        [],
        ["parameters/a.json"],
        [],
    )

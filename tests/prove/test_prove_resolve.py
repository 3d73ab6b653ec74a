"""The intrinsic resolver: exact values for the intrinsics our templates use."""

from __future__ import annotations

import pytest

from cfct_build.prove.resolve import Environment, UnresolvedError, resolve

ENV = Environment(
    "aws-cn",
    "cn-north-1",
    "123456789012",
    refs={"KeyArn": "arn:aws-cn:kms:cn-north-1:123456789012:key/k", "Bucket": "b"},
    attributes={("Role", "Arn"): "arn:aws-cn:iam::123456789012:role/r"},
)


def test_resolves_pseudo_parameters_refs_getatt_sub_and_join() -> None:
    value = {
        "Statement": [
            {
                "Principal": {
                    "AWS": [{"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:root"}]
                },
                "Resource": [
                    {"Ref": "KeyArn"},
                    {"Fn::GetAtt": ["Role", "Arn"]},
                    {"Fn::GetAtt": "Role.Arn"},
                    {"Fn::Sub": "${Role.Arn}/x-${AWS::Region}-${!Literal}"},
                    {"Fn::Sub": ["${A}:${Bucket}", {"A": {"Ref": "AWS::URLSuffix"}}]},
                    {"Fn::Join": ["/", ["a", {"Ref": "Bucket"}]]},
                ],
            }
        ]
    }
    assert resolve(value, ENV) == {
        "Statement": [
            {
                "Principal": {"AWS": ["arn:aws-cn:iam::123456789012:root"]},
                "Resource": [
                    "arn:aws-cn:kms:cn-north-1:123456789012:key/k",
                    "arn:aws-cn:iam::123456789012:role/r",
                    "arn:aws-cn:iam::123456789012:role/r",
                    "arn:aws-cn:iam::123456789012:role/r/x-cn-north-1-${Literal}",
                    "amazonaws.com.cn:b",
                    "a/b",
                ],
            }
        ]
    }


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"Ref": "Missing"}, "cannot resolve Ref 'Missing'"),
        ({"Fn::GetAtt": ["Role", "Name"]}, "cannot resolve Fn::GetAtt Role.Name"),
        ({"Fn::If": ["C", 1, 2]}, "unsupported intrinsic Fn::If"),
        ({"Fn::Sub": "${Nope}"}, "cannot resolve Ref 'Nope'"),
    ],
)
def test_unknown_values_fail_loudly(value: object, message: str) -> None:
    with pytest.raises(UnresolvedError) as exc:
        resolve(value, ENV)
    assert str(exc.value) == message

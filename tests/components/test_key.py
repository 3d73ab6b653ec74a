"""The log-archive key: the account baseline's own-logs reader grant (organization-wide, by
role name, only through S3 and only for the trail's CloudTrail encryption context)."""

from __future__ import annotations

import json
from typing import Any

from cfct_build import render
from cfct_build.components import key
from cfct_build.config import Settings


def template(s: Settings) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(render.template_json(key.build(s)))
    return result


def without_reader(s: Settings) -> Settings:
    reader = s.baseline.own_logs_reader.model_copy(update={"enabled": False})
    return s.model_copy(
        update={"baseline": s.baseline.model_copy(update={"own_logs_reader": reader})}
    )


OWN_LOGS_GRANT = {
    "Sid": "OwnLogsReadersDecryptThroughS3",
    "Effect": "Allow",
    "Principal": {"AWS": ["*"]},
    "Action": ["kms:Decrypt"],
    "Resource": ["*"],
    "Condition": {
        "StringEquals": {
            "aws:PrincipalOrgID": "o-a1b2c3d4e5",
            "kms:ViaService": "s3.us-east-1.amazonaws.com",
            "kms:EncryptionContext:aws:cloudtrail:arn": {
                "Fn::Sub": "arn:${AWS::Partition}:cloudtrail:us-east-1:111111111111:trail/"
                "cfct-build-org-data-events"
            },
        },
        "ArnLike": {
            "aws:PrincipalArn": [
                {"Fn::Sub": "arn:${AWS::Partition}:iam::*:role/cfct-build-own-logs-reader"}
            ]
        },
    },
}


def test_own_logs_reader_grant(settings: Settings) -> None:
    statements = template(settings)["Resources"]["LogArchiveKey"]["Properties"]["KeyPolicy"][
        "Statement"
    ]
    assert [s for s in statements if s["Sid"] == "OwnLogsReadersDecryptThroughS3"] == [
        OWN_LOGS_GRANT
    ]


def test_own_logs_reader_grant_carries_a_written_f76_suppression(settings: Settings) -> None:
    assert template(settings)["Resources"]["LogArchiveKey"]["Metadata"] == {
        "cfn_nag": {
            "rules_to_suppress": [
                {
                    "id": "F76",
                    "reason": "OwnLogsReadersDecryptThroughS3 names every principal but holds "
                    "only under aws:PrincipalOrgID of this organization, aws:PrincipalArn of the "
                    "own-logs reader role name, kms:ViaService S3 in the home Region and the "
                    "organization trail's encryption context; the bucket policy limits each "
                    "reader to its account's logs.",
                }
            ]
        }
    }


def test_no_grant_and_no_suppression_without_the_reader(settings: Settings) -> None:
    resource = template(without_reader(settings))["Resources"]["LogArchiveKey"]
    sids = [s["Sid"] for s in resource["Properties"]["KeyPolicy"]["Statement"]]
    assert ("OwnLogsReadersDecryptThroughS3" in sids, "Metadata" in resource) == (False, False)

"""Guardrail SCPs: exact statements, scoping, exemptions, packing, budget, package wiring."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cfct_build import naming, render, scps
from cfct_build.config import Guardrails, Settings
from cfct_build.manifest import Resource
from cfct_build.package import build_package
from cfct_build.validate.iam_catalogue import unknown_action

EXEMPT = [
    "arn:aws:iam::*:role/AWSControlTowerExecution",
    "arn:aws:iam::*:role/stacksets-exec-*",
    "arn:aws:iam::111111111111:role/BreakGlassAdmin",
    "arn:aws:iam::222222222222:role/BreakGlassAdmin",
    "arn:aws:iam::111111111111:role/cfct-build-pipeline",
]
ARCHIVE = "arn:aws:s3:::cfct-build-cloudtrail-222222222222-us-east-1"
ACCESS_LOG = "arn:aws:s3:::cfct-build-cloudtrail-access-logs-222222222222-us-east-1"
REPLICA = "arn:aws:s3:::cfct-build-cloudtrail-replica-222222222222-us-west-2"
LOG_GROUP = "arn:aws:logs:us-east-1:111111111111:log-group:/cfct-build/cloudtrail/cfct-build-org-data-events"


def deny(sid: str, actions: list[str], resources: list[str], **extra: Any) -> dict[str, Any]:
    condition: dict[str, Any] = {"ArnNotLike": {"aws:PrincipalArn": EXEMPT}, **extra}
    return {
        "Sid": sid,
        "Effect": "Deny",
        "Action": actions,
        "Resource": resources,
        "Condition": condition,
    }


EXAMPLE_STATEMENTS = [
    deny(
        "ProtectOrgTrail",
        [
            "cloudtrail:AddTags",
            "cloudtrail:DeleteTrail",
            "cloudtrail:PutEventSelectors",
            "cloudtrail:PutInsightSelectors",
            "cloudtrail:RemoveTags",
            "cloudtrail:StopLogging",
            "cloudtrail:UpdateTrail",
        ],
        ["arn:aws:cloudtrail:us-east-1:111111111111:trail/cfct-build-org-data-events"],
    ),
    deny(
        "ProtectOrgTrailLogGroup",
        [
            "logs:AssociateKmsKey",
            "logs:DeleteLogGroup",
            "logs:DeleteLogStream",
            "logs:DeleteRetentionPolicy",
            "logs:DisassociateKmsKey",
            "logs:PutRetentionPolicy",
        ],
        [LOG_GROUP, f"{LOG_GROUP}:*"],
    ),
    deny(
        "ProtectLogBuckets",
        [
            "s3:DeleteBucket",
            "s3:DeleteBucketPolicy",
            "s3:PutBucketAcl",
            "s3:PutBucketLogging",
            "s3:PutBucketObjectLockConfiguration",
            "s3:PutBucketOwnershipControls",
            "s3:PutBucketPolicy",
            "s3:PutBucketPublicAccessBlock",
            "s3:PutBucketVersioning",
            "s3:PutEncryptionConfiguration",
            "s3:PutLifecycleConfiguration",
            "s3:PutReplicationConfiguration",
        ],
        [ARCHIVE, ACCESS_LOG, REPLICA],
    ),
    deny(
        "ProtectLogObjects",
        [
            "s3:BypassGovernanceRetention",
            "s3:DeleteObject",
            "s3:DeleteObjectVersion",
            "s3:PutObjectLegalHold",
            "s3:PutObjectRetention",
        ],
        [f"{ARCHIVE}/*", f"{ACCESS_LOG}/*", f"{REPLICA}/*"],
    ),
    deny(
        "ProtectLogArchiveKey",
        [
            "kms:DisableKey",
            "kms:DisableKeyRotation",
            "kms:PutKeyPolicy",
            "kms:ScheduleKeyDeletion",
            "kms:TagResource",
            "kms:UntagResource",
        ],
        ["arn:aws:kms:us-east-1:333333333333:key/*", "arn:aws:kms:us-west-2:222222222222:key/*"],
        StringEquals={
            "aws:ResourceTag/cfct-build:component": ["log-archive-key", "log-archive-replica"]
        },
    ),
    deny(
        "ProtectLogArchiveKeyAlias",
        ["kms:DeleteAlias", "kms:UpdateAlias"],
        [
            "arn:aws:kms:us-east-1:333333333333:alias/cfct-build/cloudtrail",
            "arn:aws:kms:us-west-2:222222222222:alias/cfct-build/cloudtrail-replica",
        ],
    ),
    deny("DenyLeaveOrganization", ["organizations:LeaveOrganization"], ["*"]),
    {
        "Sid": "ProtectExemptRoleNames",
        "Effect": "Deny",
        "Action": [
            "iam:AttachRolePolicy",
            "iam:CreateRole",
            "iam:DeleteRolePermissionsBoundary",
            "iam:PutRolePermissionsBoundary",
            "iam:PutRolePolicy",
            "iam:UpdateAssumeRolePolicy",
            "iam:UpdateRole",
        ],
        # The management account's exempt principals are not listed: no SCP applies there.
        "Resource": [
            "arn:aws:iam::*:role/stacksets-exec-*",
            "arn:aws:iam::222222222222:role/BreakGlassAdmin",
        ],
        "Condition": {
            "ArnNotLike": {"aws:PrincipalArn": ["arn:aws:iam::*:role/AWSControlTowerExecution"]}
        },
    },
]


def _with(settings: Settings, **changes: Any) -> Settings:
    data = settings.model_dump()
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        target = data
        for part in parents:
            target = target[part]
        target[last] = value
    return Settings.model_validate(data)


def test_example_policy_is_exactly_the_guardrails(settings: Settings) -> None:
    [scp] = scps.policies(settings)
    assert json.loads(scp.text) == {"Version": "2012-10-17", "Statement": EXAMPLE_STATEMENTS}
    assert scp.name == "cfct-build-log-archive-guardrails-1"
    assert scp.resource_file == "policies/cfct-build-log-archive-guardrails-1.json"
    assert scp.sids == [st["Sid"] for st in EXAMPLE_STATEMENTS]


def test_policy_text_is_minified_and_measured_as_cfct_sends_it(settings: Settings) -> None:
    [scp] = scps.policies(settings)
    assert "  " not in scp.text and scp.text.count("\n") == 1 and scp.text.endswith("}\n")
    assert scp.sent_chars == len(scp.text) + 1  # the final newline becomes \r\n
    assert scp.sent_chars == 4960


def test_every_action_exists_in_the_iam_catalogue(settings: Settings) -> None:
    actions = [a for st in EXAMPLE_STATEMENTS for a in st["Action"]]
    assert [(a, unknown_action(a)) for a in actions if unknown_action(a)] == []


def test_nothing_but_leave_organization_uses_a_star_resource(settings: Settings) -> None:
    [scp] = scps.policies(settings)
    stars = [st["Sid"] for st in json.loads(scp.text)["Statement"] if "*" in st["Resource"]]
    assert stars == ["DenyLeaveOrganization"]


def test_optional_parts_drop_their_statements(settings: Settings) -> None:
    s = _with(settings, trail__cloudwatch_logs__enabled=False, bucket__replica_region=None)
    [scp] = scps.policies(s)
    doc = json.loads(scp.text)
    assert [st["Sid"] for st in doc["Statement"]] == [
        "ProtectOrgTrail",
        "ProtectLogBuckets",
        "ProtectLogObjects",
        "ProtectLogArchiveKey",
        "ProtectLogArchiveKeyAlias",
        "DenyLeaveOrganization",
        "ProtectExemptRoleNames",
    ]
    key = doc["Statement"][3]
    assert key["Resource"] == ["arn:aws:kms:us-east-1:333333333333:key/*"]
    assert key["Condition"]["StringEquals"] == {
        "aws:ResourceTag/cfct-build:component": ["log-archive-key"]
    }
    assert doc["Statement"][1]["Resource"] == [ARCHIVE, ACCESS_LOG]


def test_partition_is_literal_in_every_arn(settings: Settings) -> None:
    s = _with(
        settings,
        partition="aws-us-gov",
        organization__home_region="us-gov-west-1",
        organization__governed_regions=["us-gov-west-1", "us-gov-east-1"],
        bucket__replica_region="us-gov-east-1",
        exempt_principals=["arn:aws-us-gov:iam::111111111111:role/BreakGlassAdmin"],
        key__admin_roles=[],
        key__reader_roles=[],
    )
    [scp] = scps.policies(s)
    doc = json.loads(scp.text)
    assert doc["Statement"][0]["Resource"] == [
        "arn:aws-us-gov:cloudtrail:us-gov-west-1:111111111111:trail/cfct-build-org-data-events"
    ]
    assert doc["Statement"][0]["Condition"] == {
        "ArnNotLike": {
            "aws:PrincipalArn": [
                "arn:aws-us-gov:iam::*:role/AWSControlTowerExecution",
                "arn:aws-us-gov:iam::*:role/stacksets-exec-*",
                "arn:aws-us-gov:iam::111111111111:role/BreakGlassAdmin",
            ]
        }
    }
    assert doc["Statement"][-1]["Resource"] == ["arn:aws-us-gov:iam::*:role/stacksets-exec-*"]
    assert doc["Statement"][-1]["Condition"] == {
        "ArnNotLike": {"aws:PrincipalArn": ["arn:aws-us-gov:iam::*:role/AWSControlTowerExecution"]}
    }
    assert "arn:aws:" not in scp.text


def test_exempt_role_names_cover_member_account_and_wildcard_exempt_principals(
    settings: Settings,
) -> None:
    s = _with(
        settings,
        exempt_principals=[
            "arn:aws:iam::111111111111:role/BreakGlassAdmin",
            "arn:aws:iam::*:role/ops/BreakGlass*",
            "arn:aws:iam::444444444444:role/Pipeline",
        ],
    )
    assert scps.exempt_role_arns(s) == [
        "arn:aws:iam::*:role/stacksets-exec-*",
        "arn:aws:iam::*:role/ops/BreakGlass*",
        "arn:aws:iam::444444444444:role/Pipeline",
    ]


def test_no_target_ous_means_no_scps(settings: Settings) -> None:
    s = _with(settings, organization__organizational_units=[])
    assert scps.policies(s) == []
    assert [r.deploy_method for r in build_package(s).manifest.resources] == ["stack_set"] * 7


def test_manifest_resource_targets_every_listed_ou(settings: Settings) -> None:
    [scp] = scps.policies(settings)
    assert scps.resource(settings, scp) == Resource(
        name="cfct-build-log-archive-guardrails-1",
        description="cfct-build: guardrails protecting the log-archive trail, buckets and key",
        resource_file="policies/cfct-build-log-archive-guardrails-1.json",
        deploy_method="scp",
        organizational_units=(
            "Security",
            "Infrastructure",
            "Workloads",
            "Workloads:Prod",
            "Workloads:NonProd",
            "Sandbox",
        ),
    )


def test_package_lists_scps_first_and_ships_the_file(settings: Settings) -> None:
    pkg = build_package(settings)
    names = [r.name for r in pkg.manifest.resources]
    assert names[0] == "cfct-build-log-archive-guardrails-1"
    assert [r.deploy_method for r in pkg.manifest.resources] == ["scp"] + ["stack_set"] * 7
    [scp] = scps.policies(settings)
    assert pkg.files["policies/cfct-build-log-archive-guardrails-1.json"] == scp.text
    manifest = pkg.files["manifest.yaml"]
    assert (
        "  - name: cfct-build-log-archive-guardrails-1\n"
        '    description: "cfct-build: guardrails protecting the log-archive trail, buckets and '
        'key"\n'
        "    resource_file: policies/cfct-build-log-archive-guardrails-1.json\n"
        "    deploy_method: scp\n"
        "    deployment_targets:\n"
        "      organizational_units:\n"
        '        - "Security"\n'
    ) in manifest


def _unchecked(settings: Settings, **fields: Any) -> Settings:
    """Settings the loader would refuse (it runs the same packing): the build's backstop."""
    return settings.model_copy(update=fields)


def _many_exempt(n: int) -> list[str]:
    return [f"arn:aws:iam::111111111111:role/break-glass-{i:03d}" for i in range(n)]


def test_statements_pack_into_as_few_policies_as_fit(settings: Settings) -> None:
    s = _with(settings, exempt_principals=_many_exempt(20))
    packed = scps.policies(s)
    assert [p.sids for p in packed] == [
        [
            "ProtectOrgTrail",
            "ProtectLogArchiveKey",
            "ProtectLogArchiveKeyAlias",
            "ProtectExemptRoleNames",
        ],
        ["ProtectOrgTrailLogGroup", "ProtectLogBuckets", "ProtectLogObjects"],
        ["DenyLeaveOrganization"],
    ]
    assert [p.name for p in packed] == [naming.guardrail_scp(n) for n in (1, 2, 3)]
    assert [p.sent_chars for p in packed] == [4729, 4799, 1266]
    # The last statement fits in neither of the first two policies.
    leave = json.loads(packed[2].text)["Statement"]
    for full in packed[:2]:
        grown = json.loads(full.text)
        grown["Statement"] += leave
        assert len(render.cfct_sent_text(render.policy_json(grown))) > render.SCP_MAX_CHARS


def test_over_budget_is_a_settings_error_naming_the_key(settings: Settings) -> None:
    s = _unchecked(
        settings, exempt_principals=_many_exempt(20), guardrails=Guardrails(scp_budget=2)
    )
    with pytest.raises(scps.GuardrailError) as exc:
        scps.policies(s)
    assert exc.value.exit_code == 2
    assert str(exc.value).splitlines() == [
        f"settings: guardrails.scp_budget: the guardrails need 3 SCPs but target {ou!r} has "
        "room for 2; free SCP slots on that OU or raise the budget"
        for ou in settings.organization.organizational_units
    ]


def test_per_target_budget_names_its_key(settings: Settings) -> None:
    s = _unchecked(
        settings,
        exempt_principals=_many_exempt(20),
        guardrails=Guardrails(scp_budget_by_target={"Sandbox": 1}),
    )
    with pytest.raises(scps.GuardrailError) as exc:
        scps.policies(s)
    assert str(exc.value) == (
        "settings: guardrails.scp_budget_by_target.Sandbox: the guardrails need 3 SCPs but "
        "target 'Sandbox' has room for 1; free SCP slots on that OU or raise the budget"
    )


def test_a_statement_too_big_for_any_policy_is_refused(settings: Settings) -> None:
    s = _unchecked(settings, exempt_principals=_many_exempt(90))
    with pytest.raises(scps.GuardrailError) as exc:
        scps.policies(s)
    assert str(exc.value) == (
        "settings: exempt_principals: statement ProtectLogBuckets alone is 5180 characters once "
        "sent by CfCT; an SCP holds at most 5120: use fewer or wildcard exempt principals"
    )


def test_budgets_default_and_override(settings: Settings) -> None:
    s = _with(settings, guardrails__scp_budget_by_target={"Sandbox": 1})
    assert scps.budgets(s) == {
        "Security": 3,
        "Infrastructure": 3,
        "Workloads": 3,
        "Workloads:Prod": 3,
        "Workloads:NonProd": 3,
        "Sandbox": 1,
    }

"""Query path round trip: the package deployed the CfCT way on moto, the query stack read back.

What moto 5.2.5 can prove here: the stack deploys in the audit account with the key ARN from
management-account SSM, the results bucket keeps every hardening setting (through the test-only
extension in tests/emulator) and the reader policy is stored as generated and attached to the
audit account's reader role. What it cannot:
moto's CloudFormation has no model for AWS::Glue::Database, AWS::Glue::Table,
AWS::Athena::WorkGroup or AWS::Athena::NamedQuery and skips them (a warning, no resource);
`test_moto_skips_glue_and_athena` pins that gap so the day moto closes it, this round trip is
extended. The table, workgroup and queries are covered by exact template tests
(tests/components/test_query.py) and the SQL by tests/test_queries.py instead.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cfct_build import naming
from cfct_build.components import query
from cfct_build.config import Settings, parse_settings
from cfct_build.package import Package, build_package
from cfct_build.simulate.organization import default_org
from cfct_build.simulate.pipeline import StackInstance, stack_name
from cfct_build.simulate.run import Emulation
from e2e.intrinsics import StackContext, resolve
from emulator.fixtures import emulated_aws_context

pytestmark = pytest.mark.slow

EXAMPLE_SETTINGS = Path(__file__).resolve().parents[2] / "cfct-build.yaml"


@dataclass(frozen=True)
class Deployed:
    settings: Settings
    package: Package
    emulation: Emulation

    def instance(self, resource_name: str) -> StackInstance:
        return self.emulation.pipeline.instance(resource_name)

    def client(self, service: str) -> Any:
        i = self.instance(naming.RES_QUERY)
        return self.emulation.accounts.client(i.account, i.region, service)

    def resolved(self, logical_id: str, prop: str) -> Any:
        i = self.instance(naming.RES_QUERY)
        template = json.loads(self.package.files[naming.TEMPLATE_QUERY])
        summaries = self.client("cloudformation").list_stack_resources(
            StackName=stack_name(i.resource)
        )["StackResourceSummaries"]
        context = StackContext(
            account=i.account,
            region=i.region,
            parameters=i.parameters,
            refs={r["LogicalResourceId"]: r["PhysicalResourceId"] for r in summaries},
        )
        return resolve(template["Resources"][logical_id]["Properties"][prop], context)


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployed]:
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
        yield Deployed(settings, package, emulation)


def test_query_stack_deploys_to_the_audit_account_with_the_key_from_ssm(
    deployed: Deployed,
) -> None:
    s = deployed.settings
    i = deployed.instance(naming.RES_QUERY)
    key_arn = deployed.instance(naming.RES_KEY).outputs["KeyArn"]
    assert (i.account, i.region, i.parameters) == (
        s.organization.audit_account,
        s.organization.home_region,
        {"KeyArn": key_arn},
    )
    assert i.outputs == {
        "WorkGroup": "cfct-build-log-archive",
        "Table": "cfct_build_log_archive.cloudtrail",
        "ResultsBucketName": naming.query_results_bucket(s),
        "ReaderPolicyArn": f"arn:aws:iam::{s.organization.audit_account}:policy/"
        "cfct-build-log-archive-query-reader",
    }


def test_results_bucket_reads_back_hardened(deployed: Deployed) -> None:
    name = naming.query_results_bucket(deployed.settings)
    key_arn = deployed.instance(naming.RES_KEY).outputs["KeyArn"]
    s3 = deployed.client("s3")
    assert s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"] == {
        "Rules": [
            {
                "ApplyServerSideEncryptionByDefault": {
                    "SSEAlgorithm": "aws:kms",
                    "KMSMasterKeyID": key_arn,
                },
                "BucketKeyEnabled": True,
            }
        ]
    }
    assert s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "IgnorePublicAcls": True,
        "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True,
    }
    assert s3.get_bucket_ownership_controls(Bucket=name)["OwnershipControls"] == {
        "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]
    }
    assert s3.get_bucket_versioning(Bucket=name)["Status"] == "Enabled"
    assert s3.get_bucket_lifecycle_configuration(Bucket=name)["Rules"] == [
        {
            "ID": "ExpireQueryResults",
            "Status": "Enabled",
            "Filter": {"Prefix": ""},
            "Expiration": {"Days": 30},
            "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
        }
    ]
    policy = json.loads(s3.get_bucket_policy(Bucket=name)["Policy"])
    assert policy == deployed.resolved(query.RESULTS_POLICY, "PolicyDocument")
    assert [st["Sid"] for st in policy["Statement"]] == [
        "DenyInsecureTransport",
        "DenyPrincipalsOutsideOrganization",
    ]


def test_reader_policy_reads_back_as_generated(deployed: Deployed) -> None:
    audit = deployed.settings.organization.audit_account
    iam = deployed.client("iam")
    arn = f"arn:aws:iam::{audit}:policy/cfct-build-log-archive-query-reader"
    version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    document = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]
    if isinstance(document, str):
        document = json.loads(document)
    expected = deployed.resolved(query.READER_POLICY, "PolicyDocument")
    assert document == expected
    key_arn = deployed.instance(naming.RES_KEY).outputs["KeyArn"]
    assert expected["Statement"][-1]["Resource"] == [key_arn]
    # attached by the stack to the audit account's reader role (the emulation creates it first)
    roles = iam.list_entities_for_policy(PolicyArn=arn)["PolicyRoles"]
    assert [r["RoleName"] for r in roles] == ["SecurityLogReader"]
    assert [
        p["PolicyArn"]
        for p in iam.list_attached_role_policies(RoleName="SecurityLogReader")["AttachedPolicies"]
    ] == [arn]


def test_moto_skips_glue_and_athena(deployed: Deployed) -> None:
    """moto 5.2.5 has no CloudFormation model for Glue or Athena: nothing is created."""
    assert deployed.client("glue").get_databases()["DatabaseList"] == []
    assert [w["Name"] for w in deployed.client("athena").list_work_groups()["WorkGroups"]] == [
        "primary"
    ]

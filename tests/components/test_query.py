"""The query path: exact table, projection, workgroup, results bucket, reader policy, lint.

The projection is checked against the keys the organization trail writes: sample object keys
named the way CloudTrail names them must each fall under exactly one projected location, and
keys of accounts, Regions or days outside the projection under none. Both sides come from the
generated package, never from the settings or literals: the keys from the trail template's
`S3KeyPrefix` and its bucket (followed through CfCT's SSM hand-over to the bucket template),
the organization ID from the bucket policy's grant to the trail, the accounts from the
manifest; the locations from the query template's table. A drift between them fails.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import itertools
import json
import re
from dataclasses import dataclass
from typing import Any

import pytest
import yaml
from cfnlint.api import ManualArgs, lint
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from cfct_build import naming, render
from cfct_build.components import key, query, stack_set_components
from cfct_build.config import Settings
from cfct_build.manifest import Resource
from cfct_build.package import build_package
from cfct_build.queries import named_queries
from cfct_build.validate.iam_catalogue import unknown_action

ARCHIVE = "cfct-build-cloudtrail-222222222222-us-east-1"
RESULTS = "cfct-build-cloudtrail-query-results-333333333333-us-east-1"
ORG = "o-a1b2c3d4e5"
LOGS = f"s3://{ARCHIVE}/cloudtrail/AWSLogs/{ORG}/"
ACCOUNTS = ["111111111111", "222222222222", "333333333333", "444444444444", "555555555555"]
REGIONS = ["us-east-1", "us-west-2", "eu-west-1"]
PARTITION = "arn:${AWS::Partition}"
TAGS = [{"Key": "cfct-build:component", "Value": "log-archive-query"}]


def sub(text: str) -> dict[str, str]:
    return {"Fn::Sub": text}


def variant(base: Settings, **changes: Any) -> Settings:
    """The example settings with `a__b=value` changes, validated like a settings file."""
    data = base.model_dump()
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        target = data
        for part in parents:
            target = target[part]
        target[last] = value
    return Settings.model_validate(data)


def rendered(s: Settings) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(render.template_json(query.build(s)))
    return data


def resource_of(s: Settings, logical_id: str) -> dict[str, Any]:
    res: dict[str, Any] = rendered(s)["Resources"][logical_id]
    return res


# --------------------------------------------------------------------------- the table


def test_database_resource(settings: Settings) -> None:
    assert resource_of(settings, query.DATABASE) == {
        "Type": "AWS::Glue::Database",
        "Properties": {
            "CatalogId": {"Ref": "AWS::AccountId"},
            "DatabaseInput": {
                "Name": "cfct_build_log_archive",
                "Description": "cfct-build: the organization trail's log archive",
            },
        },
    }


def test_table_resource(settings: Settings) -> None:
    assert resource_of(settings, query.TABLE) == {
        "Type": "AWS::Glue::Table",
        "DependsOn": ["LogArchiveDatabase"],
        "Properties": {
            "CatalogId": {"Ref": "AWS::AccountId"},
            "DatabaseName": "cfct_build_log_archive",
            "TableInput": {
                "Name": "cloudtrail",
                "Description": "CloudTrail records of trail cfct-build-org-data-events, "
                "organization o-a1b2c3d4e5 (partition projection: account, region, timestamp)",
                "TableType": "EXTERNAL_TABLE",
                "Parameters": {
                    "EXTERNAL": "TRUE",
                    "classification": "cloudtrail",
                    "projection.enabled": "true",
                    "projection.account.type": "enum",
                    "projection.account.values": ",".join(ACCOUNTS),
                    "projection.region.type": "enum",
                    "projection.region.values": ",".join(REGIONS),
                    "projection.timestamp.type": "date",
                    "projection.timestamp.format": "yyyy/MM/dd",
                    "projection.timestamp.range": "2026/01/01,NOW",
                    "projection.timestamp.interval": "1",
                    "projection.timestamp.interval.unit": "DAYS",
                    "storage.location.template": LOGS
                    + "${account}/CloudTrail/${region}/${timestamp}/",
                },
                "PartitionKeys": [
                    {"Name": "account", "Type": "string"},
                    {"Name": "region", "Type": "string"},
                    {"Name": "timestamp", "Type": "string"},
                ],
                "StorageDescriptor": {
                    "Columns": [{"Name": n, "Type": t} for n, t in query.COLUMNS],
                    "Location": LOGS,
                    "InputFormat": "com.amazon.emr.cloudtrail.CloudTrailInputFormat",
                    "OutputFormat": "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
                    "SerdeInfo": {
                        "SerializationLibrary": "org.apache.hive.hcatalog.data.JsonSerDe"
                    },
                },
            },
        },
    }


def test_struct_columns_are_exactly_cloudtrails(settings: Settings) -> None:
    columns = dict(query.COLUMNS)
    assert columns["useridentity"] == (
        "struct<type:string,principalid:string,arn:string,accountid:string,invokedby:string,"
        "accesskeyid:string,username:string,onbehalfof:struct<userid:string,"
        "identitystorearn:string>,sessioncontext:struct<attributes:struct<mfaauthenticated:string,"
        "creationdate:string>,sessionissuer:struct<type:string,principalid:string,arn:string,"
        "accountid:string,username:string>,ec2roledelivery:string,webidfederationdata:struct<"
        "federatedprovider:string,attributes:map<string,string>>>>"
    )
    assert columns["resources"] == "array<struct<arn:string,accountid:string,type:string>>"
    assert columns["tlsdetails"] == (
        "struct<tlsversion:string,ciphersuite:string,clientprovidedhostheader:string>"
    )
    assert columns["addendum"] == (
        "struct<reason:string,updatedfields:string,originalrequestid:string,originaleventid:string>"
    )


def test_projection_follows_the_settings(settings: Settings) -> None:
    s = variant(
        settings,
        organization__governed_regions=["eu-central-1", "eu-west-1"],
        organization__home_region="eu-central-1",
        bucket__replica_region=None,
        bucket__key_prefix="org/trail",
        query__accounts=[],
        query__projection_start=dt.date(2025, 7, 15),
    )
    params = query.table_parameters(s)
    archive = "cfct-build-cloudtrail-222222222222-eu-central-1"
    assert {k: v for k, v in params.items() if k.startswith(("projection.", "storage."))} == {
        "projection.enabled": "true",
        "projection.account.type": "enum",
        "projection.account.values": "111111111111,222222222222,333333333333",
        "projection.region.type": "enum",
        # us-east-1: where CloudTrail files global-service events (IAM, sign-in).
        "projection.region.values": "eu-central-1,eu-west-1,us-east-1",
        "projection.timestamp.type": "date",
        "projection.timestamp.format": "yyyy/MM/dd",
        "projection.timestamp.range": "2025/07/15,NOW",
        "projection.timestamp.interval": "1",
        "projection.timestamp.interval.unit": "DAYS",
        "storage.location.template": f"s3://{archive}/org/trail/AWSLogs/{ORG}/"
        "${account}/CloudTrail/${region}/${timestamp}/",
    }


# --------------------------------------------------------------------------- projection vs keys

NOW = dt.date(2026, 3, 31)  # stands for Athena's NOW in these checks


def _java_to_strftime(fmt: str) -> str:
    assert fmt == "yyyy/MM/dd"  # the only pattern the table uses
    return "%Y/%m/%d"


def projected_values(params: dict[str, str], now: dt.date) -> dict[str, list[str]]:
    """What Athena projects for each partition key from the table's properties."""
    values: dict[str, list[str]] = {}
    for column in query.PARTITION_KEYS:
        kind = params[f"projection.{column}.type"]
        if kind == "enum":
            values[column] = params[f"projection.{column}.values"].split(",")
            continue
        assert kind == "date"
        fmt = _java_to_strftime(params[f"projection.{column}.format"])
        start_text, end_text = params[f"projection.{column}.range"].split(",")
        assert end_text == "NOW"
        assert params[f"projection.{column}.interval"] == "1"
        assert params[f"projection.{column}.interval.unit"] == "DAYS"
        start = dt.datetime.strptime(start_text, fmt).date()
        days = (now - start).days + 1
        values[column] = [(start + dt.timedelta(days=d)).strftime(fmt) for d in range(days)]
    return values


def projected_locations(params: dict[str, str], now: dt.date = NOW) -> list[str]:
    values = projected_values(params, now)
    template = params["storage.location.template"]
    locations = []
    for combo in itertools.product(*(values[c] for c in query.PARTITION_KEYS)):
        location = template
        for column, value in zip(query.PARTITION_KEYS, combo, strict=True):
            location = location.replace("${" + column + "}", value)
        locations.append(location)
    return locations


def cloudtrail_key(
    prefix: str, org: str, account: str, region: str, at: dt.datetime, rand: str
) -> str:
    """An object key the way an organization trail names its log files."""
    stamp = at.strftime("%Y%m%dT%H%MZ")
    return (
        f"{prefix}/AWSLogs/{org}/{account}/CloudTrail/{region}/{at:%Y/%m/%d}/"
        f"{account}_CloudTrail_{region}_{stamp}_{rand}.json.gz"
    )


def reading(locations: list[str], bucket: str, key_name: str) -> list[str]:
    """The projected locations under which Athena reads the object (prefix match)."""
    url = f"s3://{bucket}/{key_name}"
    return [loc for loc in locations if url.startswith(loc)]


@dataclass(frozen=True)
class TrailLayout:
    """Where the organization trail writes, read from the generated package alone."""

    bucket: str  # the trail's S3BucketName, followed through CfCT's SSM hand-over
    prefix: str  # the trail template's S3KeyPrefix
    org_id: str  # from the archive bucket policy's grant to the trail
    writable: tuple[str, ...]  # key patterns that grant lets the trail write
    accounts: tuple[str, ...]  # the trail's, the archive's and the query stack's accounts


def _ref(value: dict[str, str]) -> str:
    (name,) = value.values()
    return name


def _between(text: str, start: str, end: str = "]") -> str:
    assert text.startswith(start) and text.endswith(end), text
    return text[len(start) : len(text) - len(end)]


def trail_layout(files: dict[str, bytes]) -> TrailLayout:
    manifest = yaml.safe_load(files["manifest.yaml"])
    by_name = {r["name"]: r for r in manifest["resources"]}
    trail_res = by_name[naming.RES_TRAIL]
    trails = [
        r["Properties"]
        for r in json.loads(files[trail_res["resource_file"]])["Resources"].values()
        if r["Type"] == "AWS::CloudTrail::Trail"
    ]
    (props,) = trails
    assert props["IsOrganizationTrail"] is True
    # S3BucketName: a parameter CfCT fills from SSM, which the bucket stack's output fills
    parameters = {p["parameter_key"]: p["parameter_value"] for p in trail_res["parameters"]}
    ssm_name = _between(parameters[_ref(props["S3BucketName"])], "$[alfred_ssm_")
    ((producer, output),) = [
        (r, _between(e["value"], "$[output_"))
        for r in manifest["resources"]
        for e in r.get("export_outputs", [])
        if e["name"] == ssm_name
    ]
    bucket_t = json.loads(files[producer["resource_file"]])
    bucket_id = _ref(bucket_t["Outputs"][output]["Value"])
    bucket = bucket_t["Resources"][bucket_id]["Properties"]["BucketName"]
    (write,) = [
        st
        for r in bucket_t["Resources"].values()
        if r["Type"] == "AWS::S3::BucketPolicy" and _ref(r["Properties"]["Bucket"]) == bucket_id
        for st in r["Properties"]["PolicyDocument"]["Statement"]
        if st["Principal"] == {"Service": ["cloudtrail.amazonaws.com"]}
        and st["Action"] == ["s3:PutObject"]
    ]
    writable = tuple(
        _between(r["Fn::Sub"], f"arn:${{AWS::Partition}}:s3:::{bucket}/", "")
        for r in write["Resource"]
    )
    (org_id,) = {m[1] for w in writable if (m := re.search(r"/AWSLogs/(o-[a-z0-9]+)/\*$", w))}
    accounts = tuple(
        by_name[name]["deployment_targets"]["accounts"][0]
        for name in (naming.RES_TRAIL, producer["name"], naming.RES_QUERY)
    )
    return TrailLayout(bucket, props["S3KeyPrefix"], org_id, writable, accounts)


def table_location_parameters(files: dict[str, bytes]) -> dict[str, str]:
    """The table's parameters, as the generated query template holds them."""
    t = json.loads(files[naming.TEMPLATE_QUERY])
    params: dict[str, str] = t["Resources"][query.TABLE]["Properties"]["TableInput"]["Parameters"]
    return params


def trail_may_write(layout: TrailLayout, key_name: str) -> bool:
    """The key matches a pattern the bucket policy lets the organization trail write."""
    return any(fnmatch.fnmatchcase(key_name, p) for p in layout.writable)


@pytest.fixture(scope="module")
def package_files(settings: Settings) -> dict[str, bytes]:
    return build_package(settings).as_bytes()


@pytest.fixture(scope="module")
def layout(package_files: dict[str, bytes]) -> TrailLayout:
    return trail_layout(package_files)


@pytest.fixture(scope="module")
def locations(package_files: dict[str, bytes]) -> list[str]:
    return projected_locations(table_location_parameters(package_files))


def test_the_layout_is_read_from_the_package(layout: TrailLayout) -> None:
    assert layout == TrailLayout(
        ARCHIVE,
        "cloudtrail",
        ORG,
        (f"cloudtrail/AWSLogs/{ORG}/*", "cloudtrail/AWSLogs/111111111111/*"),
        ("111111111111", "222222222222", "333333333333"),
    )


def test_location_count_is_accounts_times_regions_times_days(locations: list[str]) -> None:
    assert len(locations) == len(set(locations)) == 5 * 3 * 90


SAMPLES = [
    (0, "us-east-1", dt.datetime(2026, 1, 1, 0, 0)),
    (1, "eu-west-1", dt.datetime(2026, 2, 28, 23, 55)),
    (2, "us-west-2", dt.datetime(2026, 3, 31, 12, 5)),
    (2, "us-east-1", dt.datetime(2026, 1, 31, 7, 40)),
]


def sample_keys(layout: TrailLayout) -> list[str]:
    """Keys the trail writes for the package's accounts (index into `layout.accounts`)."""
    return [
        cloudtrail_key(
            layout.prefix, layout.org_id, layout.accounts[i], region, at, "a1B2c3D4e5F6g7H8"
        )
        for i, region, at in SAMPLES
    ]


def test_sample_keys_resolve_to_exactly_their_directory(
    layout: TrailLayout, locations: list[str]
) -> None:
    for key_name in sample_keys(layout):
        assert trail_may_write(layout, key_name)
        directory = f"s3://{layout.bucket}/" + key_name.rsplit("/", 1)[0] + "/"
        assert reading(locations, layout.bucket, key_name) == [directory]


@pytest.mark.parametrize(
    ("template", "prop", "value"),
    [
        (naming.TEMPLATE_TRAIL, "S3KeyPrefix", "cloudtrail-v2"),
        (naming.TEMPLATE_QUERY, "storage.location.template", "s3://x/"),
    ],
    ids=["trail-prefix", "table-location"],
)
def test_a_drift_between_trail_and_table_is_caught(
    package_files: dict[str, bytes], template: str, prop: str, value: str
) -> None:
    """The check above reads both sides from the package: changing either breaks it."""
    files = dict(package_files)
    text = files[template].decode("utf-8")
    old = (
        f'"{prop}": "cloudtrail"'
        if prop == "S3KeyPrefix"
        else f'"{prop}": "s3://{ARCHIVE}/cloudtrail/AWSLogs/{ORG}/${{account}}'
    )
    new = f'"{prop}": "{value}"' if prop == "S3KeyPrefix" else f'"{prop}": "{value}${{account}}'
    assert text.count(old) == 1
    files[template] = text.replace(old, new).encode("utf-8")
    layout = trail_layout(files)
    locations = projected_locations(table_location_parameters(files))
    assert [reading(locations, layout.bucket, k) for k in sample_keys(layout)] == [[]] * 4


@pytest.mark.parametrize(
    ("account", "region", "at", "why"),
    [
        ("666666666666", "us-east-1", dt.datetime(2026, 1, 5), "account not projected"),
        (None, "ap-south-1", dt.datetime(2026, 1, 5), "Region not governed"),
        (None, "us-east-1", dt.datetime(2025, 12, 31, 23, 59), "before the range"),
        (None, "us-east-1", dt.datetime(2026, 4, 1), "after NOW"),
    ],
)
def test_keys_outside_the_projection_are_not_read(
    layout: TrailLayout,
    locations: list[str],
    account: str | None,
    region: str,
    at: dt.datetime,
    why: str,
) -> None:
    who = account or layout.accounts[0]
    key_name = cloudtrail_key(layout.prefix, layout.org_id, who, region, at, "a1B2c3D4e5F6g7H8")
    assert trail_may_write(layout, key_name)
    assert reading(locations, layout.bucket, key_name) == [], why


def test_digest_insight_and_legacy_management_keys_are_not_read(
    layout: TrailLayout, locations: list[str]
) -> None:
    day = "2026/01/05"
    base = f"{layout.prefix}/AWSLogs"
    mgmt = layout.accounts[0]
    others = [
        f"{base}/{layout.org_id}/{mgmt}/CloudTrail-Digest/us-east-1/{day}/"
        f"{mgmt}_CloudTrail-Digest_us-east-1_trail_us-east-1_20260105T000000Z.json.gz",
        f"{base}/{layout.org_id}/{mgmt}/CloudTrail-Insight/us-east-1/{day}/"
        f"{mgmt}_CloudTrail-Insight_us-east-1_20260105T0000Z_a1B2c3D4e5F6g7H8.json.gz",
        f"{base}/{mgmt}/CloudTrail/us-east-1/{day}/"
        f"{mgmt}_CloudTrail_us-east-1_20260105T0000Z_a1B2c3D4e5F6g7H8.json.gz",
        f"other/AWSLogs/{layout.org_id}/{mgmt}/CloudTrail/us-east-1/{day}/x.json.gz",
    ]
    assert [k for k in others if reading(locations, layout.bucket, k)] == []


RAND = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
    min_size=16,
    max_size=16,
)


@hsettings(max_examples=200, deadline=None)
@given(
    index=st.integers(min_value=0, max_value=2),
    region=st.sampled_from(REGIONS),
    at=st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2026, 3, 31, 23, 59)),
    rand=RAND,
)
def test_every_key_the_trail_writes_in_range_is_read_once(
    layout: TrailLayout,
    locations: list[str],
    index: int,
    region: str,
    at: dt.datetime,
    rand: str,
) -> None:
    key_name = cloudtrail_key(
        layout.prefix, layout.org_id, layout.accounts[index], region, at, rand
    )
    assert trail_may_write(layout, key_name)
    directory = f"s3://{layout.bucket}/" + key_name.rsplit("/", 1)[0] + "/"
    assert reading(locations, layout.bucket, key_name) == [directory]


# --------------------------------------------------------------------------- workgroup, results


def test_workgroup_resource(settings: Settings) -> None:
    assert resource_of(settings, query.WORKGROUP) == {
        "Type": "AWS::Athena::WorkGroup",
        "DependsOn": ["QueryResultsBucketPolicy"],
        "Properties": {
            "Name": "cfct-build-log-archive",
            "Description": "cfct-build: investigations over the log archive (settings enforced)",
            "State": "ENABLED",
            "Tags": TAGS,
            "WorkGroupConfiguration": {
                "EnforceWorkGroupConfiguration": True,
                "PublishCloudWatchMetricsEnabled": True,
                "BytesScannedCutoffPerQuery": 100 * 1024**3,
                "RequesterPaysEnabled": False,
                "EngineVersion": {"SelectedEngineVersion": "Athena engine version 3"},
                "ResultConfiguration": {
                    "OutputLocation": f"s3://{RESULTS}/results/",
                    "ExpectedBucketOwner": {"Ref": "AWS::AccountId"},
                    "EncryptionConfiguration": {
                        "EncryptionOption": "SSE_KMS",
                        "KmsKey": {"Ref": "KeyArn"},
                    },
                },
            },
        },
    }


def test_workgroup_follows_the_settings(settings: Settings) -> None:
    s = variant(settings, query__workgroup="investigations", query__bytes_scanned_cutoff_gib=1)
    config = resource_of(s, query.WORKGROUP)["Properties"]
    assert config["Name"] == "investigations"
    assert config["WorkGroupConfiguration"]["BytesScannedCutoffPerQuery"] == 1073741824


def test_results_bucket_resource(settings: Settings) -> None:
    assert resource_of(settings, query.RESULTS) == {
        "Type": "AWS::S3::Bucket",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Metadata": resource_of(settings, query.RESULTS)["Metadata"],
        "Properties": {
            "BucketName": RESULTS,
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    {
                        "ServerSideEncryptionByDefault": {
                            "SSEAlgorithm": "aws:kms",
                            "KMSMasterKeyID": {"Ref": "KeyArn"},
                        },
                        "BucketKeyEnabled": True,
                    }
                ]
            },
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
            "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
            "VersioningConfiguration": {"Status": "Enabled"},
            "LifecycleConfiguration": {
                "Rules": [
                    {
                        "Id": "ExpireQueryResults",
                        "Status": "Enabled",
                        "ExpirationInDays": 30,
                        "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
                        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
                    }
                ]
            },
            "Tags": TAGS,
        },
    }
    nag = resource_of(settings, query.RESULTS)["Metadata"]["cfn_nag"]["rules_to_suppress"]
    assert nag == [
        {
            "id": "W35",
            "reason": "Athena query results only, expiring after 30 days; every query that "
            "writes here is recorded by Athena's query history and CloudTrail.",
        }
    ]


def test_results_bucket_policy_is_tls_and_organization_only(settings: Settings) -> None:
    bucket_arn = sub(f"{PARTITION}:s3:::{RESULTS}")
    objects_arn = sub(f"{PARTITION}:s3:::{RESULTS}/*")
    assert resource_of(settings, query.RESULTS_POLICY) == {
        "Type": "AWS::S3::BucketPolicy",
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": {
            "Bucket": {"Ref": "QueryResultsBucket"},
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "DenyInsecureTransport",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": ["s3:*"],
                        "Resource": [bucket_arn, objects_arn],
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    },
                    {
                        "Sid": "DenyPrincipalsOutsideOrganization",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": ["s3:*"],
                        "Resource": [bucket_arn, objects_arn],
                        "Condition": {
                            "StringNotEquals": {"aws:PrincipalOrgID": ORG},
                            "Bool": {"aws:PrincipalIsAWSService": "false"},
                        },
                    },
                ],
            },
        },
    }


def test_named_query_resources(settings: Settings) -> None:
    resources = rendered(settings)["Resources"]
    got = {k: v for k, v in resources.items() if v["Type"] == "AWS::Athena::NamedQuery"}
    assert got == {
        q.logical_id: {
            "Type": "AWS::Athena::NamedQuery",
            "DependsOn": ["QueryWorkGroup", "CloudTrailTable"],
            "Properties": {
                "Name": q.name,
                "Description": q.description,
                "Database": "cfct_build_log_archive",
                "WorkGroup": "cfct-build-log-archive",
                "QueryString": q.sql,
            },
        }
        for q in named_queries(settings)
    }
    assert len(got) == 6


# --------------------------------------------------------------------------- reader grants


def test_reader_policy_is_exactly_what_running_the_queries_needs(settings: Settings) -> None:
    glue = f"{PARTITION}:glue:${{AWS::Region}}:${{AWS::AccountId}}"
    assert resource_of(settings, query.READER_POLICY) == {
        "Type": "AWS::IAM::ManagedPolicy",
        "Metadata": resource_of(settings, query.READER_POLICY)["Metadata"],
        "Properties": {
            "ManagedPolicyName": "cfct-build-log-archive-query-reader",
            "Description": "cfct-build: run the log archive's named queries (attach to the "
            "reader roles of key.reader_roles in this account)",
            "Path": "/",
            "Roles": ["SecurityLogReader"],
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "QueryRunInWorkgroup",
                        "Effect": "Allow",
                        "Action": [
                            "athena:BatchGetNamedQuery",
                            "athena:BatchGetQueryExecution",
                            "athena:GetNamedQuery",
                            "athena:GetQueryExecution",
                            "athena:GetQueryResults",
                            "athena:GetQueryResultsStream",
                            "athena:GetWorkGroup",
                            "athena:ListNamedQueries",
                            "athena:ListQueryExecutions",
                            "athena:StartQueryExecution",
                            "athena:StopQueryExecution",
                        ],
                        "Resource": [
                            sub(
                                f"{PARTITION}:athena:${{AWS::Region}}:${{AWS::AccountId}}:"
                                "workgroup/cfct-build-log-archive"
                            )
                        ],
                    },
                    {
                        "Sid": "QueryReadTableDefinition",
                        "Effect": "Allow",
                        "Action": ["glue:GetDatabase", "glue:GetPartitions", "glue:GetTable"],
                        "Resource": [
                            sub(f"{glue}:catalog"),
                            sub(f"{glue}:database/cfct_build_log_archive"),
                            sub(f"{glue}:table/cfct_build_log_archive/cloudtrail"),
                        ],
                    },
                    {
                        "Sid": "QueryReadArchivedLogs",
                        "Effect": "Allow",
                        "Action": ["s3:GetBucketLocation", "s3:GetObject", "s3:ListBucket"],
                        "Resource": [
                            sub(f"{PARTITION}:s3:::{ARCHIVE}"),
                            sub(f"{PARTITION}:s3:::{ARCHIVE}/cloudtrail/AWSLogs/{ORG}/*"),
                        ],
                    },
                    {
                        "Sid": "QueryWriteAndReadResults",
                        "Effect": "Allow",
                        "Action": [
                            "s3:AbortMultipartUpload",
                            "s3:GetBucketLocation",
                            "s3:GetObject",
                            "s3:ListBucket",
                            "s3:ListBucketMultipartUploads",
                            "s3:ListMultipartUploadParts",
                            "s3:PutObject",
                        ],
                        "Resource": [
                            sub(f"{PARTITION}:s3:::{RESULTS}"),
                            sub(f"{PARTITION}:s3:::{RESULTS}/results/*"),
                        ],
                    },
                    {
                        "Sid": "QueryUseLogKeyThroughS3",
                        "Effect": "Allow",
                        "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                        "Resource": [{"Ref": "KeyArn"}],
                        "Condition": {
                            "StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}
                        },
                    },
                ],
            },
        },
    }


READERS = [
    "arn:aws:iam::333333333333:role/SecurityLogReader",
    "arn:aws:iam::222222222222:role/LogArchiveReader",
    "arn:aws:iam::333333333333:role/team/incident-response/Investigator",
    "arn:aws:iam::444444444444:role/Investigator",
]


@pytest.mark.parametrize(
    ("changes", "roles", "output"),
    [
        (
            {"key__reader_roles": READERS},
            ["SecurityLogReader", "Investigator"],
            "Attached to the reader roles SecurityLogReader, Investigator",
        ),
        (
            {"key__reader_roles": READERS, "query__attach_reader_policy": False},
            None,
            "Attach to the reader roles of this account",
        ),
        (
            {"key__reader_roles": READERS[1:2]},
            None,
            "Attach to the reader roles of this account",
        ),
    ],
    ids=["audit-account-roles-by-name", "attach-off", "no-audit-reader"],
)
def test_reader_policy_is_attached_to_the_audit_accounts_reader_roles(
    settings: Settings, changes: dict[str, Any], roles: list[str] | None, output: str
) -> None:
    """By role name (the ARN's last segment: `Roles` takes names, never paths), only the
    roles of the audit account (the workgroup's); no `Roles` at all when none is attached."""
    t = rendered(variant(settings, **changes))
    assert t["Resources"][query.READER_POLICY]["Properties"].get("Roles") == roles
    assert t["Outputs"]["ReaderPolicyArn"]["Description"] == output


def test_role_name_drops_the_path() -> None:
    assert [query.role_name(a) for a in READERS] == [
        "SecurityLogReader",
        "LogArchiveReader",
        "Investigator",
        "Investigator",
    ]


def test_reader_policy_actions_exist_in_the_iam_catalogue(settings: Settings) -> None:
    doc = resource_of(settings, query.READER_POLICY)["Properties"]["PolicyDocument"]
    actions = [a for statement in doc["Statement"] for a in statement["Action"]]
    assert [(a, unknown_action(a)) for a in actions if unknown_action(a)] == []


def test_key_policy_lets_query_readers_use_the_key_for_results_only(settings: Settings) -> None:
    doc = json.loads(render.template_json(key.build(settings)))
    statements = doc["Resources"][key.KEY]["Properties"]["KeyPolicy"]["Statement"]
    results = f"{PARTITION}:s3:::{RESULTS}"
    assert [st for st in statements if st["Sid"] == "ReadersEncryptQueryResults"] == [
        {
            "Sid": "ReadersEncryptQueryResults",
            "Effect": "Allow",
            "Principal": {"AWS": [sub(f"{PARTITION}:iam::333333333333:root")]},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": ["*"],
            "Condition": {
                "ArnEquals": {
                    "aws:PrincipalArn": [
                        sub(f"{PARTITION}:iam::333333333333:role/SecurityLogReader")
                    ]
                },
                "StringEquals": {
                    "aws:PrincipalOrgID": ORG,
                    "kms:ViaService": "s3.us-east-1.amazonaws.com",
                },
                "StringLike": {
                    "kms:EncryptionContext:aws:s3:arn": [sub(results), sub(f"{results}/*")]
                },
            },
        }
    ]


@pytest.mark.parametrize(
    "changes",
    [
        {"query__enabled": False},
        {"key__reader_roles": ["arn:aws:iam::222222222222:role/LogArchiveReader"]},
    ],
    ids=["query-disabled", "no-audit-reader"],
)
def test_key_policy_grants_results_only_with_query_readers(
    settings: Settings, changes: dict[str, Any]
) -> None:
    s = variant(settings, **changes)
    doc = json.loads(render.template_json(key.build(s)))
    sids = [st["Sid"] for st in doc["Resources"][key.KEY]["Properties"]["KeyPolicy"]["Statement"]]
    assert "ReadersEncryptQueryResults" not in sids


# --------------------------------------------------------------------------- stack and manifest


def test_parameters_and_outputs(settings: Settings) -> None:
    t = rendered(settings)
    assert t["Parameters"] == {
        "KeyArn": {
            "Type": "String",
            "Description": "ARN of the log-archive KMS key (from SSM /cfct-build/log-archive/key-arn).",
            "AllowedPattern": "^arn:aws[a-z-]*:kms:us-east-1:333333333333:key/"
            "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
            "ConstraintDescription": "must be the ARN of a KMS key in account 333333333333, "
            "Region us-east-1",
        }
    }
    assert t["Outputs"] == {
        "WorkGroup": {"Description": "Athena workgroup", "Value": "cfct-build-log-archive"},
        "Table": {"Description": "Glue table", "Value": "cfct_build_log_archive.cloudtrail"},
        "ResultsBucketName": {
            "Description": "Query results bucket",
            "Value": {"Ref": "QueryResultsBucket"},
        },
        "ReaderPolicyArn": {
            "Description": "Attached to the reader roles SecurityLogReader",
            "Value": {"Ref": "QueryReaderPolicy"},
        },
    }
    assert sorted(t["Resources"]) == sorted(
        [
            "CloudTrailTable",
            "LogArchiveDatabase",
            "QueryReaderPolicy",
            "QueryResultsBucket",
            "QueryResultsBucketPolicy",
            "QueryWorkGroup",
            *(q.logical_id for q in named_queries(settings)),
        ]
    )


def test_resource(settings: Settings) -> None:
    assert query.resource(settings) == Resource(
        name="cfct-build-log-archive-query",
        description="cfct-build: Athena workgroup, table and named queries over the log archive",
        resource_file="templates/log-archive-query.template",
        deploy_method="stack_set",
        accounts=("333333333333",),
        regions=("us-east-1",),
        parameters=(("KeyArn", "$[alfred_ssm_/cfct-build/log-archive/key-arn]"),),
    )


def test_component_is_last_and_only_when_enabled(settings: Settings) -> None:
    names = [c.resource.name for c in stack_set_components(settings)]
    assert names[-1] == naming.RES_QUERY
    assert names.index(naming.RES_QUERY) > names.index(naming.RES_BUCKET)
    off = variant(settings, query__enabled=False)
    assert naming.RES_QUERY not in [c.resource.name for c in stack_set_components(off)]
    assert naming.TEMPLATE_QUERY not in build_package(off).files
    assert naming.TEMPLATE_QUERY in build_package(settings).files


def test_no_literal_partition_and_deterministic(settings: Settings) -> None:
    for s in (settings, variant(settings, bucket__replica_region=None)):
        text = render.template_json(query.build(s))
        assert "arn:aws:" not in text
        assert text == render.template_json(query.build(Settings.model_validate(s.model_dump())))


def lint_matches(text: str) -> list[tuple[str, str]]:
    matches = lint(text, config=ManualArgs(include_checks=["I"], regions=["us-east-1"]))
    return [(m.rule.id, m.message) for m in matches]


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"bucket__replica_region": None, "query__known_ip_ranges": []},
        {"key__account": "log_archive", "key__admin_roles": []},
    ],
    ids=["example", "no-replica-no-ranges", "key-in-log-archive"],
)
def test_cfn_lint_clean_with_informational_checks(
    settings: Settings, changes: dict[str, Any]
) -> None:
    assert lint_matches(render.template_json(query.build(variant(settings, **changes)))) == []

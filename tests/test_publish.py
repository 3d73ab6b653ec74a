"""`cfct-build publish`: upload to CfCT's source bucket, encrypted as the bucket demands, verified.

Uploads run against moto's S3 (SSE-KMS and SSE-S3 buckets, versioned or not). What moto cannot
produce — KMS refusing an upload, S3 returning a different object than was put — is played by
botocore's Stubber on real boto3 clients, so every request is still checked against the API
model. Exit codes and the exact text on stdout and stderr are asserted.
"""

from __future__ import annotations

import base64
import hashlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import ANY, Stubber
from moto import mock_aws

from cfct_build import publish
from cfct_build.cli import main
from cfct_build.config import Settings
from cfct_build.package import build_package, zip_bytes

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "cfct-build.yaml"
MANAGEMENT = "111111111111"
BUCKET = f"custom-control-tower-configuration-{MANAGEMENT}-us-east-1"
KEY = "custom-control-tower-configuration.zip"
URL = f"s3://{BUCKET}/{KEY}"
MOTO_CALLER = f"arn:aws:sts::{MANAGEMENT}:user/moto"
ROLE_CALLER = f"arn:aws:sts::{MANAGEMENT}:assumed-role/cfct-build-pipeline/AWSCodeBuild-1234"
CFCT_KEY = f"arn:aws:kms:us-east-1:{MANAGEMENT}:key/11111111-2222-3333-4444-555555555555"
OTHER_KEY = f"arn:aws:kms:us-east-1:{MANAGEMENT}:key/99999999-8888-7777-6666-555555555555"


def run_cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["publish", "-s", str(EXAMPLE), *argv], out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def package(settings: Settings) -> bytes:
    """The zip publish must upload: `cfct-build package`'s bytes for the example settings."""
    return zip_bytes(build_package(settings).as_bytes())


def sha256(body: bytes) -> str:
    return base64.b64encode(hashlib.sha256(body).digest()).decode()


def plan_lines(
    body: bytes, encryption: str, caller: str = MOTO_CALLER, url: str = URL
) -> list[str]:
    files = len(build_package_files())
    return [
        f"package: built from {EXAMPLE} ({files} files): {len(body)} bytes, SHA-256 {sha256(body)}",
        f"target: {url} (region us-east-1)",
        f"caller: {caller} (account {caller.split(':')[4]})",
        f"encryption: {encryption}",
    ]


def build_package_files() -> dict[str, bytes]:
    from cfct_build.config import load_settings

    return build_package(load_settings(EXAMPLE)).as_bytes()


# --------------------------------------------------------------------------- moto


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Dummy credentials only; no profile, config file or instance metadata can leak in."""
    for name in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ROLE_ARN",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")  # not the home Region on purpose
    monkeypatch.setenv("MOTO_ACCOUNT_ID", MANAGEMENT)


@pytest.fixture
def aws(aws_env: None) -> Iterator[boto3.Session]:
    with mock_aws():
        yield boto3.Session(region_name="us-east-1")


def make_bucket(
    session: boto3.Session, encryption: dict[str, str] | None, *, versioned: bool = True
) -> None:
    s3 = session.client("s3")
    s3.create_bucket(Bucket=BUCKET)
    if versioned:
        s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    if encryption is not None:
        s3.put_bucket_encryption(
            Bucket=BUCKET,
            ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": encryption}]
            },
        )


def only_version(session: boto3.Session) -> dict[str, Any]:
    versions = session.client("s3").list_object_versions(Bucket=BUCKET)["Versions"]
    assert [v["Key"] for v in versions] == [KEY]
    return dict(versions[0])


def test_sse_kms_bucket_gets_its_key_and_the_upload_is_verified(
    aws: boto3.Session, package: bytes
) -> None:
    key = aws.client("kms").create_key(Description="CfCT")["KeyMetadata"]["Arn"]
    make_bucket(aws, {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key})
    code, out, err = run_cli()
    version = only_version(aws)["VersionId"]
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        *plan_lines(package, f"SSE-KMS (aws:kms) with key {key}, the bucket's default"),
        f"uploaded: {URL} version {version}",
        f"verified: {len(package)} bytes, SHA-256 {sha256(package)}, encryption aws:kms with "
        f"key {key}",
        "CfCT's pipeline starts on this new object version.",
    ]
    s3 = aws.client("s3")
    head = s3.head_object(Bucket=BUCKET, Key=KEY, ChecksumMode="ENABLED")
    assert (
        head["ServerSideEncryption"],
        head["SSEKMSKeyId"],
        head["ChecksumSHA256"],
        head["ContentType"],
    ) == ("aws:kms", key, sha256(package), "application/zip")
    assert s3.get_object(Bucket=BUCKET, Key=KEY)["Body"].read() == package


def test_the_upload_is_the_package_command_s_zip(
    aws: boto3.Session, tmp_path: Path, package: bytes
) -> None:
    """Byte-deterministic: publish uploads exactly what `cfct-build package` writes."""
    make_bucket(aws, {"SSEAlgorithm": "AES256"})
    target = tmp_path / "pkg.zip"
    assert (
        main(["package", "-s", str(EXAMPLE), "-o", str(target)], io.StringIO(), io.StringIO()) == 0
    )
    assert run_cli()[0] == 0
    body = aws.client("s3").get_object(Bucket=BUCKET, Key=KEY)["Body"].read()
    assert body == target.read_bytes() == package


def test_sse_s3_bucket_unversioned(aws: boto3.Session, package: bytes) -> None:
    make_bucket(aws, {"SSEAlgorithm": "AES256"}, versioned=False)
    assert run_cli() == (
        0,
        "\n".join(
            [
                *plan_lines(package, "SSE-S3 (AES256), the bucket's default"),
                f"uploaded: {URL}",
                f"verified: {len(package)} bytes, SHA-256 {sha256(package)}, encryption AES256",
                "CfCT's pipeline starts on this new object version.",
            ]
        )
        + "\n",
        "",
    )
    head = aws.client("s3").head_object(Bucket=BUCKET, Key=KEY)
    assert (head["ServerSideEncryption"], "SSEKMSKeyId" in head) == ("AES256", False)


def test_kms_without_a_key_uses_the_bucket_default(aws: boto3.Session, package: bytes) -> None:
    make_bucket(aws, {"SSEAlgorithm": "aws:kms"})
    code, out, _ = run_cli("--dry-run")
    assert (code, out.splitlines()[3:]) == (
        0,
        [
            "encryption: SSE-KMS (aws:kms) with the AWS managed key aws/s3, the bucket's default",
            "dry run: nothing uploaded; publish would PutObject (ContentType=application/zip, "
            f"ChecksumAlgorithm=SHA256, ChecksumSHA256={sha256(package)}), then HeadObject and "
            "compare the size and SHA-256 S3 stored",
        ],
    )


def test_dry_run_prints_the_plan_and_uploads_nothing(aws: boto3.Session, package: bytes) -> None:
    make_bucket(aws, {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": CFCT_KEY})
    assert run_cli("--dry-run") == (
        0,
        "\n".join(
            [
                *plan_lines(
                    package, f"SSE-KMS (aws:kms) with key {CFCT_KEY}, the bucket's default"
                ),
                "dry run: nothing uploaded; publish would PutObject (ContentType=application/zip, "
                f"ChecksumAlgorithm=SHA256, ChecksumSHA256={sha256(package)}, "
                f"ServerSideEncryption=aws:kms, SSEKMSKeyId={CFCT_KEY}), then HeadObject and "
                "compare the size and SHA-256 S3 stored",
            ]
        )
        + "\n",
        "",
    )
    assert aws.client("s3").list_object_versions(Bucket=BUCKET).get("Versions") is None


def test_zip_option_uploads_that_file(aws: boto3.Session, tmp_path: Path, package: bytes) -> None:
    make_bucket(aws, None, versioned=False)
    given = tmp_path / "given.zip"
    given.write_bytes(package)
    code, out, err = run_cli("--zip", str(given), "--bucket", BUCKET)
    assert (code, err) == (0, "")
    assert (
        out.splitlines()[0] == f"package: {given}: {len(package)} bytes, SHA-256 {sha256(package)}"
    )
    assert out.splitlines()[3] == (
        "encryption: the bucket has no default encryption configured: S3 applies SSE-S3"
    )
    assert aws.client("s3").get_object(Bucket=BUCKET, Key=KEY)["Body"].read() == package


def test_zip_that_breaks_the_contract_is_refused(aws: boto3.Session, tmp_path: Path) -> None:
    make_bucket(aws, None)
    bad = tmp_path / "bad.zip"
    bad.write_bytes(zip_bytes({"templates/a.template": b"{}"}))
    assert run_cli("--zip", str(bad)) == (
        1,
        "",
        f"cfct-build publish: refusing to publish {bad}: it breaks the CfCT contract ((package): "
        "error CFCT-P001: no manifest.yaml at the package root: CfCT needs it at the root of "
        "custom-control-tower-configuration.zip)\n",
    )
    assert aws.client("s3").list_object_versions(Bucket=BUCKET).get("Versions") is None


def test_missing_zip_is_a_usage_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.zip"
    assert run_cli("--zip", str(missing)) == (
        2,
        "",
        f"cfct-build publish: {missing}: no such file\n",
    )


def test_no_such_bucket(aws: boto3.Session) -> None:
    assert run_cli() == (
        1,
        "",
        f"cfct-build publish: bucket {BUCKET} does not exist: CfCT creates it when it is "
        "installed in the management account 111111111111, us-east-1; install CfCT there (with "
        "the Amazon S3 source), or name another bucket with --bucket\n",
    )
    assert run_cli("--bucket", "some-other-bucket") == (
        1,
        "",
        "cfct-build publish: bucket some-other-bucket does not exist\n",
    )


def test_other_account_needs_an_explicit_bucket(
    aws: boto3.Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOTO_ACCOUNT_ID", "999999999999")
    assert run_cli("--dry-run") == (
        1,
        "",
        "cfct-build publish: these credentials belong to account 999999999999 "
        "(arn:aws:sts::999999999999:user/moto), not to the management account 111111111111 "
        "(organization.management_account) that holds CfCT's source bucket; use "
        "management-account credentials or name the bucket with --bucket\n",
    )


def test_without_credentials(aws_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name)
    assert run_cli("--dry-run") == (
        1,
        "",
        "cfct-build publish: no AWS credentials found; use --profile or set AWS_PROFILE to a "
        "profile of the management account 111111111111\n",
    )


def test_unknown_profile(aws_env: None) -> None:
    assert run_cli("--profile", "nope") == (
        1,
        "",
        "cfct-build publish: The config profile (nope) could not be found\n",
    )


# --------------------------------------------------------------------------- stubbed AWS


class StubbedSession:
    """A boto3 Session stand-in handing out Stubber-driven clients (home Region only)."""

    def __init__(self) -> None:
        self.clients: dict[str, Any] = {}
        self.stubs: dict[str, Stubber] = {}
        for service in ("sts", "s3", "kms"):
            client = boto3.client(
                service,
                region_name="us-east-1",
                aws_access_key_id="testing",
                aws_secret_access_key="testing",
            )
            self.clients[service] = client
            self.stubs[service] = Stubber(client)
            self.stubs[service].activate()

    def client(self, service: str, region_name: str) -> Any:
        assert region_name == "us-east-1"
        return self.clients[service]

    def done(self) -> None:
        for stub in self.stubs.values():
            stub.assert_no_pending_responses()


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch) -> Iterator[StubbedSession]:
    session = StubbedSession()
    monkeypatch.setattr(publish, "_session", lambda profile: session)
    yield session
    session.done()


def caller_and_encryption(session: StubbedSession, key: str | None) -> None:
    session.stubs["sts"].add_response(
        "get_caller_identity",
        {"UserId": "AROAEXAMPLE:AWSCodeBuild-1234", "Account": MANAGEMENT, "Arn": ROLE_CALLER},
        {},
    )
    default = (
        {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": key} if key else {"SSEAlgorithm": "AES256"}
    )
    session.stubs["s3"].add_response(
        "get_bucket_encryption",
        {
            "ServerSideEncryptionConfiguration": {
                "Rules": [{"ApplyServerSideEncryptionByDefault": default}]
            }
        },
        {"Bucket": BUCKET},
    )


def expected_put(package: bytes, key: str | None) -> dict[str, Any]:
    params: dict[str, Any] = {
        "Bucket": BUCKET,
        "Key": KEY,
        "Body": ANY,
        "ContentType": "application/zip",
        "ChecksumAlgorithm": "SHA256",
        "ChecksumSHA256": sha256(package),
    }
    if key:
        params.update(ServerSideEncryption="aws:kms", SSEKMSKeyId=key)
    return params


DENIED = (
    f"User: {ROLE_CALLER} is not authorized to perform: kms:GenerateDataKey on resource: "
    f"{CFCT_KEY} because no resource-based policy allows the kms:GenerateDataKey action"
)
CFCT_FIX = (
    f"cfct-build publish: KMS denied the upload to {URL}: add the uploading role "
    "cfct-build-pipeline (account 111111111111) to the key policy of CfCT's key "
    f"CustomControlTowerKMSKey (alias/CustomControlTowerKMSKey, {CFCT_KEY}) with "
    "kms:GenerateDataKey and kms:Encrypt; CfCT rewrites that policy on each of its own "
    f"updates, so add it again after every CfCT update (AWS: {DENIED})\n"
)


def deny_put(session: StubbedSession, package: bytes, key: str, message: str) -> None:
    session.stubs["s3"].add_client_error(
        "put_object",
        service_error_code="AccessDenied",
        service_message=message,
        http_status_code=403,
        expected_params=expected_put(package, key),
    )


def test_kms_access_denied_names_the_fix(stubbed: StubbedSession, package: bytes) -> None:
    caller_and_encryption(stubbed, CFCT_KEY)
    deny_put(stubbed, package, CFCT_KEY, DENIED)
    stubbed.stubs["kms"].add_response(
        "describe_key",
        {"KeyMetadata": {"KeyId": CFCT_KEY.rsplit("/", 1)[1], "Arn": CFCT_KEY}},
        {"KeyId": "alias/CustomControlTowerKMSKey"},
    )
    code, out, err = run_cli()
    assert (code, err) == (1, CFCT_FIX)
    assert out.splitlines() == plan_lines(
        package, f"SSE-KMS (aws:kms) with key {CFCT_KEY}, the bucket's default", ROLE_CALLER
    )


def test_kms_access_denied_when_cfct_s_key_cannot_be_described(
    stubbed: StubbedSession, package: bytes
) -> None:
    """The uploading role usually may not describe CfCT's key either: still CfCT's fix."""
    caller_and_encryption(stubbed, CFCT_KEY)
    deny_put(stubbed, package, CFCT_KEY, DENIED.replace("\n", " ") + "\n")
    stubbed.stubs["kms"].add_client_error(
        "describe_key", service_error_code="AccessDeniedException", http_status_code=400
    )
    assert run_cli()[::2] == (1, CFCT_FIX)


def test_kms_access_denied_by_another_key(stubbed: StubbedSession, package: bytes) -> None:
    caller_and_encryption(stubbed, OTHER_KEY)
    message = DENIED.replace(CFCT_KEY, OTHER_KEY)
    deny_put(stubbed, package, OTHER_KEY, message)
    stubbed.stubs["kms"].add_response(
        "describe_key",
        {"KeyMetadata": {"KeyId": CFCT_KEY.rsplit("/", 1)[1], "Arn": CFCT_KEY}},
        {"KeyId": "alias/CustomControlTowerKMSKey"},
    )
    assert run_cli()[::2] == (
        1,
        f"cfct-build publish: KMS denied the upload to {URL}: allow the uploading role "
        "cfct-build-pipeline (account 111111111111) kms:GenerateDataKey and kms:Encrypt on key "
        f"{OTHER_KEY} (its key policy and the role's IAM policy) (AWS: {message})\n",
    )


def test_s3_access_denied_names_the_permissions(stubbed: StubbedSession, package: bytes) -> None:
    caller_and_encryption(stubbed, CFCT_KEY)
    deny_put(stubbed, package, CFCT_KEY, "Access Denied")
    assert run_cli()[::2] == (
        1,
        "cfct-build publish: AWS error AccessDenied in PutObject: Access Denied (the uploading "
        "role needs s3:PutObject on the object, and kms:GenerateDataKey and kms:Encrypt on "
        f"{CFCT_KEY})\n",
    )


def test_encryption_lookup_denied(stubbed: StubbedSession) -> None:
    stubbed.stubs["sts"].add_response(
        "get_caller_identity", {"Account": MANAGEMENT, "Arn": ROLE_CALLER}, {}
    )
    stubbed.stubs["s3"].add_client_error(
        "get_bucket_encryption",
        service_error_code="AccessDenied",
        service_message="Access\nDenied",
        http_status_code=403,
    )
    assert run_cli("--dry-run") == (
        1,
        "",
        "cfct-build publish: AWS error AccessDenied in GetBucketEncryption: Access Denied (the "
        "uploading role needs s3:GetEncryptionConfiguration on the bucket)\n",
    )


def head_response(size: int, checksum: str) -> dict[str, Any]:
    return {
        "ContentLength": size,
        "ChecksumSHA256": checksum,
        "VersionId": "v1",
        "ServerSideEncryption": "AES256",
    }


def test_wrong_checksum_fails(stubbed: StubbedSession, package: bytes) -> None:
    caller_and_encryption(stubbed, None)
    stubbed.stubs["s3"].add_response("put_object", {"VersionId": "v1"}, expected_put(package, None))
    wrong = sha256(b"something else")
    stubbed.stubs["s3"].add_response(
        "head_object",
        head_response(len(package), wrong),
        {"Bucket": BUCKET, "Key": KEY, "VersionId": "v1", "ChecksumMode": "ENABLED"},
    )
    code, out, err = run_cli()
    assert (code, err) == (
        1,
        f"cfct-build publish: verification failed: {URL} (version v1) holds {len(package)} "
        f"bytes with SHA-256 {wrong}, the package is {len(package)} bytes with SHA-256 "
        f"{sha256(package)}; CfCT may run on the wrong object: publish again\n",
    )
    assert out.splitlines() == plan_lines(
        package, "SSE-S3 (AES256), the bucket's default", ROLE_CALLER
    )


def test_wrong_size_or_no_checksum_fails(stubbed: StubbedSession, package: bytes) -> None:
    caller_and_encryption(stubbed, None)
    stubbed.stubs["s3"].add_response("put_object", {}, expected_put(package, None))
    stubbed.stubs["s3"].add_response(
        "head_object",
        {"ContentLength": len(package) - 1},
        {"Bucket": BUCKET, "Key": KEY, "ChecksumMode": "ENABLED"},
    )
    assert run_cli()[::2] == (
        1,
        f"cfct-build publish: verification failed: {URL} holds {len(package) - 1} bytes with "
        f"SHA-256 unknown, the package is {len(package)} bytes with SHA-256 {sha256(package)}; "
        "CfCT may run on the wrong object: publish again\n",
    )


def test_matching_head_passes(stubbed: StubbedSession, package: bytes) -> None:
    caller_and_encryption(stubbed, None)
    stubbed.stubs["s3"].add_response("put_object", {"VersionId": "v1"}, expected_put(package, None))
    stubbed.stubs["s3"].add_response(
        "head_object",
        head_response(len(package), sha256(package)),
        {"Bucket": BUCKET, "Key": KEY, "VersionId": "v1", "ChecksumMode": "ENABLED"},
    )
    code, out, err = run_cli()
    assert (code, err, out.splitlines()[4:]) == (
        0,
        "",
        [
            f"uploaded: {URL} version v1",
            f"verified: {len(package)} bytes, SHA-256 {sha256(package)}, encryption AES256",
            "CfCT's pipeline starts on this new object version.",
        ],
    )


# --------------------------------------------------------------------------- units


@pytest.mark.parametrize(
    ("caller", "expected"),
    [
        (ROLE_CALLER, "the uploading role cfct-build-pipeline (account 111111111111)"),
        (
            "arn:aws-us-gov:sts::222222222222:assumed-role/r/s",
            "the uploading role r (account 222222222222)",
        ),
        (
            "arn:aws:iam::111111111111:user/ci",
            "the uploading principal arn:aws:iam::111111111111:user/ci",
        ),
    ],
)
def test_uploader(caller: str, expected: str) -> None:
    assert publish.uploader(caller) == expected


def test_encryption_put_args() -> None:
    assert publish.Encryption("aws:kms", CFCT_KEY).put_args() == {
        "ServerSideEncryption": "aws:kms",
        "SSEKMSKeyId": CFCT_KEY,
    }
    assert publish.Encryption("aws:kms:dsse", "alias/x").put_args() == {
        "ServerSideEncryption": "aws:kms:dsse",
        "SSEKMSKeyId": "alias/x",
    }
    assert publish.Encryption("aws:kms").put_args() == {}
    assert publish.Encryption("AES256").put_args() == {}
    assert publish.Encryption(None).describe() == (
        "the bucket has no default encryption configured: S3 applies SSE-S3"
    )


def test_head_denied_names_the_read_permissions(stubbed: StubbedSession, package: bytes) -> None:
    """HEAD of a version needs s3:GetObjectVersion besides s3:GetObject."""
    caller_and_encryption(stubbed, None)
    stubbed.stubs["s3"].add_response("put_object", {"VersionId": "v1"}, expected_put(package, None))
    stubbed.stubs["s3"].add_client_error(
        "head_object", service_error_code="AccessDenied", service_message="Forbidden"
    )
    assert run_cli()[::2] == (
        1,
        "cfct-build publish: AWS error AccessDenied in HeadObject: Forbidden (the uploading role "
        "needs s3:GetObject and s3:GetObjectVersion on the object)\n",
    )

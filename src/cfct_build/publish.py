"""`cfct-build publish`: hand the package to CfCT by uploading it to CfCT's source bucket.

CfCT (with its Amazon S3 source) runs a CodePipeline whose source is the object
`custom-control-tower-configuration.zip` in the bucket `custom-control-tower-configuration-
<management account>-<home Region>`; putting a new version of it starts the pipeline.

Publishing: build the zip from the settings (byte-deterministic, checked against the CfCT
contract) or take `--zip`; read the bucket's default encryption and, when it is SSE-KMS with a
key, upload with that key explicitly (a bucket policy may demand the header); put the object
with an SHA-256 checksum (`ChecksumAlgorithm=SHA256`: S3 checks it on receipt and stores it);
then HEAD that exact version and compare its size and stored SHA-256 with the zip's. The
SHA-256 works whatever the encryption, unlike the ETag, which is not the MD5 under SSE-KMS.

`--dry-run` makes only the read calls (sts:GetCallerIdentity, s3:GetEncryptionConfiguration)
and prints what it would upload, where and how. AWS failures become one line and exit code 1;
an AccessDenied from KMS names the fix: CfCT's key `CustomControlTowerKMSKey` only lets the
roles CfCT created use it, and CfCT rewrites that key policy on each of its own updates.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from cfct_build import naming
from cfct_build.config import Settings

PROG = "cfct-build publish"
# The permission each call needs, named in AccessDenied messages.
PERMISSION = {
    "GetCallerIdentity": "sts:GetCallerIdentity",
    "GetBucketEncryption": "s3:GetEncryptionConfiguration on the bucket",
    "PutObject": "s3:PutObject on the object",
    "HeadObject": "s3:GetObject and s3:GetObjectVersion on the object",
}
_KMS_KEY_ARN = re.compile(r"arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[A-Za-z0-9-]+")
_ASSUMED_ROLE = re.compile(r"arn:aws[a-z-]*:sts::(\d{12}):assumed-role/([^/]+)/")


class PublishError(Exception):
    """A publication that cannot go on; the message is one line for the user."""


@dataclass(frozen=True)
class Encryption:
    """The bucket's default encryption, as GetBucketEncryption reports it."""

    algorithm: str | None  # "AES256", "aws:kms", "aws:kms:dsse"; None: none configured
    kms_key: str | None = None  # KMSMasterKeyID: key ID, key ARN or alias ARN

    @property
    def is_kms(self) -> bool:
        return (self.algorithm or "").startswith("aws:kms")

    def put_args(self) -> dict[str, str]:
        """PutObject arguments: the bucket's KMS key, named explicitly; otherwise none."""
        if self.is_kms and self.kms_key and self.algorithm:
            return {"ServerSideEncryption": self.algorithm, "SSEKMSKeyId": self.kms_key}
        return {}

    def describe(self) -> str:
        if self.is_kms and self.kms_key:
            return f"SSE-KMS ({self.algorithm}) with key {self.kms_key}, the bucket's default"
        if self.is_kms:
            return (
                f"SSE-KMS ({self.algorithm}) with the AWS managed key aws/s3, the bucket's default"
            )
        if self.algorithm:
            return f"SSE-S3 ({self.algorithm}), the bucket's default"
        return "the bucket has no default encryption configured: S3 applies SSE-S3"


@dataclass(frozen=True)
class Upload:
    """What publish uploads, where and how."""

    body: bytes
    source: str  # where the zip comes from, for people
    bucket: str
    account: str  # the caller's account
    caller: str  # the caller's ARN
    region: str
    encryption: Encryption
    key: str = naming.PACKAGE_ZIP

    @property
    def sha256(self) -> str:
        """Base64 SHA-256, the form S3 stores and returns as ChecksumSHA256."""
        return base64.b64encode(hashlib.sha256(self.body).digest()).decode()

    def put_args(self) -> dict[str, str]:
        """PutObject's arguments besides Bucket, Key and Body."""
        return {
            "ContentType": "application/zip",
            "ChecksumAlgorithm": "SHA256",
            "ChecksumSHA256": self.sha256,
            **self.encryption.put_args(),
        }

    @property
    def url(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    def lines(self) -> list[str]:
        return [
            f"package: {self.source}: {len(self.body)} bytes, SHA-256 {self.sha256}",
            f"target: {self.url} (region {self.region})",
            f"caller: {self.caller} (account {self.account})",
            f"encryption: {self.encryption.describe()}",
        ]


# --------------------------------------------------------------------------- the package


def package_zip(settings: Settings, settings_file: str, zip_path: str | None) -> tuple[bytes, str]:
    """The zip to upload and a description of its source; PublishError when it would break
    the CfCT contract (CfCT's pipeline would fail on it)."""
    from cfct_build.package import build_package, zip_bytes
    from cfct_build.validate import has_errors, validate_dir, validate_files

    if zip_path is None:
        files = build_package(settings).as_bytes()
        findings = validate_files(files, lint=False)
        body, source = zip_bytes(files), f"built from {settings_file} ({len(files)} files)"
    else:
        findings = validate_dir(Path(zip_path), lint=False)
        body, source = Path(zip_path).read_bytes(), zip_path
    errors = [str(f) for f in findings if f.severity == "error"]
    if has_errors(findings):
        raise PublishError(
            f"refusing to publish {source}: it breaks the CfCT contract ({'; '.join(errors)})"
        )
    return body, source


# --------------------------------------------------------------------------- AWS


def bucket_encryption(s3: Any, bucket: str) -> Encryption:
    from botocore.exceptions import ClientError

    try:
        config = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
    except ClientError as exc:
        if _code(exc) != "ServerSideEncryptionConfigurationNotFoundError":
            raise
        return Encryption(None)
    default = (config.get("Rules") or [{}])[0].get("ApplyServerSideEncryptionByDefault", {})
    return Encryption(default.get("SSEAlgorithm"), default.get("KMSMasterKeyID") or None)


def plan(session: Any, settings: Settings, body: bytes, source: str, bucket: str | None) -> Upload:
    """Who is calling, which bucket, which encryption: the read-only half of publishing."""
    from botocore.exceptions import ClientError

    region = settings.organization.home_region
    caller = session.client("sts", region_name=region).get_caller_identity()
    account, arn = str(caller["Account"]), str(caller["Arn"])
    explicit = bucket is not None
    if bucket is None:
        management = settings.organization.management_account
        if account != management:
            raise PublishError(
                f"these credentials belong to account {account} ({arn}), not to the management "
                f"account {management} (organization.management_account) that holds CfCT's "
                "source bucket; use management-account credentials or name the bucket with "
                "--bucket"
            )
        bucket = naming.cfct_source_bucket(account, region)
    try:
        encryption = bucket_encryption(session.client("s3", region_name=region), bucket)
    except ClientError as exc:
        if _code(exc) == "NoSuchBucket":
            raise PublishError(no_such_bucket(bucket, explicit, settings)) from None
        raise
    return Upload(body, source, bucket, account, arn, region, encryption)


def no_such_bucket(bucket: str, explicit: bool, settings: Settings) -> str:
    if explicit:
        return f"bucket {bucket} does not exist"
    org = settings.organization
    return (
        f"bucket {bucket} does not exist: CfCT creates it when it is installed in the "
        f"management account {org.management_account}, {org.home_region}; install CfCT "
        "there (with the Amazon S3 source), or name another bucket with --bucket"
    )


def upload(session: Any, up: Upload) -> dict[str, Any]:
    """Put the zip, then HEAD the version written and compare size and SHA-256.

    Returns the HEAD response; raises PublishError when the object does not match."""
    s3 = session.client("s3", region_name=up.region)
    put = s3.put_object(Bucket=up.bucket, Key=up.key, Body=up.body, **up.put_args())
    version = put.get("VersionId")
    head_args: dict[str, Any] = {"Bucket": up.bucket, "Key": up.key, "ChecksumMode": "ENABLED"}
    if version:
        head_args["VersionId"] = version
    head: dict[str, Any] = s3.head_object(**head_args)
    size, sha = head.get("ContentLength"), head.get("ChecksumSHA256")
    if size != len(up.body) or sha != up.sha256:
        where = f"{up.url} (version {version})" if version else up.url
        raise PublishError(
            f"verification failed: {where} holds {size} bytes with SHA-256 {sha or 'unknown'}, "
            f"the package is {len(up.body)} bytes with SHA-256 {up.sha256}; CfCT may run on "
            "the wrong object: publish again"
        )
    return head


def _code(exc: Any) -> str:
    return str(exc.response.get("Error", {}).get("Code", "Error"))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _cfct_key_arn(session: Any, region: str) -> str | None:
    """The ARN of CfCT's key, if these credentials may describe it; None otherwise."""
    try:
        meta = session.client("kms", region_name=region).describe_key(
            KeyId=naming.CFCT_KMS_KEY_ALIAS
        )
        return str(meta["KeyMetadata"]["Arn"])
    except Exception:
        return None


def _key_id(key: str) -> str:
    return key.rsplit("/", 1)[-1]


def uploader(caller: str) -> str:
    """The principal a key policy must name: the role behind an assumed-role session."""
    m = _ASSUMED_ROLE.match(caller)
    if m:
        return f"the uploading role {m.group(2)} (account {m.group(1)})"
    return f"the uploading principal {caller}"


def kms_denied_message(session: Any, up: Upload, aws_message: str) -> str:
    """The one-line message for an upload KMS refused, naming the fix."""
    found = _KMS_KEY_ARN.search(aws_message)
    key = found.group(0) if found else up.encryption.kms_key
    cfct_key = _cfct_key_arn(session, up.region)
    said = f"(AWS: {_one_line(aws_message)})"
    who = uploader(up.caller)
    another_key = (
        key is not None
        and cfct_key is not None
        and _key_id(key) != _key_id(cfct_key)
        and not key.endswith(naming.CFCT_KMS_KEY_ALIAS)
    )
    if another_key:
        return (
            f"KMS denied the upload to {up.url}: allow {who} kms:GenerateDataKey and "
            f"kms:Encrypt on key {key} (its key policy and the role's IAM policy) {said}"
        )
    return (
        f"KMS denied the upload to {up.url}: add {who} to the key policy of CfCT's key "
        f"{naming.CFCT_KMS_KEY} ({naming.CFCT_KMS_KEY_ALIAS}"
        + (f", {key}" if key else "")
        + ") with kms:GenerateDataKey and kms:Encrypt; CfCT rewrites that policy on each of "
        f"its own updates, so add it again after every CfCT update {said}"
    )


def _session(profile: str | None) -> Any:
    import boto3

    return boto3.Session(profile_name=profile)


def run(
    settings: Settings,
    settings_file: str,
    *,
    bucket: str | None,
    zip_path: str | None,
    dry_run: bool,
    profile: str | None,
    out: TextIO,
    err: TextIO,
) -> int:
    from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

    if zip_path is not None and not Path(zip_path).is_file():
        print(f"{PROG}: {zip_path}: no such file", file=err)
        return 2
    up: Upload | None = None
    session: Any = None
    try:
        body, source = package_zip(settings, settings_file, zip_path)
        session = _session(profile)
        up = plan(session, settings, body, source, bucket)
        for line in up.lines():
            print(line, file=out)
        if dry_run:
            args = ", ".join(f"{k}={v}" for k, v in up.put_args().items())
            print(
                f"dry run: nothing uploaded; publish would PutObject ({args}), then HeadObject "
                "and compare the size and SHA-256 S3 stored",
                file=out,
            )
            return 0
        head = upload(session, up)
    except PublishError as exc:
        print(f"{PROG}: {exc}", file=err)
        return 1
    except NoCredentialsError:
        print(
            f"{PROG}: no AWS credentials found; use --profile or set AWS_PROFILE to a profile "
            f"of the management account {settings.organization.management_account}",
            file=err,
        )
        return 1
    except ClientError as exc:
        print(f"{PROG}: {_client_error(exc, up, bucket, settings, session)}", file=err)
        return 1
    except BotoCoreError as exc:
        print(f"{PROG}: {_one_line(str(exc))}", file=err)
        return 1
    version = head.get("VersionId")
    applied = head.get("ServerSideEncryption") or "none reported"
    if head.get("SSEKMSKeyId"):
        applied += f" with key {head['SSEKMSKeyId']}"
    print(f"uploaded: {up.url}" + (f" version {version}" if version else ""), file=out)
    print(
        f"verified: {head['ContentLength']} bytes, SHA-256 {head['ChecksumSHA256']}, "
        f"encryption {applied}",
        file=out,
    )
    print("CfCT's pipeline starts on this new object version.", file=out)
    return 0


def _client_error(
    exc: Any, up: Upload | None, bucket: str | None, settings: Settings, session: Any
) -> str:
    code = _code(exc)
    message = str(exc.response.get("Error", {}).get("Message", exc))
    operation = str(exc.operation_name)
    if code == "NoSuchBucket" and up is not None:
        return no_such_bucket(up.bucket, bucket is not None, settings)
    denied = code in ("AccessDenied", "AccessDeniedException", "KMS.AccessDeniedException")
    if up is not None and operation == "PutObject" and denied and "kms" in message.lower():
        return kms_denied_message(session, up, message)
    text = f"AWS error {code} in {operation}: {_one_line(message)}"
    if denied and operation in PERMISSION:
        text += f" (the uploading role needs {PERMISSION[operation]}"
        if operation == "PutObject" and up is not None and up.encryption.kms_key:
            text += f", and kms:GenerateDataKey and kms:Encrypt on {up.encryption.kms_key}"
        text += ")"
    return text

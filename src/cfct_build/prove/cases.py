"""The case matrix: who tries what against the log archive, and what must happen.

Expectations state the intent of the issue, never the output of the evaluator. Cases are
derived from the settings (accounts, names, reader and admin roles, optional parts); a group
that the settings make meaningless is skipped with a note instead of being expected to pass.

Each case names the layers it evaluates:
- `all`: everything that applies in AWS (identity policy, the guardrail SCPs where the account
  is under them, the bucket or key policy, resource ownership);
- `SCP only`: the guardrail SCPs and an administrator's identity policy, with the resource's
  policy and ownership set aside: each SCP statement holds on its own;
- `resource policy only`: the bucket or key policy with the SCPs set aside (as for an account
  outside the listed OUs): each bucket and key guard holds on its own.
Principals invented for the proof (a workload account, an account outside the organization,
administrators) use account IDs that are not in the settings.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cfct_build import naming
from cfct_build.config import Settings
from cfct_build.prove.evaluate import IDENTITY, Actor, Policy
from cfct_build.prove.policies import (
    Generated,
    baseline_identity,
    key_arn,
    replica_key_arn,
    tamper_topic_rule_arn,
)
from cfct_build.queries import query_reader_roles

ALL = "all"
SCP_ONLY = "SCP only"
RESOURCE_ONLY = "resource policy only"

CLOUDTRAIL = "cloudtrail.amazonaws.com"
S3_LOGGING = "logging.s3.amazonaws.com"
STACKSETS_EXEC_ROLE = "stacksets-exec-0123456789abcdef0123456789abcdef"
SPARE_ACCOUNTS = ("444455556666", "777788889999", "123456789012", "210987654321")
OUTSIDE_ACCOUNTS = ("999999999999", "999988887777", "888877776666")
DELEGATED = "as CloudTrail delegated administrator (the only member account that can)"
LOCKOUT = "KMS lockout safety check: the new policy must let the caller put it again"
NO_SCP_IN_MANAGEMENT = "SCPs never apply to the management account: restrict it with IAM there"


@dataclass(frozen=True)
class Target:
    """Where the resource lives and which generated policy guards it."""

    owner: str  # account ID
    policy: str | None = None  # attribute of `Generated` (e.g. "archive_bucket"), or none


@dataclass(frozen=True, eq=False)
class Case:
    id: str
    actor: Actor
    action: str
    resource: str
    expected: bool  # allowed?
    target: Target | None = None  # None: the caller's own resource, no resource policy
    context: Mapping[str, str] = field(default_factory=dict)
    layers: str = ALL
    note: str = ""
    # Attribute of `Generated` holding the actor's identity policy, for a policy the package
    # generates (it is then evaluated, and mutated, as generated); None: the actor's own.
    identity: str | None = None
    # A statement appended to the target's resource policy for this case only: an over-broad
    # grant an administrator could add later ("widened"), so the case shows that a Deny of the
    # generated policy still holds, and flips when that Deny is removed (mutation checks).
    widened_by: Mapping[str, Any] | None = None

    def resource_policy(self, g: Generated) -> Policy | None:
        if self.target is None or self.target.policy is None:
            return None
        p: Policy | None = getattr(g, self.target.policy)
        if p is None or self.widened_by is None:
            return p
        statements = [*p.document["Statement"], dict(self.widened_by)]
        return Policy(p.layer, p.name, {**p.document, "Statement": statements})


def account_root_grant(
    sid: str, partition: str, account: str, action: str, resource: str
) -> dict[str, Any]:
    """An Allow of `action` to every principal of `account` (its root), as admins often add."""
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
        "Action": action,
        "Resource": resource,
    }


def allow(id: str, actor: Actor, action: str, resource: str, *args: Any, **kw: Any) -> Case:
    return Case(id, actor, action, resource, True, *args, **kw)


def deny(id: str, actor: Actor, action: str, resource: str, *args: Any, **kw: Any) -> Case:
    return Case(id, actor, action, resource, False, *args, **kw)


@dataclass(frozen=True)
class Matrix:
    cases: list[Case]
    skipped: list[str]  # why a group of cases does not apply to these settings


def _admin() -> tuple[Policy, ...]:
    doc: dict[str, Any] = {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "AdministratorAccess", "Effect": "Allow", "Action": "*", "Resource": "*"}
        ],
    }
    return (Policy(IDENTITY, "AdministratorAccess", doc),)


def _reader_policy(s: Settings) -> tuple[Policy, ...]:
    bucket = f"arn:{s.partition}:s3:::{naming.archive_bucket(s)}"
    doc: dict[str, Any] = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ReadLogs",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:ListBucket"],
                "Resource": [bucket, f"{bucket}/*"],
            },
            {"Sid": "DecryptLogs", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": "*"},
        ],
    }
    return (Policy(IDENTITY, "LogReader", doc),)


class World:
    """Every name, ARN and principal the cases use, derived once from the settings."""

    def __init__(self, s: Settings, g: Generated) -> None:
        self.s = s
        p = self.p = s.partition
        org = s.organization
        self.home = home = org.home_region
        self.mgmt = mgmt = org.management_account
        self.la = la = org.log_archive_account
        self.ka = ka = s.key_account_id
        taken = {mgmt, la, org.audit_account}
        roles = [*s.exempt_principals, *s.key.reader_roles, *s.key.admin_roles]
        taken |= {a.split(":")[4] for a in roles}
        self.workload = next(a for a in SPARE_ACCOUNTS if a not in taken)
        self.workload_2 = next(a for a in SPARE_ACCOUNTS if a not in {*taken, self.workload})
        self.outside = next(a for a in OUTSIDE_ACCOUNTS if a not in taken)
        self.guarded = bool(org.organizational_units)

        self.trail = naming.trail_arn(s)
        self.foreign_trail = f"arn:{p}:cloudtrail:{home}:{self.outside}:trail/{s.trail.name}"
        self.log_group = f"arn:{p}:logs:{home}:{mgmt}:log-group:{naming.cloudwatch_log_group(s)}"
        self.archive = naming.archive_bucket(s)
        self.archive_arn = f"arn:{p}:s3:::{self.archive}"
        self.access_log_arn = f"arn:{p}:s3:::{naming.access_log_bucket(s)}"
        prefix = s.bucket.key_prefix
        self.log_name = f"{home}/2026/01/01/{la}_CloudTrail_{home}_20260101T0000Z_a1b2.json.gz"
        logs = f"{self.archive_arn}/{prefix}/AWSLogs"
        self.log_object = f"{logs}/{org.id}/{la}/CloudTrail/{self.log_name}"
        self.mgmt_log_object = f"{logs}/{mgmt}/CloudTrail/{self.log_name}"
        self.access_log_object = f"{self.access_log_arn}/{self.archive}/2026-01-01-00-00-00-A1B2"
        self.key = key_arn(s)
        self.key_ctx = {f"aws:ResourceTag/{k}": v for k, v in sorted(g.key_tags.items())}
        self.alias = f"arn:{p}:kms:{home}:{ka}:alias/{s.key.alias}"
        self.trail_ctx = {"kms:EncryptionContext:aws:cloudtrail:arn": self.trail}
        self.on_archive = Target(la, "archive_bucket")
        self.on_access_log = Target(la, "access_log_bucket")
        self.on_key = Target(ka, "key")
        self.replica = s.bucket.replica_region
        if self.replica:
            self.replica_arn = f"arn:{p}:s3:::{naming.replica_bucket(s)}"
            self.replica_object = f"{self.replica_arn}/{prefix}/AWSLogs/{org.id}/{self.log_name}"
            self.replica_key = replica_key_arn(s)
            tags = g.replica_key_tags or {}
            self.replica_key_ctx = {f"aws:ResourceTag/{k}": v for k, v in sorted(tags.items())}
            self.on_replica_bucket = Target(la, "replica_bucket")
            self.on_replica_key = Target(la, "replica_key")
        self.replication_role = g.replication_role
        self.g = g

        self.cloudtrail = Actor("CloudTrail", CLOUDTRAIL)
        self.s3_logging = Actor("S3 server access logging", S3_LOGGING)
        self.wl_admin = self.member("workload-account admin", self.workload, "WorkloadAdmin")
        self.la_admin = self.member("log-archive-account admin", la, "LogArchiveAdmin")
        self.la_admin_no_scp = self.member(
            "log-archive-account admin", la, "LogArchiveAdmin", scps=False
        )
        self.ka_admin = self.member("key-account admin", ka, "KeyAccountAdmin")
        self.ka_admin_no_scp = self.member("key-account admin", ka, "KeyAccountAdmin", scps=False)
        self.mgmt_admin = self.member("management-account admin", mgmt, "ManagementAdmin")
        self.outsider = Actor(
            "principal outside the organization", self.role(self.outside, "OutsideAdmin"), _admin()
        )
        cfn = "CloudFormation (CfCT StackSet)"
        self.cfn_la = self.member(cfn, la, naming.CT_EXECUTION_ROLE)
        self.cfn_key = self.member(cfn, ka, naming.CT_EXECUTION_ROLE)
        self.cfn_mgmt = self.member(cfn, mgmt, naming.CT_EXECUTION_ROLE)
        self.sse_la = self.member("service-managed StackSet", la, STACKSETS_EXEC_ROLE)
        self.sse_wl = self.member("service-managed StackSet", self.workload, STACKSETS_EXEC_ROLE)

    def own_log(self, account: str) -> str:
        """A log file of `account` in the archive, under the organization trail's prefix."""
        name = self.log_name.replace(self.la, account)
        return f"{self.archive_arn}/{naming.own_logs_prefix(self.s, account)}CloudTrail/{name}"

    def role(self, account: str, name: str) -> str:
        return f"arn:{self.p}:iam::{account}:role/{name}"

    def member(
        self,
        label: str,
        account_or_arn: str,
        name: str = "",
        *,
        scps: bool = True,
        identity: tuple[Policy, ...] | None = None,
    ) -> Actor:
        """A principal of the organization; SCPs apply unless in the management account."""
        arn = account_or_arn if not name else self.role(account_or_arn, name)
        under = scps and self.guarded and arn.split(":")[4] != self.mgmt
        return Actor(label, arn, identity or _admin(), self.s.organization.id, under)

    def exempt(self, arn: str) -> bool:
        patterns = [
            self.role("*", naming.CT_EXECUTION_ROLE),
            self.role("*", naming.STACKSETS_EXEC_ROLE_PATTERN),
            *self.s.exempt_principals,
        ]
        return any(fnmatch.fnmatchcase(arn, pattern) for pattern in patterns)


def delivery(w: World) -> list[Case]:
    """CloudTrail and S3 log delivery still work, and only for our trail."""
    ct, on = w.cloudtrail, w.on_archive
    put = {
        "aws:SourceArn": w.trail,
        "aws:SourceAccount": w.mgmt,
        "s3:x-amz-acl": "bucket-owner-full-control",
        "s3:x-amz-server-side-encryption": "aws:kms",
        "s3:x-amz-server-side-encryption-aws-kms-key-id": w.key,
    }
    foreign = {**put, "aws:SourceArn": w.foreign_trail, "aws:SourceAccount": w.outside}
    deputy = "confused deputy: another account's trail"
    src = {"aws:SourceArn": w.trail}
    other_ctx = {**src, "kms:EncryptionContext:aws:cloudtrail:arn": w.foreign_trail}
    foreign_kms = {"aws:SourceArn": w.foreign_trail, **other_ctx}
    outside_prefix = f"{w.archive_arn}/elsewhere/{w.log_name}"
    s3_src = {"aws:SourceArn": w.archive_arn, "aws:SourceAccount": w.la}
    cases = [
        allow(
            "ct-acl-check",
            ct,
            "s3:GetBucketAcl",
            w.archive_arn,
            on,
            {**src, "aws:SourceAccount": w.mgmt},
        ),
        allow("ct-write-member-log", ct, "s3:PutObject", w.log_object, on, put),
        allow("ct-write-management-log", ct, "s3:PutObject", w.mgmt_log_object, on, put),
        deny("ct-write-foreign-trail", ct, "s3:PutObject", w.log_object, on, foreign, note=deputy),
        deny(
            "ct-write-plain-http",
            ct,
            "s3:PutObject",
            w.log_object,
            on,
            {**put, "aws:SecureTransport": "false"},
        ),
        deny("ct-write-outside-prefix", ct, "s3:PutObject", outside_prefix, on, put),
        allow(
            "ct-kms-generate-data-key",
            ct,
            "kms:GenerateDataKey",
            w.key,
            w.on_key,
            {**src, **w.trail_ctx},
        ),
        deny("ct-kms-other-context", ct, "kms:GenerateDataKey", w.key, w.on_key, other_ctx),
        deny(
            "ct-kms-foreign-trail",
            ct,
            "kms:GenerateDataKey",
            w.key,
            w.on_key,
            foreign_kms,
            note=deputy,
        ),
        allow("ct-kms-describe-key", ct, "kms:DescribeKey", w.key, w.on_key, src),
        allow(
            "s3-access-log-delivery",
            w.s3_logging,
            "s3:PutObject",
            w.access_log_object,
            w.on_access_log,
            s3_src,
        ),
    ]
    if w.s.bucket.deny_uploads_without_kms:
        plain = {k: v for k, v in put.items() if not k.startswith("s3:x-amz-server-side")}
        cases.append(deny("ct-write-without-sse-kms", ct, "s3:PutObject", w.log_object, on, plain))
    return cases


def workload_admin(w: World, skipped: list[str]) -> list[Case]:
    """An administrator of a workload account attacks the trail, the logs and the key."""
    a, on = w.wl_admin, w.on_archive
    cases = []
    if w.guarded:
        cases += [
            deny("wl-stop-trail", a, "cloudtrail:StopLogging", w.trail, note=DELEGATED),
            deny("wl-delete-trail", a, "cloudtrail:DeleteTrail", w.trail, note=DELEGATED),
            deny("wl-update-trail", a, "cloudtrail:UpdateTrail", w.trail, note=DELEGATED),
            deny("wl-change-selectors", a, "cloudtrail:PutEventSelectors", w.trail, note=DELEGATED),
            deny("wl-leave-organization", a, "organizations:LeaveOrganization", "*"),
        ]
    else:
        skipped.append(
            "wl-*-trail, wl-change-selectors, wl-leave-organization: "
            "organization.organizational_units is empty, so no guardrail SCP is attached"
        )
    cases += [
        deny("wl-delete-log", a, "s3:DeleteObject", w.log_object, on),
        deny("wl-delete-log-version", a, "s3:DeleteObjectVersion", w.log_object, on),
        deny("wl-bypass-governance", a, "s3:BypassGovernanceRetention", w.log_object, on),
        deny("wl-put-bucket-policy", a, "s3:PutBucketPolicy", w.archive_arn, on),
        deny("wl-put-lifecycle", a, "s3:PutLifecycleConfiguration", w.archive_arn, on),
        deny("wl-schedule-key-deletion", a, "kms:ScheduleKeyDeletion", w.key, w.on_key, w.key_ctx),
        deny("wl-disable-key", a, "kms:DisableKey", w.key, w.on_key, w.key_ctx),
    ]
    if w.s.trail.cloudwatch_logs.enabled:
        cases.append(
            deny("wl-delete-log-group", a, "logs:DeleteLogGroup", w.log_group, Target(w.mgmt))
        )
    return cases


def scp_alone(w: World, skipped: list[str]) -> list[Case]:
    """Each SCP statement denies on its own; nothing outside our resources is caught."""
    if not w.guarded:
        skipped.append("scp-*, sse-scp-*: no organizational_units, so no guardrail SCP applies")
        return []
    a, scp = w.wl_admin, {"layers": SCP_ONLY}
    other_key = f"arn:{w.p}:kms:{w.home}:{w.ka}:key/00000000-0000-0000-0000-000000000000"
    other_bucket = f"arn:{w.p}:s3:::workload-data-{w.workload}/report.csv"
    ct_bucket = f"arn:{w.p}:s3:::{naming.control_tower_buckets(w.s)[0]}"
    cases = [
        deny("scp-trail", a, "cloudtrail:StopLogging", w.trail, **scp),
        deny("scp-archive-bucket", a, "s3:PutBucketPolicy", w.archive_arn, **scp),
        deny("scp-access-log-bucket", a, "s3:PutLifecycleConfiguration", w.access_log_arn, **scp),
        deny("scp-delete-log", a, "s3:DeleteObjectVersion", w.log_object, **scp),
        deny("scp-delete-access-log", a, "s3:DeleteObject", w.access_log_object, **scp),
        deny("scp-key-deletion", a, "kms:ScheduleKeyDeletion", w.key, None, w.key_ctx, **scp),
        deny("scp-key-untag", a, "kms:UntagResource", w.key, None, w.key_ctx, **scp),
        deny("scp-delete-alias", a, "kms:DeleteAlias", w.alias, **scp),
        deny("scp-leave-organization", a, "organizations:LeaveOrganization", "*", **scp),
        allow(
            "scp-other-key",
            a,
            "kms:ScheduleKeyDeletion",
            other_key,
            **scp,
            note="a key without our tag is not caught",
        ),
        allow(
            "scp-other-bucket",
            a,
            "s3:DeleteObject",
            other_bucket,
            **scp,
            note="a workload's bucket is not caught",
        ),
        allow(
            "scp-control-tower-bucket",
            a,
            "s3:PutBucketPolicy",
            ct_bucket,
            **scp,
            note="Control Tower's bucket is left to Control Tower's own SCPs",
        ),
    ]
    if w.s.trail.cloudwatch_logs.enabled:
        cases.append(deny("scp-log-group", a, "logs:DeleteLogGroup", w.log_group, **scp))
    if w.replica:
        cases += [
            deny("scp-replica-bucket", a, "s3:PutBucketVersioning", w.replica_arn, **scp),
            deny(
                "scp-replica-key-deletion",
                a,
                "kms:ScheduleKeyDeletion",
                w.replica_key,
                None,
                w.replica_key_ctx,
                **scp,
            ),
        ]
    sse = w.sse_wl
    cases += [
        allow("sse-scp-trail", sse, "cloudtrail:UpdateTrail", w.trail, **scp),
        allow("sse-scp-bucket", sse, "s3:PutBucketPolicy", w.archive_arn, **scp),
        allow("sse-scp-object", sse, "s3:DeleteObjectVersion", w.log_object, **scp),
        allow("sse-scp-key", sse, "kms:PutKeyPolicy", w.key, None, w.key_ctx, **scp),
        allow("sse-scp-alias", sse, "kms:UpdateAlias", w.alias, **scp),
        allow("sse-scp-leave-organization", sse, "organizations:LeaveOrganization", "*", **scp),
    ]
    return cases


def exempt_role_names(w: World, skipped: list[str]) -> list[Case]:
    """Nobody but the pipeline creates or takes over a role name the guardrails exempt.

    The exemptions match role names, so a member account's admin who could create
    `role/stacksets-exec-x`, or re-trust an existing one or an exempt principal of the
    settings, would escape every guard. Not even `stacksets-exec-*` may re-trust an exempt
    principal: it is exempt from the SCPs only, the settings' exempt principals from the bucket
    policies too.
    """
    if not w.guarded:
        skipped.append(
            "*-stacksets-exec-role, *-exempt-role, scp-other-role: no organizational_units, so "
            "no guardrail SCP applies"
        )
        return []
    la, cfn = w.la_admin, w.cfn_la
    new = w.role(w.la, "stacksets-exec-x")
    existing = w.role(w.la, STACKSETS_EXEC_ROLE)
    escape = "the new role would be exempt from every guardrail"
    take = "the admin could then act as an exempt principal"
    cases = [
        deny("la-create-stacksets-exec-role", la, "iam:CreateRole", new, note=escape),
        deny(
            "la-retrust-stacksets-exec-role", la, "iam:UpdateAssumeRolePolicy", existing, note=take
        ),
        deny("la-widen-stacksets-exec-role", la, "iam:PutRolePolicy", existing),
        deny(
            "wl-create-stacksets-exec-role",
            w.wl_admin,
            "iam:CreateRole",
            w.role(w.workload, "stacksets-exec-x"),
            note=escape,
        ),
        allow("cfn-create-stacksets-exec-role", cfn, "iam:CreateRole", new),
        allow("cfn-retrust-stacksets-exec-role", cfn, "iam:UpdateAssumeRolePolicy", existing),
        allow(
            "scp-other-role",
            w.wl_admin,
            "iam:CreateRole",
            w.role(w.workload, "WorkloadAppRole"),
            layers=SCP_ONLY,
            note="other role names are not caught",
        ),
    ]
    mgmt = w.mgmt
    exact = [a for a in w.s.exempt_principals if "*" not in a and "?" not in a]
    members = sorted(
        (a for a in exact if a.split(":")[4] != mgmt), key=lambda a: a.split(":")[4] != w.la
    )
    if not members:
        skipped.append(
            "*-exempt-role: no exact exempt principal in a member account (SCPs never apply "
            "to the management account's)"
        )
        return cases
    role = members[0]
    account = role.split(":")[4]
    admin = la if account == w.la else w.member("member-account admin", account, "AccountAdmin")
    sse = w.member("service-managed StackSet", account, STACKSETS_EXEC_ROLE)
    cfn_there = w.member("CloudFormation (CfCT StackSet)", account, naming.CT_EXECUTION_ROLE)
    return [
        *cases,
        deny("admin-retrust-exempt-role", admin, "iam:UpdateAssumeRolePolicy", role, note=take),
        deny(
            "sse-retrust-exempt-role",
            sse,
            "iam:UpdateAssumeRolePolicy",
            role,
            note="stacksets-exec-* is not exempt from the bucket policies; this role is",
        ),
        allow("cfn-retrust-exempt-role", cfn_there, "iam:UpdateAssumeRolePolicy", role),
    ]


BUCKET_POLICY_ALONE = (
    ("delete-log", "s3:DeleteObject", "log"),
    ("delete-log-version", "s3:DeleteObjectVersion", "log"),
    ("bypass-governance", "s3:BypassGovernanceRetention", "log"),
    ("put-retention", "s3:PutObjectRetention", "log"),
    ("put-legal-hold", "s3:PutObjectLegalHold", "log"),
    ("forge-log", "s3:PutObject", "log"),
    ("put-bucket-policy", "s3:PutBucketPolicy", "bucket"),
    ("delete-bucket-policy", "s3:DeleteBucketPolicy", "bucket"),
    ("put-lifecycle", "s3:PutLifecycleConfiguration", "bucket"),
    ("put-versioning", "s3:PutBucketVersioning", "bucket"),
    ("put-object-lock", "s3:PutBucketObjectLockConfiguration", "bucket"),
    ("put-replication", "s3:PutReplicationConfiguration", "bucket"),
    ("put-encryption", "s3:PutEncryptionConfiguration", "bucket"),
    ("put-logging", "s3:PutBucketLogging", "bucket"),
    ("delete-bucket", "s3:DeleteBucket", "bucket"),
)


def log_archive_admin(w: World) -> list[Case]:
    """An administrator of the log-archive account, with and without the SCPs."""
    a, on = w.la_admin, w.on_archive
    cases = [
        deny("la-delete-log", a, "s3:DeleteObject", w.log_object, on),
        deny("la-delete-log-version", a, "s3:DeleteObjectVersion", w.log_object, on),
        deny("la-put-bucket-policy", a, "s3:PutBucketPolicy", w.archive_arn, on),
        deny("la-forge-log", a, "s3:PutObject", w.log_object, on, note="only CloudTrail writes"),
        deny("la-decrypt-not-reader", a, "kms:Decrypt", w.key, w.on_key, w.trail_ctx),
    ]
    b, bp = w.la_admin_no_scp, {"layers": RESOURCE_ONLY}
    for name, action, kind in BUCKET_POLICY_ALONE:
        resource = w.log_object if kind == "log" else w.archive_arn
        cases.append(deny(f"bp-{name}", b, action, resource, on, **bp))
    cases += [
        deny(
            "bp-delete-access-log", b, "s3:DeleteObject", w.access_log_object, w.on_access_log, **bp
        ),
        deny(
            "bp-plain-http",
            b,
            "s3:GetObject",
            w.log_object,
            on,
            {"aws:SecureTransport": "false"},
            **bp,
        ),
    ]
    if w.replica:
        cases.append(
            deny(
                "bp-delete-replica-log",
                b,
                "s3:DeleteObjectVersion",
                w.replica_object,
                w.on_replica_bucket,
                **bp,
            )
        )
    return cases


def key_cases(w: World, skipped: list[str]) -> list[Case]:
    """The key: its account's admin, the key policy alone, and the settings' key admins."""
    on, ctx = w.on_key, w.key_ctx
    kp = {"layers": RESOURCE_ONLY}
    cases = [
        deny("ka-schedule-key-deletion", w.ka_admin, "kms:ScheduleKeyDeletion", w.key, on, ctx),
        deny(
            "kp-schedule-key-deletion",
            w.ka_admin_no_scp,
            "kms:ScheduleKeyDeletion",
            w.key,
            on,
            ctx,
            **kp,
        ),
        deny("kp-put-key-policy", w.ka_admin_no_scp, "kms:PutKeyPolicy", w.key, on, ctx, **kp),
    ]
    # The key policy widened by the usual "account root may do kms:*" statement: then IAM in
    # the key's account grants the key, and only DenyKeyDestructionExceptAdministrators holds.
    root_kms = account_root_grant("WidenedAccountRootKmsAll", w.p, w.ka, "kms:*", "*")
    widened = {**kp, "widened_by": root_kms, "note": "key policy widened: account root kms:*"}
    cases += [
        deny(f"kp-widened-{name}", w.ka_admin_no_scp, f"kms:{action}", w.key, on, ctx, **widened)
        for name, action in (
            ("schedule-key-deletion", "ScheduleKeyDeletion"),
            ("disable-key", "DisableKey"),
            ("disable-rotation", "DisableKeyRotation"),
            ("put-key-policy", "PutKeyPolicy"),
        )
    ]
    if w.replica:
        replica_root = account_root_grant("WidenedAccountRootKmsAll", w.p, w.la, "kms:*", "*")
        cases.append(
            deny(
                "kp-widened-replica-schedule-key-deletion",
                w.la_admin_no_scp,
                "kms:ScheduleKeyDeletion",
                w.replica_key,
                w.on_replica_key,
                w.replica_key_ctx,
                **{**widened, "widened_by": replica_root},
            )
        )
    if not w.s.key.admin_roles:
        skipped.append("key-admin-*: key.admin_roles is empty")
        return cases
    admin = w.member("key administrator (settings)", w.s.key.admin_roles[0])
    # The SCPs take destruction away from key admins, unless exempt or in the management account.
    blocked = admin.under_scps and not w.exempt(admin.arn)
    note = "" if blocked else "no guardrail SCP applies to this role"
    alias_on = Target(w.ka)
    return [
        *cases,
        Case(
            "key-admin-schedule-deletion",
            admin,
            "kms:ScheduleKeyDeletion",
            w.key,
            not blocked,
            on,
            ctx,
            note=note,
        ),
        Case(
            "key-admin-disable-key", admin, "kms:DisableKey", w.key, not blocked, on, ctx, note=note
        ),
        Case(
            "key-admin-put-key-policy",
            admin,
            "kms:PutKeyPolicy",
            w.key,
            not blocked,
            on,
            ctx,
            note=note,
        ),
        Case(
            "key-admin-delete-alias",
            admin,
            "kms:DeleteAlias",
            w.alias,
            not blocked,
            alias_on,
            note=note,
        ),
        allow(
            "key-admin-enable-rotation",
            admin,
            "kms:EnableKeyRotation",
            w.key,
            on,
            ctx,
            note="administration itself stays possible",
        ),
    ]


CFN_BUCKET_ACTIONS = (
    "CreateBucket",
    "PutBucketPolicy",
    "DeleteBucketPolicy",
    "PutBucketObjectLockConfiguration",
    "PutBucketVersioning",
    "PutEncryptionConfiguration",
    "PutLifecycleConfiguration",
    "PutBucketLogging",
    "PutBucketPublicAccessBlock",
    "PutBucketOwnershipControls",
    "PutBucketTagging",
)


SSE_NOT_TRUSTED = (
    "service-managed StackSets never deploy this stack (CfCT's run as AWSControlTowerExecution): "
    "the bucket policy does not trust the role name"
)


def no_lockout(w: World) -> list[Case]:
    """CloudFormation (AWSControlTowerExecution) can still deploy every stack.

    `stacksets-exec-*` passes the SCPs (`sse-scp-*`) but not the bucket policies, which trust
    only principals no member-account admin can create (see `bucket.exempt_principals`).
    """
    actions = [*CFN_BUCKET_ACTIONS, *(["PutReplicationConfiguration"] if w.replica else [])]
    cfn = w.cfn_la
    cases = [
        allow(f"cfn-archive-{a}", cfn, f"s3:{a}", w.archive_arn, w.on_archive) for a in actions
    ]
    cases += [
        allow(f"cfn-access-log-{a}", cfn, f"s3:{a}", w.access_log_arn, w.on_access_log)
        for a in ("PutBucketPolicy", "PutLifecycleConfiguration")
    ]
    k, on, ctx = w.cfn_key, w.on_key, w.key_ctx
    cases += [
        allow("cfn-key-put-key-policy", k, "kms:PutKeyPolicy", w.key, on, ctx, note=LOCKOUT),
        allow("cfn-key-enable-rotation", k, "kms:EnableKeyRotation", w.key, on, ctx),
        allow("cfn-key-tag", k, "kms:TagResource", w.key, on, ctx),
        allow("cfn-key-update-alias", k, "kms:UpdateAlias", w.alias, Target(w.ka)),
        allow("cfn-trail-update", w.cfn_mgmt, "cloudtrail:UpdateTrail", w.trail, Target(w.mgmt)),
        allow(
            "cfn-trail-selectors",
            w.cfn_mgmt,
            "cloudtrail:PutEventSelectors",
            w.trail,
            Target(w.mgmt),
        ),
        deny(
            "sse-archive-put-bucket-policy",
            w.sse_la,
            "s3:PutBucketPolicy",
            w.archive_arn,
            w.on_archive,
            note=SSE_NOT_TRUSTED,
        ),
        deny(
            "sse-archive-put-lifecycle",
            w.sse_la,
            "s3:PutLifecycleConfiguration",
            w.archive_arn,
            w.on_archive,
            note=SSE_NOT_TRUSTED,
        ),
    ]
    if w.replica:
        cases.append(
            allow(
                "cfn-replica-key-put-key-policy",
                cfn,
                "kms:PutKeyPolicy",
                w.replica_key,
                w.on_replica_key,
                w.replica_key_ctx,
                note=LOCKOUT,
            )
        )
    return cases


def exempt_and_management(w: World, skipped: list[str]) -> list[Case]:
    """Exempt principals keep their way in; the management account is outside the SCPs."""
    cases = []
    exact = [a for a in w.s.exempt_principals if "*" not in a and "?" not in a]
    in_la = [a for a in exact if a.split(":")[4] == w.la]
    if in_la:
        breakglass = w.member("exempt principal (settings)", in_la[0])
        cases.append(
            allow(
                "exempt-delete-log-version",
                breakglass,
                "s3:DeleteObjectVersion",
                w.log_object,
                w.on_archive,
                note="the policies allow it; Object Lock retention still applies",
            )
        )
    else:
        skipped.append("exempt-*: no exact exempt principal in the log-archive account")
    m = w.mgmt_admin
    cases += [
        allow(
            "mgmt-stop-trail",
            m,
            "cloudtrail:StopLogging",
            w.trail,
            Target(w.mgmt),
            note=NO_SCP_IN_MANAGEMENT,
        ),
        deny("mgmt-delete-log", m, "s3:DeleteObject", w.log_object, w.on_archive),
        deny(
            "mgmt-schedule-key-deletion",
            m,
            "kms:ScheduleKeyDeletion",
            w.key,
            w.on_key,
            w.key_ctx,
            note="the key policy binds even where no SCP does",
        ),
    ]
    return cases


def readers_and_outsiders(w: World, skipped: list[str]) -> list[Case]:
    """Readers decrypt and read CloudTrail logs; nobody outside the organization does."""
    cases = []
    readers = [
        w.member("log reader (settings)", arn, identity=_reader_policy(w.s))
        for arn in w.s.key.reader_roles
    ]
    for i, r in enumerate(readers, start=1):
        cases += [
            allow(f"reader-{i}-decrypt", r, "kms:Decrypt", w.key, w.on_key, w.trail_ctx),
            allow(f"reader-{i}-read-log", r, "s3:GetObject", w.log_object, w.on_archive),
        ]
    if readers:
        other = {"kms:EncryptionContext:aws:s3:arn": w.log_object}
        cases.append(
            deny(
                "reader-decrypt-other-context",
                readers[0],
                "kms:Decrypt",
                w.key,
                w.on_key,
                other,
                note="not a CloudTrail log",
            )
        )
    else:
        skipped.append("reader-*: key.reader_roles is empty")
    o = w.outsider
    cases += [
        deny("outside-read-log", o, "s3:GetObject", w.log_object, w.on_archive),
        deny("outside-decrypt", o, "kms:Decrypt", w.key, w.on_key, w.trail_ctx),
        deny("outside-write-log", o, "s3:PutObject", w.log_object, w.on_archive),
    ]
    # The bucket policies widened by a cross-account read grant to an outside account: only
    # DenyPrincipalsOutsideOrganization holds (KMS would refuse to decrypt as well).
    for case_id, bucket, obj, on in (
        ("bp-widened-outside-read-log", w.archive_arn, w.log_object, w.on_archive),
        (
            "bp-widened-outside-read-access-log",
            w.access_log_arn,
            w.access_log_object,
            w.on_access_log,
        ),
    ):
        grant = account_root_grant(
            "WidenedOutsideAccountRead", w.p, w.outside, "s3:GetObject", f"{bucket}/*"
        )
        note = "bucket policy widened: s3:GetObject for an outside account"
        cases.append(deny(case_id, o, "s3:GetObject", obj, on, widened_by=grant, note=note))
    if w.replica and w.replication_role is not None:
        via_home = {"kms:ViaService": f"s3.{w.home}.amazonaws.com"}
        via_replica = {"kms:ViaService": f"s3.{w.replica}.amazonaws.com"}
        rep = w.member(
            "S3 replication role",
            w.la,
            naming.replication_role(w.s),
            identity=(w.replication_role,),
        )
        cases += [
            allow(
                "replication-read-source",
                rep,
                "s3:GetObjectVersionForReplication",
                w.log_object,
                w.on_archive,
            ),
            allow("replication-decrypt-source", rep, "kms:Decrypt", w.key, w.on_key, via_home),
            allow(
                "replication-write-replica",
                rep,
                "s3:ReplicateObject",
                w.replica_object,
                w.on_replica_bucket,
            ),
            allow(
                "replication-encrypt-replica",
                rep,
                "kms:GenerateDataKey",
                w.replica_key,
                w.on_replica_key,
                via_replica,
            ),
            deny(
                "replication-decrypt-directly",
                rep,
                "kms:Decrypt",
                w.key,
                w.on_key,
                note="only through S3",
            ),
        ]
        cases += [
            allow(
                f"reader-{i}-decrypt-replica",
                r,
                "kms:Decrypt",
                w.replica_key,
                w.on_replica_key,
                via_replica,
            )
            for i, r in enumerate(readers, start=1)
        ]
    return cases


def own_logs_readers(w: World, skipped: list[str]) -> list[Case]:
    """The baseline's own-logs reader of account X reads X's logs and nobody else's.

    X and Y are two workload accounts; the readers' identity policies are the baseline
    template's, as each account's stack deploys them. "Widened" readers carry
    AdministratorAccess instead: what an admin of the account could give the role. The bucket
    and key policies must hold them to their own account's prefix all the same.
    """
    if not w.s.baseline.own_logs_reader.enabled or w.g.own_logs_reader is None:
        skipped.append("own-reader-*: baseline.own_logs_reader.enabled is false")
        return []
    s, doc = w.s, w.g.own_logs_reader
    name = naming.own_logs_reader_role(s)
    x, y, mgmt, la = w.workload, w.workload_2, w.mgmt, w.la

    def reader(account: str, widened: bool = False) -> Actor:
        identity = _admin() if widened else (baseline_identity(s, name, doc, account),)
        label = "own-logs reader (baseline" + (", widened by an admin)" if widened else ")")
        return w.member(label, account, name, identity=identity)

    def listing(account: str) -> dict[str, str]:
        return {"s3:prefix": f"{naming.own_logs_prefix(s, account)}CloudTrail/"}

    via_s3 = {**w.trail_ctx, "kms:ViaService": f"s3.{w.home}.amazonaws.com"}
    on, arch = w.on_archive, w.archive_arn
    rx, rm, rla = reader(x), reader(mgmt), reader(la)
    wide_x, wide_la = reader(x, widened=True), reader(la, widened=True)
    everyone = {"s3:prefix": f"{s.bucket.key_prefix}/AWSLogs/{s.organization.id}/"}
    outside_reader = Actor(
        "own-logs reader name outside the organization", w.role(w.outside, name), _admin()
    )
    return [
        allow("own-reader-list-own-logs", rx, "s3:ListBucket", arch, on, listing(x)),
        allow("own-reader-read-own-log", rx, "s3:GetObject", w.own_log(x), on),
        allow("own-reader-decrypt-own-log", rx, "kms:Decrypt", w.key, w.on_key, via_s3),
        deny("own-reader-read-other-account-log", rx, "s3:GetObject", w.own_log(y), on),
        deny("own-reader-list-other-account-logs", rx, "s3:ListBucket", arch, on, listing(y)),
        deny("own-reader-list-every-account", rx, "s3:ListBucket", arch, on, everyone),
        deny("own-reader-read-management-log", rx, "s3:GetObject", w.own_log(mgmt), on),
        deny("own-reader-read-management-legacy-log", rx, "s3:GetObject", w.mgmt_log_object, on),
        deny(
            "own-reader-decrypt-directly",
            rx,
            "kms:Decrypt",
            w.key,
            w.on_key,
            w.trail_ctx,
            note="only through S3",
        ),
        deny(
            "own-reader-decrypt-other-context",
            rx,
            "kms:Decrypt",
            w.key,
            w.on_key,
            {
                "kms:EncryptionContext:aws:s3:arn": w.own_log(x),
                "kms:ViaService": via_s3["kms:ViaService"],
            },
            note="not a CloudTrail log",
        ),
        deny("own-reader-widened-read-other-account-log", wide_x, "s3:GetObject", w.own_log(y), on),
        deny(
            "own-reader-widened-list-other-account-logs",
            wide_x,
            "s3:ListBucket",
            arch,
            on,
            listing(y),
        ),
        allow("la-own-reader-read-own-log", rla, "s3:GetObject", w.own_log(la), on),
        deny(
            "la-own-reader-widened-read-other-account-log",
            wide_la,
            "s3:GetObject",
            w.own_log(x),
            on,
            note="the bucket's own account: an identity policy alone would do",
        ),
        deny(
            "la-own-reader-widened-list-every-account",
            wide_la,
            "s3:ListBucket",
            arch,
            on,
            everyone,
            note="the bucket's own account: an identity policy alone would do",
        ),
        deny(
            "wl-admin-read-own-log",
            w.wl_admin,
            "s3:GetObject",
            w.own_log(x),
            on,
            note="only the reader role name is granted",
        ),
        deny(
            "outside-own-reader-read-log", outside_reader, "s3:GetObject", w.own_log(w.outside), on
        ),
        allow("mgmt-own-reader-read-own-log", rm, "s3:GetObject", w.own_log(mgmt), on),
        deny("mgmt-own-reader-read-member-log", rm, "s3:GetObject", w.own_log(x), on),
    ]


def tamper_alerts(w: World, skipped: list[str]) -> list[Case]:
    """Only the baseline's forwarders of the organization post to the central bus, and only
    its rule publishes to the alert topic."""
    s, g = w.s, w.g
    if g.tamper_bus is None or g.tamper_topic is None or g.tamper_forwarder is None:
        skipped.append("forwarder-*, alerts-*: baseline.tamper_alerts.enabled is false")
        return []
    org = s.organization
    audit = org.audit_account
    name = naming.tamper_forwarder_role(w.home)
    bus = f"arn:{w.p}:events:{w.home}:{audit}:event-bus/{s.baseline.tamper_alerts.bus_name}"
    default_bus = f"arn:{w.p}:events:{w.home}:{audit}:event-bus/default"
    topic = f"arn:{w.p}:sns:{w.home}:{audit}:{naming.TAMPER_TOPIC}"
    on_bus, on_topic = Target(audit, "tamper_bus"), Target(audit, "tamper_topic")

    def forwarder(account: str) -> Actor:
        identity = (baseline_identity(s, name, g.tamper_forwarder or {}, account),)
        return w.member("tamper-alert forwarder (baseline)", account, name, identity=identity)

    outside = Actor("forwarder name outside the organization", w.role(w.outside, name), _admin())
    events = Actor("EventBridge", "events.amazonaws.com")
    rule = tamper_topic_rule_arn(s)
    other_rule = rule.replace(naming.TAMPER_TOPIC_RULE, "some-other-rule")
    return [
        allow("forwarder-put-events", forwarder(w.workload), "events:PutEvents", bus, on_bus),
        allow("mgmt-forwarder-put-events", forwarder(w.mgmt), "events:PutEvents", bus, on_bus),
        deny(
            "forwarder-put-events-other-bus",
            forwarder(w.workload),
            "events:PutEvents",
            default_bus,
            Target(audit),
        ),
        deny(
            "wl-admin-put-events",
            w.wl_admin,
            "events:PutEvents",
            bus,
            on_bus,
            note="only the forwarder role name may post",
        ),
        deny("outside-put-events", outside, "events:PutEvents", bus, on_bus),
        allow(
            "alerts-rule-publishes", events, "sns:Publish", topic, on_topic, {"aws:SourceArn": rule}
        ),
        deny(
            "alerts-other-rule-publishes",
            events,
            "sns:Publish",
            topic,
            on_topic,
            {"aws:SourceArn": other_rule},
            note="confused deputy: another rule",
        ),
        deny("wl-admin-publish-alert", w.wl_admin, "sns:Publish", topic, on_topic),
    ]


def query_path(w: World, g: Generated, skipped: list[str]) -> list[Case]:
    """A reader role of the audit account, with the generated reader policy attached, runs a
    named query end to end; nobody else starts queries there or reads or decrypts the results.

    With query.attach_reader_policy the reader's identity policy is the reader policy only if
    the generated template attaches it to that role (`Generated.query_reader_roles`): a stack
    that attached it elsewhere, or to no role, fails the allow cases. Without the setting the
    reader is assumed to have it attached by hand."""
    s = w.s
    if not s.query.enabled or g.query_reader is None:
        skipped.append("query-*: query.enabled is false")
        return []
    audit = s.organization.audit_account
    results_arn = f"arn:{w.p}:s3:::{naming.query_results_bucket(s)}"
    results_object = f"{results_arn}/{naming.QUERY_RESULTS_PREFIX}/0a1b2c3d-query.csv"
    on_results = Target(audit, "query_results_bucket")
    via_s3 = {"kms:ViaService": f"s3.{w.home}.amazonaws.com"}
    results_ctx = {**via_s3, "kms:EncryptionContext:aws:s3:arn": results_arn}
    other_ctx = {**via_s3, "kms:EncryptionContext:aws:s3:arn": f"arn:{w.p}:s3:::other-{audit}"}
    audit_admin = w.member("audit-account admin", audit, "AuditAdmin")
    cases = [
        deny(
            "query-audit-admin-decrypt-results",
            audit_admin,
            "kms:Decrypt",
            w.key,
            w.on_key,
            results_ctx,
            note="results are as closely held as the logs",
        ),
        deny("query-outside-read-results", w.outsider, "s3:GetObject", results_object, on_results),
        deny(
            "query-workload-admin-read-results",
            w.wl_admin,
            "s3:GetObject",
            results_object,
            on_results,
        ),
    ]
    others = [a for a in s.key.reader_roles if a not in query_reader_roles(s)]
    if others:
        other = w.member("log reader of another account (settings)", others[0])
        cases.append(
            deny(
                "query-other-account-reader-start-query",
                other,
                "athena:StartQueryExecution",
                workgroup_arn(s),
                Target(audit),
                note="workgroups are per account: assume a reader role of the audit account",
            )
        )
    readers = query_reader_roles(s)
    if not readers:
        skipped.append(
            "query-reader-*: no key.reader_roles in the audit account, so nobody can run the "
            "named queries"
        )
        return cases
    how = (
        "the stack attaches the reader policy"
        if s.query.attach_reader_policy
        else "reader policy attached by hand"
    )
    r = w.member(f"query reader (settings; {how})", readers[0])
    q = {"identity": "query_reader"}
    table = f"arn:{w.p}:glue:{w.home}:{audit}:table/{naming.QUERY_DATABASE}/{naming.QUERY_TABLE}"
    return [
        allow("query-reader-start-query", r, "athena:StartQueryExecution", workgroup_arn(s), **q),
        allow("query-reader-get-table", r, "glue:GetTable", table, **q),
        allow("query-reader-list-logs", r, "s3:ListBucket", w.archive_arn, w.on_archive, **q),
        allow("query-reader-read-log", r, "s3:GetObject", w.log_object, w.on_archive, **q),
        allow(
            "query-reader-decrypt-log",
            r,
            "kms:Decrypt",
            w.key,
            w.on_key,
            {**w.trail_ctx, **via_s3},
            **q,
        ),
        allow("query-reader-write-results", r, "s3:PutObject", results_object, on_results, **q),
        allow("query-reader-read-results", r, "s3:GetObject", results_object, on_results, **q),
        allow(
            "query-reader-encrypt-results",
            r,
            "kms:GenerateDataKey",
            w.key,
            w.on_key,
            results_ctx,
            **q,
        ),
        allow("query-reader-decrypt-results", r, "kms:Decrypt", w.key, w.on_key, results_ctx, **q),
        deny(
            "query-reader-read-outside-organization-prefix",
            r,
            "s3:GetObject",
            w.mgmt_log_object,
            w.on_archive,
            note="the reader policy reads only <key_prefix>/AWSLogs/<org-id>/",
            **q,
        ),
        deny(
            "query-reader-encrypt-other-bucket",
            r,
            "kms:GenerateDataKey",
            w.key,
            w.on_key,
            other_ctx,
            note="only for the results bucket",
            **q,
        ),
        deny(
            "query-reader-encrypt-directly",
            r,
            "kms:GenerateDataKey",
            w.key,
            w.on_key,
            {"kms:EncryptionContext:aws:s3:arn": results_arn},
            note="only through S3",
            **q,
        ),
        deny(
            "query-reader-read-results-plain-http",
            r,
            "s3:GetObject",
            results_object,
            on_results,
            {"aws:SecureTransport": "false"},
            **q,
        ),
        *cases,
    ]


def workgroup_arn(s: Settings) -> str:
    org = s.organization
    return f"arn:{s.partition}:athena:{org.home_region}:{org.audit_account}:workgroup/{s.query.workgroup}"


def build_matrix(s: Settings, g: Generated) -> Matrix:
    w = World(s, g)
    skipped: list[str] = []
    cases = [
        *delivery(w),
        *workload_admin(w, skipped),
        *scp_alone(w, skipped),
        *exempt_role_names(w, skipped),
        *log_archive_admin(w),
        *key_cases(w, skipped),
        *no_lockout(w),
        *exempt_and_management(w, skipped),
        *readers_and_outsiders(w, skipped),
        *own_logs_readers(w, skipped),
        *tamper_alerts(w, skipped),
        *query_path(w, g, skipped),
    ]
    ids = [c.id for c in cases]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"duplicate case ids: {duplicates}")
    return Matrix(cases, skipped)

"""Guardrail SCPs: awacs policy documents that keep member accounts off the log archive.

SCPs are static JSON (CloudFormation does not resolve them), so ARNs carry the settings'
partition literally. Every statement is a Deny scoped to our own resources, and every Deny
exempts Control Tower's `AWSControlTowerExecution`, `stacksets-exec-*` and the settings'
exempt principals (`ArnNotLike aws:PrincipalArn`), so Control Tower and CfCT are never locked
out. SCPs never apply to the management account: the trail and its log group live there, so
their statements bind delegated CloudTrail administrators and any future move, not the
management account itself.

- The trail (`cloudtrail:*` changes) and its CloudWatch Logs group: exact ARNs. A member
  account cannot change an organization trail unless it is CloudTrail's delegated
  administrator; that is the principal this statement binds.
- The archive, access-log and replica buckets and their objects: exact ARNs.
- The log-archive key (and the replica key): a key ID is random, so the ARN is known only up
  to `arn:<p>:kms:<region>:<account>:key/*`; the statement narrows that to keys carrying our
  component tag (`aws:ResourceTag/cfct-build:component`, set by the key templates) and also
  denies tag changes on them, so the scope cannot be removed first. Scoping by alias
  (`kms:ResourceAliases`) was rejected: it fails open once the alias is deleted or pointed
  elsewhere. The aliases have known ARNs and their own statement.
- Leaving the organization (`organizations:LeaveOrganization` has no resource type: `*`).
- The exemptions themselves: they match principals by role name, so an account's admin who
  could create `role/stacksets-exec-x` (or take over the trust policy of an exempt role) would
  escape every guard. Control Tower's mandatory controls protect `*AWSControlTower*` role names;
  one of the two versions of that control in its documentation also covers `stacksets-exec-*`,
  the other does not, and neither covers the settings' exempt principals. So creating,
  re-trusting or widening those roles is denied to everyone but `AWSControlTowerExecution`
  (see `protect_exempt_roles`).

Statements are packed (first-fit decreasing) into as few policies as fit
`render.SCP_MAX_CHARS` measured on the text CfCT sends (`render.cfct_sent_text`); every target
OU gets every policy, within the per-target budget of `settings.guardrails`. Policy names are
numbered: when a settings change needs fewer policies, CfCT leaves the dropped one attached
(it never detaches SCPs), so detach it by hand; `build` lists the removed file.
"""

from __future__ import annotations

from dataclasses import dataclass

from awacs.aws import Action, ArnNotLike, Condition, Deny, PolicyDocument, Statement, StringEquals

from cfct_build import naming, render
from cfct_build.components import key as key_component
from cfct_build.components import replica as replica_component
from cfct_build.config import Settings
from cfct_build.errors import Problem, SettingsError
from cfct_build.manifest import Resource

POLICY_VERSION = "2012-10-17"

TRAIL_ACTIONS = (
    "AddTags",
    "DeleteTrail",
    "PutEventSelectors",
    "PutInsightSelectors",
    "RemoveTags",
    "StopLogging",
    "UpdateTrail",
)
LOG_GROUP_ACTIONS = (
    "AssociateKmsKey",
    "DeleteLogGroup",
    "DeleteLogStream",
    "DeleteRetentionPolicy",
    "DisassociateKmsKey",
    "PutRetentionPolicy",
)
BUCKET_ACTIONS = (
    "DeleteBucket",
    "DeleteBucketPolicy",
    "PutBucketAcl",
    "PutBucketLogging",
    "PutBucketObjectLockConfiguration",
    "PutBucketOwnershipControls",
    "PutBucketPolicy",
    "PutBucketPublicAccessBlock",
    "PutBucketVersioning",
    "PutEncryptionConfiguration",
    "PutLifecycleConfiguration",
    "PutReplicationConfiguration",
)
OBJECT_ACTIONS = (
    "BypassGovernanceRetention",
    "DeleteObject",
    "DeleteObjectVersion",
    "PutObjectLegalHold",
    "PutObjectRetention",
)
KEY_ACTIONS = (
    "DisableKey",
    "DisableKeyRotation",
    "PutKeyPolicy",
    "ScheduleKeyDeletion",
    "TagResource",
    "UntagResource",
)
ALIAS_ACTIONS = ("DeleteAlias", "UpdateAlias")
# What makes a role name act as someone else's: a new role of that name, a new trust policy,
# more permissions or a lifted boundary. Tags are left out: no exemption or grant of this
# package looks at a principal's tags.
EXEMPT_ROLE_ACTIONS = (
    "AttachRolePolicy",
    "CreateRole",
    "DeleteRolePermissionsBoundary",
    "PutRolePermissionsBoundary",
    "PutRolePolicy",
    "UpdateAssumeRolePolicy",
    "UpdateRole",
)

# Statement IDs: stable, alphanumeric (SCP Sids allow nothing else); tests and `prove` use them.
SID_TRAIL = "ProtectOrgTrail"
SID_LOG_GROUP = "ProtectOrgTrailLogGroup"
SID_BUCKETS = "ProtectLogBuckets"
SID_OBJECTS = "ProtectLogObjects"
SID_KEY = "ProtectLogArchiveKey"
SID_ALIAS = "ProtectLogArchiveKeyAlias"
SID_LEAVE_ORG = "DenyLeaveOrganization"
SID_EXEMPT_ROLES = "ProtectExemptRoleNames"


class GuardrailError(SettingsError):
    """The guardrails cannot be generated within the limits the settings declare (exit 2).

    Raised at build time, where the settings file's name and lines are no longer known: each
    problem names the settings key to change.
    """

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__([Problem(file="settings", path=p, message=m) for p, m in problems])


@dataclass(frozen=True)
class Scp:
    name: str  # manifest resource name
    resource_file: str  # policies/<name>.json
    document: PolicyDocument
    text: str  # the file's text (render.policy_json)

    @property
    def sent_chars(self) -> int:
        """Characters Organizations receives (CfCT's transform applied)."""
        return len(render.cfct_sent_text(self.text))

    @property
    def sids(self) -> list[str]:
        return [st.Sid for st in self.document.Statement]


def exempt_principal_patterns(s: Settings) -> list[str]:
    """Principals no guardrail applies to: Control Tower's roles, then the settings' ones."""
    p = s.partition
    return [
        f"arn:{p}:iam::*:role/{naming.CT_EXECUTION_ROLE}",
        f"arn:{p}:iam::*:role/{naming.STACKSETS_EXEC_ROLE_PATTERN}",
        *s.exempt_principals,
    ]


def exempt_role_arns(s: Settings) -> list[str]:
    """The exempt role names an account's admin could otherwise create or take over.

    `stacksets-exec-*` in every account, and the settings' exempt principals outside the
    management account (SCPs never apply there). `AWSControlTowerExecution` is left to Control
    Tower's mandatory control, which denies changes to `*AWSControlTower*` roles.
    """
    mgmt = s.organization.management_account
    return [
        f"arn:{s.partition}:iam::*:role/{naming.STACKSETS_EXEC_ROLE_PATTERN}",
        *(arn for arn in s.exempt_principals if arn.split(":")[4] != mgmt),
    ]


def protect_exempt_roles(s: Settings) -> Statement:
    """Only the pipeline (`AWSControlTowerExecution`) creates or changes an exempt role name.

    Not even `stacksets-exec-*` is exempt here: it is exempt from the SCPs only, while the
    settings' exempt principals are exempt from the bucket policies too, so a service-managed
    StackSet that could re-trust `BreakGlassAdmin` in the log-archive account would reach the
    logs. Service-managed StackSets still get their `stacksets-exec-*` roles: StackSets creates
    them in each target account itself, through its service-linked role
    (AWSServiceRoleForCloudFormationStackSetsOrgMember; AWS CloudFormation User Guide,
    "Activate trusted access with AWS Organizations" and "Configure a custom execution role
    template for StackSets"), and "SCPs do not affect any service-linked role" (AWS
    Organizations User Guide, "Service control policies (SCPs)").
    """
    exemption = ArnNotLike(
        "aws:PrincipalArn", [f"arn:{s.partition}:iam::*:role/{naming.CT_EXECUTION_ROLE}"]
    )
    return Statement(
        Sid=SID_EXEMPT_ROLES,
        Effect=Deny,
        Action=[Action("iam", a) for a in EXEMPT_ROLE_ACTIONS],
        Resource=exempt_role_arns(s),
        Condition=Condition(exemption),
    )


def bucket_arns(s: Settings) -> list[str]:
    return [f"arn:{s.partition}:s3:::{name}" for name in s.bucket_names]


def log_group_arns(s: Settings) -> list[str]:
    org = s.organization
    group = (
        f"arn:{s.partition}:logs:{org.home_region}:{org.management_account}:log-group:"
        f"{naming.cloudwatch_log_group(s)}"
    )
    return [group, f"{group}:*"]


def key_arn_patterns(s: Settings) -> list[str]:
    """The log-archive key's ARN (and the replica key's) up to the random key ID."""
    org = s.organization
    out = [f"arn:{s.partition}:kms:{org.home_region}:{s.key_account_id}:key/*"]
    if s.bucket.replica_region:
        out.append(
            f"arn:{s.partition}:kms:{s.bucket.replica_region}:{org.log_archive_account}:key/*"
        )
    return out


def key_tags(s: Settings) -> list[str]:
    """Values of the component tag that the key templates set on the keys."""
    out = [key_component.COMPONENT]
    if s.bucket.replica_region:
        out.append(replica_component.COMPONENT)
    return out


def alias_arns(s: Settings) -> list[str]:
    org = s.organization
    out = [f"arn:{s.partition}:kms:{org.home_region}:{s.key_account_id}:alias/{s.key.alias}"]
    if s.bucket.replica_region:
        out.append(
            f"arn:{s.partition}:kms:{s.bucket.replica_region}:{org.log_archive_account}:alias/"
            f"{naming.replica_key_alias(s)}"
        )
    return out


def _deny(
    s: Settings,
    sid: str,
    service: str,
    actions: tuple[str, ...],
    resources: list[str],
    scope: StringEquals | None = None,
) -> Statement:
    exemption = ArnNotLike("aws:PrincipalArn", exempt_principal_patterns(s))
    return Statement(
        Sid=sid,
        Effect=Deny,
        Action=[Action(service, a) for a in actions],
        Resource=resources,
        Condition=Condition([scope, exemption] if scope is not None else exemption),
    )


def statements(s: Settings) -> list[Statement]:
    """Every guardrail statement, in packing order."""
    out = [_deny(s, SID_TRAIL, "cloudtrail", TRAIL_ACTIONS, [naming.trail_arn(s)])]
    if s.trail.cloudwatch_logs.enabled:
        out.append(_deny(s, SID_LOG_GROUP, "logs", LOG_GROUP_ACTIONS, log_group_arns(s)))
    buckets = bucket_arns(s)
    out += [
        _deny(s, SID_BUCKETS, "s3", BUCKET_ACTIONS, buckets),
        _deny(s, SID_OBJECTS, "s3", OBJECT_ACTIONS, [f"{b}/*" for b in buckets]),
        _deny(
            s,
            SID_KEY,
            "kms",
            KEY_ACTIONS,
            key_arn_patterns(s),
            StringEquals({f"aws:ResourceTag/{naming.TAG_KEY}": key_tags(s)}),
        ),
        _deny(s, SID_ALIAS, "kms", ALIAS_ACTIONS, alias_arns(s)),
        _deny(s, SID_LEAVE_ORG, "organizations", ("LeaveOrganization",), ["*"]),
        protect_exempt_roles(s),
    ]
    return out


def _sent_chars(statements_: list[Statement]) -> int:
    doc = PolicyDocument(Version=POLICY_VERSION, Statement=statements_)
    return len(render.cfct_sent_text(render.policy_json(doc)))


def pack(statements_: list[Statement], limit: int = render.SCP_MAX_CHARS) -> list[list[Statement]]:
    """First-fit decreasing: the largest statements first, each into the first policy it fits.

    Deterministic (ties keep statement order); each policy lists its statements in statement
    order. Raises GuardrailError if one statement alone exceeds the limit.
    """
    sizes = [_sent_chars([st]) for st in statements_]
    for st, size in zip(statements_, sizes, strict=True):
        if size > limit:
            raise GuardrailError(
                [
                    (
                        "exempt_principals",
                        f"statement {st.Sid} alone is {size} characters once sent by CfCT; an "
                        f"SCP holds at most {limit}: use fewer or wildcard exempt principals",
                    )
                ]
            )
    bins: list[list[int]] = []
    for i in sorted(range(len(statements_)), key=lambda i: (-sizes[i], i)):
        for b in bins:
            if _sent_chars([statements_[j] for j in sorted([*b, i])]) <= limit:
                b.append(i)
                break
        else:
            bins.append([i])
    ordered = sorted(sorted(b) for b in bins)
    return [[statements_[j] for j in b] for b in ordered]


def budgets(s: Settings) -> dict[str, int]:
    """The SCP budget of each target OU."""
    return {
        ou: s.guardrails.scp_budget_by_target.get(ou, s.guardrails.scp_budget)
        for ou in s.organization.organizational_units
    }


def policies(s: Settings) -> list[Scp]:
    """The guardrail SCPs, packed and checked against every target's budget.

    Without target OUs there is nothing to attach them to, and none are generated. (The
    settings already refuse budget overrides for OUs that are not targets.)
    """
    problems: list[tuple[str, str]] = []
    targets = s.organization.organizational_units
    if not targets:
        return []
    packed = pack(statements(s))
    for ou, budget in budgets(s).items():
        if len(packed) > budget:
            path = (
                f"guardrails.scp_budget_by_target.{ou}"
                if ou in s.guardrails.scp_budget_by_target
                else "guardrails.scp_budget"
            )
            problems.append(
                (
                    path,
                    f"the guardrails need {len(packed)} SCPs but target {ou!r} has room for "
                    f"{budget}; free SCP slots on that OU or raise the budget",
                )
            )
    if problems:
        raise GuardrailError(problems)
    out = []
    for n, group in enumerate(packed, start=1):
        doc = PolicyDocument(Version=POLICY_VERSION, Statement=group)
        out.append(
            Scp(
                name=naming.guardrail_scp(n),
                resource_file=naming.guardrail_policy_file(n),
                document=doc,
                text=render.policy_json(doc),
            )
        )
    return out


def resource(s: Settings, scp: Scp) -> Resource:
    return Resource(
        name=scp.name,
        description="cfct-build: guardrails protecting the log-archive trail, buckets and key",
        resource_file=scp.resource_file,
        deploy_method="scp",
        organizational_units=tuple(s.organization.organizational_units),
    )

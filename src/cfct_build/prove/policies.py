"""The generated policies, as deployed: SCP files, and key/bucket policies with intrinsics resolved.

Key IDs are random at deploy time; the proof uses fixed placeholder IDs (the resolver stands in
for `Ref`/`GetAtt` of the key and for the `KeyArn` parameters the bucket stacks receive).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from cfct_build import naming, render, scps
from cfct_build.components import alerts, baseline, bucket, key, query, replica
from cfct_build.config import Settings
from cfct_build.prove.evaluate import IDENTITY, SCP, Policy
from cfct_build.prove.resolve import Environment, resolve

KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab"
REPLICA_KEY_ID = "5678efab-56ef-78ab-90cd-567890abcdef"
BUCKET_POLICY = "bucket policy"
KEY_POLICY = "key policy"
EVENT_BUS_POLICY = "event bus policy"
TOPIC_POLICY = "topic policy"


def key_arn(s: Settings) -> str:
    org = s.organization
    return f"arn:{s.partition}:kms:{org.home_region}:{s.key_account_id}:key/{KEY_ID}"


def replica_key_arn(s: Settings) -> str:
    org = s.organization
    region = s.bucket.replica_region
    return f"arn:{s.partition}:kms:{region}:{org.log_archive_account}:key/{REPLICA_KEY_ID}"


@dataclass(frozen=True, eq=False)
class Generated:
    scps: tuple[Policy, ...]
    archive_bucket: Policy
    access_log_bucket: Policy
    key: Policy
    key_tags: dict[str, str]
    replica_bucket: Policy | None = None
    replica_key: Policy | None = None
    replica_key_tags: dict[str, str] | None = None
    replication_role: Policy | None = None  # identity policy of the S3 replication role
    # Account baseline: identity policies as templates (CloudFormation JSON; each account's
    # stack resolves them for itself, see `baseline_identity`), and the tamper-alert bus and
    # topic policies of the audit account.
    own_logs_reader: dict[str, Any] | None = None
    tamper_forwarder: dict[str, Any] | None = None
    tamper_bus: Policy | None = None
    tamper_topic: Policy | None = None
    # Query path (audit account): the results bucket's policy, and the reader policy
    # (identity; evaluated as the reader roles', and mutated like the rest).
    query_results_bucket: Policy | None = None
    query_reader: Policy | None = None
    # The role names the query stack attaches `query_reader` to (its `Roles`); None when the
    # stack attaches it to no role (query.attach_reader_policy false: users attach it).
    # `prove.evaluate_case` gives a case's actor an identity `X` only if `X_roles` is None or
    # names the actor's role.
    query_reader_roles: tuple[str, ...] | None = None

    def without(self, sids: frozenset[str]) -> Generated:
        """The same policies minus every statement whose Sid is in `sids`."""
        if not sids:
            return self
        return Generated(
            scps=tuple(p.without(sids) for p in self.scps),
            archive_bucket=self.archive_bucket.without(sids),
            access_log_bucket=self.access_log_bucket.without(sids),
            key=self.key.without(sids),
            key_tags=self.key_tags,
            replica_bucket=self.replica_bucket.without(sids) if self.replica_bucket else None,
            replica_key=self.replica_key.without(sids) if self.replica_key else None,
            replica_key_tags=self.replica_key_tags,
            replication_role=self.replication_role,
            own_logs_reader=self.own_logs_reader,
            tamper_forwarder=self.tamper_forwarder,
            tamper_bus=self.tamper_bus.without(sids) if self.tamper_bus else None,
            tamper_topic=self.tamper_topic.without(sids) if self.tamper_topic else None,
            query_results_bucket=(
                self.query_results_bucket.without(sids) if self.query_results_bucket else None
            ),
            query_reader=self.query_reader.without(sids) if self.query_reader else None,
            query_reader_roles=self.query_reader_roles,
        )

    def sids(self) -> set[str]:
        """Every statement ID in every generated resource policy and SCP."""
        policies = [*self.scps, self.archive_bucket, self.access_log_bucket, self.key]
        optional = (self.replica_bucket, self.replica_key, self.tamper_bus, self.tamper_topic)
        policies += [p for p in optional if p is not None]
        policies += [p for p in (self.query_results_bucket, self.query_reader) if p is not None]
        return {str(st["Sid"]) for p in policies for st in p.document["Statement"] if st.get("Sid")}


def _properties(template: dict[str, Any], logical_id: str) -> dict[str, Any]:
    props: dict[str, Any] = template["Resources"][logical_id]["Properties"]
    return props


def _resource_policy(
    kind: str,
    template: dict[str, Any],
    logical_id: str,
    env: Environment,
    prop: str = "PolicyDocument",
) -> Policy:
    """Resource `logical_id`'s policy property, resolved as the stack in `env` deploys it."""
    return Policy(kind, logical_id, resolve(_properties(template, logical_id)[prop], env))


def _tags(props: dict[str, Any]) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in props.get("Tags", [])}


def generated(s: Settings) -> Generated:
    """Every policy the package deploys that `prove` evaluates, resolved for its account."""
    org = s.organization
    p = s.partition
    home = org.home_region
    log_archive = org.log_archive_account

    scp_policies = tuple(Policy(SCP, scp.name, json.loads(scp.text)) for scp in scps.policies(s))

    key_env = Environment(
        p,
        home,
        s.key_account_id,
        refs={key.KEY: KEY_ID},
        attributes={(key.KEY, "Arn"): key_arn(s)},
    )
    key_t = render_dict(key.build(s))
    key_props = _properties(key_t, key.KEY)
    key_policy = Policy(KEY_POLICY, key.KEY, resolve(key_props["KeyPolicy"], key_env))

    refs = {
        bucket.KEY_ARN: key_arn(s),
        bucket.ARCHIVE: naming.archive_bucket(s),
        bucket.ACCESS_LOG: naming.access_log_bucket(s),
    }
    attributes = {
        (bucket.ARCHIVE, "Arn"): f"arn:{p}:s3:::{naming.archive_bucket(s)}",
        (bucket.REPLICATION_ROLE, "Arn"): (
            f"arn:{p}:iam::{log_archive}:role/{naming.replication_role(s)}"
        ),
    }
    if s.bucket.replica_region:
        refs[bucket.REPLICA_KEY_ARN] = replica_key_arn(s)
    bucket_env = Environment(p, home, log_archive, refs=refs, attributes=attributes)
    bucket_t = render_dict(bucket.build(s))
    archive_policy = _resource_policy(BUCKET_POLICY, bucket_t, bucket.ARCHIVE_POLICY, bucket_env)
    access_log_policy = _resource_policy(
        BUCKET_POLICY, bucket_t, bucket.ACCESS_LOG_POLICY, bucket_env
    )

    replica_bucket = replica_key = replication = None
    replica_tags = None
    if s.bucket.replica_region:
        role_policy = _properties(bucket_t, bucket.REPLICATION_ROLE)["Policies"][0]
        replication = Policy(
            IDENTITY,
            role_policy["PolicyName"],
            resolve(role_policy["PolicyDocument"], bucket_env),
        )
        replica_env = Environment(
            p,
            s.bucket.replica_region,
            log_archive,
            refs={replica.KEY: REPLICA_KEY_ID, replica.BUCKET: naming.replica_bucket(s)},
            attributes={
                (replica.KEY, "Arn"): replica_key_arn(s),
                (bucket.REPLICATION_ROLE, "Arn"): attributes[(bucket.REPLICATION_ROLE, "Arn")],
            },
        )
        replica_t = render_dict(replica.build(s))
        replica_key_props = _properties(replica_t, replica.KEY)
        replica_key = Policy(
            KEY_POLICY, replica.KEY, resolve(replica_key_props["KeyPolicy"], replica_env)
        )
        replica_tags = _tags(replica_key_props)
        replica_bucket = _resource_policy(
            BUCKET_POLICY, replica_t, replica.BUCKET_POLICY, replica_env
        )
    reader_doc = forwarder_doc = None
    if baseline.enabled(s):
        baseline_t = render_dict(baseline.build(s))
        if s.baseline.own_logs_reader.enabled:
            reader_doc = _properties(baseline_t, baseline.READER)["Policies"][0]["PolicyDocument"]
        if s.baseline.tamper_alerts.enabled:
            forwarder_doc = _properties(baseline_t, baseline.FORWARDER)["Policies"][0][
                "PolicyDocument"
            ]
    bus_policy = topic_policy = None
    if alerts.enabled(s):
        alerts_t = render_dict(alerts.build(s))
        audit = org.audit_account
        topic_arn = f"arn:{p}:sns:{home}:{audit}:{naming.TAMPER_TOPIC}"
        alerts_env = Environment(
            p,
            home,
            audit,
            refs={alerts.TOPIC: topic_arn, alerts.BUS: s.baseline.tamper_alerts.bus_name},
            attributes={(alerts.RULE, "Arn"): tamper_topic_rule_arn(s)},
        )
        bus_policy = _resource_policy(EVENT_BUS_POLICY, alerts_t, alerts.BUS, alerts_env, "Policy")
        topic_policy = _resource_policy(TOPIC_POLICY, alerts_t, alerts.TOPIC_POLICY, alerts_env)
    query_results_policy, query_reader_policy, query_reader_roles = _query_policies(s)
    return Generated(
        scps=scp_policies,
        archive_bucket=archive_policy,
        access_log_bucket=access_log_policy,
        key=key_policy,
        key_tags=_tags(key_props),
        replica_bucket=replica_bucket,
        replica_key=replica_key,
        replica_key_tags=replica_tags,
        replication_role=replication,
        own_logs_reader=reader_doc,
        tamper_forwarder=forwarder_doc,
        tamper_bus=bus_policy,
        tamper_topic=topic_policy,
        query_results_bucket=query_results_policy,
        query_reader=query_reader_policy,
        query_reader_roles=query_reader_roles,
    )


def tamper_topic_rule_arn(s: Settings) -> str:
    """The audit account's rule that sends the central bus's alerts to the topic."""
    org = s.organization
    bus = s.baseline.tamper_alerts.bus_name
    return (
        f"arn:{s.partition}:events:{org.home_region}:{org.audit_account}:rule/{bus}/"
        f"{naming.TAMPER_TOPIC_RULE}"
    )


def baseline_identity(s: Settings, name: str, document: dict[str, Any], account: str) -> Policy:
    """A baseline role's identity policy as the stack in `account` (home Region) deploys it."""
    env = Environment(
        s.partition, s.organization.home_region, account, refs={baseline.KEY_ARN: key_arn(s)}
    )
    return Policy(IDENTITY, name, resolve(document, env))


def _query_policies(
    s: Settings,
) -> tuple[Policy | None, Policy | None, tuple[str, ...] | None]:
    """The query path's results bucket policy and reader policy, resolved for the audit account,
    and the role names the template attaches the reader policy to (None: attached by users)."""
    if not query.enabled(s):
        return None, None, None
    env = Environment(
        s.partition,
        s.organization.home_region,
        s.organization.audit_account,
        refs={query.KEY_ARN: key_arn(s), query.RESULTS: naming.query_results_bucket(s)},
    )
    t = render_dict(query.build(s))
    results = _resource_policy(BUCKET_POLICY, t, query.RESULTS_POLICY, env)
    reader_props = _properties(t, query.READER_POLICY)
    reader = Policy(
        IDENTITY, naming.QUERY_READER_POLICY, resolve(reader_props["PolicyDocument"], env)
    )
    roles = None if not s.query.attach_reader_policy else tuple(reader_props.get("Roles", ()))
    return results, reader, roles


def render_dict(template: Any) -> dict[str, Any]:
    """A troposphere template as the plain JSON data the package ships."""
    data: dict[str, Any] = json.loads(render.template_json(template))
    return data

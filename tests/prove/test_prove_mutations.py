"""Mutation checks: removing a guard statement flips the cases it decides (the proof can fail)."""

from __future__ import annotations

import pytest

from cfct_build.config import Settings
from cfct_build.prove import Proof, prove
from cfct_build.prove.policies import generated

# Statement ID -> the cases whose verdict flips when that statement is removed from every
# generated policy (SCPs, bucket policies, key policies) on the example settings.
FLIPS = {
    "CloudFormationExecutionRoleAdministersKey": [
        "cfn-key-put-key-policy",
        "cfn-key-enable-rotation",
        "cfn-key-tag",
        "cfn-replica-key-put-key-policy",
    ],
    "CloudTrailAclCheck": ["ct-acl-check"],
    "CloudTrailDescribeKeyAndUseBucketKey": ["ct-kms-describe-key"],
    "CloudTrailEncryptLogs": ["ct-kms-generate-data-key"],
    "CloudTrailWriteOrganizationLogs": ["ct-write-member-log", "ct-write-management-log"],
    "DenyDeletionAndConfigChangesExceptExemptPrincipals": [
        "bp-delete-log",
        "bp-delete-log-version",
        "bp-bypass-governance",
        "bp-put-retention",
        "bp-put-legal-hold",
        "bp-put-bucket-policy",
        "bp-delete-bucket-policy",
        "bp-put-lifecycle",
        "bp-put-versioning",
        "bp-put-object-lock",
        "bp-put-replication",
        "bp-put-encryption",
        "bp-put-logging",
        "bp-delete-bucket",
        "bp-delete-access-log",
        "bp-delete-replica-log",
        "sse-archive-put-bucket-policy",
        "sse-archive-put-lifecycle",
    ],
    "DenyInsecureTransport": [
        "ct-write-plain-http",
        "bp-plain-http",
        "query-reader-read-results-plain-http",
    ],
    # With the key policy widened (account root kms:*), only this Deny holds.
    "DenyKeyDestructionExceptAdministrators": [
        "kp-widened-schedule-key-deletion",
        "kp-widened-disable-key",
        "kp-widened-disable-rotation",
        "kp-widened-put-key-policy",
        "kp-widened-replica-schedule-key-deletion",
    ],
    "DenyLeaveOrganization": ["wl-leave-organization", "scp-leave-organization"],
    # Outside the log-archive account the Allow statements already hold each reader to its own
    # prefix; these Denies are what holds a widened reader inside the bucket's own account.
    "DenyOwnLogsReadersListingOtherPrefixes": ["la-own-reader-widened-list-every-account"],
    "DenyOwnLogsReadersReadingOtherPrefixes": ["la-own-reader-widened-read-other-account-log"],
    "DenyObjectWritesExceptAwsServices": ["la-forge-log", "bp-forge-log"],
    # With a bucket policy widened (an outside account may read), only this Deny holds.
    "DenyPrincipalsOutsideOrganization": [
        "bp-widened-outside-read-log",
        "bp-widened-outside-read-access-log",
    ],
    "KeyAdministrators": ["key-admin-enable-rotation"],
    "OnlyTheTamperAlertRulePublishes": ["alerts-rule-publishes"],
    "OrganizationForwardersPutEvents": ["forwarder-put-events", "mgmt-forwarder-put-events"],
    "OwnLogsReadersDecryptThroughS3": ["own-reader-decrypt-own-log"],
    "OwnLogsReadersListOwnPrefix": ["own-reader-list-own-logs"],
    "OwnLogsReadersReadOwnPrefix": ["own-reader-read-own-log", "mgmt-own-reader-read-own-log"],
    "ProtectLogArchiveKey": [
        "scp-key-deletion",
        "scp-key-untag",
        "scp-replica-key-deletion",
        "key-admin-schedule-deletion",
        "key-admin-disable-key",
        "key-admin-put-key-policy",
    ],
    "ProtectExemptRoleNames": [
        "la-create-stacksets-exec-role",
        "la-retrust-stacksets-exec-role",
        "la-widen-stacksets-exec-role",
        "wl-create-stacksets-exec-role",
        "admin-retrust-exempt-role",
        "sse-retrust-exempt-role",
    ],
    "ProtectLogArchiveKeyAlias": ["scp-delete-alias", "key-admin-delete-alias"],
    "ProtectLogBuckets": ["scp-archive-bucket", "scp-access-log-bucket", "scp-replica-bucket"],
    "ProtectLogObjects": ["scp-delete-log", "scp-delete-access-log"],
    "ProtectOrgTrail": [
        "wl-stop-trail",
        "wl-delete-trail",
        "wl-update-trail",
        "wl-change-selectors",
        "scp-trail",
    ],
    "ProtectOrgTrailLogGroup": ["scp-log-group"],
    "ReadersDecryptCloudTrailLogs": [
        "reader-1-decrypt",
        "reader-2-decrypt",
        "query-reader-decrypt-log",
    ],
    # reader-2 is in the log-archive account: its own identity policy suffices there.
    "ReadersReadLogs": ["reader-1-read-log", "query-reader-list-logs", "query-reader-read-log"],
    "ReadersDecryptReplicasThroughS3": ["reader-1-decrypt-replica", "reader-2-decrypt-replica"],
    "ReplicationRoleDecryptsForS3Replication": ["replication-decrypt-source"],
    "ReplicationRoleEncryptsReplicas": ["replication-encrypt-replica"],
    "S3ServerAccessLogsDelivery": ["s3-access-log-delivery"],
    # Query path: the reader policy (identity, attached by users to their audit-account readers)
    # and the key's grant for encrypting and reading results.
    "QueryRunInWorkgroup": ["query-reader-start-query"],
    "QueryReadTableDefinition": ["query-reader-get-table"],
    "QueryReadArchivedLogs": ["query-reader-list-logs", "query-reader-read-log"],
    "QueryWriteAndReadResults": ["query-reader-write-results", "query-reader-read-results"],
    "QueryUseLogKeyThroughS3": [
        "query-reader-decrypt-log",
        "query-reader-encrypt-results",
        "query-reader-decrypt-results",
    ],
    "ReadersEncryptQueryResults": ["query-reader-encrypt-results", "query-reader-decrypt-results"],
}
# Every statement decides at least one case: the two Denies that nothing else in the generated
# policies needs (the key policy grants nothing to non-administrators, no bucket policy grants
# anything outside the organization) decide the "widened" cases, which add an over-broad grant
# to the resource policy, as an administrator might later.


@pytest.fixture(scope="module")
def baseline(settings: Settings) -> Proof:
    return prove(settings)


def test_every_statement_of_every_generated_policy_is_covered(settings: Settings) -> None:
    assert sorted(generated(settings).sids()) == sorted(FLIPS)


@pytest.mark.parametrize("sid", sorted(FLIPS))
def test_removing_a_statement_flips_exactly_its_cases(
    sid: str, settings: Settings, baseline: Proof
) -> None:
    before = {r.case.id: r.decision.allowed for r in baseline.rows}
    mutated = prove(settings, without=frozenset({sid}))
    assert mutated.removed == frozenset({sid})
    flipped = [r.case.id for r in mutated.rows if r.decision.allowed != before[r.case.id]]
    assert flipped == FLIPS[sid]
    # A flipped case is a failed case: the proof reports the missing guard.
    assert {r.case.id for r in mutated.failed} - {r.case.id for r in baseline.failed} == set(
        flipped
    )


def test_every_statement_decides_a_case() -> None:
    assert [sid for sid, flips in FLIPS.items() if not flips] == []

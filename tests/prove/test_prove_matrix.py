"""The proof on the example settings: every case, its verdict and the statements that decided it.

The expectations live in `cfct_build.prove.cases` (intent); this file pins what the evaluator
concludes and why, so a change to any generated policy shows up here as an exact diff.
"""

from __future__ import annotations

import pytest

from cfct_build.config import Settings
from cfct_build.prove import Proof, prove

EXAMPLE = [
    ("ct-acl-check", "allow", ["bucket policy:CloudTrailAclCheck"]),
    ("ct-write-member-log", "allow", ["bucket policy:CloudTrailWriteOrganizationLogs"]),
    ("ct-write-management-log", "allow", ["bucket policy:CloudTrailWriteOrganizationLogs"]),
    (
        "ct-write-foreign-trail",
        "deny",
        ["implicit: no bucket policy statement allows cloudtrail.amazonaws.com"],
    ),
    ("ct-write-plain-http", "deny", ["bucket policy:DenyInsecureTransport"]),
    (
        "ct-write-outside-prefix",
        "deny",
        ["implicit: no bucket policy statement allows cloudtrail.amazonaws.com"],
    ),
    ("ct-kms-generate-data-key", "allow", ["key policy:CloudTrailEncryptLogs"]),
    (
        "ct-kms-other-context",
        "deny",
        ["implicit: no key policy statement allows cloudtrail.amazonaws.com"],
    ),
    (
        "ct-kms-foreign-trail",
        "deny",
        ["implicit: no key policy statement allows cloudtrail.amazonaws.com"],
    ),
    ("ct-kms-describe-key", "allow", ["key policy:CloudTrailDescribeKeyAndUseBucketKey"]),
    ("s3-access-log-delivery", "allow", ["bucket policy:S3ServerAccessLogsDelivery"]),
    ("wl-stop-trail", "deny", ["SCP:ProtectOrgTrail"]),
    ("wl-delete-trail", "deny", ["SCP:ProtectOrgTrail"]),
    ("wl-update-trail", "deny", ["SCP:ProtectOrgTrail"]),
    ("wl-change-selectors", "deny", ["SCP:ProtectOrgTrail"]),
    ("wl-leave-organization", "deny", ["SCP:DenyLeaveOrganization"]),
    (
        "wl-delete-log",
        "deny",
        [
            "SCP:ProtectLogObjects",
            "bucket policy:DenyDeletionAndConfigChangesExceptExemptPrincipals",
        ],
    ),
    (
        "wl-delete-log-version",
        "deny",
        [
            "SCP:ProtectLogObjects",
            "bucket policy:DenyDeletionAndConfigChangesExceptExemptPrincipals",
        ],
    ),
    (
        "wl-bypass-governance",
        "deny",
        [
            "SCP:ProtectLogObjects",
            "bucket policy:DenyDeletionAndConfigChangesExceptExemptPrincipals",
        ],
    ),
    (
        "wl-put-bucket-policy",
        "deny",
        [
            "SCP:ProtectLogBuckets",
            "bucket policy:DenyDeletionAndConfigChangesExceptExemptPrincipals",
        ],
    ),
    (
        "wl-put-lifecycle",
        "deny",
        [
            "SCP:ProtectLogBuckets",
            "bucket policy:DenyDeletionAndConfigChangesExceptExemptPrincipals",
        ],
    ),
    (
        "wl-schedule-key-deletion",
        "deny",
        ["SCP:ProtectLogArchiveKey", "key policy:DenyKeyDestructionExceptAdministrators"],
    ),
    (
        "wl-disable-key",
        "deny",
        ["SCP:ProtectLogArchiveKey", "key policy:DenyKeyDestructionExceptAdministrators"],
    ),
    ("wl-delete-log-group", "deny", ["SCP:ProtectOrgTrailLogGroup"]),
    ("scp-trail", "deny", ["SCP:ProtectOrgTrail"]),
    ("scp-archive-bucket", "deny", ["SCP:ProtectLogBuckets"]),
    ("scp-access-log-bucket", "deny", ["SCP:ProtectLogBuckets"]),
    ("scp-delete-log", "deny", ["SCP:ProtectLogObjects"]),
    ("scp-delete-access-log", "deny", ["SCP:ProtectLogObjects"]),
    ("scp-key-deletion", "deny", ["SCP:ProtectLogArchiveKey"]),
    ("scp-key-untag", "deny", ["SCP:ProtectLogArchiveKey"]),
    ("scp-delete-alias", "deny", ["SCP:ProtectLogArchiveKeyAlias"]),
    ("scp-leave-organization", "deny", ["SCP:DenyLeaveOrganization"]),
    ("scp-other-key", "allow", ["identity policy:AdministratorAccess"]),
    ("scp-other-bucket", "allow", ["identity policy:AdministratorAccess"]),
    ("scp-control-tower-bucket", "allow", ["identity policy:AdministratorAccess"]),
    ("scp-log-group", "deny", ["SCP:ProtectOrgTrailLogGroup"]),
    ("scp-replica-bucket", "deny", ["SCP:ProtectLogBuckets"]),
    ("scp-replica-key-deletion", "deny", ["SCP:ProtectLogArchiveKey"]),
    ("sse-scp-trail", "allow", ["identity policy:AdministratorAccess"]),
    ("sse-scp-bucket", "allow", ["identity policy:AdministratorAccess"]),
    ("sse-scp-object", "allow", ["identity policy:AdministratorAccess"]),
    ("sse-scp-key", "allow", ["identity policy:AdministratorAccess"]),
    ("sse-scp-alias", "allow", ["identity policy:AdministratorAccess"]),
    ("sse-scp-leave-organization", "allow", ["identity policy:AdministratorAccess"]),
    ("la-create-stacksets-exec-role", "deny", ["SCP:ProtectExemptRoleNames"]),
    ("la-retrust-stacksets-exec-role", "deny", ["SCP:ProtectExemptRoleNames"]),
    ("la-widen-stacksets-exec-role", "deny", ["SCP:ProtectExemptRoleNames"]),
    ("wl-create-stacksets-exec-role", "deny", ["SCP:ProtectExemptRoleNames"]),
    ("cfn-create-stacksets-exec-role", "allow", ["identity policy:AdministratorAccess"]),
    ("cfn-retrust-stacksets-exec-role", "allow", ["identity policy:AdministratorAccess"]),
    ("scp-other-role", "allow", ["identity policy:AdministratorAccess"]),
    ("admin-retrust-exempt-role", "deny", ["SCP:ProtectExemptRoleNames"]),
    ("sse-retrust-exempt-role", "deny", ["SCP:ProtectExemptRoleNames"]),
    ("cfn-retrust-exempt-role", "allow", ["identity policy:AdministratorAccess"]),
    (
        "la-delete-log",
        "deny",
        [
            "SCP:ProtectLogObjects",
            "bucket policy:DenyDeletionAndConfigChangesExceptExemptPrincipals",
        ],
    ),
    (
        "la-delete-log-version",
        "deny",
        [
            "SCP:ProtectLogObjects",
            "bucket policy:DenyDeletionAndConfigChangesExceptExemptPrincipals",
        ],
    ),
    (
        "la-put-bucket-policy",
        "deny",
        [
            "SCP:ProtectLogBuckets",
            "bucket policy:DenyDeletionAndConfigChangesExceptExemptPrincipals",
        ],
    ),
    ("la-forge-log", "deny", ["bucket policy:DenyObjectWritesExceptAwsServices"]),
    (
        "la-decrypt-not-reader",
        "deny",
        ["implicit: cross-account, and the key policy grants nothing"],
    ),
    ("bp-delete-log", "deny", ["bucket policy:DenyDeletionAndConfigChangesExceptExemptPrincipals"]),
    (
        "bp-delete-log-version",
        "deny",
        ["bucket policy:DenyDeletionAndConfigChangesExceptExemptPrincipals"],
    ),
    (
        "bp-bypass-governance",
        "deny",
        ["bucket policy:DenyDeletionAndConfigChangesExceptExemptPrincipals"],
    ),
    (
        "bp-put-retention",
        "deny",
        ["bucket policy:DenyDeletionAndConfigChangesExceptExemptPrincipals"],
    ),
    (
        "bp-put-legal-hold",
        "deny",
        ["bucket policy:DenyDeletionAndConfigChangesExceptExemptPrincipals"],
    ),
    ("bp-forge-log", "deny", ["bucket policy:DenyObjectWritesExceptAwsServices"]),
    (
        "bp-put-bucket-policy",
        "deny",
        ["bucket policy:DenyDeletionAndConfigChangesExceptExemptPrincipals"],
    ),
    (
        "bp-delete-bucket-policy",
        "deny",
        ["bucket policy:DenyDeletionAndConfigChangesExceptExemptPrincipals"],
    ),
    (
        "bp-put-lifecycle",
        "deny",
        ["bucket policy:DenyDeletionAndConfigChangesExceptExemptPrincipals"],
    ),
    (
        "bp-put-versioning",
        "deny",
        ["bucket policy:DenyDeletionAndConfigChangesExceptExemptPrincipals"],
    ),
    (
        "bp-put-object-lock",
        "deny",
        ["bucket policy:DenyDeletionAndConfigChangesExceptExemptPrincipals"],
    ),
    (
        "bp-put-replication",
        "deny",
        ["bucket policy:DenyDeletionAndConfigChangesExceptExemptPrincipals"],
    ),
    (
        "bp-put-encryption",
        "deny",
        ["bucket policy:DenyDeletionAndConfigChangesExceptExemptPrincipals"],
    ),
    (
        "bp-put-logging",
        "deny",
        ["bucket policy:DenyDeletionAndConfigChangesExceptExemptPrincipals"],
    ),
    (
        "bp-delete-bucket",
        "deny",
        ["bucket policy:DenyDeletionAndConfigChangesExceptExemptPrincipals"],
    ),
    (
        "bp-delete-access-log",
        "deny",
        ["bucket policy:DenyDeletionAndConfigChangesExceptExemptPrincipals"],
    ),
    ("bp-plain-http", "deny", ["bucket policy:DenyInsecureTransport"]),
    (
        "bp-delete-replica-log",
        "deny",
        ["bucket policy:DenyDeletionAndConfigChangesExceptExemptPrincipals"],
    ),
    (
        "ka-schedule-key-deletion",
        "deny",
        ["SCP:ProtectLogArchiveKey", "key policy:DenyKeyDestructionExceptAdministrators"],
    ),
    ("kp-schedule-key-deletion", "deny", ["key policy:DenyKeyDestructionExceptAdministrators"]),
    ("kp-put-key-policy", "deny", ["key policy:DenyKeyDestructionExceptAdministrators"]),
    (
        "kp-widened-schedule-key-deletion",
        "deny",
        ["key policy:DenyKeyDestructionExceptAdministrators"],
    ),
    ("kp-widened-disable-key", "deny", ["key policy:DenyKeyDestructionExceptAdministrators"]),
    ("kp-widened-disable-rotation", "deny", ["key policy:DenyKeyDestructionExceptAdministrators"]),
    ("kp-widened-put-key-policy", "deny", ["key policy:DenyKeyDestructionExceptAdministrators"]),
    (
        "kp-widened-replica-schedule-key-deletion",
        "deny",
        ["key policy:DenyKeyDestructionExceptAdministrators"],
    ),
    ("key-admin-schedule-deletion", "deny", ["SCP:ProtectLogArchiveKey"]),
    ("key-admin-disable-key", "deny", ["SCP:ProtectLogArchiveKey"]),
    ("key-admin-put-key-policy", "deny", ["SCP:ProtectLogArchiveKey"]),
    ("key-admin-delete-alias", "deny", ["SCP:ProtectLogArchiveKeyAlias"]),
    (
        "key-admin-enable-rotation",
        "allow",
        ["key policy:KeyAdministrators", "identity policy:AdministratorAccess"],
    ),
    ("cfn-archive-CreateBucket", "allow", ["identity policy:AdministratorAccess"]),
    ("cfn-archive-PutBucketPolicy", "allow", ["identity policy:AdministratorAccess"]),
    ("cfn-archive-DeleteBucketPolicy", "allow", ["identity policy:AdministratorAccess"]),
    (
        "cfn-archive-PutBucketObjectLockConfiguration",
        "allow",
        ["identity policy:AdministratorAccess"],
    ),
    ("cfn-archive-PutBucketVersioning", "allow", ["identity policy:AdministratorAccess"]),
    ("cfn-archive-PutEncryptionConfiguration", "allow", ["identity policy:AdministratorAccess"]),
    ("cfn-archive-PutLifecycleConfiguration", "allow", ["identity policy:AdministratorAccess"]),
    ("cfn-archive-PutBucketLogging", "allow", ["identity policy:AdministratorAccess"]),
    ("cfn-archive-PutBucketPublicAccessBlock", "allow", ["identity policy:AdministratorAccess"]),
    ("cfn-archive-PutBucketOwnershipControls", "allow", ["identity policy:AdministratorAccess"]),
    ("cfn-archive-PutBucketTagging", "allow", ["identity policy:AdministratorAccess"]),
    ("cfn-archive-PutReplicationConfiguration", "allow", ["identity policy:AdministratorAccess"]),
    ("cfn-access-log-PutBucketPolicy", "allow", ["identity policy:AdministratorAccess"]),
    ("cfn-access-log-PutLifecycleConfiguration", "allow", ["identity policy:AdministratorAccess"]),
    (
        "cfn-key-put-key-policy",
        "allow",
        [
            "key policy:CloudFormationExecutionRoleAdministersKey",
            "identity policy:AdministratorAccess",
        ],
    ),
    (
        "cfn-key-enable-rotation",
        "allow",
        [
            "key policy:CloudFormationExecutionRoleAdministersKey",
            "identity policy:AdministratorAccess",
        ],
    ),
    (
        "cfn-key-tag",
        "allow",
        [
            "key policy:CloudFormationExecutionRoleAdministersKey",
            "identity policy:AdministratorAccess",
        ],
    ),
    ("cfn-key-update-alias", "allow", ["identity policy:AdministratorAccess"]),
    ("cfn-trail-update", "allow", ["identity policy:AdministratorAccess"]),
    ("cfn-trail-selectors", "allow", ["identity policy:AdministratorAccess"]),
    (
        "sse-archive-put-bucket-policy",
        "deny",
        ["bucket policy:DenyDeletionAndConfigChangesExceptExemptPrincipals"],
    ),
    (
        "sse-archive-put-lifecycle",
        "deny",
        ["bucket policy:DenyDeletionAndConfigChangesExceptExemptPrincipals"],
    ),
    (
        "cfn-replica-key-put-key-policy",
        "allow",
        [
            "key policy:CloudFormationExecutionRoleAdministersKey",
            "identity policy:AdministratorAccess",
        ],
    ),
    ("exempt-delete-log-version", "allow", ["identity policy:AdministratorAccess"]),
    ("mgmt-stop-trail", "allow", ["identity policy:AdministratorAccess"]),
    (
        "mgmt-delete-log",
        "deny",
        ["bucket policy:DenyDeletionAndConfigChangesExceptExemptPrincipals"],
    ),
    ("mgmt-schedule-key-deletion", "deny", ["key policy:DenyKeyDestructionExceptAdministrators"]),
    (
        "reader-1-decrypt",
        "allow",
        ["key policy:ReadersDecryptCloudTrailLogs", "identity policy:DecryptLogs"],
    ),
    ("reader-1-read-log", "allow", ["bucket policy:ReadersReadLogs", "identity policy:ReadLogs"]),
    (
        "reader-2-decrypt",
        "allow",
        ["key policy:ReadersDecryptCloudTrailLogs", "identity policy:DecryptLogs"],
    ),
    ("reader-2-read-log", "allow", ["bucket policy:ReadersReadLogs", "identity policy:ReadLogs"]),
    (
        "reader-decrypt-other-context",
        "deny",
        ["implicit: the key policy grants nothing to this principal"],
    ),
    ("outside-read-log", "deny", ["bucket policy:DenyPrincipalsOutsideOrganization"]),
    ("outside-decrypt", "deny", ["implicit: cross-account, and the key policy grants nothing"]),
    (
        "outside-write-log",
        "deny",
        [
            "bucket policy:DenyPrincipalsOutsideOrganization",
            "bucket policy:DenyObjectWritesExceptAwsServices",
        ],
    ),
    ("bp-widened-outside-read-log", "deny", ["bucket policy:DenyPrincipalsOutsideOrganization"]),
    (
        "bp-widened-outside-read-access-log",
        "deny",
        ["bucket policy:DenyPrincipalsOutsideOrganization"],
    ),
    ("replication-read-source", "allow", ["identity policy:ReadObjectVersionsForReplication"]),
    (
        "replication-decrypt-source",
        "allow",
        [
            "key policy:ReplicationRoleDecryptsForS3Replication",
            "identity policy:DecryptSourceObjects",
        ],
    ),
    ("replication-write-replica", "allow", ["identity policy:WriteReplicas"]),
    (
        "replication-encrypt-replica",
        "allow",
        ["key policy:ReplicationRoleEncryptsReplicas", "identity policy:EncryptReplicas"],
    ),
    (
        "replication-decrypt-directly",
        "deny",
        ["implicit: cross-account, and the key policy grants nothing"],
    ),
    (
        "reader-1-decrypt-replica",
        "allow",
        ["key policy:ReadersDecryptReplicasThroughS3", "identity policy:DecryptLogs"],
    ),
    (
        "reader-2-decrypt-replica",
        "allow",
        ["key policy:ReadersDecryptReplicasThroughS3", "identity policy:DecryptLogs"],
    ),
    (
        "own-reader-list-own-logs",
        "allow",
        ["bucket policy:OwnLogsReadersListOwnPrefix", "identity policy:ListOwnLogs"],
    ),
    (
        "own-reader-read-own-log",
        "allow",
        ["bucket policy:OwnLogsReadersReadOwnPrefix", "identity policy:ReadOwnLogs"],
    ),
    (
        "own-reader-decrypt-own-log",
        "allow",
        ["key policy:OwnLogsReadersDecryptThroughS3", "identity policy:DecryptOwnLogsThroughS3"],
    ),
    (
        "own-reader-read-other-account-log",
        "deny",
        ["bucket policy:DenyOwnLogsReadersReadingOtherPrefixes"],
    ),
    (
        "own-reader-list-other-account-logs",
        "deny",
        ["bucket policy:DenyOwnLogsReadersListingOtherPrefixes"],
    ),
    (
        "own-reader-list-every-account",
        "deny",
        ["bucket policy:DenyOwnLogsReadersListingOtherPrefixes"],
    ),
    (
        "own-reader-read-management-log",
        "deny",
        ["bucket policy:DenyOwnLogsReadersReadingOtherPrefixes"],
    ),
    (
        "own-reader-read-management-legacy-log",
        "deny",
        ["bucket policy:DenyOwnLogsReadersReadingOtherPrefixes"],
    ),
    (
        "own-reader-decrypt-directly",
        "deny",
        ["implicit: cross-account, and the key policy grants nothing"],
    ),
    (
        "own-reader-decrypt-other-context",
        "deny",
        ["implicit: cross-account, and the key policy grants nothing"],
    ),
    (
        "own-reader-widened-read-other-account-log",
        "deny",
        ["bucket policy:DenyOwnLogsReadersReadingOtherPrefixes"],
    ),
    (
        "own-reader-widened-list-other-account-logs",
        "deny",
        ["bucket policy:DenyOwnLogsReadersListingOtherPrefixes"],
    ),
    (
        "la-own-reader-read-own-log",
        "allow",
        ["bucket policy:OwnLogsReadersReadOwnPrefix", "identity policy:ReadOwnLogs"],
    ),
    (
        "la-own-reader-widened-read-other-account-log",
        "deny",
        ["bucket policy:DenyOwnLogsReadersReadingOtherPrefixes"],
    ),
    (
        "la-own-reader-widened-list-every-account",
        "deny",
        ["bucket policy:DenyOwnLogsReadersListingOtherPrefixes"],
    ),
    (
        "wl-admin-read-own-log",
        "deny",
        ["implicit: cross-account, and the bucket policy grants nothing"],
    ),
    ("outside-own-reader-read-log", "deny", ["bucket policy:DenyPrincipalsOutsideOrganization"]),
    (
        "mgmt-own-reader-read-own-log",
        "allow",
        ["bucket policy:OwnLogsReadersReadOwnPrefix", "identity policy:ReadOwnLogs"],
    ),
    (
        "mgmt-own-reader-read-member-log",
        "deny",
        ["bucket policy:DenyOwnLogsReadersReadingOtherPrefixes"],
    ),
    (
        "forwarder-put-events",
        "allow",
        [
            "event bus policy:OrganizationForwardersPutEvents",
            "identity policy:PutEventsOnCentralBusOnly",
        ],
    ),
    (
        "mgmt-forwarder-put-events",
        "allow",
        [
            "event bus policy:OrganizationForwardersPutEvents",
            "identity policy:PutEventsOnCentralBusOnly",
        ],
    ),
    (
        "forwarder-put-events-other-bus",
        "deny",
        ["implicit: cross-account, and the resource has no policy"],
    ),
    (
        "wl-admin-put-events",
        "deny",
        ["implicit: cross-account, and the event bus policy grants nothing"],
    ),
    (
        "outside-put-events",
        "deny",
        ["implicit: cross-account, and the event bus policy grants nothing"],
    ),
    ("alerts-rule-publishes", "allow", ["topic policy:OnlyTheTamperAlertRulePublishes"]),
    (
        "alerts-other-rule-publishes",
        "deny",
        ["implicit: no topic policy statement allows events.amazonaws.com"],
    ),
    (
        "wl-admin-publish-alert",
        "deny",
        ["implicit: cross-account, and the topic policy grants nothing"],
    ),
    # Query path (audit account): a reader with the generated reader policy runs a query.
    ("query-reader-start-query", "allow", ["identity policy:QueryRunInWorkgroup"]),
    ("query-reader-get-table", "allow", ["identity policy:QueryReadTableDefinition"]),
    (
        "query-reader-list-logs",
        "allow",
        ["bucket policy:ReadersReadLogs", "identity policy:QueryReadArchivedLogs"],
    ),
    (
        "query-reader-read-log",
        "allow",
        ["bucket policy:ReadersReadLogs", "identity policy:QueryReadArchivedLogs"],
    ),
    (
        "query-reader-decrypt-log",
        "allow",
        ["key policy:ReadersDecryptCloudTrailLogs", "identity policy:QueryUseLogKeyThroughS3"],
    ),
    ("query-reader-write-results", "allow", ["identity policy:QueryWriteAndReadResults"]),
    ("query-reader-read-results", "allow", ["identity policy:QueryWriteAndReadResults"]),
    (
        "query-reader-encrypt-results",
        "allow",
        ["key policy:ReadersEncryptQueryResults", "identity policy:QueryUseLogKeyThroughS3"],
    ),
    (
        "query-reader-decrypt-results",
        "allow",
        ["key policy:ReadersEncryptQueryResults", "identity policy:QueryUseLogKeyThroughS3"],
    ),
    (
        "query-reader-read-outside-organization-prefix",
        "deny",
        ["implicit: no identity policy allows it"],
    ),
    (
        "query-reader-encrypt-other-bucket",
        "deny",
        ["implicit: the key policy grants nothing to this principal"],
    ),
    (
        "query-reader-encrypt-directly",
        "deny",
        ["implicit: the key policy grants nothing to this principal"],
    ),
    ("query-reader-read-results-plain-http", "deny", ["bucket policy:DenyInsecureTransport"]),
    (
        "query-audit-admin-decrypt-results",
        "deny",
        ["implicit: the key policy grants nothing to this principal"],
    ),
    ("query-outside-read-results", "deny", ["bucket policy:DenyPrincipalsOutsideOrganization"]),
    (
        "query-workload-admin-read-results",
        "deny",
        ["implicit: cross-account, and the bucket policy grants nothing"],
    ),
    (
        "query-other-account-reader-start-query",
        "deny",
        ["implicit: cross-account, and the resource has no policy"],
    ),
]


@pytest.fixture(scope="module")
def proof(settings: Settings) -> Proof:
    return prove(settings)


def test_example_matrix_is_exactly_this(proof: Proof) -> None:
    got = [
        (r.case.id, "allow" if r.decision.allowed else "deny", list(r.decision.decided_by))
        for r in proof.rows
    ]
    assert got == EXAMPLE


def test_every_case_meets_its_expectation(proof: Proof) -> None:
    assert [r.case.id for r in proof.failed] == []
    assert proof.skipped == []
    assert proof.ok


def test_issue_cases_are_all_present(proof: Proof) -> None:
    """The cases the issue lists by name, and their expected verdicts."""
    expected = {r.case.id: r.case.expected for r in proof.rows}
    assert {
        k: expected[k]
        for k in (
            "ct-write-member-log",
            "ct-write-foreign-trail",
            "ct-write-plain-http",
            "ct-kms-generate-data-key",
            "ct-kms-other-context",
            "wl-stop-trail",
            "wl-delete-trail",
            "wl-update-trail",
            "wl-delete-log",
            "wl-delete-log-version",
            "wl-bypass-governance",
            "wl-put-bucket-policy",
            "wl-put-lifecycle",
            "wl-schedule-key-deletion",
            "wl-disable-key",
            "wl-leave-organization",
            "la-delete-log",
            "la-put-bucket-policy",
            "la-decrypt-not-reader",
            "cfn-archive-PutBucketPolicy",
            "sse-scp-bucket",
            "cfn-key-put-key-policy",
            "reader-1-decrypt",
            "reader-1-read-log",
            "reader-2-read-log",
            "outside-read-log",
            "outside-decrypt",
        )
    } == {
        "ct-write-member-log": True,
        "ct-write-foreign-trail": False,
        "ct-write-plain-http": False,
        "ct-kms-generate-data-key": True,
        "ct-kms-other-context": False,
        "wl-stop-trail": False,
        "wl-delete-trail": False,
        "wl-update-trail": False,
        "wl-delete-log": False,
        "wl-delete-log-version": False,
        "wl-bypass-governance": False,
        "wl-put-bucket-policy": False,
        "wl-put-lifecycle": False,
        "wl-schedule-key-deletion": False,
        "wl-disable-key": False,
        "wl-leave-organization": False,
        "la-delete-log": False,
        "la-put-bucket-policy": False,
        "la-decrypt-not-reader": False,
        "cfn-archive-PutBucketPolicy": True,
        # stacksets-exec-* is not locked out by the SCPs; the bucket policies do not trust it
        # (CfCT deploys the bucket as AWSControlTowerExecution): see sse-archive-*.
        "sse-scp-bucket": True,
        "cfn-key-put-key-policy": True,
        "reader-1-decrypt": True,
        "reader-1-read-log": True,
        "reader-2-read-log": True,
        "outside-read-log": False,
        "outside-decrypt": False,
    }


def test_management_account_principals_are_evaluated_without_scps(proof: Proof) -> None:
    actors = {r.case.actor.arn: r.case.actor.under_scps for r in proof.rows}
    assert {a: u for a, u in actors.items() if ":111111111111:" in a} == {
        "arn:aws:iam::111111111111:role/AWSControlTowerExecution": False,
        "arn:aws:iam::111111111111:role/ManagementAdmin": False,
        "arn:aws:iam::111111111111:role/cfct-build-own-logs-reader": False,
        "arn:aws:iam::111111111111:role/cfct-build-tamper-forwarder-us-east-1": False,
    }


def test_own_logs_reader_reads_its_own_account_only(proof: Proof) -> None:
    """Issue 4: the reader of account X reads X's logs, not Y's, and the management account's
    only where X is the management account (workload accounts X, Y: 444455556666, 777788889999)."""
    rows = {r.case.id: r for r in proof.rows}
    logs = "arn:aws:s3:::cfct-build-cloudtrail-222222222222-us-east-1/cloudtrail/AWSLogs/"
    got = {
        k: (rows[k].case.actor.arn, rows[k].case.resource, rows[k].decision.allowed)
        for k in (
            "own-reader-read-own-log",
            "own-reader-read-other-account-log",
            "own-reader-read-management-log",
            "own-reader-read-management-legacy-log",
            "mgmt-own-reader-read-own-log",
            "mgmt-own-reader-read-member-log",
        )
    }
    day = "CloudTrail/us-east-1/2026/01/01"
    file = "_CloudTrail_us-east-1_20260101T0000Z_a1b2.json.gz"
    x = "arn:aws:iam::444455556666:role/cfct-build-own-logs-reader"
    m = "arn:aws:iam::111111111111:role/cfct-build-own-logs-reader"
    assert got == {
        "own-reader-read-own-log": (
            x,
            f"{logs}o-a1b2c3d4e5/444455556666/{day}/444455556666{file}",
            True,
        ),
        "own-reader-read-other-account-log": (
            x,
            f"{logs}o-a1b2c3d4e5/777788889999/{day}/777788889999{file}",
            False,
        ),
        "own-reader-read-management-log": (
            x,
            f"{logs}o-a1b2c3d4e5/111111111111/{day}/111111111111{file}",
            False,
        ),
        "own-reader-read-management-legacy-log": (
            x,
            f"{logs}111111111111/CloudTrail/us-east-1/2026/01/01/222222222222{file}",
            False,
        ),
        "mgmt-own-reader-read-own-log": (
            m,
            f"{logs}o-a1b2c3d4e5/111111111111/{day}/111111111111{file}",
            True,
        ),
        "mgmt-own-reader-read-member-log": (
            m,
            f"{logs}o-a1b2c3d4e5/444455556666/{day}/444455556666{file}",
            False,
        ),
    }

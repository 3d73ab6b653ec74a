"""The CloudTrail event names that count as tampering with the trail, the log buckets or the keys.

One definition for both places that look for tampering: the account baseline's EventBridge rules
(`components/baseline.py`, alerts as it happens) and the Athena tampering query (`queries.py`,
the last 7 days after the fact). These are CloudTrail `eventName` values (API operation names),
not IAM actions: the guardrail SCP (`scps.py`) and the bucket policy (`components/bucket.py`)
deny IAM actions, whose names differ for S3 (`s3:PutLifecycleConfiguration` is recorded as
`PutBucketLifecycle` or `PutBucketLifecycleConfiguration`); `tests/test_tamper.py` ties each
protected action to these names or to a stated reason why it is not watched.

Each tuple is sorted and has no duplicates.
"""

from __future__ import annotations

TRAIL_EVENTS = (
    "DeleteTrail",
    "PutEventSelectors",
    "PutInsightSelectors",
    "StopLogging",
    "UpdateTrail",
)
# S3 records lifecycle calls as PutBucketLifecycle whatever the API version; both names are
# listed. Deleting encryption, lifecycle or replication is its own call.
BUCKET_EVENTS = (
    "DeleteBucket",
    "DeleteBucketEncryption",
    "DeleteBucketLifecycle",
    "DeleteBucketOwnershipControls",
    "DeleteBucketPolicy",
    "DeleteBucketPublicAccessBlock",
    "DeleteBucketReplication",
    "PutBucketEncryption",
    "PutBucketLifecycle",
    "PutBucketLifecycleConfiguration",
    "PutBucketLogging",
    "PutBucketOwnershipControls",
    "PutBucketPolicy",
    "PutBucketPublicAccessBlock",
    "PutBucketReplication",
    "PutBucketVersioning",
    "PutObjectLockConfiguration",
)
# CreateGrant and PutKeyPolicy name the key in `keyId`, as do the disable and deletion calls;
# DeleteAlias and UpdateAlias name only the alias (`aliasName`, always `alias/<name>`).
KEY_EVENTS = (
    "CreateGrant",
    "DeleteAlias",
    "DisableKey",
    "DisableKeyRotation",
    "PutKeyPolicy",
    "ScheduleKeyDeletion",
    "UpdateAlias",
)

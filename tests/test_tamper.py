"""The one list of tamper event names, and how it ties to the IAM actions the guardrails deny.

The guardrail SCP (`scps.py`) and the log buckets' policy (`bucket.TAMPER_ACTIONS`) protect IAM
actions; the tamper alerts and the tampering query look for CloudTrail event names
(`tamper.py`). The lists differ on purpose (IAM and CloudTrail name S3 calls differently, and
not every denied action is worth an alert), so every protected action is classified here: the
event names it guards, all of which must be watched, or the reason it is not watched. A new
protected action fails `test_every_protected_action_is_classified` until it is classified.

"Same-named CloudTrail event": CloudTrail records an API call under its operation name
(botocore's service model), except S3's public access block calls, which it records with
`Bucket` in the name.
"""

from __future__ import annotations

from functools import cache

import botocore.session
import pytest

from cfct_build import scps, tamper
from cfct_build.components import bucket

TAMPER_EVENTS = {
    "cloudtrail": tamper.TRAIL_EVENTS,
    "s3": tamper.BUCKET_EVENTS,
    "kms": tamper.KEY_EVENTS,
    "logs": (),  # the trail's CloudWatch Logs group: not watched, see NOT_WATCHED
}
# S3 operations CloudTrail records under another event name.
S3_EVENT_NAMES = {
    "DeletePublicAccessBlock": "DeleteBucketPublicAccessBlock",
    "PutPublicAccessBlock": "PutBucketPublicAccessBlock",
}


@cache
def cloudtrail_event_names(service: str) -> frozenset[str]:
    ops = botocore.session.get_session().get_service_model(service).operation_names
    renames = S3_EVENT_NAMES if service == "s3" else {}
    return frozenset(renames.get(op, op) for op in ops)


def protected_actions() -> set[tuple[str, str]]:
    """(service, IAM action) of every action the guardrail SCP or the bucket policy denies."""
    lists = [
        ("cloudtrail", scps.TRAIL_ACTIONS),
        ("logs", scps.LOG_GROUP_ACTIONS),
        ("s3", scps.BUCKET_ACTIONS),
        ("s3", scps.OBJECT_ACTIONS),
        ("s3", tuple(bucket.TAMPER_ACTIONS)),
        ("kms", scps.KEY_ACTIONS),
        ("kms", scps.ALIAS_ACTIONS),
    ]
    return {(service, a) for service, actions in lists for a in actions}


# IAM action -> the CloudTrail events of the calls it authorizes on our resources.
WATCHED: dict[tuple[str, str], tuple[str, ...]] = {
    ("cloudtrail", "DeleteTrail"): ("DeleteTrail",),
    ("cloudtrail", "PutEventSelectors"): ("PutEventSelectors",),
    ("cloudtrail", "PutInsightSelectors"): ("PutInsightSelectors",),
    ("cloudtrail", "StopLogging"): ("StopLogging",),
    ("cloudtrail", "UpdateTrail"): ("UpdateTrail",),
    ("s3", "DeleteBucket"): ("DeleteBucket",),
    ("s3", "DeleteBucketPolicy"): ("DeleteBucketPolicy",),
    ("s3", "PutBucketLogging"): ("PutBucketLogging",),
    ("s3", "PutBucketObjectLockConfiguration"): ("PutObjectLockConfiguration",),
    ("s3", "PutBucketOwnershipControls"): (
        "DeleteBucketOwnershipControls",
        "PutBucketOwnershipControls",
    ),
    ("s3", "PutBucketPolicy"): ("PutBucketPolicy",),
    ("s3", "PutBucketPublicAccessBlock"): (
        "DeleteBucketPublicAccessBlock",
        "PutBucketPublicAccessBlock",
    ),
    ("s3", "PutBucketVersioning"): ("PutBucketVersioning",),
    ("s3", "PutEncryptionConfiguration"): ("DeleteBucketEncryption", "PutBucketEncryption"),
    ("s3", "PutLifecycleConfiguration"): (
        "DeleteBucketLifecycle",
        "PutBucketLifecycle",
        "PutBucketLifecycleConfiguration",
    ),
    ("s3", "PutReplicationConfiguration"): ("DeleteBucketReplication", "PutBucketReplication"),
    ("kms", "DeleteAlias"): ("DeleteAlias",),
    ("kms", "DisableKey"): ("DisableKey",),
    ("kms", "DisableKeyRotation"): ("DisableKeyRotation",),
    ("kms", "PutKeyPolicy"): ("PutKeyPolicy",),
    ("kms", "ScheduleKeyDeletion"): ("ScheduleKeyDeletion",),
    ("kms", "UpdateAlias"): ("UpdateAlias",),
}
_OBJECTS = (
    "object-level S3 call: a data event, which the trail never records for its own log "
    "buckets, so neither the rules nor the query could see it"
)
_TAGS = (
    "tag change: denied only so the SCP's tag-scoped statement cannot be lifted first; the "
    "changes that would follow are watched"
)
_LOG_GROUP = (
    "the trail's CloudWatch Logs group is a copy for live search, not the archive; the "
    "alerts and the query watch the trail, the log buckets and the keys"
)
NOT_WATCHED: dict[tuple[str, str], str] = {
    ("cloudtrail", "AddTags"): _TAGS,
    ("cloudtrail", "RemoveTags"): _TAGS,
    ("kms", "TagResource"): _TAGS,
    ("kms", "UntagResource"): _TAGS,
    ("s3", "BypassGovernanceRetention"): _OBJECTS,
    ("s3", "DeleteObject"): _OBJECTS,
    ("s3", "DeleteObjectVersion"): _OBJECTS,
    ("s3", "PutObjectLegalHold"): _OBJECTS,
    ("s3", "PutObjectRetention"): _OBJECTS,
    ("s3", "PutBucketAcl"): (
        "the buckets enforce BucketOwnerEnforced, so S3 rejects every ACL but the owner's full "
        "control; lifting that is PutBucketOwnershipControls, which is watched"
    ),
    ("logs", "AssociateKmsKey"): _LOG_GROUP,
    ("logs", "DeleteLogGroup"): _LOG_GROUP,
    ("logs", "DeleteLogStream"): _LOG_GROUP,
    ("logs", "DeleteRetentionPolicy"): _LOG_GROUP,
    ("logs", "DisassociateKmsKey"): _LOG_GROUP,
    ("logs", "PutRetentionPolicy"): _LOG_GROUP,
}


def test_the_event_lists() -> None:
    assert tamper.TRAIL_EVENTS == (
        "DeleteTrail",
        "PutEventSelectors",
        "PutInsightSelectors",
        "StopLogging",
        "UpdateTrail",
    )
    assert tamper.BUCKET_EVENTS == (
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
    assert tamper.KEY_EVENTS == (
        "CreateGrant",
        "DeleteAlias",
        "DisableKey",
        "DisableKeyRotation",
        "PutKeyPolicy",
        "ScheduleKeyDeletion",
        "UpdateAlias",
    )


@pytest.mark.parametrize("service", ["cloudtrail", "s3", "kms"])
def test_each_list_is_sorted_without_duplicates(service: str) -> None:
    events = TAMPER_EVENTS[service]
    assert events == tuple(sorted(set(events)))


@pytest.mark.parametrize("service", ["cloudtrail", "s3", "kms"])
def test_every_name_is_a_cloudtrail_event_of_its_service(service: str) -> None:
    """A misspelt name would match nothing, silently."""
    assert [e for e in TAMPER_EVENTS[service] if e not in cloudtrail_event_names(service)] == []


def test_every_protected_action_is_classified() -> None:
    assert set(WATCHED) & set(NOT_WATCHED) == set()
    assert set(WATCHED) | set(NOT_WATCHED) == protected_actions()


def test_watched_actions_guard_only_watched_events() -> None:
    assert {
        (service, action): [e for e in events if e not in TAMPER_EVENTS[service]]
        for (service, action), events in WATCHED.items()
    } == {key: [] for key in WATCHED}


def test_same_named_protected_actions_are_watched_or_excluded() -> None:
    """Every protected action named like a CloudTrail event of its service is watched under
    that name, or excluded with a reason."""
    same_named = {
        (service, action)
        for service, action in protected_actions()
        if action in cloudtrail_event_names(service)
    }
    assert {
        key for key in same_named if key[1] not in TAMPER_EVENTS[key[0]] and key not in NOT_WATCHED
    } == set()
    assert {key for key in same_named if key in WATCHED and key[1] not in WATCHED[key]} == set()


def test_no_exclusion_is_watched_after_all() -> None:
    """An excluded action whose event is in a tamper list is stale: move it to WATCHED."""
    assert [
        (service, action) for service, action in NOT_WATCHED if action in TAMPER_EVENTS[service]
    ] == []

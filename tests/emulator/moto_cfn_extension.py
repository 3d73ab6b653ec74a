"""EMULATOR-ONLY extension of moto 5.2.5's CloudFormation, so our templates really round-trip.

This module exists for the test suite alone (tests/emulator, tests/e2e): it never ships, and
nothing under src/ may import it. It changes no installed moto file. `activate()` patches, for
the duration of a `with` block (the `emulated_aws` fixture uses it):
- the lookup moto's CloudFormation uses to find the model class of a resource type
  (`moto.cloudformation.parsing.get_model_map` / `get_model_list`), so the models below are
  used for their resource types;
- the loading of stack parameters, to enforce their constraints;
- five response builders that drop or hard-code fields the tests read back.
Outside that block moto behaves exactly as released.

What moto 5.2.5 does with the resources and properties our package uses, and the fix here:

| Resource / property | moto 5.2.5 | this extension |
| --- | --- | --- |
| `AWS::S3::Bucket` `ObjectLockEnabled`, `ObjectLockConfiguration` | dropped | like CreateBucket with the lock header, then PutObjectLockConfiguration |
| bucket `VersioningConfiguration` | dropped | PutBucketVersioning |
| bucket `PublicAccessBlockConfiguration` | dropped | PutPublicAccessBlock |
| bucket `OwnershipControls` | dropped | PutBucketOwnershipControls |
| bucket `BucketEncryption` `BucketKeyEnabled` | dropped (algorithm and key kept) | PutBucketEncryption with the whole rule |
| bucket `LifecycleConfiguration` | dropped | PutBucketLifecycleConfiguration (rules and the `TransitionDefaultMinimumObjectSize` header) |
| bucket `LoggingConfiguration` | dropped | PutBucketLogging (see `_put_logging`) |
| bucket `ReplicationConfiguration` | dropped | PutBucketReplication |
| `AWS::S3::BucketPolicy` | silently skipped | PutBucketPolicy |
| `AWS::CloudTrail::Trail` | silently skipped; `GetAtt` on it crashes the stack | CreateTrail, PutEventSelectors, PutInsightSelectors, StartLogging; `GetAtt Arn`/`SnsTopicArn` |
| `AWS::KMS::Key` `KeyPolicy` | stored as a dict: DescribeKey then fails | stored as JSON text, like PutKeyPolicy |
| KMS key `RotationPeriodInDays` | ignored | kept on the key (see GetKeyRotationStatus below) |
| KMS key `Tags` | stored in the wrong shape: the stack fails | TagResource shape |
| KMS key `KeySpec`, `KeyUsage`, `MultiRegion`, `Enabled: false` | ignored or half-applied | applied |
| `AWS::IAM::Role` inline `Policies` | stored as a dict: GetRolePolicy returns its Python repr | stored as JSON text, like PutRolePolicy |
| `AWS::SNS::TopicPolicy` | silently skipped | SetTopicAttributes `Policy` on each topic |
| `AWS::SNS::Topic` `Tags` | stored as an attribute: ListTagsForResource is empty | TagResource shape |
| `AWS::Events::EventBus` | `Ref` gives moto's object, not the name: a rule on the bus fails; `Policy`, `Description`, `Tags` dropped | CreateEventBus (description, tags), PutPermission with the policy; `Ref` = name |
| EventBridge rule targets that are SNS topics (and buses) | `PutEvents` raises NotImplementedError (a bus target needs `jsonpath-ng`) | Publish of the event to the topic (PutEvents on the bus) |
| Parameter `AllowedPattern`, `AllowedValues` | not enforced | enforced at stack creation, like CloudFormation |
| GetKeyRotationStatus response | never has `RotationPeriodInDays` | has it |
| GetBucketLogging response | drops `TargetObjectKeyFormat` | returns it |
| GetBucketLifecycleConfiguration response | hard-codes `TransitionDefaultMinimumObjectSize: all_storage_classes_128K` | returns the value the extension stored with the rules |
| GetBucketReplication response | hard-codes each rule's `Filter` and `DeleteMarkerReplication`, drops `SourceSelectionCriteria` | returns the stored rules |
| GetTrail / DescribeTrails responses | `HasCustomEventSelectors`, `HasInsightSelectors` always false | computed from the trail's selectors |

Each S3 property is translated from its CloudFormation shape to the request shape of the S3
API call CloudFormation makes, serialized to XML with botocore (exactly what boto3 would send)
and parsed the way moto's own S3 request handler parses it, before the real moto backend
method is called: the stored state is what the same API call would have stored, so reading
it back through the S3 API proves the template's value, not a shortcut of ours.

The extension proves configuration, never access control: moto does not evaluate bucket or
key policies the way AWS does (see ../shared/EMULATION.md).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any
from unittest import mock

import xmltodict  # type: ignore[import-untyped]
from botocore import serialize
from botocore.model import ServiceModel
from botocore.session import get_session
from moto.cloudformation import parsing
from moto.cloudformation.exceptions import UnformattedGetAttTemplateException, ValidationError
from moto.cloudtrail.exceptions import InvalidParameterCombinationException
from moto.cloudtrail.models import Trail, cloudtrail_backends
from moto.core.responses import ActionResult
from moto.events.models import Rule as MotoEventsRule
from moto.events.models import events_backends
from moto.iam.models import Role as MotoIamRole
from moto.kms.models import Key as MotoKmsKey
from moto.kms.models import kms_backends
from moto.kms.responses import KmsResponse
from moto.s3.exceptions import (
    CrossLocationLoggingProhibited,
    InvalidArgumentError,
    VersioningNotEnabledForReplication,
)
from moto.s3.models import FakeBucket, S3Backend, TransitionDefaultMinimumObjectSize, s3_backends
from moto.s3.responses import S3Response
from moto.sns.models import Topic as MotoSnsTopic
from moto.sns.models import sns_backends
from moto.utilities.arns import parse_arn
from moto.utilities.utils import get_partition

# Attribute the extension sets on moto's KMS key objects (moto has no rotation period).
ROTATION_PERIOD_ATTR = "emulator_rotation_period_in_days"
DEFAULT_ROTATION_PERIOD_DAYS = 365  # AWS's default when RotationPeriodInDays is omitted
# Attribute the extension sets on moto's buckets: (the rules list it was put with, the value of
# PutBucketLifecycleConfiguration's `x-amz-transition-default-minimum-object-size` header).
MINIMUM_OBJECT_SIZE_ATTR = "emulator_transition_default_minimum_object_size"
MINIMUM_OBJECT_SIZE_HEADER = "x-amz-transition-default-minimum-object-size"
DEFAULT_MINIMUM_OBJECT_SIZE = TransitionDefaultMinimumObjectSize.ALL_STORAGE_CLASSES_128K.value


# --------------------------------------------------------------------------- S3


@cache
def _s3_model() -> ServiceModel:
    return get_session().get_service_model("s3")


def _request(operation: str, params: dict[str, Any]) -> dict[str, Any]:
    """The request (headers, body) boto3 sends for an S3 `operation`."""
    request: dict[str, Any] = serialize.create_serializer("rest-xml").serialize_to_request(
        params, _s3_model().operation_model(operation)
    )
    return request


def _as_sent(operation: str, params: dict[str, Any]) -> dict[str, Any]:
    """The XML body boto3 sends for an S3 `operation`, parsed as moto's S3 handler parses it."""
    parsed: dict[str, Any] = xmltodict.parse(
        _request(operation, params)["body"], dict_constructor=dict
    )
    return parsed


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def _lifecycle_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """A CloudFormation `LifecycleConfiguration.Rules` item as a PutBucketLifecycleConfiguration rule."""
    out: dict[str, Any] = {"ID": rule.get("Id"), "Status": rule["Status"]}
    filt: dict[str, Any] = {}
    if "Prefix" in rule:
        filt["Prefix"] = rule["Prefix"]
    if "ObjectSizeGreaterThan" in rule:
        filt["ObjectSizeGreaterThan"] = int(rule["ObjectSizeGreaterThan"])
    if "ObjectSizeLessThan" in rule:
        filt["ObjectSizeLessThan"] = int(rule["ObjectSizeLessThan"])
    if rule.get("TagFilters"):
        filt["Tags"] = rule["TagFilters"]
    if len(filt) > 1 or "Tags" in filt:
        filt = {"And": filt}
    out["Filter"] = filt or {"Prefix": ""}
    expiration = {
        "Days": rule.get("ExpirationInDays"),
        "Date": rule.get("ExpirationDate"),
        "ExpiredObjectDeleteMarker": rule.get("ExpiredObjectDeleteMarker"),
    }
    if any(v is not None for v in expiration.values()):
        out["Expiration"] = expiration
    transitions = list(rule.get("Transitions", []))
    if "Transition" in rule:
        transitions.append(rule["Transition"])
    if transitions:
        out["Transitions"] = [
            {
                "Days": t.get("TransitionInDays"),
                "Date": t.get("TransitionDate"),
                "StorageClass": t["StorageClass"],
            }
            for t in transitions
        ]
    if "NoncurrentVersionExpiration" in rule:
        out["NoncurrentVersionExpiration"] = rule["NoncurrentVersionExpiration"]
    elif "NoncurrentVersionExpirationInDays" in rule:
        out["NoncurrentVersionExpiration"] = {
            "NoncurrentDays": rule["NoncurrentVersionExpirationInDays"]
        }
    nv_transitions = list(rule.get("NoncurrentVersionTransitions", []))
    if "NoncurrentVersionTransition" in rule:
        nv_transitions.append(rule["NoncurrentVersionTransition"])
    if nv_transitions:
        out["NoncurrentVersionTransitions"] = [
            {
                "NoncurrentDays": t["TransitionInDays"],
                "StorageClass": t["StorageClass"],
                "NewerNoncurrentVersions": t.get("NewerNoncurrentVersions"),
            }
            for t in nv_transitions
        ]
    if "AbortIncompleteMultipartUpload" in rule:
        out["AbortIncompleteMultipartUpload"] = rule["AbortIncompleteMultipartUpload"]
    return _drop_none(out)  # type: ignore[no-any-return]


def _replication_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """A CloudFormation replication rule as a PutBucketReplication rule (Id -> ID, TagFilters)."""
    out = {k: v for k, v in rule.items() if k not in ("Id", "Filter")}
    if "Id" in rule:
        out["ID"] = rule["Id"]
    if "Filter" in rule:
        filt = dict(rule["Filter"])
        if "TagFilter" in filt:
            filt["Tag"] = filt.pop("TagFilter")
        if "And" in filt:
            and_ = dict(filt["And"])
            if "TagFilters" in and_:
                and_["Tags"] = and_.pop("TagFilters")
            filt["And"] = and_
        out["Filter"] = filt
    return out


def _put_lifecycle(backend: S3Backend, bucket: FakeBucket, lifecycle: dict[str, Any]) -> None:
    """PutBucketLifecycleConfiguration: the rules, and the minimum object size header.

    moto stores the rules but ignores the header (its GetBucketLifecycleConfiguration always
    answers all_storage_classes_128K). The extension keeps the header's value beside the rules
    list it was put with, so a later put through moto's own handler (a new list, header
    ignored) falls back to S3's default instead of showing a stale value.
    """
    params: dict[str, Any] = {
        "Bucket": bucket.name,
        "LifecycleConfiguration": {"Rules": [_lifecycle_rule(r) for r in lifecycle["Rules"]]},
    }
    if "TransitionDefaultMinimumObjectSize" in lifecycle:
        params["TransitionDefaultMinimumObjectSize"] = lifecycle[
            "TransitionDefaultMinimumObjectSize"
        ]
    request = _request("PutBucketLifecycleConfiguration", params)
    minimum = request["headers"].get(MINIMUM_OBJECT_SIZE_HEADER, DEFAULT_MINIMUM_OBJECT_SIZE)
    if minimum not in {m.value for m in TransitionDefaultMinimumObjectSize}:
        raise InvalidArgumentError(
            f"Invalid value for {MINIMUM_OBJECT_SIZE_HEADER}", MINIMUM_OBJECT_SIZE_HEADER, minimum
        )
    sent = xmltodict.parse(request["body"], dict_constructor=dict)
    sent_rules = sent["LifecycleConfiguration"].get("Rule", [])
    backend.put_bucket_lifecycle(
        bucket.name, sent_rules if isinstance(sent_rules, list) else [sent_rules]
    )
    setattr(bucket, MINIMUM_OBJECT_SIZE_ATTR, (bucket.rules, minimum))


def _put_logging(backend: S3Backend, bucket: FakeBucket, config: dict[str, Any]) -> None:
    """PutBucketLogging, without moto's permission heuristic where AWS does not apply one.

    moto insists, when logging is configured, that the target bucket's ACL or policy already
    grants log delivery, recognises only a few literal forms of that grant, and raises on a
    policy statement whose principal is `"*"`. When the target bucket has `BucketOwnerEnforced`
    (ACLs off), AWS evaluates the target's bucket policy only when it delivers logs. For such a
    target the extension makes the checks AWS does make (the target exists in this account, in
    the same Region) and stores the configuration; the round-trip test asserts the target's
    policy itself. Any other target goes through moto's own PutBucketLogging unchanged.
    """
    target = backend.buckets.get(config["TargetBucket"])
    ownership: object = None if target is None else target.ownership_rule  # a str in fact
    if target is None or ownership != "BucketOwnerEnforced":
        backend.put_bucket_logging(bucket.name, config)
        return
    if target.region_name != bucket.region_name:
        raise CrossLocationLoggingProhibited()
    bucket.logging = config


def apply_bucket_properties(
    backend: S3Backend, bucket: FakeBucket, properties: dict[str, Any]
) -> None:
    """Apply the bucket properties moto's CloudFormation drops, through the S3 backend."""
    name = bucket.name
    if properties.get("ObjectLockEnabled") in (True, "true", "True"):
        # What moto's CreateBucket does for `x-amz-bucket-object-lock-enabled: true`.
        bucket.object_lock_enabled = True
        bucket.versioning_status = "Enabled"
    if "VersioningConfiguration" in properties:
        backend.put_bucket_versioning(name, properties["VersioningConfiguration"]["Status"])
    if "ObjectLockConfiguration" in properties:
        lock = properties["ObjectLockConfiguration"]
        retention = lock.get("Rule", {}).get("DefaultRetention", {})
        backend.put_object_lock_configuration(
            name,
            lock.get("ObjectLockEnabled") == "Enabled",
            retention.get("Mode"),
            int(retention["Days"]) if "Days" in retention else None,
            int(retention["Years"]) if "Years" in retention else None,
        )
    if "BucketEncryption" in properties:
        rules = [
            _drop_none(
                {
                    "ApplyServerSideEncryptionByDefault": r["ServerSideEncryptionByDefault"],
                    "BucketKeyEnabled": r.get("BucketKeyEnabled"),
                }
            )
            for r in properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        ]
        sent = _as_sent(
            "PutBucketEncryption",
            {"Bucket": name, "ServerSideEncryptionConfiguration": {"Rules": rules}},
        )
        backend.put_bucket_encryption(name, sent["ServerSideEncryptionConfiguration"])
    if "PublicAccessBlockConfiguration" in properties:
        sent = _as_sent(
            "PutPublicAccessBlock",
            {
                "Bucket": name,
                "PublicAccessBlockConfiguration": properties["PublicAccessBlockConfiguration"],
            },
        )
        pab = sent["PublicAccessBlockConfiguration"]
        pab.pop("@xmlns", None)
        backend.put_public_access_block(name, pab)
    if "OwnershipControls" in properties:
        sent = _as_sent(
            "PutBucketOwnershipControls",
            {"Bucket": name, "OwnershipControls": properties["OwnershipControls"]},
        )
        backend.put_bucket_ownership_controls(
            name, ownership=sent["OwnershipControls"]["Rule"]["ObjectOwnership"]
        )
    if "LifecycleConfiguration" in properties:
        _put_lifecycle(backend, bucket, properties["LifecycleConfiguration"])
    if "LoggingConfiguration" in properties:
        logging_cfg = properties["LoggingConfiguration"]
        enabled = _drop_none(
            {
                "TargetBucket": logging_cfg.get("DestinationBucketName", name),
                "TargetPrefix": logging_cfg.get("LogFilePrefix", ""),
                "TargetObjectKeyFormat": logging_cfg.get("TargetObjectKeyFormat"),
            }
        )
        sent = _as_sent(
            "PutBucketLogging",
            {"Bucket": name, "BucketLoggingStatus": {"LoggingEnabled": enabled}},
        )
        config = sent["BucketLoggingStatus"]["LoggingEnabled"]
        config["TargetPrefix"] = config.get("TargetPrefix") or ""
        _put_logging(backend, bucket, config)
    if "ReplicationConfiguration" in properties:
        if not bucket.is_versioned:
            raise VersioningNotEnabledForReplication(bucket_name=name)
        replication = properties["ReplicationConfiguration"]
        sent = _as_sent(
            "PutBucketReplication",
            {
                "Bucket": name,
                "ReplicationConfiguration": {
                    "Role": replication["Role"],
                    "Rules": [_replication_rule(r) for r in replication["Rules"]],
                },
            },
        )
        config = sent["ReplicationConfiguration"]
        config.pop("@xmlns", None)
        backend.put_bucket_replication(name, config)


def _empty_to_text(value: Any) -> Any:
    """xmltodict reads an empty element (`<Prefix></Prefix>`) as None; S3 means ""."""
    if isinstance(value, dict):
        return {k: _empty_to_text(v) for k, v in value.items() if not k.startswith("@")}
    if isinstance(value, list):
        return [_empty_to_text(v) for v in value]
    return "" if value is None else value


def _stored_replication(original: Callable[[S3Response], Any]) -> Callable[[S3Response], Any]:
    """GetBucketReplication that returns each stored rule as it was put."""

    def get_bucket_replication(self: S3Response) -> Any:
        replication = self.backend.get_bucket_replication(self.bucket_name)
        if not replication:
            return original(self)  # moto's ReplicationConfigurationNotFoundError
        self.data["Action"] = "GetBucketReplication"
        config = {"Role": replication["Role"], "Rules": _empty_to_text(replication["Rule"])}
        return self.serialized(ActionResult({"ReplicationConfiguration": config}))

    return get_bucket_replication


def _with_minimum_object_size(
    original: Callable[[S3Response], Any],
) -> Callable[[S3Response], Any]:
    """GetBucketLifecycleConfiguration with the stored TransitionDefaultMinimumObjectSize."""

    def get_bucket_lifecycle(self: S3Response) -> Any:
        bucket = self.backend.get_bucket(self.bucket_name)
        rules, minimum = getattr(bucket, MINIMUM_OBJECT_SIZE_ATTR, (None, None))
        if rules is not bucket.rules:  # never put by the extension, or put again since
            return original(self)
        serialized = self.serialized

        def with_minimum(result: ActionResult) -> Any:
            body = dict(result.result)  # type: ignore[call-overload]
            body["TransitionDefaultMinimumObjectSize"] = minimum
            return serialized(ActionResult(body))

        self.serialized = with_minimum  # type: ignore[method-assign,assignment]
        try:
            return original(self)
        finally:
            del self.serialized

    return get_bucket_lifecycle


def _with_key_format(original: Callable[[S3Response], Any]) -> Callable[[S3Response], Any]:
    """GetBucketLogging that also returns the stored TargetObjectKeyFormat."""

    def get_bucket_logging(self: S3Response) -> Any:
        logging_cfg = self.backend.get_bucket_logging(self.bucket_name)
        key_format = (logging_cfg or {}).get("TargetObjectKeyFormat")
        if not key_format or logging_cfg.get("TargetGrants"):
            return original(self)
        if "SimplePrefix" in key_format:
            key_format = {"SimplePrefix": {}}  # an empty element: xmltodict read it as None
        self.data["Action"] = "GetBucketLogging"
        enabled = {
            "TargetBucket": logging_cfg["TargetBucket"],
            "TargetPrefix": logging_cfg["TargetPrefix"],
            "TargetObjectKeyFormat": key_format,
        }
        return self.serialized(ActionResult({"LoggingEnabled": enabled}))

    return get_bucket_logging


class EmulatedBucket(FakeBucket):
    """`AWS::S3::Bucket`: moto's model, then the properties it drops (class methods only)."""

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> FakeBucket:
        bucket = FakeBucket.create_from_cloudformation_json(
            resource_name, cloudformation_json, account_id, region_name, **kwargs
        )
        backend = s3_backends[account_id][get_partition(region_name)]
        apply_bucket_properties(backend, bucket, cloudformation_json.get("Properties", {}))
        return bucket


# --------------------------------------------------------------------------- resources moto skips


class _Resource:
    """The stack's handle on a resource moto has no CloudFormation model for.

    It answers what moto's CloudFormation asks of a model instance (physical id, GetAtt,
    creation state, deletion). It deliberately does not subclass moto's
    `CloudFormationModel`: moto registers every direct subclass globally, and this extension
    must be active only inside `activate()`.
    """

    cf_resource_type: str
    logical_resource_id: str

    def __init__(self, physical_id: str, attributes: dict[str, str] | None = None) -> None:
        self.physical_resource_id = physical_id
        self.attributes = attributes or {}

    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return False

    def get_cfn_attribute(self, attribute_name: str) -> str:
        if attribute_name not in self.attributes:
            raise UnformattedGetAttTemplateException()
        return self.attributes[attribute_name]

    def is_created(self) -> bool:
        return True

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: Any,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> Any:
        raise NotImplementedError("the emulator extension supports create and delete only")


class EmulatedBucketPolicy(_Resource):
    """`AWS::S3::BucketPolicy` -> PutBucketPolicy (moto skips the type)."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::S3::BucketPolicy"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> EmulatedBucketPolicy:
        props = cloudformation_json["Properties"]
        document = props["PolicyDocument"]
        text = document if isinstance(document, str) else json.dumps(document)
        backend = s3_backends[account_id][get_partition(region_name)]
        backend.put_bucket_policy(props["Bucket"], text.encode("utf-8"))
        return cls(props["Bucket"])

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
    ) -> None:
        backend = s3_backends[account_id][get_partition(region_name)]
        backend.delete_bucket_policy(cloudformation_json["Properties"]["Bucket"])


class EmulatedTopicPolicy(_Resource):
    """`AWS::SNS::TopicPolicy` -> SetTopicAttributes Policy on each topic (moto skips the type)."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::SNS::TopicPolicy"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> EmulatedTopicPolicy:
        props = cloudformation_json["Properties"]
        document = props["PolicyDocument"]
        text = document if isinstance(document, str) else json.dumps(document)
        backend = sns_backends[account_id][region_name]
        for topic_arn in props["Topics"]:
            backend.set_topic_attribute(topic_arn, "policy", text)
        return cls(resource_name)

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
    ) -> None:
        """AWS restores each topic's default policy; the emulator leaves it (tests never delete)."""


class EmulatedEventBus(_Resource):
    """`AWS::Events::EventBus` -> CreateEventBus, then PutPermission with its `Policy`."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Events::EventBus"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "Name"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ("Arn", "Name")

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> EmulatedEventBus:
        props = cloudformation_json["Properties"]
        backend = events_backends[account_id][region_name]
        bus = backend.create_event_bus(
            name=resource_name,
            description=props.get("Description"),
            tags=props.get("Tags"),
        )
        policy = props.get("Policy")
        if policy:
            text = policy if isinstance(policy, str) else json.dumps(policy)
            backend.put_permission(resource_name, "", "", "", {}, text)
        return cls(resource_name, {"Arn": bus.arn, "Name": bus.name})

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
    ) -> None:
        events_backends[account_id][region_name].delete_event_bus(resource_name)


def _with_sns_targets(original: Callable[..., None]) -> Callable[..., None]:
    """Rules that deliver to SNS topics too (moto raises for them): Publish of the event.

    Targets without an InputTransformer that are SNS topics or event buses get the event as
    is (what EventBridge sends without a transformer). moto itself would run its input
    transformer for a bus target, which needs `jsonpath-ng` (moto's `events` extra) even when
    the target has none; the forwarding below is moto's own (PutEvents on the target bus)."""

    def send_to_targets(
        self: MotoEventsRule, original_event: dict[str, Any], transform_input: bool = True
    ) -> None:
        if not self.event_pattern.matches_event(original_event):
            return
        handled = []
        for target in self.targets:
            arn = parse_arn(target["Arn"])
            if "InputTransformer" in target:
                continue
            if arn.service == "sns":
                sns_backends[arn.account][arn.region].publish(
                    message=json.dumps(original_event), arn=target["Arn"]
                )
            elif arn.service == "events" and arn.resource_type == "event-bus":
                events_backends[arn.account][arn.region].put_events(
                    [
                        {
                            "Source": original_event["source"],
                            "DetailType": original_event["detail-type"],
                            "Detail": json.dumps(original_event["detail"]),
                            "EventBusName": arn.resource_id,
                        }
                    ]
                )
            else:
                continue
            handled.append(target)
        others = [t for t in self.targets if t not in handled]
        if others:
            saved, self.targets = self.targets, others
            try:
                original(self, original_event, transform_input)
            finally:
                self.targets = saved

    return send_to_targets


class EmulatedTrail(_Resource):
    """`AWS::CloudTrail::Trail` -> CreateTrail, PutEventSelectors, PutInsightSelectors, StartLogging."""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::CloudTrail::Trail"

    @staticmethod
    def cloudformation_name_type() -> str:
        return "TrailName"

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in ("Arn", "SnsTopicArn")

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> EmulatedTrail:
        props = cloudformation_json["Properties"]
        backend = cloudtrail_backends[account_id][region_name]
        include_global = _bool(props.get("IncludeGlobalServiceEvents", True))
        multi_region = _bool(props.get("IsMultiRegionTrail", False))
        if multi_region and not include_global:  # the check moto's CreateTrail handler makes
            raise InvalidParameterCombinationException(
                "Multi-Region trail must include global service events."
            )
        trail = backend.create_trail(
            resource_name,
            props["S3BucketName"],
            props.get("S3KeyPrefix"),
            props.get("SnsTopicName"),
            include_global,
            multi_region,
            _bool(props.get("EnableLogFileValidation", False)),
            _bool(props.get("IsOrganizationTrail", False)),
            props.get("CloudWatchLogsLogGroupArn"),
            props.get("CloudWatchLogsRoleArn"),
            props.get("KMSKeyId"),
            props.get("Tags", []),
        )
        if props.get("EventSelectors") or props.get("AdvancedEventSelectors"):
            backend.put_event_selectors(
                resource_name, props.get("EventSelectors"), props.get("AdvancedEventSelectors")
            )
        if props.get("InsightSelectors"):
            backend.put_insight_selectors(resource_name, props["InsightSelectors"])
        if _bool(props["IsLogging"]):
            backend.start_logging(resource_name)
        attributes = {"Arn": trail.arn}
        if trail.topic_arn:
            attributes["SnsTopicArn"] = trail.topic_arn
        return cls(resource_name, attributes)

    @classmethod
    def delete_from_cloudformation_json(
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str
    ) -> None:
        cloudtrail_backends[account_id][region_name].delete_trail(resource_name)


def _with_selector_flags(original: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """Trail descriptions whose HasCustomEventSelectors/HasInsightSelectors tell the truth."""

    def description(self: Trail, include_region: bool = False) -> dict[str, Any]:
        desc = original(self, include_region)
        desc["HasCustomEventSelectors"] = bool(
            self.event_selectors or self.advanced_event_selectors
        )
        desc["HasInsightSelectors"] = bool(self.insight_selectors)
        return desc

    return description


def _bool(value: Any) -> bool:
    """CloudFormation booleans arrive as bools or as the strings "true"/"false"."""
    return value if isinstance(value, bool) else str(value).lower() == "true"


# --------------------------------------------------------------------------- IAM


class EmulatedIamRole(MotoIamRole):
    """`AWS::IAM::Role` whose inline policies are stored as PutRolePolicy stores them."""

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> MotoIamRole:
        props = cloudformation_json["Properties"]
        policies = [
            {
                **p,
                "PolicyDocument": p["PolicyDocument"]
                if isinstance(p["PolicyDocument"], str)
                else json.dumps(p["PolicyDocument"]),
            }
            for p in props.get("Policies", [])
        ]
        as_text = {**cloudformation_json, "Properties": {**props, "Policies": policies}}
        return MotoIamRole.create_from_cloudformation_json(
            resource_name, as_text, account_id, region_name, **kwargs
        )


class EmulatedSnsTopic(MotoSnsTopic):
    """`AWS::SNS::Topic` whose `Tags` are stored as TagResource stores them."""

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> MotoSnsTopic:
        props = cloudformation_json["Properties"]
        untagged = {k: v for k, v in props.items() if k != "Tags"}
        topic = MotoSnsTopic.create_from_cloudformation_json(
            resource_name, {**cloudformation_json, "Properties": untagged}, account_id, region_name
        )
        tags = {t["Key"]: t["Value"] for t in props.get("Tags", [])}
        if tags:
            sns_backends[account_id][region_name].tag_resource(topic.arn, tags)
        return topic


# --------------------------------------------------------------------------- KMS


class EmulatedKmsKey(MotoKmsKey):
    """`AWS::KMS::Key` stored the way CreateKey stores it (class methods only)."""

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> MotoKmsKey:
        backend = kms_backends[account_id][region_name]
        props = cloudformation_json["Properties"]
        policy = props.get("KeyPolicy")
        key = backend.create_key(
            policy=policy if policy is None or isinstance(policy, str) else json.dumps(policy),
            key_usage=props.get("KeyUsage", "ENCRYPT_DECRYPT"),
            key_spec=props.get("KeySpec", "SYMMETRIC_DEFAULT"),
            description=props.get("Description", ""),
            tags=[{"TagKey": t["Key"], "TagValue": t["Value"]} for t in props.get("Tags", [])],
            multi_region=_bool(props.get("MultiRegion", False)),
        )
        if _bool(props.get("EnableKeyRotation", False)):
            backend.enable_key_rotation(key.id)
            setattr(
                key,
                ROTATION_PERIOD_ATTR,
                int(props.get("RotationPeriodInDays", DEFAULT_ROTATION_PERIOD_DAYS)),
            )
        if not _bool(props.get("Enabled", True)):
            backend.disable_key(key.id)
        return key


def _with_rotation_period(original: Callable[[KmsResponse], str]) -> Callable[[KmsResponse], str]:
    """GetKeyRotationStatus that also returns RotationPeriodInDays, as AWS does."""

    def get_key_rotation_status(self: KmsResponse) -> str:
        body = json.loads(original(self))
        key = self.kms_backend.describe_key(self._get_param("KeyId"))
        period = getattr(key, ROTATION_PERIOD_ATTR, None)
        if body.get("KeyRotationEnabled") and period is not None:
            body["RotationPeriodInDays"] = period
        return json.dumps(body)

    return get_key_rotation_status


# --------------------------------------------------------------------------- parameters


def _with_parameter_constraints(
    original: Callable[[parsing.ResourceMap], None],
) -> Callable[[parsing.ResourceMap], None]:
    """Stack parameters checked against AllowedPattern/AllowedValues, as CloudFormation does."""

    def load_parameters(self: parsing.ResourceMap) -> None:
        original(self)
        for name, slot in self._template.get("Parameters", {}).items():
            value = self.resolved_parameters.get(name)
            for item in value if isinstance(value, list) else [value]:
                pattern = slot.get("AllowedPattern")
                if pattern is not None and not re.fullmatch(pattern, str(item)):
                    raise ValidationError(
                        message=f"Parameter '{name}' must match pattern {pattern}"
                    )
                allowed = slot.get("AllowedValues")
                if allowed is not None and str(item) not in [str(a) for a in allowed]:
                    raise ValidationError(
                        message=f"Parameter '{name}' must be one of AllowedValues"
                    )

    return load_parameters


# --------------------------------------------------------------------------- activation

EXTENSION_MODELS: dict[str, Any] = {
    "AWS::S3::Bucket": EmulatedBucket,
    "AWS::S3::BucketPolicy": EmulatedBucketPolicy,
    "AWS::CloudTrail::Trail": EmulatedTrail,
    "AWS::SNS::TopicPolicy": EmulatedTopicPolicy,
    "AWS::SNS::Topic": EmulatedSnsTopic,
    "AWS::Events::EventBus": EmulatedEventBus,
    "AWS::KMS::Key": EmulatedKmsKey,
    "AWS::IAM::Role": EmulatedIamRole,
}


@contextmanager
def activate() -> Iterator[None]:
    """Use the extension models inside this block (combine with moto's `mock_aws()`)."""
    # moto caches its model registry on first use; fill those caches with moto's own models
    # before patching, so nothing of the extension can end up cached beyond this block.
    base_map = dict(parsing.get_model_map())
    base_list = list(parsing.get_model_list())
    parsing.get_name_type_map()
    replaced = set(EXTENSION_MODELS)

    def get_model_map() -> dict[str, Any]:
        return {**base_map, **EXTENSION_MODELS}

    def get_model_list() -> list[Any]:
        kept = [m for m in base_list if m.cloudformation_type() not in replaced]
        return kept + list(EXTENSION_MODELS.values())

    with (
        mock.patch.object(parsing, "get_model_map", get_model_map),
        mock.patch.object(parsing, "get_model_list", get_model_list),
        mock.patch.object(
            parsing.ResourceMap,
            "load_parameters",
            _with_parameter_constraints(parsing.ResourceMap.load_parameters),
        ),
        mock.patch.object(
            KmsResponse,
            "get_key_rotation_status",
            _with_rotation_period(KmsResponse.get_key_rotation_status),
        ),
        mock.patch.object(
            S3Response,
            "get_bucket_replication",
            _stored_replication(S3Response.get_bucket_replication),
        ),
        mock.patch.object(
            S3Response, "get_bucket_logging", _with_key_format(S3Response.get_bucket_logging)
        ),
        mock.patch.object(
            S3Response,
            "get_bucket_lifecycle",
            _with_minimum_object_size(S3Response.get_bucket_lifecycle),
        ),
        mock.patch.object(Trail, "description", _with_selector_flags(Trail.description)),
        mock.patch.object(
            MotoEventsRule, "send_to_targets", _with_sns_targets(MotoEventsRule.send_to_targets)
        ),
    ):
        yield

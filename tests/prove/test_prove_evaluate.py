"""The evaluator: principalmapper's verdict and the statements behind it, on small policies."""

from __future__ import annotations

from typing import Any

import pytest

from cfct_build.prove.evaluate import (
    IDENTITY,
    SCP,
    Actor,
    Decision,
    EvaluatorError,
    Policy,
    Request,
    evaluate,
    pmapper,
    request_context,
    with_condition_variables,
)

ROLE = "arn:aws:iam::111111111111:role/Admin"
OTHER = "arn:aws:iam::222222222222:role/Admin"
BUCKET = "arn:aws:s3:::b"
ADMIN = Policy(
    IDENTITY,
    "admin",
    {"Statement": [{"Sid": "All", "Effect": "Allow", "Action": "*", "Resource": "*"}]},
)
GUARD = Policy(
    SCP,
    "guard",
    {
        "Statement": [
            {
                "Sid": "NoDelete",
                "Effect": "Deny",
                "Action": "s3:DeleteObject",
                "Resource": f"{BUCKET}/*",
                "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Exempt"}},
            }
        ]
    },
)


def _bucket_policy(*statements: dict[str, Any]) -> Policy:
    return Policy("bucket policy", "bp", {"Statement": list(statements)})


def test_scp_deny_decides_for_a_member_account() -> None:
    actor = Actor("admin", ROLE, (ADMIN,), "o-x", under_scps=True)
    request = Request("s3:DeleteObject", f"{BUCKET}/k", None)
    assert evaluate(actor, request, [GUARD]) == Decision(False, ("SCP:NoDelete",))


def test_scps_do_not_apply_where_the_actor_is_not_under_them() -> None:
    actor = Actor("admin", ROLE, (ADMIN,), "o-x", under_scps=False)
    request = Request("s3:DeleteObject", f"{BUCKET}/k", None)
    assert evaluate(actor, request, [GUARD]) == Decision(True, ("identity policy:All",))


def test_exempt_principal_passes_the_scp() -> None:
    actor = Actor("x", "arn:aws:iam::111111111111:role/Exempt", (ADMIN,), "o-x", under_scps=True)
    request = Request("s3:DeleteObject", f"{BUCKET}/k", None)
    assert evaluate(actor, request, [GUARD]).allowed is True


def test_cross_account_without_resource_policy_is_an_implicit_deny() -> None:
    actor = Actor("admin", OTHER, (ADMIN,), "o-x")
    request = Request("s3:DeleteObject", f"{BUCKET}/k", "111111111111")
    assert evaluate(actor, request, []) == Decision(
        False, ("implicit: cross-account, and the resource has no policy",)
    )


def test_service_principal_is_decided_by_the_resource_policy_alone() -> None:
    allow = {
        "Sid": "Ct",
        "Effect": "Allow",
        "Principal": {"Service": "cloudtrail.amazonaws.com"},
        "Action": "s3:PutObject",
        "Resource": f"{BUCKET}/*",
        "Condition": {"StringEquals": {"aws:SourceArn": "arn:aws:cloudtrail:r:1:trail/t"}},
    }
    tls = {
        "Sid": "Tls",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": f"{BUCKET}/*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    ct = Actor("CloudTrail", "cloudtrail.amazonaws.com")
    bp = _bucket_policy(allow, tls)
    ok = Request(
        "s3:PutObject", f"{BUCKET}/k", "1", bp, {"aws:SourceArn": "arn:aws:cloudtrail:r:1:trail/t"}
    )
    assert evaluate(ct, ok, [GUARD]) == Decision(True, ("bucket policy:Ct",))
    http = Request(
        "s3:PutObject", f"{BUCKET}/k", "1", bp, {**ok.context, "aws:SecureTransport": "false"}
    )
    assert evaluate(ct, http, [GUARD]) == Decision(False, ("bucket policy:Tls",))
    other = Request(
        "s3:PutObject", f"{BUCKET}/k", "1", bp, {"aws:SourceArn": "arn:aws:cloudtrail:r:2:trail/t"}
    )
    assert evaluate(ct, other, [GUARD]) == Decision(
        False, ("implicit: no bucket policy statement allows cloudtrail.amazonaws.com",)
    )


def test_kms_needs_the_key_policy_even_in_the_same_account() -> None:
    actor = Actor("admin", ROLE, (ADMIN,), "o-x")
    key = "arn:aws:kms:us-east-1:111111111111:key/k"
    empty = Policy("key policy", "kp", {"Statement": []})
    request = Request("kms:Decrypt", key, "111111111111", empty)
    assert evaluate(actor, request, []) == Decision(
        False, ("implicit: the key policy grants nothing to this principal",)
    )


def test_request_context_is_filled_like_aws_then_overridden() -> None:
    actor = Actor("admin", ROLE, (ADMIN,), "o-x")
    request = Request("s3:GetObject", BUCKET, None, context={"aws:SecureTransport": "false"})
    assert request_context(actor, request) == {
        "aws:SecureTransport": "false",
        "aws:PrincipalIsAWSService": "false",
        "aws:PrincipalArn": ROLE,
        "aws:PrincipalAccount": "111111111111",
        "aws:PrincipalOrgID": "o-x",
    }


def test_a_verdict_contradicting_a_matching_deny_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    qi = pmapper()
    monkeypatch.setattr(qi, "local_check_authorization_full", lambda *a: True)
    actor = Actor("admin", ROLE, (ADMIN,), "o-x", under_scps=True)
    with pytest.raises(EvaluatorError) as exc:
        evaluate(actor, Request("s3:DeleteObject", f"{BUCKET}/k", None), [GUARD])
    assert str(exc.value) == (
        f"principalmapper allowed s3:DeleteObject on {BUCKET}/k for {ROLE} although "
        "SCP:NoDelete match"
    )


def test_policy_without_removes_statements_by_sid() -> None:
    assert GUARD.without(frozenset({"NoDelete"})).document == {"Statement": []}
    assert GUARD.without(frozenset({"Other"})).document == GUARD.document


def test_policy_variables_in_conditions_take_the_request_context() -> None:
    """IAM substitutes ${aws:PrincipalAccount} in condition values too; PMapper only in
    Resource, so the evaluator substitutes it first (an absent key stays and matches nothing)."""
    own_prefix = _bucket_policy(
        {
            "Sid": "ListOwnPrefix",
            "Effect": "Allow",
            "Principal": {"AWS": ["*"]},
            "Action": "s3:ListBucket",
            "Resource": BUCKET,
            "Condition": {"StringLike": {"s3:prefix": ["logs/${aws:PrincipalAccount}/*"]}},
        }
    )
    actor = Actor("reader", OTHER, (ADMIN,), "o-x")

    def listing(prefix: str) -> Decision:
        context = {"s3:prefix": prefix}
        return evaluate(
            actor, Request("s3:ListBucket", BUCKET, "111111111111", own_prefix, context), []
        )

    assert [listing("logs/222222222222/x"), listing("logs/111111111111/x")] == [
        Decision(True, ("bucket policy:ListOwnPrefix", "identity policy:All")),
        Decision(False, ("implicit: cross-account, and the bucket policy grants nothing",)),
    ]
    anonymous = Actor("service", "cloudtrail.amazonaws.com")
    assert (
        with_condition_variables(
            own_prefix, request_context(anonymous, Request("s3:ListBucket", BUCKET, None))
        )
        is own_prefix
    )

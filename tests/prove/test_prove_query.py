"""The query path in the proof: a reader of the audit account can run a named query end to end."""

from __future__ import annotations

from dataclasses import replace

from cfct_build.config import Settings
from cfct_build.prove import evaluate_case, prove
from cfct_build.prove.cases import build_matrix
from cfct_build.prove.policies import generated

# What running a named query takes, step by step, and who decides each step.
RUN_A_NAMED_QUERY = {
    "query-reader-start-query": (
        "athena:StartQueryExecution",
        "arn:aws:athena:us-east-1:333333333333:workgroup/cfct-build-log-archive",
    ),
    "query-reader-get-table": (
        "glue:GetTable",
        "arn:aws:glue:us-east-1:333333333333:table/cfct_build_log_archive/cloudtrail",
    ),
    "query-reader-read-log": (
        "s3:GetObject",
        "arn:aws:s3:::cfct-build-cloudtrail-222222222222-us-east-1/cloudtrail/AWSLogs/o-a1b2c3d4e5/"
        "222222222222/CloudTrail/us-east-1/2026/01/01/"
        "222222222222_CloudTrail_us-east-1_20260101T0000Z_a1b2.json.gz",
    ),
    "query-reader-write-results": (
        "s3:PutObject",
        "arn:aws:s3:::cfct-build-cloudtrail-query-results-333333333333-us-east-1/results/"
        "0a1b2c3d-query.csv",
    ),
    "query-reader-decrypt-log": (
        "kms:Decrypt",
        "arn:aws:kms:us-east-1:333333333333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    ),
}


def test_a_reader_of_the_audit_account_can_run_a_named_query(settings: Settings) -> None:
    rows = {r.case.id: r for r in prove(settings).rows}
    for case_id, (action, resource) in RUN_A_NAMED_QUERY.items():
        row = rows[case_id]
        assert (row.case.actor.arn, row.case.action, row.case.resource) == (
            "arn:aws:iam::333333333333:role/SecurityLogReader",
            action,
            resource,
        )
        assert (row.case.expected, row.decision.allowed) == (True, True), case_id


def test_the_reader_policy_alone_is_not_enough_without_its_statements(settings: Settings) -> None:
    """Each step needs the generated reader policy: without it every step is refused."""
    sids = frozenset(
        {
            "QueryRunInWorkgroup",
            "QueryReadTableDefinition",
            "QueryReadArchivedLogs",
            "QueryWriteAndReadResults",
            "QueryUseLogKeyThroughS3",
        }
    )
    rows = {r.case.id: r for r in prove(settings, without=sids).rows}
    assert {c: rows[c].decision.allowed for c in RUN_A_NAMED_QUERY} == dict.fromkeys(
        RUN_A_NAMED_QUERY, False
    )


def test_the_reader_gets_the_policy_through_the_stacks_attachment(settings: Settings) -> None:
    """With query.attach_reader_policy the reader's identity policy is the one the generated
    template attaches to it: a template attaching it to no role, or to another role, fails
    every step."""
    original = generated(settings)
    assert original.query_reader_roles == ("SecurityLogReader",)
    matrix = build_matrix(settings, original)
    cases = [c for c in matrix.cases if c.id in RUN_A_NAMED_QUERY]
    assert {c.actor.label for c in cases} == {
        "query reader (settings; the stack attaches the reader policy)"
    }
    for roles in [(), ("OtherReader",)]:
        detached = replace(original, query_reader_roles=roles)
        assert {c.id: evaluate_case(c, detached).allowed for c in cases} == dict.fromkeys(
            RUN_A_NAMED_QUERY, False
        )


def test_without_the_attachment_the_reader_is_assumed_to_have_it(settings: Settings) -> None:
    off = settings.model_copy(
        update={"query": settings.query.model_copy(update={"attach_reader_policy": False})}
    )
    assert generated(off).query_reader_roles is None
    rows = {r.case.id: r for r in prove(off).rows}
    for case_id in RUN_A_NAMED_QUERY:
        assert rows[case_id].case.actor.label == (
            "query reader (settings; reader policy attached by hand)"
        )
        assert rows[case_id].decision.allowed, case_id

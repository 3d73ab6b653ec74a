"""The named queries: each parses as Trino SQL, reads only the table's columns, prunes by day."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlglot
from sqlglot import exp

from cfct_build import naming, queries
from cfct_build.components.query import COLUMNS, PARTITION_KEYS
from cfct_build.config import Settings
from cfct_build.queries import NamedQuery, named_queries

TABLE_NAMES = {naming.QUERY_TABLE}


def _variant(settings: Settings, **changes: Any) -> Settings:
    data = settings.model_dump()
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        target = data
        for part in parents:
            target = target[part]
        target[last] = value
    return Settings.model_validate(data)


def _all_variants(settings: Settings) -> list[Settings]:
    return [
        settings,
        _variant(settings, bucket__replica_region=None, query__known_ip_ranges=[]),
        _variant(
            settings,
            trail__management_events={"enabled": True, "read_write": "all", "exclude_kms": False},
            key__account="log_archive",
            key__admin_roles=[],
        ),
    ]


def _queries(settings: Settings) -> list[tuple[str, NamedQuery]]:
    return [
        (f"{i}-{q.logical_id}", q)
        for i, s in enumerate(_all_variants(settings))
        for q in named_queries(s)
    ]


# --------------------------------------------------------------------------- schema


def hive_type(text: str) -> exp.DataType:
    """A Glue column type (Hive DDL) as sqlglot reads it."""
    return exp.DataType.build(text, dialect="hive")


def schema() -> dict[str, exp.DataType]:
    """Every column the queries may read: the table's columns and its partition keys."""
    columns = {name: hive_type(t) for name, t in COLUMNS}
    columns.update({name: hive_type("string") for name in PARTITION_KEYS})
    return columns


def struct_field(t: exp.DataType, name: str) -> exp.DataType | None:
    if t.this != exp.DataType.Type.STRUCT:
        return None
    for field in t.expressions:
        if field.name == name:
            kind: exp.DataType = field.args["kind"]
            return kind
    return None


def unknown_references(sql: str) -> list[str]:
    """Column references that are neither a column, a partition key, a struct field of a column
    (useridentity.sessioncontext.attributes...), nor an output alias (ORDER BY calls)."""
    tree = sqlglot.parse_one(sql, read="trino")
    columns = schema()
    aliases = {a.alias for a in tree.find_all(exp.Alias)}
    tables = {t.name for t in tree.find_all(exp.Table)} | {
        t.alias for t in tree.find_all(exp.Table) if t.alias
    }
    unknown = []
    for column in tree.find_all(exp.Column):
        parts = [p.name for p in column.parts]
        if len(parts) > 1 and parts[0] in tables:
            parts = parts[1:]
        head, *path = parts
        if not path and head in aliases:
            continue
        t = columns.get(head)
        for name in path:
            t = struct_field(t, name) if t is not None else None
        if t is None:
            unknown.append(".".join(parts))
    return unknown


def test_schema_types_parse_as_hive_types() -> None:
    """Every Glue column type is a valid Hive type (sqlglot reads it back unchanged)."""
    for name, t in COLUMNS:
        assert hive_type(t).sql(dialect="hive").lower().replace(" ", "") == t, name


def test_schema_has_the_standard_cloudtrail_columns() -> None:
    assert [name for name, _ in COLUMNS] == [
        "eventversion",
        "useridentity",
        "eventtime",
        "eventsource",
        "eventname",
        "awsregion",
        "sourceipaddress",
        "useragent",
        "errorcode",
        "errormessage",
        "requestparameters",
        "responseelements",
        "additionaleventdata",
        "requestid",
        "eventid",
        "readonly",
        "resources",
        "eventtype",
        "apiversion",
        "recipientaccountid",
        "serviceeventdetails",
        "sharedeventid",
        "vpcendpointid",
        "vpcendpointaccountid",
        "eventcategory",
        "addendum",
        "sessioncredentialfromconsole",
        "edgedevicedetails",
        "tlsdetails",
    ]
    assert PARTITION_KEYS == ("account", "region", "timestamp")


def test_the_reference_checker_catches_what_it_should() -> None:
    """The checker itself can fail: unknown columns, unknown struct fields, struct misuse."""
    sql = (
        "SELECT eventname, bogus, useridentity.nope, useridentity.sessioncontext.attributes.x, "
        "eventtime.y, useridentity.sessioncontext.sessionissuer.arn, t.eventsource, n AS m "
        'FROM "db"."cloudtrail" AS t ORDER BY m'
    )
    assert unknown_references(sql) == [
        "bogus",
        "useridentity.nope",
        "useridentity.sessioncontext.attributes.x",
        "eventtime.y",
        "n",
    ]


# --------------------------------------------------------------------------- every query


def test_every_query_parses_as_trino_and_reads_only_table_columns(settings: Settings) -> None:
    for key, q in _queries(settings):
        tree = sqlglot.parse_one(q.sql, read="trino")
        assert isinstance(tree, exp.Select), key
        assert unknown_references(q.sql) == [], key


def test_every_query_reads_only_the_cloudtrail_table(settings: Settings) -> None:
    for key, q in _queries(settings):
        tree = sqlglot.parse_one(q.sql, read="trino")
        tables = [(t.db, t.name) for t in tree.find_all(exp.Table)]
        assert tables == [(naming.QUERY_DATABASE, naming.QUERY_TABLE)], key


def _conjuncts(where: exp.Expression) -> list[exp.Expression]:
    return list(where.flatten()) if isinstance(where, exp.And) else [where]


@pytest.mark.parametrize("days", [1, 7])
def test_window_condition_is_exact_text(days: int) -> None:
    assert queries._window(days) == (
        f"\"timestamp\" >= date_format(current_date - INTERVAL '{days}' DAY, '%Y/%m/%d')\n"
        f"  AND from_iso8601_timestamp(eventtime) >= current_timestamp - INTERVAL '{days}' DAY"
    )


def test_every_query_prunes_on_the_timestamp_partition(settings: Settings) -> None:
    """A top-level AND condition `"timestamp" >= <constant>`: Athena computes the days to read
    from it before reading anything (no column of the data in the bound)."""
    for key, q in _queries(settings):
        tree = sqlglot.parse_one(q.sql, read="trino")
        where = tree.args["where"].this
        prunes = [
            c
            for c in _conjuncts(where)
            if isinstance(c, exp.GTE)
            and isinstance(c.this, exp.Column)
            and c.this.name == "timestamp"
            and not list(c.expression.find_all(exp.Column))
        ]
        assert len(prunes) == 1, key
        assert prunes[0].expression.sql(dialect="trino") in (
            "DATE_FORMAT(CURRENT_DATE - INTERVAL '1' DAY, '%Y/%m/%d')",
            "DATE_FORMAT(CURRENT_DATE - INTERVAL '7' DAY, '%Y/%m/%d')",
        ), key


def test_names_and_logical_ids(settings: Settings) -> None:
    assert [(q.logical_id, q.name) for q in named_queries(settings)] == [
        ("RoleAssumptionsQuery", "cfct-build: role assumptions in the last day"),
        ("FailedCallsQuery", "cfct-build: failed and denied calls in the last day"),
        (
            "TamperingQuery",
            "cfct-build: attempts to stop or change the trail, log buckets or key (7 days)",
        ),
        ("RootActivityQuery", "cfct-build: root user activity (7 days)"),
        ("ConsoleLoginsWithoutMfaQuery", "cfct-build: console logins without MFA (7 days)"),
        (
            "CallsFromUnknownNetworksQuery",
            "cfct-build: calls from outside the known IP ranges in the last day",
        ),
    ]


def test_unknown_networks_query_only_with_known_ranges(settings: Settings) -> None:
    s = _variant(settings, query__known_ip_ranges=[])
    assert "CallsFromUnknownNetworksQuery" not in [q.logical_id for q in named_queries(s)]
    assert len(named_queries(s)) == 5


def test_descriptions_fit_athena(settings: Settings) -> None:
    for key, q in _queries(settings):
        assert 1 <= len(q.description) <= 1024, key
        assert 1 <= len(q.name) <= 128, key
        assert 1 <= len(q.sql.encode()) <= 262144, key


# --------------------------------------------------------------------------- exact SQL


def test_role_assumptions_sql_is_exactly_this(settings: Settings) -> None:
    assert queries.role_assumptions(settings).sql == (
        "SELECT\n"
        "  eventtime,\n"
        "  recipientaccountid AS account_id,\n"
        "  useridentity.type AS caller_type,\n"
        "  useridentity.arn AS caller,\n"
        "  eventname,\n"
        "  json_extract_scalar(requestparameters, '$.roleArn') AS role_arn,\n"
        "  json_extract_scalar(requestparameters, '$.roleSessionName') AS session_name,\n"
        "  sourceipaddress,\n"
        "  errorcode\n"
        'FROM "cfct_build_log_archive"."cloudtrail"\n'
        "WHERE \"timestamp\" >= date_format(current_date - INTERVAL '1' DAY, '%Y/%m/%d')\n"
        "  AND from_iso8601_timestamp(eventtime) >= current_timestamp - INTERVAL '1' DAY\n"
        "  AND eventsource = 'sts.amazonaws.com'\n"
        "  AND eventname IN ('AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity', "
        "'AssumeRoot')\n"
        "  AND useridentity.type <> 'AWSService'\n"
        "ORDER BY eventtime DESC\n"
    )


def _where_text(sql: str) -> str:
    return sql.split("WHERE ", 1)[1].split("\nORDER BY", 1)[0].split("\nGROUP BY", 1)[0]


def test_tampering_names_our_trail_buckets_and_key_places(settings: Settings) -> None:
    where = _where_text(queries.tampering(settings).sql)
    assert where == (
        "\"timestamp\" >= date_format(current_date - INTERVAL '7' DAY, '%Y/%m/%d')\n"
        "  AND from_iso8601_timestamp(eventtime) >= current_timestamp - INTERVAL '7' DAY\n"
        "  AND (\n"
        "    (\n"
        "      eventsource = 'cloudtrail.amazonaws.com'\n"
        "      AND eventname IN ('DeleteTrail', 'PutEventSelectors', 'PutInsightSelectors', "
        "'StopLogging', 'UpdateTrail')\n"
        "      AND element_at(split(coalesce(json_extract_scalar(requestparameters, '$.name'), "
        "json_extract_scalar(requestparameters, '$.trailName')), '/'), -1) = "
        "'cfct-build-org-data-events'\n"
        "    )\n"
        "    OR (\n"
        "      eventsource = 's3.amazonaws.com'\n"
        "      AND eventname IN ('DeleteBucket', 'DeleteBucketEncryption', "
        "'DeleteBucketLifecycle', 'DeleteBucketOwnershipControls', 'DeleteBucketPolicy', "
        "'DeleteBucketPublicAccessBlock', 'DeleteBucketReplication', 'PutBucketEncryption', "
        "'PutBucketLifecycle', 'PutBucketLifecycleConfiguration', 'PutBucketLogging', "
        "'PutBucketOwnershipControls', 'PutBucketPolicy', 'PutBucketPublicAccessBlock', "
        "'PutBucketReplication', 'PutBucketVersioning', 'PutObjectLockConfiguration')\n"
        "      AND json_extract_scalar(requestparameters, '$.bucketName') IN "
        "('cfct-build-cloudtrail-222222222222-us-east-1', "
        "'cfct-build-cloudtrail-access-logs-222222222222-us-east-1', "
        "'cfct-build-cloudtrail-replica-222222222222-us-west-2')\n"
        "    )\n"
        "    OR (\n"
        "      eventsource = 'kms.amazonaws.com'\n"
        "      AND eventname IN ('CreateGrant', 'DeleteAlias', 'DisableKey', "
        "'DisableKeyRotation', 'PutKeyPolicy', 'ScheduleKeyDeletion', 'UpdateAlias')\n"
        "      AND ((recipientaccountid = '333333333333' AND awsregion = 'us-east-1') OR "
        "(recipientaccountid = '222222222222' AND awsregion = 'us-west-2'))\n"
        "    )\n"
        "  )"
    )


def test_tampering_without_replica_and_key_elsewhere(settings: Settings) -> None:
    s = _variant(
        settings, bucket__replica_region=None, key__account="management", key__admin_roles=[]
    )
    where = _where_text(queries.tampering(s).sql)
    assert "'cfct-build-cloudtrail-replica-" not in where
    assert (
        "      AND json_extract_scalar(requestparameters, '$.bucketName') IN "
        "('cfct-build-cloudtrail-222222222222-us-east-1', "
        "'cfct-build-cloudtrail-access-logs-222222222222-us-east-1')\n"
    ) in where
    assert (
        "      AND ((recipientaccountid = '111111111111' AND awsregion = 'us-east-1'))\n" in where
    )


def test_failed_calls_groups_and_orders_denials_first(settings: Settings) -> None:
    tree = sqlglot.parse_one(queries.failed_calls(settings).sql, read="trino")
    assert [e.sql(dialect="trino") for e in tree.args["group"].expressions] == [
        "recipientaccountid",
        "useridentity.arn",
        "eventsource",
        "eventname",
        "errorcode",
    ]
    assert tree.args["order"].sql(dialect="trino") == "ORDER BY denied DESC, calls DESC"
    assert "  AND errorcode IS NOT NULL" in queries.failed_calls(settings).sql


def test_console_logins_without_mfa_conditions(settings: Settings) -> None:
    where = _where_text(queries.console_logins_without_mfa(settings).sql)
    assert where.splitlines()[2:] == [
        "  AND eventsource = 'signin.amazonaws.com'",
        "  AND eventname = 'ConsoleLogin'",
        "  AND useridentity.type IN ('Root', 'IAMUser')",
        "  AND coalesce(json_extract_scalar(additionaleventdata, '$.MFAUsed'), 'No') <> 'Yes'",
    ]


def test_root_activity_conditions(settings: Settings) -> None:
    where = _where_text(queries.root_activity(settings).sql)
    assert where.splitlines()[2:] == [
        "  AND useridentity.type = 'Root'",
        "  AND useridentity.invokedby IS NULL",
        "  AND eventtype <> 'AwsServiceEvent'",
    ]


def test_ip_ranges_become_first_and_last_address() -> None:
    assert queries.ip_range_conditions(["10.0.0.0/8", "192.0.2.7/32", "2001:db8::/126"]) == [
        "try_cast(sourceipaddress AS IPADDRESS) BETWEEN CAST('10.0.0.0' AS IPADDRESS) AND "
        "CAST('10.255.255.255' AS IPADDRESS)",
        "try_cast(sourceipaddress AS IPADDRESS) BETWEEN CAST('192.0.2.7' AS IPADDRESS) AND "
        "CAST('192.0.2.7' AS IPADDRESS)",
        "try_cast(sourceipaddress AS IPADDRESS) BETWEEN CAST('2001:db8::' AS IPADDRESS) AND "
        "CAST('2001:db8::3' AS IPADDRESS)",
    ]


def test_unknown_networks_query_excludes_every_known_range(settings: Settings) -> None:
    sql = queries.calls_from_unknown_networks(settings).sql
    tree = sqlglot.parse_one(sql, read="trino")
    (negation,) = [n for n in tree.find_all(exp.Not) if isinstance(n.this, exp.Paren)]
    ranges = [
        (b.args["low"].sql(dialect="trino"), b.args["high"].sql(dialect="trino"))
        for b in negation.find_all(exp.Between, bfs=False)
    ]
    assert ranges == [
        ("CAST('10.0.0.0' AS IPADDRESS)", "CAST('10.255.255.255' AS IPADDRESS)"),
        ("CAST('203.0.113.0' AS IPADDRESS)", "CAST('203.0.113.255' AS IPADDRESS)"),
        (
            "CAST('2001:db8::' AS IPADDRESS)",
            "CAST('2001:db8:ffff:ffff:ffff:ffff:ffff:ffff' AS IPADDRESS)",
        ),
    ]
    assert "  AND try_cast(sourceipaddress AS IPADDRESS) IS NOT NULL\n" in sql


def test_text_literals_are_escaped() -> None:
    assert queries._text("it's") == "'it''s'"
    tree = sqlglot.parse_one(f"SELECT {queries._text(chr(39) + ' OR 1=1 --')}", read="trino")
    assert [lit.this for lit in tree.find_all(exp.Literal)] == ["' OR 1=1 --"]


# --------------------------------------------------------------------------- descriptions


def test_descriptions_say_what_the_archive_lacks(settings: Settings) -> None:
    lacking = (
        " Needs management events: with trail.management_events.enabled false this archive has "
        "none, and this query finds nothing (Control Tower's own trail records them)."
    )
    by_id = {q.logical_id: q.description for q in named_queries(settings)}
    assert [k for k, d in by_id.items() if d.endswith(lacking)] == [
        "RoleAssumptionsQuery",
        "TamperingQuery",
        "ConsoleLoginsWithoutMfaQuery",
    ]
    on = _variant(
        settings,
        trail__management_events={"enabled": True, "read_write": "all", "exclude_kms": True},
    )
    by_id = {q.logical_id: q.description for q in named_queries(on)}
    assert [k for k, d in by_id.items() if "nothing" in d] == ["TamperingQuery"]
    assert by_id["TamperingQuery"].endswith(
        " KMS events are not recorded here (trail.management_events.exclude_kms is true): the "
        "key part finds nothing."
    )


def test_build_notes_that_management_events_are_missing(settings: Settings) -> None:
    """`cfct-build build` prints these (tests/test_cli.py has the whole stderr line)."""
    assert queries.settings_notes(settings) == [
        "trail.management_events.enabled is false, so the log archive holds no management "
        "events: the named queries for role assumptions, console logins without MFA and "
        "attempts to stop or change the trail, log buckets or key find nothing, and the "
        "root-activity query only root's data events. Control Tower's own trail records "
        "management events, in its own bucket, which the query table does not read. Set "
        "trail.management_events.enabled: true to query them here (README, Query path)."
    ]
    on = {"enabled": True, "read_write": "all", "exclude_kms": True}
    assert queries.settings_notes(_variant(settings, trail__management_events=on)) == []
    assert queries.settings_notes(_variant(settings, query__enabled=False)) == []


# --------------------------------------------------------------------------- projection values


def test_projected_accounts_and_regions(settings: Settings) -> None:
    assert queries.projected_accounts(settings) == [
        "111111111111",
        "222222222222",
        "333333333333",
        "444444444444",
        "555555555555",
    ]
    assert queries.projected_regions(settings) == ["us-east-1", "us-west-2", "eu-west-1"]
    s = _variant(
        settings,
        organization__governed_regions=["eu-west-1", "eu-central-1"],
        organization__home_region="eu-west-1",
        bucket__replica_region=None,
        query__accounts=["222222222222", "666666666666"],
    )
    assert queries.projected_regions(s) == ["eu-west-1", "eu-central-1", "us-east-1"]
    assert queries.projected_accounts(s) == [
        "111111111111",
        "222222222222",
        "333333333333",
        "666666666666",
    ]


def test_query_readers_are_the_audit_accounts(settings: Settings) -> None:
    assert queries.query_reader_roles(settings) == [
        "arn:aws:iam::333333333333:role/SecurityLogReader"
    ]


def test_readme_shows_the_role_assumption_query_as_generated(settings: Settings) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert f"```sql\n{queries.role_assumptions(settings).sql}```\n" in readme

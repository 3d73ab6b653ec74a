"""The named investigation queries of the query path: Athena (Trino) SQL text, one per incident question.

Each query reads the CloudTrail table of `components/query.py` by its full name and filters on
the `timestamp` partition column first, so partition projection reads only the days it needs
(`account` and `region` stay open: every projected account and Region is searched). A second
condition on `eventtime` makes the window exact (the partition filter works in whole UTC days).

What a query can find depends on what the organization trail records: management events (role
assumptions, console sign-ins, trail/bucket/key changes) are in this archive only with
`trail.management_events.enabled`, KMS events only with `exclude_kms: false`, and object-level
S3 events on the log buckets never (the trail leaves its own buckets out). Each description
says so for the settings it was built from, so an empty result is not mistaken for a clean one.

Values from the settings are inserted as SQL string literals (`_text`), never as SQL.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from cfct_build import naming
from cfct_build.config import GLOBAL_EVENTS_REGION, Settings
from cfct_build.tamper import BUCKET_EVENTS, KEY_EVENTS, TRAIL_EVENTS

TABLE = f'"{naming.QUERY_DATABASE}"."{naming.QUERY_TABLE}"'
ASSUME_ROLE_EVENTS = ("AssumeRole", "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity", "AssumeRoot")
# errorcode values that mean "not allowed" rather than "failed" (case-insensitive match).
DENIED_PATTERN = "(?i)denied|unauthorized|forbidden"


@dataclass(frozen=True)
class NamedQuery:
    logical_id: str  # CloudFormation logical ID of its AWS::Athena::NamedQuery
    name: str  # Athena's name, as listed in the console and by list-named-queries
    description: str
    sql: str


def _text(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def _texts(values: list[str] | tuple[str, ...]) -> str:
    return ", ".join(_text(v) for v in values)


def _window(days: int) -> str:
    """Partition pruning on whole UTC days, then the exact window on the event time."""
    return (
        f"\"timestamp\" >= date_format(current_date - INTERVAL '{days}' DAY, '%Y/%m/%d')\n"
        f"  AND from_iso8601_timestamp(eventtime) >= current_timestamp - INTERVAL '{days}' DAY"
    )


def _recorded(s: Settings, *, kms: bool = False) -> str:
    """What this archive lacks for a management-event query, for its description."""
    me = s.trail.management_events
    if not me.enabled:
        return (
            " Needs management events: with trail.management_events.enabled false this archive "
            "has none, and this query finds nothing (Control Tower's own trail records them)."
        )
    if kms and me.exclude_kms:
        return (
            " KMS events are not recorded here (trail.management_events.exclude_kms is true): "
            "the key part finds nothing."
        )
    return ""


MANAGEMENT_EVENTS_OFF = (
    "trail.management_events.enabled is false, so the log archive holds no management "
    "events: the named queries for role assumptions, console logins without MFA and attempts "
    "to stop or change the trail, log buckets or key find nothing, and the root-activity query "
    "only root's data events. Control Tower's own trail records management events, in its own "
    "bucket, which the query table does not read. Set trail.management_events.enabled: true "
    "to query them here (README, Query path)."
)


def settings_notes(s: Settings) -> list[str]:
    """What the settings leave the named queries unable to find, for `cfct-build build` to
    print as non-fatal notes (each query's description says it too)."""
    if s.query.enabled and not s.trail.management_events.enabled:
        return [MANAGEMENT_EVENTS_OFF]
    return []


def role_assumptions(s: Settings) -> NamedQuery:
    sql = f"""SELECT
  eventtime,
  recipientaccountid AS account_id,
  useridentity.type AS caller_type,
  useridentity.arn AS caller,
  eventname,
  json_extract_scalar(requestparameters, '$.roleArn') AS role_arn,
  json_extract_scalar(requestparameters, '$.roleSessionName') AS session_name,
  sourceipaddress,
  errorcode
FROM {TABLE}
WHERE {_window(1)}
  AND eventsource = 'sts.amazonaws.com'
  AND eventname IN ({_texts(ASSUME_ROLE_EVENTS)})
  AND useridentity.type <> 'AWSService'
ORDER BY eventtime DESC
"""
    return NamedQuery(
        "RoleAssumptionsQuery",
        "cfct-build: role assumptions in the last day",
        "Every AssumeRole* call of the last 24 hours in every projected account and Region, "
        "successful or not; assumptions by AWS services on your behalf are left out."
        + _recorded(s),
        sql,
    )


def failed_calls(s: Settings) -> NamedQuery:
    sql = f"""SELECT
  recipientaccountid AS account_id,
  useridentity.arn AS caller,
  eventsource,
  eventname,
  errorcode,
  regexp_like(errorcode, {_text(DENIED_PATTERN)}) AS denied,
  count(*) AS calls,
  min(eventtime) AS first_seen,
  max(eventtime) AS last_seen
FROM {TABLE}
WHERE {_window(1)}
  AND errorcode IS NOT NULL
GROUP BY recipientaccountid, useridentity.arn, eventsource, eventname, errorcode
ORDER BY denied DESC, calls DESC
"""
    return NamedQuery(
        "FailedCallsQuery",
        "cfct-build: failed and denied calls in the last day",
        "Calls of the last 24 hours that returned an error, grouped by caller, call and error "
        "code; access denials first (denied = true), then by count.",
        sql,
    )


def tampering(s: Settings) -> NamedQuery:
    org = s.organization
    buckets = [naming.archive_bucket(s), naming.access_log_bucket(s)]
    key_places = [
        f"(recipientaccountid = {_text(s.key_account_id)} AND awsregion = {_text(org.home_region)})"
    ]
    if s.bucket.replica_region:
        buckets.append(naming.replica_bucket(s))
        key_places.append(
            f"(recipientaccountid = {_text(org.log_archive_account)} "
            f"AND awsregion = {_text(s.bucket.replica_region)})"
        )
    # DeleteTrail, StopLogging and UpdateTrail name the trail in `name`, the selector calls in
    # `trailName`; either holds the name or the ARN (...:trail/<name>): its last '/' segment.
    trail_match = (
        "element_at(split(coalesce(json_extract_scalar(requestparameters, '$.name'), "
        "json_extract_scalar(requestparameters, '$.trailName')), '/'), -1) = "
        f"{_text(s.trail.name)}"
    )
    sql = f"""SELECT
  eventtime,
  recipientaccountid AS account_id,
  useridentity.arn AS caller,
  eventsource,
  eventname,
  errorcode,
  sourceipaddress,
  requestparameters
FROM {TABLE}
WHERE {_window(7)}
  AND (
    (
      eventsource = 'cloudtrail.amazonaws.com'
      AND eventname IN ({_texts(TRAIL_EVENTS)})
      AND {trail_match}
    )
    OR (
      eventsource = 's3.amazonaws.com'
      AND eventname IN ({_texts(BUCKET_EVENTS)})
      AND json_extract_scalar(requestparameters, '$.bucketName') IN ({_texts(buckets)})
    )
    OR (
      eventsource = 'kms.amazonaws.com'
      AND eventname IN ({_texts(KEY_EVENTS)})
      AND ({" OR ".join(key_places)})
    )
  )
ORDER BY eventtime DESC
"""
    return NamedQuery(
        "TamperingQuery",
        "cfct-build: attempts to stop or change the trail, log buckets or key (7 days)",
        f"Calls of the last 7 days, allowed or denied, that stop, delete or reconfigure trail "
        f"{s.trail.name}, change or delete the log buckets, or disable, delete or re-grant KMS "
        f"keys in the key's account and Region (all of its keys). Object deletions in the log "
        f"buckets are data events the trail never records about its own buckets."
        + _recorded(s, kms=True),
        sql,
    )


def root_activity(s: Settings) -> NamedQuery:
    sql = f"""SELECT
  eventtime,
  recipientaccountid AS account_id,
  eventsource,
  eventname,
  errorcode,
  sourceipaddress,
  useragent
FROM {TABLE}
WHERE {_window(7)}
  AND useridentity.type = 'Root'
  AND useridentity.invokedby IS NULL
  AND eventtype <> 'AwsServiceEvent'
ORDER BY eventtime DESC
"""
    me = s.trail.management_events.enabled
    return NamedQuery(
        "RootActivityQuery",
        "cfct-build: root user activity (7 days)",
        "Every call made as the root user of any projected account in the last 7 days (calls AWS "
        "services make on its behalf are left out)."
        + (
            ""
            if me
            else " Only data events are recorded here: root sign-ins and management "
            "calls are not (trail.management_events.enabled is false)."
        ),
        sql,
    )


def console_logins_without_mfa(s: Settings) -> NamedQuery:
    sql = f"""SELECT
  eventtime,
  recipientaccountid AS account_id,
  useridentity.type AS identity_type,
  useridentity.arn AS identity,
  json_extract_scalar(responseelements, '$.ConsoleLogin') AS result,
  sourceipaddress,
  useragent
FROM {TABLE}
WHERE {_window(7)}
  AND eventsource = 'signin.amazonaws.com'
  AND eventname = 'ConsoleLogin'
  AND useridentity.type IN ('Root', 'IAMUser')
  AND coalesce(json_extract_scalar(additionaleventdata, '$.MFAUsed'), 'No') <> 'Yes'
ORDER BY eventtime DESC
"""
    return NamedQuery(
        "ConsoleLoginsWithoutMfaQuery",
        "cfct-build: console logins without MFA (7 days)",
        "Console sign-ins of root and IAM users in the last 7 days that used no MFA, successful "
        "or not. Federated sign-ins (IAM Identity Center, SAML) authenticate at the identity "
        "provider and are left out." + _recorded(s),
        sql,
    )


def ip_range_conditions(cidrs: list[str]) -> list[str]:
    """One BETWEEN per known network: first and last address, compared as IPADDRESS values."""
    conditions = []
    for cidr in cidrs:
        network = ipaddress.ip_network(cidr, strict=True)
        first, last = network.network_address, network.broadcast_address
        conditions.append(
            f"try_cast(sourceipaddress AS IPADDRESS) BETWEEN CAST({_text(str(first))} AS "
            f"IPADDRESS) AND CAST({_text(str(last))} AS IPADDRESS)"
        )
    return conditions


def calls_from_unknown_networks(s: Settings) -> NamedQuery:
    known = "\n    OR ".join(ip_range_conditions(s.query.known_ip_ranges))
    sql = f"""SELECT
  sourceipaddress,
  recipientaccountid AS account_id,
  useridentity.arn AS caller,
  count(*) AS calls,
  count(DISTINCT eventname) AS distinct_calls,
  min(eventtime) AS first_seen,
  max(eventtime) AS last_seen
FROM {TABLE}
WHERE {_window(1)}
  AND try_cast(sourceipaddress AS IPADDRESS) IS NOT NULL
  AND useridentity.type <> 'AWSService'
  AND NOT (
    {known}
  )
GROUP BY sourceipaddress, recipientaccountid, useridentity.arn
ORDER BY calls DESC
"""
    return NamedQuery(
        "CallsFromUnknownNetworksQuery",
        "cfct-build: calls from outside the known IP ranges in the last day",
        f"Calls of the last 24 hours from an IP address outside the {len(s.query.known_ip_ranges)} "
        "networks of query.known_ip_ranges, grouped by address, account and caller. Calls made "
        "by AWS services (a service name instead of an address) are left out.",
        sql,
    )


def named_queries(s: Settings) -> list[NamedQuery]:
    """The investigations, in the order the README lists them."""
    queries = [
        role_assumptions(s),
        failed_calls(s),
        tampering(s),
        root_activity(s),
        console_logins_without_mfa(s),
    ]
    if s.query.known_ip_ranges:
        queries.append(calls_from_unknown_networks(s))
    return queries


def projected_regions(s: Settings) -> list[str]:
    """The governed Regions, plus the Region CloudTrail files global-service events under."""
    regions = list(s.organization.governed_regions)
    global_region = GLOBAL_EVENTS_REGION[s.partition]
    if global_region not in regions:
        regions.append(global_region)
    return regions


def projected_accounts(s: Settings) -> list[str]:
    """The management, log-archive and audit accounts, then query.accounts (each once)."""
    org = s.organization
    accounts = [org.management_account, org.log_archive_account, org.audit_account]
    return accounts + [a for a in s.query.accounts if a not in accounts]


def query_reader_roles(s: Settings) -> list[str]:
    """The reader roles that can run the queries: those of the audit account, where the
    workgroup and the table are (Athena workgroups and the Glue catalog are per account)."""
    return [a for a in s.key.reader_roles if a.split(":")[4] == s.organization.audit_account]

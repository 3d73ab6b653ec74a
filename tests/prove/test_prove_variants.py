"""The proof on other settings: optional parts on and off, other key accounts, no OUs."""

from __future__ import annotations

from typing import Any

import pytest

from cfct_build.config import Settings
from cfct_build.prove import prove

NO_OUS = [
    "wl-*-trail, wl-change-selectors, wl-leave-organization: organization.organizational_units "
    "is empty, so no guardrail SCP is attached",
    "scp-*, sse-scp-*: no organizational_units, so no guardrail SCP applies",
    "*-stacksets-exec-role, *-exempt-role, scp-other-role: no organizational_units, so no "
    "guardrail SCP applies",
]

QUERY_NO_READER = (
    "query-reader-*: no key.reader_roles in the audit account, so nobody can run the named queries"
)


def variant(settings: Settings, changes: dict[str, Any]) -> Settings:
    data = settings.model_dump()
    for dotted, value in changes.items():
        *parents, last = dotted.split(".")
        target = data
        for part in parents:
            target = target[part]
        target[last] = value
    return Settings.model_validate(data)


@pytest.mark.parametrize(
    ("changes", "cases", "failed", "skipped"),
    [
        pytest.param(
            {
                "key.account": "management",
                "key.admin_roles": ["arn:aws:iam::111111111111:role/KeyAdmin"],
                "key.reader_roles": ["arn:aws:iam::222222222222:role/LogArchiveReader"],
            },
            163,
            [],
            [QUERY_NO_READER],
            id="key-in-management",
        ),
        pytest.param(
            {
                "key.account": "log_archive",
                "key.admin_roles": ["arn:aws:iam::222222222222:role/KeyAdmin"],
            },
            179,
            [],
            [],
            id="key-in-log-archive",
        ),
        pytest.param(
            {"bucket.replica_region": None, "trail.cloudwatch_logs.enabled": False},
            164,
            [],
            [],
            id="no-replica-no-log-group",
        ),
        pytest.param({"bucket.deny_uploads_without_kms": True}, 180, [], [], id="deny-non-kms"),
        pytest.param({"organization.organizational_units": []}, 143, [], NO_OUS, id="no-ous"),
        pytest.param({"organization.organizational_units": ["Root"]}, 179, [], [], id="root"),
        pytest.param(
            {"baseline.own_logs_reader.enabled": False},
            160,
            [],
            ["own-reader-*: baseline.own_logs_reader.enabled is false"],
            id="no-own-logs-reader",
        ),
        pytest.param(
            {"baseline.tamper_alerts.enabled": False},
            171,
            [],
            ["forwarder-*, alerts-*: baseline.tamper_alerts.enabled is false"],
            id="no-tamper-alerts",
        ),
        pytest.param(
            {"query.enabled": False}, 162, [], ["query-*: query.enabled is false"], id="no-query"
        ),
    ],
)
def test_variant(
    settings: Settings,
    changes: dict[str, Any],
    cases: int,
    failed: list[str],
    skipped: list[str],
) -> None:
    proof = prove(variant(settings, changes))
    assert (len(proof.rows), [r.case.id for r in proof.failed], proof.skipped) == (
        cases,
        failed,
        skipped,
    )


def test_key_admin_outside_the_scps_keeps_destruction(settings: Settings) -> None:
    """With the key in the management account, no SCP takes deletion from its admins."""
    s = variant(
        settings,
        {
            "key.account": "management",
            "key.admin_roles": ["arn:aws:iam::111111111111:role/KeyAdmin"],
            "key.reader_roles": [],
        },
    )
    rows = {r.case.id: r for r in prove(s).rows}
    row = rows["key-admin-schedule-deletion"]
    assert (row.case.expected, row.decision.decided_by, row.case.note) == (
        True,
        ("key policy:KeyAdministrators", "identity policy:AdministratorAccess"),
        "no guardrail SCP applies to this role",
    )
    assert rows["mgmt-schedule-key-deletion"].decision.decided_by == (
        "key policy:DenyKeyDestructionExceptAdministrators",
    )

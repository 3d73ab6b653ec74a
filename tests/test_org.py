"""org.py: snapshot files (round trip, located errors, State/Status), the model's lookups, and
the live read against moto Organizations + CloudFormation (paging, throttling, progress)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from moto import mock_aws
from moto.core.botocore_stubber import MockRawResponse

from cfct_build import org as orgmod
from cfct_build.errors import Problem
from cfct_build.org import (
    Account,
    Organization,
    OrganizationalUnit,
    OrgReadError,
    SnapshotError,
    load_snapshot,
    parse_snapshot,
    read_live,
    save_snapshot,
    snapshot_text,
)
from moto_org import BASELINE, MANAGEMENT, aws_env, build_org, expected_org  # noqa: F401

FIXTURES = Path(__file__).parent / "fixtures" / "org"
EXAMPLE = FIXTURES / "example.json"


# --------------------------------------------------------------------------- snapshot files


@pytest.mark.parametrize("name", ["example.json", "traps.json", "previous.json"])
def test_fixture_snapshots_round_trip_byte_for_byte(name: str) -> None:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    assert snapshot_text(parse_snapshot(text, name)) == text


def test_save_snapshot_writes_the_snapshot_text(tmp_path: Path) -> None:
    org = load_snapshot(EXAMPLE)
    target = tmp_path / "org.json"
    save_snapshot(org, target)
    assert target.read_text(encoding="utf-8") == EXAMPLE.read_text(encoding="utf-8")
    assert [p.name for p in tmp_path.iterdir()] == ["org.json"]  # no temporary file left


def _doc(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "version": 1,
        "organization_id": "o-a1b2c3d4e5",
        "management_account": MANAGEMENT,
        "root": {"id": "r-a1b2", "scps": ["FullAWSAccess"]},
        "organizational_units": [
            {"id": "ou-a1b2-11111111", "name": "Security", "parent": "r-a1b2", "scps": []}
        ],
        "accounts": [
            {
                "id": MANAGEMENT,
                "name": "Management",
                "parent": "r-a1b2",
                "state": "ACTIVE",
                "enrolled": False,
            },
            {
                "id": "333333333333",
                "name": "Audit",
                "parent": "ou-a1b2-11111111",
                "state": "ACTIVE",
                "enrolled": True,
            },
        ],
    }
    doc.update(changes)
    return doc


def test_state_is_read_and_status_is_only_a_fallback() -> None:
    doc = _doc()
    doc["accounts"][1] = {
        "id": "333333333333",
        "name": "Audit",
        "parent": "ou-a1b2-11111111",
        "status": "SUSPENDED",  # no state: the retired field is the fallback
        "enrolled": True,
    }
    doc["accounts"].append(
        {
            "id": "444444444444",
            "name": "Closed",
            "parent": "ou-a1b2-11111111",
            "state": "CLOSED",  # State wins where both are present
            "status": "SUSPENDED",
            "enrolled": False,
        }
    )
    org = parse_snapshot(json.dumps(doc), "s.json")
    assert org.accounts == (
        Account(MANAGEMENT, "Management", "r-a1b2", "ACTIVE", False),
        Account("333333333333", "Audit", "ou-a1b2-11111111", "SUSPENDED", True, "", "SUSPENDED"),
        Account("444444444444", "Closed", "ou-a1b2-11111111", "CLOSED", False, "", "SUSPENDED"),
    )


def _problems(text: str) -> list[str]:
    with pytest.raises(SnapshotError) as info:
        parse_snapshot(text, "org.json")
    return [str(p) for p in info.value.problems]


def test_not_json_is_located() -> None:
    assert _problems('{\n  "version": 1,\n  "accounts": [,]\n}\n') == [
        "org.json:3:16: (document): not valid JSON: Expecting value"
    ]


def test_duplicate_key_is_located() -> None:
    assert _problems('{\n  "version": 1,\n  "version": 1\n}\n') == [
        'org.json:3:3: (document): duplicate key "version"; expected each key once'
    ]


def test_other_version_stops_there() -> None:
    text = json.dumps(_doc(version=2), indent=2)
    assert _problems(text) == [
        "org.json:2:14: version: got 2; expected 1 (the snapshot format this cfct-build reads "
        "and writes)"
    ]


def test_missing_version() -> None:
    doc = _doc()
    del doc["version"]
    assert _problems(json.dumps(doc)) == [
        "org.json:1:1: (document): missing key 'version'; expected 1"
    ]


def test_every_problem_is_located_with_got_and_expected() -> None:
    doc = _doc(extra=True)
    doc["organizational_units"].append(
        {"id": "ou-a1b2-22222222", "name": "Security", "parent": "r-a1b2"}
    )
    doc["organizational_units"].append(
        {"id": "ou-a1b2-33333333", "name": "Loop", "parent": "ou-a1b2-44444444"}
    )
    doc["organizational_units"].append(
        {"id": "ou-a1b2-44444444", "name": "Back", "parent": "ou-a1b2-33333333"}
    )
    doc["accounts"].append(
        {"id": "12345", "name": "Short", "parent": "r-a1b2", "state": "GONE", "enrolled": "yes"}
    )
    doc["accounts"].append(
        {"id": "555555555555", "name": "Nowhere", "parent": "ou-zzzz-99999999", "enrolled": True}
    )
    doc["stack_sets"] = {"CustomControlTower-x": [["333333333333", "us-east-1"], ["3", "mars"]]}
    text = json.dumps(doc, indent=2)
    assert _problems(text) == [
        'org.json:20:15: organizational_units[1].name: got "Security" again under r-a1b2 (also '
        "ou-a1b2-11111111); expected unique OU names under one parent",
        'org.json:26:17: organizational_units[2].parent: got "ou-a1b2-44444444", which leads '
        "back to ou-a1b2-33333333; expected a chain of parents ending at the root",
        'org.json:31:17: organizational_units[3].parent: got "ou-a1b2-33333333", which leads '
        "back to ou-a1b2-44444444; expected a chain of parents ending at the root",
        'org.json:50:13: accounts[2].id: got "12345"; expected a 12-digit account ID string',
        'org.json:53:16: accounts[2].state: got "GONE"; expected PENDING_ACTIVATION | ACTIVE | '
        "SUSPENDED | PENDING_CLOSURE | CLOSED",
        'org.json:54:19: accounts[2].enrolled: got "yes"; expected true or false',
        "org.json:56:5: accounts[3]: missing key 'state'; expected one of PENDING_ACTIVATION | "
        "ACTIVE | SUSPENDED | PENDING_CLOSURE | CLOSED",
        'org.json:59:17: accounts[3].parent: got "ou-zzzz-99999999"; expected the root\'s id or '
        "an OU id listed in organizational_units",
        "org.json:63:12: extra: unknown key 'extra'; expected one of accounts, home_region, "
        "management_account, organization_id, organizational_units, root, stack_sets, version",
        'org.json:70:7: stack_sets.CustomControlTower-x[1]: got ["3", "mars"]; expected '
        '["<12-digit account>", "<region>"]',
    ]


def test_management_account_must_be_an_account() -> None:
    text = json.dumps(_doc(management_account="999999999999"), indent=2)
    assert _problems(text) == [
        'org.json:4:25: management_account: got "999999999999"; expected the id of an account '
        "in accounts"
    ]


def test_not_an_object() -> None:
    assert _problems("[1, 2]") == ["org.json:1:1: (document): got [1, 2]; expected a JSON object"]


def test_unreadable_file_is_a_snapshot_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"\xff\xfe{}")
    with pytest.raises(SnapshotError) as info:
        load_snapshot(bad)
    assert info.value.problems == [Problem(str(bad), "", "not UTF-8 text (invalid start byte)")]


@pytest.mark.parametrize(
    ("name", "reason"), [("missing.json", "no such file or directory"), (".", "a directory")]
)
def test_missing_file_or_directory_is_a_snapshot_error(
    tmp_path: Path, name: str, reason: str
) -> None:
    path = tmp_path / name
    with pytest.raises(SnapshotError) as info:
        load_snapshot(path)
    assert info.value.problems == [
        Problem(str(path), "", f"got {reason}; expected a readable snapshot file")
    ]


# --------------------------------------------------------------------------- the model


def test_lookups_on_the_example() -> None:
    org = load_snapshot(EXAMPLE)
    prod = org.find_ou(["Workloads", "Prod"])
    assert prod == OrganizationalUnit("ou-a1b2-44444444", "Prod", "ou-a1b2-33333333")
    assert org.find_ou(["Prod"]) is None
    assert org.find_ou(["Workloads", "Missing"]) is None
    assert org.path_str(prod.id) == "Workloads:Prod"
    assert org.path_str(org.root_id) == "Root"
    assert org.ancestors(prod.id) == ("r-a1b2", "ou-a1b2-33333333", "ou-a1b2-44444444")
    assert [o.id for o in org.descendants(org.root_id)] == [
        "ou-a1b2-11111111",
        "ou-a1b2-22222222",
        "ou-a1b2-33333333",
        "ou-a1b2-44444444",
        "ou-a1b2-55555555",
        "ou-a1b2-66666666",
    ]
    assert [a.id for a in org.accounts_in("ou-a1b2-11111111")] == ["222222222222", "333333333333"]
    assert list(org.accounts_in("ou-a1b2-44444444")) == [org.account("666666666666")]
    assert org.scps_on("ou-a1b2-11111111") == ("FullAWSAccess", "aws-guardrails-AbCdEf")
    assert org.enrolled_ids == frozenset(
        {"222222222222", "333333333333", "444444444444", "555555555555"}
        | {"666666666666", "777777777777", "888888888888"}
    )


def test_with_account_adds_or_replaces() -> None:
    org = load_snapshot(EXAMPLE)
    moved = Account("666666666666", "Payments Prod", "ou-a1b2-66666666", "ACTIVE", True)
    changed = org.with_account(moved)
    assert changed.account("666666666666") == moved
    assert [a.id for a in changed.accounts_in("ou-a1b2-44444444")] == []
    assert [a.id for a in changed.accounts_in("ou-a1b2-66666666")] == [
        "888888888888",
        "666666666666",
    ]
    assert org.account("666666666666") != moved  # the original is untouched


# --------------------------------------------------------------------------- live read (moto)


def _sorted_accounts(org: Organization) -> Organization:
    """moto lists accounts of one parent in creation order, AWS in its own: compare sets."""
    from dataclasses import replace

    return replace(org, accounts=tuple(sorted(org.accounts, key=lambda a: (a.parent_id, a.id))))


@pytest.mark.usefixtures("aws_env")
def test_live_read_pages_and_mirrors_enrollment() -> None:
    with mock_aws():
        ids = build_org()
        org_id = boto3.client("organizations").describe_organization()["Organization"]["Id"]
        progress = io.StringIO()
        org = read_live(
            boto3.Session(),
            "us-east-1",
            stack_sets=("CustomControlTower-baseline", "CustomControlTower-not-deployed"),
            progress=progress,
        )
    assert _sorted_accounts(org) == _sorted_accounts(expected_org(ids, org_id))
    assert progress.getvalue() == (
        f"reading organization: listing stack instances of {BASELINE} in us-east-1\n"
        "reading organization: done: 4 OUs, 30 accounts, 28 enrolled\n"
    )


@pytest.mark.usefixtures("aws_env")
def test_live_read_shows_progress_for_large_organizations(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(orgmod, "PROGRESS_EVERY", 2)
    with mock_aws():
        build_org(paged=1)
        progress = io.StringIO()
        read_live(boto3.Session(), "us-east-1", progress=progress)
    assert progress.getvalue() == (
        "reading organization: 2 of 3 parents (root and OUs) found so far read, 2 accounts\n"
        "reading organization: 4 of 5 parents (root and OUs) found so far read, 4 accounts\n"
        f"reading organization: listing stack instances of {BASELINE} in us-east-1\n"
        "reading organization: done: 4 OUs, 6 accounts, 4 enrolled\n"
    )


@pytest.mark.usefixtures("aws_env")
def test_live_read_without_the_baseline_stack_set_fails_clearly() -> None:
    with mock_aws():
        boto3.client("organizations", region_name="us-east-1").create_organization(FeatureSet="ALL")
        with pytest.raises(OrgReadError) as info:
            read_live(boto3.Session(), "us-east-1")
    assert str(info.value) == (
        f"StackSet {BASELINE} not found in us-east-1: CfCT v2.8.4 reads it to decide which "
        "accounts are enrolled in Control Tower, and its pipeline fails without it (is the home "
        "Region right, and is this the management account?)"
    )


class _Session:
    """A boto3 Session whose clients get an extra botocore event handler."""

    def __init__(self, event: str, handler: Any) -> None:
        self.session = boto3.Session()
        self.event = event
        self.handler = handler
        self.configs: list[Any] = []

    def client(self, service: str, **kwargs: Any) -> Any:
        self.configs.append(kwargs.get("config"))
        client = self.session.client(service, **kwargs)
        client.meta.events.register_first(self.event, self.handler)
        return client


def _error(status: int, code: str, message: str) -> AWSResponse:
    body = json.dumps({"__type": code, "message": message})
    return AWSResponse(
        "https://organizations.us-east-1.amazonaws.com/", status, {}, MockRawResponse(body)
    )


@pytest.mark.usefixtures("aws_env")
def test_throttling_is_retried_with_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real botocore retry handler on a real client: one Organizations call of the read
    (policies of the fifth parent) is throttled twice, then answered."""
    sleeps: list[float] = []
    monkeypatch.setattr("botocore.endpoint.time.sleep", sleeps.append)
    attempts: list[int] = []

    def throttle(request: Any, **kwargs: Any) -> AWSResponse | None:
        attempts.append(len(attempts) + 1)
        if len(attempts) in (5, 6):
            return _error(400, "TooManyRequestsException", "Rate exceeded")
        return None

    with mock_aws():
        ids = build_org(paged=0)
        org_id = boto3.client("organizations").describe_organization()["Organization"]["Id"]
        session = _Session("before-send.organizations.ListPoliciesForTarget", throttle)
        org = read_live(session, "us-east-1")
    assert attempts == [1, 2, 3, 4, 5, 6, 7]
    assert len(sleeps) == 2 and all(0 < s <= 20 for s in sleeps)  # jittered exponential backoff
    expected = _without_stack_sets(expected_org(ids, org_id))
    assert _sorted_accounts(org) == _sorted_accounts(expected)
    assert [c.retries for c in session.configs] == [
        {"mode": "standard", "total_max_attempts": 10},
        {"mode": "standard", "total_max_attempts": 10},
    ]


def _without_stack_sets(org: Organization) -> Organization:
    from dataclasses import replace

    return replace(org, stack_sets={})


@pytest.mark.usefixtures("aws_env")
def test_access_denied_is_one_line() -> None:
    def deny(request: Any, **kwargs: Any) -> AWSResponse:
        return _error(
            400, "AccessDeniedException", "You don't have permissions to access this resource."
        )

    with mock_aws(), pytest.raises(OrgReadError) as info:
        read_live(_Session("before-send.organizations.DescribeOrganization", deny), "us-east-1")
    assert str(info.value) == (
        "AWS error AccessDeniedException in DescribeOrganization: You don't have permissions to "
        "access this resource."
    )


@pytest.mark.parametrize(
    ("drop", "state", "status"),
    [
        ("Status", "SUSPENDED", None),  # after 2026-09-09: State only
        ("State", "SUSPENDED", "SUSPENDED"),  # an older API: Status is the fallback
    ],
)
@pytest.mark.usefixtures("aws_env")
def test_live_read_state_and_status_fallback(drop: str, state: str, status: str | None) -> None:
    def strip(parsed: dict[str, Any], **kwargs: Any) -> None:
        for account in parsed.get("Accounts", []):
            account.pop(drop, None)

    with mock_aws():
        ids = build_org(paged=0)
        session = _Session("after-call.organizations.ListAccountsForParent", strip)
        org = read_live(session, "us-east-1")
    old = org.account(ids["old"])
    assert old is not None
    assert (old.state, old.status) == (state, status)


@pytest.mark.usefixtures("aws_env")
def test_unknown_profile_is_an_org_read_error() -> None:
    with pytest.raises(OrgReadError) as info:
        orgmod.session("nope")
    assert str(info.value) == "The config profile (nope) could not be found"

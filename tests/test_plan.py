"""plan.py and `cfct-build plan`: every trap with its exact warning, exact text and JSON output,
--new-account, --previous, --strict exit codes, and a live read through the CLI (moto).

MANIFEST stands in for the package: an SCP on the governed OUs, a StackSet for one account and
an account baseline on the governed OUs plus the management account. The organizations are
tests/fixtures/org/: example.json (matches the example settings' OUs), traps.json (every trap),
previous.json (an older state of the example organization, with recorded instances).
"""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from cfct_build.cli import main
from cfct_build.config import load_settings
from cfct_build.manifest import Manifest, Resource
from cfct_build.org import Organization, load_snapshot, read_live, snapshot_text
from cfct_build.plan import (
    NewAccount,
    NewAccountError,
    PlanWarning,
    Receipt,
    live_read_names,
    make_plan,
    plan_settings,
    render_json,
    render_text,
)
from moto_org import aws_env, build_org  # noqa: F401  (fixture, moto organization)

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "org"
EXAMPLE = FIXTURES / "example.json"
TRAPS = FIXTURES / "traps.json"
PREVIOUS = FIXTURES / "previous.json"
SETTINGS = REPO / "cfct-build.yaml"

GOVERNED = (
    "Security",
    "Infrastructure",
    "Workloads",
    "Workloads:Prod",
    "Workloads:NonProd",
    "Sandbox",
)
MANIFEST = Manifest(
    region="us-east-1",
    resources=(
        Resource("guardrails", "policies/guardrails.json", "scp", organizational_units=GOVERNED),
        Resource("key", "templates/key.template", "stack_set", accounts=("333333333333",)),
        Resource(
            "baseline",
            "templates/baseline.template",
            "stack_set",
            accounts=("111111111111",),
            organizational_units=GOVERNED,
            regions=("us-east-1", "us-west-2"),
        ),
    ),
)
DELETES = "(RetainStacks false: only resources with DeletionPolicy Retain survive)"
# The query table's projected accounts under the example settings (core accounts, query.accounts).
PROJECTED = ("111111111111", "222222222222", "333333333333", "444444444444", "555555555555")


def _plan(org: Path | Organization, **kw: object) -> list[PlanWarning]:
    o = load_snapshot(org) if isinstance(org, Path) else org
    kw.setdefault("governed", GOVERNED)
    return list(make_plan(MANIFEST, o, source="test", **kw).warnings)  # type: ignore[arg-type]


def _of(warnings: list[PlanWarning], wid: str) -> list[PlanWarning]:
    return [w for w in warnings if w.id == wid]


@pytest.fixture(scope="module")
def traps() -> list[PlanWarning]:
    return _plan(TRAPS, previous=load_snapshot(PREVIOUS))


def test_the_example_organization_has_no_warnings() -> None:
    assert _plan(EXAMPLE) == []


def test_the_traps_organization_gives_these_warnings_in_this_order(
    traps: list[PlanWarning],
) -> None:
    assert [(w.id, w.subject) for w in traps] == [
        ("ou-not-found", "Sandbox"),
        ("account-dropped", "333333333333"),
        ("no-recursion", "Workloads:Prod:Empty"),
        ("no-recursion", "Workloads:Prod:Payments"),
        ("not-enrolled", "131313131313"),
        ("not-enrolled", "333333333333"),
        ("account-inactive", "141414141414"),
        ("account-inactive", "151515151515"),
        ("instances-orphaned", "key"),
        ("instances-lost", "141414141414"),
        ("instances-lost", "444444444444"),
        ("instances-lost", "666666666666"),
        ("instances-lost", "888888888888"),
        ("scp-budget", "Security"),
    ]


def test_trap_settings_ou_that_does_not_exist(traps: list[PlanWarning]) -> None:
    assert [w.message for w in _of(traps, "ou-not-found")] == [
        'OU "Sandbox" (organization.organizational_units) does not exist in the organization: '
        "CfCT v2.8.4 skips it silently (no instance of baseline from it; SCP guardrails not "
        "attached there)"
    ]


def test_trap_nested_ou_that_does_not_exist_fails_the_stack_set_stage() -> None:
    governed = (*GOVERNED, "Workloads:Dev")
    manifest = replace(
        MANIFEST,
        resources=tuple(
            replace(r, organizational_units=governed) if r.organizational_units else r
            for r in MANIFEST.resources
        ),
    )
    plan = make_plan(manifest, load_snapshot(EXAMPLE), source="test", governed=governed)
    assert [w.message for w in plan.warnings] == [
        'OU "Workloads:Dev" (organization.organizational_units) does not exist in the '
        'organization: CfCT v2.8.4 fails its StackSet stage on it ("OU id is not found for '
        'Workloads:Dev", targeted by baseline), so no StackSet is deployed in that run; CfCT '
        "v2.8.4 skips it silently (SCP guardrails not attached there)"
    ]
    assert plan.resolution.failure == "OU id is not found for Workloads:Dev"
    assert (
        '  CfCT v2.8.4 fails its StackSet stage ("OU id is not found for Workloads:Dev"): no '
        "StackSet is deployed\n" in render_text(plan)
    )


def test_a_governed_ou_no_resource_uses() -> None:
    warnings = _plan(EXAMPLE, governed=(*GOVERNED, "Archive"))
    assert warnings == [
        PlanWarning(
            "ou-not-found",
            "Archive",
            'OU "Archive" (organization.organizational_units) does not exist in the organization',
        )
    ]


def test_trap_listed_account_not_enrolled(traps: list[PlanWarning]) -> None:
    assert [w.message for w in _of(traps, "account-dropped")] == [
        'key: accounts entry "333333333333" is dropped by CfCT v2.8.4: 333333333333 (Audit) is '
        "not enrolled in Control Tower (no instance of AWSControlTowerBP-BASELINE-CONFIG) and is "
        "not the management account; no instance is deployed there"
    ]


def test_listed_account_unknown_or_named() -> None:
    manifest = Manifest(
        "us-east-1",
        (Resource("x", "templates/x.template", "stack_set", accounts=("999999999999", "Nobody")),),
    )
    plan = make_plan(manifest, load_snapshot(EXAMPLE), source="test")
    assert [w.message for w in plan.warnings] == [
        'x: accounts entry "999999999999" is dropped by CfCT v2.8.4: 999999999999 is not an '
        "account of the organization; no instance is deployed there",
        'x: accounts entry "Nobody" is dropped by CfCT v2.8.4: no ACTIVE account is named '
        '"Nobody" (names match case-insensitively); no instance is deployed there',
    ]


def test_trap_no_recursion(traps: list[PlanWarning]) -> None:
    assert [w.message for w in _of(traps, "no-recursion")] == [
        'OU "Workloads:Prod:Empty" is inside "Workloads:Prod", which baseline targets, but is '
        "not listed itself: CfCT does not recurse into child OUs, so an account vended into it "
        "gets no instance of baseline",
        'OU "Workloads:Prod:Payments" is inside "Workloads:Prod", which baseline targets, but '
        "is not listed itself: CfCT does not recurse into child OUs, so its 2 accounts "
        "(666666666666 (Payments Prod), 999999999999 (Team Payments)) and any account vended "
        "into it get no instance of baseline",
    ]


def test_trap_not_enrolled(traps: list[PlanWarning]) -> None:
    tail = (
        "is not enrolled in Control Tower (no instance of AWSControlTowerBP-BASELINE-CONFIG): "
        "CfCT v2.8.4 still targets it through its OU (there it checks only that the account is "
        "ACTIVE), and the instances of baseline fail unless the account has the "
        "AWSControlTowerExecution role"
    )
    assert [w.message for w in _of(traps, "not-enrolled")] == [
        f'account 131313131313 (Legacy Invited) in OU "Infrastructure" {tail}',
        f'account 333333333333 (Audit) in OU "Security" {tail}',
    ]


def test_not_enrolled_under_root_and_without_stack_sets() -> None:
    root = Manifest(
        "us-east-1",
        (Resource("all", "templates/all.template", "stack_set", organizational_units=("Root",)),),
    )
    org = load_snapshot(TRAPS)
    base = "is not enrolled in Control Tower (no instance of AWSControlTowerBP-BASELINE-CONFIG)"
    plan = make_plan(root, org, source="test", governed=("Infrastructure",))
    assert [w.message for w in _of(list(plan.warnings), "not-enrolled")] == [
        f'account 131313131313 (Legacy Invited) in OU "Infrastructure" {base}: CfCT v2.8.4 '
        "leaves it out of Root, so it gets no instance of all",
    ]
    plan = make_plan(Manifest("us-east-1"), org, source="test", governed=("Infrastructure",))
    assert [w.message for w in _of(list(plan.warnings), "not-enrolled")] == [
        f'account 131313131313 (Legacy Invited) in OU "Infrastructure" {base}: enroll it so that '
        "Control Tower and CfCT govern it",
    ]


def test_trap_suspended_and_closed_accounts(traps: list[PlanWarning]) -> None:
    assert [w.message for w in _of(traps, "account-inactive")] == [
        'account 141414141414 (Old Network) in OU "Infrastructure" is SUSPENDED: CfCT v2.8.4 '
        "targets only ACTIVE accounts in OUs, so it gets no instance of baseline",
        'account 151515151515 (Closed Thing) in OU "Workloads" is CLOSED: CfCT v2.8.4 targets '
        "only ACTIVE accounts in OUs, so it gets no instance of baseline",
    ]


def test_suspended_account_still_targeted_through_root() -> None:
    root = Manifest(
        "us-east-1",
        (Resource("all", "templates/all.template", "stack_set", organizational_units=("Root",)),),
    )
    plan = make_plan(root, load_snapshot(TRAPS), source="test")
    assert [w.message for w in plan.warnings] == [
        'account 141414141414 (Old Network) in OU "Infrastructure" is SUSPENDED: CfCT v2.8.4 '
        "still targets it (all: Root or listed by id), and those stack instance operations are "
        "likely to fail"
    ]


def test_trap_instances_lost_against_a_previous_snapshot(traps: list[PlanWarning]) -> None:
    assert [w.message for w in _of(traps, "instances-lost")] == [
        "CustomControlTower-baseline loses its 2 instances in account 141414141414 (Old "
        "Network) (us-east-1, us-west-2): the account is now SUSPENDED; CfCT v2.8.4 deletes "
        f"them with their stacks {DELETES}",
        "CustomControlTower-baseline loses its 1 instance in account 444444444444 (Network) "
        "(eu-west-1): eu-west-1 is no longer listed; CfCT v2.8.4 deletes it with its stack "
        f"{DELETES}",
        "CustomControlTower-baseline loses its 2 instances in account 666666666666 (Payments "
        'Prod) (us-east-1, us-west-2): the account moved from OU "Workloads:Prod" to '
        f'"Workloads:Prod:Payments"; CfCT v2.8.4 deletes them with their stacks {DELETES}',
        "CustomControlTower-baseline loses its 2 instances in account 888888888888 (Sandbox "
        'Alice) (us-east-1, us-west-2): the account moved from OU "Sandbox" to "Root"; CfCT '
        f"v2.8.4 deletes them with their stacks {DELETES}",
    ]


def test_trap_stack_set_resolving_to_nothing_keeps_stale_instances(
    traps: list[PlanWarning],
) -> None:
    assert [w.message for w in _of(traps, "instances-orphaned")] == [
        "key now resolves to no account, but CustomControlTower-key has 1 instance (in account "
        "333333333333 (Audit)): CfCT v2.8.4 then skips the stack-instance step, so it stays "
        "deployed and is no longer updated"
    ]


def test_instances_recorded_in_the_current_snapshot_are_the_reference() -> None:
    example = load_snapshot(EXAMPLE)
    recorded = {
        "CustomControlTower-key": (("333333333333", "us-east-1"), ("555555555555", "us-east-1"))
    }
    warnings = _plan(replace(example, stack_sets=recorded))
    assert [w.message for w in warnings] == [
        "CustomControlTower-key loses its 1 instance in account 555555555555 (Shared Services) "
        "(us-east-1): the account no longer resolves; CfCT v2.8.4 deletes it with its stack "
        f"{DELETES}"
    ]


def test_account_that_left_or_was_unenrolled() -> None:
    example = load_snapshot(EXAMPLE)
    now = replace(
        example,
        accounts=tuple(
            replace(a, enrolled=False) if a.id == "333333333333" else a
            for a in example.accounts
            if a.id != "555555555555"
        ),
    )
    manifest = Manifest(
        "us-east-1",
        (
            Resource(
                "k",
                "templates/k.template",
                "stack_set",
                accounts=("333333333333", "555555555555", "222222222222"),
            ),
        ),
    )
    plan = make_plan(manifest, now, source="test", previous=example)
    assert [w.message for w in _of(list(plan.warnings), "instances-lost")] == [
        "CustomControlTower-k loses its 1 instance in account 333333333333 (Audit) (us-east-1): "
        f"the account is no longer enrolled in Control Tower; CfCT v2.8.4 deletes it with its "
        f"stack {DELETES}",
        "CustomControlTower-k loses its 1 instance in account 555555555555 (us-east-1): the "
        f"account is no longer in the organization; CfCT v2.8.4 deletes it with its stack {DELETES}",
    ]


def test_trap_scp_budget(traps: list[PlanWarning]) -> None:
    assert [w.message for w in _of(traps, "scp-budget")] == [
        'OU "Security" would hold 6 SCPs (FullAWSAccess, aws-guardrails-AbCdEf, '
        "security-deny-leave, security-deny-regions, security-deny-root, guardrails): "
        "Organizations allows 5 per target, so attaching guardrails fails"
    ]


def test_rcp_budget_on_the_root_and_an_already_attached_policy_counts_once() -> None:
    example = load_snapshot(EXAMPLE)
    org = replace(
        example,
        rcps={example.root_id: ("RCPFullAWSAccess", "r1", "r2", "r3", "mine")},
        scps={**example.scps, example.root_id: ("FullAWSAccess", "a", "b", "c")},
    )
    manifest = Manifest(
        "us-east-1",
        (
            Resource("mine", "policies/mine.json", "rcp", organizational_units=("Root",)),
            Resource("other", "policies/other.json", "rcp", organizational_units=("Root",)),
            Resource("scp", "policies/scp.json", "scp", organizational_units=("Root",)),
        ),
    )
    plan = make_plan(manifest, org, source="test")
    assert list(plan.warnings) == [
        PlanWarning(
            "rcp-budget",
            "Root",
            "Root would hold 6 RCPs (RCPFullAWSAccess, r1, r2, r3, mine, other): Organizations "
            "allows 5 per target, so attaching other fails",
        )
    ]


def test_organization_mismatch() -> None:
    warnings = _plan(EXAMPLE, organization_id="o-zzzzzzzzzz", management_account="999999999999")
    assert [w.message for w in warnings] == [
        "the settings describe organization o-zzzzzzzzzz (organization.id), but the "
        "organization read is o-a1b2c3d4e5",
        "the settings name 999999999999 as the management account "
        "(organization.management_account), but the organization's is 111111111111",
    ]


def test_status_retired() -> None:
    """Without the Status field, OU members vanish from CfCT's lists; the baseline still lists
    the management account by id, so CfCT deletes every other instance it has today."""
    warnings = _plan(EXAMPLE, cfct_reads_status=False)
    assert warnings[0] == PlanWarning(
        "status-retired",
        "baseline",
        "baseline: once Organizations no longer returns the account Status field (retired "
        '2026-09-09), CfCT v2.8.4 sees no account as ACTIVE (it tests Status == "ACTIVE"), so '
        "the 7 ACTIVE accounts of its OUs (222222222222 (Log Archive), 333333333333 (Audit), "
        "444444444444 (Network) and 4 more) get no instance",
    )
    lost = [
        ("222222222222", "Log Archive"),
        ("333333333333", "Audit"),
        ("444444444444", "Network"),
        ("555555555555", "Shared Services"),
        ("666666666666", "Payments Prod"),
        ("777777777777", "Payments Dev"),
        ("888888888888", "Sandbox Alice"),
    ]
    assert warnings[1:] == [
        PlanWarning(
            "instances-lost",
            account,
            f"CustomControlTower-baseline loses its 2 instances in account {account} ({name}) "
            "(us-east-1, us-west-2): without the Status field CfCT v2.8.4 no longer sees the "
            f"account as ACTIVE; CfCT v2.8.4 deletes them with their stacks {DELETES}",
        )
        for account, name in lost
    ]


# --------------------------------------------------------------------------- query table


def _missing(account: str, who: str) -> str:
    return (
        f"account {account} ({who} is not in the query table's account projection: Athena "
        f'finds none of its logs; add "{account}" to query.accounts in the settings, run '
        "cfct-build build and push the package (only the query stack changes)"
    )


def test_trap_active_accounts_the_query_table_does_not_project() -> None:
    """Every ACTIVE account outside the projection, wherever it is (not enrolled, child OU);
    suspended and closed ones are left out."""
    warnings = _of(_plan(TRAPS, query_accounts=PROJECTED), "query-account-missing")
    assert warnings == [
        PlanWarning("query-account-missing", account, _missing(account, who))
        for account, who in (
            ("131313131313", 'Legacy Invited) in OU "Infrastructure"'),
            ("666666666666", 'Payments Prod) in OU "Workloads:Prod:Payments"'),
            ("777777777777", 'Payments Dev) in OU "Workloads:NonProd"'),
            ("888888888888", 'Sandbox Alice) in OU "Root"'),
            ("999999999999", 'Team Payments) in OU "Workloads:Prod:Payments"'),
        )
    ]


def test_no_query_warning_when_every_account_is_projected_or_without_a_query_path() -> None:
    every = tuple(a.id for a in load_snapshot(EXAMPLE).accounts)
    assert _plan(EXAMPLE, query_accounts=every) == []
    assert _plan(EXAMPLE, query_accounts=None) == []


def test_plan_settings_projects_the_settings_accounts() -> None:
    settings = load_settings(SETTINGS)
    plan = plan_settings(
        settings, load_snapshot(EXAMPLE), source="t", new_account_ou="Workloads:Prod"
    )
    assert [w.subject for w in plan.warnings if w.id == "query-account-missing"] == [
        "666666666666",
        "777777777777",
        "888888888888",
    ]
    assert plan.new_account is not None and plan.new_account.queryable is False
    off = settings.model_copy(
        update={"query": settings.query.model_copy(update={"enabled": False})}
    )
    plan = plan_settings(off, load_snapshot(EXAMPLE), source="t", new_account_ou="Workloads:Prod")
    assert [w for w in plan.warnings if w.id == "query-account-missing"] == []
    assert plan.new_account is not None and plan.new_account.queryable is None


def test_new_account_is_not_queryable_until_listed() -> None:
    plan = make_plan(
        MANIFEST,
        load_snapshot(EXAMPLE),
        source="t",
        new_account_ou="Workloads:Prod",
        query_accounts=PROJECTED,
    )
    assert plan.new_account is not None and plan.new_account.queryable is False
    assert (
        'A new account vended into "Workloads:Prod" (ACTIVE, enrolled) receives:\n'
        "    stack instances  baseline (us-east-1, us-west-2)\n"
        "    policies         guardrails (Workloads, Workloads:Prod)\n"
        "    query table      not projected: Athena finds none of its logs until its account ID "
        "is added to query.accounts (then cfct-build build, push the package)\n"
    ) in render_text(plan)


# --------------------------------------------------------------------------- --new-account


def test_new_account_in_a_listed_ou() -> None:
    plan = make_plan(MANIFEST, load_snapshot(EXAMPLE), source="t", new_account_ou="Workloads:Prod")
    assert plan.new_account == NewAccount(
        "Workloads:Prod",
        "Workloads:Prod",
        Receipt(
            (("baseline", ("us-east-1", "us-west-2")),),
            (("guardrails", "scp", ("Workloads", "Workloads:Prod")),),
            True,
        ),
    )


def test_new_account_in_a_child_ou_gets_only_the_inherited_scps() -> None:
    plan = make_plan(
        MANIFEST, load_snapshot(TRAPS), source="t", new_account_ou=" Workloads:Prod:Payments"
    )
    assert plan.new_account == NewAccount(
        " Workloads:Prod:Payments",
        "Workloads:Prod:Payments",
        Receipt((), (("guardrails", "scp", ("Workloads", "Workloads:Prod")),), True),
    )
    assert (
        'A new account vended into "Workloads:Prod:Payments" (ACTIVE, enrolled) receives:\n'
        "    stack instances  none\n"
        "    policies         guardrails (Workloads, Workloads:Prod)\n"
    ) in render_text(plan)


def test_new_account_in_an_unknown_ou() -> None:
    with pytest.raises(NewAccountError) as info:
        make_plan(MANIFEST, load_snapshot(EXAMPLE), source="t", new_account_ou="Workloads:Dev")
    assert str(info.value) == (
        '--new-account: OU "Workloads:Dev" does not exist in the organization; expected Root or '
        "an OU path such as Infrastructure, Sandbox, Security, Workloads, Workloads:NonProd, "
        "Workloads:Prod"
    )


# --------------------------------------------------------------------------- output


def test_text_and_json_output_exact() -> None:
    governed = ("Security", "Workloads", "Workloads:Prod")
    manifest = Manifest(
        "us-east-1",
        (
            Resource(
                "guardrails", "policies/guardrails.json", "scp", organizational_units=governed
            ),
            Resource("key", "templates/key.template", "stack_set", accounts=("333333333333",)),
            Resource(
                "baseline",
                "templates/baseline.template",
                "stack_set",
                organizational_units=governed,
                accounts=("111111111111",),
                regions=("us-east-1", "us-west-2"),
            ),
        ),
    )
    plan = make_plan(
        manifest,
        load_snapshot(EXAMPLE),
        source="example.json",
        governed=governed,
        new_account_ou="Workloads:Prod",
        query_accounts=PROJECTED,
    )
    assert render_text(plan) == (FIXTURES / "example-plan.txt").read_text(encoding="utf-8")
    text = render_json(plan)
    assert text == (FIXTURES / "example-plan.json").read_text(encoding="utf-8")
    assert json.loads(text)["warnings"] == [
        {
            "id": "no-recursion",
            "subject": "Workloads:NonProd",
            "message": 'OU "Workloads:NonProd" is inside "Workloads", which baseline targets, but '
            "is not listed itself: CfCT does not recurse into child OUs, so its 1 account "
            "(777777777777 (Payments Dev)) and any account vended into it get no instance of "
            "baseline",
        },
        *(
            {"id": "query-account-missing", "subject": account, "message": _missing(account, who)}
            for account, who in (
                ("666666666666", 'Payments Prod) in OU "Workloads:Prod"'),
                ("777777777777", 'Payments Dev) in OU "Workloads:NonProd"'),
                ("888888888888", 'Sandbox Alice) in OU "Sandbox"'),
            )
        ),
    ]
    assert json.loads(text)["new_account"]["queryable"] is False


def test_live_read_names() -> None:
    manifest = replace(
        MANIFEST,
        resources=(
            *MANIFEST.resources,
            Resource("r", "policies/r.json", "rcp", organizational_units=("Root",)),
        ),
    )
    assert live_read_names(manifest) == (
        ("CustomControlTower-key", "CustomControlTower-baseline"),
        True,
    )
    assert live_read_names(Manifest("us-east-1")) == ((), False)


# --------------------------------------------------------------------------- CLI


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["plan", "-s", str(SETTINGS), *argv], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def _library(snapshot: Path, **kw: object) -> str:
    plan = plan_settings(
        load_settings(SETTINGS), load_snapshot(snapshot), source=str(snapshot), **kw
    )  # type: ignore[arg-type]
    return render_text(plan)


def test_cli_prints_the_plan_and_exits_0() -> None:
    assert _run("--snapshot", str(EXAMPLE)) == (0, _library(EXAMPLE), "")


def test_cli_warnings_exit_0_unless_strict() -> None:
    expected = _library(TRAPS)
    assert "Warnings (" in expected
    assert _run("--snapshot", str(TRAPS)) == (0, expected, "")
    assert _run("--snapshot", str(TRAPS), "--strict") == (1, expected, "")
    # the example settings project 444..., 555...: the example organization's 666..., 777...
    # and 888... are warned about
    assert _run("--snapshot", str(EXAMPLE), "--strict") == (1, _library(EXAMPLE), "")


def test_cli_strict_exits_0_once_every_account_is_projected(tmp_path: Path) -> None:
    text = SETTINGS.read_text(encoding="utf-8")
    listed = '    - "444444444444"\n    - "555555555555"\n'
    assert text.count(listed) == 1
    settings = tmp_path / "settings.yaml"
    settings.write_text(
        text.replace(listed, listed + "".join(f'    - "{n * 12}"\n' for n in "678")),
        encoding="utf-8",
    )
    out, err = io.StringIO(), io.StringIO()
    code = main(["plan", "-s", str(settings), "--snapshot", str(EXAMPLE), "--strict"], out, err)
    assert (code, err.getvalue()) == (0, "")
    assert out.getvalue().endswith("\nWarnings: none\n")


def test_cli_json_previous_and_new_account() -> None:
    code, out, err = _run(
        "--snapshot",
        str(TRAPS),
        "--previous",
        str(PREVIOUS),
        "--new-account",
        "Workloads",
        "-f",
        "json",
    )
    plan = plan_settings(
        load_settings(SETTINGS),
        load_snapshot(TRAPS),
        source=str(TRAPS),
        previous=load_snapshot(PREVIOUS),
        new_account_ou="Workloads",
    )
    assert (code, out, err) == (0, render_json(plan), "")


def test_cli_unknown_new_account_ou_is_a_usage_error() -> None:
    code, out, err = _run("--snapshot", str(EXAMPLE), "--new-account", "Nope")
    assert (code, out) == (2, "")
    assert err == (
        "cfct-build plan: error:\n"
        '--new-account: OU "Nope" does not exist in the organization; expected Root or an OU '
        "path such as Infrastructure, Sandbox, Security, Workloads, Workloads:NonProd, "
        "Workloads:Prod\n"
    )


def test_cli_bad_snapshot_exit_2_located(tmp_path: Path) -> None:
    bad = tmp_path / "org.json"
    bad.write_text('{\n  "version": 1,\n  "version": 2\n}\n', encoding="utf-8")
    assert _run("--snapshot", str(bad)) == (
        2,
        "",
        f'cfct-build plan: error:\n{bad}:3:3: (document): duplicate key "version"; expected each '
        "key once\n",
    )


@pytest.mark.parametrize("option", ["--snapshot", "--previous"])
def test_cli_missing_snapshot_or_directory_exit_2_located(tmp_path: Path, option: str) -> None:
    missing = tmp_path / "nonexistent"
    first = [] if option == "--snapshot" else ["--snapshot", str(EXAMPLE)]
    assert _run(*first, option, str(missing)) == (
        2,
        "",
        f"cfct-build plan: error:\n{missing}: (document): got no such file or directory; "
        "expected a readable snapshot file\n",
    )
    assert _run(*first, option, str(tmp_path)) == (
        2,
        "",
        f"cfct-build plan: error:\n{tmp_path}: (document): got a directory; expected a "
        "readable snapshot file\n",
    )


def test_cli_save_snapshot_needs_a_live_read(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    assert _run("--snapshot", str(EXAMPLE), "--save-snapshot", str(target)) == (
        2,
        "",
        "cfct-build plan: error:\n--save-snapshot writes a live read; it cannot be used with "
        "--snapshot\n",
    )
    assert not target.exists()


@pytest.mark.usefixtures("aws_env")
def test_cli_live_read_saves_the_snapshot(tmp_path: Path) -> None:
    target = tmp_path / "org.json"
    with mock_aws():
        build_org(paged=2)
        expected_org = read_live(boto3.Session(), "us-east-1")
        code, out, err = _run("--save-snapshot", str(target))
    assert code == 0
    assert target.read_text(encoding="utf-8") == snapshot_text(expected_org)
    assert out == render_text(plan_settings(load_settings(SETTINGS), expected_org, source="live"))
    assert err == (
        "reading organization: listing stack instances of AWSControlTowerBP-BASELINE-CONFIG in "
        "us-east-1\n"
        "reading organization: done: 4 OUs, 7 accounts, 5 enrolled\n"
        f"{target}: snapshot written\n"
    )

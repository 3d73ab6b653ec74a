"""resolve.py mirrors CfCT v2.8.4's targeting rule by rule (manifest_parser.py at 9c7ab05).

One small organization, built here, holds every case:

    Root (r-test)
      111111111111 Management (management account, never enrolled)
      121212121212 Stray (ACTIVE, enrolled, directly under the root)
      Security            222222222222 Log Archive, 333333333333 Audit
      Workloads           555555555555 Shared, 565656565656 Invited (ACTIVE, not enrolled),
                          575757575757 Gone (SUSPENDED, enrolled), 585858585858 Closing
                          (PENDING_CLOSURE, not enrolled)
        Prod              666666666666 App
          Team            777777777777 Team (ACTIVE, enrolled)
      " Spaced"           888888888888 Spaced (an OU name with a leading space)
"""

from __future__ import annotations

import pytest

from cfct_build.manifest import Manifest, Resource
from cfct_build.org import Account, Organization, OrganizationalUnit
from cfct_build.resolve import (
    Dropped,
    OuTarget,
    PolicyTargets,
    StackSetTargets,
    resolve,
    resolve_ou_for_policy,
    resolve_ou_for_stack_set,
    stack_set_name,
)

ROOT = "r-test"
SEC, WL, PROD, TEAM, SPACED = (
    "ou-test-11111111",
    "ou-test-22222222",
    "ou-test-33333333",
    "ou-test-44444444",
    "ou-test-55555555",
)


def _account(
    i: str, name: str, parent: str, state: str = "ACTIVE", enrolled: bool = True
) -> Account:
    return Account(i, name, parent, state, enrolled)


ORG = Organization(
    id="o-testtest00",
    management_account_id="111111111111",
    root_id=ROOT,
    ous=(
        OrganizationalUnit(SEC, "Security", ROOT),
        OrganizationalUnit(WL, "Workloads", ROOT),
        OrganizationalUnit(PROD, "Prod", WL),
        OrganizationalUnit(TEAM, "Team", PROD),
        OrganizationalUnit(SPACED, " Spaced", ROOT),
    ),
    accounts=(
        _account("111111111111", "Management", ROOT, enrolled=False),
        _account("121212121212", "Stray", ROOT),
        _account("222222222222", "Log Archive", SEC),
        _account("333333333333", "Audit", SEC),
        _account("555555555555", "Shared", WL),
        _account("565656565656", "Invited", WL, enrolled=False),
        _account("575757575757", "Gone", WL, state="SUSPENDED"),
        _account("585858585858", "Closing", WL, state="PENDING_CLOSURE", enrolled=False),
        _account("666666666666", "App", PROD),
        _account("777777777777", "Team", TEAM),
        _account("888888888888", "Spaced", SPACED),
    ),
)


def _stack_set(
    ous: tuple[str, ...] = (), accounts: tuple[str, ...] = (), regions: tuple[str, ...] = ()
) -> Resource:
    return Resource(
        "r",
        "templates/r.template",
        "stack_set",
        accounts=accounts,
        organizational_units=ous,
        regions=regions,
    )


def _one(resource: Resource, org: Organization = ORG, **kw: bool) -> StackSetTargets:
    res = resolve(Manifest("us-east-1", (resource,)), org, **kw)
    (ss,) = res.stack_sets
    return ss


def test_top_level_ou_gets_only_its_direct_active_accounts_enrolled_or_not() -> None:
    r = _stack_set(ous=("Workloads",), regions=("us-east-1", "eu-west-1"))
    assert _one(r) == StackSetTargets(
        resource=r,
        stack_set="CustomControlTower-r",
        regions=("us-east-1", "eu-west-1"),
        ou_targets=(OuTarget("Workloads", WL),),
        # no recursion: Prod's and Team's accounts are not here; Invited (not enrolled) is
        accounts=("555555555555", "565656565656"),
        via={"555555555555": ("Workloads",), "565656565656": ("Workloads",)},
        dropped=(
            Dropped("Workloads", "575757575757", "inactive"),
            Dropped("Workloads", "585858585858", "inactive"),
        ),
    )
    assert _one(r).instances == (
        ("555555555555", "eu-west-1"),
        ("555555555555", "us-east-1"),
        ("565656565656", "eu-west-1"),
        ("565656565656", "us-east-1"),
    )


def test_regions_default_to_the_manifest_region() -> None:
    assert _one(_stack_set(ous=("Security",))).regions == ("us-east-1",)


def test_nested_path_is_walked_from_the_root_and_parts_are_stripped() -> None:
    r = _stack_set(ous=("Workloads:Prod", " Workloads : Prod : Team ", "Workloads::Prod"))
    ss = _one(r)
    assert ss.ou_targets == (
        OuTarget("Workloads:Prod", PROD),
        OuTarget(" Workloads : Prod : Team ", TEAM),
        OuTarget("Workloads::Prod", PROD),
    )
    assert ss.via == {
        "666666666666": ("Workloads:Prod", "Workloads::Prod"),
        "777777777777": (" Workloads : Prod : Team ",),
    }
    assert ss.failure is None


def test_top_level_names_are_matched_exactly_not_stripped() -> None:
    # CfCT's StackSet lookup compares top-level names as written; its path walk strips them
    assert resolve_ou_for_stack_set(ORG, " Spaced") == OuTarget(" Spaced", SPACED)
    assert resolve_ou_for_stack_set(ORG, "Spaced") == OuTarget("Spaced", None)
    assert resolve_ou_for_stack_set(ORG, "workloads") == OuTarget("workloads", None)
    assert resolve_ou_for_policy(ORG, " Spaced") == OuTarget(" Spaced", None)
    assert resolve_ou_for_policy(ORG, "Prod") == OuTarget("Prod", None)


def test_unknown_top_level_ou_is_dropped_silently() -> None:
    r = _stack_set(ous=("Sandbox", "Security"))
    ss = _one(r)
    assert (ss.ou_targets, ss.accounts, ss.failure) == (
        (OuTarget("Sandbox", None), OuTarget("Security", SEC)),
        ("222222222222", "333333333333"),
        None,
    )


def test_unknown_nested_ou_fails_the_stack_set_stage() -> None:
    r = _stack_set(ous=("Security", "Workloads:Dev"))
    res = resolve(Manifest("us-east-1", (r, _stack_set(ous=("Security",)))), ORG)
    assert res.failure == "OU id is not found for Workloads:Dev"
    assert [s.failure for s in res.stack_sets] == ["OU id is not found for Workloads:Dev", None]


def test_root_is_the_enrolled_accounts_in_any_state_and_nothing_else() -> None:
    r = _stack_set(ous=("Security", "Root"))
    ss = _one(r)
    assert ss == StackSetTargets(
        resource=r,
        stack_set="CustomControlTower-r",
        regions=("us-east-1",),
        ou_targets=(OuTarget("Root", ROOT),),  # the other entries are ignored
        accounts=(
            "121212121212",
            "222222222222",
            "333333333333",
            "555555555555",
            "575757575757",  # SUSPENDED but still in the baseline StackSet
            "666666666666",
            "777777777777",
            "888888888888",
        ),
        via={
            a: ("Root",)
            for a in (
                "121212121212",
                "222222222222",
                "333333333333",
                "555555555555",
                "575757575757",
                "666666666666",
                "777777777777",
                "888888888888",
            )
        },
        dropped=(
            Dropped("Root", "565656565656", "not-enrolled"),
            Dropped("Root", "585858585858", "not-enrolled"),
        ),
    )
    assert ss.uses_root


def test_root_never_includes_the_management_account_even_if_marked_enrolled() -> None:
    org = ORG.with_account(_account("111111111111", "Management", ROOT, enrolled=True))
    assert "111111111111" not in _one(_stack_set(ous=("Root",)), org).accounts


def test_accounts_by_id_must_be_enrolled_or_the_management_account() -> None:
    r = _stack_set(
        accounts=("111111111111", "333333333333", "565656565656", "999999999999", "575757575757")
    )
    ss = _one(r)
    assert ss.accounts == ("111111111111", "333333333333", "575757575757")
    assert ss.dropped == (
        Dropped("565656565656", "565656565656", "not-enrolled"),
        Dropped("999999999999", "999999999999", "not-in-organization"),
    )


def test_accounts_by_name_case_insensitive_active_only_then_enrolled() -> None:
    r = _stack_set(accounts=("audit", "LOG ARCHIVE", "Gone", "Invited", "Nobody"))
    ss = _one(r)
    assert ss.accounts == ("222222222222", "333333333333")
    assert ss.via == {"222222222222": ("accounts",), "333333333333": ("accounts",)}
    assert ss.dropped == (
        Dropped("Gone", None, "unknown-name"),  # SUSPENDED: not in CfCT's name map
        Dropped("Invited", "565656565656", "not-enrolled"),
        Dropped("Nobody", None, "unknown-name"),
    )


def test_an_account_reached_twice_is_not_dropped() -> None:
    r = _stack_set(ous=("Workloads",), accounts=("565656565656",))
    ss = _one(r)
    assert ss.via["565656565656"] == ("Workloads",)
    assert Dropped("565656565656", "565656565656", "not-enrolled") not in ss.dropped


def test_policies_root_top_level_nested_and_unknown() -> None:
    r = Resource(
        "g",
        "policies/g.json",
        "scp",
        organizational_units=("Root", "Security", "Workloads : Prod", "Sandbox", "Workloads:Dev"),
    )
    res = resolve(Manifest("us-east-1", (r,)), ORG)
    assert res.failure is None  # an unknown OU only skips the attachment
    assert res.policies == (
        PolicyTargets(
            r,
            "scp",
            (
                OuTarget("Root", ROOT),
                OuTarget("Security", SEC),
                OuTarget("Workloads : Prod", PROD),
                OuTarget("Sandbox", None),
                OuTarget("Workloads:Dev", None),
            ),
        ),
    )
    assert res.policies[0].attached_ids == (ROOT, SEC, PROD)


def test_policies_bind_through_the_ou_chain_but_never_the_management_account() -> None:
    wl = Resource(
        "wl", "policies/wl.json", "scp", organizational_units=("Workloads", "Workloads:Prod")
    )
    sec = Resource("sec", "policies/sec.json", "rcp", organizational_units=("Security",))
    res = resolve(Manifest("us-east-1", (wl, sec)), ORG)
    pw, ps = res.policies
    assert ps.kind == "rcp"
    assert res.policies_of("777777777777") == ((pw, (WL, PROD)),)  # Team, below Prod
    assert res.policies_of("555555555555") == ((pw, (WL,)),)
    assert res.policies_of("333333333333") == ((ps, (SEC,)),)
    assert res.policies_of("121212121212") == ()
    assert res.policies_of("111111111111") == ()
    assert res.inherited(TEAM) == ((pw, (WL, PROD)),)


def test_instances_of_an_account() -> None:
    a = Resource(
        "a",
        "templates/a.template",
        "stack_set",
        organizational_units=("Security",),
        regions=("us-west-2", "us-east-1"),
    )
    b = Resource("b", "templates/b.template", "stack_set", accounts=("333333333333",))
    res = resolve(Manifest("us-east-1", (a, b)), ORG)
    assert res.instances_of("333333333333") == (
        ("a", ("us-east-1", "us-west-2")),
        ("b", ("us-east-1",)),
    )
    assert res.instances_of("555555555555") == ()
    assert res.stack_set("b") is res.stack_sets[1]
    assert res.policy("a") is None
    assert stack_set_name("a") == "CustomControlTower-a"


def test_without_the_status_field_ou_members_and_names_resolve_to_nothing() -> None:
    r = _stack_set(ous=("Security", "Workloads:Prod"), accounts=("Audit", "121212121212"))
    ss = _one(r, cfct_reads_status=False)
    assert ss.accounts == ("121212121212",)  # an id still resolves through the baseline StackSet
    assert ss.dropped == (
        Dropped("Security", "222222222222", "no-status"),
        Dropped("Security", "333333333333", "no-status"),
        Dropped("Workloads:Prod", "666666666666", "no-status"),
        Dropped("Audit", None, "no-status"),
    )
    assert (
        _one(_stack_set(ous=("Root",)), cfct_reads_status=False).accounts
        == _one(_stack_set(ous=("Root",))).accounts
    )


@pytest.mark.parametrize("entry", ["", ":", " : "])
def test_empty_paths_find_nothing(entry: str) -> None:
    assert resolve_ou_for_policy(ORG, entry) == OuTarget(entry, None)

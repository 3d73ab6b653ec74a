"""`cfct-build plan`: where CfCT v2.8.4 will deploy the package, and the traps on the way.

`make_plan(manifest, org, ...)` resolves every manifest resource with `resolve.resolve` (the one
resolution module) and collects warnings; `render_text` and `render_json` print it. Warnings have
a stable `id` (listed in WARNING_IDS, in report order) and an exact message:

- `org-mismatch`: the organization read is not the one the settings describe.
- `ou-not-found`: an OU of the settings/manifest does not exist (CfCT skips a top-level name
  silently, fails its StackSet stage on a nested path, skips it for SCPs).
- `account-dropped`: an `accounts` entry CfCT drops (unknown id, not enrolled, unknown name).
- `no-recursion`: an OU below a StackSet's target OU that is not listed itself: its accounts
  (and any account vended into it later) get nothing from that StackSet.
- `not-enrolled`: an account in a governed OU that Control Tower has not enrolled.
- `account-inactive`: a suspended, closing or closed account in a governed or targeted OU.
- `status-retired` (with `cfct_reads_status=False`): accounts CfCT v2.8.4 can no longer see as
  ACTIVE once Organizations stops returning the `Status` field.
- `instances-lost`: instances that existed (previous snapshot, or the StackSet instances the
  snapshot recorded) but no longer resolve: CfCT deletes them.
- `instances-orphaned`: a StackSet that now resolves to no account: CfCT skips its instances,
  which stay deployed and are no longer updated.
- `scp-budget` / `rcp-budget`: a target would hold more than 5 SCPs (RCPs).
- `query-account-missing` (with `query_accounts`, the query table's projected accounts): an
  ACTIVE account of the organization that the table does not project, so Athena finds none of
  its logs until it is added to `query.accounts`.

`make_plan` and the renderers are pure. `run` is the command: it loads the snapshots or reads
the live organization (org.py), writes `--save-snapshot`, prints, and returns the exit code.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, TextIO

from cfct_build import naming
from cfct_build.config import Settings
from cfct_build.manifest import Manifest
from cfct_build.org import Account, Organization
from cfct_build.resolve import (
    ROOT,
    Dropped,
    Resolution,
    StackSetTargets,
    resolve,
    resolve_ou_for_policy,
    resolve_ou_for_stack_set,
    stack_set_name,
)

POLICY_LIMIT = 5  # Organizations: directly attached SCPs (RCPs) per root, OU or account
NEW_ACCOUNT_ID = "new-account"  # never a real id (not 12 digits)
SHOWN = 3  # accounts listed in one warning before "and N more"
WARNING_IDS = (
    "org-mismatch",
    "ou-not-found",
    "account-dropped",
    "no-recursion",
    "not-enrolled",
    "account-inactive",
    "status-retired",
    "instances-lost",
    "instances-orphaned",
    "scp-budget",
    "rcp-budget",
    "query-account-missing",
)


@dataclass(frozen=True)
class PlanWarning:
    id: str  # one of WARNING_IDS
    subject: str  # what it is about: an OU path, an account id, a resource name
    message: str

    def __str__(self) -> str:
        return f"[{self.id}] {self.message}"


@dataclass(frozen=True)
class Receipt:
    """What one account receives: instances (resource, regions) and binding policies."""

    instances: tuple[tuple[str, tuple[str, ...]], ...]
    policies: tuple[tuple[str, str, tuple[str, ...]], ...]  # (resource, kind, attached-at paths)
    policies_apply: bool  # False for the management account


@dataclass(frozen=True)
class NewAccount:
    ou: str  # the OU path as given
    ou_path: str  # the OU's canonical path (Root, A:B)
    receipt: Receipt
    # False: the query table does not project it (a new ID is never in query.accounts);
    # None: no query path.
    queryable: bool | None = None


@dataclass(frozen=True)
class Plan:
    resolution: Resolution
    source: str  # where the organization came from (a file, or "live")
    warnings: tuple[PlanWarning, ...]
    new_account: NewAccount | None = None

    @property
    def org(self) -> Organization:
        return self.resolution.org


class NewAccountError(ValueError):
    """--new-account names an OU that does not exist."""


def make_plan(
    manifest: Manifest,
    org: Organization,
    *,
    source: str,
    governed: Sequence[str] = (),
    organization_id: str | None = None,
    management_account: str | None = None,
    previous: Organization | None = None,
    new_account_ou: str | None = None,
    cfct_reads_status: bool = True,
    query_accounts: Sequence[str] | None = None,
) -> Plan:
    """Resolve `manifest` against `org` and collect the warnings.

    `governed`: the settings' `organization.organizational_units` (the OUs whose accounts must
    all be enrolled and active). `organization_id`/`management_account`: the settings' values,
    checked against the organization. `previous`: an older snapshot; instances it had that no
    longer resolve are reported (without it, the StackSet instances recorded in `org` are the
    reference; with `cfct_reads_status=False` and neither, today's resolution is). `new_account_ou`:
    also show what an account vended into that OU receives (NewAccountError when the OU does not
    exist). `query_accounts`: the accounts the query table projects (None: no query path)."""
    res = resolve(manifest, org, cfct_reads_status=cfct_reads_status)
    new = None
    if new_account_ou is not None:
        new = _new_account(manifest, org, new_account_ou, cfct_reads_status)
        if query_accounts is not None:
            new = replace(new, queryable=False)
    w: list[PlanWarning] = []
    w += _org_mismatch(org, organization_id, management_account)
    w += _ou_not_found(res, governed)
    w += _account_dropped(res)
    w += _no_recursion(res)
    w += _not_enrolled(res, governed)
    w += _inactive(res, governed)
    w += _status_retired(res)
    w += _lost(res, manifest, previous, cfct_reads_status)
    w += _budget(res)
    if query_accounts is not None:
        w += _query_account_missing(org, query_accounts)
    return Plan(res, source, tuple(w), new)


def plan_settings(
    settings: Settings,
    org: Organization,
    *,
    source: str,
    previous: Organization | None = None,
    new_account_ou: str | None = None,
    cfct_reads_status: bool = True,
) -> Plan:
    """`make_plan` for the package built from `settings` (what `cfct-build plan` runs)."""
    from cfct_build.package import build_package
    from cfct_build.queries import projected_accounts

    o = settings.organization
    return make_plan(
        build_package(settings).manifest,
        org,
        source=source,
        governed=o.organizational_units,
        organization_id=o.id,
        management_account=o.management_account,
        previous=previous,
        new_account_ou=new_account_ou,
        cfct_reads_status=cfct_reads_status,
        query_accounts=projected_accounts(settings) if settings.query.enabled else None,
    )


def live_read_names(manifest: Manifest) -> tuple[tuple[str, ...], bool]:
    """What a live read needs for this manifest: its StackSet names, and whether to list RCPs."""
    names = tuple(
        stack_set_name(r.name) for r in manifest.resources if r.deploy_method == "stack_set"
    )
    return names, any(r.deploy_method == "rcp" for r in manifest.resources)


# --- receipts ----------------------------------------------------------------------------


def receipt(res: Resolution, account_id: str) -> Receipt:
    org = res.org
    policies = tuple(
        (p.resource.name, p.kind, tuple(org.path_str(t) for t in at))
        for p, at in res.policies_of(account_id)
    )
    return Receipt(res.instances_of(account_id), policies, account_id != org.management_account_id)


def _new_account(
    manifest: Manifest, org: Organization, ou: str, cfct_reads_status: bool
) -> NewAccount:
    target = resolve_ou_for_policy(org, ou)
    if target.target_id is None:
        known = sorted(org.path_str(o.id) for o in org.ous)
        shown = ", ".join(known[:20]) + (f", ... ({len(known)} OUs)" if len(known) > 20 else "")
        raise NewAccountError(
            f'--new-account: OU "{ou}" does not exist in the organization; expected Root or '
            f"an OU path such as {shown or 'Workloads:Prod'}"
        )
    vended = Account(NEW_ACCOUNT_ID, "(new account)", target.target_id, "ACTIVE", True)
    res = resolve(manifest, org.with_account(vended), cfct_reads_status=cfct_reads_status)
    return NewAccount(ou, org.path_str(target.target_id), receipt(res, NEW_ACCOUNT_ID))


# --- warnings ----------------------------------------------------------------------------


def _who(org: Organization, account_id: str) -> str:
    a = org.account(account_id)
    return f"{account_id} ({a.name})" if a and a.name else account_id


def _accounts_phrase(org: Organization, ids: Sequence[str]) -> str:
    shown = ", ".join(_who(org, i) for i in ids[:SHOWN])
    more = len(ids) - SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


def _names(items: Iterable[str]) -> str:
    return ", ".join(items)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _org_mismatch(
    org: Organization, organization_id: str | None, management: str | None
) -> list[PlanWarning]:
    out = []
    if organization_id and organization_id != org.id:
        out.append(
            PlanWarning(
                "org-mismatch",
                "organization.id",
                f"the settings describe organization {organization_id} "
                f"(organization.id), but the organization read is {org.id}",
            )
        )
    if management and management != org.management_account_id:
        out.append(
            PlanWarning(
                "org-mismatch",
                "organization.management_account",
                f"the settings name {management} as the management account "
                f"(organization.management_account), but the organization's is "
                f"{org.management_account_id}",
            )
        )
    return out


def _ou_not_found(res: Resolution, governed: Sequence[str]) -> list[PlanWarning]:
    org = res.org
    entries = list(dict.fromkeys(governed))
    for r in [s.resource for s in res.stack_sets] + [p.resource for p in res.policies]:
        entries += [e for e in r.organizational_units if e not in entries]
    out = []
    for entry in entries:
        as_policy = resolve_ou_for_policy(org, entry).found
        as_stack_set = resolve_ou_for_stack_set(org, entry).found
        if as_policy and as_stack_set:
            continue
        where = " (organization.organizational_units)" if entry in governed else ""
        stack_sets = [
            s.resource.name
            for s in res.stack_sets
            if entry in s.resource.organizational_units and not s.uses_root and not as_stack_set
        ]
        skipped = []
        if stack_sets and ":" not in entry:
            skipped.append(f"no instance of {_names(stack_sets)} from it")
        for kind in ("scp", "rcp"):
            names = [
                p.resource.name
                for p in res.policies
                if p.kind == kind and entry in p.resource.organizational_units and not as_policy
            ]
            if names:
                skipped.append(f"{kind.upper()} {_names(names)} not attached there")
        said = []
        if stack_sets and ":" in entry:
            said.append(
                f'CfCT v2.8.4 fails its StackSet stage on it ("OU id is not found for {entry}", '
                f"targeted by {_names(stack_sets)}), so no StackSet is deployed in that run"
            )
        if skipped:
            said.append(f"CfCT v2.8.4 skips it silently ({'; '.join(skipped)})")
        tail = ": " + "; ".join(said) if said else ""
        out.append(
            PlanWarning(
                "ou-not-found",
                entry,
                f'OU "{entry}"{where} does not exist in the organization{tail}',
            )
        )
    return out


def _drop_reason(org: Organization, d: Dropped) -> str:
    if d.reason == "unknown-name":
        return f'no ACTIVE account is named "{d.entry}" (names match case-insensitively)'
    assert d.account_id is not None
    if d.reason == "not-in-organization":
        return f"{d.account_id} is not an account of the organization"
    return (
        f"{_who(org, d.account_id)} is not enrolled in Control Tower (no instance of "
        f"{naming.CT_BASELINE_STACKSET}) and is not the management account"
    )


def _account_dropped(res: Resolution) -> list[PlanWarning]:
    out = []
    for ss in res.stack_sets:
        for d in ss.dropped:
            if d.entry in ss.resource.accounts and d.reason != "inactive":
                out.append(
                    PlanWarning(
                        "account-dropped",
                        d.account_id or d.entry,
                        f'{ss.resource.name}: accounts entry "{d.entry}" is dropped by CfCT '
                        f"v2.8.4: {_drop_reason(res.org, d)}; no instance is deployed there",
                    )
                )
    return out


def _no_recursion(res: Resolution) -> list[PlanWarning]:
    org = res.org
    # child OU id -> (nearest targeted ancestor path, [resource names])
    found: dict[str, tuple[str, list[str]]] = {}
    for ss in res.stack_sets:
        if ss.uses_root:
            continue
        targeted = {t.target_id for t in ss.ou_targets if t.target_id is not None}
        for top in sorted(targeted, key=org.path):
            if top == org.root_id:
                continue
            for ou in org.descendants(top):
                if ou.id in targeted:
                    continue
                chain = org.ancestors(ou.id)
                nearest = next(t for t in reversed(chain) if t in targeted)
                if nearest != top:
                    continue  # reported from its nearest targeted ancestor
                entry = found.setdefault(ou.id, (org.path_str(top), []))
                if ss.resource.name not in entry[1]:
                    entry[1].append(ss.resource.name)
    out = []
    for ou_id in sorted(found, key=org.path):
        parent, names = found[ou_id]
        missing = [
            a.id
            for a in org.accounts_in(ou_id)
            if a.active
            and any(a.id not in (s.via or {}) for s in res.stack_sets if s.resource.name in names)
        ]
        who = (
            f"its {_plural(len(missing), 'account')} ({_accounts_phrase(org, missing)}) and "
            "any account vended into it get"
            if missing
            else "an account vended into it gets"
        )
        out.append(
            PlanWarning(
                "no-recursion",
                org.path_str(ou_id),
                f'OU "{org.path_str(ou_id)}" is inside "{parent}", which {_names(names)} '
                f"{'targets' if len(names) == 1 else 'target'}, but is not listed itself: CfCT "
                f"does not recurse into child OUs, so {who} no instance of {_names(names)}",
            )
        )
    return out


def _governed_ids(res: Resolution, governed: Sequence[str]) -> list[str]:
    """Root/OU ids of the governed entries that exist (StackSet lookup), in settings order."""
    ids: list[str] = []
    for entry in governed:
        t = resolve_ou_for_stack_set(res.org, entry)
        if t.target_id is not None and t.target_id not in ids:
            ids.append(t.target_id)
    return ids


def _governed_accounts(res: Resolution, governed: Sequence[str]) -> list[Account]:
    org = res.org
    ids = _governed_ids(res, governed)
    if org.root_id in ids:
        return [a for a in org.accounts if a.id != org.management_account_id]
    return [a for t in ids for a in org.accounts_in(t) if a.id != org.management_account_id]


def _not_enrolled(res: Resolution, governed: Sequence[str]) -> list[PlanWarning]:
    org = res.org
    out = []
    for a in sorted(_governed_accounts(res, governed), key=lambda x: x.id):
        if a.enrolled or not a.active:
            continue
        through_ou = [
            s.resource.name
            for s in res.stack_sets
            if a.id in s.via and s.via[a.id] != ("accounts",)
        ]
        root = [s.resource.name for s in res.stack_sets if s.uses_root]
        if through_ou:
            tail = (
                f": CfCT v2.8.4 still targets it through its OU (there it checks only that the "
                "account is ACTIVE), "
                f"and the instances of {_names(through_ou)} fail unless the account has the "
                f"{naming.CT_EXECUTION_ROLE} role"
            )
        elif root:
            tail = f": CfCT v2.8.4 leaves it out of Root, so it gets no instance of {_names(root)}"
        else:
            tail = ": enroll it so that Control Tower and CfCT govern it"
        out.append(
            PlanWarning(
                "not-enrolled",
                a.id,
                f'account {_who(org, a.id)} in OU "{org.path_str(a.parent_id)}" is not enrolled '
                f"in Control Tower (no instance of {naming.CT_BASELINE_STACKSET}){tail}",
            )
        )
    return out


def _inactive(res: Resolution, governed: Sequence[str]) -> list[PlanWarning]:
    org = res.org
    concerned = {a.id: a for a in _governed_accounts(res, governed)}
    for ss in res.stack_sets:
        for d in ss.dropped:
            if d.reason == "inactive" and d.account_id:
                concerned.setdefault(d.account_id, org.account(d.account_id))  # type: ignore[arg-type]
        for account_id in ss.accounts:
            a = org.account(account_id)
            if a is not None:
                concerned.setdefault(a.id, a)
    out = []
    for a in sorted(concerned.values(), key=lambda x: x.id):
        if a.active:
            continue
        left_out = sorted(
            {
                s.resource.name
                for s in res.stack_sets
                for d in s.dropped
                if d.account_id == a.id and d.reason == "inactive"
            }
        )
        still = [s.resource.name for s in res.stack_sets if a.id in s.via]
        said = []
        if left_out:
            said.append(
                f"CfCT v2.8.4 targets only ACTIVE accounts in OUs, so it gets no instance of "
                f"{_names(left_out)}"
            )
        if still:
            said.append(
                f"CfCT v2.8.4 still targets it ({_names(still)}: Root or listed by id), and "
                "those stack instance operations are likely to fail"
            )
        if not said:
            said.append("the SCPs attached above it still bind it")
        out.append(
            PlanWarning(
                "account-inactive",
                a.id,
                f'account {_who(org, a.id)} in OU "{org.path_str(a.parent_id)}" is {a.state}: '
                + "; ".join(said),
            )
        )
    return out


def _status_retired(res: Resolution) -> list[PlanWarning]:
    out = []
    for ss in res.stack_sets:
        unseen = sorted(
            {d.account_id for d in ss.dropped if d.reason == "no-status" and d.account_id}
        )
        names = [d.entry for d in ss.dropped if d.reason == "no-status" and d.account_id is None]
        if not unseen and not names:
            continue
        parts = []
        if unseen:
            parts.append(
                f"the {_plural(len(unseen), 'ACTIVE account')} of its OUs "
                f"({_accounts_phrase(res.org, unseen)})"
            )
        if names:
            parts.append("accounts named " + ", ".join(f'"{n}"' for n in names))
        out.append(
            PlanWarning(
                "status-retired",
                ss.resource.name,
                f"{ss.resource.name}: once Organizations no longer returns the account Status "
                f"field (retired 2026-09-09), CfCT v2.8.4 sees no account as ACTIVE "
                f'(it tests Status == "ACTIVE"), so {" and ".join(parts)} get no instance',
            )
        )
    return out


def _why_gone(
    org: Organization, before: Organization | None, account_id: str, cfct_reads_status: bool
) -> str:
    now = org.account(account_id)
    if now is None:
        return "the account is no longer in the organization"
    old = before.account(account_id) if before else None
    if not now.active:
        return f"the account is now {now.state}"
    if not cfct_reads_status and (old is None or old.parent_id == now.parent_id):
        return "without the Status field CfCT v2.8.4 no longer sees the account as ACTIVE"
    if old is not None and old.parent_id != now.parent_id:
        old_path = before.path_str(old.parent_id) if before else old.parent_id
        return f'the account moved from OU "{old_path}" to "{org.path_str(now.parent_id)}"'
    if old is not None and old.enrolled and not now.enrolled:
        return "the account is no longer enrolled in Control Tower"
    return "the account no longer resolves"


def _reference(
    ss: StackSetTargets,
    manifest: Manifest,
    previous: Organization | None,
    org: Organization,
    cfct_reads_status: bool,
    cache: dict[str, Resolution],
) -> tuple[tuple[str, str], ...] | None:
    """The instances CfCT compares with: recorded in the previous snapshot, else resolved
    against it, else recorded in the current snapshot."""
    if previous is not None:
        if ss.stack_set in previous.stack_sets:
            return previous.stack_sets[ss.stack_set]
        if "previous" not in cache:
            cache["previous"] = resolve(manifest, previous, cfct_reads_status=cfct_reads_status)
        before = cache["previous"].stack_set(ss.resource.name)
        return before.instances if before else ()
    if ss.stack_set in org.stack_sets:
        return org.stack_sets[ss.stack_set]
    if not cfct_reads_status:  # today's resolution (Status still returned) is what is deployed
        if "today" not in cache:
            cache["today"] = resolve(manifest, org)
        today = cache["today"].stack_set(ss.resource.name)
        return today.instances if today else ()
    return None


def _lost(
    res: Resolution,
    manifest: Manifest,
    previous: Organization | None,
    cfct_reads_status: bool,
) -> list[PlanWarning]:
    org = res.org
    cache: dict[str, Resolution] = {}
    out = []
    for ss in res.stack_sets:
        before = _reference(ss, manifest, previous, org, cfct_reads_status, cache)
        if not before:
            continue
        if not ss.accounts:
            accounts = sorted({a for a, _ in before})
            one = len(before) == 1
            out.append(
                PlanWarning(
                    "instances-orphaned",
                    ss.resource.name,
                    f"{ss.resource.name} now resolves to no account, but {ss.stack_set} has "
                    f"{_plural(len(before), 'instance')} (in "
                    f"{_plural(len(accounts), 'account')[2 if len(accounts) == 1 else 0 :]} "
                    f"{_accounts_phrase(org, accounts)}): CfCT v2.8.4 then skips the "
                    f"stack-instance step, so {'it stays' if one else 'they stay'} deployed and "
                    f"{'is' if one else 'are'} no longer updated",
                )
            )
            continue
        now = set(ss.instances)
        gone: dict[str, list[str]] = {}
        for account, region in sorted(set(before) - now):
            gone.setdefault(account, []).append(region)
        for account, regions in gone.items():
            if account in ss.accounts:
                why = f"{_names(regions)} {'is' if len(regions) == 1 else 'are'} no longer listed"
            else:
                why = _why_gone(org, previous, account, cfct_reads_status)
            out.append(
                PlanWarning(
                    "instances-lost",
                    account,
                    f"{ss.stack_set} loses its {_plural(len(regions), 'instance')} in account "
                    f"{_who(org, account)} ({_names(regions)}): {why}; CfCT v2.8.4 deletes "
                    f"{'it with its stack' if len(regions) == 1 else 'them with their stacks'} "
                    "(RetainStacks false: only resources with DeletionPolicy Retain survive)",
                )
            )
    return out


def _budget(res: Resolution) -> list[PlanWarning]:
    org = res.org
    out = []
    for kind in ("scp", "rcp"):
        ours: dict[str, list[str]] = {}
        for p in res.policies:
            if p.kind == kind:
                for t in p.attached_ids:
                    ours.setdefault(t, []).append(p.resource.name)
        for target in sorted(ours, key=org.path):
            existing = org.scps_on(target) if kind == "scp" else org.rcps_on(target)
            names = list(existing) + [n for n in ours[target] if n not in existing]
            if len(names) <= POLICY_LIMIT:
                continue
            new = [n for n in ours[target] if n not in existing]
            where = "Root" if target == org.root_id else f'OU "{org.path_str(target)}"'
            label = kind.upper() + "s"
            out.append(
                PlanWarning(
                    f"{kind}-budget",
                    org.path_str(target),
                    f"{where} would hold {len(names)} {label} ({_names(names)}): Organizations "
                    f"allows {POLICY_LIMIT} per target, so attaching {_names(new)} fails",
                )
            )
    return out


def _query_account_missing(org: Organization, projected: Sequence[str]) -> list[PlanWarning]:
    """One warning per ACTIVE account the query table's `account` enum leaves out."""
    listed = set(projected)
    return [
        PlanWarning(
            "query-account-missing",
            a.id,
            f'account {_who(org, a.id)} in OU "{org.path_str(a.parent_id)}" is not in the query '
            f'table\'s account projection: Athena finds none of its logs; add "{a.id}" to '
            "query.accounts in the settings, run cfct-build build and push the package (only "
            "the query stack changes)",
        )
        for a in sorted(org.accounts, key=lambda x: x.id)
        if a.active and a.id not in listed
    ]


# --- output ------------------------------------------------------------------------------


def _regions(regions: Iterable[str]) -> str:
    return ", ".join(regions)


LISTED = 10  # accounts listed per StackSet in the text output before "and N more"
NEW_ACCOUNT_NOT_QUERYABLE = (
    "not projected: Athena finds none of its logs until its account ID is added to "
    "query.accounts (then cfct-build build, push the package)"
)


def _account_list(org: Organization, ids: Sequence[str]) -> str:
    if not ids:
        return "none"
    shown = ", ".join(_who(org, i) for i in ids[:LISTED])
    more = len(ids) - LISTED
    return shown + (f" and {more} more" if more > 0 else "")


def _targets_cell(ss: StackSetTargets) -> str:
    parts = []
    if ss.ou_targets:
        ous = ", ".join(t.entry + ("" if t.found else " (not found)") for t in ss.ou_targets)
        parts.append(f"OUs {ous}")
    if ss.resource.accounts:
        parts.append("accounts " + ", ".join(ss.resource.accounts))
    return "; ".join(parts) or "none"


def _receipt_cells(r: Receipt) -> tuple[str, str]:
    instances = "; ".join(f"{name} ({_regions(regions)})" for name, regions in r.instances)
    if not r.policies_apply:
        policies = "none apply (management account)"
    else:
        policies = "; ".join(f"{name} ({', '.join(at)})" for name, _kind, at in r.policies)
    return instances or "none", policies or "none"


def render_text(plan: Plan) -> str:
    res = plan.resolution
    org = plan.org
    lines = [
        f"Organization {org.id} ({plan.source}): {_plural(len(org.ous), 'OU')}, "
        f"{_plural(len(org.accounts), 'account')} ({len(org.enrolled_ids)} enrolled in Control "
        f"Tower), management account {_who(org, org.management_account_id)}",
        "",
        f"StackSets: stack instances CfCT v2.8.4 creates (accounts x Regions; manifest region "
        f"{res.region})",
    ]
    for ss in res.stack_sets:
        n = len(ss.instances)
        lines += [
            f"  {ss.resource.name}: {_plural(n, 'instance')} = "
            f"{_plural(len(ss.accounts), 'account')} x {_plural(len(ss.regions), 'Region')}",
            f"    targets   {_targets_cell(ss)}",
            f"    accounts  {_account_list(org, ss.accounts)}",
            f"    regions   {_regions(ss.regions)}",
        ]
    if not res.stack_sets:
        lines.append("  none")
    if res.failure:
        lines.append(
            f'  CfCT v2.8.4 fails its StackSet stage ("{res.failure}"): no StackSet is deployed'
        )
    lines += ["", "Policies: where CfCT v2.8.4 attaches them"]
    for p in res.policies:
        attached = ", ".join(org.path_str(t) for t in p.attached_ids) or "nowhere"
        missing = [t.entry for t in p.targets if not t.found]
        if missing:
            attached += f" (not found: {', '.join(missing)})"
        lines.append(f"  {p.resource.name} ({p.kind.upper()}): {attached}")
    if not res.policies:
        lines.append("  none")
    lines += ["", "Accounts: what each receives (policies: where they are attached above it)"]
    for a in sorted(org.accounts, key=lambda x: (org.path(x.parent_id), x.id)):
        instances, policies = _receipt_cells(receipt(res, a.id))
        lines += [
            f"  {a.id} {a.name} | OU {org.path_str(a.parent_id)} | {a.state} | "
            f"{'enrolled' if a.enrolled else 'not enrolled'}",
            f"    stack instances  {instances}",
            f"    policies         {policies}",
        ]
    if plan.new_account is not None:
        na = plan.new_account
        instances, policies = _receipt_cells(na.receipt)
        lines += [
            "",
            f'A new account vended into "{na.ou_path}" (ACTIVE, enrolled) receives:',
            f"    stack instances  {instances}",
            f"    policies         {policies}",
        ]
        if na.queryable is False:
            lines.append(f"    query table      {NEW_ACCOUNT_NOT_QUERYABLE}")
    lines.append("")
    if plan.warnings:
        lines.append(f"Warnings ({len(plan.warnings)}):")
        lines += [f"  {w}" for w in plan.warnings]
    else:
        lines.append("Warnings: none")
    return "\n".join(lines) + "\n"


def _receipt_json(r: Receipt) -> dict[str, Any]:
    return {
        "stack_instances": [
            {"resource": name, "regions": list(regions)} for name, regions in r.instances
        ],
        "policies": [
            {"resource": name, "type": kind, "attached_to": list(at)}
            for name, kind, at in r.policies
        ],
        "policies_apply": r.policies_apply,
    }


def to_json(plan: Plan) -> dict[str, Any]:
    res = plan.resolution
    org = plan.org
    doc: dict[str, Any] = {
        "organization": {
            "id": org.id,
            "management_account": org.management_account_id,
            "source": plan.source,
            "organizational_units": len(org.ous),
            "accounts": len(org.accounts),
            "enrolled": len(org.enrolled_ids),
        },
        "region": res.region,
        "stack_set_stage_failure": res.failure,
        "stack_sets": [
            {
                "resource": ss.resource.name,
                "stack_set": ss.stack_set,
                "organizational_units": [
                    {"entry": t.entry, "id": t.target_id} for t in ss.ou_targets
                ],
                "accounts_entries": list(ss.resource.accounts),
                "regions": list(ss.regions),
                "accounts": list(ss.accounts),
                "instances": len(ss.instances),
                "dropped": [
                    {"entry": d.entry, "account": d.account_id, "reason": d.reason}
                    for d in ss.dropped
                ],
            }
            for ss in res.stack_sets
        ],
        "policies": [
            {
                "resource": p.resource.name,
                "type": p.kind,
                "targets": [{"entry": t.entry, "id": t.target_id} for t in p.targets],
                "attached_to": [org.path_str(t) for t in p.attached_ids],
            }
            for p in res.policies
        ],
        "accounts": [
            {
                "id": a.id,
                "name": a.name,
                "ou": org.path_str(a.parent_id),
                "state": a.state,
                "enrolled": a.enrolled,
                **_receipt_json(receipt(res, a.id)),
            }
            for a in sorted(org.accounts, key=lambda x: (org.path(x.parent_id), x.id))
        ],
        "new_account": None,
        "warnings": [
            {"id": w.id, "subject": w.subject, "message": w.message} for w in plan.warnings
        ],
    }
    if plan.new_account is not None:
        doc["new_account"] = {
            "ou": plan.new_account.ou_path,
            **_receipt_json(plan.new_account.receipt),
            "queryable": plan.new_account.queryable,
        }
    return doc


def render_json(plan: Plan) -> str:
    """The JSON document, one list item per line: json's C encoder only runs without `indent`,
    and the pure-Python one takes seconds on 10,000 accounts."""
    parts = []
    for key, value in to_json(plan).items():
        if isinstance(value, list) and value:
            items = ",\n    ".join(json.dumps(v, ensure_ascii=False) for v in value)
            text = f"[\n    {items}\n  ]"
        else:
            text = json.dumps(value, ensure_ascii=False)
        parts.append(f"  {json.dumps(key)}: {text}")
    return "{\n" + ",\n".join(parts) + "\n}\n"


def render(plan: Plan, fmt: str) -> str:
    return render_json(plan) if fmt == "json" else render_text(plan)


def run(
    settings: Settings,
    *,
    snapshot: str | None,
    previous: str | None,
    save_snapshot: str | None,
    new_account: str | None,
    fmt: str,
    strict: bool,
    profile: str | None,
    status_retired: bool,
    out: TextIO,
    err: TextIO,
) -> int:
    """`cfct-build plan`: 0, or 1 under `strict` with warnings; errors raise (CLI maps them)."""
    from cfct_build.errors import UsageError
    from cfct_build.org import load_snapshot, read_live, session
    from cfct_build.org import save_snapshot as save
    from cfct_build.package import build_package

    if snapshot and save_snapshot:
        raise UsageError("--save-snapshot writes a live read; it cannot be used with --snapshot")
    before = load_snapshot(previous) if previous else None
    if snapshot:
        org = load_snapshot(snapshot)
        source = snapshot
    else:
        names, rcps = live_read_names(build_package(settings).manifest)
        org = read_live(
            session(profile),
            settings.organization.home_region,
            stack_sets=names,
            read_rcps=rcps,
            progress=err,
        )
        source = "live"
        if save_snapshot:
            save(org, save_snapshot)
            print(f"{save_snapshot}: snapshot written", file=err)
    try:
        result = plan_settings(
            settings,
            org,
            source=source,
            previous=before,
            new_account_ou=new_account,
            cfct_reads_status=not status_retired,
        )
    except NewAccountError as exc:
        raise UsageError(str(exc)) from None
    out.write(render(result, fmt))
    return 1 if strict and result.warnings else 0


__all__ = [
    "NEW_ACCOUNT_ID",
    "NEW_ACCOUNT_NOT_QUERYABLE",
    "POLICY_LIMIT",
    "ROOT",
    "WARNING_IDS",
    "NewAccount",
    "NewAccountError",
    "Plan",
    "PlanWarning",
    "Receipt",
    "live_read_names",
    "make_plan",
    "plan_settings",
    "receipt",
    "render",
    "render_json",
    "render_text",
    "run",
    "to_json",
]

"""THE resolution module: where CfCT v2.8.4 deploys each manifest resource in an organization.

Used by `plan`, `simulate` and the tests; nothing else decides targeting. It mirrors CfCT
v2.8.4's `source/src/cfct/manifest/manifest_parser.py` (`StackSetParser`,
`OrganizationsData.get_accounts_in_ou`, `get_final_account_list`, `get_final_ou_list`,
`get_ou_id`), rule by rule:

StackSets (`deploy_method: stack_set`), StackSet `CustomControlTower-<name>`:
- Regions: the resource's `regions`, else the manifest `region`.
- Enrolled accounts: those with an instance of Control Tower's baseline StackSet
  (`Account.enrolled`, see org.py).
- `organizational_units` containing `Root`: the accounts are exactly the enrolled accounts (any
  lifecycle state: the baseline StackSet is the only source), and every other OU entry of that
  resource is ignored. The management account is never enrolled, so never targeted by `Root`.
- Otherwise each entry without `:` is a top-level OU matched by exact name among the root's
  children; an unknown name adds nothing, silently. An entry with `:` is a nested path (split on
  `:`, each part stripped, empty parts dropped) walked down from the root; an unknown path
  raises in CfCT, which fails the pipeline's StackSet stage: no StackSet at all is deployed in
  that run (`Resolution.failure`).
- An OU contributes only the accounts directly in it (no recursion into child OUs) whose
  lifecycle is ACTIVE (CfCT tests `Status == "ACTIVE"`). Enrollment is NOT checked for OU
  members: an ACTIVE account that is not enrolled is targeted (its instances then fail unless
  it has the AWSControlTowerExecution role).
- `accounts`: a 12-digit string is an id; anything else is a name, matched case-insensitively
  against the names of ACTIVE accounts. The ids are then intersected with the enrolled accounts
  plus the management account: an id outside that set (unknown, or not enrolled) is dropped
  silently.
- The final account list is the union; instances are accounts x regions. When it is empty,
  CfCT skips the stack-instance step (existing instances are neither updated nor deleted); when
  it is not, CfCT deletes the instances of accounts and Regions no longer in it.

Policies (`deploy_method: scp` / `rcp`): every entry goes through `get_ou_id`: `Root` is the
root; anything else is a path (split on `:`, stripped) walked from the root, so a top-level name
works too. An unknown entry is skipped (CfCT logs a warning). Policies are attached to the
target and bind every account below it through the OU chain, except the management account.

`cfct_reads_status=False` models CfCT v2.8.4 once Organizations no longer returns the `Status`
field (retired on 2026-09-09): its `Status == "ACTIVE"` test is then never true, so OU members
and account names resolve to nothing (explicit ids and `Root` are unaffected).

API (stable):

    resolve(manifest, org, *, cfct_reads_status=True) -> Resolution
    resolve_ou_for_stack_set(org, entry) -> OuTarget     # CfCT's StackSet lookup of one entry
    resolve_ou_for_policy(org, entry) -> OuTarget        # CfCT's SCP/RCP lookup of one entry
    stack_set_name(resource_name) -> "CustomControlTower-<name>"

    Resolution(org, region, stack_sets, policies, failure)
        .stack_set(name) / .policy(name)        -> StackSetTargets / PolicyTargets or None
        .instances_of(account_id)               -> ((resource name, regions), ...)
        .policies_of(account_id)                -> ((PolicyTargets, (attached-at ids, root first)), ...)
        .inherited(target_id)                   -> the same for an account placed in that root/OU
    StackSetTargets(resource, stack_set, regions, ou_targets, accounts, via, dropped, failure)
        .instances                              -> ((account, region), ...) sorted
    PolicyTargets(resource, kind, targets)
        .attached_ids                           -> target ids, unique, in manifest order
    OuTarget(entry, target_id)  .found
    Dropped(entry, account_id, reason)          reason in DROP_REASONS
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from cfct_build import naming
from cfct_build.manifest import Manifest, Resource
from cfct_build.org import Organization

ROOT = "Root"

DropReason = Literal[
    "not-in-organization",  # an id in `accounts` that is not an account of the organization
    "not-enrolled",  # an id in `accounts` (or, under Root, an account) without a baseline instance
    "unknown-name",  # a name in `accounts` that matches no ACTIVE account
    "inactive",  # an account directly in a targeted OU whose state is not ACTIVE
    "no-status",  # cfct_reads_status=False: an ACTIVE account CfCT cannot see as ACTIVE
]
DROP_REASONS: tuple[DropReason, ...] = (
    "not-in-organization",
    "not-enrolled",
    "unknown-name",
    "inactive",
    "no-status",
)


@dataclass(frozen=True)
class OuTarget:
    entry: str  # as written in the manifest
    target_id: str | None  # the root's or an OU's id; None when CfCT finds nothing

    @property
    def found(self) -> bool:
        return self.target_id is not None

    @property
    def nested(self) -> bool:
        return ":" in self.entry


@dataclass(frozen=True)
class Dropped:
    entry: str  # the manifest entry: an account id or name, or an OU entry
    account_id: str | None  # the account concerned, when there is one
    reason: DropReason


@dataclass(frozen=True)
class StackSetTargets:
    resource: Resource
    stack_set: str
    regions: tuple[str, ...]
    ou_targets: tuple[OuTarget, ...]
    accounts: tuple[str, ...]  # sorted account ids that get instances
    via: Mapping[str, tuple[str, ...]]  # account id -> entries that reach it ("accounts", OU)
    dropped: tuple[Dropped, ...]
    failure: str | None = None  # CfCT's error when a nested OU is not found

    @property
    def instances(self) -> tuple[tuple[str, str], ...]:
        return tuple((a, r) for a in self.accounts for r in sorted(self.regions))

    @property
    def uses_root(self) -> bool:
        return ROOT in self.resource.organizational_units


@dataclass(frozen=True)
class PolicyTargets:
    resource: Resource
    kind: Literal["scp", "rcp"]
    targets: tuple[OuTarget, ...]

    @property
    def attached_ids(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for t in self.targets:
            if t.target_id is not None:
                seen.setdefault(t.target_id)
        return tuple(seen)


@dataclass(frozen=True)
class Resolution:
    org: Organization
    region: str  # the manifest region (Control Tower home Region)
    stack_sets: tuple[StackSetTargets, ...]
    policies: tuple[PolicyTargets, ...]
    failure: str | None = None  # the StackSet stage fails: no StackSet is deployed at all
    _instances: dict[str, list[tuple[str, tuple[str, ...]]]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _inherited: dict[str, tuple[tuple[PolicyTargets, tuple[str, ...]], ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        for ss in self.stack_sets:
            regions = tuple(sorted(ss.regions))
            for account in ss.accounts:
                self._instances.setdefault(account, []).append((ss.resource.name, regions))

    def stack_set(self, name: str) -> StackSetTargets | None:
        return next((s for s in self.stack_sets if s.resource.name == name), None)

    def policy(self, name: str) -> PolicyTargets | None:
        return next((p for p in self.policies if p.resource.name == name), None)

    def instances_of(self, account_id: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """(resource name, regions) of every StackSet with an instance in the account."""
        return tuple(self._instances.get(account_id, ()))

    def policies_of(self, account_id: str) -> tuple[tuple[PolicyTargets, tuple[str, ...]], ...]:
        """Policies that bind the account, each with the root/OU ids on its chain (root first)
        where it is attached. Empty for the management account: SCPs and RCPs never apply to
        it."""
        account = self.org.account(account_id)
        if account is None or account_id == self.org.management_account_id:
            return ()
        return self.inherited(account.parent_id)

    def inherited(self, target_id: str) -> tuple[tuple[PolicyTargets, tuple[str, ...]], ...]:
        """Policies binding an account placed directly in the root or OU `target_id`."""
        cached = self._inherited.get(target_id)
        if cached is not None:
            return cached
        chain = self.org.ancestors(target_id)
        out = []
        for p in self.policies:
            attached = set(p.attached_ids)
            at = tuple(t for t in chain if t in attached)
            if at:
                out.append((p, at))
        result = tuple(out)
        self._inherited[target_id] = result
        return result


def stack_set_name(resource_name: str) -> str:
    return f"{naming.CFCT_STACKSET_PREFIX}{resource_name}"


def _path_parts(entry: str) -> list[str]:
    """CfCT's `list_sanitizer(empty_separator_handler(":", entry))`."""
    return [p.strip() for p in entry.split(":") if p.strip() != ""]


def resolve_ou_for_policy(org: Organization, entry: str) -> OuTarget:
    """CfCT's `get_ou_id`: `Root`, or a path walked from the root (top-level names too)."""
    if entry == ROOT:
        return OuTarget(entry, org.root_id)
    parts = _path_parts(entry)
    ou = org.find_ou(parts) if parts else None
    return OuTarget(entry, ou.id if ou else None)


def resolve_ou_for_stack_set(org: Organization, entry: str) -> OuTarget:
    """CfCT's StackSet lookup: `Root`; a name without `:` matched exactly among the root's
    children; a nested path as for policies."""
    if entry == ROOT:
        return OuTarget(entry, org.root_id)
    if ":" in entry:
        return resolve_ou_for_policy(org, entry)
    ou = next((c for c in org.children(org.root_id) if c.name == entry), None)
    return OuTarget(entry, ou.id if ou else None)


def _resolve_stack_set(
    resource: Resource, org: Organization, region: str, cfct_reads_status: bool
) -> StackSetTargets:
    via: dict[str, list[str]] = {}
    dropped: list[Dropped] = []
    failure: str | None = None
    enrolled = org.enrolled_ids
    management = org.management_account_id

    def active(account_id: str) -> bool:
        a = org.account(account_id)
        return cfct_reads_status and a is not None and a.active

    entries = list(dict.fromkeys(resource.organizational_units))
    ou_targets: list[OuTarget] = []
    if ROOT in entries:
        ou_targets = [OuTarget(ROOT, org.root_id)]
        for a in org.accounts:
            if a.id == management:
                continue
            if a.id in enrolled:
                via.setdefault(a.id, []).append(ROOT)
            else:
                dropped.append(Dropped(ROOT, a.id, "not-enrolled"))
    else:
        for entry in entries:
            target = resolve_ou_for_stack_set(org, entry)
            ou_targets.append(target)
            if target.target_id is None:
                if target.nested and failure is None:
                    failure = f"OU id is not found for {entry}"
                continue
            for a in org.accounts_in(target.target_id):
                if active(a.id):
                    via.setdefault(a.id, []).append(entry)
                else:
                    dropped.append(Dropped(entry, a.id, "no-status" if a.active else "inactive"))

    names: dict[str, str] = {}  # CfCT: {Name: Id} over ACTIVE accounts, last one wins
    if any(not _is_id(x) for x in resource.accounts):
        for a in org.accounts:
            if active(a.id):
                names[a.name] = a.id
    allowed = enrolled | {management}
    for item in dict.fromkeys(resource.accounts):
        if _is_id(item):
            ids = [item]
        else:
            ids = [v for k, v in names.items() if k.lower() == item.lower()]
            if not ids:
                unseen = not cfct_reads_status and any(
                    a.active and a.name.lower() == item.lower() for a in org.accounts
                )
                dropped.append(Dropped(item, None, "no-status" if unseen else "unknown-name"))
        for account_id in ids:
            if account_id in allowed:
                via.setdefault(account_id, []).append("accounts")
            elif org.account(account_id) is None:
                dropped.append(Dropped(item, account_id, "not-in-organization"))
            else:
                dropped.append(Dropped(item, account_id, "not-enrolled"))
    # an account dropped by one entry but reached by another is not dropped
    kept = [d for d in dropped if d.account_id is None or d.account_id not in via]
    return StackSetTargets(
        resource=resource,
        stack_set=stack_set_name(resource.name),
        regions=resource.regions or (region,),
        ou_targets=tuple(ou_targets),
        accounts=tuple(sorted(via)),
        via={k: tuple(v) for k, v in sorted(via.items())},
        dropped=tuple(kept),
        failure=failure,
    )


def _is_id(item: str) -> bool:
    return item.isdigit() and len(item) == 12


def resolve(manifest: Manifest, org: Organization, *, cfct_reads_status: bool = True) -> Resolution:
    """Resolve every resource of the manifest as CfCT v2.8.4 does (see the module docstring)."""
    stack_sets: list[StackSetTargets] = []
    policies: list[PolicyTargets] = []
    for r in manifest.resources:
        if r.deploy_method == "stack_set":
            stack_sets.append(_resolve_stack_set(r, org, manifest.region, cfct_reads_status))
        else:
            entries = list(dict.fromkeys(r.organizational_units))
            targets = tuple(resolve_ou_for_policy(org, e) for e in entries)
            kind: Literal["scp", "rcp"] = "rcp" if r.deploy_method == "rcp" else "scp"
            policies.append(PolicyTargets(r, kind, targets))
    failure = next((s.failure for s in stack_sets if s.failure), None)
    return Resolution(org, manifest.region, tuple(stack_sets), tuple(policies), failure)

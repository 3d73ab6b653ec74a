"""`cfct-build simulate`: deploy the package into an emulated organization, then vend an account.

The steps, each on moto (`aws.py`) and each the way CfCT v2.8.4 and Control Tower do it:

1. build the organization (`organization.py`) from `--org-snapshot` or from the settings;
2. first pipeline run (`pipeline.py`): the organization is read through the Organizations API
   (`org.read_live`, as `plan` reads a real one), every manifest resource is resolved by
   `resolve.py`, then SCPs, then StackSets in manifest order;
3. vend a new account (Account Factory: create, move into `--new-account-ou`, enroll);
4. the `CreateManagedAccount` lifecycle event re-runs the whole pipeline: the organization is
   read again, every resource resolved again, SCPs updated in place, and each StackSet compared
   byte for byte with the package (only missing instances are added when nothing changed);
5. read back what the new account received: its stack instances and their resources (through
   CloudFormation), the SCPs binding it along its OU chain (through Organizations), and every
   StackSet's template and operations (through CloudFormation) to show none was updated.

moto's random IDs (KMS key IDs, stack IDs) are seeded, so the same inputs give the same report.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from cfct_build.config import Settings
from cfct_build.errors import UsageError
from cfct_build.manifest import Resource
from cfct_build.org import Account, Organization, OrganizationalUnit
from cfct_build.package import Package, build_package
from cfct_build.queries import projected_accounts
from cfct_build.resolve import ROOT, Resolution, resolve
from cfct_build.simulate import aws
from cfct_build.simulate.fidelity import Gap, emulated_template
from cfct_build.simulate.organization import EmulatedOrganization, default_org, free_account_id
from cfct_build.simulate.pipeline import (
    Pipeline,
    PipelineRun,
    PolicyTarget,
    stack_name,
    stack_set_name,
)

SEED = 20210315  # any fixed value: moto's IDs repeat from run to run
NEW_ACCOUNT_NAME = "cfct-build-simulated-account"


@dataclass(frozen=True, order=True)
class StackResource:
    logical_id: str
    type: str
    physical_id: str


@dataclass(frozen=True)
class NewInstance:
    """A stack instance the re-run created in the new account, read back through CloudFormation."""

    resource: Resource
    region: str
    stack_name: str
    status: str
    resources: tuple[StackResource, ...]
    gaps: tuple[Gap, ...]  # template parts the emulated instance did not receive
    not_created: tuple[tuple[str, str, str], ...]  # (logical id, type, why) of the others


@dataclass(frozen=True)
class BindingPolicies:
    """SCPs attached to one target of the new account's chain (root, OUs, the account)."""

    target_id: str
    label: str  # "Root", an OU path, or "account <id>"
    policies: tuple[str, ...]


@dataclass(frozen=True)
class StackSetCheck:
    """A StackSet after the re-run, read back through CloudFormation."""

    name: str
    template_identical: bool  # DescribeStackSet's TemplateBody equals the package file
    updates_before: int  # UPDATE operations after the first run
    updates_after: int  # ... and after the re-run


@dataclass(frozen=True)
class Simulation:
    source: str  # "settings" or the snapshot file
    moto_version: str
    package: Package
    organization: Organization  # as read before the first run
    first: PipelineRun
    first_resolution: Resolution | None
    new_account: Account | None
    new_account_ou: str
    rerun: PipelineRun | None
    rerun_resolution: Resolution | None
    new_instances: tuple[NewInstance, ...]
    binding: tuple[BindingPolicies, ...]
    checks: tuple[StackSetCheck, ...]
    gaps: tuple[Gap, ...]
    # The accounts the query table projects (None: no query path): a vended account is not
    # among them until it is added to query.accounts.
    query_accounts: tuple[str, ...] | None = None

    @property
    def failure(self) -> str | None:
        if self.first.failure:
            return f"first pipeline run: {self.first.failure}"
        if self.rerun is not None and self.rerun.failure:
            return f"re-run after CreateManagedAccount: {self.rerun.failure}"
        return None

    @property
    def updated_stack_sets(self) -> tuple[str, ...]:
        """StackSets the re-run updated (template or parameters), as the re-run recorded it
        and as CloudFormation's operation list shows it."""
        names = set()
        if self.rerun is not None:
            names |= {
                stack_set_name(r.resource) for r in self.rerun.stack_sets if r.action == "updated"
            }
        names |= {c.name for c in self.checks if c.updates_after != c.updates_before}
        return tuple(sorted(names))


class _Targets:
    """`pipeline.Targets` from a `resolve.Resolution`."""

    def __init__(self, resolution: Resolution) -> None:
        self.resolution = resolution

    @property
    def failure(self) -> str | None:
        return self.resolution.failure

    def stack_set(self, resource: Resource) -> tuple[Sequence[str], Sequence[str]]:
        targets = self.resolution.stack_set(resource.name)
        assert targets is not None
        return targets.accounts, targets.regions

    def policy(self, resource: Resource) -> Sequence[PolicyTarget]:
        targets = self.resolution.policy(resource.name)
        assert targets is not None
        seen: dict[str, PolicyTarget] = {}
        for t in targets.targets:
            if t.target_id is not None and t.target_id not in seen:
                seen[t.target_id] = PolicyTarget(t.entry, t.target_id)
        return tuple(seen.values())


def new_account_ou(
    settings: Settings,
    org: Organization,
    requested: str | None,
    settings_file: str | None,
    source: str,
) -> str:
    """The OU path the new account is vended into; UsageError (exit 2) when it is not usable."""
    known = [org.path_str(ou.id) for ou in _all_ous(org)]
    expected = (
        f"expected an OU path of the organization ({source}): {', '.join(known)}"
        if known
        else f"expected an OU path, but the organization ({source}) has no OU"
    )
    if requested is not None:
        where = "--new-account-ou"
        path = requested
    else:
        if not settings.organization.organizational_units:
            raise UsageError(
                "--new-account-ou: not given, and the settings list no OU "
                "(organization.organizational_units) to default to; give an OU path"
            )
        path = settings.organization.organizational_units[0]
        where = _locate(settings_file, ("organization", "organizational_units", 0))
        where += " (the default of --new-account-ou)"
    if path == ROOT:
        raise UsageError(
            f"{where}: got {path!r}; expected an OU path: Control Tower enrolls accounts in "
            f"OUs, never directly in the root; {expected}"
        )
    parts = [p.strip() for p in path.split(":") if p.strip()]
    if not parts or org.find_ou(parts) is None:
        raise UsageError(f"{where}: got {path!r}; {expected}")
    return ":".join(parts)


def _all_ous(org: Organization) -> list[OrganizationalUnit]:
    out: list[OrganizationalUnit] = []
    for top in org.children(org.root_id):
        out.append(top)
        out.extend(org.descendants(top.id))
    return out


def _locate(settings_file: str | None, path: tuple[str | int, ...]) -> str:
    """`file:line:col: dotted.path` of a settings value (file alone if it cannot be found)."""
    dotted = ".".join(str(p) for p in path if isinstance(p, str))
    dotted += "".join(f"[{p}]" for p in path if isinstance(p, int))
    if settings_file is None:
        return f"settings: {dotted}"
    try:
        node = yaml.compose(Path(settings_file).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        node = None
    for key in path:
        if isinstance(node, yaml.MappingNode) and isinstance(key, str):
            node = next((v for k, v in node.value if getattr(k, "value", None) == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            node = None
    if node is None:
        return f"{settings_file}: {dotted}"
    mark = node.start_mark
    return f"{settings_file}:{mark.line + 1}:{mark.column + 1}: {dotted}"


class Emulation:
    """The emulated cloud of one simulation: the organization and CfCT's pipeline over it.

    Use inside `aws.emulated_aws()` (or the test suite's `emulated_aws` fixture): `start()`
    builds the organization, `run_pipeline()` runs CfCT's pipeline once against the organization
    as read at that moment, `vend()` adds an account the way Account Factory does.
    """

    def __init__(self, settings: Settings, model: Organization, package: Package) -> None:
        self.settings = settings
        self.model = model
        self.package = package
        self.home = settings.organization.home_region
        self.accounts = aws.Accounts(settings.partition)
        self.organization = EmulatedOrganization(self.accounts, model, self.home, settings)
        self.pipeline = Pipeline(self.accounts, model.management_account_id, self.home)
        self.stack_sets = [
            stack_set_name(r) for r in package.manifest.resources if r.deploy_method == "stack_set"
        ]

    def start(self) -> None:
        aws.seed(SEED)
        self.organization.build()

    def read_org(self) -> Organization:
        return self.organization.read(self.stack_sets)

    def run_pipeline(self) -> tuple[Organization, Resolution, PipelineRun]:
        """One CfCT pipeline run: read the organization, resolve, deploy."""
        org = self.read_org()
        resolution = resolve(self.package.manifest, org, cfct_reads_status=_reads_status(org))
        return org, resolution, self.pipeline.run(self.package, _Targets(resolution))

    def vend(self, ou_path: str) -> Account:
        """Account Factory: a new ACTIVE account in the OU, enrolled; its ID is the next free
        one of the workload sequence."""
        ou = self.model.find_ou(ou_path.split(":"))
        assert ou is not None  # new_account_ou() checked it
        new_id = free_account_id(self.model)
        account = Account(
            new_id,
            NEW_ACCOUNT_NAME,
            ou.id,
            "ACTIVE",
            True,
            f"aws+{new_id}@example.com",
            "ACTIVE" if _reads_status(self.model) else None,
        )
        self.organization.vend(account)
        self.model = self.model.with_account(account)
        return account

    def operations(self) -> dict[str, int]:
        """UPDATE operations of each existing StackSet, read through CloudFormation."""
        cfn = self.pipeline.management("cloudformation")
        out = {}
        for name in self.stack_sets:
            try:
                summaries = cfn.list_stack_set_operations(StackSetName=name)["Summaries"]
            except cfn.exceptions.StackSetNotFoundException:
                continue
            out[name] = sum(1 for s in summaries if s["Action"] == "UPDATE")
        return out

    def template_identical(self, name: str) -> bool:
        """DescribeStackSet's TemplateBody equals the package file, byte for byte."""
        cfn = self.pipeline.management("cloudformation")
        body = cfn.describe_stack_set(StackSetName=name)["StackSet"]["TemplateBody"]
        (resource,) = [r for r in self.package.manifest.resources if stack_set_name(r) == name]
        return bool(body == self.package.files[resource.resource_file])


def simulate(
    settings: Settings,
    *,
    snapshot: Organization | None = None,
    snapshot_file: str | None = None,
    new_account_ou_path: str | None = None,
    settings_file: str | None = None,
) -> Simulation:
    """Run the whole simulation (see the module docstring). Raises MissingExtraError without
    moto and UsageError for an unusable OU path; a failed pipeline run is in the result."""
    aws.moto()  # fail early, before any work, when the extra is missing
    package = build_package(settings)
    projected = tuple(projected_accounts(settings)) if settings.query.enabled else None
    model = snapshot if snapshot is not None else default_org(settings)
    source = f"snapshot {snapshot_file}" if snapshot_file else "default from the settings"
    ou_path = new_account_ou(settings, model, new_account_ou_path, settings_file, source)
    gaps = _all_gaps(package)
    with aws.emulated_aws(), aws.quiet():
        emulation = Emulation(settings, model, package)
        emulation.start()
        org, first_resolution, first = emulation.run_pipeline()
        if first.failure:
            return Simulation(
                source, aws.moto_version(), package, org, first, first_resolution, None,
                ou_path, None, None, (), (), (), gaps, projected,
            )  # fmt: skip
        before = emulation.operations()
        account = emulation.vend(ou_path)
        _org_after, rerun_resolution, rerun = emulation.run_pipeline()
        new_instances = tuple(
            _read_instance(
                emulation.accounts,
                i.resource,
                account.id,
                i.region,
                gaps,
                package.files[i.resource.resource_file],
            )
            for result in rerun.stack_sets
            for i in result.added
            if i.account == account.id
        )
        binding = tuple(
            BindingPolicies(target, label, tuple(policies))
            for target, label, policies in emulation.organization.policies_binding(account.id)
        )
        after = emulation.operations()
        checks = tuple(
            StackSetCheck(
                name, emulation.template_identical(name), before.get(name, 0), after[name]
            )
            for name in emulation.stack_sets
            if name in after
        )
    return Simulation(
        source, aws.moto_version(), package, org, first, first_resolution, account, ou_path,
        rerun, rerun_resolution, new_instances, binding, checks, gaps, projected,
    )  # fmt: skip


def _reads_status(org: Organization) -> bool:
    """CfCT v2.8.4 tests the retired `Status` field: without it no account reads as ACTIVE."""
    return all(a.status is not None for a in org.accounts)


def _all_gaps(package: Package) -> tuple[Gap, ...]:
    gaps: set[Gap] = set()
    for r in package.manifest.resources:
        if r.deploy_method == "stack_set":
            gaps |= set(emulated_template(r.resource_file, package.files[r.resource_file])[1])
    return tuple(sorted(gaps))


def _read_instance(
    accounts: aws.Accounts,
    resource: Resource,
    account: str,
    region: str,
    gaps: tuple[Gap, ...],
    template_text: str,
) -> NewInstance:
    cfn = accounts.client(account, region, "cloudformation")
    name = stack_name(resource)
    (stack,) = cfn.describe_stacks(StackName=name)["Stacks"]
    pages = cfn.get_paginator("list_stack_resources").paginate(StackName=name)
    found = sorted(
        StackResource(r["LogicalResourceId"], r["ResourceType"], r["PhysicalResourceId"])
        for page in pages
        for r in page["StackResourceSummaries"]
        if r[
            "LogicalResourceId"
        ]  # moto lists a blank entry for a resource whose condition is false
    )
    mine = tuple(g for g in gaps if g.resource_file == resource.resource_file)
    template = json.loads(template_text)
    created = {r.logical_id for r in found}
    left_out = {g.logical_id for g in mine if g.kind == "resource"}
    not_created = []
    for logical_id, declared in sorted(template.get("Resources", {}).items()):
        if logical_id in created or logical_id in left_out:
            continue
        condition = declared.get("Condition")
        why = (
            f"condition {condition} is false in {region}"
            if condition
            else "not created by the emulator (no reason known)"
        )
        not_created.append((logical_id, declared.get("Type", ""), why))
    return NewInstance(
        resource, region, name, stack["StackStatus"], tuple(found), mine, tuple(not_created)
    )

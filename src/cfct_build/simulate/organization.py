"""The emulated organization: built in moto from a snapshot (or from the settings), vended into.

`default_org(settings)` shapes an organization from the settings alone: the management account
in the root; the log-archive and audit accounts in `Security` (Control Tower's core OU, created
if the settings do not list it); one workload account in every other configured OU (parents
created as needed). Every account but the management account is ACTIVE and enrolled; IDs are
fixed (`r-0000`, `ou-0000-0000000N`, workload accounts `1000000000NN`), so a run is
reproducible.

`EmulatedOrganization` builds an `org.Organization` (a snapshot's or the default) in moto, the
way Control Tower leaves it, with the snapshot's IDs:
- Organizations: the organization, root, OUs and accounts with their IDs, account lifecycle
  (`State`, and `Status` when the snapshot has it), the SCPs and RCPs attached to the root and
  OUs by name (policies other than `FullAWSAccess` get a placeholder document: a snapshot holds
  names, not contents);
- enrollment: an instance of Control Tower's baseline StackSet
  (`AWSControlTowerBP-BASELINE-CONFIG`, management account, home Region) per enrolled account,
  which is what CfCT v2.8.4 reads, and the `AWSControlTowerExecution` role Control Tower
  creates in it;
- the management account's `AWSControlTowerExecution` role, deployed from cfct-build's own
  bootstrap template (`cfct-build bootstrap`), which CfCT needs there;
- the reader roles the query stack attaches its reader policy to (`key.reader_roles` of the
  audit account, with `query.attach_reader_policy`): they are the customer's and must exist
  before that stack deploys, so they stand in for the ones a real organization has.
`read()` reads it back with `org.read_live`, exactly as `plan` reads a real organization;
`vend()` does what Account Factory does for a new account: create it, move it into its OU,
enroll it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from cfct_build import naming
from cfct_build.components import bootstrap as bootstrap_component
from cfct_build.config import Settings
from cfct_build.org import Account, Organization, OrganizationalUnit, read_live
from cfct_build.queries import query_reader_roles
from cfct_build.render import template_json
from cfct_build.resolve import stack_set_name
from cfct_build.simulate.aws import (
    Accounts,
    SimulationError,
    fixed_ids,
    quiet,
    set_account_details,
)

CORE_OU = "Security"
DEFAULT_ROOT_ID = "r-0000"
FIRST_WORKLOAD_ACCOUNT = 100000000001
PLACEHOLDER_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Sid": "PlaceholderFromSnapshot", "Effect": "Deny", "Action": "none:none"}],
    }
)
NULL_TEMPLATE = json.dumps(
    {
        "Description": "Emulated marker of Control Tower enrollment (what CfCT reads).",
        "Resources": {"Enrolled": {"Type": "AWS::CloudFormation::WaitConditionHandle"}},
    }
)
BOOTSTRAP_STACK = naming.BOOTSTRAP_STACK


def _ou_id(n: int) -> str:
    return f"ou-0000-{n:08d}"


def free_account_id(org: Organization, *, reserved: Sequence[str] = ()) -> str:
    """The first ID of the workload sequence that no account of `org` uses."""
    used = {a.id for a in org.accounts} | set(reserved)
    n = FIRST_WORKLOAD_ACCOUNT
    while f"{n:012d}" in used:
        n += 1
    return f"{n:012d}"


def default_org(s: Settings) -> Organization:
    """An organization shaped from the settings (see the module docstring)."""
    o = s.organization
    ous: list[OrganizationalUnit] = []
    by_path: dict[tuple[str, ...], str] = {}

    def ensure(parts: tuple[str, ...]) -> str:
        if not parts:
            return DEFAULT_ROOT_ID
        if parts not in by_path:
            parent = ensure(parts[:-1])
            by_path[parts] = _ou_id(len(ous) + 1)
            ous.append(OrganizationalUnit(by_path[parts], parts[-1], parent))
        return by_path[parts]

    configured = [tuple(e.split(":")) for e in o.organizational_units if e != "Root"]
    for parts in configured:
        ensure(parts)
    security = ensure((CORE_OU,))
    accounts = [
        Account(o.management_account, "Management", DEFAULT_ROOT_ID, "ACTIVE", False,
                f"aws+{o.management_account}@example.com", "ACTIVE"),
        Account(o.log_archive_account, "Log Archive", security, "ACTIVE", True,
                f"aws+{o.log_archive_account}@example.com", "ACTIVE"),
        Account(o.audit_account, "Audit", security, "ACTIVE", True,
                f"aws+{o.audit_account}@example.com", "ACTIVE"),
    ]  # fmt: skip
    org = Organization(o.id, o.management_account, DEFAULT_ROOT_ID, tuple(ous), tuple(accounts))
    for parts in configured:
        ou = by_path[parts]
        if ou == security:
            continue  # the core accounts live there
        account_id = free_account_id(org)
        name = "workload-" + "-".join(parts).lower()
        org = org.with_account(
            Account(account_id, name, ou, "ACTIVE", True, f"aws+{account_id}@example.com", "ACTIVE")
        )
    scps = {target: ("FullAWSAccess",) for target in (DEFAULT_ROOT_ID, *by_path.values())}
    return replace(org, scps=scps, home_region=o.home_region)


class EmulatedOrganization:
    """An `org.Organization` built in moto; see the module docstring."""

    def __init__(
        self, accounts: Accounts, model: Organization, home_region: str, settings: Settings
    ) -> None:
        self.accounts = accounts
        self.model = model
        self.home_region = home_region
        self.settings = settings
        self.management = model.management_account_id

    def _org(self) -> Any:
        return self.accounts.client(self.management, self.home_region, "organizations")

    def _cfn(self, account: str | None = None) -> Any:
        return self.accounts.client(account or self.management, self.home_region, "cloudformation")

    # ----------------------------------------------------------------- build

    def build(self) -> None:
        m = self.model
        org = self._org()
        with fixed_ids(org_id=m.id, root_id=m.root_id):
            org.create_organization(FeatureSet="ALL")
        for ou in _parents_first(m):
            with fixed_ids(ou_id=ou.id):
                org.create_organizational_unit(ParentId=ou.parent_id, Name=ou.name)
        for account in m.accounts:
            if account.id != self.management:
                self._create_account(account)
        self._attach_policies()
        management = m.account(self.management)
        assert management is not None  # org.py validates it
        self._lifecycle(management)
        self._enroll([a.id for a in m.accounts if a.enrolled])
        self._bootstrap_management()
        self._reader_roles()

    def _lifecycle(self, account: Account) -> None:
        set_account_details(
            self.management,
            account.id,
            self.accounts.partition,
            name=account.name,
            email=account.email or f"aws+{account.id}@example.com",
            state=account.state,
            status=account.status,
        )

    def _create_account(self, account: Account) -> None:
        org = self._org()
        with fixed_ids(account_id=account.id):
            org.create_account(
                AccountName=account.name,
                Email=account.email or f"aws+{account.id}@example.com",
            )
        if account.parent_id != self.model.root_id:
            org.move_account(
                AccountId=account.id,
                SourceParentId=self.model.root_id,
                DestinationParentId=account.parent_id,
            )
        self._lifecycle(account)

    def _attach_policies(self) -> None:
        org = self._org()
        m = self.model
        for policy_type, attached in (
            ("SERVICE_CONTROL_POLICY", m.scps),
            ("RESOURCE_CONTROL_POLICY", m.rcps),
        ):
            if policy_type == "RESOURCE_CONTROL_POLICY" and not any(attached.values()):
                continue  # only read when the snapshot has RCPs
            ids = {
                p["Name"]: p["Id"]
                for page in org.get_paginator("list_policies").paginate(Filter=policy_type)
                for p in page["Policies"]
            }
            for target in (m.root_id, *(ou.id for ou in m.ous)):
                wanted = attached.get(target, ())
                have = {
                    p["Name"]: p["Id"]
                    for page in org.get_paginator("list_policies_for_target").paginate(
                        TargetId=target, Filter=policy_type
                    )
                    for p in page["Policies"]
                }
                for name in wanted:
                    if name not in ids:
                        ids[name] = org.create_policy(
                            Name=name,
                            Description="placeholder: the snapshot records names, not contents",
                            Type=policy_type,
                            Content=PLACEHOLDER_POLICY,
                        )["Policy"]["PolicySummary"]["Id"]
                    if name not in have:
                        org.attach_policy(PolicyId=ids[name], TargetId=target)
                for name, policy_id in have.items():
                    if name not in wanted:
                        org.detach_policy(PolicyId=policy_id, TargetId=target)

    def _enroll(self, account_ids: Sequence[str]) -> None:
        """Control Tower enrollment: a baseline StackSet instance and the execution role."""
        cfn = self._cfn()
        try:
            cfn.describe_stack_set(StackSetName=naming.CT_BASELINE_STACKSET)
        except cfn.exceptions.StackSetNotFoundException:
            cfn.create_stack_set(
                StackSetName=naming.CT_BASELINE_STACKSET,
                Description="Emulated Control Tower baseline StackSet (enrollment marker)",
                TemplateBody=NULL_TEMPLATE,
            )
        members = [a for a in account_ids if a != self.management]
        if members:
            with quiet():  # the marker template's resource type is one moto skips
                cfn.create_stack_instances(
                    StackSetName=naming.CT_BASELINE_STACKSET,
                    Accounts=list(members),
                    Regions=[self.home_region],
                )
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {
                        "AWS": f"arn:{self.accounts.partition}:iam::{self.management}:root"
                    },
                    "Action": "sts:AssumeRole",
                }
            ],
        }
        for account in members:
            iam = self.accounts.client(account, self.home_region, "iam")
            iam.create_role(
                RoleName=naming.CT_EXECUTION_ROLE,
                AssumeRolePolicyDocument=json.dumps(trust),
                Description="Emulated: created by Control Tower in every enrolled account",
            )

    def _reader_roles(self) -> None:
        """The customer's reader roles the query stack attaches its policy to."""
        s = self.settings
        if not (s.query.enabled and s.query.attach_reader_policy):
            return
        for arn in query_reader_roles(s):
            account = arn.split(":")[4]
            if self.model.account(account) is None:
                continue  # the query stack's own failure says it
            path, name = arn.split(":role", 1)[1].rsplit("/", 1)
            trust = {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:{self.accounts.partition}:iam::{account}:root"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
            self.accounts.client(account, self.home_region, "iam").create_role(
                RoleName=name,
                Path=path + "/",
                AssumeRolePolicyDocument=json.dumps(trust),
                Description="Emulated: a reader role of key.reader_roles (the customer's own)",
            )

    def _bootstrap_management(self) -> None:
        """`cfct-build bootstrap`: the management account's AWSControlTowerExecution role."""
        cfn = self._cfn()
        try:
            cfn.create_stack(
                StackName=BOOTSTRAP_STACK,
                TemplateBody=template_json(bootstrap_component.build(self.settings)),
                Capabilities=["CAPABILITY_NAMED_IAM"],
            )
        except Exception as exc:  # botocore ClientError or a moto failure
            raise SimulationError(f"deploying the bootstrap template failed: {exc}") from None

    # ----------------------------------------------------------------- use

    def read(self, package_stack_sets: Sequence[str]) -> Organization:
        """The organization as CfCT (and `plan`) reads it, through the Organizations API."""
        session = self.accounts.session(self.management, self.home_region)
        return read_live(session, self.home_region, stack_sets=package_stack_sets)

    def vend(self, account: Account) -> None:
        """Account Factory: create the account, move it into its OU, enroll it."""
        self._create_account(account)
        self._enroll([account.id])

    def policies_binding(self, account_id: str) -> list[tuple[str, str, list[str]]]:
        """(target id, target label, SCP names) from the root down to the account itself."""
        org = self._org()
        chain: list[tuple[str, str]] = []
        current = account_id
        while True:
            (parent,) = org.list_parents(ChildId=current)["Parents"]
            if parent["Type"] == "ROOT":
                chain.append((parent["Id"], "Root"))
                break
            chain.append((parent["Id"], ""))
            current = parent["Id"]
        chain.reverse()
        labelled = []
        path: list[str] = []
        for target_id, label in chain:
            if not label:
                path.append(
                    org.describe_organizational_unit(OrganizationalUnitId=target_id)[
                        "OrganizationalUnit"
                    ]["Name"]
                )
                label = ":".join(path)
            labelled.append((target_id, label))
        labelled.append((account_id, f"account {account_id}"))
        out = []
        for target_id, label in labelled:
            names = sorted(
                p["Name"]
                for page in org.get_paginator("list_policies_for_target").paginate(
                    TargetId=target_id, Filter="SERVICE_CONTROL_POLICY"
                )
                for p in page["Policies"]
            )
            out.append((target_id, label, names))
        return out


def _parents_first(org: Organization) -> list[OrganizationalUnit]:
    out: list[OrganizationalUnit] = []
    for top in org.children(org.root_id):
        out.append(top)
        out.extend(org.descendants(top.id))
    return out


def package_stack_sets(names: Sequence[str]) -> list[str]:
    return [stack_set_name(n) for n in names]

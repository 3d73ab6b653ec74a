"""One CfCT pipeline run on the emulated cloud: SCPs first, then each StackSet in manifest order.

What it does, and where it follows CfCT v2.8.4 (`state_machine_handler.py`,
`manifest/sm_execution_manager.py`, `manifest/cfn_params_handler.py`, `aws/services/ssm.py`,
and the state machines of `customizations-for-aws-control-tower.template`):

- **Policies first** (`scp`, `rcp`): every policy resource, in manifest order, before any
  StackSet. The policy is found by name; it is created if absent, otherwise updated in place
  (CfCT calls `UpdatePolicy` on every run, changed or not); the content sent is the file text
  after CfCT's `.replace("\\n", "\\r\\n").replace("  ", "")`. The policy type is enabled on the
  root, and the policy attached to each resolved target it is not attached to yet. Policies are
  never detached or deleted (CfCT does neither for a resource that stays in the manifest).
- **StackSets** (`stack_set`), sequentially in manifest order (CfCT's only dependency
  mechanism). Parameter values are resolved first: a comma splits a value into stripped items;
  an item `$[alfred_ssm_<name>]` becomes the value of SSM parameter `<name>` in the management
  account, home Region; `$[<keyword>]` of an unknown helper becomes `<keyword>`;
  `alfred_genpass_`, `alfred_genkeypair`, `alfred_genaz_` are not emulated (an error).
  Then, as `compare_template_and_params` does: an existing StackSet whose template **bytes**
  equal the package file and whose parameters equal the resolved values (only the manifest's
  keys are compared, and a list-valued parameter never equals the stored string) is **not
  updated**: only missing stack instances are added and instances of accounts or Regions that
  no longer resolve are deleted, and nothing runs at all when the instances match. Otherwise
  the StackSet is created, or updated together with every instance it has.
- **Stack instances** are created in the account and Region they target with the credentials
  of `AWSControlTowerExecution` there (what the StackSet execution uses), capabilities
  `CAPABILITY_NAMED_IAM` and `CAPABILITY_AUTO_EXPAND`. An account without that role fails, as
  a real StackSet operation does (the management account has it only after `cfct-build
  bootstrap`). Each receives the package template less what moto cannot create
  (`fidelity.py`); the StackSet record always holds the package template byte for byte.
- **export_outputs**: after an execution, the outputs of the instance in the first resolved
  account and first Region are matched case-insensitively against `$[output_<Key>]` and written
  to management-account SSM as `String` parameters with `Overwrite`. An unmatched output is an
  error here (CfCT only logs it, and the consumer then fails on a missing parameter).

How StackSets are emulated, and why: the StackSet **record** (template body, parameters,
operations) is a real moto StackSet in the management account, home Region, so the byte
comparison reads `DescribeStackSet` as CfCT does and an update shows up in
`ListStackSetOperations`. The **instances** are stacks created directly in each target
account, one per account and Region, named `StackSet-CustomControlTower-<name>` (AWS appends
a random suffix), and tracked in `Pipeline.instances`: moto's own `CreateStackInstances`
creates its stacks behind the CloudFormation API (no capability or parameter checks), does not
propagate StackSet updates to them, and reports a StackId that does not name the stack it
created, which is exactly what CfCT's output export reads.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from cfct_build import naming
from cfct_build.manifest import Resource
from cfct_build.package import Package
from cfct_build.render import cfct_sent_text
from cfct_build.simulate.aws import Accounts, SimulationError, quiet
from cfct_build.simulate.fidelity import Gap, emulated_template

CAPABILITIES = ["CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]
SSM_HELPER = "alfred_ssm_"
NOT_EMULATED_HELPERS = ("alfred_genpass_", "alfred_genkeypair", "alfred_genaz_")
SSM_DESCRIPTION = "This value was stored by Custom Control Tower Solution."
STACK_SET_TAG = {"Key": "AWS_Solutions", "Value": "CustomControlTowerStackSet"}
POLICY_TYPES = {"scp": "SERVICE_CONTROL_POLICY", "rcp": "RESOURCE_CONTROL_POLICY"}


def stack_set_name(resource: Resource) -> str:
    return f"CustomControlTower-{resource.name}"


def stack_name(resource: Resource) -> str:
    """The stack of one instance (AWS appends a random suffix; the emulation does not)."""
    return f"StackSet-{stack_set_name(resource)}"


@dataclass(frozen=True)
class PolicyTarget:
    """Where a policy attaches: an OU path as written in the manifest (or Root), and its ID."""

    path: str
    id: str


class Targets(Protocol):
    """Resolution of the manifest's deployment targets against the organization of this run."""

    @property
    def failure(self) -> str | None:
        """CfCT's error when the StackSet stage cannot even start (no StackSet is deployed)."""
        ...

    def stack_set(self, resource: Resource) -> tuple[Sequence[str], Sequence[str]]:
        """(accounts, regions) that get stack instances, accounts in CfCT's order."""
        ...

    def policy(self, resource: Resource) -> Sequence[PolicyTarget]:
        """The OUs (or Root) a policy attaches to."""
        ...


@dataclass(frozen=True)
class StackInstance:
    resource: Resource
    account: str
    region: str
    stack_id: str
    parameters: dict[str, str]  # resolved values, as the stack received them
    outputs: dict[str, str]


@dataclass(frozen=True)
class PolicyResult:
    resource: Resource
    policy_id: str
    action: Literal["created", "updated"]
    content_changed: bool  # False: UpdatePolicy sent the content already stored
    attached: tuple[PolicyTarget, ...]  # newly attached in this run
    already_attached: tuple[PolicyTarget, ...]


@dataclass(frozen=True)
class StackSetResult:
    resource: Resource
    action: Literal["created", "updated", "instances", "unchanged"]
    template_matched: bool  # template bytes equal the deployed StackSet's (True when created)
    parameters_matched: bool
    added: tuple[StackInstance, ...]
    updated: tuple[StackInstance, ...]
    deleted: tuple[tuple[str, str], ...]  # (account, region)
    exported: tuple[tuple[str, str], ...]  # SSM (name, value) written after this resource
    gaps: tuple[Gap, ...]  # what the emulated instances' template leaves out (fidelity.py)


@dataclass
class PipelineRun:
    """What one pipeline run did, in the order it did it."""

    policies: list[PolicyResult] = field(default_factory=list)
    stack_sets: list[StackSetResult] = field(default_factory=list)
    failure: str | None = None  # where the run stopped, as CfCT's pipeline stops

    def stack_set(self, resource_name: str) -> StackSetResult:
        (found,) = [r for r in self.stack_sets if r.resource.name == resource_name]
        return found

    def policy(self, resource_name: str) -> PolicyResult:
        (found,) = [r for r in self.policies if r.resource.name == resource_name]
        return found


def resolve_parameter(value: str, ssm: Any) -> str | list[str]:
    """A manifest parameter value as CfCT hands it on (a list when it holds a comma)."""
    if "," not in value:
        return _helper(value, ssm)
    return [_helper(item.strip(), ssm) for item in value.split(",")]


def _helper(value: str, ssm: Any) -> str:
    if not (value.startswith("$[") and value.endswith("]")):
        return value
    keyword = value[2:-1]
    if keyword.startswith(SSM_HELPER):
        name = keyword[len(SSM_HELPER) :]
        if not name:
            raise SimulationError(f"{value}: missing SSM parameter name")
        try:
            response = ssm.get_parameter(Name=name, WithDecryption=True)
        except Exception as exc:  # botocore ClientError: ParameterNotFound
            raise SimulationError(
                f"{value}: SSM parameter {name} not found in the management account "
                f"(no earlier resource exports it): {exc}"
            ) from None
        return str(response["Parameter"]["Value"])
    if keyword.startswith(NOT_EMULATED_HELPERS):
        raise SimulationError(f"{value}: this CfCT helper is not emulated by cfct-build simulate")
    return keyword


def _as_cfn(value: str | list[str]) -> str:
    return ",".join(value) if isinstance(value, list) else value


class Pipeline:
    """CfCT's pipeline against the emulated cloud; keeps the StackSet instances between runs."""

    def __init__(self, accounts: Accounts, management_account: str, home_region: str) -> None:
        self.accounts = accounts
        self.management_account = management_account
        self.home_region = home_region
        # stack set name -> (account, region) -> instance: the StackSet instance list.
        self.instances: dict[str, dict[tuple[str, str], StackInstance]] = {}

    # ----------------------------------------------------------------- clients

    def management(self, service: str) -> Any:
        return self.accounts.client(self.management_account, self.home_region, service)

    def ssm_parameters(self) -> dict[str, str]:
        """Every SSM parameter of the management account, home Region."""
        ssm = self.management("ssm")
        pages = ssm.get_paginator("describe_parameters").paginate()
        names = [p["Name"] for page in pages for p in page["Parameters"]]
        return {n: ssm.get_parameter(Name=n)["Parameter"]["Value"] for n in sorted(names)}

    def instance(self, resource_name: str) -> StackInstance:
        """The single stack instance of a resource (an error if it has none or several)."""
        (found,) = self.instances.get(f"CustomControlTower-{resource_name}", {}).values()
        return found

    # ----------------------------------------------------------------- the run

    def run(self, package: Package, targets: Targets) -> PipelineRun:
        """One pipeline run; a failure stops it (recorded in `failure`, as far as it got)."""
        run = PipelineRun()
        try:
            self._run(run, package, targets)
        except SimulationError as exc:
            run.failure = str(exc)
        return run

    def _run(self, run: PipelineRun, package: Package, targets: Targets) -> None:
        resources = package.manifest.resources
        for resource in resources:
            if resource.deploy_method in POLICY_TYPES:
                run.policies.append(self._policy(resource, package, targets))
        if targets.failure is not None:
            raise SimulationError(
                f"the StackSet stage fails before any StackSet: {targets.failure}"
            )
        for resource in resources:
            if resource.deploy_method == "stack_set":
                run.stack_sets.append(self._stack_set(resource, package, targets))

    # ----------------------------------------------------------------- policies

    def _policy(self, resource: Resource, package: Package, targets: Targets) -> PolicyResult:
        org = self.management("organizations")
        policy_type = POLICY_TYPES[resource.deploy_method]
        content = cfct_sent_text(package.files[resource.resource_file])
        existing = _find_policy(org, resource.name, policy_type)
        if existing is None:
            created = org.create_policy(
                Name=resource.name,
                Description=resource.description,
                Type=policy_type,
                Content=content,
            )
            policy_id = created["Policy"]["PolicySummary"]["Id"]
            action: Literal["created", "updated"] = "created"
            changed = True
        else:
            policy_id = existing
            before = org.describe_policy(PolicyId=policy_id)["Policy"]["Content"]
            org.update_policy(
                PolicyId=policy_id,
                Name=resource.name,
                Description=resource.description,
                Content=content,
            )
            action, changed = "updated", before != content
        _enable_policy_type(org, policy_type)
        attached, already = [], []
        for target in targets.policy(resource):
            pages = org.get_paginator("list_policies_for_target").paginate(
                TargetId=target.id, Filter=policy_type
            )
            names = {p["Name"] for page in pages for p in page["Policies"]}
            if resource.name in names:
                already.append(target)
            else:
                org.attach_policy(PolicyId=policy_id, TargetId=target.id)
                attached.append(target)
        return PolicyResult(resource, policy_id, action, changed, tuple(attached), tuple(already))

    # ----------------------------------------------------------------- StackSets

    def _stack_set(self, resource: Resource, package: Package, targets: Targets) -> StackSetResult:
        cfn = self.management("cloudformation")
        name = stack_set_name(resource)
        template = package.files[resource.resource_file]
        emulated, gaps = emulated_template(resource.resource_file, template)
        ssm = self.management("ssm")
        raw = {k: resolve_parameter(v, ssm) for k, v in resource.parameters}
        parameters = {k: _as_cfn(v) for k, v in raw.items()}
        cfn_parameters = [{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()]
        accounts, regions = targets.stack_set(resource)
        wanted = [(a, r) for a in accounts for r in regions]
        existing = self.instances.setdefault(name, {})

        deployed = _describe_stack_set(cfn, name)
        if deployed is None:
            cfn.create_stack_set(
                StackSetName=name,
                Description=resource.description,
                TemplateBody=template,
                Parameters=cfn_parameters,
                Capabilities=CAPABILITIES,
                Tags=[STACK_SET_TAG],
                AdministrationRoleARN=(
                    f"arn:{self.accounts.partition}:iam::{self.management_account}:role/"
                    f"{naming.CT_STACKSET_ROLE_PATH}"
                ),
                ExecutionRoleName=naming.CT_EXECUTION_ROLE,
            )
            action: Literal["created", "updated", "instances", "unchanged"] = "created"
            template_matched = parameters_matched = True
        else:
            template_matched = deployed["TemplateBody"] == template
            stored = {p["ParameterKey"]: p["ParameterValue"] for p in deployed["Parameters"]}
            parameters_matched = template_matched and all(
                stored.get(k, "") == v for k, v in raw.items()
            )
            if template_matched and parameters_matched:
                differs = accounts and set(wanted) != set(existing)
                action = "instances" if differs else "unchanged"
            else:
                action = "updated"
                cfn.update_stack_set(
                    StackSetName=name,
                    TemplateBody=template,
                    Parameters=cfn_parameters,
                    Capabilities=CAPABILITIES,
                )
        if action == "unchanged":
            return StackSetResult(resource, action, True, True, (), (), (), (), gaps)

        updated = []
        if action == "updated":
            for account, region in sorted(existing):
                instance = self._update_instance(resource, account, region, emulated, parameters)
                existing[(account, region)] = instance
                updated.append(instance)
        added = []
        if not accounts:  # CfCT skips the stack-instance step: nothing added, nothing deleted
            wanted = list(existing)
        for account, region in wanted:
            if (account, region) not in existing:
                instance = self._create_instance(resource, account, region, emulated, parameters)
                existing[(account, region)] = instance
                added.append(instance)
        deleted = sorted(key for key in existing if key not in set(wanted))
        for account, region in deleted:
            client = self.accounts.client(account, region, "cloudformation")
            client.delete_stack(StackName=stack_name(resource))
            del existing[(account, region)]

        exported: tuple[tuple[str, str], ...] = ()
        if resource.export_outputs and accounts and regions:
            first = existing[(accounts[0], regions[0])]
            exported = self._export_outputs(resource, first.outputs, ssm)
        return StackSetResult(
            resource,
            action,
            template_matched,
            parameters_matched,
            tuple(added),
            tuple(updated),
            tuple(deleted),
            exported,
            gaps,
        )

    def _check_execution_role(self, resource: Resource, account: str) -> None:
        iam = self.accounts.client(account, self.home_region, "iam")
        try:
            iam.get_role(RoleName=naming.CT_EXECUTION_ROLE)
        except Exception:  # botocore ClientError: NoSuchEntity
            hint = (
                " (run `cfct-build bootstrap` in the management account)"
                if account == self.management_account
                else " (is the account enrolled in Control Tower?)"
            )
            raise SimulationError(
                f"{resource.name}: stack instance in {account} fails: the account has no "
                f"{naming.CT_EXECUTION_ROLE} role for the StackSet to assume{hint}"
            ) from None

    def _create_instance(
        self,
        resource: Resource,
        account: str,
        region: str,
        template: str,
        parameters: Mapping[str, str],
    ) -> StackInstance:
        self._check_execution_role(resource, account)
        cfn = self.accounts.client(account, region, "cloudformation")
        try:
            with quiet():
                created = cfn.create_stack(
                    StackName=stack_name(resource),
                    TemplateBody=template,
                    Parameters=[
                        {"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()
                    ],
                    Capabilities=CAPABILITIES,
                )
        except Exception as exc:  # botocore ClientError: the stack instance fails
            raise SimulationError(
                f"{resource.name}: stack instance in {account}/{region} failed: {exc}"
            ) from None
        return self._read_instance(resource, account, region, created["StackId"], parameters)

    def _update_instance(
        self,
        resource: Resource,
        account: str,
        region: str,
        template: str,
        parameters: Mapping[str, str],
    ) -> StackInstance:
        cfn = self.accounts.client(account, region, "cloudformation")
        try:
            cfn.update_stack(
                StackName=stack_name(resource),
                TemplateBody=template,
                Parameters=[
                    {"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()
                ],
                Capabilities=CAPABILITIES,
            )
        except Exception as exc:  # botocore ClientError: the update fails
            raise SimulationError(
                f"{resource.name}: updating the stack instance in {account}/{region} failed: {exc}"
            ) from None
        stack_id = self.instances[stack_set_name(resource)][(account, region)].stack_id
        return self._read_instance(resource, account, region, stack_id, parameters)

    def _read_instance(
        self,
        resource: Resource,
        account: str,
        region: str,
        stack_id: str,
        parameters: Mapping[str, str],
    ) -> StackInstance:
        cfn = self.accounts.client(account, region, "cloudformation")
        (stack,) = cfn.describe_stacks(StackName=stack_id)["Stacks"]
        if stack["StackStatus"] not in ("CREATE_COMPLETE", "UPDATE_COMPLETE"):
            reason = stack.get("StackStatusReason", "")
            raise SimulationError(
                f"{resource.name}: stack instance in {account}/{region} ended in "
                f"{stack['StackStatus']} {reason}".rstrip()
            )
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
        return StackInstance(resource, account, region, stack_id, dict(parameters), outputs)

    def _export_outputs(
        self, resource: Resource, outputs: Mapping[str, str], ssm: Any
    ) -> tuple[tuple[str, str], ...]:
        by_key = {f"output_{k.lower()}": v for k, v in outputs.items()}
        written = []
        for name, ref in resource.export_outputs:
            key = ref[2:-1].lower() if ref.startswith("$[") and ref.endswith("]") else ref.lower()
            if key not in by_key:
                raise SimulationError(f"{resource.name}: export {name} = {ref}: no such output")
            ssm.put_parameter(
                Name=name,
                Value=by_key[key],
                Description=SSM_DESCRIPTION,
                Type="String",
                Overwrite=True,
            )
            written.append((name, by_key[key]))
        return tuple(written)


def _find_policy(org: Any, name: str, policy_type: str) -> str | None:
    for page in org.get_paginator("list_policies").paginate(Filter=policy_type):
        for policy in page["Policies"]:
            if policy["Name"] == name:
                return str(policy["Id"])
    return None


def _enable_policy_type(org: Any, policy_type: str) -> None:
    (root,) = org.list_roots()["Roots"]
    enabled = {t["Type"] for t in root.get("PolicyTypes", []) if t["Status"] == "ENABLED"}
    if policy_type not in enabled:
        org.enable_policy_type(RootId=root["Id"], PolicyType=policy_type)


def _describe_stack_set(cfn: Any, name: str) -> dict[str, Any] | None:
    try:
        response = cfn.describe_stack_set(StackSetName=name)
    except cfn.exceptions.StackSetNotFoundException:
        return None
    stack_set: dict[str, Any] = response["StackSet"]
    return stack_set

"""One CfCT pipeline run, emulated on moto: the StackSet resources of a package, in manifest order.

What it does, and where it follows CfCT v2.8.4 (`state_machine_handler.py`,
`cfn_params_handler.py`, `aws/services/ssm.py`):
- resources run sequentially in manifest order (CfCT's only dependency mechanism);
- each `stack_set` resource is deployed as one stack per target account and Region, with the
  credentials of `AWSControlTowerExecution` in that account (what the StackSet execution
  uses), capabilities `CAPABILITY_NAMED_IAM` and `CAPABILITY_AUTO_EXPAND`;
- parameter values are resolved first: a comma splits a value into items; an item
  `$[alfred_ssm_<name>]` becomes the value of SSM parameter `<name>` read in the management
  account, home Region (no other helper is used by this package: any other raises);
- `export_outputs`: the outputs of the stack in the resource's first account and first Region
  are matched case-insensitively against `$[output_<Key>]` and written to management-account
  SSM as `String` parameters with `Overwrite`; an unmatched output is an error here (CfCT only
  logs it, and the consumer then fails on a missing parameter).
SCP/RCP resources are not deployed here (the round trip is about the templates); they are
returned in `PipelineRun.not_deployed`.

Stacks are created directly rather than through moto's StackSets because moto's stack
instances report a stack id that does not name the stack they create, which is what CfCT's
output export reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import boto3

from cfct_build import naming
from cfct_build.manifest import Resource
from cfct_build.package import Package

CAPABILITIES = ["CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]
SSM_HELPER = "alfred_ssm_"


class Accounts:
    """Clients as `AWSControlTowerExecution` in each account (moto maps them to that account).

    Sessions and clients are cached: creating them is what costs time in these tests.
    """

    def __init__(self) -> None:
        self._sessions: dict[str, boto3.Session] = {}
        self._clients: dict[tuple[str, str, str], Any] = {}

    def _session(self, account: str) -> boto3.Session:
        if account not in self._sessions:
            sts = boto3.client("sts")
            credentials = sts.assume_role(
                RoleArn=f"arn:aws:iam::{account}:role/{naming.CT_EXECUTION_ROLE}",
                RoleSessionName="cfct-build-e2e",
            )["Credentials"]
            self._sessions[account] = boto3.Session(
                aws_access_key_id=credentials["AccessKeyId"],
                aws_secret_access_key=credentials["SecretAccessKey"],
                aws_session_token=credentials["SessionToken"],
            )
        return self._sessions[account]

    def client(self, account: str, region: str, service: str) -> Any:
        key = (account, region, service)
        if key not in self._clients:
            self._clients[key] = self._session(account).client(service, region_name=region)
        return self._clients[key]


def stack_name(resource: Resource) -> str:
    return f"StackSet-CustomControlTower-{resource.name}"


@dataclass(frozen=True)
class StackInstance:
    resource: Resource
    account: str
    region: str
    parameters: dict[str, str]  # resolved values, as the stack received them
    outputs: dict[str, str]


@dataclass
class PipelineRun:
    management_account: str
    home_region: str
    accounts: Accounts = field(default_factory=Accounts)
    instances: list[StackInstance] = field(default_factory=list)
    not_deployed: list[Resource] = field(default_factory=list)

    def instance(self, resource_name: str) -> StackInstance:
        (found,) = [i for i in self.instances if i.resource.name == resource_name]
        return found

    def client(self, resource_name: str, service: str) -> Any:
        """A client in the account and Region of the resource's (single) stack instance."""
        instance = self.instance(resource_name)
        return self.accounts.client(instance.account, instance.region, service)

    def ssm(self) -> Any:
        return self.accounts.client(self.management_account, self.home_region, "ssm")

    def ssm_parameters(self) -> dict[str, str]:
        """Every SSM parameter of the management account, home Region."""
        ssm = self.ssm()
        pages = ssm.get_paginator("describe_parameters").paginate()
        names = [p["Name"] for page in pages for p in page["Parameters"]]
        return {n: ssm.get_parameter(Name=n)["Parameter"]["Value"] for n in names}


def resolve_parameter(value: str, ssm: Any) -> str:
    """A manifest parameter value as CfCT hands it to CloudFormation."""
    items = value.split(",") if "," in value else [value]
    resolved = []
    for item in items:
        if item.startswith("$[") and item.endswith("]"):
            keyword = item[2:-1]
            if not keyword.startswith(SSM_HELPER):
                raise ValueError(f"helper {item} is not emulated")
            item = ssm.get_parameter(Name=keyword[len(SSM_HELPER) :], WithDecryption=True)[
                "Parameter"
            ]["Value"]
        resolved.append(item)
    return ",".join(resolved)


def _export_outputs(resource: Resource, outputs: dict[str, str], ssm: Any) -> None:
    by_key = {f"output_{k.lower()}": v for k, v in outputs.items()}
    for name, ref in resource.export_outputs:
        key = ref[2:-1].lower() if ref.startswith("$[") and ref.endswith("]") else ref.lower()
        if key not in by_key:
            raise KeyError(f"{resource.name}: export {name} = {ref}: no such stack output")
        ssm.put_parameter(
            Name=name,
            Value=by_key[key],
            Description="This value was stored by Custom Control Tower Solution.",
            Type="String",
            Overwrite=True,
        )


def run_pipeline(package: Package, management_account: str) -> PipelineRun:
    """Deploy the package's StackSet resources in manifest order; return what was deployed."""
    home = package.manifest.region
    run = PipelineRun(management_account=management_account, home_region=home)
    ssm = run.ssm()
    for resource in package.manifest.resources:
        if resource.deploy_method != "stack_set":
            run.not_deployed.append(resource)
            continue
        if resource.organizational_units:
            raise NotImplementedError("OU targets are not emulated (the package targets accounts)")
        template = package.files[resource.resource_file]
        parameters = {k: resolve_parameter(v, ssm) for k, v in resource.parameters}
        first: StackInstance | None = None
        for account in resource.accounts:
            for region in resource.regions:
                cfn = run.accounts.client(account, region, "cloudformation")
                cfn.create_stack(
                    StackName=stack_name(resource),
                    TemplateBody=template,
                    Parameters=[
                        {"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()
                    ],
                    Capabilities=CAPABILITIES,
                )
                (stack,) = cfn.describe_stacks(StackName=stack_name(resource))["Stacks"]
                if stack["StackStatus"] != "CREATE_COMPLETE":
                    raise RuntimeError(f"{resource.name} in {account}/{region}: {stack}")
                outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
                instance = StackInstance(resource, account, region, parameters, outputs)
                run.instances.append(instance)
                first = first or instance
        if first is not None and resource.export_outputs:
            _export_outputs(resource, first.outputs, ssm)
    return run

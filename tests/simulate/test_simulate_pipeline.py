"""CfCT's decisions on a re-run, driven through `Emulation`: a changed template byte updates its
StackSet (and every instance), an account that stops resolving loses its instances, and
manifest parameter values resolve as CfCT resolves them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from cfct_build import naming
from cfct_build.config import load_settings
from cfct_build.package import build_package
from cfct_build.simulate.aws import SimulationError
from cfct_build.simulate.organization import default_org
from cfct_build.simulate.pipeline import resolve_parameter
from cfct_build.simulate.run import Emulation

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "cfct-build.yaml"
HOME, SECOND = "us-east-1", "us-west-2"
BASELINE_STACK = f"StackSet-CustomControlTower-{naming.RES_BASELINE}"


@pytest.mark.slow
def test_a_changed_template_byte_updates_its_stack_set_and_a_lost_account_loses_instances(
    emulated_aws: None,
) -> None:
    settings = load_settings(EXAMPLE)
    package = build_package(settings)
    emulation = Emulation(settings, default_org(settings), package)
    emulation.start()
    _org, _resolution, first = emulation.run_pipeline()
    assert first.failure is None

    files = dict(package.files)
    files[naming.TEMPLATE_KEY] += "\n"  # one byte
    emulation.package = replace(package, files=files)
    management = settings.organization.management_account
    org = emulation.accounts.client(management, HOME, "organizations")
    (root,) = org.list_roots()["Roots"]
    leaving = "100000000001"  # the Infrastructure workload account
    (parent,) = org.list_parents(ChildId=leaving)["Parents"]
    org.move_account(AccountId=leaving, SourceParentId=parent["Id"], DestinationParentId=root["Id"])

    _org, _resolution, second = emulation.run_pipeline()
    assert second.failure is None
    actions = {r.resource.name: r.action for r in second.stack_sets}
    assert actions == {
        r.name: "updated"
        if r.name == naming.RES_KEY
        else ("instances" if r.name == naming.RES_BASELINE else "unchanged")
        for r in package.manifest.resources
        if r.deploy_method == "stack_set"
    }
    key = second.stack_set(naming.RES_KEY)
    assert (key.template_matched, [(i.account, i.region) for i in key.updated]) == (
        False,
        [(settings.organization.audit_account, HOME)],
    )
    assert second.stack_set(naming.RES_BASELINE).deleted == ((leaving, HOME), (leaving, SECOND))
    assert emulation.operations() == {
        f"CustomControlTower-{r.name}": int(r.name == naming.RES_KEY)
        for r in package.manifest.resources
        if r.deploy_method == "stack_set"
    }
    for region in (HOME, SECOND):
        cfn = emulation.accounts.client(leaving, region, "cloudformation")
        live = [s for s in cfn.list_stacks()["StackSummaries"] if s["StackName"] == BASELINE_STACK]
        assert [s["StackStatus"] for s in live] == ["DELETE_COMPLETE"]


class _Ssm:
    def __init__(self, values: dict[str, str]) -> None:
        self.values = values

    def get_parameter(self, Name: str, WithDecryption: bool) -> dict[str, Any]:
        if Name not in self.values:
            raise KeyError(f"ParameterNotFound: {Name}")
        return {"Parameter": {"Value": self.values[Name]}}


def test_parameter_values_resolve_as_cfct_does() -> None:
    ssm = _Ssm({"/a": "A", "/b": "B"})
    assert [
        resolve_parameter("plain", ssm),
        resolve_parameter("$[alfred_ssm_/a]", ssm),
        resolve_parameter("$[alfred_ssm_/a], x ,$[alfred_ssm_/b]", ssm),
        resolve_parameter("$[anything_else]", ssm),
    ] == ["plain", "A", ["A", "x", "B"], "anything_else"]
    with pytest.raises(SimulationError) as missing:
        resolve_parameter("$[alfred_ssm_/nope]", ssm)
    assert str(missing.value) == (
        "$[alfred_ssm_/nope]: SSM parameter /nope not found in the management account "
        "(no earlier resource exports it): 'ParameterNotFound: /nope'"
    )
    with pytest.raises(SimulationError) as helper:
        resolve_parameter("$[alfred_genpass_12]", ssm)
    assert str(helper.value) == (
        "$[alfred_genpass_12]: this CfCT helper is not emulated by cfct-build simulate"
    )

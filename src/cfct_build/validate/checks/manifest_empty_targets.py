"""CFCT-M020: every resource deploys somewhere."""

from __future__ import annotations

from collections.abc import Iterator

from cfct_build.validate.check import Check
from cfct_build.validate.context import Context
from cfct_build.validate.findings import Finding


class ManifestEmptyTargets(Check):
    id = "CFCT-M020"
    shortdesc = "deployment_targets lists at least one account or OU"
    description = (
        "With no accounts and no OUs, CfCT creates the StackSet without stack instances or "
        "creates the policy without attaching it: nothing is protected."
    )

    def validate(self, ctx: Context) -> Iterator[Finding]:
        for res in ctx.resources:
            targets = res.targets
            if targets is None:
                continue  # absent or not a mapping: CFCT-M003
            lists = [targets.get(k) for k in ("accounts", "organizational_units")]
            if any(n is not None and not n.is_null and not n.is_seq for n in lists):
                continue  # not a list: CFCT-M003
            if res.target_items("accounts") or res.target_items("organizational_units"):
                continue
            what = (
                "creates the policy but attaches it nowhere"
                if res.deploy_method in ("scp", "rcp")
                else "creates the StackSet but no stack instance"
            )
            yield self.at_key(
                "warning",
                res.node,
                "deployment_targets",
                f"no accounts and no organizational_units: CfCT {what}",
            )

"""CFCT-M012: keys that only StackSets use are not set on scp/rcp resources."""

from __future__ import annotations

from collections.abc import Iterator

from cfct_build.validate.check import Check
from cfct_build.validate.context import Context
from cfct_build.validate.findings import Finding

IGNORED_FOR_POLICIES = ("parameters", "parameter_file", "export_outputs", "regions")


class ManifestStackSetOnly(Check):
    id = "CFCT-M012"
    shortdesc = "accounts, parameters, export_outputs and regions only on stack_set resources"
    description = (
        "CfCT attaches SCPs and RCPs to organizational units only: accounts listed for them are "
        "ignored (the policy is not attached where the author expects), and parameters, "
        "parameter_file, export_outputs and regions mean nothing for a policy."
    )

    def validate(self, ctx: Context) -> Iterator[Finding]:
        for res in ctx.resources:
            method = res.deploy_method
            if method not in ("scp", "rcp"):
                continue
            if res.targets is not None and res.target_items("accounts"):
                yield self.at_key(
                    "error",
                    res.targets,
                    "accounts",
                    f"accounts are ignored for {method} resources: CfCT attaches policies to "
                    "organizational units only; list OUs under organizational_units",
                )
            for key in IGNORED_FOR_POLICIES:
                node = res.field(key)
                if node is not None and not node.is_null:
                    yield self.at_key(
                        "warning",
                        res.node,
                        key,
                        f"{key} applies only to stack_set resources; CfCT ignores it for {method}",
                    )

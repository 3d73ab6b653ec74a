"""CFCT-S001: SCP and RCP files are JSON objects."""

from __future__ import annotations

from collections.abc import Iterator

from cfct_build.validate.check import Check
from cfct_build.validate.context import Context
from cfct_build.validate.findings import Finding
from cfct_build.validate.yamlnodes import describe


class PolicyJson(Check):
    id = "CFCT-S001"
    shortdesc = "policy files are JSON objects"
    description = (
        "CfCT sends the policy file's text to AWS Organizations without parsing it: invalid JSON "
        "passes CfCT's build and fails the SCP/RCP stage at deploy time."
    )

    def validate(self, ctx: Context) -> Iterator[Finding]:
        for rel in ctx.policy_files:
            doc = ctx.json(rel)
            if doc is None:
                continue
            if doc.problem is not None:
                yield self.unreadable(rel, doc.problem, "AWS Organizations rejects the policy")
            elif not isinstance(doc.data, dict):
                yield self.finding(
                    "error",
                    rel,
                    1,
                    "",
                    f"expected a policy document (a JSON object), got {describe(doc.data)}",
                )

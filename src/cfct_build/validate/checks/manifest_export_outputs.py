"""CFCT-M016: export_outputs write a template Output to a valid SSM parameter name."""

from __future__ import annotations

import re
from collections.abc import Iterator

from cfct_build.validate import helpers
from cfct_build.validate.check import Check
from cfct_build.validate.context import Context
from cfct_build.validate.findings import Finding

OUTPUT_REF = re.compile(r"^\$\[output_(.+)\]$")


class ManifestExportOutputs(Check):
    id = "CFCT-M016"
    shortdesc = "export_outputs: valid SSM name, value $[output_Key] of an Output of the template"
    description = (
        "After a StackSet deploys, CfCT writes each export_outputs entry to SSM in the "
        "management account: the value must be $[output_<OutputKey>] naming an Output of the "
        "resource's template (matched case-insensitively), or the parameter is never written."
    )

    def validate(self, ctx: Context) -> Iterator[Finding]:
        for res in ctx.resources:
            template = ctx.resource_template(res)
            for item in res.items("export_outputs"):
                if not item.is_map:
                    continue
                name = item.get("name")
                if name is not None and name.text is not None:
                    problem = helpers.ssm_name_problem(name.text)
                    if problem is not None:
                        yield self.at("error", name, problem)
                value = item.get("value")
                if value is None or value.text is None:
                    continue
                match = OUTPUT_REF.match(value.text)
                if match is None:
                    yield self.at(
                        "error",
                        value,
                        f"expected $[output_<OutputKey>], got {value.text!r}: CfCT exports only "
                        "stack outputs to SSM",
                    )
                elif template is not None:
                    key = match.group(1)
                    if key.lower() not in {o.lower() for o in template.outputs}:
                        have = ", ".join(template.outputs) or "none"
                        yield self.at(
                            "error",
                            value,
                            f"{template.rel} has no Output {key!r} (its Outputs: {have}): CfCT "
                            "would never write this SSM parameter",
                        )

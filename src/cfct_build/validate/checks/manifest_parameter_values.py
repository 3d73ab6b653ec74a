"""CFCT-M014: manifest parameter values are strings."""

from __future__ import annotations

from collections.abc import Iterator

from cfct_build.validate.check import Check
from cfct_build.validate.context import Context
from cfct_build.validate.findings import Finding
from cfct_build.validate.yamlnodes import describe


class ManifestParameterValues(Check):
    id = "CFCT-M014"
    shortdesc = "parameter_value is a string"
    description = (
        "CloudFormation parameter values are strings and CfCT splits them on commas; an "
        "unquoted number, boolean or date is converted with str() and may not arrive as "
        "written (010 is octal 8, yes is True)."
    )

    def validate(self, ctx: Context) -> Iterator[Finding]:
        for res in ctx.resources:
            for item in res.items("parameters"):
                node = item.get("parameter_value") if item.is_map else None
                if node is None or node.is_null or node.text is not None:
                    continue  # absent or null: CFCT-M003
                if node.kind == "scalar":
                    message = (
                        f"parameter_value must be a string, got {describe(node.value)}: quote it "
                        f'so it reaches CloudFormation as written: "{node.source}"'
                    )
                elif node.is_seq:
                    message = (
                        "parameter_value must be a string, got a list: write one string; CfCT "
                        "splits a comma-separated value into a list itself"
                    )
                else:
                    message = "parameter_value must be a string, got a mapping"
                yield self.at("error", node, message)

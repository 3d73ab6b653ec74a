"""CFCT-T001: every template CfCT validates or deploys parses as a CloudFormation template."""

from __future__ import annotations

from collections.abc import Iterator

from cfct_build.validate.check import Check
from cfct_build.validate.context import Context
from cfct_build.validate.findings import Finding


class TemplateParse(Check):
    id = "CFCT-T001"
    shortdesc = "templates are JSON or YAML mappings"
    description = (
        "CfCT's build runs aws cloudformation validate-template on every file of templates/ "
        "named *.template, *.yaml, *.yml or *.json, and deploys stack_set resource files as "
        "templates: each must be a JSON or YAML (short-form tags allowed) mapping."
    )

    def validate(self, ctx: Context) -> Iterator[Finding]:
        for rel in ctx.template_files:
            doc = ctx.template(rel)
            if doc is not None and doc.problem is not None:
                yield self.unreadable(rel, doc.problem)

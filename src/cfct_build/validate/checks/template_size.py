"""CFCT-T002: templates are at most 1,000,000 bytes."""

from __future__ import annotations

from collections.abc import Iterator

from cfct_build.validate.check import Check
from cfct_build.validate.context import Context
from cfct_build.validate.findings import Finding

MAX_TEMPLATE_BYTES = 1_000_000  # CloudFormation, template in S3 (cfn-lint's E1002 uses the same)


class TemplateSize(Check):
    id = "CFCT-T002"
    shortdesc = "templates are at most 1 MB"
    description = (
        "CfCT stages templates in S3; CloudFormation accepts a template URL of at most 1 MB."
    )

    def validate(self, ctx: Context) -> Iterator[Finding]:
        for rel in ctx.template_files:
            doc = ctx.template(rel)
            if doc is not None and doc.size > MAX_TEMPLATE_BYTES:
                yield self.finding(
                    "error",
                    rel,
                    None,
                    "",
                    f"{doc.size:,} bytes: CloudFormation accepts templates of at most "
                    f"{MAX_TEMPLATE_BYTES:,} bytes",
                )
